"""Charts of the computed facts: one layout, written as inline SVG for the web and drawn as PNG for Word.

The charts are horizontal bar charts, which is what a 图解 needs (categories with long Chinese
names, one or two series). They are laid out here once, in plain numbers, from the facts that
the sentences quote (never recomputed); the SVG is written as text (no library, no script, no
network), and the PNG for Word is drawn from the same layout with Pillow, imported only when a
Word file with charts is made. Neither output holds a date or a random id, so a build is
byte-identical to the last one. Chinese text uses the pack's `chart_font`, mapped to an
installed face by the same fontconfig file as the PDF (fonts/fonts.conf).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..compute.display import Settings, format_count
from ..errors import UserError
from .fonts import FONTS_CONF  # the same font mapping as the PDF

INSTALL_HINT = '请运行 pip install "reportgen[charts]" 安装 Pillow；或在模板包的 pack.toml 中设 charts = false'
CHART_KEYS = ("requests", "outcomes", "active", "appeals")  # in report order
UNKNOWN = "—"


def build_charts(facts: dict[str, Any], s: Settings, year: Any, previous_year: Any) -> dict[str, dict[str, Any]]:
    """The report's charts as plain dicts (title, figures, text alternative and SVG), by key."""
    this, last = f"{year}年", f"{previous_year}年"
    req = facts["requests"]
    out: dict[str, dict[str, Any]] = {}

    # 新收申请, this year against last year, in all and by applicant kind.
    new_change = req["new_change"]
    rows: list[tuple[str, list[int | None]]] = [(req["new_name"], [req["new"], new_change and new_change["last"]])]
    rows += [(a["name"], [a["count"], a["last"]]) for a in req["applicants"]]
    known_last = new_change is not None
    note = ""
    if known_last and any(a["last"] is None for a in req["applicants"]):
        note = f"{last}按申请人类型的数据未知，只比较合计。"
    out["requests"] = _chart(
        "requests", f"{req['new_name']}政府信息公开申请", [this, last] if known_last else [this],
        [(name, values if known_last else values[:1]) for name, values in rows], s, note=note,
    )

    # 办理结果 by outcome group: counts and shares.
    out["outcomes"] = _chart(
        "outcomes", f"办理结果（共{format_count(req['handled'], s)}件）", [this],
        [(o["name"], [o["count"]]) for o in req["outcomes"]], s,
        texts=[[f"{format_count(o['count'], s)}件" + (f" {o['share']}" if o["share"] else "")]
               for o in req["outcomes"]],
    )

    # Table 2's decisions (行政许可、行政处罚、行政强制), with last year where it is known.
    decisions = facts["active"]["decisions"]
    with_last = any(d["decisions_change"] for d in decisions)
    if decisions:  # an edition whose table 2 counts no decisions has no such chart
        out["active"] = _chart(
            "active", "、".join(d["decision_name"] for d in decisions) + "数量",
            [this, last] if with_last else [this],
            [(d["name"], [int(d["decisions"]), _last(d["decisions_change"])][: 2 if with_last else 1])
             for d in decisions],
            s,
        )

    # 行政复议 and 行政诉讼 by result.
    ap = facts["appeals"]
    review, litigation = ap["review"], ap["litigation"]
    out["appeals"] = _chart(
        "appeals",
        f"{review['name']}{format_count(review['total'], s)}件、{litigation['name']}"
        f"{format_count(litigation['total'], s)}件的结果",
        [review["name"], litigation["name"]],
        [(r["name"], [r["count"], lit["count"]]) for r, lit in zip(review["results"], litigation["results"], strict=True)],
        s,
    )
    return out


def _last(change: dict[str, Any] | None) -> int | None:
    return None if change is None else int(change["last"])


def _chart(key: str, title: str, series: list[str], rows: list[tuple[str, list[int | None]]], s: Settings,
           *, texts: list[list[str]] | None = None, note: str = "") -> dict[str, Any]:
    """One chart as a plain dict; `texts` are the figures written at the bars (default: the counts)."""
    if texts is None:
        texts = [[UNKNOWN if v is None else f"{format_count(v, s)}件" for v in values] for _, values in rows]
    categories = [name for name, _ in rows]
    # The text alternative: every bar's figure in words, and a small table of the same.
    parts = []
    for name, line in zip(categories, texts, strict=True):
        figures = "，".join(
            f"{series[j]}{t}" if len(series) > 1 else t for j, t in enumerate(line) if t != UNKNOWN
        )
        parts.append(f"{name}{'：' if len(series) > 1 else ''}{figures or '未知'}")
    desc = "；".join(parts) + "。" + note
    chart = {
        "key": key,
        "title": title,
        "desc": desc,
        "note": note,
        "series": series,
        "categories": categories,
        "values": [values for _, values in rows],
        "texts": texts,
        "columns": ["项目", *series],
        "rows": [[name, *line] for name, line in zip(categories, texts, strict=True)],
        "style": {
            "font": s.chart_font,
            "font_size": s.chart_font_size,
            "width": s.chart_width,
            "dpi": s.chart_dpi,
            "colors": list(s.chart_colors),
        },
    }
    from markupsafe import Markup

    # Markup: the page prints it as it is; every text in it has been escaped by `svg`.
    chart["svg"] = Markup(svg(chart))
    return chart


# ---- Layout -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    size: float
    anchor: str  # start | end
    fill: str = "#1f1f1f"
    bold: bool = False


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = "#3c3c3c"


def text_width(text: str, size: float) -> float:
    """An estimate of the drawn width: CJK characters are square, digits and Latin about half.

    The layout must not depend on which font the reader's browser finds, so widths are
    estimated, and text is anchored at the side that must line up.
    """
    return size * sum(1.0 if ord(c) >= 0x2E80 else 0.6 for c in text)


def layout(chart: dict[str, Any]) -> tuple[float, float, list[Rect | Text | Line]]:
    """Width, height and the shapes of a horizontal grouped bar chart, in px at `style.width`."""
    st = chart["style"]
    width, f = float(st["width"]), float(st["font_size"])
    colors = st["colors"]
    series, values, texts = chart["series"], chart["values"], chart["texts"]
    pad = f
    shapes: list[Rect | Text | Line] = []
    y = pad + f * 1.15
    shapes.append(Text(pad, y, chart["title"], f * 1.15, "start", bold=True))
    y += f * 0.9
    if len(series) > 1:  # the legend
        x = pad
        y += f * 0.4
        for j, name in enumerate(series):
            shapes.append(Rect(x, y, f * 0.9, f * 0.9, colors[j % len(colors)]))
            shapes.append(Text(x + f * 1.3, y + f * 0.8, name, f, "start"))
            x += f * 2.6 + text_width(name, f)
        y += f * 1.4
    y += f * 0.6
    label_w = max(text_width(c, f) for c in chart["categories"]) + f * 0.8
    value_w = max(text_width(t, f) for line in texts for t in line) + f * 0.6
    x0 = pad + label_w
    span = max(width - pad - value_w - x0, f)
    top = max([v for line in values for v in line if v is not None] + [0]) or 1
    bar_h = f * 1.3
    group_gap = f * 0.7 if len(series) > 1 else f * 0.45
    axis_top = y - f * 0.3
    for i, name in enumerate(chart["categories"]):
        group_h = bar_h * len(series) + 2 * (len(series) - 1)
        shapes.append(Text(x0 - f * 0.5, y + group_h / 2 + f * 0.35, name, f, "end"))
        for j, value in enumerate(values[i]):
            by = y + j * (bar_h + 2)
            w = 0.0 if value is None else span * value / top
            if value:
                w = max(w, 1.0)  # a small figure still shows a sliver
                shapes.append(Rect(x0, by, w, bar_h, colors[j % len(colors)]))
            shapes.append(Text(x0 + w + f * 0.3, by + bar_h / 2 + f * 0.35, texts[i][j], f, "start"))
        y += group_h + group_gap
    shapes.append(Line(x0, axis_top, x0, y - group_gap + f * 0.3))
    y += f * 0.3
    if chart["note"]:
        y += f * 0.9
        shapes.append(Text(pad, y, chart["note"], f * 0.85, "start", fill="#5a5a5a"))
    return width, round(y + pad, 1), shapes


# ---- SVG ----------------------------------------------------------------------------------------


def _n(v: float) -> str:
    text = f"{v:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def svg(chart: dict[str, Any]) -> str:
    """The chart as an inline SVG element: <title> and <desc> name it for screen readers."""
    width, height, shapes = layout(chart)
    key = _esc(chart["key"])
    *names, generic = font_families(chart["style"]["font"])
    families = ", ".join([*(f"'{f}'" for f in names), generic])  # a generic family is a keyword, unquoted
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" width="{_n(width)}" height="{_n(height)}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" role="img" aria-labelledby="chart-{key}-title chart-{key}-desc" '
        f'font-family="{_esc(families)}" font-size="{_n(chart["style"]["font_size"])}">',
        f'<title id="chart-{key}-title">{_esc(chart["title"])}</title>',
        f'<desc id="chart-{key}-desc">{_esc(chart["desc"])}</desc>',
        f'<rect width="{_n(width)}" height="{_n(height)}" fill="#ffffff"/>',
    ]
    for shape in shapes:
        if isinstance(shape, Rect):
            out.append(f'<rect x="{_n(shape.x)}" y="{_n(shape.y)}" width="{_n(shape.w)}" '
                       f'height="{_n(shape.h)}" fill="{shape.fill}"/>')
        elif isinstance(shape, Line):
            out.append(f'<line x1="{_n(shape.x1)}" y1="{_n(shape.y1)}" x2="{_n(shape.x2)}" '
                       f'y2="{_n(shape.y2)}" stroke="{shape.stroke}" stroke-width="1"/>')
        else:
            weight = ' font-weight="bold"' if shape.bold else ""
            size = "" if shape.size == chart["style"]["font_size"] else f' font-size="{_n(shape.size)}"'
            out.append(f'<text x="{_n(shape.x)}" y="{_n(shape.y)}" text-anchor="{shape.anchor}" '
                       f'fill="{shape.fill}"{size}{weight}>{_esc(shape.text)}</text>')
    out.append("</svg>")
    return "\n".join(out)


# ---- Fonts --------------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def font_families(font: str) -> tuple[str, ...]:
    """`font`, its other names and the free faces fonts.conf maps it to, then a generic family:
    what a browser should try, in the order the PDF's fontconfig would."""
    from defusedxml import ElementTree

    names = [font]
    prefer: list[str] = []
    try:
        root = ElementTree.fromstring(FONTS_CONF.read_bytes())
    except (OSError, ElementTree.ParseError):
        root = None
    aliases = [] if root is None else [
        (a.findtext("family") or "", [f.text or "" for f in a.iterfind("prefer/family")])
        for a in root.iterfind("alias")
    ]
    for family, faces in aliases:
        if family == font:
            prefer = faces
    # Other names with the same faces (黑体 → SimHei): Windows has them under those names.
    names += [family for family, faces in aliases if faces == prefer and prefer and family not in names]
    generic = "serif" if prefer and "Sans" not in prefer[0] and "Hei" not in prefer[0] else "sans-serif"
    if not prefer:
        prefer = ["Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC"]
    return tuple(dict.fromkeys([*names, *prefer, generic]))


# Where Windows and macOS keep the official faces; used where there is no fontconfig.
_FONT_FILES = {
    "黑体": ("simhei.ttf",), "SimHei": ("simhei.ttf",),
    "仿宋_GB2312": ("simfang.ttf",), "仿宋": ("simfang.ttf",), "FangSong": ("simfang.ttf",),
    "宋体": ("simsun.ttc",), "SimSun": ("simsun.ttc",),
    "楷体_GB2312": ("simkai.ttf",), "楷体": ("simkai.ttf",), "KaiTi": ("simkai.ttf",),
}
_ANY_CJK = ("msyh.ttc", "simhei.ttf", "simsun.ttc", "PingFang.ttc", "STHeiti Medium.ttc", "Songti.ttc")


def _font_dirs() -> Iterator[Path]:
    windir = os.environ.get("WINDIR")
    if windir:
        yield Path(windir) / "Fonts"
    yield Path.home() / "Library" / "Fonts"
    yield Path("/Library/Fonts")
    yield Path("/System/Library/Fonts")


@lru_cache(maxsize=16)
def font_file(font: str, bold: bool) -> tuple[str, int]:
    """The file (and index in a collection) that draws `font` in the PNG, as the PDF would."""
    fc_match = shutil.which("fc-match")
    if fc_match:
        env = dict(os.environ)
        if FONTS_CONF.is_file():
            env["FONTCONFIG_FILE"] = str(FONTS_CONF)
        # lang=zh-cn: if nothing maps the name, fontconfig still picks a face with Chinese glyphs.
        pattern = f"{font}:lang=zh-cn" + (":weight=bold" if bold else "")
        try:
            done = subprocess.run([fc_match, "-f", "%{file}\n%{index}", pattern], env=env, capture_output=True,
                                  timeout=30, check=False, stdin=subprocess.DEVNULL)
            path, _, index = done.stdout.decode("utf-8", "replace").partition("\n")
            if done.returncode == 0 and path and Path(path).is_file():
                return path, int(index or 0)
        except (OSError, subprocess.TimeoutExpired, ValueError):
            pass
    for folder in _font_dirs():
        for name in (*_FONT_FILES.get(font, ()), *_ANY_CJK):
            if (folder / name).is_file():
                return str(folder / name), 0
    raise UserError(
        f"找不到图表所用的中文字体“{font}”",
        hint="请安装中文字体（Debian/Ubuntu：apt-get install fonts-noto-cjk），或在 pack.toml 中把 chart_font 改为已安装的字体",
    )


# ---- PNG ----------------------------------------------------------------------------------------


def png(chart: dict[str, Any], width_px: int) -> bytes:
    """The chart drawn `width_px` wide (print resolution for Word), as deterministic PNG bytes."""
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError as e:
        raise UserError("在 Word 文件中画图表需要 Pillow，但没有安装", hint=INSTALL_HINT) from e
    import io

    width, height, shapes = layout(chart)
    scale = width_px / width
    image = Image.new("RGB", (width_px, round(height * scale)), "#ffffff")
    draw = ImageDraw.Draw(image)
    fonts: dict[tuple[float, bool], Any] = {}

    def face(size: float, bold: bool) -> Any:
        if (size, bold) not in fonts:
            path, index = font_file(chart["style"]["font"], bold)
            fonts[(size, bold)] = ImageFont.truetype(path, round(size * scale), index=index)
        return fonts[(size, bold)]

    for shape in shapes:
        if isinstance(shape, Rect):
            box = [round(shape.x * scale), round(shape.y * scale),
                   round((shape.x + shape.w) * scale) - 1, round((shape.y + shape.h) * scale) - 1]
            draw.rectangle(box, fill=shape.fill)
        elif isinstance(shape, Line):
            draw.line([round(shape.x1 * scale), round(shape.y1 * scale), round(shape.x2 * scale),
                       round(shape.y2 * scale)], fill=shape.stroke, width=max(1, round(scale)))
        else:
            anchor = "ls" if shape.anchor == "start" else "rs"
            draw.text((shape.x * scale, shape.y * scale), shape.text, fill=shape.fill,
                      font=face(shape.size, shape.bold), anchor=anchor)
    buf = io.BytesIO()
    dpi = chart["style"]["dpi"]
    # No text chunks and no time: the same chart is the same bytes.
    image.save(buf, format="PNG", dpi=(dpi, dpi), optimize=False, compress_level=6)
    return buf.getvalue()
