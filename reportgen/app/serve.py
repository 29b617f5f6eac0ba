"""The web workbench behind `reportgen serve`: the CLI's checks and builds as a local page and HTTP API.

Starlette (the ASGI toolkit under FastAPI) serves the routes and uvicorn runs them: both are widely
deployed, small, and need no C compiler on Windows. Every request runs the same pipeline as the
command line (`load`, `check`, `build`: sandboxed packs, guarded readers) in a worker thread, on a
copy of the upload kept in a private temporary folder that is deleted before the answer is sent.
"""

from __future__ import annotations

import io
import json
import logging
import re
import secrets
import shutil
import socket
import tempfile
import threading
import zipfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from importlib.resources import files
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, Headers, MutableHeaders, UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reportgen.errors import ReportgenError, UnreadableInput, UserError
from reportgen.findings import ERROR, REMEDIES, WARNING
from reportgen.readers import OTHER_SUFFIXES, PUBLISHED_SUFFIXES, UNSUPPORTED_HINT, WORKBOOK_SUFFIXES

log = logging.getLogger("reportgen.serve")

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# The only part of a client's file name that reaches the disk: its suffix, if it is one of these.
UPLOAD_SUFFIXES = frozenset(WORKBOOK_SUFFIXES | PUBLISHED_SUFFIXES | set(OTHER_SUFFIXES) | {".json"})
LOOPBACK = ("127.0.0.1", "localhost", "::1")
NETWORK_WARNING = (
    "警告：--host {host} 让同一网络中的任何人都能打开本页面、上传文件并生成报告，本程序没有登录和权限控制。"
    "只在可信的内部网络中这样使用；一般情况请不加 --host（只有本机能访问）。"
)
# The page's own script and style only; the preview (an iframe's srcdoc, which inherits this
# policy) needs inline styles and data: images, and may fetch nothing at all.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
}
ASSETS = {"workbench.js": "text/javascript; charset=utf-8", "workbench.css": "text/css; charset=utf-8"}
STATUS_TEXT = {
    400: "请求有误：请用表单上传（multipart/form-data），文件放在字段 file 中",
    403: "拒绝来自其他网站的请求",
    404: "没有这个地址",
    405: "不支持这种请求方法",
    413: f"文件超过{MAX_UPLOAD_BYTES // (1024 * 1024)} MB，已拒绝。年度报告的工作簿一般不到1 MB，请确认选对了文件",
}
_CJK = re.compile(r"[\u4e00-\u9fff]")


# ---- Guards: host, origin, size, headers -----------------------------------------------------


def is_loopback(host: str) -> bool:
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
            await _error(*refusal)(scope, receive, send_secured)
            return
        if scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send_secured)
            return
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.limit:  # refused before a byte is read
            await _error(413)(scope, receive, send_secured)
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


def _error(status: int, message: str = "") -> Response:
    return JSONResponse({"error": message or STATUS_TEXT.get(status) or HTTPStatus(status).phrase}, status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    # Starlette's own details are English ("Not Found", "Invalid multipart data."): say it in Chinese.
    detail = exc.detail if _CJK.search(str(exc.detail)) else ""
    return _error(exc.status_code, detail)


# ---- Uploads -----------------------------------------------------------------------------------


def shown_name(filename: str | None) -> str:
    """The client's file name for messages only: no folders, no control characters, not too long."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip()
    return name[-120:] or "上传的文件"


@dataclass
class Upload:
    """One uploaded file, copied to a fixed name in a private folder that lives for one request."""

    path: Path
    shown: str
    suffix: str

    @property
    def folder(self) -> Path:
        return self.path.parent

    def supported(self) -> Path:
        """The copy's path, once its suffix is known to be one reportgen reads or explains."""
        if self.suffix not in UPLOAD_SUFFIXES:
            raise UnreadableInput(f"不支持的文件类型“{self.suffix or '无扩展名'}”", file=self.shown,
                                  hint=UNSUPPORTED_HINT)
        return self.path

    def load(self) -> Any:
        from reportgen import load

        return load(self.supported())

    def scrub(self, text: str) -> str:
        """Messages name the upload as the client called it, never by its temporary path."""
        quoted = json.dumps(self.shown, ensure_ascii=False)[1:-1]
        return text.replace(str(self.path), quoted).replace(str(self.folder), "（临时文件夹）")


def _copy(source: BinaryIO, target: Path) -> None:
    with target.open("wb") as out:
        shutil.copyfileobj(source, out, 1024 * 1024)


@asynccontextmanager
async def received(request: Request) -> AsyncIterator[tuple[Upload, FormData]]:
    """The request's `file` in a private temporary folder, and its other fields; the folder is
    deleted when the block ends, whatever happened in it."""
    folder = Path(tempfile.mkdtemp(prefix="reportgen-web-"))
    try:
        async with request.form(max_files=1, max_fields=16, max_part_size=64 * 1024) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise HTTPException(400, "请选择要上传的文件（表单字段 file）")
            shown = shown_name(upload.filename)
            suffix = Path(shown).suffix.lower()
            path = folder / ("upload" + (suffix if suffix in UPLOAD_SUFFIXES else ""))
            await run_in_threadpool(_copy, upload.file, path)
            yield Upload(path, shown, suffix), form
    finally:
        await run_in_threadpool(shutil.rmtree, folder, True)


def with_remedies(summary: dict[str, Any]) -> dict[str, Any]:
    """`reportgen check --json`'s result, each finding with what a clerk does about it."""
    for f in summary.get("findings", []):
        f["remedy"] = REMEDIES.get(f["code"], "")
    return summary


def _json(data: Any, status: int = 200, scrub: Callable[[str], str] = str) -> Response:
    from reportgen.pipeline import to_json

    return Response(scrub(to_json(data)), status, media_type="application/json; charset=utf-8")


async def answer(upload: Upload, work: Callable[[], Response | tuple[int, dict[str, Any]]]) -> Response:
    """Run `work` in a worker thread; reportgen's errors become the CLI's Chinese message."""
    try:
        result = await run_in_threadpool(work)
    except ReportgenError as e:
        result = 400, {"file": upload.shown, "ok": False, "error": str(e), "findings": []}
    except Exception:  # a bug of ours: the traceback on the server's console, a short note to the page
        log.exception("内部错误：%s", upload.shown)
        result = 500, {"file": upload.shown, "ok": False, "findings": [],
                       "error": "内部错误。请把运行 reportgen serve 的窗口中显示的信息报告给维护者。"}
    if isinstance(result, Response):
        return result
    status, body = result
    return _json(body, status, upload.scrub)


def attachment(data: bytes, name: str, media_type: str) -> Response:
    """A download with its Chinese file name (RFC 6266) and an ASCII fallback."""
    fallback = "report" + Path(name).suffix
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=media_type, headers={"content-disposition": disposition})


def zip_files(paths: list[Path]) -> bytes:
    """The documents in one zip: fixed order and dates, so the same report gives the same bytes."""
    from reportgen.outputs import fixed_time

    _, date_time = fixed_time()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(paths, key=lambda p: p.name):
            info = zipfile.ZipInfo(path.name, date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


MEDIA_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".html": "text/html; charset=utf-8",
    ".pdf": "application/pdf",
    ".json": "application/json; charset=utf-8",
    ".zip": "application/zip",
}


def chosen_pack(form: FormData) -> Any:
    """The template pack named in the form, looked up among the installed packs only (a client's
    text is never a path); None for the report's own default."""
    from reportgen.packs import available

    name = str(form.get("template") or "").strip()
    if not name:
        return None
    pack = next((p for p in available() if p.name == name), None)
    if pack is None:
        raise HTTPException(400, f"没有名为“{name}”的模板包")
    return pack


def pdf_available() -> bool:
    from reportgen.render_pdf import find_soffice

    return find_soffice() is not None


# ---- Routes ------------------------------------------------------------------------------------


def _static(name: str) -> bytes:
    return (files("reportgen.app") / "static" / name).read_bytes()


async def page(request: Request) -> Response:
    return Response(_static("index.html"), media_type="text/html; charset=utf-8",
                    headers={"content-security-policy": PAGE_CSP})


async def asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in ASSETS:  # a fixed list: the client's text is a key, never a path
        raise HTTPException(404)
    return Response(_static(name), media_type=ASSETS[name])


async def sample(request: Request) -> Response:
    from reportgen.resources import sample_workbook

    return attachment(sample_workbook().read_bytes(), "样例-临沂市兰山区2021年.xlsx",
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


async def info(request: Request) -> Response:
    from reportgen.packs import available

    packs = [{"name": p.name, "display_name": p.display_name, "format": p.format} for p in available()]
    data: Path | None = request.app.state.data
    return _json({"packs": packs, "pdf": pdf_available(), "district": data is not None,
                  "data": data.name if data else "", "max_upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024)})


async def api_check(request: Request) -> Response:
    """POST /api/check: the JSON of `reportgen check --json` for the uploaded file."""
    from reportgen import check
    from reportgen.pipeline import check_summary

    async with received(request) as (upload, _):
        return await answer(upload, lambda: (200, with_remedies(check_summary(upload.shown, check(upload.load())))))


async def api_preview(request: Request) -> Response:
    """POST /api/preview (the page's): the check's JSON and, without errors, the report as HTML."""
    from reportgen.pipeline import check_summary

    async with received(request) as (upload, form):
        pack = chosen_pack(form)

        def work() -> tuple[int, dict[str, Any]]:
            result, outputs = _build(upload, ("html",), pack)
            body = with_remedies(check_summary(upload.shown, result.findings))
            body["html"] = outputs[0].read_text(encoding="utf-8") if outputs else None
            return 200, body

        return await answer(upload, work)


async def api_build(request: Request) -> Response:
    """POST /api/build: a zip of the documents (or, with zip=0 and one format, the document), or
    422 with the findings when the data has errors."""
    from reportgen.pipeline import check_summary, parse_formats

    async with received(request) as (upload, form):
        pack = chosen_pack(form)
        single = str(form.get("zip") or "1") == "0"

        def work() -> Response | tuple[int, dict[str, Any]]:
            formats = parse_formats(str(form.get("format") or "docx,html"))
            if single and len(formats) != 1:
                raise UserError("zip=0 时只能选一种格式")
            result, outputs = _build(upload, formats, pack)
            if result.failed:
                return 422, with_remedies(check_summary(upload.shown, result.findings))
            if single:
                return attachment(outputs[0].read_bytes(), outputs[0].name, MEDIA_TYPES[outputs[0].suffix])
            return attachment(zip_files(outputs), outputs[0].stem + ".zip", MEDIA_TYPES[".zip"])

        return await answer(upload, work)


def _build(upload: Upload, formats: tuple[str, ...], pack: Any) -> tuple[Any, list[Path]]:
    from reportgen import build

    result = build(upload.supported(), upload.folder / "out", formats, pack)
    return result, result.outputs


# ---- The district view: the units' workbooks in --data, merged and built with progress ----------


def unit_rows(data: Path) -> list[dict[str, Any]]:
    """Every workbook in the folder with its status: 通过, 警告 or 错误, and the first problem."""
    from reportgen import check, load
    from reportgen.batch import expand_inputs

    try:
        sources = expand_inputs([data])
    except UserError:
        return []
    rows = []
    for source in sources:
        row: dict[str, Any] = {"file": source.relative_to(data).as_posix(), "organ": "", "year": None,
                               "errors": 0, "warnings": 0, "message": ""}
        try:
            report = load(source)
            findings = check(report)
        except ReportgenError as e:
            rows.append(row | {"status": "错误", "errors": 1, "message": str(e)})
            continue
        errors = [f for f in findings if f.severity == ERROR]
        warnings = [f for f in findings if f.severity == WARNING]
        status = "错误" if errors else "警告" if warnings else "通过"
        first = (errors or warnings or [""])[0]
        rows.append(row | {"status": status, "organ": str(report.meta.get("organ") or ""), "year": report.year,
                           "errors": len(errors), "warnings": len(warnings), "message": str(first)})
    return rows


@dataclass
class Job:
    """One merge-and-build of the district report, run in a thread and polled by the page."""

    total: int = 1
    done: int = 0
    stage: str = "准备"
    finished: bool = False
    error: str = ""
    problems: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    payload: bytes | None = None
    filename: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def update(self, **changes: Any) -> None:
        with self.lock:
            for name, value in changes.items():
                setattr(self, name, value)

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {"total": self.total, "done": self.done, "stage": self.stage, "finished": self.finished,
                    "ok": self.payload is not None, "error": self.error, "problems": self.problems,
                    "findings": self.findings, "filename": self.filename}


def run_district(job: Job, data: Path, organ: str, year: int | None, formats: tuple[str, ...], pack: Any,
                 skip_invalid: bool) -> None:
    """Check every unit, merge them, and build the district report and its workbook into one zip."""
    from reportgen import build
    from reportgen.batch import expand_inputs
    from reportgen.merge import merge_files
    from reportgen.pipeline import check_summary, safe_name, save

    def relative(text: str) -> str:  # the folder is the server's: name units by their place in it
        return text.replace(str(data) + "/", "").replace(str(data), "")

    try:
        sources = expand_inputs([data])
        n = len(sources)
        job.update(total=n + 2, stage=f"检查各单位（0/{n}）")
        merged = merge_files(sources, organ=organ, year=year, skip_invalid=skip_invalid, jobs=1,
                             progress=lambda i: job.update(done=i, stage=f"检查各单位（{i}/{n}）"))
        if merged.report is None:
            problems = [{"file": relative(p.source), "messages": [relative(m) for m in p.messages]}
                        for p in merged.problems]
            job.update(problems=problems, error=f"{len(problems)}个单位有错误，未汇总。改正后重试，或勾选“跳过有错误的单位”。")
            return
        job.update(done=n + 1, stage="生成汇总报告")
        with tempfile.TemporaryDirectory(prefix="reportgen-district-") as tmp:
            workbook = Path(tmp) / f"{safe_name(organ)}{merged.report.year or ''}年汇总.xlsx"
            save(merged.report, workbook)
            result = build(workbook, Path(tmp) / "out", formats, pack)
            if result.failed:
                summary = with_remedies(check_summary(workbook.name, result.findings))
                job.update(findings=summary["findings"], error="汇总后的数据有错误，未生成报告。")
                return
            skipped = f"（已跳过{len(merged.skipped)}个有错误的单位）" if merged.skipped else ""
            job.update(payload=zip_files([workbook, *result.outputs]), filename=result.outputs[0].stem + ".zip",
                       done=n + 2, stage=f"已汇总{len(merged.report.units)}个单位{skipped}")
    except ReportgenError as e:
        job.update(error=relative(str(e)))
    except Exception:
        log.exception("汇总时内部错误")
        job.update(error="内部错误。请把运行 reportgen serve 的窗口中显示的信息报告给维护者。")
    finally:
        job.update(finished=True)


MAX_JOBS = 8  # finished district reports kept for download (each a few MB at most)


async def api_units(request: Request) -> Response:
    data = _data(request)
    return _json({"folder": data.name, "units": await run_in_threadpool(unit_rows, data)})


async def api_district(request: Request) -> Response:
    """POST /api/district (organ, year, format, template, skip_invalid): start merging and building;
    the answer names the job to poll at GET /api/district/{job}."""
    from reportgen.pipeline import parse_formats

    data = _data(request)
    async with request.form(max_files=0, max_fields=16, max_part_size=64 * 1024) as form:
        organ = str(form.get("organ") or "").strip()
        year_text = str(form.get("year") or "").strip()
        if not organ:
            raise HTTPException(400, "请填写汇总报告的机关全称，如“临沂市兰山区人民政府”")
        if year_text and not (year_text.isdigit() and len(year_text) == 4):
            raise HTTPException(400, f"统计年度应为四位年份，实际为“{year_text}”")
        try:
            formats = parse_formats(str(form.get("format") or "docx,html"))
        except UserError as e:
            raise HTTPException(400, str(e)) from e
        pack = chosen_pack(form)
        skip = str(form.get("skip_invalid") or "") in ("1", "on", "true")
    jobs: dict[str, Job] = request.app.state.jobs
    job_id, job = secrets.token_urlsafe(12), Job()
    jobs[job_id] = job
    for old in list(jobs)[:-MAX_JOBS]:
        del jobs[old]
    threading.Thread(target=run_district, args=(job, data, organ, int(year_text) if year_text else None,
                                                formats, pack, skip), daemon=True).start()
    return _json({"job": job_id}, 202)


def _job(request: Request) -> Job:
    job = request.app.state.jobs.get(request.path_params["job"])
    if job is None:
        raise HTTPException(404, "没有这个汇总任务（可能已过期），请重新汇总")
    return job


async def api_job(request: Request) -> Response:
    return _json(_job(request).state())


async def api_job_download(request: Request) -> Response:
    job = _job(request)
    if job.payload is None:
        raise HTTPException(404, "汇总报告尚未生成")
    return attachment(job.payload, job.filename, MEDIA_TYPES[".zip"])


def _data(request: Request) -> Path:
    data: Path | None = request.app.state.data
    if data is None:
        raise HTTPException(404, "未开启区县汇总：启动时用 --data 指定各单位工作簿所在的文件夹")
    return data


# ---- The application and the server ------------------------------------------------------------


def create_app(data: Path | None = None, *, hosts: tuple[str, ...] | None = LOOPBACK) -> Starlette:
    """The workbench as an ASGI application; `hosts` are the Host names accepted (None: any)."""
    routes = [
        Route("/", page),
        Route("/static/{name}", asset),
        Route("/sample.xlsx", sample),
        Route("/api/info", info),
        Route("/api/check", api_check, methods=["POST"]),
        Route("/api/preview", api_preview, methods=["POST"]),
        Route("/api/build", api_build, methods=["POST"]),
        Route("/api/units", api_units),
        Route("/api/district", api_district, methods=["POST"]),
        Route("/api/district/{job}", api_job),
        Route("/api/district/{job}/download", api_job_download),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(Guard, hosts=hosts)],
                    exception_handlers={HTTPException: _http_error})
    app.state.data = data.resolve() if data else None
    app.state.jobs = {}
    return app


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, or a Chinese message when the port is taken or the host unknown."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as e:
        raise UserError(f"无法使用地址“{host}”（{e.strerror or e}）", hint="一般不需要 --host，默认只允许本机访问") from e
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as e:
        sock.close()
        raise UserError(f"端口{port}已被占用或无权使用（{e.strerror or e}）",
                        hint="请用 --port 换一个端口，如 --port 8080") from e
    return sock


def serve_forever(host: str, port: int, data: Path | None, ready: Callable[[str], None]) -> None:
    """Run the workbench until Ctrl+C; `ready` gets the address to open once it is listening."""
    import uvicorn

    sock = bind(host, port)
    actual = sock.getsockname()[1]
    shown = host if is_loopback(host) else socket.gethostname()
    app = create_app(data, hosts=LOOPBACK if is_loopback(host) else None)
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False, lifespan="off")
    ready(f"http://{'[' + shown + ']' if ':' in shown else shown}:{actual}/")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn shuts down cleanly on Ctrl+C, then re-raises it for us
        pass
