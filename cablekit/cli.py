"""The cablekit command: parses options, calls the library (cablekit, cablekit.batch,
cablekit.reports), renders what happened. Exit codes: 0 all converted/valid, 1 something
invalid or unreadable, 2 usage error or internal failure.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from cablekit.batch import Discovery, Outcome, Run
    from cablekit.reports import FileResult

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

# Schemas `cablekit schema NAME` prints, by the file they are shipped as.
SCHEMA_FILES = {
    "json": "cable.schema.json",
    "tei-rng": "cable-tei.rng",
    "tei-sch": "cable-tei.sch",
}
FORMAT_NOTES = {
    "text": "telegram text: the seed form (metadata block + telegram) or a bare telegram",
    "html": 'a cablegate "Cable Viewer" page',
    "json": "one cable as JSON (schema: cablekit schema json)",
    "jsonl": "many cables, one JSON document a line",
    "tei": "one cable as TEI XML (schemas: cablekit schema tei-rng, tei-sch)",
    "csv": "the bulk cables.csv of the release (many cables; outputs named by cable id)",
}
SUMMARY_FAILURES = 20  # failures named in the closing summary; the rest are counted

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Convert and validate US diplomatic cables (telegram text, cablegate pages, "
    "the bulk cables.csv, JSON, JSON Lines, TEI).\n\n"
    "Exit codes: 0 everything converted/valid; 1 something invalid or unreadable; "
    "2 usage error or internal failure.",
)


class Failure(Exception):
    """Stop the command with a message and an exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def _err(line: str) -> None:
    sys.stderr.write(line + "\n")


def _version(value: bool) -> None:
    if value:
        import cablekit

        typer.echo(f"cablekit {cablekit.__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Convert and validate US diplomatic cables.

    Exit codes: 0 everything converted/valid; 1 something invalid or unreadable;
    2 usage error or internal failure.
    """


# --- shared option handling ---------------------------------------------------------------


def _fmt(value: str | None) -> str | None:
    return None if value in (None, "", "auto") else value


def _parse_reports(values: list[str] | None) -> list[tuple[str, str]]:
    from cablekit.reports import FORMATS

    out = []
    for v in values or []:
        fmt, sep, path = v.partition(":")
        if not sep or fmt not in FORMATS or not path:
            raise Failure(
                f"--report {v!r}: expected FORMAT:PATH with FORMAT one of {', '.join(FORMATS)}"
            )
        out.append((fmt, path))
    return out


def _discover(
    inputs: list[str] | None,
    files_from: list[str] | None,
    null: bool,
    fmt: str | None,
    exclude: list[str] | None,
    skip: list[str],
) -> Discovery:
    from cablekit.batch import BatchError, discover, read_file_list

    if not inputs and not files_from:
        raise Failure("no inputs: give files, folders, patterns, - or --files-from FILE")
    if null and not files_from:
        raise Failure("-0/--null reads a --files-from list: give --files-from FILE")
    if "-" in (inputs or []) and "-" in (files_from or []):
        raise Failure("standard input cannot be both a cable (-) and a list (--files-from -)")
    try:
        listed = [p for f in files_from or [] for p in read_file_list(f, null)]
    except BatchError as e:
        raise Failure(str(e)) from None
    return discover(inputs or [], listed=listed, fmt=fmt, exclude=exclude or [], skip=skip)


def _jobs(value: int | None) -> int:
    from cablekit.batch import default_jobs

    if value is None or value == 0:
        return default_jobs()
    if value < 0:
        raise Failure("-j/--jobs must be a positive number")
    return value


@dataclass(slots=True)
class _Screen:
    """Progress on a terminal only; lines printed above it. Quiet and plain otherwise."""

    total: int
    enabled: bool
    _progress: Any = None
    _task: Any = None
    _last: float = 0.0
    _pending: int = field(default=0)

    @contextmanager
    def running(self, what: str) -> Iterator[_Screen]:
        if not self.enabled:
            yield self
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        # No refresh thread: worker processes are forked while this is open.
        progress = Progress(
            TextColumn(what),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            auto_refresh=False,
            transient=True,
            redirect_stdout=False,  # standard output carries results, never the bar
            redirect_stderr=False,
        )
        with progress:
            self._progress = progress
            self._task = progress.add_task(what, total=self.total or None)
            try:
                yield self
            finally:
                self._progress = None

    def advance(self) -> None:
        if self._progress is None:
            return
        self._pending += 1
        now = time.monotonic()
        if now - self._last > 0.1:
            self._progress.advance(self._task, self._pending)
            self._pending = 0
            self._progress.refresh()
            self._last = now

    def err(self, line: str) -> None:
        if self._progress is not None:
            self._progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            _err(line)

    def out(self, line: str) -> None:
        """A result line: to standard output, above the bar when both are one terminal."""
        if self._progress is not None and sys.stdout.isatty():
            self._progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            sys.stdout.write(line + "\n")


def _show_progress(flag: bool | None, quiet: bool) -> bool:
    if flag is not None:
        return flag
    return not quiet and sys.stderr.isatty()


def _refuse_inputs(run: Run, reports: list[tuple[str, str]]) -> None:
    """Inputs are only ever read: a ledger or report that names one is a usage error."""
    inputs = set(run.real_inputs().values())
    named = [("ledger", str(run.ledger_path) if run.ledger_path else None)]
    named += [(f"{fmt} report", path) for fmt, path in reports]
    for what, path in named:
        if path and path != "-" and os.path.realpath(path) in inputs:
            raise Failure(f"{path}: the {what} would overwrite an input (inputs are only read)")


def _write_reports(reports: list[tuple[str, str]], results: list[FileResult], title: str) -> None:
    import cablekit
    from cablekit.batch import write_atomic
    from cablekit.reports import github_step_summary, render, render_junit

    for fmt, path in reports:
        if fmt == "junit":  # the test suite is named after the command that ran
            text = render_junit(results, title)
        else:
            text = render(fmt, results, cablekit.__version__)
        if path == "-":
            sys.stdout.write(text)
            sys.stdout.flush()
            continue
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, text.encode("utf-8"))
        except OSError as e:
            raise Failure(f"{path}: cannot write the {fmt} report: {e.strerror or e}") from None
    if any(fmt == "github" for fmt, _ in reports):
        _step_summary(github_step_summary(results, title))


def _step_summary(markdown: str) -> None:
    """Append to the job summary page GitHub Actions shows, when running there."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as f:
            f.write(markdown)
    except OSError as e:
        _err(f"cablekit: cannot append to $GITHUB_STEP_SUMMARY ({path}): {e.strerror or e}")


def _run_guarded(body: Any) -> None:
    """Run a command body, turning expected stops into messages and exit codes."""
    from cablekit.batch import BatchError

    try:
        code = body()
    except Failure as e:
        _err(f"cablekit: {e}")
        raise typer.Exit(e.code) from None
    except BatchError as e:
        _err(f"cablekit: {e}")
        raise typer.Exit(EXIT_USAGE) from None
    except KeyboardInterrupt:
        _err("cablekit: interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    raise typer.Exit(code)


# --- convert ------------------------------------------------------------------------------

InputsArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Cable files, folders (searched recursively), quoted patterns ('**/*.html'), "
        "or - for standard input.",
        show_default=False,
    ),
]
FromOpt = Annotated[
    str,
    typer.Option(
        "-f",
        "--from",
        help="Input format: auto|text|html|json|jsonl|tei|csv (auto: from the content; "
        "*.csv and *.jsonl by name).",
    ),
]
FilesFromOpt = Annotated[
    list[str] | None,
    typer.Option("--files-from", metavar="FILE", help="Read input paths from FILE (- = stdin)."),
]
NullOpt = Annotated[
    bool, typer.Option("-0", "--null", help="--files-from lists are NUL-separated.")
]
JobsOpt = Annotated[
    int | None,
    typer.Option("-j", "--jobs", help="Worker processes (default: the machine's cores)."),
]
FailFastOpt = Annotated[bool, typer.Option("--fail-fast", help="Stop at the first failure.")]
ExitZeroOpt = Annotated[
    bool, typer.Option("--exit-zero", help="Exit 0 even when inputs fail (reporting jobs).")
]
ReportOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--report",
        metavar="FORMAT:PATH",
        help="Also write a report (text|json|github|junit|sarif) to PATH; repeatable.",
    ),
]
ExcludeOpt = Annotated[
    list[str] | None,
    typer.Option("--exclude", metavar="PATTERN", help="Skip files matching PATTERN in folders."),
]
LedgerOpt = Annotated[
    Path | None,
    typer.Option("--ledger", help="Ledger file (convert default: OUTDIR/cablekit.ledger.jsonl)."),
]
QuietOpt = Annotated[bool, typer.Option("-q", "--quiet", help="Print problems only.")]
EncodingOpt = Annotated[
    str | None,
    typer.Option(
        "-e",
        "--encoding",
        metavar="NAME",
        help="Encoding of telegram text inputs (default utf-8; latin-1, cp1252...). Text "
        "outputs are written back in it; JSON is UTF-8 and XML and web pages name their own.",
    ),
]
ProgressOpt = Annotated[
    bool | None,
    typer.Option("--progress/--no-progress", help="Progress bar (default: on a terminal)."),
]


@app.command()
def convert(
    inputs: InputsArg = None,
    to: Annotated[
        list[str] | None,
        typer.Option(
            "-t",
            "--to",
            metavar="FORMAT",
            help="Output format: json|tei|text|jsonl. Several (-t json -t tei, or -t json,tei) "
            "read each input once and write one file per format.",
        ),
    ] = None,
    from_: FromOpt = "auto",
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            metavar="OUTDIR",
            help="Output folder; the output tree mirrors the input tree. - or none: "
            "standard output (one cable, or -t jsonl). With -t jsonl, a *.jsonl path "
            "names the file.",
        ),
    ] = None,
    files_from: FilesFromOpt = None,
    null: NullOpt = False,
    jobs: JobsOpt = None,
    fail_fast: FailFastOpt = False,
    exit_zero: ExitZeroOpt = False,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Skip inputs the ledger records as converted with the same input hash, "
            "output hash and versions.",
        ),
    ] = False,
    ledger: LedgerOpt = None,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify",
            help="Read each output back and check it gives the same telegram "
            "(writers already check outputs against the schemas).",
        ),
    ] = False,
    exclude: ExcludeOpt = None,
    report: ReportOpt = None,
    quiet: QuietOpt = False,
    progress: ProgressOpt = None,
    encoding: EncodingOpt = None,
) -> None:
    """Convert cables, one output file per input and format (a bulk CSV: one per cable,
    named by id)."""
    _run_guarded(
        lambda: _convert(
            inputs,
            to,
            _fmt(from_),
            output,
            files_from,
            null,
            _jobs(jobs),
            fail_fast,
            exit_zero,
            resume,
            ledger,
            verify,
            exclude,
            _parse_reports(report),
            quiet,
            progress,
            encoding,
        )
    )


def _convert(
    inputs: list[str] | None,
    to: list[str] | None,
    from_fmt: str | None,
    output: str | None,
    files_from: list[str] | None,
    null: bool,
    jobs: int,
    fail_fast: bool,
    exit_zero: bool,
    resume: bool,
    ledger: Path | None,
    verify: bool,
    exclude: list[str] | None,
    reports: list[tuple[str, str]],
    quiet: bool,
    progress: bool | None,
    encoding: str | None = None,
) -> int:
    from cablekit.batch import CONVERTED, LEDGER_NAME, FileTally, Options, Run

    formats = [f.strip() for t in to or [] for f in t.split(",") if f.strip()]
    if not formats:
        raise Failure("-t/--to is required: json, tei, text or jsonl")
    to_text = ", ".join(formats)
    outdir = Path(output) if output not in (None, "-") else None
    skip = [str(outdir)] if outdir is not None else []
    discovery = _discover(inputs, files_from, null, from_fmt, exclude, skip)
    options = Options(
        "convert",
        to_fmt=formats[0],
        also_to=tuple(formats[1:]),
        from_fmt=from_fmt,
        outdir=outdir,
        jobs=jobs,
        verify=verify,
        resume=resume,
        ledger=ledger,
        encoding=encoding,
    )
    stdout = sys.stdout.buffer if outdir is None else None
    run = Run(discovery, options, stdout=stdout)
    _refuse_inputs(run, reports)
    started = time.perf_counter()
    converted = skipped = failed = internal = 0
    failures: list[str] = []
    results: list[FileResult] = []
    tally: FileTally | None = None
    screen = _Screen(run.total, _show_progress(progress, quiet))
    stopped = False
    # closing(): a Ctrl-C or --fail-fast stops the run at once, its ledger complete.
    with screen.running(f"to {to_text}"), closing(iter(run)) as outcomes:
        for group in _per_input(outcomes, len(formats)):
            screen.advance()
            if reports:
                if tally is not None and tally.path != group[0].path:
                    results.append(tally.result())
                    tally = None
                tally = tally or FileTally(group[0].path)
                tally.add_input(group)
            # An input that failed as a whole says so once, not once per output format.
            shown = dict.fromkeys(d for o in group for d in o.diagnostics)
            bad = [o for o in group if o.verdict != CONVERTED]
            if not bad:
                converted += 1
                skipped += all(o.skipped for o in group)
                for d in shown:  # warnings about an input that still converted
                    screen.err(_line(d, group[0].path))
                continue
            failed += 1
            internal += any(o.internal for o in group)
            for d in shown:
                screen.err(_line(d, group[0].path))
            if len(failures) < SUMMARY_FAILURES:
                failures.append(_failure(bad[0]))
            if fail_fast:
                stopped = True
                break
    if tally is not None:
        results.append(tally.result())
    elapsed = time.perf_counter() - started

    if reports:
        _write_reports(reports, results, f"cablekit convert -t {','.join(formats)}")
    ok = failed == 0
    if not quiet or not ok:
        done = converted - skipped
        rate = f", {done / elapsed:,.0f} cables/s" if elapsed >= 1 and done else ""
        where = "standard output" if outdir is None else str(run.jsonl_target or outdir)
        parts = [
            f"converted {converted:,} of {converted + failed:,} cables to {to_text} in {where}"
        ]
        if skipped:
            parts.append(f"{skipped:,} already done (ledger)")
        _err("; ".join(parts) + f" ({elapsed:.2f} s{rate})")
        if failed:
            _err(f"{failed:,} failed:")
            for f in failures:
                _err(f"  {f}")
            if failed > len(failures):
                ledger_path = run.ledger_path or (outdir or Path(".")) / LEDGER_NAME
                _err(f"  ... and {failed - len(failures):,} more (see {ledger_path})")
        if stopped:
            _err("stopped at the first failure (--fail-fast)")
            if run.jsonl_target is not None:
                _err(f"{run.jsonl_target} not written: a JSON Lines file is written whole or not")
    if internal:
        _err("cablekit: some inputs failed for reasons outside them (CK-INTERNAL, CK-WRITE above)")
        return EXIT_USAGE
    if ok:
        return EXIT_OK
    return EXIT_OK if exit_zero else EXIT_FAILED


def _per_input(outcomes: Iterable[Outcome], per: int) -> Iterator[list[Outcome]]:
    """Outcomes gathered per input (per cable of a file of many): a run with several
    output formats gives one outcome per format, one after the other."""
    group: list[Outcome] = []
    for o in outcomes:
        if group and (o.path, o.record) != (group[0].path, group[0].record):
            yield group
            group = []
        group.append(o)
        if len(group) == per:
            yield group
            group = []
    if group:
        yield group


def _line(d: Any, path: str) -> str:
    from cablekit.reports import text_line

    return str(text_line(d, path))


def _failure(o: Outcome) -> str:
    first = o.diagnostics[0] if o.diagnostics else None
    where = o.path
    if o.record is not None:
        where = f"{o.path}:{o.record[0]} ({o.record[1]})"
    elif first is not None and first.line:
        where = f"{o.path}:{first.line}"
    what = f"{first.code} {first.message}" if first else o.verdict
    from cablekit.reports import printable

    return printable(f"{where}: {what}")


# --- validate -----------------------------------------------------------------------------


@app.command()
def validate(
    paths: InputsArg = None,
    from_: FromOpt = "auto",
    format_: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="Console output: text|json|github|junit|sarif "
            "(default: github under GitHub Actions, else text).",
        ),
    ] = None,
    report: ReportOpt = None,
    files_from: FilesFromOpt = None,
    null: NullOpt = False,
    jobs: JobsOpt = None,
    fail_fast: FailFastOpt = False,
    exit_zero: ExitZeroOpt = False,
    rules: Annotated[
        bool, typer.Option("--rules/--no-rules", help="Run the cable rules after the schemas.")
    ] = True,
    select: Annotated[
        list[str] | None,
        typer.Option("--select", metavar="CODE", help="Only these rules (code or prefix)."),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", metavar="CODE", help="Not these rules (code or prefix)."),
    ] = None,
    ledger: Annotated[
        Path | None, typer.Option("--ledger", help="Also record each file in a ledger.")
    ] = None,
    exclude: ExcludeOpt = None,
    quiet: QuietOpt = False,
    progress: ProgressOpt = None,
    encoding: EncodingOpt = None,
) -> None:
    """Validate cables in any supported format: schema checks, then the cable rules.

    Each file is valid, invalid, or not checked (unreadable, unknown format); a file that
    could not be checked is never counted as valid.
    """
    _run_guarded(
        lambda: _validate(
            paths,
            _fmt(from_),
            format_,
            _parse_reports(report),
            files_from,
            null,
            _jobs(jobs),
            fail_fast,
            exit_zero,
            rules,
            tuple(select) if select else None,
            tuple(ignore or ()),
            ledger,
            exclude,
            quiet,
            progress,
            encoding,
        )
    )


def _validate(
    paths: list[str] | None,
    from_fmt: str | None,
    console: str | None,
    reports: list[tuple[str, str]],
    files_from: list[str] | None,
    null: bool,
    jobs: int,
    fail_fast: bool,
    exit_zero: bool,
    rules: bool,
    select: tuple[str, ...] | None,
    ignore: tuple[str, ...],
    ledger: Path | None,
    exclude: list[str] | None,
    quiet: bool,
    progress: bool | None,
    encoding: str | None = None,
) -> int:
    import cablekit
    from cablekit.batch import FileTally, Options, Run
    from cablekit.reports import (
        FORMATS,
        VALID,
        github_step_summary,
        render,
        summarize,
        summary_line,
        text_lines,
    )

    if console is None:
        console = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    if console not in FORMATS:
        raise Failure(f"--format {console!r}: expected one of {', '.join(FORMATS)}")
    discovery = _discover(paths, files_from, null, from_fmt, exclude, [])
    options = Options(
        "validate",
        from_fmt=from_fmt,
        jobs=jobs,
        ledger=ledger,
        rules=rules,
        select=select,
        ignore=ignore,
        encoding=encoding,
    )
    run = Run(discovery, options)
    _refuse_inputs(run, reports)
    results: list[FileResult] = []
    stream = console == "text"

    screen = _Screen(run.total, _show_progress(progress, quiet))

    def finish(r: FileResult) -> bool:
        results.append(r)
        if stream:
            for line in text_lines(r):
                screen.out(line)
        return r.verdict != VALID

    stopped = False
    internal = 0
    tally: FileTally | None = None
    with screen.running("validating"), closing(iter(run)) as outcomes:
        for o in outcomes:
            screen.advance()
            internal += o.internal
            if tally is not None and tally.path != o.path:
                if finish(tally.result()) and fail_fast:
                    tally = None
                    stopped = True
                    break
                tally = None
            tally = tally or FileTally(o.path)
            tally.add(o)
        if tally is not None:
            stopped = finish(tally.result()) and fail_fast
    sys.stdout.flush()
    if not stream:
        sys.stdout.write(render(console, results, cablekit.__version__))
        sys.stdout.flush()
    if console == "github" and not any(fmt == "github" for fmt, _ in reports):
        # One summary per run: a github report file writes it too.
        _step_summary(github_step_summary(results))
    if reports:
        _write_reports(reports, results, "cablekit validate")
    summary = summarize(results)
    if not quiet or not summary.ok:
        _err(summary_line(summary))
        if not stream:  # the problems went to a report: name the files here
            bad = [r for r in results if r.verdict != VALID]
            for r in bad[:SUMMARY_FAILURES]:
                first = r.diagnostics[0] if r.diagnostics else None
                _err(f"  {r.path}: {r.verdict}" + (f" ({first.code})" if first else ""))
            if len(bad) > SUMMARY_FAILURES:
                _err(f"  ... and {len(bad) - SUMMARY_FAILURES:,} more")
        if stopped:
            _err("stopped at the first file that is not valid (--fail-fast)")
    if internal:
        _err("cablekit: some inputs failed for reasons outside them (CK-INTERNAL, CK-WRITE above)")
        return EXIT_USAGE
    if summary.ok:
        return EXIT_OK
    return EXIT_OK if exit_zero else EXIT_FAILED


# --- inspect, schema, formats -------------------------------------------------------------


@app.command()
def inspect(
    file: Annotated[str, typer.Argument(help="One cable file, or - for standard input.")],
    from_: FromOpt = "auto",
    encoding: EncodingOpt = None,
) -> None:
    """A readable summary of one cable."""
    _run_guarded(lambda: _inspect(file, _fmt(from_), encoding))


def _inspect(file: str, fmt: str | None, encoding: str | None = None) -> int:
    import hashlib

    import cablekit
    from cablekit.formats import sniff

    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as e:
        _err(f"{file}:0:0: ERROR CK-IO {e.strerror or e}")
        return EXIT_FAILED
    from cablekit.formats import FORMATS

    if fmt is not None and fmt not in FORMATS:
        _err(f"cablekit: unknown format {fmt!r} (formats: {', '.join(FORMATS)})")
        return EXIT_USAGE
    fmt = fmt or sniff(data[:4096])
    if fmt == "csv":
        _err(
            f"{file}: a bulk CSV holds many cables; convert it (cablekit convert {file} "
            "-t text -o OUTDIR) and inspect one of them"
        )
        return EXIT_FAILED
    if encoding is not None:
        from cablekit.encodings import encoding_name

        try:
            encoding_name(encoding)
        except ValueError as e:  # not an encoding to read text in: the caller's mistake
            raise Failure(f"--encoding: {e}") from None
    try:
        cable = cablekit.loads(data, fmt, source=file, encoding=encoding)
    except cablekit.CablekitError as e:
        line = e.line or 0
        _err(f"{e.source or file}:{line}:{e.col or 0}: ERROR {e.code} {e.message}")
        return EXIT_FAILED
    v = cable.view
    rows: list[tuple[str, str]] = [
        ("file", f"{file} ({fmt}, {len(data):,} bytes, {cable.source_encoding})"),
        ("sha256", hashlib.sha256(data).hexdigest()),
        ("id", v.id or "-"),
        ("classification", v.classification or "-"),
        ("caveats", ", ".join(v.caveats) or "-"),
        ("sent", v.sent.strftime("%Y-%m-%d %H:%M UTC") if v.sent else "-"),
        ("origin", v.origin or "-"),
        ("from", v.sender or "-"),
        ("to", "; ".join(a.name or a.text.strip() for a in cable.to) or "-"),
        ("info", f"{len(cable.info)} addressees" if cable.info else "-"),
        ("subject", v.subject or "-"),
        ("tags", ", ".join(v.tags) or "-"),
        (
            "references",
            "; ".join(
                f"{r.letter + '. ' if r.letter else ''}{r.cable_id or (r.raw or r.text).strip()}"
                for r in cable.references
            )
            or "-",
        ),
        ("E.O.", v.eo or "-"),
        ("declassify", v.decl_date.isoformat() if v.decl_date else "-"),
        ("signature", v.signature or "-"),
        ("paragraphs", f"{len(cable.paragraphs)} numbered"),
    ]
    kinds: dict[str, int] = {}
    for p in cable.parts:
        kind = str(getattr(p, "kind", type(p).__name__))
        kinds[kind] = kinds.get(kind, 0) + 1
    rows.append(("parts", ", ".join(f"{k} {n}" for k, n in kinds.items())))
    telegram = cable.telegram
    rows.append(("telegram", f"{telegram.count(chr(10)) + 1:,} lines, {len(telegram):,} chars"))
    if cable.page is not None:
        page = cable.page
        for name in ("identifier", "created", "released", "classification", "origin"):
            value = getattr(page, name)
            if value:
                rows.append((f"page {name}", str(value)))
    width = max(len(k) for k, _ in rows)
    for k, value in rows:
        typer.echo(f"{k.ljust(width)}  {value}")
    return EXIT_OK


@app.command()
def schema(
    name: Annotated[str, typer.Argument(help="json | tei-rng | tei-sch", show_default=False)],
) -> None:
    """Print a bundled schema (to use with other tools: ajv, jing, oXygen)."""
    _run_guarded(lambda: _schema(name))


def _schema(name: str) -> int:
    from importlib import resources

    file = SCHEMA_FILES.get(name)
    if file is None:
        raise Failure(f"unknown schema {name!r} (schemas: {', '.join(SCHEMA_FILES)})")
    try:
        data = resources.files("cablekit.schemas").joinpath(file).read_bytes()
    except (OSError, ModuleNotFoundError):
        raise Failure(f"the {name} schema ({file}) is not part of this installation") from None
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
    return EXIT_OK


@app.command()
def formats() -> None:
    """List the formats: what can be read and written, and which are installed."""
    from cablekit.batch import EXTENSIONS
    from cablekit.formats import FORMATS, available

    installed = set(available())
    rows = [("format", "read", "write", "installed", "files", "what")]
    for name, (_, can_read, can_write) in FORMATS.items():
        rows.append(
            (
                name,
                "yes" if can_read else "no",
                "yes" if can_write else "no",
                "yes" if name in installed else "no",
                " ".join("*" + e for e in EXTENSIONS.get(name, ())),
                FORMAT_NOTES.get(name, ""),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for r in rows:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(r[:5], widths, strict=True)) + "  " + r[5])


def main() -> None:
    """The `cablekit` entry point: never a traceback, whatever goes wrong."""
    try:
        app(prog_name="cablekit")
    except KeyboardInterrupt:
        _err("cablekit: interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except Exception as e:
        if os.environ.get("CABLEKIT_DEBUG"):
            raise
        _err(f"cablekit: internal error: {type(e).__name__}: {e} (CABLEKIT_DEBUG=1 shows where)")
        sys.exit(EXIT_USAGE)


if __name__ == "__main__":
    main()
