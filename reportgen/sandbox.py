"""The Jinja sandbox with bounds: size of products and output, time, recursion — for packs and placeholders."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import PackError

MAX_OUTPUT_CHARS = 5_000_000  # one rendered template; a real report is ~100 k
MAX_SECONDS = 20.0  # rendering one template
MAX_RANGE = 100_000


def _bounded_range(*args: int) -> range:
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise PackError(f"模板中的 range 过大（{len(r)}项，上限{MAX_RANGE}）")
    return r


def _make_env_class() -> type:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Bounded(ImmutableSandboxedEnvironment):
        """Refuses huge string/list products and ranges; `render` is checked by `render_bounded`."""

        def __init__(self, *a: Any, **kw: Any) -> None:
            super().__init__(*a, **kw)
            self.globals["range"] = _bounded_range
            self.filters = dict(self.filters)
            _bounded_filters(self.filters)
            self.globals.pop("cycler", None)
            self.globals.pop("joiner", None)
            self.globals.pop("namespace", None)
            self.globals.pop("lipsum", None)

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator in ("*", "**"):
                size = _product_size(operator, left, right)
                if size > MAX_OUTPUT_CHARS:
                    raise PackError("模板中的运算结果过大，已拒绝")
            if operator == "%" and isinstance(left, str):
                _check_format(left, right)
            return super().call_binop(context, operator, left, right)

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
            _check_method(__obj, args, kwargs)
            return super().call(__context, __obj, *args, **kwargs)

    # Binary operators go through call_binop only when intercepted.
    Bounded.intercepted_binops = frozenset(["*", "**", "%"])
    return Bounded


# String-producing operations whose size is known from their arguments are checked BEFORE they
# run: a C function allocating gigabytes cannot be stopped by the output or time limits.
def _too_big(size: Any) -> None:
    if isinstance(size, (int, float)) and not isinstance(size, bool) and size > MAX_OUTPUT_CHARS:
        raise PackError(f"模板中的文字运算结果过大（约{int(size)}个字符，上限{MAX_OUTPUT_CHARS}），已拒绝")


def _check_format(spec: Any, *args: Any) -> None:
    """`"%3000000000s" % x`, `"{:3000000000}".format(x)`, `"%*s" % (10**9, x)`: a width or a
    precision past the bound, in the format string or given as a number, is refused."""
    import re

    for digits in re.findall(r"[0-9]+", str(spec)):
        if len(digits) > 7:
            _too_big(int(digits[:18]))
    flat: list[Any] = []
    for a in args:
        flat.extend(a if isinstance(a, (tuple, list)) else a.values() if isinstance(a, dict) else [a])
    for a in flat:
        _too_big(a)


def _check_method(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Bound str methods a template may call: center, ljust, rjust, zfill, expandtabs, replace, format."""
    obj = getattr(obj, "__wrapped__", obj)  # the sandbox hands out str.format wrapped
    owner = getattr(obj, "__self__", None)
    name = getattr(obj, "__name__", "")
    if not isinstance(owner, str):
        return
    given = [*args, *kwargs.values()]
    if name in ("center", "ljust", "rjust", "zfill") and given:
        _too_big(given[0])
    elif name == "expandtabs":
        _too_big(len(owner) * (given[0] if given and isinstance(given[0], int) else 8))
    elif name == "replace" and len(given) >= 2 and isinstance(given[1], str):
        _too_big(len(owner) + (len(owner) + 1) * len(given[1]))
    elif name in ("format", "format_map"):
        _check_format(owner, *given)


def _bounded_filters(filters: dict[str, Any]) -> None:
    """The same bounds on Jinja's filters that build strings from a size argument."""

    def wrap(name: str, size: Any) -> None:
        original = filters[name]

        def bounded(*args: Any, **kwargs: Any) -> Any:
            _too_big(size(*args, **kwargs))
            return original(*args, **kwargs)

        bounded.__dict__.update(original.__dict__)  # keeps Jinja's pass_context/pass_environment marks
        filters[name] = bounded

    def length(value: Any) -> int:
        return len(value) if isinstance(value, (str, list, tuple)) else len(str(value))

    wrap("center", lambda value, width=80, *a, **k: width)
    wrap("indent", lambda s, width=4, *a, **k: (length(s) + 1) * (width if isinstance(width, int) else length(width)))
    wrap("replace", lambda *a, **k: _replace_size(a, length))
    # wordwrap only splits what it is given; its size is that of its input

    wrap("truncate", lambda s, length=255, killwords=False, end="...", *a, **k: len(str(end)))
    wrap("format", lambda value, *args, **kwargs: _format_size(value, args, kwargs))


def _format_size(spec: Any, *args: Any) -> int:
    _check_format(spec, *args)  # raises when a width or a precision is past the bound
    return 0


def _replace_size(args: tuple[Any, ...], length: Any) -> int:
    # do_replace(eval_ctx, s, old, new, count=None): the context comes first
    rest = [a for a in args if not hasattr(a, "autoescape")]
    if len(rest) >= 3:
        return length(rest[0]) + (length(rest[0]) + 1) * length(rest[2])
    return 0


def _product_size(operator: str, left: Any, right: Any) -> int:
    if operator == "*":
        for a, b in ((left, right), (right, left)):
            if isinstance(a, (str, list, tuple)) and isinstance(b, int):
                return len(a) * b
        return 0
    if isinstance(left, int) and isinstance(right, int) and right > 0:
        return int(abs(right) * max(1, abs(left).bit_length()) / 3.3)
    return 0


class _Lazy:
    cls: type | None = None


def _BoundedEnvironment(**kw: Any) -> Any:  # noqa: N802 - a factory standing in for a class
    if _Lazy.cls is None:
        _Lazy.cls = _make_env_class()
    return _Lazy.cls(**kw)


def render_bounded(render: Any, what: str) -> str:
    """Run `render()` (a template's generate, or a list of strings) within the size bound; the
    time bound is `guarded`'s watchdog, which stops a loop that yields nothing as well."""

    def collect() -> str:
        parts: list[str] = []
        size = 0
        for chunk in render():
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise PackError(f"{what}：输出超过{MAX_OUTPUT_CHARS}个字符，已停止")
            parts.append(chunk)
        return "".join(parts)

    return guarded(collect, what)


class RenderTimeout(BaseException):
    """Raised inside a template that ran past MAX_SECONDS (a BaseException: nothing swallows it)."""


_armed = threading.local()


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Stop the code inside after `seconds`, even a loop that prints nothing.

    The sandbox bounds what a template may touch, not how long it runs: a watchdog thread raises
    `RenderTimeout` in this thread (CPython's PyThreadState_SetAsyncExc), between two bytecodes
    of the template's compiled Python. Nested calls share the outermost limit.
    """
    if getattr(_armed, "on", False):
        yield
        return
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"done": False, "fired": False}

    def fire() -> None:
        with lock:
            if not state["done"]:
                state["fired"] = True
                _set_async_exc(target, RenderTimeout)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    _armed.on = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            state["done"] = True
            if state["fired"]:  # fired as the block ended: take back the undelivered exception
                _set_async_exc(target, None)
        _armed.on = False


def _set_async_exc(thread: int, exc: type[BaseException] | None) -> None:
    """Raise `exc` in `thread` (None: take back one not yet delivered). ctypes is imported only
    here, when a watchdog fires: most runs never need it, and importing it costs every run."""
    import ctypes

    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), None if exc is None else ctypes.py_object(exc))


def guarded(call: Any, what: str) -> Any:
    """Call into a pack's templates; every failure becomes a `PackError` naming file and line."""
    from jinja2 import TemplateError
    from jinja2.exceptions import SecurityError

    try:
        with time_limit(MAX_SECONDS):
            return call()
    except RenderTimeout as e:
        raise PackError(f"{what}：渲染超过{MAX_SECONDS:g}秒，已停止（模板中可能有过大的循环）") from e
    except PackError as e:
        if str(e).startswith(what):
            raise
        raise PackError(f"{what}{_where_in_template()}：{e}") from e
    except SecurityError as e:
        raise PackError(f"{what}{_where_in_template()}：模板试图进行不安全的操作，已拒绝（{e}）") from e
    except TemplateError as e:
        raise PackError(f"{what}{_where_in_template()}：{describe_template_error(e)}") from e
    except RecursionError as e:
        raise PackError(f"{what}：模板递归过深，已停止") from e
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, ZeroDivisionError, OverflowError,
            MemoryError) as e:
        raise PackError(f"{what}{_where_in_template()}：模板运行出错（{type(e).__name__}：{e}）") from e


def _where_in_template() -> str:
    """'（sentences.j2第3行）' for the exception being handled, from Jinja's line mapping."""
    import sys
    import traceback

    from jinja2.debug import rewrite_traceback_stack

    exc = sys.exc_info()[1]
    if exc is None:
        return ""
    lineno = getattr(exc, "lineno", None)
    filename = getattr(exc, "filename", None)
    if lineno and filename:
        return f"（{Path(str(filename)).name}第{lineno}行）"
    try:
        rewritten = rewrite_traceback_stack()
    except Exception:  # noqa: BLE001 - a location is a courtesy, never a new failure
        return ""
    found = ""
    for frame in traceback.extract_tb(rewritten.__traceback__):
        name = Path(frame.filename).name
        if name.endswith((".j2", ".jinja", ".html")) and frame.lineno:
            found = f"（{name}第{frame.lineno}行）"
    return found


def describe_template_error(e: Exception) -> str:
    """A Jinja error in Chinese, with the file and line where Jinja knows them."""
    from jinja2 import TemplateSyntaxError, UndefinedError

    if isinstance(e, TemplateSyntaxError):
        where = f"{e.filename or e.name or '模板'}第{e.lineno}行"
        return f"{where}语法错误：{e.message}"
    if isinstance(e, UndefinedError):
        return f"使用了不存在的变量或宏：{e.message}"
    return str(e)
