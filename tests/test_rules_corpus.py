"""The cable rules over the corpus: findings per code (printed), a bound on error findings,
and how many REF items that cite a cable resolve to a canonical id."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

import cablekit
from cablekit import rules
from cablekit.model import Cable, Reference

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def cables(corpus: Path) -> list[tuple[str, Cable]]:
    pages = sorted((corpus / "cablegate-html").glob("*.html"))
    out = [(p.stem, cablekit.read(p, "html")) for p in pages]
    assert len(out) == 1660
    return out


def test_findings_per_code(cables: list[tuple[str, Cable]], figures: list[str]) -> None:
    per_code: Counter[str] = Counter()
    cables_with: dict[str, set[str]] = {}
    for name, cable in cables:
        for d in rules.check(cable):
            per_code[d.code] += 1
            cables_with.setdefault(d.code, set()).add(name)
    figures.append(
        "rule findings over the corpus: "
        + ", ".join(f"{code} {per_code[code]}" for code in sorted(per_code))
    )
    # A rule at severity error states a fact about a cable; one that fires on more than 2 % of
    # the corpus is reading the cables wrong, not finding faults in them.
    severity = {r.code: r.severity for r in rules.RULES}
    loud = {
        code: sorted(names)[:10]
        for code, names in cables_with.items()
        if severity[code] == "error" and len(names) > 0.02 * len(cables)
    }
    assert not loud, f"error rules firing on more than 2% of cables: {loud}"


# A REF item cites a cable when, after an item letter and a year, one to three words are
# followed by a serial number, and none of the words names another kind of document; or
# when it is written as a compact id ('09CAIRO1370'). Read independently of the resolver.
_DOCUMENT_WORDS = {
    *[
        "EMAIL",
        "E-MAIL",
        "EMAILS",
        "TELCON",
        "TELCONS",
        "TELECON",
        "LETTER",
        "MEMO",
        "FAX",
        "REPORT",
        "PARA",
        "PARAS",
    ],
    *[
        "PARAGRAPH",
        "NOTE",
        "DIPNOTE",
        "RESOLUTION",
        "UNSCR",
        "IIR",
        "TD",
        "DATED",
        "NO",
        "NUMBER",
        "ARTICLE",
        "LAW",
        "DECREE",
    ],
    *[
        "ATTACHMENT",
        "POINTS",
        "MEETING",
        "DAILY",
        "JANUARY",
        "FEBRUARY",
        "MARCH",
        "APRIL",
        "MAY",
        "JUNE",
        "JULY",
        "AUGUST",
    ],
    *[
        "SEPTEMBER",
        "OCTOBER",
        "NOVEMBER",
        "DECEMBER",
        "JAN",
        "FEB",
        "MAR",
        "APR",
        "JUN",
        "JUL",
        "AUG",
        "SEP",
        "SEPT",
        "OCT",
        "NOV",
    ],
    "DEC",
}
_CITES = re.compile(
    r"^(?:\(?[A-Z][).:]\s*)?(?:(?:19|20)?[0-9O][0-9]\s+)?((?:[A-Z][A-Z'.-]*\s+){1,3})0*[0-9]{1,6}\b(?!/)"
)
_COMPACT = re.compile(r"^(?:\(?[A-Z][).:]\s*)?[0-9]{2}[A-Z]{3,}[0-9]{1,6}\b")


def _cites_a_cable(raw: str) -> bool:
    text = raw.upper()
    if _COMPACT.match(text):
        return True
    m = _CITES.match(text)
    return m is not None and not any(w.strip(".'") in _DOCUMENT_WORDS for w in m[1].split())


def test_references_resolve(cables: list[tuple[str, Cable]], figures: list[str]) -> None:
    citing = resolved = 0
    misses = []
    for name, cable in cables:
        for part in cable.parts:
            if isinstance(part, Reference) and part.raw and _cites_a_cable(part.raw):
                citing += 1
                if part.cable_id is not None:
                    resolved += 1
                else:
                    misses.append(f"{name}: {part.raw[:80]!r}")
    rate = resolved / citing
    figures.append(
        f"REF items citing a cable: {citing}, resolved to a canonical id: {resolved} "
        f"({rate:.1%}); not resolved: {'; '.join(misses)}"
    )
    assert citing > 1500, f"only {citing} REF items recognised as citing a cable"
    assert rate >= 0.97, f"{rate:.1%} resolved; not resolved:\n" + "\n".join(misses)
