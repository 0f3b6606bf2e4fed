"""Each cable rule on small hand-made cables: one that triggers it, one that does not; the
registry's select/ignore; the rules inside cablekit.validate; the table lookups."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

import cablekit
from cablekit import rules
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
    PageMetadata,
    Paragraph,
    Part,
    Reference,
    RoutingLine,
    SecurityLine,
    SubjectLine,
    TagsLine,
)
from cablekit.references import cable_id_from_ref
from cablekit.stations import (
    canonical_station,
    routing_indicator,
    station_from_address,
    tag,
)

SENT = datetime(2007, 5, 16, 13, 24, tzinfo=UTC)


def para(number: str, marking: str | None, *breaks: PageBreak) -> Paragraph:
    mark = f"({marking}) " if marking else ""
    return Paragraph(content=(f"{number}. {mark}Text.\n", *breaks), number=number, marking=marking)


def clean_parts() -> list[Part]:
    """A consistent CONFIDENTIAL cable (the seed's facts): every rule stays quiet on it."""
    return [
        RoutingLine("PP RUEHDBU\n", "PP", "PRIORITY", "PRIORITY", ("RUEHDBU",)),
        OriginatorLine("DE RUEHKB #0595/01 1361324\n", "RUEHKB", "0595", "01", 136, "1324"),
        SecurityLine("ZNY CCCCC ZZH\n", "ZNY", "CCCCC", "CONFIDENTIAL"),
        DateTimeGroup("P 161324Z MAY 07\n", "P", "161324Z MAY 07", SENT),
        FromLine("FM AMEMBASSY BAKU\n", "AMEMBASSY BAKU"),
        Addressee(
            "TO RUEHC/SECSTATE WASHDC PRIORITY 3017\n",
            "to",
            True,
            "RUEHC",
            "SECSTATE WASHDC",
            "PRIORITY",
            "PRIORITY",
            "3017",
        ),
        Addressee(
            "INFO RUEHAK/AMEMBASSY ANKARA 2137\n", "info", True, "RUEHAK", "AMEMBASSY ANKARA"
        ),
        Banner(
            "C O N F I D E N T I A L SECTION 01 OF 02 BAKU 000595\n",
            "CONFIDENTIAL",
            1,
            2,
            "BAKU",
            "000595",
        ),
        EOLine("E.O. 12958: DECL: 05/16/2017\n", "12958", "05/16/2017", "date", date(2017, 5, 16)),
        TagsLine("TAGS: PHUM PREL ECON BO RS AJ\n", ("PHUM", "PREL", "ECON", "BO", "RS", "AJ")),
        SubjectLine("SUBJECT: DEMARCHE DELIVERED\n", None, "DEMARCHE DELIVERED"),
        Reference("REF: A. BAKU 568\n", "A", "BAKU 568", "07BAKU568", (), True),
        Reference("B. STATE 61831\n", "B", "STATE 61831", "07STATE61831"),
        ClassifiedBy(
            "Classified By: Ambassador Anne E. Derse per 1.4 (b,d).\n",
            "Ambassador Anne E. Derse",
            "1.4",
            ("b", "d"),
        ),
        para("1", "C"),
        para("2", "C", PageBreak("BAKU 00000595 002 OF 002\n", "BAKU", "00000595", 2, 2)),
        para("3", "U"),
        ClassificationLine("CONFIDENTIAL\n", "CONFIDENTIAL"),
    ]


PAGE = PageMetadata(
    identifier="07BAKU595",
    created="2007-05-16 13:13:00",
    created_iso=datetime(2007, 5, 16, 13, 13, tzinfo=UTC),
    classification="CONFIDENTIAL",
)


def make(parts: list[Part] | None = None, page: PageMetadata | None = PAGE) -> Cable:
    return Cable(parts=tuple(parts if parts is not None else clean_parts()), page=page)


def codes(cable: Cable, select: list[str] | None = None) -> list[str]:
    return [d.code for d in rules.check(cable, select=select)]


def swap(kind: type, new: Part, parts: list[Part] | None = None) -> list[Part]:
    """The parts with the first part of `kind` replaced."""
    ps = list(parts if parts is not None else clean_parts())
    ps[next(i for i, p in enumerate(ps) if isinstance(p, kind))] = new
    return ps


def test_clean_cable_has_no_finding() -> None:
    assert rules.check(make()) == []


def test_every_rule_has_a_case_below() -> None:
    # Keeps this file honest: a rule added without a triggering case fails here.
    assert {r.code for r in rules.RULES} == set(TRIGGERS)


def at(index: int, new: Part) -> list[Part]:
    """The clean parts with the part at `index` replaced (11, 12: REF items A and B)."""
    ps = clean_parts()
    ps[index] = new
    return ps


def banner(level: str, section: int = 1, sections: int = 2, serial: str = "000595") -> Banner:
    return Banner(f"{level} BAKU {serial}\n", level, section, sections, "BAKU", serial)


def with_para(extra: Paragraph) -> list[Part]:
    ps = clean_parts()
    ps.insert(len(ps) - 1, extra)
    return ps


TRIGGERS: dict[str, Cable] = {
    "C101": make(swap(Banner, banner("SECRET")), page=PAGE),
    "C102": make(swap(SecurityLine, SecurityLine("ZNR UUUUU\n", "ZNR", "UUUUU", "UNCLASSIFIED"))),
    "C103": make(with_para(para("4", "S"))),
    "C104": make(with_para(para("4", None))),
    "C105": make(swap(ClassificationLine, ClassificationLine("SECRET\n", "SECRET"))),
    "S101": make(swap(Banner, banner("CONFIDENTIAL", section=3, sections=2))),
    "S102": make(
        with_para(para("4", "C", PageBreak("BAKU 00000595 004 OF 002\n", "BAKU", "595", 4, 2)))
    ),
    "S103": make(
        with_para(para("4", "C", PageBreak("ROME 00000595 002 OF 002\n", "ROME", "595", 2, 2)))
    ),
    "D101": make(
        swap(
            OriginatorLine,
            OriginatorLine("DE RUEHKB #0595/01 1401324\n", "RUEHKB", "0595", "01", 140),
        )
    ),
    "D102": make(swap(Banner, banner("CONFIDENTIAL", serial="000596"))),
    "D103": make(
        swap(OriginatorLine, OriginatorLine("DE RUEHKB #0596\n", "RUEHKB", "0596", "01", 136))
    ),
    "D104": make(page=replace(PAGE, created_iso=datetime(2007, 5, 17, 13, 13, tzinfo=UTC))),
    "D105": make(
        swap(DateTimeGroup, DateTimeGroup("P 311324Z FEB 07\n", "P", "311324Z FEB 07", None))
    ),
    "E101": make(
        swap(
            EOLine,
            EOLine("E.O. 12958: DECL: 05/16/2006\n", "12958", "x", "date", date(2006, 5, 16)),
        )
    ),
    "E102": make(
        swap(
            EOLine,
            EOLine("E.O. 13526: DECL: 05/16/2017\n", "13526", "x", "date", date(2017, 5, 16)),
        )
    ),
    "E103": make(
        swap(ClassifiedBy, ClassifiedBy("Classified By: X, 1.5 (b).\n", "X", "1.5", ("b",)))
    ),
    "E104": make([p for p in clean_parts() if not isinstance(p, ClassifiedBy)]),
    "R101": make(at(12, Reference("C. STATE 61831\n", "C", "STATE 61831", "07STATE61831"))),
    "R102": make(at(12, Reference("B. BAKU 568\n", "B", "BAKU 568", "07BAKU568"))),
    "R103": make(at(11, Reference("REF: A. BAKU 595\n", "A", "BAKU 595", "07BAKU595", (), True))),
    "H101": make([p for p in clean_parts() if not isinstance(p, SubjectLine)]),
    "H102": make(with_para(para("5", "C"))),
    "T101": make(swap(TagsLine, TagsLine("TAGS: PREL RU\n", ("PREL", "RU")))),
    "T102": make(swap(TagsLine, TagsLine("TAGS: PREL PREL\n", ("PREL", "PREL")))),
    "N101": make(swap(RoutingLine, RoutingLine("PP RUEHXQZ\n", "PP", None, None, ("RUEHXQZ",)))),
    "N102": make(
        swap(Reference, Reference("REF: BAKUU 568\n", "A", "BAKUU 568", "07BAKUU568", (), True))
    ),
    "N103": make(swap(FromLine, FromLine("FM AMEMBASSY LIMA\n", "AMEMBASSY LIMA"))),
    "N104": make(
        swap(
            Addressee,
            Addressee(
                "TO RUEHC/SECSTATE WASHDC PIORITY\n",
                "to",
                True,
                "RUEHC",
                "SECSTATE WASHDC",
                "PRIORITY",
                "PIORITY",
            ),
        )
    ),
}


@pytest.mark.parametrize("code", sorted(TRIGGERS))
def test_rule_triggers(code: str) -> None:
    found = rules.check(TRIGGERS[code], select=[code])
    assert [d.code for d in found] == [code] * len(found) and found, f"{code} did not trigger"


@pytest.mark.parametrize("code", sorted(TRIGGERS))
def test_rule_stays_quiet_on_the_clean_cable(code: str) -> None:
    assert codes(make(), [code]) == []


def test_triggers_are_specific() -> None:
    # Each broken cable trips its own rule; another rule may trip too only where the same
    # fault is reported from two sides (listed here).
    overlap = {
        "C101": {"C102", "C105"},
        "D102": {"D103", "S103"},
        "D103": {"D102"},
    }
    for code, cable in TRIGGERS.items():
        other = set(codes(cable)) - {code} - overlap.get(code, set())
        assert not other, f"{code}'s case also trips {other}"


def test_rule_specific_edges() -> None:
    # One day between DE filing and DTG (midnight) is normal.
    de = OriginatorLine("DE RUEHKB #0595/01 1370001\n", "RUEHKB", "0595", "01", 137)
    assert codes(make(swap(OriginatorLine, de)), ["D101"]) == []
    # A second REF block starts its letters again at A, and may cite the same cable again.
    again = Reference("REF: A. BAKU 568\n", "A", "BAKU 568", "07BAKU568", (), True)
    assert codes(make([*clean_parts()[:14], again, *clean_parts()[14:]]), ["R"]) == []
    # A Classified By line the reader kept inside a paragraph still counts.
    inside = Paragraph(
        content=("1. (C) Classified By: DCM X, reasons 1.4 (b).\n",), number="1", marking="C"
    )
    no_cb = [p for p in clean_parts() if not isinstance(p, ClassifiedBy)]
    assert codes(make(swap(Paragraph, inside, no_cb)), ["E104"]) == []
    # A '(S/REL TO NATO)' marking the reader did not take is still a marking.
    rel = Paragraph(content=("4. (S/REL TO NATO, AUS) Text.\n",), number="4", marking=None)
    assert codes(make(with_para(rel)), ["C104"]) == []
    # The page line's station field is 10 characters wide: 'BUENOS AIR'.
    assert rules.sections._same_station("BUENOS AIR", "BUENOS AIRES")
    # An embassy's RI serves the consulates of its country.
    addr = Addressee(
        "INFO RUEHMD/AMCONSUL BARCELONA\n", "info", True, "RUEHMD", "AMCONSUL BARCELONA"
    )
    assert codes(make(swap(Addressee, addr)), ["N103"]) == []
    # E.O. 12958 before its signature is flagged; a later declassification re-marking is not.
    old = make(
        swap(
            DateTimeGroup,
            DateTimeGroup(
                "R 250930Z FEB 72\n",
                "R",
                "250930Z FEB 72",
                datetime(1972, 2, 25, 9, 30, tzinfo=UTC),
            ),
        ),
        page=None,
    )
    assert "E102" in codes(old, ["E102"])
    remarked = EOLine(
        "E.O. 12958: AS AMENDED; DECLASSIFIED JUNE 21, 2006\n",
        "12958",
        "AS AMENDED; DECLASSIFIED JUNE 21, 2006",
        "event",
    )
    assert codes(make(swap(EOLine, remarked, list(old.parts)), page=None), ["E102"]) == []


def test_select_and_ignore() -> None:
    cable = TRIGGERS["T101"]
    assert codes(cable, ["T"]) == ["T101"]
    assert [d.code for d in rules.check(cable, ignore=["T1"])] == []
    assert [r.code for r in rules.select_rules(["E1"], ["E104"])] == ["E101", "E102", "E103"]
    with pytest.raises(ValueError, match="no rule matches 'X999'"):
        rules.select_rules(["X999"])
    with pytest.raises(ValueError):
        rules.select_rules(None, ["TT"])


def test_validate_runs_rules_with_file_lines(seed_path: object) -> None:
    found = cablekit.validate(seed_path)  # type: ignore[arg-type]
    tag_findings = [d for d in found if d.code == "T101"]
    assert [(d.line, d.severity) for d in tag_findings] == [(36, "warning")]
    assert "'RU'" in tag_findings[0].message
    assert cablekit.validate(seed_path, ignore=["T101"]) == [  # type: ignore[arg-type]
        d for d in found if d.code != "T101"
    ]
    assert cablekit.validate(seed_path, select=[]) == []  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        cablekit.validate(seed_path, select=["NOPE"])  # type: ignore[arg-type]


def test_diagnostics_carry_lines_only_when_told() -> None:
    cable = TRIGGERS["T101"]
    with_lines = rules.check(cable, select=["T101"], source="x.txt", line_offset=10)
    assert [(d.path, d.line) for d in with_lines] == [("x.txt", 20)]  # TAGS is line 10
    assert [d.line for d in rules.check(cable, select=["T101"])] == [None]


def test_tables() -> None:
    assert canonical_station("THE HAGUE") == "THEHAGUE"
    assert canonical_station("secstate") == "STATE"
    assert canonical_station("RIO DE JAN") == "RIODEJANEIRO"
    assert canonical_station("ATLANTIS") is None
    assert station_from_address("AMEMBASSY BUENOS AIRES") == "BUENOSAIRES"
    assert station_from_address("AMEMBASSY SANTO DOMINGO//USDAO") == "SANTODOMINGO"
    assert station_from_address("CIA WASHDC") is None
    ri = routing_indicator("RUEHKB")
    assert ri is not None and ri.stations == ("BAKU",)
    collective = routing_indicator("RUCNCIS")
    assert collective is not None and collective.kind == "collective" and not collective.stations
    assert routing_indicator("UEHC") is None
    person = tag("OVIP (CLINTON, HILLARY)")
    assert person is not None and person.kind == "subject"
    aj = tag("AJ")
    assert aj is not None and aj.kind == "country"
    assert tag("RU") is None


@pytest.mark.parametrize(
    ("raw", "cid"),
    [
        ("BAKU 568", "07BAKU568"),
        ("06 TBILISI 0619", "06TBILISI619"),
        ("2007 MANAGUA 2135", "07MANAGUA2135"),
        ("THE HAGUE 1768", "07THEHAGUE1768"),
        ("A) DUSHANBE 1805", "07DUSHANBE1805"),
        ("O4 SAN JOSE 2872", "04SANJOSE2872"),
        ("SECSTATE 52920", "07STATE52920"),
        ("RIO DE JAN 12", "07RIODEJANEIRO12"),
        ("EMBASSY VIENNA 1450", "07VIENNA1450"),
        ("09CAIRO1370; 09CAIRO2194", "09CAIRO1370"),
        ("TD-314/09169-05", None),
        ("MCWHIRTER 12/14/07", None),
        ("OCTOBER 12 DVC", None),
        ("PARIS POINTS 20 SEPTEMBER 2007", None),
        ("HODGSON EMAIL 12", None),
    ],
)
def test_reference_resolution(raw: str, cid: str | None) -> None:
    assert cable_id_from_ref(raw, 2007) == cid
