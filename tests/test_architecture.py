"""The package's imports point one way down the pipeline, and nothing imports in a loop.

formats → core (model, findings, errors, sandbox, resources) → read / write → compute → checks
→ render → app → cli. Imports inside functions count too: a late import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "reportgen"

# Each stage may import the stages before it. read and write stand side by side and do not
# import each other; the core modules may import one another (without a loop).
LAYERS = {
    "formats": 0,
    "model": 1, "findings": 1, "errors": 1, "sandbox": 1, "resources": 1, "data": 1,
    "read": 2, "write": 2,
    "compute": 3,
    "checks": 4,
    "render": 5,
    "app": 6,
    "cli": 7,
    "": 8,  # reportgen/__init__.py: the library's facade over app
}
MAX_TOP_LEVEL_MODULES = 8


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def imports_of(name: str) -> set[str]:
    """Every reportgen module `name` imports, wherever in the file the import stands."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    here = name if is_package(name) else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "reportgen"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "reportgen":
                continue
            for alias in node.names:  # `from . import pipeline` imports a module
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in MODULES else target)
    return {m for m in found if m in MODULES and m != name}


def stage(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


GRAPH = {name: imports_of(name) for name in MODULES}


def test_the_import_test_sees_late_imports():
    # the CLI imports the app only inside its commands: the test must see those imports
    assert "reportgen.app.pipeline" in GRAPH["reportgen.cli"] | {
        m for m in GRAPH["reportgen.cli"] if m.startswith("reportgen.app")
    }
    assert any(m.startswith("reportgen.app") for m in GRAPH["reportgen.cli"])


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_point_down_the_pipeline(name):
    layer = LAYERS[stage(name)]
    wrong = []
    for target in sorted(GRAPH[name]):
        other = LAYERS[stage(target)]
        if other > layer or (other == layer and layer == 2 and stage(target) != stage(name)):
            wrong.append(target)
    assert not wrong, f"{name} imports against the pipeline's direction: {wrong}"


def test_no_import_loop():
    # Tarjan's strongly connected components over the whole package
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    loops: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    # a package's __init__ importing its own modules is how a package is made, not a loop,
    # unless one of those modules imports the __init__ back
    assert not loops, f"import loops: {loops}"


def test_few_modules_sit_directly_in_the_package():
    top = [p.name for p in PACKAGE.glob("*.py")]
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top


def test_a_loop_would_be_found(monkeypatch):
    """The loop test can fail: give it a loop and it must say so."""
    monkeypatch.setitem(GRAPH, "reportgen.model", GRAPH["reportgen.model"] | {"reportgen.app.pipeline"})
    with pytest.raises(AssertionError, match="import loops"):
        test_no_import_loop()


def test_an_upward_import_would_be_found(monkeypatch):
    monkeypatch.setitem(GRAPH, "reportgen.checks.prose", GRAPH["reportgen.checks.prose"] | {"reportgen.render.packs"})
    with pytest.raises(AssertionError, match="against the pipeline"):
        test_imports_point_down_the_pipeline("reportgen.checks.prose")


def test_the_architecture_guide_names_every_module():
    """docs/architecture.md is where the next maintainer looks: a module it does not name is lost."""
    guide = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
               if p.name not in ("__init__.py", "__main__.py") and f"`{p.name}`" not in guide]
    assert not missing, f"modules docs/architecture.md does not name: {missing}"
