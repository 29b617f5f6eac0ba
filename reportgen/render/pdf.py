"""DOCX → PDF with LibreOffice headless, fonts mapped to free CJK faces by our fontconfig file."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import OutputError, UserError
from ..write.atomic import write_atomic

TIMEOUT_SECONDS = 180.0  # the first run of a fresh profile takes several seconds by itself
FONTS_CONF = Path(__file__).resolve().parent / "fonts" / "fonts.conf"
_CANDIDATES = ("soffice", "libreoffice")
_MAC_APP = Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")

INSTALL_HINT = (
    "请先安装 LibreOffice："
    "Debian/Ubuntu 执行 sudo apt-get install libreoffice-writer fonts-noto-cjk；"
    "macOS 执行 brew install --cask libreoffice；"
    "Windows 从 https://zh-cn.libreoffice.org/ 下载安装，并把安装目录下的 program 文件夹加入 PATH。"
    "也可以只生成 DOCX，用 Word 或 WPS 另存为 PDF"
)


def find_soffice() -> str | None:
    """The LibreOffice executable, or None when it is not installed."""
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return str(_MAC_APP) if _MAC_APP.is_file() else None


def _without_char_grid(source: Path) -> None:
    """LibreOffice cannot lay out Word's 28-a-line character grid (render_docx.for_libreoffice)."""
    import zipfile

    from .docx import for_libreoffice

    try:
        source.write_bytes(for_libreoffice(source.read_bytes()))
    except (zipfile.BadZipFile, OSError, KeyError):
        pass  # not a zip: LibreOffice reports what is wrong with it


def docx_to_pdf(docx: Path, out_pdf: Path, *, timeout: float = TIMEOUT_SECONDS) -> None:
    """Convert `docx` to `out_pdf`; each call has its own LibreOffice profile, so calls can overlap."""
    docx, out_pdf = Path(docx), Path(out_pdf)
    soffice = find_soffice()
    if soffice is None:
        raise UserError("未找到 LibreOffice（soffice），无法生成 PDF", hint=INSTALL_HINT)
    if not docx.is_file():
        raise UserError(f"找不到要转换的文件：{docx}")
    folder = out_pdf.parent if str(out_pdf.parent) else Path()
    if not folder.is_dir():
        raise OutputError(f"输出文件夹不存在：{folder}", hint="请先创建该文件夹")
    with tempfile.TemporaryDirectory(prefix="reportgen-soffice-") as tmp:
        work = Path(tmp)
        profile = work / "profile"
        outdir = work / "out"
        outdir.mkdir()
        # A name soffice cannot misread (spaces, leading dashes, non-ASCII on odd locales).
        source = work / "report.docx"
        shutil.copyfile(docx, source)
        _without_char_grid(source)
        env = dict(os.environ)
        if FONTS_CONF.is_file():
            env["FONTCONFIG_FILE"] = str(FONTS_CONF)
        env["HOME"] = str(work)  # soffice writes caches under $HOME even with its own profile
        cmd = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(outdir),
            str(source),
        ]
        try:
            done = subprocess.run(
                cmd,
                env=env,
                cwd=work,
                capture_output=True,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
                check=False,
            )
        except subprocess.TimeoutExpired as e:
            raise UserError(
                f"LibreOffice 转换 PDF 超过 {timeout:.0f} 秒仍未完成，已停止",
                hint="请关闭其他正在运行的 LibreOffice 后重试，或用 Word/WPS 打开 DOCX 另存为 PDF",
            ) from e
        except OSError as e:
            raise UserError(f"无法启动 LibreOffice（{e.strerror or e}）", hint=INSTALL_HINT) from e
        produced = outdir / "report.pdf"
        # soffice exits 0 even when it converted nothing, so the file is the only real signal.
        if not produced.is_file() or produced.stat().st_size == 0:
            detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
            last = detail[-1] if detail else f"退出码 {done.returncode}"
            raise UserError(
                f"LibreOffice 没有生成 PDF（{last}）",
                file=str(docx),
                hint="请用 Word 或 WPS 打开该 DOCX 检查是否损坏",
            )
        write_atomic(out_pdf, produced.read_bytes())


