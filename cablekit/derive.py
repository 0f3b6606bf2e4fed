"""The readable view of a cable, derived from its parts, falling back to the page metadata."""

from __future__ import annotations

import re

from cablekit import normalize as norm
from cablekit.model import (
    Banner,
    Cable,
    CableView,
    Captions,
    DateTimeGroup,
    EOLine,
    FromLine,
    OriginatorLine,
    PageBreak,
    Paragraph,
    SecurityLine,
    Signature,
    SubjectLine,
    TagsLine,
)


def derive(cable: Cable) -> CableView:
    banner = dtg = subject = tags_line = eo = signature = from_line = security = None
    de_line = None
    page_break = None
    caveats: dict[str, None] = {}
    for p in cable.parts:
        if isinstance(p, Banner):
            if banner is None or (banner.serial is None and p.serial is not None):
                banner = p
        elif isinstance(p, DateTimeGroup):
            if dtg is None and p.sent is not None:
                dtg = p
        elif isinstance(p, SubjectLine):
            if subject is None:
                subject = p
        elif isinstance(p, TagsLine):
            if tags_line is None:
                tags_line = p
        elif isinstance(p, EOLine):
            if eo is None:
                eo = p
        elif isinstance(p, Signature):
            signature = p
        elif isinstance(p, FromLine):
            if from_line is None:
                from_line = p
        elif isinstance(p, SecurityLine):
            if security is None:
                security = p
        elif isinstance(p, OriginatorLine):
            if de_line is None:
                de_line = p
        elif isinstance(p, Captions):
            for c in p.captions:
                caveats[c] = None
        elif isinstance(p, PageBreak):
            if page_break is None and p.serial and p.station:
                page_break = p
        elif isinstance(p, Paragraph) and page_break is None:
            for br in p.page_breaks:
                if br.serial and br.station:
                    page_break = br
                    break
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
