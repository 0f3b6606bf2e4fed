"""Structure rules: a subject line, and paragraph numbers without gaps."""

from __future__ import annotations

import re
from collections.abc import Iterator

from cablekit.model import ExtractNotice
from cablekit.rules.base import Facts, Finding, Rule

_SUBJECT = re.compile(r"\bSUBJ(?:ECT)?\s*:", re.IGNORECASE)


def _numbered_in(f: Facts, k: int) -> bool:
    """Whether paragraph number k starts a paragraph anywhere in the text, also where the
    reader did not see a paragraph start (a number run into the line before it)."""
    return re.search(rf"(?:^|\s){k}\s?[.)]\s*(?:\(|[A-Z])", f.telegram) is not None


def subject_missing(f: Facts) -> Iterator[Finding]:
    if f.banner is None or f.subject is not None:
        return
    if any(isinstance(p, ExtractNotice) for p in f.parts[:3]):
        return  # a partial extract may have lost the subject line with the header
    if _SUBJECT.search(f.telegram):
        return  # a subject line the reader kept inside another part (re-flowed header)
    yield Finding("no SUBJECT line", f.banner[0])


def paragraph_gaps(f: Facts) -> Iterator[Finding]:
    last = 0
    for i, p in f.paragraphs:
        if p.number is None:
            continue
        n = int(p.number)
        if n > last + 1:
            absent = [k for k in range(last + 1, n) if not _numbered_in(f, k)]
            if absent:
                missing = ", ".join(str(k) for k in absent[:5])
                more = "..." if len(absent) > 5 else ""
                yield Finding(f"paragraph {n} follows paragraph {last}: {missing}{more} missing", i)
        last = n


RULES = (
    Rule(
        "H101",
        "subject-missing",
        "warning",
        "a cable with a classification banner but no SUBJECT line",
        subject_missing,
    ),
    Rule(
        "H102",
        "paragraph-gap",
        "warning",
        "paragraph numbering skips a number (1, 2, 4)",
        paragraph_gaps,
    ),
)
