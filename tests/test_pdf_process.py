"""LibreOffice as a process: warm per batch worker, killed with its children, nothing left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from reportgen.app.pipeline import save
from reportgen.app.synthetic import unit_report
from reportgen.errors import UserError
from reportgen.render.pdf import docx_to_pdf, find_soffice, warm_office
from reportgen.resources import sample_workbook

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(find_soffice() is None, reason="needs LibreOffice"),
]


def processes_mentioning(text: str) -> list[str]:
    """Command lines of running processes that contain `text` (our private temp folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            if text in cmd:
                found.append(cmd)
    return found


def children_of(pid: int) -> set[int]:
    kids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    kids.add(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return kids


def cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def units(folder: Path, n: int) -> Path:
    folder.mkdir()
    for i in range(n):
        save(unit_report(i, organ=f"第{i:02d}测试单位"), folder / f"u{i:02d}.json")
    return folder


def env_with_tmp(tmp: Path) -> dict[str, str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8", NO_COLOR="1", TMPDIR=str(tmp))
    env.pop("SOURCE_DATE_EPOCH", None)
    return env


def wait_for(condition, seconds: float = 120) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def assert_nothing_left(tmp: Path, out: Path) -> None:
    assert wait_for(lambda: not processes_mentioning(str(tmp)), 15), processes_mentioning(str(tmp))
    assert not [p.name for p in tmp.iterdir() if p.name.startswith("reportgen-soffice-")]
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")] if out.exists() else True


def sigterm_once(proc: subprocess.Popen[str], condition, never: str) -> str:
    """SIGTERM to `proc` as soon as `condition()` holds; its stderr once it has exited."""
    try:
        assert wait_for(condition), never
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    return err


@pytest.mark.parametrize("count", [1, 6])
def test_sigterm_during_pdf_leaves_no_process_or_folder(tmp_path, count):
    """SIGTERM to a single build and to a batch, while LibreOffice converts: exit 130, and no
    worker, soffice, soffice.bin, temp folder or hidden staging folder remains."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "out"
    source = units(tmp_path / "units", count)
    args = [str(source / "u00.json")] if count == 1 else [str(source), "-j", "2"]
    proc = subprocess.Popen([sys.executable, "-m", "reportgen.cli", "build", *args, "-o", str(out),
                             "--format", "docx,pdf"], env=env_with_tmp(tmp), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8")
    workers: set[int] = set()

    def started() -> bool:
        workers.update(children_of(proc.pid))
        return any("soffice" in c for c in processes_mentioning(str(tmp)))

    err = sigterm_once(proc, started, "soffice never started")
    assert proc.returncode == 130, err
    assert "已取消" in err
    assert wait_for(lambda: not [pid for pid in workers if alive(pid)], 15), [cmdline(p) for p in workers]
    assert_nothing_left(tmp, out)


def test_batch_with_pdf_shares_one_soffice_per_worker(tmp_path):
    """A batch converts through warm soffices: every PDF has its own unit's text, and afterwards
    nothing is left running."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "out"
    source = units(tmp_path / "units", 4)
    done = subprocess.run([sys.executable, "-m", "reportgen.cli", "build", str(source), "-o", str(out),
                           "--format", "pdf", "-j", "2"], env=env_with_tmp(tmp), capture_output=True,
                          text=True, encoding="utf-8", timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == 4
    for i, pdf in enumerate(pdfs):
        text = PdfReader(pdf).pages[0].extract_text()
        assert f"第{i:02d}测试单位" in text.replace(" ", "").replace("\n", "")
    assert_nothing_left(tmp, out)


def test_a_hung_conversion_is_killed_with_its_children_and_the_next_one_works(tmp_path, monkeypatch):
    """The timeout stops soffice (wrapper and soffice.bin) and removes its folder; a warm soffice
    is started afresh for the next document."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    built = tmp_path / "built"
    subprocess.run([sys.executable, "-m", "reportgen.cli", "build", str(sample_workbook()), "-o", str(built),
                    "--format", "docx"], check=True, capture_output=True)
    docx = next(built.glob("*.docx"))
    with pytest.raises(UserError, match="超过"):
        docx_to_pdf(docx, tmp_path / "fresh.pdf", timeout=0.3)  # a fresh soffice cannot start this fast
    assert_nothing_left(tmp, built)
    with warm_office() as warm:
        assert warm
        with pytest.raises(UserError, match="超过"):
            docx_to_pdf(docx, tmp_path / "warm.pdf", timeout=0.3)
        assert not processes_mentioning(str(tmp))
        docx_to_pdf(docx, tmp_path / "warm.pdf")
        assert "临沂市兰山区人民政府" in PdfReader(tmp_path / "warm.pdf").pages[0].extract_text().replace(" ", "")
    assert_nothing_left(tmp, built)


def test_pdf_is_byte_identical_across_rebuilds_and_time_zones(tmp_path):
    """With SOURCE_DATE_EPOCH the PDF carries that time (UTC) and an ID made from its content."""
    outputs = []
    for zone in ("Asia/Shanghai", "America/New_York"):
        out = tmp_path / zone.replace("/", "-")
        env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000", TZ=zone)
        subprocess.run([sys.executable, "-m", "reportgen.cli", "build", str(sample_workbook()), "-o", str(out),
                        "--format", "pdf"], check=True, capture_output=True, env=env, timeout=300)
        outputs.append(next(out.glob("*.pdf")).read_bytes())
    assert outputs[0] == outputs[1]
    reader = PdfReader(tmp_path / "Asia-Shanghai" / next((tmp_path / "Asia-Shanghai").glob("*.pdf")).name)
    assert reader.metadata["/CreationDate"] == "D:20231114221320Z"
    assert b"/ID [" in outputs[0] and len(reader.pages) > 5


def tree_digest(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_prepared_profile_made_once_and_each_soffice_starts_on_its_own_copy(tmp_path):
    """Two batches at once with an empty cache: both convert, one profile is prepared (the second
    process waits for the first), it records the version so the graphics self-test is skipped, and
    no soffice ever runs on it: its files are the same after more conversions."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    cache = tmp_path / "cache"
    source = units(tmp_path / "units", 3)
    env = env_with_tmp(tmp) | {"REPORTGEN_CACHE_DIR": str(cache)}

    def batch(out: Path) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "reportgen.cli", "build", str(source), "-o", str(out),
                                 "--format", "pdf", "-j", "2"], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, encoding="utf-8")

    first, second = batch(tmp_path / "a"), batch(tmp_path / "b")
    seen_on_cache: list[str] = []
    while first.poll() is None or second.poll() is None:
        seen_on_cache += [c for c in processes_mentioning(str(cache)) if "soffice.bin" in c]
        time.sleep(0.2)
    for proc in (first, second):
        out, err = proc.communicate()
        assert proc.returncode == 0, out + err
    for out in (tmp_path / "a", tmp_path / "b"):
        pdfs = sorted(out.glob("*.pdf"))
        assert len(pdfs) == 3
        assert "第02测试单位" in PdfReader(pdfs[2]).pages[0].extract_text().replace(" ", "").replace("\n", "")
    prepared = [p for p in (cache / "soffice-profile").iterdir()]
    assert len(prepared) == 1 and not prepared[0].name.startswith(".")  # no preparation folder left
    registry = (prepared[0] / "user" / "registrymodifications.xcu").read_text(encoding="utf-8")
    assert "ooSetupLastVersion" in registry
    assert not (prepared[0] / "user" / "GraphicsRenderTests.log").exists()
    # only the preparing soffice (--terminate_after_init) ever ran in the cache folder
    assert all("--terminate_after_init" in c for c in seen_on_cache), seen_on_cache
    before = tree_digest(prepared[0])
    done = subprocess.run([sys.executable, "-m", "reportgen.cli", "build", str(source / "u00.json"), "-o",
                           str(tmp_path / "c"), "--format", "pdf"], env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert tree_digest(prepared[0]) == before
    assert_nothing_left(tmp, tmp_path / "a")


def sample_docx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: Path) -> Path:
    """The sample's DOCX, with this process's LibreOffice profile cache at `cache` (nothing remembered)."""
    from reportgen.render import officeprofile

    monkeypatch.setenv("REPORTGEN_CACHE_DIR", str(cache))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setattr(officeprofile, "_known", {})
    built = tmp_path / "built"
    subprocess.run([sys.executable, "-m", "reportgen.cli", "build", str(sample_workbook()), "-o", str(built),
                    "--format", "docx"], check=True, capture_output=True)
    return next(built.glob("*.docx"))


def test_a_soffice_on_the_prepared_profile_skips_the_graphics_self_test(tmp_path, monkeypatch):
    """The copy a warm soffice starts on records this version as the last one started, so
    LibreOffice does not run GraphicsRenderTests (a third of a new soffice's CPU) on it."""
    from reportgen.render import pdf

    docx = sample_docx(tmp_path, monkeypatch, tmp_path / "cache")
    with warm_office() as warm:
        assert warm
        office = pdf._WARM.office
        docx_to_pdf(docx, tmp_path / "warm.pdf")
        assert office is not None and office.folder is not None
        user = office.folder / "profile" / "user"
        assert (user / "registrymodifications.xcu").is_file()
        assert not (user / "GraphicsRenderTests.log").exists()
    assert "临沂市兰山区人民政府" in PdfReader(tmp_path / "warm.pdf").pages[0].extract_text().replace(" ", "")


def test_without_a_usable_cache_soffice_starts_on_a_new_profile(tmp_path, monkeypatch):
    """A cache folder that cannot be made (a file in its place) only costs speed."""
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder", encoding="utf-8")
    docx = sample_docx(tmp_path, monkeypatch, blocker)
    docx_to_pdf(docx, tmp_path / "fresh.pdf")
    assert "临沂市兰山区人民政府" in PdfReader(tmp_path / "fresh.pdf").pages[0].extract_text().replace(" ", "")
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_sigterm_while_preparing_the_profile_leaves_nothing(tmp_path):
    """SIGTERM while the profile is being prepared: exit 130, the preparing soffice is killed and
    its folder in the cache removed."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    cache = tmp_path / "cache"
    env = env_with_tmp(tmp) | {"REPORTGEN_CACHE_DIR": str(cache)}
    proc = subprocess.Popen([sys.executable, "-m", "reportgen.cli", "build", str(sample_workbook()), "-o",
                             str(tmp_path / "out"), "--format", "pdf"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8")
    err = sigterm_once(proc, lambda: any("--terminate_after_init" in c for c in processes_mentioning(str(cache))),
                       "the profile was never prepared")
    assert proc.returncode == 130, err
    assert wait_for(lambda: not processes_mentioning(str(cache)), 15), processes_mentioning(str(cache))
    assert not [p.name for p in (cache / "soffice-profile").iterdir() if p.name.startswith(".prepare-")]
    assert_nothing_left(tmp, tmp_path / "out")


KILLED_WORKER = """
import os, signal, subprocess, sys, time
from pathlib import Path
from reportgen.render.pdf import find_soffice
from reportgen.render.soffice import BRIDGE, new_session_kwargs, uno_python
soffice, folder = find_soffice(), Path(sys.argv[2])
command = [soffice, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--invisible",
           "--norestore", "--nologo", "--nodefault", "--nolockcheck", "--accept=pipe,name=killed_worker;urp;"]
# started as WarmOffice starts it: the bridge in a session of its own, soffice its child
bridge = subprocess.Popen([uno_python(soffice), str(BRIDGE), "killed_worker", "90", *command],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, **new_session_kwargs())
if sys.argv[1] == "running":
    assert b"ready" in bridge.stdout.readline()
else:
    time.sleep(0.3)  # soffice still starting
print("started", flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # no finally, no close(): as the OOM killer or kill -9 would
"""


@pytest.mark.parametrize("when", ["starting", "running"])
def test_a_worker_killed_outright_leaves_no_soffice(tmp_path, when):
    """A batch worker SIGKILLed (nothing of it runs after) while its soffice is still starting, or
    once it runs: the bridge sees its parent gone and stops the whole soffice tree. soffice.bin
    used to stay when the worker died during the start (only soffice's wrapper was killed)."""
    from reportgen.render.soffice import uno_python

    if uno_python(find_soffice()) is None:
        pytest.skip("needs a Python with LibreOffice's uno module")
    folder = tmp_path / "office"
    folder.mkdir()
    done = subprocess.run([sys.executable, "-c", KILLED_WORKER, when, str(folder)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL and "started" in done.stdout, done.stderr
    assert wait_for(lambda: not processes_mentioning(str(folder)), 30), processes_mentioning(str(folder))


def test_a_second_sigterm_does_not_cut_short_the_cleanup_of_the_first():
    """A batch worker hears SIGTERM twice (from the batch stopping it, then from the kernel as
    the batch exits): the first unwinds as Ctrl-C, the second must not interrupt that unwinding."""
    code = (
        "import os, signal, time\n"
        "from reportgen.render.soffice import interrupt_once\n"
        "signal.signal(signal.SIGTERM, interrupt_once)\n"
        "try:\n"
        "    os.kill(os.getpid(), signal.SIGTERM); time.sleep(5)\n"
        "except KeyboardInterrupt:\n"
        "    os.kill(os.getpid(), signal.SIGTERM); time.sleep(0.3)  # the cleanup, interrupted again?\n"
        "    print('cleaned up')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "cleaned up", done.stderr


def test_a_warm_soffice_interrupted_while_stopping_leaves_nothing(tmp_path, monkeypatch):
    """Ctrl-C (or a second SIGTERM) while a warm soffice is being stopped: it is killed all the
    same and its folder removed."""
    from reportgen.render import pdf

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)

    class Interrupted:
        def join(self, timeout: float | None = None) -> None:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), warm_office() as warm:
        assert warm
        office = pdf._WARM.office
        assert wait_for(lambda: processes_mentioning(str(tmp)), 60)  # soffice is starting
        office.pump = Interrupted()  # the stopping is interrupted where it waits longest
        office.close()
    assert_nothing_left(tmp, tmp_path)
