"""Whole-batch throughput of the cablekit command: the corpus pages converted to JSON and to
TEI (read, convert, schema-check, write atomically with fsync, ledger), with 1 and 2 workers.

Usage: python benchmarks/bench_batch.py [--runs N] [--jobs 1 2] [--to json tei] [--verify]
                                        [corpus_dir]
(corpus_dir defaults to $CABLEKIT_CORPUS, else ../shared/corpus beside the repository).

Each run is the installed command in a fresh output folder, timed from start to exit, so the
figure includes process start, discovery, workers, writing and the ledger. Prints cables/s
for each run, the median, and the peak resident memory of the largest process (the command
or one of its workers). The machine is shared: read the median, and the spread beside it.

Outputs are kept until the end: ext4 allocates new inodes slowly for some seconds after many
files are deleted (it skips recently freed ones), so deleting each run's 1,660 files would
slow the next run's writing.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).parent / "cablekit"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "cablekit.cli"]


def one_run(pages: Path, fmt: str, jobs: int, verify: bool, out: Path) -> tuple[float, int]:
    """Seconds and peak RSS (KiB) of one conversion of the whole folder into `out`."""
    args = [*COMMAND, "convert", str(pages), "-t", fmt, "-o", str(out), "-j", str(jobs), "-q"]
    if verify:
        args.append("--verify")
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"cablekit exited {proc.returncode}:\n{err.decode()[-2000:]}")
    return elapsed, usage.ru_maxrss


def main() -> None:
    default = os.environ.get("CABLEKIT_CORPUS") or str(ROOT.parent / "shared" / "corpus")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", nargs="?", default=default)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--to", nargs="+", default=["json", "tei"])
    parser.add_argument("--verify", action="store_true", help="also read every output back")
    args = parser.parse_args()

    pages = Path(args.corpus, "cablegate-html")
    count = len(list(pages.glob("*.html")))
    if not count:
        raise SystemExit(f"no pages under {pages}")
    print(f"{count} pages, {os.cpu_count()} cores, {args.runs} runs each")
    medians: dict[tuple[str, int], float] = {}
    tmp = tempfile.mkdtemp(prefix="cablekit-bench-")
    try:
        for jobs in args.jobs:
            for fmt in args.to:
                rates, peaks = [], []
                for run in range(args.runs):
                    out = Path(tmp, f"{fmt}-j{jobs}-{run}")
                    seconds, peak = one_run(pages, fmt, jobs, args.verify, out)
                    rates.append(count / seconds)
                    peaks.append(peak)
                median = statistics.median(rates)
                medians[fmt, jobs] = median
                print(
                    f"pages -> {fmt:4} -j {jobs}: median {median:7,.0f} cables/s "
                    f"(runs: {', '.join(f'{r:,.0f}' for r in rates)}); "
                    f"peak RSS {max(peaks) / 1024:,.0f} MiB"
                )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for jobs in args.jobs:
        if all((fmt, jobs) in medians for fmt in args.to) and len(args.to) > 1:
            # Every page to every format: the time per page is the sum over formats.
            both = 1 / sum(1 / medians[fmt, jobs] for fmt in args.to)
            release = 251_287 / both
            print(
                f"pages -> {' + '.join(args.to)} -j {jobs}: {both:,.0f} cables/s "
                f"(the 251,287-cable release in {release / 60:,.1f} min)"
            )


if __name__ == "__main__":
    main()
