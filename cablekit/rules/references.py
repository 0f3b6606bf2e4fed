"""REF rules: item letters in sequence, the same cable cited twice, a cable citing itself."""

from __future__ import annotations

import re
from collections.abc import Iterator

from cablekit.rules.base import Facts, Finding, Rule

# 'REF: (U) ...': a portion marking, not an item letter.
_MARKING = re.compile(r"^\s*(?:REFS?\s*:?\s*)?\((?:U|C|S|SBU)\)", re.IGNORECASE)


def letters_in_sequence(f: Facts) -> Iterator[Finding]:
    expected = "A"
    for i, r in f.refs:
        if r.letter is None or (r.letter != expected and _MARKING.match(r.text)):
            continue  # a marked paragraph run into the REF list, not an item
        if r.label and r.letter == "A":
            expected = "A"  # a new REF block starts its own list
        if r.letter != expected:
            yield Finding(f"REF item {r.letter} where {expected} comes next", i)
        expected = chr(ord(r.letter) + 1)


def duplicate_references(f: Facts) -> Iterator[Finding]:
    seen: dict[str, str] = {}
    for i, r in f.refs:
        if r.label:
            seen = {}  # the header block printed twice repeats its REF list
        if r.cable_id is None:
            continue
        if r.cable_id in seen:
            first = seen[r.cable_id]
            yield Finding(f"{r.cable_id} is cited again (first as {first!r})", i)
        else:
            seen[r.cable_id] = r.raw or r.cable_id


def self_reference(f: Facts) -> Iterator[Finding]:
    if f.cable_id is None:
        return
    for i, r in f.refs:
        if r.cable_id == f.cable_id:
            yield Finding(f"the cable cites itself ({r.raw!r} is {r.cable_id})", i)


RULES = (
    Rule(
        "R101",
        "ref-letter-sequence",
        "warning",
        "REF item letters out of sequence (A, B, D...)",
        letters_in_sequence,
    ),
    Rule(
        "R102",
        "duplicate-reference",
        "warning",
        "the same cable cited twice in the REF list",
        duplicate_references,
    ),
    Rule(
        "R103", "self-reference", "error", "a REF item that cites the cable itself", self_reference
    ),
)
