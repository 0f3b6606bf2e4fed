"""What every rule sees: a rule's record, its findings, and the facts read once per cable."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from cablekit.model import (
    Addressee,
    Banner,
    Cable,
    ClassificationLine,
    ClassifiedBy,
    DateTimeGroup,
    EOLine,
    FromLine,
    OriginatorLine,
    PageBreak,
    Paragraph,
    Part,
    Reference,
    RoutingLine,
    SecurityLine,
    SubjectLine,
    TagsLine,
)
from cablekit.normalize import classification_from_word

SEVERITIES = ("error", "warning", "info")
LEVEL_RANK = {"UNCLASSIFIED": 0, "CONFIDENTIAL": 1, "SECRET": 2, "TOP SECRET": 3}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem a rule found: the message and, where it applies, the part it is about."""

    message: str
    part: int | None = None  # index into cable.parts


Check = Callable[["Facts"], Iterator[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    code: str  # stable: never reused for another check
    name: str
    severity: str  # default severity: error | warning | info
    summary: str  # one line: what it checks
    check: Check


def marking_level(marking: str | None) -> str | None:
    """The level of a portion marking: 'C' -> CONFIDENTIAL, 'S//NF' -> SECRET, 'SBU' -> U."""
    if not marking:
        return None
    head = marking.split("/", 1)[0].upper()
    return {
        "U": "UNCLASSIFIED",
        "SBU": "UNCLASSIFIED",
        "LOU": "UNCLASSIFIED",
        "FOUO": "UNCLASSIFIED",
        "C": "CONFIDENTIAL",
        "S": "SECRET",
        "TS": "TOP SECRET",
    }.get(head)


@dataclass(slots=True)
class Facts:
    """A cable's parts sorted by kind, with their positions, gathered in one pass."""

    cable: Cable
    parts: tuple[Part, ...]
    banners: list[tuple[int, Banner]] = field(default_factory=list)
    security: tuple[int, SecurityLine] | None = None
    de: tuple[int, OriginatorLine] | None = None
    dtg: tuple[int, DateTimeGroup] | None = None
    from_line: tuple[int, FromLine] | None = None
    routing: list[tuple[int, RoutingLine]] = field(default_factory=list)
    addressees: list[tuple[int, Addressee]] = field(default_factory=list)
    eo: tuple[int, EOLine] | None = None
    tags: tuple[int, TagsLine] | None = None
    subject: tuple[int, SubjectLine] | None = None
    refs: list[tuple[int, Reference]] = field(default_factory=list)
    classified_by: list[tuple[int, ClassifiedBy]] = field(default_factory=list)
    paragraphs: list[tuple[int, Paragraph]] = field(default_factory=list)
    page_breaks: list[tuple[int, PageBreak]] = field(default_factory=list)
    classification_lines: list[tuple[int, ClassificationLine]] = field(default_factory=list)
    # Derived once: the cable's level, its date, its id, and the message reference.
    level: str | None = None
    sent: datetime | None = None
    day: date | None = None
    cable_id: str | None = None
    banner: tuple[int, Banner] | None = None  # the first banner with a message reference
    _telegram: str | None = None

    @property
    def telegram(self) -> str:
        """The telegram text, joined once for the rules that search it."""
        if self._telegram is None:
            self._telegram = self.cable.telegram
        return self._telegram

    @classmethod
    def of(cls, cable: Cable) -> Facts:
        f = cls(cable, cable.parts)
        for i, p in enumerate(cable.parts):
            if isinstance(p, Paragraph):
                f.paragraphs.append((i, p))
                for c in p.content:
                    if isinstance(c, PageBreak):
                        f.page_breaks.append((i, c))
            elif isinstance(p, Addressee):
                f.addressees.append((i, p))
            elif isinstance(p, Reference):
                f.refs.append((i, p))
            elif isinstance(p, Banner):
                f.banners.append((i, p))
            elif isinstance(p, PageBreak):
                f.page_breaks.append((i, p))
            elif isinstance(p, ClassificationLine):
                f.classification_lines.append((i, p))
            elif isinstance(p, ClassifiedBy):
                f.classified_by.append((i, p))
            elif isinstance(p, RoutingLine):
                f.routing.append((i, p))
            elif isinstance(p, DateTimeGroup):
                if f.dtg is None or (f.dtg[1].sent is None and p.sent is not None):
                    f.dtg = (i, p)
            elif isinstance(p, OriginatorLine):
                if f.de is None:
                    f.de = (i, p)
            elif isinstance(p, SecurityLine):
                if f.security is None:
                    f.security = (i, p)
            elif isinstance(p, FromLine):
                if f.from_line is None:
                    f.from_line = (i, p)
            elif isinstance(p, EOLine):
                if f.eo is None:
                    f.eo = (i, p)
            elif isinstance(p, TagsLine):
                if f.tags is None:
                    f.tags = (i, p)
            elif isinstance(p, SubjectLine) and f.subject is None:
                f.subject = (i, p)
        for b in f.banners:
            if b[1].serial is not None:
                f.banner = b
                break
        if f.banner is None and f.banners:
            f.banner = f.banners[0]
        f.sent = f.dtg[1].sent if f.dtg else None
        if f.sent is None and cable.page is not None and cable.page.created_iso is not None:
            f.sent = cable.page.created_iso
        f.day = f.sent.date() if f.sent else None
        if f.banner is not None:
            f.level = f.banner[1].classification
        if f.level is None and f.security is not None:
            f.level = f.security[1].classification
        if f.level is None and cable.page is not None and cable.page.classification:
            f.level = classification_from_word(cable.page.classification)
        f.cable_id = cable.id
        return f
