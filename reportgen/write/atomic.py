"""Writing outputs: atomically (never half a file) and reproducibly (same input, same bytes)."""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import OutputError, os_hint, os_reason

EPOCH_1980 = 315532800  # the earliest date a zip entry can carry
LOCKED_HINT = "请检查文件夹是否存在、是否有写入权限；如果该文件正在 Word、WPS、Excel 或阅读器中打开，请先关闭后重试"


def write_atomic(path: str | Path, data: bytes, *, hint: str = LOCKED_HINT) -> None:
    """Write `data` through a temporary file in the same folder, then rename over `path`.

    A reader (or a crash) never sees half a file, and the previous file stays until the new one
    is complete. The file gets the permissions a plain open() would, not mkstemp's private 0600.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise OutputError(f"无法在该文件夹中写入文件（{os_reason(e)}）", file=str(path),
                          hint=os_hint(e) if hint is LOCKED_HINT else hint) from e
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        Path(tmp).chmod(0o666 & ~umask)
        Path(tmp).replace(path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"无法写入（{os_reason(e)}）", file=str(path),
                          hint=os_hint(e) if hint is LOCKED_HINT else hint) from e
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on `folder` (POSIX flock on the folder itself: nothing is left in it,
    and the lock dies with the process). Two builds into one folder then swap their sets of files
    one after the other, never interleaved. Windows has no flock on folders; there a folder is
    not locked (two builds at once into one folder on one desktop is not a real workflow)."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def replace_together(pairs: list[tuple[Path, Path]], backup_dir: Path) -> None:
    """Move each new file over its final name: all of them, or — if any cannot be replaced (a
    .docx open in Word) — none, the old files put back. `backup_dir` (on the same file system)
    holds the old files meanwhile."""
    moved_away: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for i, (_, final) in enumerate(pairs):
            if final.exists() or final.is_symlink():
                backup = backup_dir / f".old-{i}"
                final.replace(backup)  # a locked file fails here, before anything new is in place
                moved_away.append((backup, final))
        for new, final in pairs:
            new.replace(final)
            placed.append(final)
    except BaseException:
        for final in placed:
            final.unlink(missing_ok=True)
        for backup, final in reversed(moved_away):
            backup.replace(final)
        raise


def refuse_overwriting_input(out: Path, inputs: list[Path], what: str = "输出文件") -> None:
    """`--force` overwrites an old output, never an input: writing the result over a file it is
    made from would lose that file (`merge a.json b.json -o a.json`, `init X --previous X`)."""
    from ..errors import UserError

    for source in inputs:
        if _same_file(out, source):
            raise UserError(f"{what}就是输入文件之一，不能覆盖", file=str(out),
                            hint="请给结果另起一个文件名（--force 也不会覆盖输入文件）")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def fixed_time() -> tuple[datetime | None, tuple[int, int, int, int, int, int]]:
    """SOURCE_DATE_EPOCH if set (reproducible-builds.org), else no timestamp at all."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw.isdigit():
        when = datetime.fromtimestamp(max(int(raw), EPOCH_1980), tz=UTC)
        return when, (when.year, when.month, when.day, when.hour, when.minute, when.second)
    return None, (1980, 1, 1, 0, 0, 0)


_CORE_TIMES = re.compile(
    rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>|<dcterms:(created|modified)\b[^>]*/>"
)


def workbook_bytes(wb: Any) -> bytes:
    """An openpyxl workbook's file, reproducible: openpyxl stamps the time of saving into
    docProps/core.xml and every zip entry, which `reproducible_zip` takes out again."""
    raw = io.BytesIO()
    wb.save(raw)
    return reproducible_zip(raw.getvalue())


def reproducible_zip(data: bytes, *, default_time: datetime | None = None) -> bytes:
    """An Office file (DOCX, XLSX) rewritten so the same content gives the same bytes: fixed
    member order and dates, and docProps/core.xml's times removed (or SOURCE_DATE_EPOCH's, else
    `default_time`'s: a time the content itself gives, such as a report's publication date)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    return office_zip({name: src.read(name) for name in src.namelist()}, default_time=default_time)


def office_zip(members: dict[str, bytes], *, default_time: datetime | None = None) -> bytes:
    """An Office file of `members` (name → bytes), as `reproducible_zip` writes it."""
    when, date_time = fixed_time()
    if when is None and default_time is not None:
        when = default_time
    names = sorted(members, key=lambda n: (n != "[Content_Types].xml", n != "_rels/.rels", n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in names:
            blob = members[name]
            if name == "docProps/core.xml":
                blob = _CORE_TIMES.sub(b"", blob)
                if when is not None:
                    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                    times = b"".join(
                        b'<dcterms:%s xsi:type="dcterms:W3CDTF">%s</dcterms:%s>' % (t, stamp, t)
                        for t in (b"created", b"modified")
                    )
                    blob = blob.replace(b"</cp:coreProperties>", times + b"</cp:coreProperties>")
            info = zipfile.ZipInfo(name, date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # the same bytes on every OS
            info.external_attr = 0
            dst.writestr(info, blob)
    return out.getvalue()
