"""The command line: thin. Parse, call the pipeline, print findings, map outcomes to exit codes.

Exit status: 0 success, 1 invalid data (findings printed), 2 unreadable input or misuse.
"""

from __future__ import annotations

import atexit
import gc
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any

import click

from ..errors import ReportgenError
from ..findings import ERROR, INFO, SEVERITY_LABEL, WARNING, Finding
from ..formats import FORMATS, PUBLISHED_ONLY  # plain data: cheap to import, unlike the renderers
from .chinese import install as _install_chinese

_install_chinese()  # before the commands below create their click types
# At exit the interpreter runs full garbage collections over every object still alive — all the
# modules, formats and templates a command loaded — only to free memory the process is giving
# back anyway: some 5 % of a build's instructions. Frozen objects are skipped by those passes
# (they are still freed by reference counting as modules are torn down). Registered on import,
# so it runs after exit handlers registered later; outputs are written and closed by then, and
# the interpreter flushes the standard streams whatever the collector does.
atexit.register(gc.freeze)

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _funnel(fn: Callable[..., int | None]) -> Callable[..., None]:
    """The one error funnel: reportgen's errors → message and exit 2; never a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        verbose = bool(click.get_current_context().find_root().params.get("verbose"))
        try:
            code = fn(*args, **kwargs) or EXIT_OK
        except ReportgenError as e:
            if verbose:
                import traceback

                traceback.print_exc()
            click.echo(f"错误：{e}", err=True)
            code = e.exit_code
        except KeyboardInterrupt:
            click.echo("已取消。", err=True)
            code = 130
        except BrokenPipeError:
            code = _reader_gone()
        except Exception:  # a bug of ours: a short message, the traceback only with -v
            if verbose:
                raise
            click.echo("内部错误（程序本身的缺陷）。请加 --verbose 重试，并把输出报告给维护者。", err=True)
            code = 3
        sys.exit(code)

    return wrapper


def _reader_gone() -> int:
    """The program reading our output stopped early (`check --all | head -1`): not an error of
    the input. Point stdout at /dev/null so the interpreter's last flush cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (in-process tests): nothing to redirect
        pass
    return EXIT_OK


templates_option = click.option(
    "--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="另外查找模板包的文件夹（也可用环境变量 REPORTGEN_TEMPLATES）。",
)
force_option = click.option("--force", is_flag=True, help="覆盖已存在的文件。")


class _Year(click.ParamType):
    """A four-digit reporting year, refused in Chinese (not click's "not a valid integer")."""

    name = "年份"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        from ..findings import Location
        from ..read.values import parse_year

        parsed = parse_year(value, Location(), "year")
        if parsed.value is None:
            self.fail(parsed.findings[0].message, param, ctx)
        return int(parsed.value)


YEAR = _Year()


def print_findings(findings: Iterable[Finding], *, show_info: bool = False, file: str = "") -> None:
    """Errors and warnings one per line; notes (blank cells read as 0 …) counted unless asked for."""
    findings = list(findings)
    shown = [f for f in findings if show_info or f.severity != INFO]
    order = {ERROR: 0, WARNING: 1, INFO: 2}
    for f in sorted(shown, key=lambda f: order[f.severity]):
        colour = {"error": "red", "warning": "yellow"}.get(f.severity)
        label = click.style(f"[{SEVERITY_LABEL[f.severity]}]", fg=colour, bold=f.severity == ERROR)
        prefix = f"{file}：" if file else ""
        click.echo(f"{label} {prefix}{f}")
        click.echo(f"    处理办法：{f.remedy}")
    infos = Counter(f.message for f in findings if f.severity == INFO)
    if infos and not show_info:
        n = sum(infos.values())
        click.echo(f"[提示] 另有{n}条提示（如空白单元格按0计），加 --all 查看。")
    counts = Counter(f.severity for f in findings)
    click.echo(f"共{counts[ERROR]}个错误，{counts[WARNING]}个警告。")


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="reportgen", message="reportgen %(version)s")
@click.option("-v", "--verbose", is_flag=True, help="出错时显示详细的内部信息（供技术人员排查）。")
def main(verbose: bool) -> None:
    """政府信息公开工作年度报告生成器。

    \b
    典型流程：
      reportgen init 工作簿.xlsx --organ 某某区人民政府 --year 2025
      （在Excel/WPS中填写工作簿）
      reportgen check 工作簿.xlsx
      reportgen build 工作簿.xlsx -o 输出文件夹
    """


@main.command(context_settings=CONTEXT)
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("-o", "--output", "outdir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="批量生成时的输出文件夹（--previous 为文件夹时）。")
@click.option("--organ", default="", help="报告机关全称，如“临沂市兰山区人民政府”。")
@click.option("--year", type=YEAR, default=None, help="统计年度，如 2025（有 --previous 时默认为上年加一）。")
@click.option(
    "--previous",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="上年的工作簿或JSON（或存放各单位上年工作簿的文件夹）：填入“上年数据”表，"
    "并把上年“结转下年度继续办理”填为本年“上年结转”。",
)
@click.option("--format", "edition", type=click.Choice(sorted(k for k in FORMATS if k not in PUBLISHED_ONLY)), default=None,
              help="报告格式（默认为现行的 gov-2021；gov-2019 为2019年版，用于2019、2020年度）。")
@click.option("--sample", is_flag=True, help="写出内置的样例（临沂市兰山区2021年，已填好），供练习和培训。")
@click.option("--partial", is_flag=True,
              help="上年报告（网页、Word、PDF）中有未能读取的部分时，仍只带入已读取的数字。")
@force_option
@_funnel
def init(out: Path | None, outdir: Path | None, organ: str, year: int | None, previous: Path | None,
         edition: str | None, sample: bool, partial: bool, force: bool) -> int:
    """生成待填写的工作簿；--previous 给文件夹时，为其中每个单位各生成一份。

    \b
    例：reportgen init 兰山区2025.xlsx --organ 临沂市兰山区人民政府 --year 2025 --previous 兰山区2024.xlsx
        reportgen init --previous 2024年各单位 -o 2025年各单位
    """
    from ..app.newyear import new_year
    from ..errors import UserError
    from ..read import load
    from ..write import check_save_suffix, save

    if previous is not None and previous.is_dir():
        return _init_many(previous, outdir or out, year, force)
    if out is None:
        raise UserError("请指定要生成的工作簿文件名", hint="例如：reportgen init 兰山区2025.xlsx")
    check_save_suffix(out)
    if previous is not None:
        from ..write.atomic import refuse_overwriting_input

        refuse_overwriting_input(out, [previous], "新工作簿")
    if out.exists() and not force:
        raise UserError("文件已存在", file=str(out), hint="如需覆盖，请加 --force")
    if sample:
        from ..resources import sample_json

        save(load(sample_json()), out)
    else:
        report = new_year(organ, year, previous, edition, partial=partial)
        if previous is not None and previous.suffix.lower() not in (".xlsx", ".xlsm", ".json"):
            _print_carried(previous)
        save(report, out)
    if out.suffix.lower() == ".json":
        click.echo(f"已生成JSON数据：{out}")
    else:
        click.echo(f"已生成工作簿：{out}")
        click.echo("请在Excel或WPS中填写黄色单元格，然后运行：reportgen check " + str(out))
    return EXIT_OK


def _print_carried(previous: Path) -> None:
    """What a new year took from a published report, and what it could not find there."""
    from ..app.newyear import carried_from
    from ..read import load

    carried = carried_from(load(previous))
    for line in carried.taken:
        click.echo(f"已带入{line}")
    for line in carried.missing:
        click.echo(click.style(f"未能读取：{line}（相应数字未带入）", fg="yellow"))


def _init_many(previous_dir: Path, outdir: Path | None, year: int | None, force: bool) -> int:
    """This year's workbook for every unit of last year's folder, named after the unit."""
    from ..app.newyear import init_many
    from ..errors import UserError

    if outdir is None:
        raise UserError("批量生成时请用 -o 指定输出文件夹", hint="例如：reportgen init --previous 2024年各单位 -o 2025年各单位")

    def report(source: Path, target: Path | None, error: ReportgenError | None) -> None:
        if error is None:
            click.echo(f"已生成：{target}（上年：{source.name}）")
        else:
            click.echo(click.style(f"[错误] {error}", fg="red"), err=True)

    result = init_many(previous_dir, outdir, year, force=force, progress=report)
    click.echo(f"已生成{len(result.made)}个工作簿，失败{len(result.failed)}个。")
    return EXIT_INVALID if result.failed else EXIT_OK


@main.command(context_settings=CONTEXT)
@click.argument("sources", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="以JSON输出检查结果，供其他系统使用。")
@click.option("--all", "show_info", is_flag=True, help="同时列出全部提示。")
@click.option("--strict", is_flag=True, help="有警告也算不通过（退出状态1），用于发布前的最终核对。")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="把全部检查结果写入工作簿（如 审查结果.xlsx）：每条一行，含文件、机关、年度、代码、位置、说明。")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="同时检查的进程数（默认为CPU核数）。")
@_funnel
def check(sources: tuple[str, ...], as_json: bool, show_info: bool, strict: bool, report_path: Path | None,
          jobs: int | None) -> int:
    """检查工作簿或JSON数据：勾稽关系、数据类型、与上年数据的衔接、正文中的数字。

    可以给多个文件、文件夹或通配符，一次检查各单位的工作簿。

    \b
    例：reportgen check 兰山区2025.xlsx
        reportgen check 各单位/
    """
    from ..app.audit import check_file, check_files, write_findings_workbook
    from ..app.batch import expand_inputs
    from ..write import to_json

    inputs = expand_inputs(sources, published=True)
    if report_path is not None and report_path.suffix.lower() != ".xlsx":
        from ..errors import UserError

        raise UserError("检查结果工作簿应以 .xlsx 结尾", file=str(report_path))
    if len(inputs) == 1 and report_path is None:  # one file: its own message and exit status when unreadable
        one = check_file(inputs[0], strict=strict)
        if as_json:
            click.echo(to_json(one.as_dict()), nl=False)
        else:
            print_findings(one.findings, show_info=show_info, file=str(inputs[0]))
            if one.ok:
                click.echo(click.style("检查通过。", fg="green"))
            elif one.unread:
                click.echo(click.style(f"有{len(one.unread)}处未能读取，无法完整检查（见上）。", fg="red"), err=True)
            elif not any(f.severity == ERROR for f in one.findings):
                click.echo(click.style("有警告，按 --strict 的要求不算通过。", fg="yellow"))
        return _exit_status(one)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("检查"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("check", total=len(inputs))
        checked = check_files(inputs, strict=strict, jobs=jobs, progress=lambda _: bar.advance(task))
    if report_path is not None:
        write_findings_workbook(checked, report_path)
        click.echo(f"已写出检查结果：{report_path}", err=True)
    worst = max(_exit_status(c) for c in checked)
    if as_json:
        click.echo(to_json([c.as_dict() for c in checked]), nl=False)
        return worst
    for c in checked:
        if c.unreadable:
            click.echo(click.style(f"[错误] {c.unreadable}", fg="red", bold=True))
        elif any(f.severity != INFO for f in c.findings):
            print_findings(c.findings, show_info=show_info, file=str(c.file))
    click.echo("")
    for c in checked:
        counts = Counter(f.severity for f in c.findings)
        if c.unreadable:
            status = click.style("无法读取", fg="red")
        elif c.unread:
            status = click.style("未能完整读取", fg="red")
        elif c.ok:
            status = click.style("通过", fg="green")
        else:
            status = click.style(f"{counts[ERROR]}个错误", fg="red")
        click.echo(f"{status}\t{counts[WARNING]}个警告\t{c.file}")
    passed = sum(1 for c in checked if c.ok)
    click.echo(f"共{len(checked)}个文件：{passed}个通过，{len(checked) - passed}个有错误或无法读取。")
    return worst


def _exit_status(checked: Any) -> int:
    """A checked file's exit status: could not be read (2) is not the same as inconsistent (1)."""
    if checked.unreadable or checked.unread:
        return EXIT_UNREADABLE
    return EXIT_OK if checked.ok else EXIT_INVALID


@main.command(context_settings=CONTEXT)
@click.argument("sources", nargs=-1)
@click.option("-o", "--output", "outdir", type=click.Path(file_okay=False, path_type=Path), default=Path(),
              show_default=True, help="输出文件夹；“-”表示把JSON打印到标准输出（配合 --format json）。")
@click.option("-f", "--format", "formats", default="docx,html", show_default=True,
              help="输出格式，逗号分隔：docx,html,pdf,json。")
@click.option("-t", "--template", "template", default=None, envvar="REPORTGEN_TEMPLATE",
              help="模板包名称或文件夹路径（默认为该格式的标准模板包；也可用环境变量 REPORTGEN_TEMPLATE 设定）。")
@templates_option
@click.option("--all", "show_info", is_flag=True, help="同时列出全部提示。")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="同时生成的进程数（多个输入时；默认为CPU核数）。")
@_funnel
def build(sources: tuple[str, ...], outdir: Path, formats: str, template: str | None,
          templates_dir: Path | None, show_info: bool, jobs: int | None) -> int:
    """检查数据并生成年度报告（默认 DOCX 和 HTML；有 LibreOffice 时可生成 PDF）。

    不给输入文件时，生成内置的样例报告（临沂市兰山区2021年）。

    例：reportgen build 兰山区2025.xlsx -o 报告 --format docx,html,pdf --template lanshan
    """
    # One report is built with the cycle collector paused (see _collector_paused); a batch
    # builds its units in worker processes, each a build of its own, with it running, and the
    # models of many inputs printed to stdout are made with it running too.
    with _collector_paused():
        from ..app.batch import expand_inputs
        from ..app.pipeline import build as run_build
        from ..app.pipeline import parse_formats
        from ..render.packs import find_pack
        from ..resources import sample_workbook

        chosen = parse_formats(formats)
        pack = find_pack(template, templates_dir) if template else None
        if not sources:
            sources = (str(sample_workbook()),)
            click.echo(f"未指定输入文件，使用样例：{sources[0]}", err=str(outdir) == "-")
        inputs = expand_inputs(sources)
        if str(outdir) != "-" and len(inputs) == 1:  # one file, or one that is missing: its own message and exit status
            if "pdf" in chosen:
                _note_missing_fonts(pack or find_pack(None, templates_dir))
            result = run_build(inputs[0], outdir, chosen, pack)
            print_findings(result.findings, show_info=show_info, file=str(inputs[0]))
            if result.failed:
                click.echo(click.style("存在错误，未生成报告。", fg="red"), err=True)
                return EXIT_INVALID
            for path in result.outputs:
                click.echo(f"已生成：{path}")
            return EXIT_OK
    if str(outdir) == "-":
        return _print_model(inputs, chosen, pack)
    if "pdf" in chosen:
        _note_missing_fonts(pack or find_pack(None, templates_dir))
    results = _build_batch(inputs, outdir, chosen, template, templates_dir, jobs)
    return EXIT_OK if all(r.ok for r in results) else EXIT_INVALID


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cycle collector paused for one report's build. Its passes over the objects that the
    build's imports create (every module, class and template, all alive until the process ends)
    cost some 2 % of a build's instructions and free next to nothing: one build leaves well under
    a megabyte of cyclic garbage behind."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            # Everything made meanwhile goes to the oldest generation without being looked at
            # (freeze, then unfreeze into it), as if it had survived the young collections:
            # re-enabled as is, the collector would first pass over all of it at once. The next
            # full collection frees what of it is garbage.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _note_missing_fonts(pack: Any) -> None:
    from ..render.fonts import missing_fonts_note, pack_fonts

    note = missing_fonts_note(pack_fonts(pack))
    if note:
        click.echo(click.style("[提示] ", fg="cyan") + note, err=True)


@main.command(context_settings=CONTEXT)
@click.option("-t", "--template", "template", default=None, envvar="REPORTGEN_TEMPLATE",
              help="模板包名称或文件夹（默认 standard）。")
@click.option("--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="另外查找模板包的文件夹。")
@_funnel
def fonts(template: str | None, templates_dir: Path | None) -> int:
    """列出模板包 Word 模板使用的字体：本机是否安装，缺少时 PDF 用什么字体代替。

    例：reportgen fonts --template lanshan
    """
    from ..render.fonts import pack_fonts
    from ..render.packs import find_pack

    pack = find_pack(template, templates_dir)
    statuses = pack_fonts(pack)
    if not statuses:
        click.echo(f"模板包“{pack.name}”没有 Word 模板。")
        return EXIT_OK
    for s in statuses:
        role = f"（{s.role}）" if s.role else ""
        if s.installed is None:
            state = "无法检查（本机没有 fontconfig 的 fc-list）"
        elif s.installed:
            state = "已安装"
        else:
            state = click.style(f"未安装，PDF 中用 {s.stand_in} 代替", fg="yellow")
        click.echo(f"{s.name}{role}：{state}")
    if any(s.installed is False and s.role for s in statuses):
        click.echo(
            "Word/WPS 打开 DOCX 时同样需要这些字体才能显示正式公文的字形；"
            "安装方法见 docs/user-guide.md 的“字体”一节。"
        )
    return EXIT_OK


def _print_model(inputs: list[Path], formats: tuple[str, ...], pack: Any) -> int:
    """`-o -`: the computed model as JSON on stdout (findings on stderr), for other systems."""
    from ..app.pipeline import analyse, computed_model
    from ..errors import UserError
    from ..read import load
    from ..write import to_json

    if formats != ("json",) or len(inputs) != 1:
        raise UserError("“-o -”只能与 --format json 和一个输入文件一起使用")
    analysis = analyse(load(inputs[0]), pack)
    if analysis.failed:
        for f in analysis.findings:
            if f.severity == ERROR:
                click.echo(f"[错误] {inputs[0]}：{f}", err=True)
                click.echo(f"    处理办法：{f.remedy}", err=True)
        return EXIT_INVALID
    click.echo(to_json(computed_model(analysis.report, analysis.context(), analysis.findings)), nl=False)
    return EXIT_OK


def _build_batch(inputs: list[Path], outdir: Path, formats: tuple[str, ...], template: str | None,
                 templates_dir: Path | None, jobs: int | None) -> list[Any]:
    """Build many units in parallel with a progress bar, then print a summary table."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from ..app.batch import build_many

    console = Console(stderr=True)
    with Progress(TextColumn("生成报告"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("build", total=len(inputs))
        results = build_many(inputs, outdir, formats, template, templates_dir, jobs=jobs,
                             progress=lambda _: bar.advance(task))
    table = Table(title=f"共{len(results)}个单位", show_lines=False)
    for column in ("文件", "结果", "警告", "说明"):
        table.add_column(column, overflow="fold")
    for r in results:
        status = "[green]已生成[/green]" if r.ok else "[red]失败[/red]"
        detail = "、".join(p.name for p in r.outputs) if r.ok else r.reason()
        table.add_row(r.source.name, status, str(r.warnings), detail)
    Console(width=160).print(table)
    failed = sum(1 for r in results if not r.ok)
    click.echo(f"已生成{len(results) - failed}个，失败{failed}个。")
    return results


@main.command(context_settings=CONTEXT)
@click.argument("units", nargs=-1, required=True)
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="汇总后的工作簿（.xlsx）。")
@click.option("--organ", default="", help="汇总报告的机关全称，如“临沂市兰山区人民政府”。")
@click.option("--year", type=YEAR, default=None, help="统计年度（默认取各单位的年度）。")
@click.option("--skip-invalid", is_flag=True, help="跳过有错误的单位（并列出），而不是停止。")
@force_option
@_funnel
def merge(units: tuple[str, ...], out: Path, organ: str, year: int | None, skip_invalid: bool, force: bool) -> int:
    """把各单位的工作簿（或JSON）汇总成本级的工作簿。

    先逐个检查各单位；有错误时列出并停止（或用 --skip-invalid 跳过）。汇总表格数字和上年数据，
    正文留给本级填写，另附“单位汇总”表列出各单位的主要数字。

    例：reportgen merge 各单位/*.xlsx -o 兰山区2025.xlsx --organ 临沂市兰山区人民政府
    """
    from ..app.batch import expand_inputs
    from ..app.merge import merge_files
    from ..errors import UserError
    from ..write import check_save_suffix, save

    check_save_suffix(out, "汇总结果的文件名")
    if out.exists() and not force:
        raise UserError("文件已存在", file=str(out), hint="如需覆盖，请加 --force")
    from ..write.atomic import refuse_overwriting_input

    # A file named on the command line is an input, never the output; last run's result found
    # in a folder being merged is not an input, and is left out.
    named = [u for u in units if not Path(u).is_dir()]
    refuse_overwriting_input(out, expand_inputs(named) if named else [], "汇总结果")
    sources = [p for p in expand_inputs(units) if p.resolve() != out.resolve()]
    from rich.console import Console

    with Console(stderr=True).status(f"正在读取和检查{len(sources)}个单位……"):
        result = merge_files(sources, organ=organ, year=year, skip_invalid=skip_invalid)
    for problem in result.problems:
        click.echo(click.style(f"[错误] {problem.source}", fg="red", bold=True))
        for message in problem.messages:
            click.echo(f"    {message}")
    if result.report is None:
        click.echo(f"{len(result.problems)}个单位有错误，未汇总。改正后重试，或加 --skip-invalid 跳过这些单位。")
        return EXIT_INVALID
    if result.skipped:
        click.echo(click.style(f"已跳过{len(result.skipped)}个有错误的单位。", fg="yellow"))
    if not organ:
        click.echo(click.style("提示：未指定 --organ，请在汇总工作簿“基本信息”中填写机关全称。", fg="yellow"))
    save(result.report, out)
    click.echo(f"已汇总{len(result.report.units)}个单位：{out}")
    click.echo("请在“正文”表填写本级的文字，然后运行：reportgen build " + str(out))
    return EXIT_OK


@main.command(context_settings=CONTEXT)
@click.argument("sources", nargs=-1, required=True)
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), required=True,
              help="OUT.json（一个输入）、OUT.xlsx 或 OUT.csv（每份报告一行、每个数字一列），或文件夹（每份一个JSON）。")
@force_option
@_funnel
def extract(sources: tuple[str, ...], out: Path, force: bool) -> int:
    """从已发布的年度报告（网页、Word、PDF、文本）或工作簿、JSON中提取数字，汇成数据集。

    报告中印出的合计照印出的记录（与各项之和不符时也不改）；未能读取的数字留空，退出状态为2
    （只有一个输入时不写出文件）。

    \b
    例：reportgen extract 2024年各区报告/ -o 数据.xlsx
        reportgen extract 某区2024年报告.html -o 某区2024.json
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ..app.batch import expand_inputs
    from ..app.extract import read_all, write_extract
    from ..errors import UserError

    if out.exists() and out.is_file() and not force:
        raise UserError("文件已存在", file=str(out), hint="如需覆盖，请加 --force")
    inputs = expand_inputs(sources, published=True)
    if len(inputs) == 1:  # one file: its own message and exit status when unreadable
        from ..app.extract import Extracted
        from ..read import load

        extracted = Extracted(reports=[(inputs[0], load(inputs[0]))])
    else:
        with Progress(TextColumn("提取"), BarColumn(), MofNCompleteColumn(), console=Console(stderr=True),
                      transient=True) as bar:
            task = bar.add_task("extract", total=len(inputs))
            extracted = read_all(inputs, progress=lambda _: bar.advance(task))
    for error in extracted.failed:
        click.echo(click.style(f"[无法读取] {error}", fg="red"), err=True)
    partial = 0
    for source, report in extracted.reports:
        unread = [f for f in report.findings if f.code == "not_read"]
        partial += bool(unread)
        for f in unread:
            click.echo(click.style(f"[未能读取] {source}：{f.message}", fg="yellow"), err=True)
    if len(inputs) == 1 and partial:
        # one report, part of it not read: nothing half-written (as check, exit 2); a collection's
        # dataset is still written, the figures not read left blank
        click.echo(f"未生成{out}：报告中有未能读取的部分（见上），请核对该文件是否为完整的年度报告。", err=True)
        return EXIT_UNREADABLE
    written = write_extract(extracted, out)
    for path in written[:5]:
        click.echo(f"已生成：{path}")
    if len(written) > 5:
        click.echo(f"……共{len(written)}个文件")
    some = f"（其中{partial}份有未能读取的部分，相应数字留空）" if partial else ""
    click.echo(f"已提取{len(extracted.reports)}份报告{some}，无法读取{len(extracted.failed)}份。")
    return EXIT_UNREADABLE if extracted.failed or partial or not extracted.reports else EXIT_OK


@main.group(context_settings=CONTEXT)
def templates() -> None:
    """管理模板包：列出、复制、检查。"""


@templates.command("list", context_settings=CONTEXT)
@templates_option
@_funnel
def templates_list(templates_dir: Path | None) -> int:
    """列出可用的模板包。"""
    from ..render.packs import available

    for pack in available(templates_dir):
        extends = pack.extends or "—"
        click.echo(f"{pack.name}\t{pack.display_name}\t继承：{extends}\t来源：{pack.origin}（{pack.path}）")
    return EXIT_OK


@templates.command("new", context_settings=CONTEXT)
@click.argument("name")
@click.option("--from", "source", default="standard", show_default=True, help="复制哪个模板包。")
@click.option("-o", "--output", "dest", type=click.Path(file_okay=False, path_type=Path), default=Path(),
              show_default=True, help="新模板包放在哪个文件夹下。")
@templates_option
@_funnel
def templates_new(name: str, source: str, dest: Path, templates_dir: Path | None) -> int:
    """复制一个模板包以便修改（含可直接用Word/WPS打开的 report.docx）。

    例：reportgen templates new 某某市 --from lanshan
    """
    from ..app.packcheck import new_pack
    from ..render.packs import find_pack

    path = new_pack(name, find_pack(source, templates_dir), dest)
    click.echo(f"已生成模板包：{path}")
    # "./name", not "name": a bare name is looked up among the installed packs, a path is not
    shown = str(path) if path.is_absolute() else f"./{path.as_posix()}"
    click.echo(f"使用：reportgen build 工作簿.xlsx --template {shown}")
    return EXIT_OK


@templates.command("check", context_settings=CONTEXT)
@click.argument("pack")
@templates_option
@_funnel
def templates_check(pack: str, templates_dir: Path | None) -> int:
    """用样例数据试生成，检查模板包的语法错误、未知变量或宏、超出范围的设置。

    例：reportgen templates check ./某某市
    """
    from ..app.packcheck import check_pack, pack_warnings

    problems = check_pack(pack, templates_dir)
    for line in problems:
        click.echo(click.style("[错误] ", fg="red") + line)
    for line in pack_warnings(pack, templates_dir):
        click.echo(click.style("[警告] ", fg="yellow") + line)
    if problems:
        click.echo(f"共{len(problems)}个问题。")
        return EXIT_INVALID
    click.echo(click.style("模板包检查通过。", fg="green"))
    return EXIT_OK


@main.command(context_settings=CONTEXT)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听的地址；默认只有本机能访问。0.0.0.0 让同一网络中的任何人都能访问（不建议）。")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="端口。")
@click.option("--data", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="各单位工作簿所在的文件夹：开启“区县汇总”页面（列出各单位的检查结果，一键汇总并生成）。")
@click.option("--open", "open_browser", is_flag=True, help="启动后在浏览器中打开页面。")
@_funnel
def serve(host: str, port: int, data: Path | None, open_browser: bool) -> int:
    """在浏览器中使用：拖入工作簿即可检查、预览并下载报告（本机网页，文件不发送到别处）。

    需要网页组件：在 reportgen 文件夹中运行 pip install ".[web]"。

    \b
    例：reportgen serve --open
        reportgen serve --data 2025年各单位
    """
    from ..errors import UserError

    try:
        from reportgen.app.serve import NETWORK_WARNING, is_loopback, serve_forever
    except ModuleNotFoundError as e:
        missing = (e.name or "").split(".")[0]
        raise UserError(f"网页界面需要另外安装组件（缺少 {missing}）",
                        hint='请在 reportgen 文件夹中运行：pip install ".[web]"') from e
    if not is_loopback(host):
        click.echo(click.style(NETWORK_WARNING.format(host=host), fg="yellow", bold=True), err=True)

    def ready(url: str) -> None:
        click.echo(f"reportgen 工作台已启动：{url}（在浏览器中打开；按 Ctrl+C 停止）")
        if open_browser:
            import webbrowser

            webbrowser.open(url)

    serve_forever(host, port, data, ready)
    click.echo("已停止。")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    main()
