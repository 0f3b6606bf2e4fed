"""Whole-batch throughput of the cablekit command: the corpus pages converted to JSON, to TEI,
and to both at once (`-t json -t tei`: each page read once, two files written), with reading,
conversion, schema checks, atomic writes with fsync and the ledger, with 1 and 2 workers.

Usage: python benchmarks/bench_batch.py [--runs N] [--jobs 1 2] [--to json tei json+tei]
                                        [--validate json tei] [--verify] [--pure]
                                        [--repeat N] [corpus_dir]
(corpus_dir defaults to $CABLEKIT_CORPUS, else ../shared/corpus beside the repository;
--pure sets CABLEKIT_PURE_PYTHON=1: no jsonschema-rs or orjson, the figures without the
`fast` extra.)

Each run is the installed command in a fresh output folder, timed from start to exit, so the
figure includes process start, discovery, workers, writing and the ledger. Prints for each
run cables/s, and for each setting the median, the CPU time per cable (user + system, the
command and its workers), how many cores that kept busy (CPU time / elapsed time), and the
peak resident memory of the largest process. The machine is shared: the load average is
printed before and after; read the median beside the spread, and the CPU time per cable,
which other users' load disturbs less than elapsed time.

--validate also times `cablekit validate` (schemas and cable rules, as a CI job runs it) over
the corpus converted to each format named, in files/s.

The release estimate adds the start-up (timed on one page) to the 251,287 cables at the
rate the run kept after its start-up.

--repeat N converts the corpus N times over in one run (N folders of links to the pages,
made in the temporary folder: hard links where the corpus is on the same file system, so
the inputs are plain files as in a real batch, else symbolic links; the pages themselves
are neither copied nor changed), so that the start-up and the first and last chunks weigh
in the figure about as little as in a run over the whole release.

Outputs are kept until the end: ext4 skips inodes freed in the last one to six minutes when
it allocates new ones, so after many files are deleted (a previous run's outputs, another
user's test folders) creating a file costs up to ten times more kernel time. The time to
create one empty file is printed before and after, to tell a run slowed that way.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).parent / "cablekit"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "cablekit.cli"]
RELEASE = 251_287


@dataclass(frozen=True, slots=True)
class Timing:
    seconds: float
    cpu: float  # user + system seconds, the command and its workers
    peak_kib: int


def one_run(
    pages: Path, to: str, jobs: int, verify: bool, out: Path, env: dict[str, str]
) -> Timing:
    """One conversion of `pages` (a folder, or one page) into `out`."""
    args = [*COMMAND, "convert", str(pages), "-o", str(out), "-j", str(jobs), "-q"]
    for fmt in to.split("+"):
        args += ["-t", fmt]
    if verify:
        args.append("--verify")
    return timed(args, env)


def timed(args: list[str], env: dict[str, str]) -> Timing:
    """Run a command to its end: elapsed time, CPU time and peak memory; exit 0 or stop."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert proc.stderr is not None
    err = proc.stderr.read()
    # The rusage of the waited command covers the workers it waited for, too.
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(args[-12:])} exited {code}:\n{err.decode()[-2000:]}")
    return Timing(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


def validate_run(folder: Path, fmt: str, jobs: int, env: dict[str, str]) -> Timing:
    """One `cablekit validate` of the files of one format in `folder` (findings expected:
    some corpus cables break the rules, hence --exit-zero)."""
    other = {"json": "*.xml", "tei": "*.json"}[fmt]
    args = [*COMMAND, "validate", str(folder), "-j", str(jobs), "-q", "--exit-zero"]
    args += ["--exclude", other, "--exclude", "*.jsonl"]
    return timed(args, env)


def repeated(listed: list[Path], times: int, folder: Path) -> Path:
    """A folder holding `times` folders of links to every page (hard, else symbolic)."""
    for n in range(times):
        copy = folder / f"r{n + 1}"
        copy.mkdir(parents=True)
        for page in listed:
            try:
                os.link(page, copy / page.name)
            except OSError:  # another file system, or links not allowed there
                (copy / page.name).symlink_to(page.resolve())
    return folder


def file_creation(folder: Path, n: int = 500) -> float:
    """Seconds to create one empty file in `folder` (left in place, see the docstring)."""
    folder.mkdir(parents=True)
    start = time.perf_counter()
    for i in range(n):
        os.close(os.open(folder / f"f{i}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    return (time.perf_counter() - start) / n


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def main() -> None:
    default = os.environ.get("CABLEKIT_CORPUS") or str(ROOT.parent / "shared" / "corpus")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", nargs="?", default=default)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--to", nargs="+", default=["json", "tei", "json+tei"], help="json+tei: both at once"
    )
    parser.add_argument(
        "--validate", nargs="*", default=[], choices=["json", "tei"], help="time validate too"
    )
    parser.add_argument("--verify", action="store_true", help="also read every output back")
    parser.add_argument("--pure", action="store_true", help="without jsonschema-rs and orjson")
    parser.add_argument("--repeat", type=int, default=1, help="the corpus N times in one run")
    args = parser.parse_args()

    pages = Path(args.corpus, "cablegate-html")
    listed = sorted(pages.glob("*.html"))
    count = len(listed)
    if not count:
        raise SystemExit(f"no pages under {pages}")
    env = dict(os.environ)
    if args.pure:
        env["CABLEKIT_PURE_PYTHON"] = "1"
    try:
        import jsonschema_rs  # noqa: F401
        import orjson  # noqa: F401

        fast = "jsonschema-rs and orjson installed"
    except ImportError:
        fast = "jsonschema-rs or orjson missing"
    mode = "switched off (CABLEKIT_PURE_PYTHON=1)" if args.pure else "used when installed"
    print(f"{count} pages, {os.cpu_count()} cores, {args.runs} runs each; {fast}, {mode}")
    tmp = tempfile.mkdtemp(prefix="cablekit-bench-")
    if args.repeat > 1:
        pages = repeated(listed, args.repeat, Path(tmp, "pages"))
        count *= args.repeat
        print(f"the corpus {args.repeat} times over: {count:,} cables a run")
    create = file_creation(Path(tmp, "probe-before")) * 1000
    print(f"before: {load()}; creating a file: {create:.3f} ms")
    try:
        for jobs in args.jobs:
            for to in args.to:
                # Start-up: the same command on one page (imports, schemas, the pool).
                starts = [
                    one_run(listed[0], to, jobs, args.verify, Path(tmp, f"s-{to}-{jobs}-{r}"), env)
                    for r in range(3)
                ]
                start = statistics.median(t.seconds for t in starts)
                runs = [
                    one_run(pages, to, jobs, args.verify, Path(tmp, f"{to}-j{jobs}-{r}"), env)
                    for r in range(args.runs)
                ]
                rates = [count / t.seconds for t in runs]
                median = statistics.median(rates)
                cpu = statistics.median(t.cpu / count for t in runs)
                busy = statistics.median(t.cpu / t.seconds for t in runs)
                seconds = statistics.median(t.seconds for t in runs)
                steady = count / max(seconds - start, 1e-9)
                release = start + RELEASE / steady
                print(
                    f"pages -> {to:8} -j {jobs}: median {median:6,.0f} cables/s "
                    f"(runs: {', '.join(f'{r:,.0f}' for r in rates)}); "
                    f"CPU {cpu * 1000:.2f} ms/cable, {busy:.2f} cores busy; "
                    f"peak RSS {max(t.peak_kib for t in runs) / 1024:,.0f} MiB"
                )
                print(
                    f"    start-up {start:.2f} s; after it {steady:,.0f} cables/s: "
                    f"the {RELEASE:,}-cable release in {release / 60:,.1f} min"
                )
        if args.validate:
            converted = Path(tmp, "to-validate")
            one_run(pages, "json+tei", max(args.jobs), False, converted, env)
            for jobs in args.jobs:
                for fmt in args.validate:
                    runs = [validate_run(converted, fmt, jobs, env) for _ in range(args.runs)]
                    rates = [count / t.seconds for t in runs]
                    cpu = statistics.median(t.cpu / count for t in runs)
                    print(
                        f"validate {fmt:4} -j {jobs}: median {statistics.median(rates):6,.0f} "
                        f"files/s (runs: {', '.join(f'{r:,.0f}' for r in rates)}); "
                        f"CPU {cpu * 1000:.2f} ms/file"
                    )
        create = file_creation(Path(tmp, "probe-after")) * 1000
        print(f"after: {load()}; creating a file: {create:.3f} ms")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
