"""Classification rules: the banner against the page metadata and the envelope, portion
markings against the cable's level, and markings missing from a classified cable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from cablekit.model import Paragraph
from cablekit.normalize import classification_from_word
from cablekit.rules.base import LEVEL_RANK, Facts, Finding, Rule, marking_level

# Portion marking of every paragraph is required from E.O. 12958's effective date.
PORTION_MARKING_FROM = date(1995, 10, 14)


def banner_vs_page(f: Facts) -> Iterator[Finding]:
    page = f.cable.page
    if f.banner is None or page is None or not page.classification:
        return
    i, banner = f.banner
    stated = classification_from_word(page.classification)
    if banner.classification and stated and banner.classification != stated:
        yield Finding(
            f"banner says {banner.classification}, page metadata says {page.classification}", i
        )


def envelope_vs_banner(f: Facts) -> Iterator[Finding]:
    if f.security is None or f.banner is None:
        return
    i, sec = f.security
    level = f.banner[1].classification
    if sec.classification and level and sec.classification != level:
        yield Finding(
            f"security line {sec.prosign} {sec.classification_chars} means {sec.classification}, "
            f"banner says {level}",
            i,
        )


def marking_above_level(f: Facts) -> Iterator[Finding]:
    if f.level is None:
        return
    top = LEVEL_RANK[f.level]
    if f.subject is not None:
        i, subj = f.subject
        lvl = marking_level(subj.marking)
        if lvl is not None and LEVEL_RANK[lvl] > top:
            yield Finding(f"subject marked ({subj.marking}) in a {f.level} cable", i)
    for i, p in f.paragraphs:
        lvl = marking_level(p.marking)
        if lvl is not None and LEVEL_RANK[lvl] > top:
            yield Finding(f"paragraph {p.number} marked ({p.marking}) in a {f.level} cable", i)


# A marking the paragraph reader does not take as the paragraph's own: '(S/REL TO NATO/AUS)',
# 'Summary: (C)', the first sub-item's '-- (C)', or a marking on the next line.
_MARKING_NEAR = re.compile(
    r"\((?:U|C|S|TS|SBU|LOU|UNCLASSIFIED|CONFIDENTIAL|SECRET)(?:\s*/[^()]{0,200})?\)",
    re.IGNORECASE,
)


_SUB_ITEM = re.compile(r"^\s*[0-9]{1,3}\)")


def _marked_near_start(p: Paragraph) -> bool:
    head = p.content[0] if p.content and isinstance(p.content[0], str) else ""
    if _SUB_ITEM.match(head):
        return True  # '2) ...': a sub-item of a marked paragraph, not a portion of its own
    return _MARKING_NEAR.search(head[:300]) is not None


def missing_markings(f: Facts) -> Iterator[Finding]:
    if f.level is None or LEVEL_RANK[f.level] == 0:
        return
    if f.day is None or f.day < PORTION_MARKING_FROM:
        return
    numbered = [(i, p) for i, p in f.paragraphs if p.number is not None]
    unmarked = [(i, p) for i, p in numbered if p.marking is None and not _marked_near_start(p)]
    if not unmarked:
        return
    numbers = ", ".join(str(p.number) for _, p in unmarked[:8])
    more = f" and {len(unmarked) - 8} more" if len(unmarked) > 8 else ""
    yield Finding(
        f"{len(unmarked)} of {len(numbered)} numbered paragraphs of a {f.level} cable carry no "
        f"portion marking (paragraphs {numbers}{more})",
        unmarked[0][0],
    )


def repeated_level(f: Facts) -> Iterator[Finding]:
    if f.banner is None or f.banner[1].classification is None:
        return
    level = f.banner[1].classification
    for i, b in f.banners:
        if b.classification and b.classification != level:
            yield Finding(f"banner says {b.classification}, the first banner says {level}", i)
    for i, line in f.classification_lines:
        if line.classification and line.classification != level:
            yield Finding(f"classification line says {line.classification}, banner {level}", i)
    for i, pb in f.page_breaks:
        if pb.classification and pb.classification != level:
            yield Finding(f"page end says {pb.classification}, banner says {level}", i)


RULES = (
    Rule(
        "C101",
        "banner-vs-page",
        "error",
        "banner classification differs from the page metadata classification",
        banner_vs_page,
    ),
    Rule(
        "C102",
        "envelope-vs-banner",
        "error",
        "the security line (ZNY CCCCC) classification differs from the banner",
        envelope_vs_banner,
    ),
    Rule(
        "C103",
        "marking-above-classification",
        "error",
        "a portion marking above the cable's classification ((S) in a CONFIDENTIAL cable)",
        marking_above_level,
    ),
    Rule(
        "C104",
        "missing-portion-marking",
        "warning",
        "numbered paragraphs without a portion marking in a classified cable (from 1995-10-14)",
        missing_markings,
    ),
    Rule(
        "C105",
        "classification-repeated-differently",
        "error",
        "a repeated banner, page-end or closing classification differs from the banner",
        repeated_level,
    ),
)
