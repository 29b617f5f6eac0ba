"""DOCX → PDF with LibreOffice headless, fonts mapped to free CJK faces by our fontconfig file."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from ..errors import OutputError, UserError
from ..write.atomic import fixed_time, write_atomic
from .fonts import FONTS_CONF
from .officeprofile import prepared_profile
from .soffice import (
    TEMP_PREFIX,
    OfficeFailed,
    OfficeTimeout,
    WarmOffice,
    copy_profile,
    kill_tree,
    new_session_kwargs,
    sigterm_as_interrupt,
    soffice_env,
    uno_python,
)

TIMEOUT_SECONDS = 180.0  # the first run of a fresh profile takes several seconds by itself
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


def _for_libreoffice(docx: Path, source: Path) -> None:
    """Write `docx` to `source` as LibreOffice should lay it out: without Word's 28-a-line
    character grid, which it cannot draw (render_docx.for_libreoffice)."""
    import zipfile

    from .docx import for_libreoffice

    data = docx.read_bytes()
    try:
        data = for_libreoffice(data)
    except (zipfile.BadZipFile, OSError, KeyError):
        pass  # not a zip: LibreOffice reports what is wrong with it
    source.write_bytes(data)


def docx_to_pdf(docx: Path, out_pdf: Path, *, timeout: float = TIMEOUT_SECONDS) -> None:
    """Convert `docx` to `out_pdf`; each call has its own LibreOffice profile (a copy of the user's
    prepared one, officeprofile.py), so calls can overlap.

    Inside `warm_office()` the conversion goes to that block's running soffice instead.
    """
    docx, out_pdf = Path(docx), Path(out_pdf)
    soffice = find_soffice()
    if soffice is None:
        raise UserError("未找到 LibreOffice（soffice），无法生成 PDF", hint=INSTALL_HINT)
    if not docx.is_file():
        raise UserError(f"找不到要转换的文件：{docx}")
    folder = out_pdf.parent if str(out_pdf.parent) else Path()
    if not folder.is_dir():
        raise OutputError(f"输出文件夹不存在：{folder}", hint="请先创建该文件夹")
    if _WARM.office is not None:
        produced = _convert_warm(_WARM.office, docx, timeout)
    else:
        with sigterm_as_interrupt():
            produced = _convert_fresh(soffice, docx, timeout)
    write_atomic(out_pdf, reproducible_pdf(produced))


def _timeout_error(timeout: float) -> UserError:
    return UserError(
        f"LibreOffice 转换 PDF 超过 {timeout:.0f} 秒仍未完成，已停止",
        hint="请关闭其他正在运行的 LibreOffice 后重试，或用 Word/WPS 打开 DOCX 另存为 PDF",
    )


def _not_converted(docx: Path, detail: str) -> UserError:
    return UserError(f"LibreOffice 没有生成 PDF（{detail}）", file=str(docx),
                     hint="请用 Word 或 WPS 打开该 DOCX 检查是否损坏")


def _convert_fresh(soffice: str, docx: Path, timeout: float) -> bytes:
    """One soffice for one document, killed with its children if it outlives `timeout`."""
    prepared = _prepared(soffice)
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as tmp:
        work = Path(tmp)
        profile = work / "profile"
        copy_profile(prepared, profile)
        outdir = work / "out"
        outdir.mkdir()
        # A name soffice cannot misread (spaces, leading dashes, non-ASCII on odd locales).
        source = work / "report.docx"
        _for_libreoffice(docx, source)
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
            proc = subprocess.Popen(cmd, env=soffice_env(work, FONTS_CONF), cwd=work, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, **new_session_kwargs())
        except OSError as e:
            raise UserError(f"无法启动 LibreOffice（{e.strerror or e}）", hint=INSTALL_HINT) from e
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as e:
            raise _timeout_error(timeout) from e
        finally:
            # soffice's wrapper starts soffice.bin: killing only the wrapper would leave it running
            kill_tree(proc)
        produced = outdir / "report.pdf"
        # soffice exits 0 even when it converted nothing, so the file is the only real signal.
        if not produced.is_file() or produced.stat().st_size == 0:
            detail = (err or out).decode("utf-8", "replace").strip().splitlines()
            raise _not_converted(docx, detail[-1] if detail else f"退出码 {proc.returncode}")
        return produced.read_bytes()


def _convert_warm(office: WarmOffice, docx: Path, timeout: float) -> bytes:
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as tmp:
        produced = Path(tmp) / "report.pdf"
        source = Path(tmp) / "report.docx"
        _for_libreoffice(docx, source)
        try:
            office.convert(source, produced, timeout)
        except OfficeTimeout as e:
            raise _timeout_error(timeout) from e
        except OfficeFailed as e:
            raise _not_converted(docx, str(e)) from e
        if not produced.is_file() or produced.stat().st_size == 0:
            raise _not_converted(docx, "没有输出")
        return produced.read_bytes()


def _prepared(soffice: str) -> Path | None:
    """The user's prepared LibreOffice profile; not with SOURCE_DATE_EPOCH, whose builds depend
    on nothing kept between runs."""
    return None if fixed_time()[0] is not None else prepared_profile(soffice, FONTS_CONF)


class _WARM:
    office: WarmOffice | None = None


@contextmanager
def warm_office(on_start: Any = None) -> Iterator[bool]:
    """Within the block every `docx_to_pdf` in this process shares one running soffice (when a
    Python with LibreOffice's `uno` module exists; otherwise each still gets a fresh one).
    Yields whether the warm soffice is in use. `on_start(pid, folder)` hears of each soffice.
    The soffice starts at once, so it gets ready while the first DOCX is being built.
    Not with SOURCE_DATE_EPOCH: a warm soffice's PDFs are not byte-identical across runs."""
    soffice = find_soffice()
    # A running soffice numbers the fonts it embeds (/UniqueID inside each encrypted font
    # program), so its PDFs depend on what it converted before. Reproducible builds
    # (SOURCE_DATE_EPOCH set) therefore give each document a fresh soffice, trading speed for bytes.
    reproducible = fixed_time()[0] is not None
    python = uno_python(soffice) if soffice and _WARM.office is None and not reproducible else None
    if python is None or soffice is None:
        yield _WARM.office is not None
        return
    _WARM.office = WarmOffice(soffice, python, FONTS_CONF, on_start, _prepared(soffice))
    try:
        with suppress(OSError):  # it cannot start: the first conversion says why
            _WARM.office.launch()
        yield True
    finally:
        office, _WARM.office = _WARM.office, None
        office.close()


# LibreOffice stamps each PDF with the time of conversion (in the local time zone) and a random
# file ID and checksum. All are rewritten in place, keeping every byte offset, so the xref table stays valid.
_DATE = re.compile(rb"/(CreationDate|ModDate)\s*\((D:[0-9]{4,14}[^)]{0,10})\)")
_CHECKSUM = re.compile(rb"/DocChecksum\s*/([0-9A-Fa-f]+)")
_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")


def reproducible_pdf(data: bytes) -> bytes:
    """The PDF with SOURCE_DATE_EPOCH's time (UTC) or no time at all, and an ID made from its
    content: the same document gives the same bytes on every rebuild."""
    when, _ = fixed_time()

    def date(m: re.Match[bytes]) -> bytes:
        whole = m.group(0)
        if when is None:
            return b" " * len(whole)  # no timestamp at all, as in the DOCX
        stamp = b"/%s(D:%sZ)" % (m.group(1), when.strftime("%Y%m%d%H%M%S").encode())
        return stamp.ljust(len(whole)) if len(stamp) <= len(whole) else whole

    data = _DATE.sub(date, data)
    blanked = _CHECKSUM.sub(b"", _ID.sub(b"", data))
    digest = hashlib.md5(blanked, usedforsecurity=False).hexdigest().upper().encode()
    data = _CHECKSUM.sub(lambda m: m.group(0).replace(m.group(1), (digest * 4)[: len(m.group(1))]), data)

    def file_id(m: re.Match[bytes]) -> bytes:
        first, second = (digest * 4)[: len(m.group(1))], (digest * 4)[: len(m.group(2))]
        return m.group(0).replace(m.group(1), first, 1).replace(m.group(2), second, 1)

    return _ID.sub(file_id, data)
