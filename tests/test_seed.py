"""The seed cable (07BAKU595) read part by part, and written back byte for byte."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import cablekit
from cablekit.model import (
    Addressee,
    Banner,
    Captions,
    ClassifiedBy,
    DateTimeGroup,
    EOLine,
    FromLine,
    OriginatorLine,
    PageBreak,
    PassingLine,
    Reference,
    RoutingLine,
    SecurityLine,
    StartOfMessage,
    SubjectLine,
    TagsLine,
)


def test_seed_round_trip_is_byte_exact(seed_bytes: bytes) -> None:
    cable = cablekit.loads(seed_bytes)
    assert cablekit.dumps(cable, "text") == seed_bytes
    assert not seed_bytes.endswith(b"\n")  # the seed has no final newline, and keeps none


def test_seed_page_metadata(seed_path: Path) -> None:
    page = cablekit.read(seed_path).page
    assert page is not None
    assert page.identifier == "07BAKU595"
    assert page.created == "2007-05-16 13:24:00"
    assert page.created_iso == datetime(2007, 5, 16, 13, 24, tzinfo=UTC)
    assert page.classification == "CONFIDENTIAL"
    assert page.origin == "Embassy Baku"
    assert page.title == "DEMARCHE DELIVERED: CAUTIONING AZERBAIJAN AGAINST"
    assert page.tags == ("PHUM", "PREL", "ECON", "BO", "RU", "AJ")
    assert page.layout is not None and "\u00a0" in page.layout


def test_seed_format_lines(seed_path: Path) -> None:
    cable = cablekit.read(seed_path)
    fl1, fl2, fl3, fl4, dtg, fm = cable.parts[:6]
    assert isinstance(fl1, StartOfMessage)
    assert (fl1.channel, fl1.serial) == ("XRO", "7044")
    assert isinstance(fl2, RoutingLine)
    assert fl2.precedence == "PP" and fl2.routing_indicators == ("RUEHDBU",)
    assert fl2.action_precedence == "PRIORITY"
    assert isinstance(fl3, OriginatorLine)
    assert (fl3.routing_indicator, fl3.station_serial, fl3.section) == ("RUEHKB", "0595", "01")
    assert (fl3.julian_day, fl3.filing_time) == (136, "1324")
    assert isinstance(fl4, SecurityLine)
    assert (fl4.prosign, fl4.classification_chars, fl4.classification) == (
        "ZNY",
        "CCCCC",
        "CONFIDENTIAL",
    )
    assert fl4.signals == ("ZZH",)
    assert isinstance(dtg, DateTimeGroup)
    assert dtg.precedence == "P" and dtg.dtg == "161324Z MAY 07"
    assert dtg.sent == datetime(2007, 5, 16, 13, 24, tzinfo=UTC)
    assert isinstance(fm, FromLine) and fm.name == "AMEMBASSY BAKU"


def test_seed_addressees(seed_path: Path) -> None:
    cable = cablekit.read(seed_path)
    assert [(a.routing_indicator, a.name, a.precedence, a.serial) for a in cable.to] == [
        ("RUEHC", "SECSTATE WASHDC", "PRIORITY", "3017")
    ]
    assert [(a.routing_indicator, a.name, a.serial) for a in cable.info] == [
        ("RUCNCIS", "CIS COLLECTIVE", None),
        ("RUEHAK", "AMEMBASSY ANKARA", "2137"),
        ("RUEHVEN", "USMISSION USOSCE", "0568"),
        ("RUCNDT", "USMISSION USUN NEW YORK", "0231"),
        ("RUEHGV", "USMISSION GENEVA SZ", "0272"),
    ]
    assert all(a.precedence == "PRIORITY" for a in cable.info)
    assert [a.keyword for a in cable.parts_of(Addressee)] == [
        True,
        True,
        False,
        False,
        False,
        False,
    ]


def test_seed_header_block_printed_twice(seed_path: Path) -> None:
    cable = cablekit.read(seed_path)
    banners = cable.parts_of(Banner)
    assert len(banners) == 2
    first, second = banners
    assert isinstance(first, Banner) and isinstance(second, Banner)
    assert (first.classification, first.section, first.sections) == ("CONFIDENTIAL", 1, 2)
    assert (first.station, first.serial, first.repeat) == ("BAKU", "000595", False)
    assert second.repeat is True
    assert first.text.endswith(" \n\n")  # the trailing space of the first banner is kept
    # Each block holds: 2 caption lines, the office line, E.O., TAGS, SUBJECT, 3 refs, classifier.
    for kind, count in (
        (Captions, 4),
        (PassingLine, 2),
        (EOLine, 2),
        (TagsLine, 2),
        (SubjectLine, 2),
        (Reference, 6),
        (ClassifiedBy, 2),
    ):
        assert len(cable.parts_of(kind)) == count, kind
    captions = cable.parts_of(Captions)
    assert all(isinstance(c, Captions) and c.captions == ("SIPDIS",) for c in captions)
    office = cable.parts_of(PassingLine)[0]
    assert office.text.startswith("DEPT FOR EUR/CARC\n")


def test_seed_eo_tags_subject(seed_path: Path) -> None:
    cable = cablekit.read(seed_path)
    eo = cable.parts_of(EOLine)[0]
    assert isinstance(eo, EOLine)
    assert (eo.order, eo.decl, eo.decl_kind) == ("12958", "05/16/2017", "date")
    assert eo.decl_date == date(2017, 5, 16)
    assert cable.tags == ("PHUM", "PREL", "ECON", "BO", "RU", "AJ")
    assert cable.subject == (
        "DEMARCHE DELIVERED: CAUTIONING AZERBAIJAN AGAINST CLOSER RELATIONS WITH BELARUS"
    )
    subject = cable.parts_of(SubjectLine)[0]
    assert isinstance(subject, SubjectLine) and subject.marking is None
    assert "AGAINST\nCLOSER" in subject.text  # the wrap stays in the verbatim text


def test_seed_references_and_classifier(seed_path: Path) -> None:
    cable = cablekit.read(seed_path)
    refs = cable.references[:3]
    assert [(r.letter, r.raw, r.cable_id) for r in refs] == [
        ("A", "BAKU 568", "07BAKU568"),
        ("B", "STATE 61831", "07STATE61831"),
        ("C", "STATE 63345", "07STATE63345"),
    ]
    assert [r.label for r in refs] == [True, False, False]
    by = cable.parts_of(ClassifiedBy)[0]
    assert isinstance(by, ClassifiedBy)
    assert by.classifier == "Ambassador Anne E. Derse"
    assert (by.authority, by.reasons) == ("1.4", ("b", "d"))


def test_seed_paragraphs_and_signature(seed_path: Path) -> None:
    cable = cablekit.read(seed_path)
    paras = cable.paragraphs
    assert [(p.number, p.marking) for p in paras] == [(str(n), "C") for n in range(1, 6)]
    assert paras[0].text.startswith("1. (C) As reported ref a")
    breaks = paras[4].page_breaks
    assert len(breaks) == 1
    pb = breaks[0]
    assert isinstance(pb, PageBreak)
    assert (pb.station, pb.serial, pb.page, pb.pages) == ("BAKU", "00000595", 2, 2)
    # Paragraph 5 goes on after the break.
    after = paras[4].content[paras[4].content.index(pb) + 1 :]
    assert after and isinstance(after[0], str) and after[0].strip()
    assert cable.signature == "DERSE"


def test_seed_derived_view(seed_path: Path) -> None:
    cable = cablekit.read(seed_path)
    assert cable.id == "07BAKU595"
    assert cable.classification == "CONFIDENTIAL"
    assert cable.caveats == ("SIPDIS",)
    assert cable.sent == datetime(2007, 5, 16, 13, 24, tzinfo=UTC)
    assert cable.origin == "Embassy Baku"
