"""The workbench's guards at the HTTP door: Host names, cross-origin POSTs, upload size, security headers."""

from __future__ import annotations

import re
from http import HTTPStatus
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
LOOPBACK = ("127.0.0.1", "localhost", "::1")
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
}
STATUS_TEXT = {
    400: "请求有误：请用表单上传（multipart/form-data），文件放在字段 file 中",
    403: "拒绝来自其他网站的请求",
    404: "没有这个地址",
    405: "不支持这种请求方法",
    413: f"文件超过{MAX_UPLOAD_BYTES // (1024 * 1024)} MB，已拒绝。年度报告的工作簿一般不到1 MB，请确认选对了文件",
}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine only (the default: nobody else can reach the workbench)."""
    return host in LOOPBACK


class Guard:
    """ASGI middleware: refuse foreign Host headers (DNS rebinding) and cross-origin POSTs (CSRF),
    stop an upload as soon as it passes the size limit, and add the security headers."""

    def __init__(self, app: ASGIApp, *, hosts: tuple[str, ...] | None, limit: int = MAX_UPLOAD_BYTES) -> None:
        self.app, self.hosts, self.limit = app, hosts, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        headers = Headers(scope=scope)
        refusal = self._refusal(scope, headers)
        if refusal:
            await error_response(*refusal)(scope, receive, send_secured)
            return
        if scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send_secured)
            return
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.limit:  # refused before a byte is read
            await error_response(413)(scope, receive, send_secured)
            return
        received = 0

        async def receive_limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:  # a body without Content-Length (chunked): stop mid-stream
                raise HTTPException(413)
            return message

        await self.app(scope, receive_limited, send_secured)

    def _refusal(self, scope: Scope, headers: Headers) -> tuple[int, str] | None:
        host = headers.get("host", "")
        name = host[1:].split("]")[0] if host.startswith("[") else host.rsplit(":", 1)[0]
        if self.hosts is not None and name not in self.hosts:
            return 400, f"不接受的主机名“{name}”：请用 http://127.0.0.1 打开本页面"
        if scope["method"] in ("GET", "HEAD"):
            return None
        # Browsers say where a request comes from; scripts and curl say nothing and are allowed.
        site = headers.get("sec-fetch-site")
        origin = headers.get("origin")
        if site is not None and site not in ("same-origin", "none"):
            return 403, STATUS_TEXT[403]
        if origin is not None and urlsplit(origin).netloc != host:
            return 403, STATUS_TEXT[403]
        return None


def error_response(status: int, message: str = "") -> Response:
    return JSONResponse({"error": message or STATUS_TEXT.get(status) or HTTPStatus(status).phrase}, status)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    # Starlette's own details are English ("Not Found", "Invalid multipart data."): say it in Chinese.
    detail = exc.detail if _CJK.search(str(exc.detail)) else ""
    return error_response(exc.status_code, detail)
