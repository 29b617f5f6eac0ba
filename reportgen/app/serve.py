"""The web workbench behind `reportgen serve`: the CLI's checks and builds as a local page and HTTP API.

Starlette (the ASGI toolkit under FastAPI) serves the routes and uvicorn runs them: both are widely
deployed, small, and need no C compiler on Windows. Every request runs the same pipeline as the
command line (`load`, `check`, `build`: sandboxed packs, guarded readers) in a worker thread, on a
copy of the upload kept in a private temporary folder that is deleted before the answer is sent.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import socket
import tempfile
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import ReportgenError, UnreadableInput, UserError
from ..read import OTHER_SUFFIXES, PUBLISHED_SUFFIXES, UNSUPPORTED_HINT, WORKBOOK_SUFFIXES
from .answers import zip_files
from .district import Job, run_district, unit_rows
from .guard import LOOPBACK, MAX_UPLOAD_BYTES, Guard, http_error, is_loopback

log = logging.getLogger("reportgen.serve")

# The only part of a client's file name that reaches the disk: its suffix, if it is one of these.
UPLOAD_SUFFIXES = frozenset(WORKBOOK_SUFFIXES | PUBLISHED_SUFFIXES | set(OTHER_SUFFIXES) | {".json"})
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
ASSETS = {"workbench.js": "text/javascript; charset=utf-8", "workbench.css": "text/css; charset=utf-8"}


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
        from ..read import load

        return load(self.supported())

    def scrub(self, text: str) -> str:
        """JSON whose messages name the upload as the client called it, never by its temporary path."""
        return text.replace(_in_json(str(self.path)), _in_json(self.shown)).replace(
            _in_json(str(self.folder)), "（临时文件夹）")


def _in_json(text: str) -> str:
    """`text` as it stands inside a JSON string (a Windows path's backslashes are doubled there)."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


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


def _json(data: Any, status: int = 200, scrub: Callable[[str], str] = str) -> Response:
    from ..write import to_json

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
    from ..render.packs import available

    name = str(form.get("template") or "").strip()
    if not name:
        return None
    pack = next((p for p in available() if p.name == name), None)
    if pack is None:
        raise HTTPException(400, f"没有名为“{name}”的模板包")
    return pack


def pdf_available() -> bool:
    from ..render.pdf import find_soffice

    return find_soffice() is not None


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
    from ..resources import sample_workbook

    return attachment(sample_workbook().read_bytes(), "样例-临沂市兰山区2021年.xlsx",
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


async def info(request: Request) -> Response:
    from ..render.packs import available

    packs = [{"name": p.name, "display_name": p.display_name, "format": p.format} for p in available()]
    data: Path | None = request.app.state.data
    return _json({"packs": packs, "pdf": pdf_available(), "district": data is not None,
                  "data": data.name if data else "", "max_upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024)})


async def api_check(request: Request) -> Response:
    """POST /api/check: the JSON of `reportgen check --json` for the uploaded file."""
    from .audit import check_summary
    from .pipeline import check

    async with received(request) as (upload, _):
        return await answer(upload, lambda: (200, check_summary(upload.shown, check(upload.load()))))


async def api_preview(request: Request) -> Response:
    """POST /api/preview (the page's): the check's JSON and, without errors, the report as HTML."""
    from .audit import check_summary

    async with received(request) as (upload, form):
        pack = chosen_pack(form)

        def work() -> tuple[int, dict[str, Any]]:
            result, outputs = _build(upload, ("html",), pack)
            body = check_summary(upload.shown, result.findings)
            body["html"] = outputs[0].read_text(encoding="utf-8") if outputs else None
            return 200, body

        return await answer(upload, work)


async def api_build(request: Request) -> Response:
    """POST /api/build: a zip of the documents (or, with zip=0 and one format, the document), or
    422 with the findings when the data has errors."""
    from .audit import check_summary
    from .pipeline import parse_formats

    async with received(request) as (upload, form):
        pack = chosen_pack(form)
        single = str(form.get("zip") or "1") == "0"

        def work() -> Response | tuple[int, dict[str, Any]]:
            formats = parse_formats(str(form.get("format") or "docx,html"))
            if single and len(formats) != 1:
                raise UserError("zip=0 时只能选一种格式")
            result, outputs = _build(upload, formats, pack)
            if result.failed:
                return 422, check_summary(upload.shown, result.findings)
            if single:
                return attachment(outputs[0].read_bytes(), outputs[0].name, MEDIA_TYPES[outputs[0].suffix])
            return attachment(zip_files(outputs), outputs[0].stem + ".zip", MEDIA_TYPES[".zip"])

        return await answer(upload, work)


def _build(upload: Upload, formats: tuple[str, ...], pack: Any) -> tuple[Any, list[Path]]:
    from .pipeline import build

    result = build(upload.supported(), upload.folder / "out", formats, pack)
    return result, result.outputs


MAX_JOBS = 8  # finished district reports kept for download (each a few MB at most)


async def api_units(request: Request) -> Response:
    data = _data(request)
    return _json({"folder": data.name, "units": await run_in_threadpool(unit_rows, data)})


async def api_district(request: Request) -> Response:
    """POST /api/district (organ, year, format, template, skip_invalid): start merging and building;
    the answer names the job to poll at GET /api/district/{job}."""
    from .pipeline import parse_formats

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
                    exception_handlers={HTTPException: http_error})
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
        if os.name == "posix":  # restart at once after Ctrl+C; on Windows it would share a port in use
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
