"""The second round of attacks (issue 14), each through the real command line in its own process
under memory and time limits: a regression that allocates gigabytes or never returns fails its
case instead of taking pytest down."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from corpus import ATTACKS, Attack, json_file, sample_doc
from helpers import run_cli

ROOT = Path(__file__).resolve().parents[2]
MEMORY = 2 * 1024**3  # address space: Python with lxml, openpyxl and docxtpl loaded uses ~0.5 GB
SECONDS = 120


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_bounded(*args: str | Path, stdout: int | None = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8", NO_COLOR="1", PYTHONUTF8="1")
    return subprocess.run(
        [sys.executable, "-m", "reportgen.cli", *map(str, args)], stdout=stdout, stderr=subprocess.PIPE,
        text=True, encoding="utf-8", errors="replace", cwd=ROOT, env=env, timeout=SECONDS,
        preexec_fn=_limit_memory, stdin=subprocess.DEVNULL,
    )


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every regular file under `folder` (hidden ones too), with its bytes and mtime."""
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_each_attack_gets_a_clear_answer(tmp_path, attack: Attack):
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    args = attack.make(inp, out)
    before_in, before_out = snapshot(inp), snapshot(out)

    result = run_bounded(*args)

    both = result.stdout + result.stderr
    assert result.returncode == attack.exit, both[-3000:]
    assert "Traceback" not in both and "内部错误" not in both, both[-3000:]
    for fragment in attack.says:
        assert fragment in both, both[-3000:]
    if attack.exit == 2:
        assert result.stderr.startswith("错误："), result.stderr  # one line naming the file
    assert snapshot(inp) == before_in, "an input was changed"
    if attack.exit != 0:
        assert snapshot(out) == before_out, "a refused run changed the output folder"
    elif attack.verify is not None:
        attack.verify(out)
    assert not [p for p in out.rglob(".reportgen-*")] if out.is_dir() else True, "a staging folder was left"


# ---- 9. a .docx that cannot be replaced (open in Word): the old set stays, all of it ------------


@pytest.fixture
def immutable():
    """`chattr +i` a file (even root cannot replace it, as Word's lock does on Windows)."""
    done: list[Path] = []

    def lock(path: Path) -> None:
        made = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
        if made.returncode != 0:
            pytest.skip(f"chattr +i not possible here: {made.stderr.decode(errors='replace').strip()}")
        done.append(path)

    yield lock
    for path in done:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_locked_docx_leaves_the_whole_previous_set(tmp_path, immutable):
    out = tmp_path / "报告"
    first = json_file(tmp_path)
    assert run_cli("build", first, "-o", out, "--format", "json,html,docx").returncode == 0
    docx = next(out.glob("*.docx"))
    immutable(docx)
    before = snapshot(out)

    doc = sample_doc()
    doc["narrative"] = {k: v + "（修改）" for k, v in doc["narrative"].items()}
    second = json_file(tmp_path, lambda d: d.update(narrative=doc["narrative"]), "第二次.json")
    result = run_bounded("build", second, "-o", out, "--format", "json,html,docx")

    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith(f"错误：{docx}：无法写入（"), result.stderr
    assert ".reportgen-" not in result.stderr and "Traceback" not in result.stderr
    assert snapshot(out) == before  # the .json and .html are last time's too


# ---- 11. two builds into one folder at once: every final set is one build's -----------------------


def test_concurrent_builds_never_mix_their_files(tmp_path):
    """Each round, two builds race into one folder; what is left must be one build's set."""
    from reportgen.app.pipeline import build

    out = tmp_path / "out"
    a = json_file(tmp_path, lambda d: d["narrative"].update({"overview.active": "甲版本。"}), "a.json")
    b = json_file(tmp_path, lambda d: d["narrative"].update({"overview.active": "乙版本。"}), "b.json")
    errors: list[BaseException] = []

    def run(source: Path, start: threading.Barrier) -> None:
        try:
            start.wait()
            build(source, out, ("json", "html"))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    for _ in range(8):
        start = threading.Barrier(2)
        threads = [threading.Thread(target=run, args=(s, start)) for s in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        texts = [p.read_text(encoding="utf-8") for p in sorted(out.iterdir())]
        assert len(texts) == 2, sorted(out.iterdir())  # the .html and the .json, no staging folder
        versions = {v for v in ("甲版本", "乙版本") for text in texts if v in text}
        assert len(versions) == 1, "the .json and the .html came from different builds"


# ---- 20. a reader that goes away: `check --all | head -1` ------------------------------------------


def test_a_closed_pipe_is_not_a_crash(tmp_path):
    source = json_file(tmp_path)
    read, write = os.pipe()
    os.close(read)  # the reader has gone before the first line is written
    try:
        result = run_bounded("check", "--all", source, stdout=write)
    finally:
        os.close(write)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr and "BrokenPipe" not in result.stderr
