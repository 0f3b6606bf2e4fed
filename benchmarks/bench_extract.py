"""Throughput of html.extract_page over the corpus pages: bytes in, metadata + telegram out.

Usage: python benchmarks/bench_extract.py [--runs N] [corpus_dir]
(corpus_dir defaults to $CABLEKIT_CORPUS, else ../shared/corpus beside the repository).
Pages are read into memory first, so the figure is extraction only, on one core.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from cablekit.converters.html import extract_page

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    default = os.environ.get("CABLEKIT_CORPUS") or str(ROOT.parent / "shared" / "corpus")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", nargs="?", default=default)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    pages = [p.read_bytes() for p in sorted(Path(args.corpus, "cablegate-html").glob("*.html"))]
    if not pages:
        raise SystemExit(f"no pages under {args.corpus}/cablegate-html")
    size = sum(map(len, pages))
    rates = []
    for run in range(1, args.runs + 1):
        start = time.perf_counter()
        for data in pages:
            extract_page(data)
        elapsed = time.perf_counter() - start
        rates.append(len(pages) / elapsed)
        print(f"run {run}: {rates[-1]:,.0f} pages/s ({size / elapsed / 1e6:,.0f} MB/s)")
    print(
        f"{len(pages)} pages, {size / 1e6:.1f} MB; median {statistics.median(rates):,.0f} pages/s"
    )


if __name__ == "__main__":
    main()
