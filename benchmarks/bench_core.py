"""Throughput of the core readers over the corpus, on one core.

page -> model: a cablegate page's bytes to a Cable (table, blocks, telegram grammar).
text -> model -> text: a bare telegram to a Cable and back to bytes (checked equal).

Usage: python benchmarks/bench_core.py [--runs N] [corpus_dir]
(corpus_dir defaults to $CABLEKIT_CORPUS, else ../shared/corpus beside the repository).
Inputs are read into memory first; prints each run, the median (wall clock and per CPU-second
of this process, steadier on a shared machine), and peak memory (max RSS).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import cablekit
from cablekit.converters.html import extract_page

ROOT = Path(__file__).resolve().parent.parent


def measure(name: str, items: list[bytes], work: Callable[[bytes], object], runs: int) -> None:
    rates = []
    cpu_rates = []
    for run in range(1, runs + 1):
        start, cpu_start = time.perf_counter(), time.process_time()
        for data in items:
            work(data)
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        rates.append(len(items) / elapsed)
        cpu_rates.append(len(items) / cpu)
        print(f"  {name} run {run}: {rates[-1]:,.0f} cables/s, {cpu_rates[-1]:,.0f} per CPU-second")
    print(
        f"{name}: median {statistics.median(rates):,.0f} cables/s, "
        f"{statistics.median(cpu_rates):,.0f} per CPU-second over {runs} runs"
    )


def main() -> None:
    default = os.environ.get("CABLEKIT_CORPUS") or str(ROOT.parent / "shared" / "corpus")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", nargs="?", default=default)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    pages = [p.read_bytes() for p in sorted(Path(args.corpus, "cablegate-html").glob("*.html"))]
    if not pages:
        raise SystemExit(f"no pages under {args.corpus}/cablegate-html")
    telegrams = [extract_page(p)[1].encode("utf-8") for p in pages]
    megabytes = sum(map(len, telegrams)) / 1e6
    print(f"{len(pages)} pages; telegrams {megabytes:.0f} MB")

    measure("page -> model", pages, lambda b: cablekit.loads(b, "html"), args.runs)

    def round_trip(data: bytes) -> None:
        if cablekit.dumps(cablekit.loads(data, "text"), "text") != data:
            raise SystemExit("round trip differs")

    measure("text -> model -> text", telegrams, round_trip, args.runs)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS, inputs held in memory): {peak:,.0f} MB")


if __name__ == "__main__":
    main()
