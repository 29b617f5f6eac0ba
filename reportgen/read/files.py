"""Opening an input safely: regular files only, never more than a cap read."""

from __future__ import annotations

import stat
from pathlib import Path

from ..errors import UnreadableInput, os_reason


def regular_file(p: Path) -> None:
    """Only a regular file is read: a FIFO would block forever, a device (a link to /dev/zero)
    would be read until memory runs out. stat() follows a link, so a link to a file is fine."""

    try:
        mode = p.stat().st_mode
    except OSError as e:
        raise UnreadableInput(f"无法打开文件（{os_reason(e)}）", file=str(p)) from e
    if not stat.S_ISREG(mode):
        kind = "管道（FIFO）" if stat.S_ISFIFO(mode) else "设备文件" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "特殊文件"
        raise UnreadableInput(f"这是{kind}，不是普通文件，不能读取", file=str(p),
                              hint="请提供保存在磁盘上的工作簿（.xlsx）或JSON文件")


def read_capped(p: Path, cap: int) -> bytes:
    """A file's bytes, reading at most `cap` + 1 (whatever its size said a moment ago)."""
    with p.open("rb") as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise UnreadableInput(f"文件过大（超过{cap // 1024 // 1024} MB），不像年度报告数据", file=str(p))
    return data
