"""The report as one self-contained HTML page, drawn by the pack's sandboxed report.html.j2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import PackError
from ..sandbox import guarded, render_bounded
from .packs import Pack, environment

TEMPLATE = "report.html.j2"


def render_html(context: dict[str, Any], pack: Pack) -> str:
    """The page for `context` (from `build_context`), from the first report.html.j2 along the pack chain.

    Everything the template prints is autoescaped, so staff text cannot inject markup. The same
    context and pack always give the same text: nothing depends on the clock or the machine.
    """
    source = pack.find_file(TEMPLATE)
    if source is None:
        raise PackError(f"模板包“{pack.name}”及其继承链中都没有 {TEMPLATE}", file=str(pack.path))
    what = f"{source.parent.name}/{TEMPLATE}"
    env = environment(pack, autoescape=True)
    template = guarded(lambda: env.get_template(TEMPLATE), what)
    html = render_bounded(lambda: template.generate(context), what)
    # Whitespace around the template's macro definitions is not part of the page.
    return html.strip() + "\n"


def write_html(context: dict[str, Any], pack: Pack, out: Path) -> None:
    """Render and write the page to `out` as UTF-8, atomically (temp file in the same folder, then rename)."""
    from ..write.atomic import write_atomic

    write_atomic(Path(out), render_html(context, pack).encode("utf-8"))
