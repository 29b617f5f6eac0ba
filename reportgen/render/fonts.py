"""The fonts a pack's Word template names, whether this machine has them, and what the PDF uses instead."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# reportgen's font map: the official font names → the free CJK faces installed here (PDF and charts)
FONTS_CONF = Path(__file__).resolve().parent / "fonts" / "fonts.conf"

# Where each official font is used and where to get it (shown by `reportgen fonts` and the docs).
ROLES = {
    "方正小标宋简体": "标题",
    "黑体": "一级标题",
    "楷体_GB2312": "二级标题",
    "仿宋_GB2312": "正文、表格",
    "宋体": "页码",
}
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_ATTRS = ("ascii", "hAnsi", "eastAsia")


@dataclass(frozen=True)
class FontStatus:
    name: str
    role: str
    installed: bool | None  # None: this machine cannot tell (no fontconfig)
    stand_in: str  # what LibreOffice draws instead ("" when installed or unknown)


def template_fonts(docx: Path) -> list[str]:
    """Font names the template's styles and paragraphs set explicitly, official ones first."""
    from defusedxml import ElementTree

    names: set[str] = set()
    with zipfile.ZipFile(docx) as z:
        for part in ("word/styles.xml", "word/document.xml"):
            if part not in z.namelist():
                continue
            root = ElementTree.fromstring(z.read(part))
            for fonts in root.iter(f"{_W}rFonts"):
                names.update(v for a in _ATTRS if (v := fonts.get(f"{_W}{a}")))
    return sorted(names, key=lambda n: (n not in ROLES, list(ROLES).index(n) if n in ROLES else 0, n))


def _fc(args: list[str], config: Path | None = None) -> str | None:
    exe = shutil.which(args[0])
    if exe is None:
        return None
    env = dict(os.environ)
    if config is not None:
        env["FONTCONFIG_FILE"] = str(config)
    try:
        done = subprocess.run([exe, *args[1:]], capture_output=True, text=True, env=env, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def font_status(name: str) -> FontStatus:
    """Whether `name` is installed (fontconfig's own list, no aliases), and if not, the family
    LibreOffice will draw it with under reportgen's font map (FONTS_CONF)."""
    role = ROLES.get(name, "")
    listed = _fc(["fc-list", "--format", "%{family}\n", f":family={name}"])
    if listed is None:
        return FontStatus(name, role, None, "")
    if any(name in line.split(",") for line in listed.splitlines()):
        return FontStatus(name, role, True, "")
    matched = _fc(["fc-match", "--format", "%{family[0]}", name], FONTS_CONF if FONTS_CONF.is_file() else None)
    return FontStatus(name, role, False, (matched or "").strip() or "未知")


def pack_fonts(pack: Any) -> list[FontStatus]:
    """Every font the pack's report.docx names, with its state on this machine."""
    docx = pack.find_file("report.docx")
    if docx is None:
        return []
    return [font_status(name) for name in template_fonts(docx)]


def missing_fonts_note(statuses: list[FontStatus]) -> str:
    """One line for `build --format pdf`: the official fonts missing here and their stand-ins
    (empty when all are installed or this machine cannot tell)."""
    missing = [s for s in statuses if s.installed is False and s.role]
    if not missing:
        return ""
    shown = "；".join(f"{s.name}（{s.role}）→ {s.stand_in}" for s in missing)
    return (
        f"本机缺少公文字体，PDF 中用替代字体：{shown}。"
        "PDF 的版式不变，但字形与正式公文不同；运行 reportgen fonts 查看如何安装"
    )
