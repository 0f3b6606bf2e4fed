"""JSON over the whole corpus: lossless round trips, valid outputs, engines that agree, and
the same bytes with and without orjson."""

from __future__ import annotations

import contextlib
import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest

import cablekit
from cablekit import jsoncodec, jsonschema_engine
from cablekit.converters import jsonl
from cablekit.model import Cable

pytestmark = pytest.mark.corpus

BROKEN = Path(__file__).parent / "data" / "json" / "broken"


@pytest.fixture(scope="module")
def cables(corpus: Path, seed_bytes: bytes) -> list[tuple[str, Cable]]:
    out = [("seed", cablekit.loads(seed_bytes))]
    unreadable = []
    for page in sorted((corpus / "cablegate-html").glob("*.html")):
        try:
            out.append((page.name, cablekit.read(page)))
        except cablekit.CablekitError as e:
            unreadable.append(str(e))
    # Reading pages is another module's job; this one needs nearly all of them to test on.
    assert len(unreadable) < 20, unreadable[:20]
    return out


@pytest.fixture(scope="module")
def documents(cables: list[tuple[str, Cable]]) -> list[tuple[str, dict[str, Any]]]:
    return [(name, jsoncodec.to_document(c)) for name, c in cables]


def test_every_cable_round_trips_through_json(
    cables: list[tuple[str, Cable]], figures: list[str]
) -> None:
    invalid, lossy, text_differs = [], [], []
    for name, cable in cables:
        try:
            data = cablekit.dumps(cable, "json")
        except cablekit.CablekitError as e:
            invalid.append(f"{name}: {e}")
            continue
        back = cablekit.loads(data, "json")
        if back != cable:
            lossy.append(name)
        elif cablekit.dumps(back, "text") != cablekit.dumps(cable, "text"):
            text_differs.append(name)
    figures.append(
        f"json: {len(cables) - len(invalid)}/{len(cables)} outputs valid, "
        f"{len(cables) - len(invalid) - len(lossy) - len(text_differs)} round trips exact"
    )
    assert not invalid, f"{len(invalid)} outputs do not validate: {invalid[:10]}"
    assert not lossy, f"{len(lossy)} cables change through JSON: {lossy[:20]}"
    assert not text_differs, f"{len(text_differs)} texts differ after JSON: {text_differs[:20]}"


def test_every_cable_round_trips_through_json_lines(cables: list[tuple[str, Cable]]) -> None:
    data = b"".join(jsonl.dumps_many(c for _, c in cables))
    assert data.count(b"\n") == len(cables)
    back = list(jsonl.iter_loads(data))
    differ = [name for (name, c), b in zip(cables, back, strict=True) if b != c]
    assert not differ, differ[:20]


def test_every_text_output_is_checked_and_exact(cables: list[tuple[str, Cable]]) -> None:
    refused = []
    for name, cable in cables:
        try:
            cablekit.dumps(cable, "text")
        except cablekit.CablekitError as e:
            refused.append(f"{name}: {e}")
    assert not refused, f"{len(refused)} text outputs refused: {refused[:10]}"


def test_orjson_and_standard_library_agree_on_every_cable(
    documents: list[tuple[str, dict[str, Any]]],
) -> None:
    pytest.importorskip("orjson")
    differ = []
    for name, doc in documents:
        for compact in (False, True):
            fast = jsoncodec.dump_bytes(doc, compact=compact, fast=True)
            if fast != jsoncodec.dump_bytes(doc, compact=compact, fast=False):
                differ.append(f"{name} compact={compact}")
            parsed_fast = jsonschema_engine.parse(fast, fast=True).value
            if parsed_fast != jsonschema_engine.parse(fast, fast=False).value:
                differ.append(f"{name} parse compact={compact}")
    assert not differ, differ[:20]


def _errors(validator: Any, doc: Any) -> set[tuple[str, str]]:
    return {(e.json_path, e.validator) for e in validator.iter_errors(doc)}


def _mutations(doc: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """Documents with one defect each, at random places of a real document."""
    spots: list[tuple[Any, Any]] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                spots.append((node, k))
                collect(v)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                spots.append((node, i))
                collect(v)

    out = []
    for change in ("newline", "type", "drop", "extra", "number"):
        d = copy.deepcopy(doc)
        spots.clear()
        collect(d)
        parent, key = rng.choice(spots)
        value = parent[key]
        if change == "newline" and isinstance(value, str):
            parent[key] = value + "\n"
        elif change == "type":
            parent[key] = 1.5 if isinstance(value, str) else "x"
        elif change == "drop" and isinstance(parent, dict):
            del parent[key]
        elif change == "extra" and isinstance(value, dict):
            value["extra_key"] = True
        elif change == "number" and isinstance(value, int) and not isinstance(value, bool):
            parent[key] = -value - 1
        else:
            parent[key] = None
        out.append(d)
    return out


def test_engines_agree_on_corpus_outputs_mutations_and_broken_documents(
    documents: list[tuple[str, dict[str, Any]]], figures: list[str]
) -> None:
    """The leaf fast path and jsonschema-rs give jsonschema's own verdicts (and the leaf fast
    path jsonschema's own errors) on every document."""
    reference = jsonschema_engine.reference_validator()
    leaf = jsonschema_engine.python_validator()
    rs = jsonschema_engine.rust_validator()
    rng = random.Random(20240301)
    docs: list[tuple[str, Any]] = list(documents)
    for name, doc in documents[:: max(1, len(documents) // 300)]:
        docs += [(f"{name} mutated {i}", d) for i, d in enumerate(_mutations(doc, rng))]
    for path in sorted(BROKEN.glob("*.json")):
        with contextlib.suppress(ValueError):  # not JSON at all: no engine sees it
            docs.append((path.name, json.loads(path.read_bytes())))
    disagree = []
    invalid = 0
    for name, doc in docs:
        expected = _errors(reference, doc)
        invalid += bool(expected)
        if _errors(leaf, doc) != expected:
            disagree.append(f"{name}: leaf path")
        if rs is not None and rs.is_valid(doc) != (not expected):
            disagree.append(
                f"{name}: jsonschema-rs says {'valid' if rs.is_valid(doc) else 'invalid'}"
            )
    figures.append(
        f"json engines: {len(docs)} documents ({invalid} invalid) checked by jsonschema, the "
        f"leaf fast path{' and jsonschema-rs' if rs is not None else ''}: "
        f"{len(disagree)} disagreements"
    )
    assert invalid > 200  # the mutations and broken documents really are invalid
    assert not disagree, disagree[:20]
