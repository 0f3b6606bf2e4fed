"""Batches of cables: finding inputs, planning outputs, worker processes, atomic writes, the
ledger of what was done to which file, and resuming from it.

Workers get chunks of small tasks (paths, or one bulk-CSV record each), read and hash the
input themselves, convert it once to every output format asked for, and write the outputs
atomically, a chunk's files made durable together; the parent keeps the input order, writes
the ledger and hands each outcome to the caller as it completes.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import errno
import fnmatch
import glob
import hashlib
import io
import itertools
import json
import os
import re
import secrets
import signal
import sys
import tempfile
import traceback
from array import array
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from cablekit.encodings import ascii_compatible
from cablekit.errors import CablekitError, Diagnostic
from cablekit.reports import INVALID, NOT_CHECKED, VALID, FileResult, json_text

if TYPE_CHECKING:
    from concurrent.futures import Future

    from cablekit.model import Cable, PageMetadata

# Files a folder walk picks up, by the format they are read as; anything else in a folder
# (READMEs, checksums, hidden files) is not a cable and is left alone.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "text": (".txt",),
    "html": (".html", ".htm"),
    "json": (".json",),
    "jsonl": (".jsonl",),
    "tei": (".xml", ".tei"),
    "csv": (".csv",),
}
OUTPUT_SUFFIX = {"text": ".txt", "json": ".json", "tei": ".xml", "jsonl": ".jsonl"}
JSONL_NAME = "cables.jsonl"  # the one output file of `-t jsonl` when -o names a folder
LEDGER_NAME = "cablekit.ledger.jsonl"
LEDGER_VERSION = 1
TMP_SUFFIX = ".cablekit-tmp"

CONVERTED = "converted"
FAILED = "failed"

# Codes meaning the file could not be checked at all (unreadable, not a cable format we
# know, nothing in it, or a fault of cablekit itself): such a file is never called valid.
NOT_CHECKED_CODES = frozenset(
    {
        "CK-IO",
        "CK-FORMAT",
        "CK-BINARY",
        "CK-NOT-CABLE",
        "CK-EMPTY",
        "CK-NO-INPUT",
        "CK-INTERNAL",
        "CK-WRITE",
    }
)


class BatchError(Exception):
    """A batch that cannot start: bad options, colliding outputs, an unreadable ledger."""


# --- discovery --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """One input file: its path as named (`-` is standard input) and its place under the
    output folder (posix, the input's own suffix kept)."""

    path: str
    rel: str
    csv: bool = False  # a bulk cables.csv: many cables in one file
    problem: Diagnostic | None = None  # an argument that named nothing to read


@dataclass(frozen=True, slots=True)
class Discovery:
    sources: tuple[Source, ...]  # in the order named, problems in their place

    @property
    def problems(self) -> tuple[Diagnostic, ...]:
        return tuple(s.problem for s in self.sources if s.problem is not None)


def extensions_for(fmt: str | None) -> tuple[str, ...]:
    if fmt is None:
        return tuple(e for exts in EXTENSIONS.values() for e in exts)
    return EXTENSIONS.get(fmt, ())


def is_csv_input(path: str, fmt: str | None) -> bool:
    """Bulk CSV files are split into records by the parent, so they are told by name."""
    return fmt == "csv" or (fmt is None and path.lower().endswith(".csv"))


def _excluded(rel: str, patterns: Sequence[str]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(name, p) for p in patterns)


def _walk(
    root: str, exts: tuple[str, ...], exclude: Sequence[str], skip: frozenset[str]
) -> list[tuple[str, str]]:
    """(path, path relative to root) of the cable files under root, in a stable order.

    Hidden files and folders are skipped, and so are the folders in `skip` (the output
    folder when it lies inside an input folder, so a second run does not read its outputs).
    """
    found: list[tuple[str, str]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".") and os.path.realpath(os.path.join(dirpath, d)) not in skip
        )
        for name in sorted(filenames):
            if name.startswith(".") or name == LEDGER_NAME or not name.lower().endswith(exts):
                continue  # hidden, a ledger (JSON Lines, but not cables), or not a cable
            path = os.path.join(dirpath, name)
            rel = Path(os.path.relpath(path, root)).as_posix()
            if not _excluded(rel, exclude):
                found.append((path, rel))
    return found


def _glob_base(pattern: str) -> str:
    """The folder part of a pattern before its first wildcard: `a/b/**/*.xml` -> `a/b`."""
    fixed: list[str] = []
    for part in Path(pattern).parts[:-1]:
        if glob.has_magic(part):
            break
        fixed.append(part)
    return os.path.join(*fixed) if fixed else "."


def read_file_list(path: str, null: bool, stdin: IO[bytes] | None = None) -> list[str]:
    """The paths listed in a --files-from file: one a line, or NUL-separated (`-0`)."""
    try:
        data = (stdin or sys.stdin.buffer).read() if path == "-" else Path(path).read_bytes()
    except OSError as e:
        raise BatchError(f"{path}: cannot read the list of files: {e.strerror or e}") from None
    text = os.fsdecode(data)
    items = text.split("\0") if null else text.splitlines()
    return [i for i in items if i]


def discover(
    args: Sequence[str],
    *,
    listed: Sequence[str] = (),
    fmt: str | None = None,
    exclude: Sequence[str] = (),
    skip: Iterable[str | os.PathLike[str]] = (),
) -> Discovery:
    """The input files named by arguments (files, folders, quoted globs, `-`) and by
    --files-from lists (`listed`: plain paths, never globbed), in the order given.

    Files named one by one sit under the output folder relative to their common folder;
    files found in a folder or by a pattern, relative to that folder or the pattern's base.
    """
    exts = extensions_for(fmt)
    skip_real = frozenset(os.path.realpath(s) for s in skip)
    found: list[tuple[str, str | None]] = []  # rel None: named one by one, placed below
    problems: dict[int, Diagnostic] = {}  # index in found -> what is wrong with that argument

    def problem(d: Diagnostic) -> None:
        problems[len(found)] = d
        found.append((d.path or "", ""))

    def add_folder(folder: str, base: str) -> bool:
        prefix = os.path.relpath(folder, base)
        hits = _walk(folder, exts, exclude, skip_real)
        for path, rel in hits:
            found.append((path, rel if prefix == "." else Path(prefix, rel).as_posix()))
        return bool(hits)

    def no_cables(folder: str) -> Diagnostic:
        kinds = ", ".join("*" + e for e in exts)
        message = f"no cable files in this folder (looked for {kinds})"
        return Diagnostic("CK-NO-INPUT", "error", message, folder)

    for arg in args:
        if arg == "-":
            found.append(("-", "stdin"))
        elif os.path.isdir(arg):
            if not add_folder(arg, arg):
                problem(no_cables(arg))
        elif os.path.lexists(arg):
            found.append((arg, None))
        elif glob.has_magic(arg):
            base = _glob_base(arg)
            before = len(found)
            for m in sorted(glob.glob(arg, recursive=True)):
                if os.path.isdir(m):
                    if os.path.realpath(m) not in skip_real:
                        add_folder(m, base)
                    continue
                if os.path.realpath(os.path.dirname(m) or ".") in skip_real:
                    continue
                rel = Path(os.path.relpath(m, base)).as_posix()
                if not _excluded(rel, exclude):
                    found.append((m, rel))
            if len(found) == before:
                message = "no cable file matches this pattern"
                problem(Diagnostic("CK-NO-INPUT", "error", message, arg))
        else:
            problem(Diagnostic("CK-IO", "error", "no such file or directory", arg))
    for path in listed:
        if os.path.isdir(path):
            if not add_folder(path, path):
                problem(no_cables(path))
        else:
            found.append((path, None))  # a missing one is reported when its turn comes

    singles = [os.path.dirname(os.path.abspath(p)) for p, rel in found if rel is None]
    common = ""
    if singles:
        with contextlib.suppress(ValueError):  # paths on different drives: names alone
            common = os.path.commonpath(singles)
    sources: list[Source] = []
    seen: set[str] = set()
    for i, (path, placed) in enumerate(found):
        if i in problems:
            sources.append(Source(path, "", problem=problems[i]))
            continue
        key = os.path.normpath(path)
        if key in seen:
            continue
        seen.add(key)
        if placed is None:
            placed = (
                Path(os.path.relpath(os.path.abspath(path), common)).as_posix()
                if common
                else os.path.basename(path)
            )
        sources.append(Source(path, placed, csv=path != "-" and is_csv_input(path, fmt)))
    return Discovery(tuple(sources))


# --- bulk CSV records ---------------------------------------------------------------------


class _RecordLike(Protocol):
    @property
    def telegram(self) -> str: ...

    @property
    def page(self) -> PageMetadata | None: ...


def cable_from_csv_record(record: _RecordLike, source: str | None = None) -> Cable:
    """The cable of one bulk-CSV record: its telegram read by the shared telegram grammar,
    with the record's page metadata (id, date, origin, classification, references)."""
    from cablekit.telegram import cable_from_telegram

    return cable_from_telegram(record.telegram, record.page, source)


# A record's first line: "<row id>","<date>","<reference id>",... (see converters/csv.py)
_CSV_START = re.compile(rb'"(\d+)","[^"\\]*(?:\\.[^"\\]*)*","([^"\\]*(?:\\.[^"\\]*)*)"')
_CSV_UNESCAPE = re.compile(rb"\\(.)")
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class BulkScan:
    """A first pass over a file of many cables (a bulk CSV, JSON Lines)."""

    sha256: str
    ids: tuple[tuple[int, str], ...]  # (line, cable id) where each cable starts


def _json_id(line: bytes) -> str:
    """The name of a JSON cable's output: its page's reference id (the publisher's, unique
    in the release, as a bulk CSV's outputs are named), else the id read from the telegram
    (which two published cables may share)."""
    try:
        doc = json.loads(line)
    except ValueError:
        return ""
    if not isinstance(doc, dict):
        return ""
    page = doc.get("page")
    cid = page.get("identifier") if isinstance(page, dict) else None
    if not isinstance(cid, str) or not cid:
        cid = doc.get("id")
    return cid if isinstance(cid, str) else ""


def csv_starts(stream: IO[bytes], digest: Any = None) -> Iterator[tuple[int, str]]:
    """(line, reference id) of each bulk-CSV record whose first line is whole, counting
    lines as converters/csv.py does; every byte read also goes into `digest`."""
    for lineno, raw in enumerate(stream, 1):
        if digest is not None:
            digest.update(raw)
        if raw[:1] in (b'"', b"\xef"):
            m = _CSV_START.match(raw[3:] if lineno == 1 and raw[:3] == _BOM else raw)
            if m:
                yield lineno, _CSV_UNESCAPE.sub(rb"\1", m[2]).decode("utf-8", "replace")


def jsonl_starts(stream: IO[bytes], digest: Any = None) -> Iterator[tuple[int, str]]:
    """(line, name) of each line of a JSON Lines file that is not blank (see _json_id)."""
    for lineno, raw in enumerate(stream, 1):
        if digest is not None:
            digest.update(raw)
        if raw.strip():
            yield lineno, _json_id(raw)


def scan_csv(stream: IO[bytes]) -> BulkScan:
    """A bulk CSV's sha256 and record starts (the stream is closed)."""
    h = hashlib.sha256()
    with stream:
        found = tuple(csv_starts(stream, h))
    return BulkScan(h.hexdigest(), found)


def scan_jsonl(stream: IO[bytes]) -> BulkScan:
    """A JSON Lines file's sha256 and the name of each cable line (the stream is closed)."""
    h = hashlib.sha256()
    with stream:
        found = tuple(jsonl_starts(stream, h))
    return BulkScan(h.hexdigest(), found)


@dataclass(slots=True)
class _BulkIndex:
    """What planning keeps of a file of many cables: a few bytes per cable, so the
    parent's memory stays small however large the file."""

    sha256: str = ""
    count: int = 0
    lines: array[int] = field(default_factory=lambda: array("Q"))  # named cables' lines
    names: array[int] = field(default_factory=lambda: array("q"))  # hash of each output

    def claimed(self, line: int, name: int) -> bool:
        """Whether planning gave the cable starting at this line this output."""
        i = bisect.bisect_left(self.lines, line)
        return i < len(self.lines) and self.lines[i] == line and self.names[i] == name


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def safe_name(cable_id: str, line: int) -> str:
    """A file name for a cable id (ids are letters and digits; anything else becomes _)."""
    name = _UNSAFE_NAME.sub("_", cable_id).lstrip(".")
    return name or f"record-{line}"


# --- the work a worker does ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Job:
    """What every task of a batch does; sent along with each chunk of tasks."""

    action: str  # "convert" | "validate"
    formats: tuple[str, ...]  # formats installed (checked once, in the parent)
    from_fmt: str | None = None
    to_fmt: str | None = None
    verify: bool = False  # read each output back: it must give the same telegram
    fsync: bool = True
    rules: bool = True  # validate: run the cable rules too
    select: tuple[str, ...] | None = None  # rule selectors (None: all)
    ignore: tuple[str, ...] = ()
    also_to: tuple[str, ...] = ()  # further output formats, written from the same reading
    encoding: str | None = None  # of telegram text inputs (None: UTF-8)

    @property
    def outputs(self) -> tuple[str, ...]:
        """The output formats, in the order their outcomes come."""
        return (self.to_fmt or "text", *self.also_to)


@dataclass(frozen=True, slots=True)
class CsvItem:
    """One cable of a file of many: a bulk-CSV record (page metadata and telegram text), or
    a JSON Lines line (its bytes, in `data`)."""

    line: int
    id: str
    page: PageMetadata | None = None
    telegram: str = ""
    data: bytes | None = None


# What the ledger says an earlier run made of an input: (input sha256, output sha256, input
# format).
DoneTriple = tuple[str, str, str | None]


@dataclass(frozen=True, slots=True)
class Task:
    path: str
    target: str | None = None  # the output file the worker writes; None: bytes come back
    data: bytes | None = None  # content read from standard input
    record: CsvItem | None = None  # one cable of a bulk CSV or of JSON Lines
    input_sha256: str | None = None  # known already (a bulk CSV's whole-file hash)
    problem: Diagnostic | None = None  # failed before any work (a malformed CSV record)
    fmt: str | None = None  # the input format, when known before reading (a CSV record)
    # From the ledger: (input sha256, output sha256, input format) of an earlier run's
    # conversion; the worker verifies both hashes and then skips the work.
    done: DoneTriple | None = None
    # The further outputs of a job with several formats: (format, target, done) each.
    also: tuple[tuple[str, str | None, DoneTriple | None], ...] = ()

    def outputs(self, job: Job) -> list[tuple[str, str | None, DoneTriple | None]]:
        """(format, target, done) of each output of this task, in the job's order."""
        return [(job.to_fmt or "text", self.target, self.done), *self.also]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one input (one file, or one record of a bulk CSV); converting to
    several formats, what happened to one of its outputs."""

    path: str
    verdict: str  # convert: converted | failed; validate: valid | invalid | not-checked
    diagnostics: tuple[Diagnostic, ...] = ()
    input_sha256: str | None = None
    fmt: str | None = None
    output: str | None = None
    output_sha256: str | None = None
    data: bytes | None = None
    record: tuple[int, str] | None = None  # (line, cable id) in a bulk CSV
    skipped: bool = False  # done by an earlier run, verified against the ledger
    internal: bool = False  # a fault of cablekit, not of the input
    to: str | None = None  # convert: the output format (None: the job's first)


def classify(diagnostics: Iterable[Diagnostic]) -> str:
    """valid, invalid, or not-checked (never valid when a file could not be checked)."""
    verdict = VALID
    for d in diagnostics:
        if d.code in NOT_CHECKED_CODES:
            return NOT_CHECKED
        if d.severity == "error":
            verdict = INVALID
    return verdict


def _errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diagnostics)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike[str]) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


def write_atomic(target: str | os.PathLike[str], data: bytes, *, fsync: bool = True) -> None:
    """Write through a temporary file in the target's folder, flushed, fsynced, renamed:
    a reader (or a crash) sees the old file or the whole new one, never a part."""
    target = os.fspath(target)
    folder, name = os.path.split(target)
    tmp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}{TMP_SUFFIX}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            if fsync:
                os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _checks_itself(fmt: str) -> bool:
    """Whether a format has its own checker (a schema), beyond being readable."""
    from cablekit.formats import converter

    return hasattr(converter(fmt), "validate")


def _validate_bytes(
    data: bytes,
    fmt: str,
    source: str | None,
    select: tuple[str, ...] | None = (),
    ignore: tuple[str, ...] = (),
    encoding: str | None = None,
) -> list[Diagnostic]:
    """The format's checks, then the rules chosen by select (() = none, None = all)."""
    from cablekit.validation import validate_bytes

    return validate_bytes(data, fmt, source, select, ignore, encoding=encoding)


def _error(e: CablekitError, path: str) -> Diagnostic:
    return Diagnostic(e.code, "error", e.message, e.source or path, e.line, e.col)


def _internal(task: Task, e: BaseException) -> Outcome:
    """A fault in cablekit on this input: reported like a finding, never as a traceback."""
    frames = traceback.extract_tb(e.__traceback__)
    at = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    message = f"internal error{at}: {type(e).__name__}: {e}"
    diag = Diagnostic("CK-INTERNAL", "error", message, task.path)
    record = (task.record.line, task.record.id) if task.record else None
    return Outcome(task.path, FAILED, (diag,), task.input_sha256, record=record, internal=True)


def _fail(job: Job, task: Task, diags: Sequence[Diagnostic], **kw: Any) -> Outcome:
    verdict = FAILED if job.action == "convert" else classify(diags)
    return Outcome(task.path, verdict, tuple(diags), **kw)


# Output writes a worker leaves to its chunk: (target, bytes, place of the outcome counted
# from the end of the task's outcomes: 1 = the last).
_Deferred = list[tuple[str, bytes, int]]


def process(job: Job, task: Task) -> Outcome:
    """Do one task of a job with one output format, writing its output before returning;
    every failure comes back as an Outcome, none as an exception."""
    if job.action == "convert" and job.also_to:
        raise ValueError("a job with several output formats: use process_task")
    return _process(job, task, None)[0]


def process_task(job: Job, task: Task) -> list[Outcome]:
    """Do one task, writing its outputs before returning: one outcome per output format
    (convert), or one outcome (validate)."""
    return _process(job, task, None)


def _process(job: Job, task: Task, defer: _Deferred | None) -> list[Outcome]:
    done: Outcome | list[Outcome]
    try:
        if task.problem is not None:
            record = (task.record.line, task.record.id) if task.record else None
            sha, fmt = task.input_sha256, task.fmt
            done = _fail(job, task, [task.problem], input_sha256=sha, fmt=fmt, record=record)
        elif task.record is not None:
            done = _process_record(job, task, task.record, defer)
        else:
            done = _process_file(job, task, defer)
    except Exception as e:
        if defer is not None:
            defer.clear()  # nothing of a task that failed midway is written
        done = _internal(task, e)
    if isinstance(done, list):
        return done
    if job.action != "convert" or not job.also_to:
        return [done]
    # The input itself failed: each output the job was to make says so in the ledger.
    return [dataclasses.replace(done, to=fmt) for fmt in job.outputs]


def run_chunk(job: Job, tasks: Sequence[Task]) -> list[Outcome]:
    """Outcomes of a chunk of tasks, in order, every output in place before returning (the
    parent writes an output's ledger line only once it has the outcome)."""
    if job.action != "convert" or len(tasks) < 2:
        return [o for t in tasks for o in _process(job, t, None)]
    outcomes: list[Outcome] = []
    files = _ChunkFiles(job.fsync)
    try:
        for t in tasks:
            defer: _Deferred = []
            outcomes.extend(_process(job, t, defer))
            for target, data, index in defer:
                files.add(len(outcomes) - index, target, data)
            if files.pending >= MAX_OPEN_OUTPUTS:  # a very large chunk: stay far from fd limits
                files.commit()
        failed = files.commit()
    except BaseException:
        files.abort()
        raise
    for i, (target, e) in failed.items():
        if outcomes[i].verdict == CONVERTED:
            outcomes[i] = _write_failed(outcomes[i], target, e)
    return outcomes


# Threads making a chunk's files durable where writeback cannot be started ahead (see
# _fsync_all). Measured on ext4 (2 shared cores): fsyncing one file after another costs
# 0.3-3.6 ms each in waiting for the journal; with several in flight at once they share its
# commits, 0.1-0.2 ms a file.
SYNC_THREADS = 8
MAX_OPEN_OUTPUTS = 256


class _ChunkFiles:
    """A chunk's outputs: each written to a temporary file beside its target as its cable
    is converted, then all fsynced together, then each renamed into place. Every output is
    still atomic (whole and durable before its name appears), at a fraction of the cost of
    syncing each file alone."""

    def __init__(self, fsync: bool) -> None:
        self.fsync = fsync
        self._token = secrets.token_hex(4)
        self._open: list[tuple[int, str, str, int]] = []  # outcome index, target, temp, fd
        self._failed: dict[int, tuple[str, OSError]] = {}
        self._count = 0

    @property
    def pending(self) -> int:
        return len(self._open)

    def add(self, index: int, target: str, data: bytes) -> None:
        folder, name = os.path.split(target)
        self._count += 1
        tmp = os.path.join(folder, f".{name}.{self._token}-{self._count}{TMP_SUFFIX}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as e:
            self._failed[index] = (target, e)
            return
        self._open.append((index, target, tmp, fd))
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        except OSError as e:
            self._open.pop()
            _discard(tmp, fd)
            self._failed[index] = (target, e)

    def commit(self) -> dict[int, tuple[str, OSError]]:
        """Make every file durable and rename it into place; the ones that failed so far
        (by outcome index) are removed and returned."""
        files = self._open
        synced: list[OSError | None] = [None] * len(files)
        if self.fsync:
            synced = _fsync_all([fd for _, _, _, fd in files])
        synced.reverse()
        while files:  # taken off the list first: abort() never closes an fd twice
            index, target, tmp, fd = files.pop(0)
            problem = synced.pop()
            try:
                os.close(fd)
                if problem is not None:
                    raise problem
                os.replace(tmp, target)
            except OSError as e:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                self._failed.setdefault(index, (target, e))
        return self._failed

    def abort(self) -> None:
        """Remove the temporary files of a chunk that will not be finished."""
        files, self._open = self._open, []
        for _, _, tmp, fd in files:
            _discard(tmp, fd)


def _fsync_all(fds: list[int]) -> list[OSError | None]:
    """fsync each file; what failed, per file.

    On Linux every file's writeback is started first (POSIX_FADV_DONTNEED writes dirty
    pages out before dropping them), so the journal commit of the first fsync carries them
    all and the others find their data on disk: one commit a chunk, as with threads, at half
    the CPU and with no threads to wake (measured on ext4 beside a busy core: 0.02-0.03 ms
    of CPU a file against 0.055, the same 0.07-0.1 ms of waiting). Elsewhere, plain threads,
    each taking every n-th file (a thread pool made and shut down per chunk costs ten times
    more: ~7 ms against ~0.6 ms for 64 files).
    """
    if len(fds) < 2:
        return [_fsync_fd(fd) for fd in fds]
    if sys.platform.startswith("linux") and hasattr(os, "posix_fadvise"):
        for fd in fds:
            # Only a hint: the fsync below is what makes the file durable, and says if not.
            with contextlib.suppress(OSError):
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        return [_fsync_fd(fd) for fd in fds]
    import threading

    found: list[OSError | None] = [None] * len(fds)
    n = min(SYNC_THREADS, len(fds))

    def every_nth(start: int) -> None:
        for i in range(start, len(fds), n):
            found[i] = _fsync_fd(fds[i])

    threads = [threading.Thread(target=every_nth, args=(k,), daemon=True) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return found


def _fsync_fd(fd: int) -> OSError | None:
    try:
        os.fsync(fd)
    except OSError as e:
        return e
    return None


def _discard(tmp: str, fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def _write_failed(o: Outcome, target: str, e: OSError) -> Outcome:
    """Not the input's fault: the run cannot do its job (a full disk, no permission)."""
    message = f"cannot write {target}: {e.strerror or e}"
    diag = Diagnostic("CK-WRITE", "error", message, o.path)
    return Outcome(
        o.path, FAILED, (diag,), o.input_sha256, o.fmt, record=o.record, internal=True, to=o.to
    )


def _verified(target: str | None, done: DoneTriple | None, sha: str | None) -> bool:
    """The ledger's record of an output still holds: same input, output unchanged."""
    if done is None or target is None:
        return False
    input_sha, output_sha, _ = done
    return sha == input_sha and sha256_file(target) == output_sha


def _resumed(
    job: Job, task: Task, sha: str | None, fmt: str | None, record: tuple[int, str] | None
) -> list[Outcome | None]:
    """Per output: its outcome when the ledger's record of it holds (nothing to redo),
    else None."""
    found: list[Outcome | None] = []
    for to, target, done in task.outputs(job):
        if done is not None and _verified(target, done, sha):
            found.append(
                Outcome(
                    task.path,
                    CONVERTED,
                    (),
                    sha,
                    fmt or done[2],
                    target,
                    done[1],
                    record=record,
                    skipped=True,
                    to=to if job.also_to else None,
                )
            )
        else:
            found.append(None)
    return found


_CONTROL = bytes(c for c in range(32) if c not in b"\t\n\r\f\v\x1b")


def _looks_binary(head: bytes) -> bool:
    """NUL bytes, or many control bytes: no format cablekit reads (all are text) has them."""
    if not head:
        return False
    if b"\0" in head:
        return True
    return len(head) - len(head.translate(None, _CONTROL)) > len(head) // 10


def _process_file(job: Job, task: Task, defer: _Deferred | None) -> Outcome | list[Outcome]:
    if task.data is not None:
        data = task.data
    else:
        try:
            data = Path(task.path).read_bytes()
        except IsADirectoryError:
            diag = Diagnostic("CK-IO", "error", "is a folder, not a cable file", task.path)
            return _fail(job, task, [diag])
        except OSError as e:
            diag = Diagnostic("CK-IO", "error", e.strerror or str(e), task.path)
            return _fail(job, task, [diag])
    sha = _sha(data)
    resumed = _resumed(job, task, sha, None, None) if job.action == "convert" else [None]
    if None not in resumed:
        return [o for o in resumed if o is not None]
    head = data[:4096]
    if job.encoding is not None and not ascii_compatible(job.encoding):
        # Text in UTF-16 or the like: the format is told from the characters, and NUL bytes
        # are what such text is made of.
        head = data[:8192].decode(job.encoding, errors="replace").encode("utf-8")[:4096]
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # NUL bytes, but text: say what it is
        order = "little" if data[:2] == b"\xff\xfe" else "big"
        message = (
            f"UTF-16 text ({order}-endian, with a byte-order mark): name its encoding, "
            f"-e utf-16-{order[0]}e"
        )
        diag = Diagnostic("CK-FORMAT", "error", message, task.path, 1, 1)
        return _fail(job, task, [diag], input_sha256=sha)
    elif _looks_binary(data[:8192]):
        message = "binary data, not a cable in any format cablekit reads"
        diag = Diagnostic("CK-BINARY", "error", message, task.path)
        return _fail(job, task, [diag], input_sha256=sha)
    from cablekit.formats import sniff

    fmt = job.from_fmt or sniff(head)
    if fmt == "json" and task.path.lower().endswith(".jsonl") and job.from_fmt is None:
        fmt = "jsonl"  # content alone cannot tell one JSON document from JSON Lines
    if fmt == "csv":
        message = "a bulk cables.csv file: name it *.csv or read it with -f csv"
        diag = Diagnostic("CK-FORMAT", "error", message, task.path)
        return _fail(job, task, [diag], input_sha256=sha, fmt=fmt)
    if fmt not in job.formats:
        message = f"{fmt} files cannot be read by this installation (no {fmt} reader)"
        diag = Diagnostic("CK-FORMAT", "error", message, task.path)
        return _fail(job, task, [diag], input_sha256=sha, fmt=fmt)
    if job.action == "validate":
        if fmt == "jsonl":
            diags = _validate_jsonl(job, data, task.path)
        else:
            select = job.select if job.rules else ()
            diags = _validate_bytes(data, fmt, task.path, select, job.ignore, job.encoding)
        return Outcome(task.path, classify(diags), tuple(diags), sha, fmt)
    import cablekit

    try:
        # Readers of formats with a schema (JSON, TEI) validate what they read.
        cable = cablekit.loads(data, fmt, source=task.path, encoding=job.encoding)
    except CablekitError as e:
        diags = [_error(e, task.path)]
        if _checks_itself(fmt):
            every = _validate_bytes(data, fmt, task.path, (), encoding=job.encoding)
            if _errors(every):
                diags = every
        return _fail(job, task, diags, input_sha256=sha, fmt=fmt)
    return _emit(job, task, cable, sha, fmt, None, defer, resumed)


def _validate_jsonl(job: Job, data: bytes, source: str) -> list[Diagnostic]:
    """Every line of a JSON Lines file checked as a cable, the rules run on each; what a
    rule finds is placed on the cable's line."""
    from cablekit.formats import converter

    diags: list[Diagnostic] = []
    lines = 0
    for number, cable, found in converter("jsonl").records(data, source):
        lines += 1
        diags.extend(found)
        if cable is not None and job.rules and not _errors(found):
            diags.extend(dataclasses.replace(d, line=number) for d in _rules(job, cable, source))
    if lines == 0:
        diags.append(Diagnostic("CK-EMPTY", "error", "no cable: the file is empty", source))
    return diags


def _rules(job: Job, cable: Cable, source: str) -> list[Diagnostic]:
    from cablekit.rules import check

    return check(cable, job.select, job.ignore, source=source)


def _process_record(
    job: Job, task: Task, rec: CsvItem, defer: _Deferred | None
) -> Outcome | list[Outcome]:
    where = (rec.line, rec.id)
    fmt = "csv" if rec.data is None else "jsonl"
    resumed: list[Outcome | None] = [None]
    if job.action == "convert":
        resumed = _resumed(job, task, task.input_sha256, fmt, where)
        if None not in resumed:
            return [o for o in resumed if o is not None]
    try:
        if rec.data is not None:
            import cablekit

            cable = cablekit.loads(rec.data, "jsonl", source=task.path)
        else:
            cable = cable_from_csv_record(rec, f"{task.path}:{rec.line}")
    except CablekitError as e:
        if rec.data is not None:  # the line is the cable: its column stands
            diag = Diagnostic(e.code, "error", e.message, task.path, rec.line, e.col)
        else:  # the record's first line; the position inside its telegram goes in words
            inside = f" (telegram line {e.line})" if e.line else ""
            message = f"record {rec.id}{inside}: {e.message}"
            diag = Diagnostic(e.code, "error", message, task.path, rec.line)
        return _fail(job, task, [diag], input_sha256=task.input_sha256, fmt=fmt, record=where)
    if job.action == "validate":
        found = _rules(job, cable, task.path) if job.rules else []
        # The record's first line locates what a rule found; the message names the part.
        diags = tuple(
            dataclasses.replace(d, message=f"record {rec.id}: {d.message}", line=rec.line)
            for d in found
        )
        return Outcome(task.path, classify(diags), diags, task.input_sha256, fmt, record=where)
    return _emit(job, task, cable, task.input_sha256, fmt, where, defer, resumed)


def _verify(out: bytes, to: str, cable: Cable, target: str | None) -> str | None:
    """None when the output reads back to the same telegram; else what is wrong."""
    import cablekit

    try:
        # Text is written in the encoding it was read in (cable.source_encoding).
        encoding = cable.source_encoding if to == "text" else None
        back = cablekit.loads(out, to, source=target, encoding=encoding)
    except CablekitError as e:
        where = f" (line {e.line})" if e.line else ""
        return f"does not read back{where}: {e.code} {e.message}"
    if back.telegram != cable.telegram:
        a, b = back.telegram, cable.telegram
        at = next(
            (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
        )
        line = b.count("\n", 0, at) + 1
        return f"reads back to a different telegram (from line {line})"
    return None


def _emit(
    job: Job,
    task: Task,
    cable: Cable,
    sha: str | None,
    fmt: str,
    record: tuple[int, str] | None,
    defer: _Deferred | None,
    resumed: Sequence[Outcome | None],
) -> list[Outcome]:
    """The cable written in each output format the ledger does not vouch for (`resumed`
    holds the outcomes of the others), one outcome per format. With `defer`, writing the
    files is left to the caller: the outcomes say what will be written, and are replaced
    if writing fails."""
    outcomes: list[Outcome] = []
    outputs = task.outputs(job)
    for (to, target, _), skipped in zip(outputs, resumed, strict=True):
        if skipped is None:
            o, out = _emit_one(job, task, cable, sha, fmt, record, to, target)
            if out is not None and target is not None:
                if defer is not None:
                    # Counted from the end: the caller numbers outcomes as they pile up.
                    defer.append((target, out, len(outputs) - len(outcomes)))
                else:
                    try:
                        write_atomic(target, out, fsync=job.fsync)
                    except OSError as e:
                        o = _write_failed(o, target, e)
            skipped = o
        outcomes.append(skipped)
    return outcomes


def _emit_one(
    job: Job,
    task: Task,
    cable: Cable,
    sha: str | None,
    fmt: str,
    record: tuple[int, str] | None,
    to: str,
    target: str | None,
) -> tuple[Outcome, bytes | None]:
    """The outcome of writing the cable in one format, and the bytes to write (None when
    nothing is to be written: refused, or the bytes travel in the outcome)."""
    import cablekit

    label = to if job.also_to else None
    try:
        out = cablekit.dumps(cable, to)
    except CablekitError as e:  # a writer that validates refused what it would write
        message = f"no {to} written for this input: {e.message}"
        line = record[0] if record else None
        diag = Diagnostic("CK-OUTPUT-INVALID", "error", message, task.path, line)
        failed = _fail(job, task, [diag], input_sha256=sha, fmt=fmt, record=record, to=label)
        return failed, None
    if to == "jsonl" and not out.endswith(b"\n"):
        out += b"\n"
    # Writers of formats with a schema (JSON, TEI) check what they write against it before
    # returning it; --verify also reads each output back, the way a user of it will.
    if job.verify:
        problem = _verify(out, to, cable, target)
        if problem is not None:
            line = record[0] if record else None
            message = f"the {to} written for this input {problem}; nothing written"
            diag = Diagnostic("CK-OUTPUT-INVALID", "error", message, task.path, line)
            failed = _fail(job, task, [diag], input_sha256=sha, fmt=fmt, record=record, to=label)
            return failed, None
    digest = _sha(out)
    if target is not None:
        return Outcome(
            task.path, CONVERTED, (), sha, fmt, target, digest, record=record, to=label
        ), out
    return Outcome(
        task.path, CONVERTED, (), sha, fmt, None, digest, data=out, record=record, to=label
    ), None


# --- running tasks in worker processes ----------------------------------------------------


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _init_worker(job: Job) -> None:
    # Ctrl-C goes to the whole process group: the parent alone decides how to stop. The
    # worker was forked with SIGINT blocked (see execute), so none arrives before this.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _warm(job)


def _warm(job: Job) -> None:
    """Import the converters a job uses and build their validators (converters keep them
    once built): writing and checking a one-paragraph cable does it."""
    import cablekit
    from cablekit.formats import FORMATS, converter
    from cablekit.model import Cable, Paragraph

    tiny = Cable(parts=(Paragraph(content=("1. Text.\n",), number="1"),))
    wanted = {job.from_fmt, *(job.outputs if job.action == "convert" else ())}
    for fmt in sorted(f for f in wanted if f):
        if fmt not in job.formats or fmt == "csv":
            continue
        module = converter(fmt)
        if FORMATS[fmt][2]:
            with contextlib.suppress(Exception):
                data = cablekit.dumps(tiny, fmt)
                if hasattr(module, "validate"):
                    module.validate(data, None)


def _chunks(tasks: Iterable[Task], size: int) -> Iterator[list[Task]]:
    chunk: list[Task] = []
    for t in tasks:
        chunk.append(t)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# How long a stopped run waits for the chunks its workers are busy with: their outputs are
# being written, and the parent must see their outcomes to record them in the ledger.
STOP_WAIT = 10.0


def execute(
    job: Job,
    tasks: Iterable[Task],
    *,
    jobs: int,
    chunk_size: int,
    leftover: list[Outcome] | None = None,
    record: Callable[[Outcome], Outcome] | None = None,
) -> Generator[Outcome, None, None]:
    """Outcomes of the tasks, in task order. With jobs > 1, chunks go to worker processes
    with a bounded number in flight, so a stream of tasks (a huge CSV) never piles up.

    `record` (the ledger's) is called on each outcome before it is yielded, with Ctrl-C
    held: an interrupt between an output being in place and its record waits for the record
    (see _HeldInterrupt). When the run stops early (Ctrl-C, the caller closing it), work not
    started is cancelled, the chunks being worked on are finished (their files are being
    written), and the outcomes finished but not recorded are put in `leftover`."""
    chunks = _chunks(tasks, chunk_size)
    interrupt = _HeldInterrupt()
    ready: deque[Outcome] = deque()
    if jobs <= 1:
        try:
            interrupt.hold()
            for chunk in chunks:
                ready.extend(run_chunk(job, chunk))
                yield from _hand_on(ready, record, interrupt)
            interrupt.release()
        finally:
            interrupt.release(raising=False)
            if leftover is not None:  # written, not yet recorded: the ledger still needs them
                leftover.extend(ready)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _warm(job)  # forked workers inherit the imported converters and built validators
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pending: deque[Future[list[Outcome]]] = deque()
    completed = False
    pool: ProcessPoolExecutor | None = None
    # SIGINT is blocked while the pool forks its workers (all at the first submit): a
    # worker interrupted before it ignores SIGINT dies holding a queue lock, and the
    # pool then never shuts down. The parent gets a Ctrl-C that came meanwhile on unblock.
    masked = hasattr(signal, "pthread_sigmask")
    if masked:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        interrupt.hold()  # a Ctrl-C that came while SIGINT was blocked only sets the flag
        try:
            pool = ProcessPoolExecutor(
                jobs, mp_context=context, initializer=_init_worker, initargs=(job,)
            )
            for chunk in chunks:
                pending.append(pool.submit(run_chunk, job, chunk))
                if len(pending) >= jobs * 4:
                    break
        finally:
            if masked:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        while pending:
            interrupt.check()
            try:
                # A short wait, so that a Ctrl-C is acted on even if a chunk takes long.
                done = pending[0].result(timeout=INTERRUPT_POLL)
            except TimeoutError:
                continue
            ready.extend(done)
            pending.popleft()
            nxt = next(chunks, None)
            if nxt is not None:
                pending.append(pool.submit(run_chunk, job, nxt))
            yield from _hand_on(ready, record, interrupt)
        completed = True
        pool.shutdown(wait=True)
        interrupt.release()  # a Ctrl-C during the last chunks: the run still says so
    finally:
        interrupt.release(raising=False)
        if pool is not None and not completed:
            _stop(pool, pending, ready, leftover)


def _hand_on(
    ready: deque[Outcome],
    record: Callable[[Outcome], Outcome] | None,
    interrupt: _HeldInterrupt,
) -> Generator[Outcome, None, None]:
    """Each finished outcome recorded with Ctrl-C held, then yielded with it let go: a
    Ctrl-C that came meanwhile is raised between the two, once the record is written."""
    while ready:
        o = ready.popleft()
        if record is not None:
            o = record(o)
        interrupt.release()
        yield o
        interrupt.hold()


# How often a run waiting for a chunk looks for a Ctrl-C (seconds).
INTERRUPT_POLL = 0.2


class _HeldInterrupt:
    """Ctrl-C held while an outcome goes from its chunk to its record.

    While held, SIGINT only sets a flag: `check` and `release` raise KeyboardInterrupt at
    safe points, where no outcome is between its files being in place and its ledger line
    (a Ctrl-C that landed in that gap lost the line: a file the ledger did not name). The
    handler is in place only while held, never while the caller runs. A second Ctrl-C
    while held stops at once, as one would expect of pressing it again. Outside the main
    thread, or when SIGINT is ignored, nothing changes.
    """

    def __init__(self) -> None:
        self.seen = False
        self._previous: Any = None
        self._held = False

    def _note(self, signum: int, frame: Any) -> None:
        if self.seen:  # pressed again: stop now
            self.release(raising=False)
            raise KeyboardInterrupt
        self.seen = True

    def hold(self) -> None:
        if self._held:
            return
        try:
            if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
                self._previous = signal.signal(signal.SIGINT, self._note)
                self._held = True
        except ValueError:  # not the main thread: Ctrl-C is not ours to handle
            pass

    def release(self, *, raising: bool = True) -> None:
        if self._held:
            self._held = False
            with contextlib.suppress(ValueError):
                signal.signal(signal.SIGINT, self._previous)
        if raising:
            self.check()

    def check(self) -> None:
        if self.seen:
            self.seen = False
            raise KeyboardInterrupt

    def __enter__(self) -> _HeldInterrupt:
        self.hold()
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        # With an exception already on its way, a held Ctrl-C adds nothing to it.
        self.release(raising=kind is None)


def _stop(
    pool: Any,
    pending: deque[Future[list[Outcome]]],
    ready: deque[Outcome],
    leftover: list[Outcome] | None,
) -> None:
    """Stop a pool early: cancel what has not started, wait (bounded) for the chunks being
    worked on, keep the outcomes of every finished chunk, then end the workers."""
    from concurrent.futures import wait

    running = [f for f in pending if not f.cancel()]
    # Further Ctrl-Cs (a terminal or `timeout` may send more than one) would cut the wait
    # short and leave files the ledger does not name: the wait is bounded instead.
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: Ctrl-C is not ours to handle
        previous = None
    try:
        wait(running, timeout=STOP_WAIT)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    found = list(ready)
    for f in running:
        if f.done() and not f.cancelled() and f.exception() is None:
            found.extend(f.result())
    if leftover is not None:
        leftover.extend(found)
    processes = dict(getattr(pool, "_processes", None) or {})
    for p in processes.values():
        with contextlib.suppress(Exception):
            p.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes.values():
        with contextlib.suppress(Exception):
            p.join(5)


# --- the ledger -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Versions:
    tool: str  # "cablekit 0.1.0"
    schemas: str  # sha256 over the bundled schema files, names and contents


def schema_digest() -> str:
    """One fingerprint of the bundled schemas: sha256 over each file's name and bytes."""
    from importlib import resources

    h = hashlib.sha256()
    root = resources.files("cablekit.schemas")
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".json", ".rng", ".sch")) and entry.is_file():
            h.update(entry.name.encode() + b"\0" + entry.read_bytes() + b"\0")
    return "sha256:" + h.hexdigest()


def current_versions() -> Versions:
    import cablekit

    return Versions(f"cablekit {cablekit.__version__}", schema_digest())


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ledger_entry(
    outcome: Outcome,
    job: Job,
    versions: Versions,
    *,
    output_line: int | None = None,
    time: str | None = None,
) -> dict[str, object]:
    """One ledger line. Events are PREMIS event types: migration (convert), validation."""
    entry: dict[str, object] = {
        "ledger": LEDGER_VERSION,
        "event": "migration" if job.action == "convert" else "validation",
        "time": time or _now(),
        "tool": versions.tool,
        "schemas": versions.schemas,
        "input": outcome.path,
    }
    if outcome.record is not None:
        entry["record"] = {"line": outcome.record[0], "id": outcome.record[1]}
    entry["input_sha256"] = outcome.input_sha256
    entry["from"] = outcome.fmt
    if job.encoding is not None and outcome.fmt == "text":
        entry["encoding"] = job.encoding  # the input was read in it
    if job.action == "convert":
        entry["to"] = outcome.to or job.to_fmt
        entry["output"] = outcome.output if outcome.verdict == CONVERTED else None
        entry["output_sha256"] = outcome.output_sha256 if outcome.verdict == CONVERTED else None
        if output_line is not None:
            entry["output_line"] = output_line
    entry["verdict"] = outcome.verdict
    entry["codes"] = sorted({d.code for d in outcome.diagnostics})
    if outcome.skipped:
        entry["resumed"] = True  # verified against an earlier run's line, not redone
    return entry


def _dumps(entry: dict[str, object]) -> str:
    # A file name that is not UTF-8 is kept exact, as \udcXX escapes.
    return json_text(entry)


class Ledger:
    """Append-only JSON Lines; a line torn by a crash is cut off before appending."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            if path.is_dir():
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
            path.parent.mkdir(parents=True, exist_ok=True)
            _repair_tail(path)
            self._file: IO[str] = open(path, "a", encoding="utf-8")  # noqa: SIM115
        except OSError as e:
            raise BatchError(f"{path}: cannot open the ledger: {_why(e)}") from None

    def append(self, entry: dict[str, object]) -> None:
        self.append_line(_dumps(entry) + "\n")

    def append_line(self, line: str) -> None:
        try:
            self._file.write(line)
            self._file.flush()
        except OSError as e:  # a full disk: the run stops rather than lose its record
            raise BatchError(f"{self.path}: cannot write the ledger: {_why(e)}") from None

    def close(self) -> None:
        if self._file.closed:
            return
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError as e:
            raise BatchError(f"{self.path}: cannot write the ledger: {_why(e)}") from None
        finally:
            with contextlib.suppress(OSError):
                self._file.close()


def _why(e: OSError) -> str:
    return str(e.strerror or e)


def _repair_tail(path: Path) -> None:
    try:
        with open(path, "rb+") as f:
            size = f.seek(0, os.SEEK_END)
            if size == 0:
                return
            f.seek(size - 1)
            if f.read(1) == b"\n":
                return
            # Find the last complete line and cut what follows (a line a kill interrupted).
            pos = size
            block = 65536
            while pos > 0:
                start = max(0, pos - block)
                f.seek(start)
                chunk = f.read(pos - start)
                at = chunk.rfind(b"\n")
                if at >= 0:
                    f.truncate(start + at + 1)
                    return
                pos = start
            f.truncate(0)
    except FileNotFoundError:
        return


def read_ledger(path: Path) -> Iterator[dict[str, Any]]:
    """The entries of a ledger, refusing one written in another ledger format."""
    try:
        f = open(path, encoding="utf-8")  # noqa: SIM115
    except FileNotFoundError:
        return
    except OSError as e:
        raise BatchError(f"{path}: cannot read the ledger: {e.strerror or e}") from None
    with f:
        lines = iter(f)
        for n, line in enumerate(lines, 1):
            if not line.endswith("\n"):
                return  # torn by a crash: the run that tore it did not finish this input
            try:
                entry = json.loads(line)
            except ValueError:
                raise BatchError(f"{path}:{n}: ledger line is not JSON") from None
            version = entry.get("ledger") if isinstance(entry, dict) else None
            if version != LEDGER_VERSION:
                raise BatchError(
                    f"{path}:{n}: ledger format {version!r}; this cablekit reads format "
                    f"{LEDGER_VERSION} (use another ledger file, or run without --resume)"
                )
            yield entry


def _ledger_key(path: str, record: object) -> tuple[str, str | None]:
    rid = record.get("id") if isinstance(record, dict) else None
    return (path, rid if isinstance(rid, str) else None)


@dataclass(frozen=True, slots=True)
class Done:
    """A conversion the ledger records, kept small: the digests as bytes, the output path
    as its hash (compared with a planned output's), the input format."""

    input_sha256: bytes
    output: int
    output_sha256: bytes
    fmt: str | None


def done_key(path: str, record_id: str | None, to_fmt: str) -> int:
    return hash((path, record_id, to_fmt))


# done_key(input, record id, output format) -> what the ledger's latest line records as
# converted
DoneIndex = dict[int, Done]


def done_index(
    path: Path, versions: Versions, to_fmts: str | Sequence[str], encoding: str | None = None
) -> DoneIndex:
    """What the ledger records as converted by these versions to these formats, per input
    (and cable of a bulk file) and format, reading text in this encoding; the latest line
    about an input's conversion to a format decides."""
    wanted = {to_fmts} if isinstance(to_fmts, str) else set(to_fmts)
    index: DoneIndex = {}
    for e in read_ledger(path):
        to = e.get("to")
        if e.get("event") != "migration" or not isinstance(to, str) or to not in wanted:
            continue
        key = done_key(*_ledger_key(str(e.get("input")), e.get("record")), to)
        sha, output, output_sha = e.get("input_sha256"), e.get("output"), e.get("output_sha256")
        fmt = e.get("from")
        if (
            e.get("verdict") == CONVERTED
            and e.get("tool") == versions.tool
            and e.get("schemas") == versions.schemas
            # Text read in another encoding is another conversion; other formats name theirs.
            and e.get("encoding") == (encoding if fmt == "text" else None)
            and isinstance(sha, str)
            and isinstance(output, str)
            and isinstance(output_sha, str)
            and "output_line" not in e  # lines of a jsonl file: that file is rebuilt
        ):
            try:
                index[key] = Done(
                    bytes.fromhex(sha),
                    hash(os.path.normpath(output)),
                    bytes.fromhex(output_sha),
                    fmt if isinstance(fmt, str) else None,
                )
            except ValueError:  # not a hex digest: nothing this line can vouch for
                index.pop(key, None)
        else:
            index.pop(key, None)
    return index


# --- collecting outcomes into per-file results --------------------------------------------


class FileTally:
    """One input file's outcomes gathered as they come (a bulk CSV: one per record) into
    its FileResult, keeping counts and diagnostics, not the outcomes."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.diagnostics: list[Diagnostic] = []
        self.records = 0
        self.bulk = False
        self.internal = False
        self.fmt: str | None = None
        self.sha256: str | None = None

    def add(self, o: Outcome) -> None:
        self.diagnostics.extend(o.diagnostics)
        self.records += o.record is not None
        self.bulk = self.bulk or o.record is not None or o.fmt in ("csv", "jsonl")
        self.internal = self.internal or o.internal
        self.fmt = self.fmt or o.fmt
        self.sha256 = self.sha256 or o.input_sha256

    def add_input(self, outcomes: Sequence[Outcome]) -> None:
        """The outcomes of one input (one cable of a file of many), one per output format:
        what failed for the input as a whole is counted once, and so is the cable."""
        seen: set[Diagnostic] = set()
        for i, o in enumerate(outcomes):
            if i:
                o = dataclasses.replace(
                    o, diagnostics=tuple(d for d in o.diagnostics if d not in seen), record=None
                )
            seen.update(o.diagnostics)
            self.add(o)

    def verdict(self) -> str:
        """A bulk CSV that could be read is invalid when some records are bad (those are
        skipped, the others checked), and not checked when it could not be read at all."""
        diags = self.diagnostics
        if self.internal:
            return NOT_CHECKED
        if not self.bulk or any(d.code in ("CK-IO", "CK-EMPTY") for d in diags):
            return classify(diags)
        return INVALID if _errors(diags) else VALID

    def result(self) -> FileResult:
        return FileResult(
            self.path,
            self.verdict(),
            tuple(self.diagnostics),
            self.sha256,
            self.fmt,
            self.records or None,
        )


def file_results(outcomes: Iterable[Outcome]) -> list[FileResult]:
    """Outcomes gathered into one FileResult per input file, in first-seen order."""
    tallies: dict[str, FileTally] = {}
    for o in outcomes:
        tally = tallies.get(o.path)
        if tally is None:
            tally = tallies[o.path] = FileTally(o.path)
        tally.add(o)
    return [t.result() for t in tallies.values()]


# --- whole runs ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Options:
    """Settings of a convert or validate run (the command's options, resolved)."""

    action: str  # "convert" | "validate"
    to_fmt: str | None = None
    from_fmt: str | None = None
    outdir: Path | None = None  # convert: None or "-" = standard output
    jobs: int = 1
    verify: bool = False
    resume: bool = False
    ledger: Path | None = None  # default: cablekit.ledger.jsonl in the output folder
    fsync: bool = True
    chunk_size: int = 0  # tasks per chunk sent to a worker; 0: chosen from the batch size
    rules: bool = True
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    # convert: further output formats (-t json -t tei); each input is read once for all,
    # and gives one output file and one ledger line per format
    also_to: tuple[str, ...] = ()
    encoding: str | None = None  # of telegram text inputs (None: UTF-8)

    @property
    def outputs(self) -> tuple[str, ...]:
        return tuple(f for f in (self.to_fmt, *self.also_to) if f)


def real_paths(paths: Iterable[str]) -> dict[str, str]:
    """os.path.realpath of each path, with each folder resolved once: the files of one
    folder need one lstat each (is the file itself a link?) instead of one per component of
    their path (the release's 251,287 pages: a second or more of planning)."""
    folders: dict[str, str] = {}
    out: dict[str, str] = {}
    for path in paths:
        if path in out:
            continue
        parts = path.split(os.sep)
        if parts[0] in (".", "..") or any(p in ("", ".", "..") for p in parts[1:]) or not path:
            # realpath itself: after a link that loops it stops resolving and joins the rest
            # as written, so "..", "." or "//" after one can end elsewhere than in the folder.
            out[path] = os.path.realpath(path)
            continue
        head, name = os.path.split(path)
        real_head = folders.get(head)
        if real_head is None:
            real_head = folders[head] = os.path.realpath(head or os.curdir)
        # What realpath does with the last component after resolving the ones before it.
        joined = os.path.join(real_head, name)
        out[path] = os.path.realpath(joined) if os.path.islink(joined) else joined
    return out


def output_name(rel: str, to_fmt: str) -> str:
    """The output's path under the output folder: the input's, with the format's suffix."""
    suffix = OUTPUT_SUFFIX[to_fmt]
    parts = rel.split("/")
    if "" in parts or "." in parts:  # not as Path writes it: Path normalizes it first
        p = Path(rel)
        return p.with_suffix(suffix).as_posix() if p.suffix else rel + suffix
    # What Path(rel).with_suffix(suffix).as_posix() gives, without building a Path (two
    # per input and format when planning a batch): the name's last suffix replaced.
    name = parts[-1]
    dot = name.rfind(".")
    if 0 < dot < len(name) - 1:
        return rel[: len(rel) - len(name) + dot] + suffix
    return rel + suffix


class Run:
    """One planned batch. Planning (the constructor) checks all that can be checked before
    anything is written: formats, output names and collisions, the ledger. Iterating does
    the work and yields one Outcome per input (per record of a bulk CSV), in input order."""

    def __init__(
        self,
        discovery: Discovery,
        options: Options,
        *,
        stdin: IO[bytes] | None = None,
        stdout: IO[bytes] | None = None,
    ) -> None:
        from cablekit.formats import FORMATS, available

        opts = self.options = options
        self.discovery = discovery
        self._stdout = stdout
        formats = tuple(available())
        for fmt in (opts.from_fmt, opts.to_fmt if opts.action == "convert" else None):
            if fmt is not None and fmt not in FORMATS:
                raise BatchError(f"unknown format {fmt!r} (formats: {', '.join(FORMATS)})")
        if opts.action == "convert":
            for to in opts.outputs or (None,):
                if to is None or to not in OUTPUT_SUFFIX:
                    raise BatchError(
                        f"cannot write format {to!r} (formats: {', '.join(OUTPUT_SUFFIX)})"
                    )
                if to not in formats:
                    raise BatchError(f"the {to} writer is not part of this cablekit installation")
            if len(set(opts.outputs)) != len(opts.outputs):
                raise BatchError(f"an output format is named twice: {', '.join(opts.outputs)}")
            if "jsonl" in opts.also_to or (opts.to_fmt == "jsonl" and opts.also_to):
                raise BatchError(
                    "jsonl (one file of many cables) cannot be combined with other formats"
                )
        if opts.from_fmt is not None and opts.from_fmt not in formats:
            raise BatchError(
                f"the {opts.from_fmt} reader is not part of this cablekit installation"
            )
        if opts.action == "validate" and opts.rules:
            from cablekit.rules import select_rules

            try:
                select_rules(opts.select, opts.ignore)
            except ValueError as e:
                raise BatchError(str(e)) from None
        encoding = opts.encoding
        if encoding is not None:
            from cablekit.encodings import encoding_name

            try:
                encoding = encoding_name(encoding)
            except ValueError as e:
                raise BatchError(f"--encoding: {e}") from None
            if encoding == "utf-8":
                encoding = None  # the default: the same reading, the same ledger lines
        self.job = Job(
            opts.action,
            formats,
            opts.from_fmt,
            opts.to_fmt,
            verify=opts.verify,
            fsync=opts.fsync,
            rules=opts.rules,
            select=opts.select,
            ignore=opts.ignore,
            also_to=opts.also_to if opts.action == "convert" else (),
            encoding=encoding,
        )
        self.versions = current_versions()

        self._stdin_data: bytes | None = None
        if any(s.path == "-" for s in discovery.sources):
            self._stdin_data = (stdin or sys.stdin.buffer).read()
        from cablekit.formats import sniff

        sources: list[Source] = []
        for s in discovery.sources:
            if s.path == "-" and opts.from_fmt is None and sniff(self._stdin_data or b"") == "csv":
                s = dataclasses.replace(s, csv=True)
            sources.append(s)
        self.sources = tuple(sources)
        self._real_inputs: dict[str, str] | None = None

        # Files of many cables, split here and sent to the workers cable by cable: bulk
        # CSVs, and JSON Lines to convert (a JSON Lines file is validated whole).
        self._bulk: dict[str, str] = {}
        for s in self.sources:
            if s.problem is not None:
                continue
            if s.csv:
                self._bulk[s.path] = "csv"
            elif opts.action == "convert" and s.path != "-":
                named = opts.from_fmt is None and s.path.lower().endswith(".jsonl")
                if opts.from_fmt == "jsonl" or named:
                    self._bulk[s.path] = "jsonl"
        self.jsonl_target: Path | None = None
        self.to_stdout = False
        self.ledger_path: Path | None = opts.ledger
        # Output names are kept as hashes in a sorted array: eight bytes each, so batches
        # of any size (the whole release in one CSV) plan in little memory.
        self._claims: array[int] = array("q")
        self._late: set[int] = set()  # outputs of cables planning could not name
        self._folders: set[str] = set()
        self._index: dict[str, _BulkIndex | Diagnostic] = {}
        if opts.action == "convert":
            self._plan_outputs()
        else:
            for s in self.sources:
                if s.path in self._bulk:
                    self._index[s.path] = self._scan(s, None)
        self.total = 0  # inputs, counting each cable of a file of many
        for s in self.sources:
            index = self._index.get(s.path)
            self.total += index.count if isinstance(index, _BulkIndex) and index.count else 1
        self._done: DoneIndex = {}
        if opts.resume:
            if self.ledger_path is None:
                raise BatchError("--resume needs a ledger: give -o OUTDIR or --ledger FILE")
            self._done = done_index(self.ledger_path, self.versions, opts.outputs, encoding)

    def _open(self, s: Source) -> IO[bytes]:
        if s.path == "-":
            return io.BytesIO(self._stdin_data or b"")
        return open(s.path, "rb")

    def _starts(self, s: Source, digest: Any = None) -> Iterator[tuple[int, str]]:
        """(line, name) of each cable of a file of many; the stream is closed at the end."""
        with self._open(s) as f:
            if self._bulk[s.path] == "csv":
                yield from csv_starts(f, digest)
            else:
                yield from jsonl_starts(f, digest)

    def _scan(self, s: Source, claim: Any) -> _BulkIndex | Diagnostic:
        """The first pass over a file of many: its hash, its cables, and (convert) the
        output of each one claimed through `claim(target) -> hash`."""
        h = hashlib.sha256()
        index = _BulkIndex()
        try:
            for line, cid in self._starts(s, h):
                index.count += 1
                if claim is not None:
                    # The index keeps the first format's output: the others differ from
                    # it in suffix only, and are claimed here too.
                    first, *others = self._targets(s, (line, cid))
                    assert first is not None
                    index.lines.append(line)
                    index.names.append(claim(first))
                    for target in others:
                        claim(target)
        except OSError as e:
            return Diagnostic("CK-IO", "error", e.strerror or str(e), s.path)
        index.sha256 = h.hexdigest()
        return index

    def real_inputs(self) -> dict[str, str]:
        """Each input's real path (standard input aside), worked out once a run: the output,
        ledger and report paths are checked against them, so that no input is written."""
        if self._real_inputs is None:
            self._real_inputs = real_paths(s.path for s in self.sources if s.path != "-")
        return self._real_inputs

    # -- planning --

    def _plan_outputs(self) -> None:
        opts = self.options
        assert opts.to_fmt is not None
        sources = [s for s in self.sources if s.problem is None]
        outdir = opts.outdir
        if outdir is None or str(outdir) == "-":
            self.to_stdout = True
            if opts.also_to:
                raise BatchError("several output formats give several files: give -o OUTDIR")
            if opts.to_fmt != "jsonl" and (len(sources) > 1 or self._bulk):
                raise BatchError(
                    "many inputs give many outputs: give -o OUTDIR "
                    "(only a single cable, or -t jsonl, can go to standard output)"
                )
            for s in sources:
                if s.path in self._bulk:
                    self._index[s.path] = self._scan(s, None)
            return
        real = self.real_inputs()
        inputs = {real[s.path] for s in sources if s.path != "-"}
        if opts.to_fmt == "jsonl":
            target = outdir if outdir.suffix == ".jsonl" else outdir / JSONL_NAME
            if target.parent.exists() and not target.parent.is_dir():
                raise BatchError(f"{target.parent}: not a folder")
            if os.path.realpath(target) in inputs:
                raise BatchError(f"{target}: the output would overwrite an input")
            self.jsonl_target = target
            if self.ledger_path is None:
                self.ledger_path = target.parent / LEDGER_NAME
            for s in sources:
                if s.path in self._bulk:
                    self._index[s.path] = self._scan(s, None)
            return
        if outdir.exists() and not outdir.is_dir():
            raise BatchError(f"{outdir}: not a folder (-o names the output folder)")
        if self.ledger_path is None:
            self.ledger_path = outdir / LEDGER_NAME
        reserved = hash(os.path.normpath(self.ledger_path))
        claims, folders = array("q"), self._folders
        # An output can only replace an input lying under the output folder: only then is
        # each output's real path worth working out.
        real_out = os.path.realpath(outdir)
        exposed = {i for i in inputs if i.startswith(real_out + os.sep)}
        base = os.path.normpath(outdir)
        replaced: list[str] = []

        def claim(target: str) -> int:
            h = hash(target)
            claims.append(h)
            folder = os.path.dirname(target) or "."
            if folder not in folders:
                folders.add(folder)
            if exposed:
                real = os.path.join(real_out, os.path.relpath(target, base))
                if real in exposed:
                    replaced.append(f"{target}: the output would overwrite the input {real}")
            return h

        for s in sources:
            if s.path in self._bulk:
                folders.add(os.path.dirname(self.target_for(s, (0, "x")) or "") or ".")
                self._index[s.path] = self._scan(s, claim)
            else:
                for fmt in opts.outputs:
                    named = self.target_for(s, None, fmt)
                    assert named is not None
                    claim(named)
        ordered = self._claims = array("q", sorted(claims))
        clashing = {a for a, b in itertools.pairwise(ordered) if a == b}
        if _contains(ordered, reserved):
            clashing.add(reserved)
        if clashing:
            self._report_clashes(sources, clashing, reserved)
        if replaced:
            raise BatchError(replaced[0])

    def _report_clashes(self, sources: list[Source], clashing: set[int], reserved: int) -> None:
        """A second pass naming who wants each colliding output (hashes only matched)."""
        owners: dict[str, list[str]] = {}
        assert self.ledger_path is not None
        ledger = os.path.normpath(self.ledger_path)
        if reserved in clashing:
            owners[ledger] = ["the ledger"]
        for s in sources:
            if s.path in self._bulk:
                for line, cid in self._starts(s):
                    for target in self._targets(s, (line, cid)):
                        if target is not None and hash(target) in clashing:
                            owners.setdefault(target, []).append(f"{s.path}:{line}")
            else:
                for target in self._targets(s):
                    if target is not None and hash(target) in clashing:
                        owners.setdefault(target, []).append(s.path)
        clashes = [(t, w) for t, w in owners.items() if len(w) > 1]
        if not clashes:
            return  # different names whose hashes met: nothing collides
        shown = [f"  {t} <- {', '.join(w)}" for t, w in clashes[:20]]
        if len(clashes) > 20:
            shown.append(f"  ... and {len(clashes) - 20:,} more")
        raise BatchError(
            "inputs would write the same output file (nothing was written):\n" + "\n".join(shown)
        )

    def target_for(
        self, source: Source, record: tuple[int, str] | None = None, fmt: str | None = None
    ) -> str | None:
        """The output file of an input (of one cable of a file of many: named by its id) in
        an output format (default: the first)."""
        opts = self.options
        if opts.action != "convert" or self.to_stdout or self.jsonl_target is not None:
            return None
        to = fmt or opts.to_fmt
        assert opts.outdir is not None and to is not None
        rel = source.rel
        if record is not None:
            # Named by cable id, beside where the bulk file would go (".x" is replaced).
            rel = (Path(source.rel).parent / safe_name(record[1], record[0])).as_posix() + ".x"
        return os.path.normpath(os.path.join(opts.outdir, output_name(rel, to)))

    def _targets(self, source: Source, record: tuple[int, str] | None = None) -> list[str | None]:
        """The output file of an input in each output format ([None]: nothing written)."""
        return [self.target_for(source, record, fmt) for fmt in self.options.outputs] or [None]

    def _task(
        self,
        s: Source,
        record_id: str | None,
        targets: list[str | None],
        **kw: Any,
    ) -> Task:
        """A task writing the outputs `targets` (one per format), with what the ledger
        records of each."""
        outputs = self.options.outputs
        if not outputs:  # validate: nothing written
            return Task(s.path, **kw)
        done = [
            self._done_for(s.path, record_id, t, f) for f, t in zip(outputs, targets, strict=True)
        ]
        also = tuple(zip(outputs[1:], targets[1:], done[1:], strict=True))
        return Task(s.path, targets[0], done=done[0], also=also, **kw)

    # -- tasks --

    def _done_for(
        self, path: str, record_id: str | None, target: str | None, fmt: str
    ) -> DoneTriple | None:
        entry = self._done.get(done_key(path, record_id, fmt)) if self._done else None
        if entry is None or target is None or entry.output != hash(target):
            return None
        return (entry.input_sha256.hex(), entry.output_sha256.hex(), entry.fmt)

    def _tasks(self) -> Iterator[Task]:
        for s in self.sources:
            if s.problem is not None:
                yield Task(s.path, problem=s.problem)
            elif self._bulk.get(s.path) == "csv":
                yield from self._csv_tasks(s)
            elif self._bulk.get(s.path) == "jsonl":
                yield from self._jsonl_tasks(s)
            elif s.path == "-":
                yield self._task(s, None, self._targets(s), data=self._stdin_data or b"")
            else:
                yield self._task(s, None, self._targets(s))

    def _late_claim(self, index: _BulkIndex, line: int, targets: list[str | None]) -> str | None:
        """None when a cable may write `targets` (one per format): planning gave it these
        outputs, or it is a cable planning could not name (its first line broken) and the
        outputs are free; else the output that belongs to another input."""
        if targets[0] is None or index.claimed(line, hash(targets[0])):
            return None
        hashes = [hash(t) for t in targets]
        for t, h in zip(targets, hashes, strict=True):
            if _contains(self._claims, h) or h in self._late:
                return t
        self._late.update(hashes)
        return None

    def _csv_tasks(self, s: Source) -> Iterator[Task]:
        from cablekit.formats import converter

        iter_records = converter("csv").iter_records
        index = self._index[s.path]
        if isinstance(index, Diagnostic):
            yield Task(s.path, problem=index, fmt="csv")
            return
        sha = index.sha256
        count = 0
        try:
            f = self._open(s)
        except OSError as e:
            diag = Diagnostic("CK-IO", "error", e.strerror or str(e), s.path)
            yield Task(s.path, problem=diag, fmt="csv")
            return
        with f:
            for item in iter_records(f, s.path):
                count += 1
                if isinstance(item, CablekitError):
                    diag = Diagnostic(item.code, "error", item.message, s.path, item.line, item.col)
                    yield Task(s.path, input_sha256=sha, problem=diag, fmt="csv")
                    continue
                cid = item.page.identifier or ""
                rec = CsvItem(item.line, cid, item.page, item.telegram)
                targets = self._targets(s, (item.line, cid))
                taken = self._late_claim(index, item.line, targets)
                if taken is not None:
                    message = f"record {cid}: its output {taken} belongs to another input"
                    diag = Diagnostic("CK-COLLISION", "error", message, s.path, item.line)
                    yield Task(s.path, input_sha256=sha, record=rec, problem=diag, fmt="csv")
                    continue
                yield self._task(s, cid, targets, record=rec, input_sha256=sha, fmt="csv")
        if count == 0:
            diag = Diagnostic("CK-EMPTY", "error", "no records in this CSV file", s.path)
            yield Task(s.path, input_sha256=sha, problem=diag, fmt="csv")

    def _jsonl_tasks(self, s: Source) -> Iterator[Task]:
        index = self._index[s.path]
        if isinstance(index, Diagnostic):
            yield Task(s.path, problem=index, fmt="jsonl")
            return
        sha = index.sha256
        try:
            f = self._open(s)
        except OSError as e:
            diag = Diagnostic("CK-IO", "error", e.strerror or str(e), s.path)
            yield Task(s.path, problem=diag, fmt="jsonl")
            return
        count = 0
        with f:
            for lineno, raw in enumerate(f, 1):
                if not raw.strip():
                    message = "blank line (JSON Lines holds one cable per line)"
                    diag = Diagnostic("CK-JSONL-BLANK-LINE", "error", message, s.path, lineno)
                    yield Task(s.path, input_sha256=sha, problem=diag, fmt="jsonl")
                    continue
                count += 1
                cid = _json_id(raw)
                rec = CsvItem(lineno, cid, data=raw)
                targets = self._targets(s, (lineno, cid))
                taken = self._late_claim(index, lineno, targets)
                if taken is not None:
                    message = f"line {lineno}: its output {taken} belongs to another input"
                    diag = Diagnostic("CK-COLLISION", "error", message, s.path, lineno)
                    yield Task(s.path, input_sha256=sha, record=rec, problem=diag, fmt="jsonl")
                    continue
                yield self._task(s, cid, targets, record=rec, input_sha256=sha, fmt="jsonl")
        if count == 0:
            diag = Diagnostic("CK-EMPTY", "error", "no cable: the file is empty", s.path)
            yield Task(s.path, input_sha256=sha, problem=diag, fmt="jsonl")

    # -- running --

    def __iter__(self) -> Generator[Outcome, None, None]:
        opts = self.options
        folders = set(self._folders)
        if self.jsonl_target is not None:
            folders.add(str(self.jsonl_target.parent))
        for folder in sorted(folders):
            try:
                os.makedirs(folder, exist_ok=True)
            except OSError as e:
                raise BatchError(f"{folder}: cannot create the output folder: {_why(e)}") from None
        _remove_stale_temporaries(folders)
        ledger = Ledger(self.ledger_path) if self.ledger_path is not None else None
        try:
            jsonl = _JsonlWriter(self.jsonl_target, opts.fsync) if self.jsonl_target else None
        except OSError as e:
            if ledger is not None:
                ledger.close()
            raise BatchError(f"{self.jsonl_target}: cannot write: {_why(e)}") from None
        jobs = max(1, opts.jobs)
        chunk = opts.chunk_size or max(1, min(32, self.total // (jobs * 8)))
        if self.total <= chunk:
            jobs = 1  # a pool would cost more than it saves
        finished = False
        leftover: list[Outcome] = []

        def record(o: Outcome) -> Outcome:
            """The outcome's output written where it goes (a JSON Lines file, standard
            output) and its ledger line; called by execute with Ctrl-C held."""
            line_no: int | None = None
            data = o.data
            if data is not None:
                if jsonl is not None:
                    line_no = jsonl.add(data)
                    o = dataclasses.replace(o, output=str(jsonl.target), data=None)
                elif self._stdout is not None:
                    self._stdout.write(data)
                    self._stdout.flush()
                    o = dataclasses.replace(o, output="-", data=None)
            if ledger is not None and not o.skipped:
                # A skipped input already has its line, from the run that did it.
                entry = ledger_entry(o, self.job, self.versions, output_line=line_no)
                if jsonl is not None:
                    jsonl.hold(entry)
                else:
                    ledger.append(entry)
            return o

        outcomes = execute(
            self.job, self._tasks(), jobs=jobs, chunk_size=chunk, leftover=leftover, record=record
        )
        try:
            yield from outcomes
            finished = True
        finally:
            outcomes.close()
            # Stopped early (Ctrl-C, --fail-fast): the JSON Lines output is incomplete and
            # an existing one stays as it was; the files finished meanwhile get their lines,
            # with a further Ctrl-C held until they are written.
            with _HeldInterrupt():
                if jsonl is not None:
                    if finished:
                        jsonl.commit(ledger)
                    else:
                        jsonl.discard()
                if ledger is not None:
                    for o in leftover:
                        if o.data is None and not o.skipped:
                            ledger.append(ledger_entry(o, self.job, self.versions))
                    ledger.close()
                _fsync_folders(folders)


def _contains(ordered: array[int], value: int) -> bool:
    i = bisect.bisect_left(ordered, value)
    return i < len(ordered) and ordered[i] == value


def _remove_stale_temporaries(folders: Iterable[str]) -> None:
    """Temporary files a killed run left behind (ours only: .<name>.<hex>.cablekit-tmp)."""
    for folder in folders:
        with contextlib.suppress(OSError), os.scandir(folder) as it:
            for entry in it:
                if entry.name.startswith(".") and entry.name.endswith(TMP_SUFFIX):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)


def _fsync_folders(folders: Iterable[str]) -> None:
    """Make the renames durable: a folder's entries are data too."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    for folder in folders:
        with contextlib.suppress(OSError):
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


class _JsonlWriter:
    """The one output of `-t jsonl`: lines go to a temporary file renamed into place when
    the run ends; their ledger lines wait until then, so the ledger never names a file
    that is not there."""

    def __init__(self, target: Path, fsync: bool) -> None:
        self.target = target
        self.fsync = fsync
        self.tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}{TMP_SUFFIX}"
        self._out = open(self.tmp, "xb")  # noqa: SIM115
        self._held: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self.lines = 0

    def add(self, data: bytes) -> int:
        """Append a cable's line; returns its line number."""
        self._out.write(data)
        self.lines += data.count(b"\n")
        return self.lines

    def hold(self, entry: dict[str, object]) -> None:
        self._held.write(_dumps(entry) + "\n")

    def commit(self, ledger: Ledger | None) -> None:
        self._out.flush()
        if self.fsync:
            os.fsync(self._out.fileno())
        self._out.close()
        os.replace(self.tmp, self.target)
        self._held.seek(0)
        if ledger is not None:
            for line in self._held:
                ledger.append_line(line)
        self._held.close()

    def discard(self) -> None:
        self._out.close()
        self._held.close()
        with contextlib.suppress(OSError):
            os.unlink(self.tmp)
