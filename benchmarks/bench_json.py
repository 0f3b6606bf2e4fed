"""Throughput of the JSON format over the corpus: model -> JSON + validate, JSON -> model +
validate, with each engine: the fast path (orjson + jsonschema-rs, when installed) and
jsonschema alone (the standard library's json and jsonschema's Draft 2020-12 validator).

Usage: python benchmarks/bench_json.py [--runs N] [--jsonl] [--reference] [--text] [corpus_dir]
(corpus_dir defaults to $CABLEKIT_CORPUS, else ../shared/corpus beside the repository).

Cables are read from the corpus pages first and kept out of the garbage collector's way
(gc.freeze), so the figures are the JSON work only. Rates are cables per CPU second of this
one process (one core); the median over the runs is printed, with the wall-clock median
beside it. Peak memory is the largest Python allocation during one more pass (tracemalloc),
and the process's peak resident size at the end. --reference adds jsonschema with its stock
keywords throughout (no leaf fast path), to show what that fast path is worth.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def measure(
    label: str,
    work: Callable[[Any], object],
    items: list[Any],
    runs: int,
    count: int | None = None,
) -> tuple[float, float]:
    """Median cables/s of work over items (count cables in all, default one per item)."""
    n = len(items) if count is None else count
    cpu_rates, wall_rates = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        for item in items:
            work(item)
        cpu_rates.append(n / (time.process_time() - cpu))
        wall_rates.append(n / (time.perf_counter() - wall))
    tracemalloc.start()
    for item in items:
        work(item)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    cpu_rate, wall_rate = statistics.median(cpu_rates), statistics.median(wall_rates)
    print(
        f"  {label:<34} {cpu_rate:>8,.0f} cables/s   (wall {wall_rate:>7,.0f}/s, "
        f"runs {min(cpu_rates):,.0f}-{max(cpu_rates):,.0f}, peak {peak / 1e6:5.1f} MB)"
    )
    return cpu_rate, wall_rate


def main() -> None:
    default = os.environ.get("CABLEKIT_CORPUS") or str(ROOT.parent / "shared" / "corpus")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", nargs="?", default=default)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jsonl", action="store_true", help="also JSON Lines (compact)")
    parser.add_argument("--reference", action="store_true", help="also stock jsonschema")
    parser.add_argument(
        "--text",
        action="store_true",
        help="also cablekit.dumps(cable, 'text'): written, read back, compared, validated "
        "(engines as installed; CABLEKIT_PURE_PYTHON=1 for jsonschema alone)",
    )
    args = parser.parse_args()

    import cablekit
    from cablekit import jsoncodec, jsonschema_engine
    from cablekit.converters import jsonl

    pages = sorted(Path(args.corpus, "cablegate-html").glob("*.html"))
    if not pages:
        raise SystemExit(f"no pages under {args.corpus}/cablegate-html")
    cables = [cablekit.read(p) for p in pages]
    gc.collect()
    gc.freeze()

    engines: list[tuple[str, bool]] = []
    if jsonschema_engine.orjson_module() and jsonschema_engine.rust_validator():
        engines.append(("fast path (orjson + jsonschema-rs)", True))
    else:
        print("fast path not measured: pip install orjson jsonschema-rs", file=sys.stderr)
    engines.append(("jsonschema alone", False))

    print(f"{len(cables)} cables from {args.corpus}; median of {args.runs} runs, one core")
    forms = [("json", False)] + ([("jsonl", True)] if args.jsonl else [])
    for name, fast in engines:
        print(name)
        for form, compact in forms:
            outputs = [jsoncodec.write(c, compact=compact, fast=fast) for c in cables]
            size = sum(map(len, outputs)) / len(outputs)

            def write(c: Any, compact: bool = compact, fast: bool = fast) -> object:
                return jsoncodec.write(c, compact=compact, fast=fast)

            def read(data: bytes, compact: bool = compact, fast: bool = fast) -> object:
                cable, found = jsoncodec.read(data, None, compact=compact, fast=fast)
                assert cable is not None, found
                return cable

            def stream(data: bytes, fast: bool = fast) -> object:
                # The JSON Lines reader over one batch, as a user streams a file.
                return sum(1 for _ in jsonl.iter_loads(data, fast=fast))

            measure(f"model -> {form} + validate", write, cables, args.runs)
            label = f"{form} -> model + validate ({size / 1e3:.0f} KB)"
            if compact:
                batch = b"".join(outputs)
                measure(label, stream, [batch], args.runs, count=len(cables))
            else:
                measure(label, read, outputs, args.runs)
    if args.text:
        engine = "jsonschema alone" if jsonschema_engine.rust_validator() is None else "fast path"
        print(f"text output with its read-back check ({engine})")
        measure("model -> text + check", lambda c: cablekit.dumps(c, "text"), cables, args.runs)
    if args.reference:
        reference = jsonschema_engine.reference_validator()
        docs = [jsoncodec.to_document(c) for c in cables]
        print("validation alone, jsonschema")
        measure("stock keywords", reference.is_valid, docs, args.runs)
        measure(
            "with the leaf fast path",
            jsonschema_engine.python_validator().is_valid,
            docs,
            args.runs,
        )
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak resident size of the process: {peak_kb / 1e3:.0f} MB (cables held in memory)")


if __name__ == "__main__":
    main()
