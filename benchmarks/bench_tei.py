"""Throughput of the TEI format over the corpus, each way, checks included.

    model -> TEI   tei.dumps: write the document, then RELAX NG + Schematron on it
    TEI -> model   tei.loads: hardened parse, RELAX NG + Schematron, rebuild the cable

Usage: python benchmarks/bench_tei.py [--runs N] [--limit N] [--stages] [corpus_dir]
(corpus_dir defaults to $CABLEKIT_CORPUS, else ../shared/corpus beside the repository).
Cables are read and written once beforehand (schemas compiled, documents in memory), so each
figure is the conversion alone, on one core. Prints cables/s per run (wall clock, and per
second of this process's CPU time, which other load on the machine does not dilute), the
medians, and the peak memory of the process. --stages adds where the time goes: CPU time per
cable of each stage (building or reading the model in Python, XML parsing, RELAX NG,
Schematron), each timed inside the same pipeline as the figures above, medians over the runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from pathlib import Path

import cablekit
from cablekit import tei_schemas
from cablekit.converters import tei

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    default = os.environ.get("CABLEKIT_CORPUS") or str(ROOT.parent / "shared" / "corpus")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", nargs="?", default=default)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages")
    parser.add_argument("--stages", action="store_true", help="CPU time of each stage")
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

    def write_all() -> None:
        for c in cables:
            tei.dumps(c)

    def read_all() -> None:
        for d in docs:
            tei.loads(d)

    # Each result is dropped as it comes, as a conversion run drops each cable once written:
    # holding all 1,660 rebuilt cables alive would add the garbage collector's passes over a
    # growing heap to the figure (about 9 % of reading), which no streaming run pays.
    for label, work in (
        ("model -> TEI + checks", write_all),
        ("TEI -> model + checks", read_all),
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
    if args.stages:
        stages(cables, docs, args.runs)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:,.0f} MB (process, corpus and documents held in memory)")


def stages(cables: list[cablekit.Cable], docs: list[bytes], runs: int) -> None:
    """Each stage of dumps and loads timed in place (the checks' own bookkeeping included in
    neither the parse nor the schemas: it is what the totals add to these)."""
    checks = tei_schemas.checks()
    clock = time.process_time
    names = ("write: model -> XML text", "parse", "RELAX NG", "Schematron")
    names += ("read: parse", "RELAX NG", "Schematron", "read: XML -> model")
    samples: list[list[float]] = [[] for _ in names]
    for _ in range(runs):
        spent = [0.0] * len(names)
        for cable in cables:
            t0 = clock()
            data = tei.dumps_str(cable).encode("utf-8")
            t1 = clock()
            tree = tei_schemas.parse(data, None)
            t2 = clock()
            checks.rng_fast.validate(tree)
            t3 = clock()
            checks.sch(tree)
            t4 = clock()
            spent[0] += t1 - t0
            spent[1] += t2 - t1
            spent[2] += t3 - t2
            spent[3] += t4 - t3
        for doc in docs:
            t0 = clock()
            tree = tei_schemas.parse(doc, None)
            t1 = clock()
            checks.rng_fast.validate(tree)
            t2 = clock()
            checks.sch(tree)
            t3 = clock()
            tei._read_doc(tree, None)
            t4 = clock()
            spent[4] += t1 - t0
            spent[5] += t2 - t1
            spent[6] += t3 - t2
            spent[7] += t4 - t3
        for i, s in enumerate(spent):
            samples[i].append(s / len(cables) * 1000)
    print("stages, ms of CPU per cable (median):")
    for name, values in zip(names, samples, strict=True):
        print(f"  {name:26s} {statistics.median(values):.3f}")


if __name__ == "__main__":
    main()
