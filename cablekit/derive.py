"""The readable view of a cable, derived from its parts, falling back to the page metadata."""

from __future__ import annotations

import re
from typing import Any

from cablekit import normalize as norm
from cablekit.model import (
    PART_TYPES,
    Banner,
    Cable,
    CableView,
    Captions,
    DateTimeGroup,
    EOLine,
    FromLine,
    PageBreak,
    Paragraph,
    SecurityLine,
    Signature,
    SubjectLine,
    TagsLine,
)

# The part types the view reads, in the order they are tested: a part of a subclass counts
# as the first type it is an instance of.
_ORDER: tuple[type, ...] = (
    Banner,
    DateTimeGroup,
    SubjectLine,
    TagsLine,
    EOLine,
    Signature,
    FromLine,
    SecurityLine,
    Captions,
    PageBreak,
    Paragraph,
)
(
    _BANNER,
    _DTG,
    _SUBJECT,
    _TAGS,
    _EO,
    _SIGNATURE,
    _FROM,
    _SECURITY,
    _CAPTIONS,
    _PAGE_BREAK,
    _PARAGRAPH,
) = range(len(_ORDER))
_OTHER = -1


def _kind_of_type(cls: type) -> int:
    """The kind of a part of this type: the first of _ORDER it is a subclass of."""
    for i, t in enumerate(_ORDER):
        if issubclass(cls, t):
            return i
    return _OTHER


# Each part type of the model by its exact type: one lookup a part instead of a chain of
# isinstance tests (most parts are addressees and paragraphs, which came last or not at all).
_KINDS: dict[type, int] = {t: _kind_of_type(t) for t in PART_TYPES}


def derive(cable: Cable) -> CableView:
    banner: Banner | None = None
    dtg: DateTimeGroup | None = None
    subject: SubjectLine | None = None
    tags_line: TagsLine | None = None
    eo: EOLine | None = None
    signature: Signature | None = None
    from_line: FromLine | None = None
    security: SecurityLine | None = None
    page_break: PageBreak | None = None
    caveats: dict[str, None] = {}
    part: Any  # its type is the one its kind names
    for part in cable.parts:
        kind = _KINDS.get(type(part))
        if kind is None:
            kind = _kind_of_type(type(part))
        if kind == _OTHER:
            continue
        if kind == _PARAGRAPH:  # tested first: most parts the view reads are paragraphs
            if page_break is None:
                # Its page breaks (Paragraph.page_breaks) without building their tuple.
                for br in part.content:
                    if isinstance(br, PageBreak) and br.serial and br.station:
                        page_break = br
                        break
        elif kind == _BANNER:
            if banner is None or (banner.serial is None and part.serial is not None):
                banner = part
        elif kind == _DTG:
            if dtg is None and part.sent is not None:
                dtg = part
        elif kind == _SUBJECT:
            if subject is None:
                subject = part
        elif kind == _TAGS:
            if tags_line is None:
                tags_line = part
        elif kind == _EO:
            if eo is None:
                eo = part
        elif kind == _SIGNATURE:
            signature = part
        elif kind == _FROM:
            if from_line is None:
                from_line = part
        elif kind == _SECURITY:
            if security is None:
                security = part
        elif kind == _CAPTIONS:
            for c in part.captions:
                caveats[c] = None
        elif kind == _PAGE_BREAK and page_break is None and part.serial and part.station:
            page_break = part
    page = cable.page
    sent = dtg.sent if dtg else None

    classification = banner.classification if banner else None
    if classification is None and security is not None:
        classification = security.classification
    if classification is None and page is not None and page.classification:
        classification = norm.classification_from_word(page.classification)

    year = sent.year if sent else None
    cid = None
    if year is not None:
        if banner is not None and banner.station and banner.serial:
            cid = norm.cable_id(year, banner.station, banner.serial)
        elif page_break is not None and page_break.station and page_break.serial:
            cid = norm.cable_id(year, page_break.station, page_break.serial)
    if cid is None and page is not None:
        cid = page.identifier

    tags: tuple[str, ...] = ()
    if tags_line is not None:
        tags = tags_line.tags
    elif eo is not None and eo.tags:
        tags = eo.tags
    elif page is not None:
        tags = page.tags

    subj = subject.subject if subject else (page.title if page else None)
    origin = page.origin if page and page.origin else None
    sender = from_line.name if from_line else None
    if origin is None and sender:
        origin = re.sub(r"^(AMEMBASSY|AMCONSUL|USMISSION|SECSTATE)\s+", "", sender).title()
    return CableView(
        id=cid,
        classification=classification,
        caveats=tuple(caveats),
        sent=sent,
        origin=origin,
        sender=sender,
        subject=subj,
        tags=tags,
        signature=signature.name if signature else None,
        decl_date=eo.decl_date if eo else None,
        eo=eo.order if eo else None,
    )
