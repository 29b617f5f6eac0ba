"""LibreOffice processes that never outlive us: fresh or warm soffice, killed with all its children.

A fresh soffice per document costs about 1.4 s, most of it starting up. A batch worker instead
keeps one soffice running (`WarmOffice`), with its own profile in its own temp folder, and hands
it documents through a small UNO bridge (uno_bridge.py) run by a Python that can `import uno`.
Whatever happens — a hang past the timeout, a crash, Ctrl-C, SIGTERM — the whole process group
(soffice's shell wrapper, oosplash and soffice.bin, the bridge) is killed and the folder removed.
Where no UNO-capable Python exists, each document gets a fresh soffice as before.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

TEMP_PREFIX = "reportgen-soffice-"
START_SECONDS = 90.0  # a first start on a cold disk, fonts being cached
BRIDGE = Path(__file__).resolve().parent / "uno_bridge.py"


def new_session_kwargs() -> dict[str, Any]:
    """Popen arguments that put the child in a group of its own, so `kill_tree` reaches all of it."""
    if os.name == "nt":
        return {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}
    return {"start_new_session": True}


def kill_group(pid: int) -> None:
    """Kill the process group led by `pid` (started with `new_session_kwargs`), or on Windows its tree."""
    if os.name == "nt":
        subprocess.run(["taskkill", "/T", "/F", "/PID", str(pid)], capture_output=True, check=False)
    else:
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)


def kill_tree(proc: subprocess.Popen[Any]) -> None:
    """Kill `proc` and every process it started (soffice's wrapper forks soffice.bin), then reap it."""
    kill_group(proc.pid)
    with suppress(OSError, subprocess.TimeoutExpired):
        proc.kill()
        proc.wait(timeout=10)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            with suppress(OSError, ValueError):
                stream.close()


def interrupt_once(signum: int, frame: Any) -> None:
    """SIGTERM as KeyboardInterrupt, once: later ones are ignored, so that they cannot cut short
    the cleanup the first one started (a batch worker gets two: one from the batch stopping it,
    one from the kernel as the batch exits)."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block SIGTERM raises KeyboardInterrupt, so `finally` clauses (temp folders,
    staging folders, child processes) run as they do for Ctrl-C instead of the process vanishing."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous not in (signal.SIG_DFL, None):  # someone (an outer block) already handles it
        yield
        return

    signal.signal(signal.SIGTERM, interrupt_once)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def soffice_env(home: Path, fonts_conf: Path) -> dict[str, str]:
    env = dict(os.environ)
    if fonts_conf.is_file():
        env["FONTCONFIG_FILE"] = str(fonts_conf)
    env["HOME"] = str(home)  # soffice writes caches under $HOME even with its own profile
    return env


def copy_profile(prepared: Path | None, profile: Path) -> None:
    """Give one soffice its own copy of the prepared profile (officeprofile.py) at `profile`;
    without one, or when it vanished meanwhile, soffice makes a new profile there itself."""
    if prepared is None:
        return
    try:
        shutil.copytree(prepared, profile, symlinks=True)
    except OSError:
        shutil.rmtree(profile, ignore_errors=True)


_UNO_PYTHON: dict[str, str | None] = {}


def uno_python(soffice: str) -> str | None:
    """A Python that can `import uno`: LibreOffice's own (Windows, macOS), else the system's."""
    if soffice in _UNO_PYTHON:
        return _UNO_PYTHON[soffice]
    program = Path(os.path.realpath(soffice)).parent
    candidates = [program / "python.exe", program / "python", program.parent / "Resources" / "python",
                  Path("/usr/bin/python3"), Path(sys.executable)]
    found = None
    for candidate in candidates:
        if not candidate.is_file():
            continue
        try:
            probe = subprocess.run([str(candidate), "-c", "import uno"], capture_output=True, timeout=20,
                                   stdin=subprocess.DEVNULL, check=False)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            found = str(candidate)
            break
    _UNO_PYTHON[soffice] = found
    return found


class OfficeFailed(Exception):
    """The warm soffice could not convert a document (its message is LibreOffice's)."""


class OfficeTimeout(Exception):
    """The warm soffice did not answer in time; it has been killed."""


class WarmOffice:
    """One soffice kept running for many conversions; restarted after a crash or a hang.

    `on_start(pid, folder)` is told about each new soffice, so a parent process can clean up
    after a worker that died without running its own `close()`.
    """

    def __init__(self, soffice: str, python: str, fonts_conf: Path, on_start: Any = None,
                 prepared: Path | None = None) -> None:
        self.soffice, self.python, self.fonts_conf = soffice, python, fonts_conf
        self.on_start, self.prepared = on_start, prepared
        self.folder: Path | None = None
        self.bridge: subprocess.Popen[str] | None = None
        self.ready = False
        self.answers: queue.Queue[str | None] = queue.Queue()
        self.pump: threading.Thread | None = None

    def convert(self, docx: Path, pdf: Path, timeout: float) -> None:
        """Convert `docx` to `pdf`; one retry on a fresh soffice if the running one has died."""
        for attempt in (1, 2):
            try:
                self._await_ready()
                self._request(docx, pdf, timeout)
                return
            except BrokenPipeError:  # soffice or the bridge had died since the last document
                self.close()
                if attempt == 2:
                    raise OfficeFailed("LibreOffice 意外退出") from None

    def launch(self) -> None:
        """Start soffice without waiting for it: it gets ready while the caller builds the first DOCX."""
        if self.bridge is not None:
            return
        self.folder = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
        pipe_name = f"reportgen_{uuid.uuid4().hex}"
        profile = self.folder / "profile"
        copy_profile(self.prepared, profile)
        command = [self.soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible",
                   "--norestore", "--nologo", "--nodefault", "--nolockcheck", f"--accept=pipe,name={pipe_name};urp;"]
        try:
            # The bridge starts soffice itself: soffice is then in the bridge's new process group,
            # and one kill of that group (or of that tree on Windows) stops everything.
            self.bridge = subprocess.Popen(
                [self.python, str(BRIDGE), pipe_name, str(START_SECONDS), *command],
                env=soffice_env(self.folder, self.fonts_conf), cwd=self.folder, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, encoding="utf-8",
                **new_session_kwargs(),
            )
            if self.on_start:
                self.on_start(self.bridge.pid, str(self.folder))
        except BaseException:
            self.close()
            raise
        self.ready = False
        self.answers = queue.Queue()
        stdout = self.bridge.stdout
        assert stdout is not None
        self.pump = threading.Thread(target=_pump, args=(stdout, self.answers), daemon=True)
        self.pump.start()

    def _await_ready(self) -> None:
        self.launch()
        if self.ready:
            return
        if not self._answer(START_SECONDS).get("ready"):
            self.close()
            raise OfficeFailed("LibreOffice 未能启动")
        self.ready = True

    def _request(self, docx: Path, pdf: Path, timeout: float) -> None:
        assert self.bridge is not None and self.bridge.stdin is not None
        try:
            self.bridge.stdin.write(json.dumps({"src": str(docx.resolve()), "dst": str(pdf.resolve())}) + "\n")
            self.bridge.stdin.flush()
        except (OSError, ValueError) as e:
            raise BrokenPipeError from e
        answer = self._answer(timeout)
        if not answer.get("ok"):
            raise OfficeFailed(str(answer.get("error") or "转换失败"))

    def _answer(self, timeout: float) -> dict[str, Any]:
        try:
            line = self.answers.get(timeout=timeout)
        except queue.Empty:
            self.close()
            raise OfficeTimeout from None
        except BaseException:  # Ctrl-C or SIGTERM while waiting: leave nothing behind
            self.close()
            raise
        if line is None:
            raise BrokenPipeError
        return dict(json.loads(line))

    def close(self) -> None:
        """Stop the bridge and its soffice (killing the whole group) and remove the temp folder."""
        bridge, folder = self.bridge, self.folder
        self.bridge, self.folder, self.ready = None, None, False
        stopped = bridge is None
        try:
            if bridge is not None:
                with suppress(OSError, ValueError):
                    assert bridge.stdin is not None
                    bridge.stdin.close()
                if self.pump is not None:  # let it see the end of the killed bridge's output first
                    bridge.kill()
                    self.pump.join(timeout=5)
                kill_tree(bridge)
                stopped = True
        finally:  # also when a Ctrl-C cuts the stopping short: nothing running, no folder left
            if not stopped and bridge is not None:
                kill_tree(bridge)
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)


def _pump(stream: IO[str], answers: queue.Queue[str | None]) -> None:
    """Move the bridge's answers to a queue, so waiting for one can time out (on Windows too)."""
    with suppress(OSError, ValueError):
        for line in stream:
            answers.put(line)
    answers.put(None)
