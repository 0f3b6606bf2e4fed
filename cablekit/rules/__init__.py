"""The cable linter: rules on what a cable means, each a small function over the model.

`check(cable, select=None, ignore=None)` runs the rules and returns diagnostics; `RULES` lists
them (stable code, name, default severity, summary). A selector is a code ('C103'), a code
prefix ('C', 'E1') or 'ALL'. Reference data (stations, routing indicators, TAGS) lives in
tables/ and is read through cablekit.stations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from cablekit.errors import Diagnostic
from cablekit.model import Cable, PageBreak, Paragraph
from cablekit.rules import (
    classification,
    dates,
    eo,
    names,
    references,
    sections,
    structure,
    tags,
)
from cablekit.rules.base import Facts, Finding, Rule

__all__ = ["RULES", "Facts", "Finding", "Location", "PartLocator", "Rule", "check", "select_rules"]

# Where a part stands in the file it was read from: line, column (1-based), and the JSON
# pointer or XPath of the part; None where the format gives none.
Location = tuple[int | None, int | None, str | None]
PartLocator = Callable[[int], Location]

RULES: tuple[Rule, ...] = (
    *classification.RULES,
    *sections.RULES,
    *dates.RULES,
    *eo.RULES,
    *references.RULES,
    *structure.RULES,
    *tags.RULES,
    *names.RULES,
)
_BY_CODE = {r.code: r for r in RULES}
assert len(_BY_CODE) == len(RULES), "rule codes must be unique"


def _matches(code: str, selector: str) -> bool:
    return selector == "ALL" or code.startswith(selector)


def select_rules(
    select: Iterable[str] | None = None, ignore: Iterable[str] | None = None
) -> tuple[Rule, ...]:
    """The rules a select/ignore pair keeps (ruff's way: select first, then ignore).

    A selector matching no rule is an error (ValueError), so a typo never silently turns a
    rule off.
    """
    sel = [s.strip().upper() for s in (select or ("ALL",)) if s.strip()]
    ign = [s.strip().upper() for s in (ignore or ()) if s.strip()]
    for s in (*sel, *ign):
        if not any(_matches(r.code, s) for r in RULES):
            known = ", ".join(r.code for r in RULES)
            raise ValueError(f"no rule matches {s!r} (rules: {known})")
    return tuple(
        r
        for r in RULES
        if any(_matches(r.code, s) for s in sel) and not any(_matches(r.code, s) for s in ign)
    )


def _line_starts(cable: Cable) -> list[int]:
    """The 1-based line of the telegram on which each part starts."""
    starts = []
    line = 1
    for p in cable.parts:
        starts.append(line)
        if isinstance(p, Paragraph):
            line += sum((c.text if isinstance(c, PageBreak) else c).count("\n") for c in p.content)
        else:
            line += p.text.count("\n")
    return starts


def check(
    cable: Cable,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    *,
    source: str | None = None,
    line_offset: int | None = None,
    locate: PartLocator | None = None,
    rules: Sequence[Rule] | None = None,
) -> list[Diagnostic]:
    """Run the rules over a cable; diagnostics in part order, then by code.

    `line_offset` is the number of lines before the telegram in the file the cable was read
    from (0 for a bare telegram); when given, each diagnostic carries its file line.
    `locate` gives, for a part's index, where it stands in a file of another format (line,
    column, JSON pointer or XPath); it is called only for parts with findings. A finding about
    the cable as a whole has no position; its message names what it is about.
    """
    chosen = rules if rules is not None else select_rules(select, ignore)
    facts = Facts.of(cable)
    found: list[tuple[int, str, Finding, Rule]] = []
    for rule in chosen:
        for finding in rule.check(facts):
            at = finding.part if finding.part is not None else -1
            found.append((at, rule.code, finding, rule))
    if not found:
        return []
    found.sort(key=lambda x: (x[0], x[1]))
    starts = _line_starts(cable) if line_offset is not None else None
    out = []
    placed: dict[int, Location] = {}
    for at, code, finding, rule in found:
        line: int | None = None
        col: int | None = None
        pointer: str | None = None
        if starts is not None and at >= 0 and line_offset is not None:
            line, col = line_offset + starts[at], 1
        elif locate is not None and at >= 0:
            if at not in placed:
                placed[at] = locate(at)
            line, col, pointer = placed[at]
        out.append(
            Diagnostic(
                code=code,
                severity=rule.severity,
                message=finding.message,
                path=source,
                line=line,
                col=col,
                pointer=pointer,
            )
        )
    return out
