"""Throughput of the TEI format over the corpus, each way, checks included.

    model -> TEI   tei.dumps: write the document, then RELAX NG + Schematron on it
    TEI -> model   tei.loads: hardened parse, RELAX NG + Schematron, rebuild the cable

Usage: python benchmarks/bench_tei.py [--runs N] [--limit N] [corpus_dir]
(corpus_dir defaults to $CABLEKIT_CORPUS, else ../shared/corpus beside the repository).
Cables are read and written once beforehand (schemas compiled, documents in memory), so each
figure is the conversion alone, on one core. Prints cables/s per run (wall clock, and per
second of this process's CPU time, which other load on the machine does not dilute), the
medians, and the peak memory of the process.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from pathlib import Path

import cablekit
from cablekit.converters import tei

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    default = os.environ.get("CABLEKIT_CORPUS") or str(ROOT.parent / "shared" / "corpus")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", nargs="?", default=default)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages")
    args = parser.parse_args()

    pages = sorted(Path(args.corpus, "cablegate-html").glob("*.html"))
    if args.limit:
        pages = pages[: args.limit]
    if not pages:
        raise SystemExit(f"no pages under {args.corpus}/cablegate-html")
    cables = [cablekit.read(p) for p in pages]
    docs = [tei.dumps(c) for c in cables]  # also compiles the schemas
    size = sum(map(len, docs))
    print(f"{len(cables)} cables; TEI {size / 1e6:.1f} MB, {size / len(docs) / 1e3:.1f} KB each")

    for label, work in (
        ("model -> TEI + checks", lambda: [tei.dumps(c) for c in cables]),
        ("TEI -> model + checks", lambda: [tei.loads(d) for d in docs]),
    ):
        rates, cpu_rates = [], []
        for run in range(1, args.runs + 1):
            start, cpu = time.perf_counter(), time.process_time()
            work()
            elapsed, cpu_used = time.perf_counter() - start, time.process_time() - cpu
            rates.append(len(cables) / elapsed)
            cpu_rates.append(len(cables) / cpu_used)
            print(
                f"  {label} run {run}: {rates[-1]:,.0f} cables/s ({cpu_rates[-1]:,.0f} per CPU-s)"
            )
        print(
            f"{label}: median {statistics.median(rates):,.0f} cables/s "
            f"({statistics.median(cpu_rates):,.0f} per CPU-second)"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:,.0f} MB (process, corpus and documents held in memory)")


if __name__ == "__main__":
    main()
