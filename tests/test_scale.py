"""Province scale: compiled templates cached per user, batches that survive a dying unit and a low -j budget."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from reportgen.app.batch import build_many, plan_jobs
from reportgen.app.pipeline import save
from reportgen.app.synthetic import unit_report
from reportgen.resources import sample_workbook, templates_dir


def cli(*args: str | Path, env: dict[str, str] | None = None, limit_files: int | None = None
        ) -> subprocess.CompletedProcess[str]:
    def lower_limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_NOFILE, (limit_files, limit_files))

    return subprocess.run([sys.executable, "-m", "reportgen.cli", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", timeout=300, env=dict(os.environ, NO_COLOR="1", **(env or {})),
                          preexec_fn=lower_limit if limit_files else None)


def units(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True)
    for i in range(n):
        save(unit_report(i, organ=f"第{i:02d}单位"), folder / f"u{i:02d}.json")
    return folder


def test_compiled_templates_are_cached_per_user_and_give_the_same_report(tmp_path):
    cache = tmp_path / "cache"
    env = {"REPORTGEN_CACHE_DIR": str(cache)}
    first = cli("build", sample_workbook(), "-o", tmp_path / "a", "--format", "docx,html", env=env)
    assert first.returncode == 0, first.stderr
    entries = sorted((cache / "jinja").iterdir())
    assert len(entries) >= 4  # sentences, the HTML page and its parts, the DOCX's XML
    assert stat.S_IMODE((cache / "jinja").stat().st_mode) == 0o700  # code that will run: private
    second = cli("build", sample_workbook(), "-o", tmp_path / "b", "--format", "docx,html", env=env)
    assert second.returncode == 0, second.stderr
    assert sorted((cache / "jinja").iterdir()) == entries  # nothing compiled again
    for a in (tmp_path / "a").iterdir():
        assert (tmp_path / "b" / a.name).read_bytes() == a.read_bytes()


def test_an_edited_template_is_never_served_from_the_cache(tmp_path):
    """The key is the template's text: a pack edited between two runs renders its new text."""
    env = {"REPORTGEN_CACHE_DIR": str(tmp_path / "cache")}
    pack = tmp_path / "packs" / "本市"
    shutil.copytree(templates_dir() / "standard", pack)
    manifest = pack / "pack.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('name = "standard"', 'name = "本市"'),
                        encoding="utf-8")
    page = pack / "report.html.j2"
    original = page.read_text(encoding="utf-8")
    for marker in ("第一版说明", "第二版说明"):
        page.write_text(original.replace("</body>", f"<p>{marker}</p></body>"), encoding="utf-8")
        out = tmp_path / marker
        done = cli("build", sample_workbook(), "-o", out, "--format", "html", "--template", pack, env=env)
        assert done.returncode == 0, done.stderr
        assert marker in next(out.glob("*.html")).read_text(encoding="utf-8")


def test_a_cached_template_is_still_sandboxed(tmp_path):
    """Bytecode from the cache runs in the same sandbox: an unsafe attribute is refused both times."""
    env = {"REPORTGEN_CACHE_DIR": str(tmp_path / "cache")}
    pack = tmp_path / "恶意"
    pack.mkdir()
    (pack / "pack.toml").write_text('name = "恶意"\n', encoding="utf-8")
    (pack / "report.html.j2").write_text("{{ title.__class__.__mro__[1].__subclasses__() }}", encoding="utf-8")
    for _ in range(2):
        done = cli("build", sample_workbook(), "-o", tmp_path / "out", "--format", "html", "--template", pack, env=env)
        assert done.returncode == 2
        assert "不安全" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("kind", ["a file", "someone else's"])
def test_an_unusable_cache_folder_only_costs_time(tmp_path, kind):
    cache = tmp_path / "cache"
    if kind == "a file":
        cache.write_text("not a folder")
    else:
        (cache / "jinja").mkdir(parents=True)
        if os.getuid() == 0:
            os.chown(cache / "jinja", 12345, 12345)  # root can hand it to another user
        else:
            pytest.skip("needs root to make a folder owned by another user")
    done = cli("build", sample_workbook(), "-o", tmp_path / "out", "--format", "docx,html",
               env={"REPORTGEN_CACHE_DIR": str(cache)})
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "out").glob("*.docx"))) == 1
    if kind != "a file":
        assert not list((cache / "jinja").iterdir())  # nothing written where another user could plant code


def test_a_cell_far_out_no_longer_costs_anything_in_a_batch(tmp_path):
    """A workbook with a cell at XFD1048576 (once an abort of its worker) is read within bounds:
    it builds like the others."""
    folder = units(tmp_path / "各单位", 5)
    with zipfile.ZipFile(sample_workbook()) as src, zipfile.ZipFile(folder / "远处单位.xlsx", "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr">'
                                                     b"<is><t>x</t></is></c></row></sheetData>")
            dst.writestr(name, data)
    done = cli("build", folder, "-o", tmp_path / "out", "--format", "html", "-j", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "已生成6个，失败0个" in done.stdout


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="finds the workers through /proc")
def test_a_worker_killed_mid_batch_fails_its_unit_alone(tmp_path):
    """SIGKILL to a batch worker (as the kernel's out-of-memory killer would): its unit is reported
    as failed, the worker is replaced and every other unit is built."""
    import signal
    import time

    n = 60
    folder = units(tmp_path / "各单位", n)
    batch = subprocess.Popen([sys.executable, "-m", "reportgen.cli", "build", str(folder), "-o", str(tmp_path / "out"),
                              "--format", "docx,html", "-j", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, encoding="utf-8", env=dict(os.environ, NO_COLOR="1"))
    killed = None
    deadline = time.monotonic() + 60
    while killed is None and time.monotonic() < deadline and batch.poll() is None:
        children = Path(f"/proc/{batch.pid}/task/{batch.pid}/children")
        pids = [int(x) for x in children.read_text().split()] if children.exists() else []
        pids = [p for p in pids if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]  # not the tracker
        if pids and any((tmp_path / "out").glob("*.html")):  # workers are building
            killed = pids[0]
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.02)
    out, err = batch.communicate(timeout=300)
    assert killed is not None, "the batch ended before a worker could be killed"
    built = len(list((tmp_path / "out").glob("*.html")))
    failed = n - built
    # The unit in the killed worker's hands fails (none, if it died between two units); the rest of
    # its chunk goes to the new worker, so nothing else is lost.
    assert failed <= 1, out + err
    assert f"已生成{built}个，失败{failed}个" in out, out + err
    assert batch.returncode == (1 if failed else 0), out + err


def test_many_jobs_under_a_low_open_files_limit_finish_cleanly(tmp_path):
    """`-j 120` with 64 file descriptors: the batch runs on what the limit allows and exits."""
    folder = units(tmp_path / "各单位", 6)
    done = cli("build", folder, "-o", tmp_path / "out", "--format", "html", "-j", "120", limit_files=64)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "已生成6个，失败0个" in done.stdout
    assert len(list((tmp_path / "out").glob("*.html"))) == 6


def test_jobs_are_bounded_by_cores_units_and_descriptors():
    cores = os.cpu_count() or 1
    assert plan_jobs(120, 1000) == min(cores, plan_jobs(None, 1000))
    assert plan_jobs(8, 1) == 1
    assert 1 <= plan_jobs(None, 3) <= 3


def test_results_stream_in_as_units_finish_and_come_back_in_order(tmp_path):
    folder = units(tmp_path / "各单位", 9)
    sources = sorted(folder.glob("*.json"))
    seen: list[Path] = []
    results = build_many(sources, tmp_path / "out", ("html",), None, None, jobs=2, progress=lambda r: seen.append(r.source))
    assert [r.source for r in results] == sources
    assert sorted(seen) == sources  # each unit reported once, as it finished
    assert all(r.ok and len(r.outputs) == 1 for r in results)
    assert "第04单位" in results[4].outputs[0].read_text(encoding="utf-8")
