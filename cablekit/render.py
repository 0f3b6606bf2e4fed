"""Canonical telegram text for parts built from fields alone (no verbatim text kept).

The text writer calls `part_text` for every part whose `text` is empty; what it renders is a
well-formed telegram line that the telegram grammar reads back to the same fields.
"""

from __future__ import annotations

import re

from cablekit.errors import CablekitError
from cablekit.model import (
    Addressee,
    Banner,
    Captions,
    ClassificationLine,
    ClassifiedBy,
    DateLine,
    DateTimeGroup,
    EOLine,
    ExtractNotice,
    FromLine,
    OriginatorLine,
    PageBreak,
    Paragraph,
    Part,
    ProtocolLine,
    RecordDump,
    Reference,
    RoutingLine,
    SecurityLine,
    Signature,
    StartOfMessage,
    SubjectLine,
    TagsLine,
)

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
SPACED = {
    "UNCLASSIFIED": "UNCLAS",
    "CONFIDENTIAL": "C O N F I D E N T I A L",
    "SECRET": "S E C R E T",
    "TOP SECRET": "T O P S E C R E T",
}
LETTER = {"FLASH": "Z", "IMMEDIATE": "O", "NIACT IMMEDIATE": "O", "PRIORITY": "P", "ROUTINE": "R"}
EXTRACT = (
    "This record is a partial extract of the original cable. "
    "The full text of the original cable is not available.\n"
)


def _words(*items: str | None) -> str:
    return " ".join(i for i in items if i)


def part_text(part: Part) -> str:
    """The canonical text of a part, from its fields."""
    if isinstance(part, StartOfMessage):
        return f"VZCZC{part.channel or 'XYZ'}{part.serial or '0000'}\n"
    if isinstance(part, RoutingLine):
        prosign = part.precedence or (
            LETTER.get(part.action_precedence or "ROUTINE", "R")
            + LETTER.get(part.info_precedence or part.action_precedence or "ROUTINE", "R")
        )
        return _words(prosign, *part.routing_indicators) + "\n"
    if isinstance(part, OriginatorLine):
        serial = f"#{part.station_serial}" if part.station_serial else None
        if serial and part.section:
            serial += f"/{part.section}"
        time = f"{part.julian_day:03d}{part.filing_time or ''}" if part.julian_day else None
        return _words("DE", part.routing_indicator, serial, time) + "\n"
    if isinstance(part, SecurityLine):
        chars = part.classification_chars
        if chars and part.specat:
            chars += f"/{part.specat}"
        return _words(part.prosign, chars, *part.signals) + "\n"
    if isinstance(part, DateTimeGroup):
        if part.sent is None:
            raise CablekitError("a date-time group needs `sent` or its text", code="CK-RENDER")
        s = part.sent
        group = f"{s:%d%H%M}Z {MONTHS[s.month - 1]} {s:%y}"
        return _words(part.precedence, group) + "\n"
    if isinstance(part, FromLine):
        return f"FM {part.name or ''}\n"
    if isinstance(part, Addressee):
        address = part.name or ""
        if part.routing_indicator:
            address = f"{part.routing_indicator}/{address}"
        keyword = part.role.upper() if part.keyword else None
        return _words(keyword, address, part.precedence_raw or part.precedence, part.serial) + "\n"
    if isinstance(part, ProtocolLine):
        return f"{part.signal or 'BT'}\n"
    if isinstance(part, ExtractNotice):
        return EXTRACT
    if isinstance(part, Banner):
        level = SPACED.get(part.classification or "UNCLASSIFIED", "UNCLAS")
        section = None
        if part.section is not None and part.sections is not None:
            section = f"SECTION {part.section:02d} OF {part.sections:02d}"
        serial = part.serial.zfill(6) if part.serial else None
        return _words(level, section, part.station, serial) + "\n\n"
    if isinstance(part, Captions):
        return _words(*part.captions) + "\n\n"
    if isinstance(part, EOLine):
        if part.decl_date is not None and part.decl_kind == "date" and not part.decl:
            decl = f"DECL: {part.decl_date:%m/%d/%Y}"
        elif part.decl_kind == "n/a" and not part.decl:
            decl = "N/A"
        elif part.decl and part.decl_kind != "n/a":
            decl = f"DECL: {part.decl}"
        else:
            decl = part.decl or ""
        line = _words(f"E.O. {part.order or '13526'}:", decl)
        if part.tags:
            line += " TAGS: " + " ".join(part.tags)
        return line + "\n"
    if isinstance(part, TagsLine):
        return _words("TAGS:", *part.tags) + "\n"
    if isinstance(part, SubjectLine):
        marking = f"({part.marking})" if part.marking else None
        return _words("SUBJECT:", marking, part.subject) + "\n\n"
    if isinstance(part, Reference):
        letter = f"{part.letter}." if part.letter else None
        return _words("REF:" if part.label else None, letter, part.raw) + "\n"
    if isinstance(part, ClassifiedBy):
        reasons = f"({','.join(part.reasons)})" if part.reasons else None
        basis = _words("per", part.authority, reasons) if part.authority else None
        return _words("Classified By:", part.classifier, basis) + ".\n\n"
    if isinstance(part, PageBreak):
        serial = (part.serial or "0").zfill(8)
        return f"{part.station or 'STATE'} {serial} {part.page or 1:03d} OF {part.pages or 1:03d}\n"
    if isinstance(part, DateLine):
        if part.when is None:
            raise CablekitError("a date line needs `when` or its text", code="CK-RENDER")
        return f"{part.when:%A, %-d %B %Y, %H:%M}\n"
    if isinstance(part, RecordDump):
        return "".join(f"{k}: {v}\n" for k, v in part.fields)
    if isinstance(part, Signature):
        return f"{part.name or ''}\n"
    if isinstance(part, ClassificationLine):
        return f"{part.classification or 'UNCLASSIFIED'}\n"
    raise CablekitError(
        f"a {part.kind} part has no fields to render it from: give its text", code="CK-RENDER"
    )


def paragraph_text(part: Paragraph) -> str:
    """A paragraph built from fields: its content is the prose; number and marking lead."""
    body = "".join(c if isinstance(c, str) else (c.text or part_text(c)) for c in part.content)
    if part.number is None or re.match(rf"\s*{part.number}\s?[.)]", body):
        return body
    marking = f"({part.marking})" if part.marking else None
    return _words(f"{part.number}.", marking, body.rstrip("\n")) + "\n\n"
