"""Many inputs at once: expand files, folders and globs, build in parallel, keep going past failures."""

from __future__ import annotations

import glob
import os
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ReportgenError, UserError
from ..findings import ERROR, WARNING, Finding
from ..read import PUBLISHED_SUFFIXES, WORKBOOK_SUFFIXES

# what a folder of units holds: workbooks and JSON documents (published reports only on request)
INPUT_SUFFIXES = (*sorted(WORKBOOK_SUFFIXES), ".json")


def expand_inputs(items: list[str] | list[Path] | tuple[str | Path, ...], *, published: bool = False) -> list[Path]:
    """Files as given; folders → their workbooks and JSON documents (with `published`, also the
    published reports: web pages, Word files, PDFs); globs expanded here (Windows' shell does
    not). Excel's lock files (~$名称.xlsx) found in a folder are skipped."""
    suffixes = set(INPUT_SUFFIXES) | (PUBLISHED_SUFFIXES - {".txt"} if published else set())
    out: list[Path] = []
    for item in items:
        text = str(item)
        path = Path(text)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in suffixes and p.is_file())
            found = [p for p in found if not p.name.startswith(("~$", ".~"))]
            if not found:
                raise UserError("文件夹中没有找到可处理的工作簿（.xlsx）或JSON文件", file=text)
        elif any(ch in text for ch in "*?[") and not path.exists():
            # glob.glob takes absolute patterns too (D:\\各单位\\*.xlsx), Path.glob does not
            found = sorted(Path(p) for p in glob.glob(text, recursive=True))  # noqa: PTH207
            found = [p for p in found if not p.name.startswith(("~$", ".~"))]
            if not found:
                raise UserError(f"没有与“{text}”匹配的文件")
        else:
            found = [path]  # named explicitly: even a lock file gets its own explanation
        out += found
    unique = list(dict.fromkeys(out))
    if not unique:
        named = "、".join(str(i) for i in items) or "（未指定）"
        raise UserError("没有找到可处理的工作簿（.xlsx）或JSON文件", file=named)
    return unique


@dataclass
class UnitResult:
    """What became of one input of a batch: its outputs, findings, or why it failed."""

    source: Path
    outputs: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    error: str = ""  # why the unit could not be read or rendered at all

    @property
    def ok(self) -> bool:
        return not self.error and not any(f.severity == ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)

    def reason(self) -> str:
        if self.error:
            return self.error
        errors = [str(f) for f in self.findings if f.severity == ERROR]
        more = f"（另有{len(errors) - 3}个错误）" if len(errors) > 3 else ""
        return "；".join(errors[:3]) + more


def build_one(source: Path, outdir: Path, formats: tuple[str, ...], pack_ref: str | None,
              templates_dir: Path | None) -> UnitResult:
    """Build one unit; every failure is captured in the result (this runs in a worker process)."""
    from ..render.packs import find_pack
    from .pipeline import build

    try:
        result = build(source, outdir, formats, find_pack(pack_ref, templates_dir) if pack_ref else None)
    except ReportgenError as e:
        return UnitResult(source, error=str(e))
    except Exception as e:  # noqa: BLE001 - one broken unit must not stop a province's batch
        return UnitResult(source, error=f"内部错误（{type(e).__name__}：{e}）")
    # Notes (blank cells read as 0 …) are not shown in the summary: a province's batch keeps
    # only what it shows, so the parent's memory stays small however many units there are.
    return UnitResult(source, result.outputs, [f for f in result.findings if f.severity in (ERROR, WARNING)])


CHUNK_MAX = 16  # units handed to a worker at a time: small enough to balance, big enough to be cheap
FDS_PER_WORKER = 8  # pipe ends and sentinel in the parent, with room for a worker's soffice pipes
FDS_RESERVED = 32  # the parent's own files: the terminal, Python's imports, the inputs it expands


def plan_jobs(requested: int | None, units: int) -> int:
    """How many worker processes: no more than the cores (more only thrash), the units, and
    what the open-files limit allows (`-j 120` under `ulimit -n 64` must not run out of them)."""
    cores = os.cpu_count() or 1
    jobs = min(requested or cores, cores, units)
    return max(1, min(jobs, _fd_budget() // FDS_PER_WORKER))


def _fd_budget() -> int:
    try:
        import resource
    except ImportError:  # Windows: handles, not a small descriptor table
        return 1 << 16
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 1 << 16
    return max(0, soft - FDS_RESERVED)


def build_many(sources: list[Path], outdir: Path, formats: tuple[str, ...], pack_ref: str | None,
               templates_dir: Path | None, *, jobs: int | None = None,
               progress: Callable[[UnitResult], None] | None = None) -> list[UnitResult]:
    """Build every source across the machine's cores; the results in the order given.

    Workers take small chunks of units as they become free; each keeps its compiled templates
    and, for PDF, one running LibreOffice. A unit that kills its worker (a reader aborting the
    process) fails alone: its worker is replaced and the rest of the chunk goes on. SIGTERM is
    handled like Ctrl-C: workers, their LibreOffice and all temp and staging folders are removed.
    """
    from ..render.soffice import sigterm_as_interrupt

    results: list[UnitResult | None] = [None] * len(sources)

    def record(index: int, result: UnitResult) -> None:
        results[index] = result
        if progress:
            progress(result)

    workers = plan_jobs(jobs, len(sources))
    with sigterm_as_interrupt():
        if workers > 1:
            try:
                _Pool(workers, (outdir, formats, pack_ref, templates_dir)).run(sources, record)
            except _CannotStart:
                pass  # build what is left here, one by one
        left = [i for i, r in enumerate(results) if r is None]
        _build_here([sources[i] for i in left], outdir, formats, pack_ref, templates_dir,
                    lambda k, result: record(left[k], result))
    done = [r for r in results if r is not None]
    _flag_collisions(done)
    return done


def _build_here(sources: list[Path], outdir: Path, formats: tuple[str, ...], pack_ref: str | None,
                templates_dir: Path | None, record: Callable[[int, UnitResult], None]) -> None:
    from contextlib import nullcontext

    from ..render.pdf import warm_office

    with warm_office() if "pdf" in formats and len(sources) > 1 else nullcontext():
        for index, source in enumerate(sources):
            record(index, build_one(source, outdir, formats, pack_ref, templates_dir))


def _worker(conn: Any, outdir: Path, formats: tuple[str, ...], pack_ref: str | None,
            templates_dir: Path | None) -> None:
    """A worker process: build the chunks it is sent, one result message per unit."""
    import signal
    from contextlib import nullcontext

    from ..render.pdf import warm_office
    from ..render.soffice import interrupt_once

    _die_with_parent()
    # SIGTERM unwinds through build()'s cleanup of its staging folder and the soffice's
    signal.signal(signal.SIGTERM, interrupt_once)
    conn.send(("ready",))
    office = warm_office(on_start=lambda pid, folder: conn.send(("office", pid, folder)))
    try:
        with office if "pdf" in formats else nullcontext():
            while (chunk := conn.recv()) is not None:
                for index, source in chunk:
                    conn.send(("result", index, build_one(source, outdir, formats, pack_ref, templates_dir)))
                conn.send(("idle",))
    except (KeyboardInterrupt, EOFError, BrokenPipeError):
        pass  # stopped by the parent, or the parent is gone: the with-block has cleaned up


def _die_with_parent() -> None:
    """On Linux, have the kernel send SIGTERM to this worker if the batch process dies."""
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return


class _CannotStart(Exception):
    """No worker process could start at all."""


class _Pool:
    """Worker processes fed chunk by chunk; replaced when one dies; all gone when `run` returns."""

    def __init__(self, size: int, args: tuple[Any, ...]) -> None:
        import multiprocessing

        # spawn everywhere: the same behaviour as on Windows, and no fork of a threaded parent
        self.context = multiprocessing.get_context("spawn")
        self.size, self.args = size, args
        self.workers: list[_Worker] = []
        self.started, self.failed_starts = False, 0

    def run(self, sources: list[Path], record: Callable[[int, UnitResult], None]) -> None:
        from multiprocessing.connection import wait

        pending = list(enumerate(sources))
        per_chunk = max(1, min(CHUNK_MAX, len(sources) // (self.size * 4)))
        chunks = [pending[i:i + per_chunk] for i in range(0, len(pending), per_chunk)]
        chunks.reverse()  # popped from the end
        try:
            self._grow(min(self.size, len(chunks)))
            for w in self.workers:
                self._feed(w, chunks)
            while any(w.busy for w in self.workers):
                ready = wait([w.conn for w in self.workers if w.busy] + [w.process.sentinel for w in self.workers])
                for w in list(self.workers):
                    if w.conn in ready or w.process.sentinel in ready:
                        self._serve(w, chunks, record)
        except BaseException:
            self._stop(graceful=False)
            raise
        self._stop(graceful=True)

    def _grow(self, count: int) -> None:
        from ..errors import UserError

        while len(self.workers) < count:
            try:
                self.workers.append(_Worker(self.context, self.args))
            except OSError as e:  # out of file descriptors or processes
                if self.workers:
                    return  # go on with the workers there are
                raise UserError(f"无法启动生成报告的进程（{e.strerror or e}）",
                                hint="请减小 -j，或提高系统允许打开的文件数（ulimit -n）") from e

    def _feed(self, w: _Worker, chunks: list[list[tuple[int, Path]]]) -> None:
        if chunks and not w.busy:
            w.outstanding = chunks.pop()
            w.busy = True  # until the worker says it is idle (its results may all be in before)
            w.conn.send(w.outstanding)

    def _serve(self, w: _Worker, chunks: list[list[tuple[int, Path]]],
               record: Callable[[int, UnitResult], None]) -> None:
        while True:
            try:
                if not w.conn.poll():
                    break
                message = w.conn.recv()
            except (EOFError, OSError):
                break
            if message[0] == "result":
                w.outstanding = [u for u in w.outstanding if u[0] != message[1]]
                record(message[1], message[2])
            elif message[0] == "ready":
                w.ready = self.started = True
            elif message[0] == "office":
                w.offices.append((message[1], message[2]))
            elif message[0] == "idle":
                w.outstanding, w.busy = [], False
                self._feed(w, chunks)
        if w.process.is_alive():
            return
        # The worker died (a reader aborted the process, the OOM killer …): the unit it was on
        # fails alone, the rest of its chunk goes back to the queue, a new worker takes over.
        w.process.join()
        self.workers.remove(w)
        w.cleanup()
        if not w.ready:  # it never started (no memory, a main module spawn cannot import): not the unit's fault
            self.failed_starts += 1
            if w.outstanding:
                chunks.append(w.outstanding)
            if not self.started and self.failed_starts >= 3:
                raise _CannotStart
        elif w.outstanding:
            (index, source), *rest = w.outstanding
            record(index, UnitResult(source, error=_died(w.process.exitcode)))
            if rest:
                chunks.append(rest)
        if chunks:
            self._grow(len(self.workers) + 1)
            self._feed(self.workers[-1], chunks)

    def _stop(self, *, graceful: bool) -> None:
        for w in self.workers:
            with suppress(OSError, ValueError):
                if graceful:
                    w.conn.send(None)
                else:
                    w.process.terminate()  # SIGTERM: the worker removes its staging folder and soffice
        for w in self.workers:
            w.process.join(timeout=15)
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            if w.process.exitcode != 0 or not graceful:
                w.cleanup()
            w.conn.close()
        self.workers = []


class _Worker:
    def __init__(self, context: Any, args: tuple[Any, ...]) -> None:
        self.conn, child = context.Pipe()
        try:
            self.process = context.Process(target=_worker, args=(child, *args), daemon=True)
            self.process.start()
        except BaseException:
            self.conn.close()
            raise
        finally:
            child.close()
        self.outstanding: list[tuple[int, Path]] = []  # sent, no result yet
        self.busy = self.ready = False
        self.offices: list[tuple[int, str]] = []

    def cleanup(self) -> None:
        """What a worker that could not clean up leaves: its soffice (a process group) and folder."""
        import shutil

        from ..render.soffice import kill_group

        for pid, folder in self.offices:
            kill_group(pid)
            shutil.rmtree(folder, ignore_errors=True)
        self.offices = []


def _died(exitcode: int | None) -> str:
    import signal

    how = f"退出码 {exitcode}"
    if exitcode is not None and exitcode < 0:
        with suppress(ValueError):
            how = f"信号 {signal.Signals(-exitcode).name}"
    return (f"处理该文件时进程异常终止（{how}），已跳过；其他单位不受影响。"
            "文件可能已损坏或过大，请用 Excel 或 WPS 打开检查后另存")


def _flag_collisions(results: list[UnitResult]) -> None:
    """Two units with the same organ and year write the same file: the later one is a failure."""
    owner: dict[Path, Path] = {}
    for r in results:
        for out in r.outputs:
            if out in owner:
                r.error = f"输出文件与{owner[out].name}重名（机关名称和年度相同），已被覆盖，请检查“基本信息”"
            else:
                owner[out] = r.source
