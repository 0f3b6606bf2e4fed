"""Cost of the cable rules: the full rule set over the corpus cables, on one core.

Cables are read into the model first (not timed); each run checks every cable with every rule.
Usage: python benchmarks/bench_rules.py [--runs N] [corpus_dir]
(corpus_dir defaults to $CABLEKIT_CORPUS, else ../shared/corpus beside the repository).
Prints each run, the median in cables/s, and peak memory (max RSS).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from pathlib import Path

import cablekit
from cablekit import rules

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    default = os.environ.get("CABLEKIT_CORPUS") or str(ROOT.parent / "shared" / "corpus")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", nargs="?", default=default)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    pages = sorted(Path(args.corpus, "cablegate-html").glob("*.html"))
    if not pages:
        raise SystemExit(f"no pages under {args.corpus}/cablegate-html")
    cables = [cablekit.read(p, "html") for p in pages]
    chosen = rules.select_rules()
    rates = []
    findings = 0
    for run in range(1, args.runs + 1):
        start = time.perf_counter()
        findings = sum(len(rules.check(c, rules=chosen)) for c in cables)
        elapsed = time.perf_counter() - start
        rates.append(len(cables) / elapsed)
        print(f"run {run}: {rates[-1]:,.0f} cables/s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{len(cables)} cables, {len(chosen)} rules, {findings} findings; "
        f"median {statistics.median(rates):,.0f} cables/s over {args.runs} runs; "
        f"peak memory (max RSS, cables held in memory) {peak:,.0f} MB"
    )


if __name__ == "__main__":
    main()
