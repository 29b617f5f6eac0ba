"""Every hostile input through the real command line: its exit status, a message naming the file
(and the sheet and cell, or the key), never a traceback, never a changed input, never an output."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from corpus import CASES, Case
from helpers import run_cli

ROOT = Path(__file__).resolve().parents[2]


def snapshot(path: Path) -> tuple[bytes, int] | None:
    return (path.read_bytes(), path.stat().st_mtime_ns) if path.is_file() else None


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_hostile_input_gets_a_clear_answer(tmp_path, case: Case):
    folder = tmp_path / "in"
    folder.mkdir()
    source = case.make(folder)
    before = snapshot(source)
    out = tmp_path / "out"
    args = ["build", source, "-o", out, "--format", "html,json"] if case.command == "build" else ["check", source]

    result = run_cli(*args, real=True)  # a crash or a traceback shows only in a real process

    both = result.stdout + result.stderr
    assert result.returncode == case.exit, both
    assert "Traceback" not in both
    assert "内部错误" not in both
    if case.exit == 2:
        # one line on stderr, starting with the file it is about
        assert result.stderr.startswith(f"错误：{source}"), result.stderr
    else:
        assert result.stderr == ""
    for fragment in case.says:
        assert fragment in both, both
    assert snapshot(source) == before, "the input was changed"
    assert not out.exists() or not any(out.iterdir()), "an output was written for a refused input"


def test_a_real_password_protected_workbook_is_refused(tmp_path):
    pytest.importorskip("msoffcrypto", reason="msoffcrypto-tool makes a real encrypted workbook")
    from corpus import encrypted_for_real

    source = encrypted_for_real(tmp_path)
    result = run_cli("check", source)
    assert result.returncode == 2
    assert result.stderr.startswith(f"错误：{source}：工作簿设置了打开密码")
    assert "取消密码" in result.stderr and "Traceback" not in result.stderr


def test_build_of_a_good_workbook_with_a_chinese_name_and_spaces(tmp_path):
    from corpus import chinese_name_with_spaces

    source = chinese_name_with_spaces(tmp_path)
    out = tmp_path / "输出 文件夹"
    result = run_cli("build", source, "-o", out, "--format", "html,json")
    assert result.returncode == 0, result.stderr
    assert sorted(p.suffix for p in out.iterdir()) == [".html", ".json"]


# ---- Outputs that cannot be written -----------------------------------------------------------


def test_an_output_folder_under_a_regular_file_is_refused(tmp_path):
    """Proves the message for an output path that cannot be a folder (works as root too)."""
    blocker = tmp_path / "报告"
    blocker.write_text("不是文件夹")
    result = run_cli("build", "-o", blocker / "2021", "--format", "json")
    assert result.returncode == 2
    assert result.stderr.startswith(f"错误：{blocker / '2021'}：无法创建输出文件夹（路径中的某一级不是文件夹）")
    assert blocker.read_text() == "不是文件夹"


def test_an_output_name_taken_by_a_folder_is_refused_and_nothing_is_left_behind(tmp_path):
    out = tmp_path / "out"
    stem = "临沂市兰山区人民政府2021年政府信息公开工作年度报告"
    (out / f"{stem}.html").mkdir(parents=True)
    result = run_cli("build", "-o", out, "--format", "json,html")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "已有同名的文件夹" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in out.iterdir()) == [f"{stem}.html"]  # no json, no staging folder


@pytest.fixture
def immutable_folder(tmp_path):
    """A folder nobody may write into, not even root: `chattr +i` (ext4/xfs); skipped elsewhere."""
    folder = tmp_path / "只读"
    folder.mkdir()
    made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"chattr +i not possible here: {made.stderr.decode(errors='replace').strip()}")
    yield folder
    subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_a_read_only_output_folder_is_refused(immutable_folder):
    """With chattr +i even root cannot write, so this proves the real read-only path, not a simulation."""
    result = run_cli("build", "-o", immutable_folder, "--format", "json")
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith(f"错误：{immutable_folder}：")
    assert "输出文件夹不可写" in result.stderr
    assert list(immutable_folder.iterdir()) == []


# ---- --verbose ----------------------------------------------------------------------------------


def test_verbose_shows_the_underlying_exception_and_plain_runs_do_not(tmp_path):
    from corpus import corrupt_member

    source = corrupt_member(tmp_path)
    plain = run_cli("check", source)
    verbose = run_cli("--verbose", "check", source)
    assert plain.returncode == verbose.returncode == 2
    assert "Traceback" not in plain.stderr and plain.stderr.count("\n") == 1
    assert "Traceback (most recent call last)" in verbose.stderr
    assert "The above exception was the direct cause" in verbose.stderr  # the zip/zlib error underneath
    assert verbose.stderr.rstrip().endswith(plain.stderr.rstrip())
