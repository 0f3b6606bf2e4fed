"""E.O. rules: the executive order in force on the cable's date, the declassification date,
the classification reasons valid for that order, and the Classified By line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from cablekit.model import ExtractNotice
from cablekit.rules.base import LEVEL_RANK, Facts, Finding, Rule

# Executive orders on classified information: (signed, superseded on) — a cable may cite an
# order from its signature until its successor takes effect.
ORDERS: dict[str, tuple[date, date | None]] = {
    "10501": (date(1953, 11, 5), date(1972, 6, 1)),
    "11652": (date(1972, 3, 8), date(1978, 12, 1)),
    "12065": (date(1978, 6, 28), date(1982, 8, 1)),
    "12356": (date(1982, 4, 2), date(1995, 10, 14)),
    "12958": (date(1995, 4, 17), date(2010, 6, 27)),
    "13526": (date(2009, 12, 29), None),
}
# E.O. 13292 amended 12958: the reasons moved from section 1.5 (a-g) to 1.4 (a-h).
AMENDED_12958 = date(2003, 3, 25)
CLASSIFIED_BY_FROM = date(1995, 10, 14)
_AUTHORITY = re.compile(r"\b(?:CLASSIFIED\s+BY|DERIVED\s+FROM)\b", re.IGNORECASE)


def decl_before_cable(f: Facts) -> Iterator[Finding]:
    if f.eo is None or f.day is None:
        return
    i, eo = f.eo
    if eo.decl_date is not None and eo.decl_date < f.day:
        yield Finding(
            f"declassification date {eo.decl_date.isoformat()} is before the cable's date "
            f"{f.day.isoformat()}",
            i,
        )


def order_in_force(f: Facts) -> Iterator[Finding]:
    if f.eo is None or f.day is None:
        return
    i, eo = f.eo
    if eo.order is None:
        return
    # A later declassification re-marked old cables with the order then in force.
    if eo.decl and "DECLASSIFIED" in eo.decl.upper():
        return
    span = ORDERS.get(eo.order)
    if span is None:
        yield Finding(f"E.O. {eo.order} is not an order on classified information", i)
        return
    signed, superseded = span
    if f.day < signed:
        yield Finding(
            f"E.O. {eo.order} was signed {signed.isoformat()}, after the cable's date "
            f"{f.day.isoformat()}",
            i,
        )
    elif superseded is not None and f.day >= superseded:
        yield Finding(
            f"E.O. {eo.order} was superseded on {superseded.isoformat()}, before the cable's "
            f"date {f.day.isoformat()}",
            i,
        )


def reasons_for_order(f: Facts) -> Iterator[Finding]:
    if f.day is None or f.day < date(1995, 4, 17):
        return
    order = f.eo[1].order if f.eo else None
    if order not in (None, "12958", "13526"):
        return
    section, letters = ("1.5", "abcdefg") if f.day < AMENDED_12958 else ("1.4", "abcdefgh")
    for i, cb in f.classified_by:
        if cb.authority is None:
            continue
        if cb.authority != section:
            yield Finding(
                f"reasons cited under section {cb.authority}; on {f.day.isoformat()} the order "
                f"in force gives them in section {section}",
                i,
            )
        bad = [r for r in cb.reasons if r not in letters]
        if bad:
            yield Finding(
                f"reason ({', '.join(bad)}) is not one of section {section}'s "
                f"({letters[0]}-{letters[-1]})",
                i,
            )


def classified_without_authority(f: Facts) -> Iterator[Finding]:
    if f.level is None or LEVEL_RANK[f.level] == 0 or f.classified_by:
        return
    if f.day is None or f.day < CLASSIFIED_BY_FROM:
        return
    # A partial extract does not hold the lines where Classified By would stand.
    if any(isinstance(p, ExtractNotice) for p in f.parts[:3]):
        return
    # A Classified By line the reader kept inside another part (run into a REF or SUBJECT line,
    # or inside paragraph 1) still counts.
    if _AUTHORITY.search(f.telegram):
        return
    where = f.banner[0] if f.banner else None
    yield Finding(f"a {f.level} cable with no Classified By line", where)


RULES = (
    Rule(
        "E101",
        "decl-before-cable",
        "error",
        "the declassification date is before the cable's date",
        decl_before_cable,
    ),
    Rule(
        "E102",
        "order-not-in-force",
        "error",
        "the E.O. cited was not in force on the cable's date (12958 from 1995-04-17, "
        "13526 from 2009-12-29)",
        order_in_force,
    ),
    Rule(
        "E103",
        "reasons-for-order",
        "warning",
        "classification reasons not valid for the order in force (1.5 a-g under the original "
        "12958; 1.4 a-h under the amended 12958 and 13526)",
        reasons_for_order,
    ),
    Rule(
        "E104",
        "no-classified-by",
        "warning",
        "a classified cable without a Classified By line",
        classified_without_authority,
    ),
)
