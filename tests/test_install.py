"""The installed package stands alone: a plain wheel finds its templates and sample from any folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_a_built_wheel_builds_the_sample_from_another_folder(tmp_path):
    wheel_dir = tmp_path / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheel_dir), str(ROOT)],
        check=True, capture_output=True,
    )
    (wheel,) = wheel_dir.glob("reportgen-*.whl")
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True)
    for packaged in ("data/templates/standard/report.docx", "data/templates/standard/sentences.j2",
                     "data/templates/lanshan/pack.toml", "data/sample_data/lanshan-2021.xlsx",
                     "data/sample_data/lanshan-2021.json", "render/fonts/fonts.conf", "app/static/index.html",
                     "app/static/workbench.js", "app/static/workbench.css"):
        assert (site / "reportgen" / packaged).is_file(), packaged
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(os.environ, PYTHONPATH=str(site))
    where = subprocess.run([sys.executable, "-c", "import reportgen; print(reportgen.__file__)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).is_relative_to(site)  # the wheel's copy, not the checkout
    built = subprocess.run([sys.executable, "-m", "reportgen.cli", "build", "-o", "out", "--format", "json,html",
                            "--template", "lanshan"], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout + built.stderr
    model = json.loads((elsewhere / "out" / "临沂市兰山区人民政府2021年政府信息公开工作年度报告.json").read_text("utf-8"))
    assert model["requests"]["handled"]["total"] == 224
    assert "不予处理1件，占答复总量的0.5%" in "".join(model["sentences"]["requests_summary"])


def test_help_is_instant_and_imports_no_heavy_library():
    probe = (
        "import sys; from click.testing import CliRunner; from reportgen.cli import main; "
        "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0, r.output; "
        "heavy = [m for m in ('docxtpl', 'docx', 'openpyxl', 'lxml', 'python_calamine', 'jinja2', 'babel', 'rich', "
        "'starlette', 'uvicorn', 'python_multipart') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_misuse_is_explained_in_chinese_with_exit_status_2():
    typo = run_cli("build", "--formt", "docx")
    assert typo.returncode == 2
    assert "没有这个选项：'--formt'" in typo.stderr and "--format" in typo.stderr and "用法：" in typo.stderr
    missing = run_cli("merge")
    assert missing.returncode == 2 and "缺少参数" in missing.stderr
    help_text = run_cli("check", "--help").stdout
    assert "显示本帮助并退出" in help_text and "Show this message" not in help_text


def test_init_sample_and_the_default_template_from_the_environment(tmp_path):
    import os

    path = tmp_path / "练习.xlsx"
    assert run_cli("init", path, "--sample").returncode == 0
    env = dict(os.environ, REPORTGEN_TEMPLATE="lanshan")
    built = subprocess.run([sys.executable, "-m", "reportgen.cli", "build", str(path), "-o", str(tmp_path),
                            "--format", "json", "-o", "-"], capture_output=True, text=True, env=env)
    assert built.returncode == 0, built.stderr
    assert '"rounding": "largest_remainder"' in built.stdout  # the lanshan pack, chosen by the environment
