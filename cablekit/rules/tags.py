"""TAGS rules: tags outside the TAGS vocabulary, and tags written twice."""

from __future__ import annotations

from collections.abc import Iterator

from cablekit.rules.base import Facts, Finding, Rule
from cablekit.stations import tag


def unknown_tags(f: Facts) -> Iterator[Finding]:
    if f.tags is None:
        return
    i, line = f.tags
    for t in line.tags:
        if tag(t) is None:
            yield Finding(f"TAGS item {t!r} is not in the TAGS vocabulary", i)


def duplicate_tags(f: Facts) -> Iterator[Finding]:
    if f.tags is None:
        return
    i, line = f.tags
    seen: set[str] = set()
    for t in line.tags:
        if t in seen:
            yield Finding(f"TAGS item {t!r} is written twice", i)
        seen.add(t)


RULES = (
    Rule(
        "T101",
        "unknown-tag",
        "warning",
        "a TAGS item that is no subject, program, organization, country or region tag",
        unknown_tags,
    ),
    Rule("T102", "duplicate-tag", "warning", "a TAGS item written twice", duplicate_tags),
)
