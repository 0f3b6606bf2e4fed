"""Section and page rules: SECTION n OF m, the page-break sequence, and page breaks that name
another message than the banner's."""

from __future__ import annotations

from collections.abc import Iterator

from cablekit.rules.base import Facts, Finding, Rule
from cablekit.stations import canonical_station, compact


def section_numbers(f: Facts) -> Iterator[Finding]:
    for i, b in f.banners:
        if b.section is None or b.sections is None:
            continue
        if b.section < 1 or b.sections < 1 or b.section > b.sections:
            yield Finding(f"SECTION {b.section} OF {b.sections} is not a section of the message", i)
    if f.de is not None and f.de[1].section and f.banner is not None:
        i, de = f.de
        b = f.banner[1]
        de_section = int(de.section or 0)
        if b.section is not None and de_section != b.section and not b.repeat:
            yield Finding(f"DE line says section {de_section}, banner says {b.section}", i)


def page_sequence(f: Facts) -> Iterator[Finding]:
    # 'BAKU 00000595 002 OF 003' and 'CAIRO 00000047 001.2 OF 004': section (.page) OF
    # sections. Along the message the section number never falls back and never skips one.
    prev: tuple[int, int] | None = None
    for i, pb in f.page_breaks:
        if pb.page is None or pb.pages is None:
            continue  # older 'PAGE 02 ROME ...' lines carry no total
        if pb.page > pb.pages:
            yield Finding(f"page break {pb.page:03d} OF {pb.pages:03d}: beyond the total", i)
        if prev is not None:
            if pb.page < prev[0] or pb.page > prev[0] + 1:
                yield Finding(f"page break {pb.page:03d} follows {prev[0]:03d}", i)
            elif pb.pages != prev[1]:
                yield Finding(f"page break total {pb.pages:03d} differs from {prev[1]:03d}", i)
        prev = (pb.page, pb.pages)


def _same_station(page_station: str, station: str) -> bool:
    ca, cb = compact(page_station), compact(station)
    # The page line's station field holds 10 characters ('BUENOS AIR'), and text re-flowed
    # onto the line can stand before it ('AMBASSADOR BRASILIA'); 'DUBAI' for 'RPO DUBAI'.
    if (
        ca == cb
        or (len(page_station) >= 10 and cb.startswith(ca))
        or ca.endswith(cb)
        or cb.endswith(ca)
    ):
        return True
    a, b = page_station, station
    sa, sb = canonical_station(a), canonical_station(b)
    return sa is not None and sa == sb


def page_reference(f: Facts) -> Iterator[Finding]:
    if f.banner is None:
        return
    b = f.banner[1]
    if not b.station or not b.serial:
        return
    for i, pb in f.page_breaks:
        if not pb.station or not pb.serial:
            continue
        if int(pb.serial) != int(b.serial) or not _same_station(pb.station, b.station):
            yield Finding(
                f"page break names {pb.station} {pb.serial}, the message is {b.station} {b.serial}",
                i,
            )


RULES = (
    Rule(
        "S101",
        "section-number",
        "error",
        "SECTION n OF m out of range, or the DE line's section differs from the banner's",
        section_numbers,
    ),
    Rule(
        "S102",
        "page-sequence",
        "warning",
        "page breaks out of sequence (a page skipped or repeated, totals that change)",
        page_sequence,
    ),
    Rule(
        "S103",
        "page-break-reference",
        "error",
        "a page break names another station or serial than the banner's message reference",
        page_reference,
    ),
)
