"""The text format on hand-made telegrams: exact layout, unusual parts, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

import cablekit
from cablekit.model import (
    Addressee,
    Banner,
    PageBreak,
    Paragraph,
    Reference,
    Signature,
    SubjectLine,
    Unrecognized,
)

TELEGRAM = """VZCZCXRO1234
OO RUEHXX RUEHYY
DE RUEHRO #1196/01 0822030
ZNY SSSSS ZZH
O P 230830Z MAR 08
FM AMEMBASSY ROME
TO RUEHC/SECSTATE WASHDC IMMEDIATE 1234
INFO RUEHFR/AMEMBASSY PARIS PIORITY 0001
S E C R E T SECTION 01 OF 02 ROME 001196

NOFORN

E.O. 12958: DECL: 03/23/2018
TAGS: PREL, PGOV,
IT
SUBJECT: (S) A SUBJECT THAT
WRAPS

REF: A. ROME 1100 B. 07 STATE 4567 (NOTAL)

Classified By: DCM Jane Doe, reasons 1.4 (b) and (d).

1. (S) First paragraph,
going on.

ROME 00001196  002 OF 002

2. (S//NF) Second.
DOE
"""


def test_hand_made_telegram_parts() -> None:
    cable = cablekit.loads(TELEGRAM, "text")
    assert cablekit.dumps(cable, "text") == TELEGRAM.encode()
    assert cable.id == "08ROME1196"
    assert cable.classification == "SECRET"
    assert cable.caveats == ("NOFORN",)
    assert [a.precedence for a in cable.parts_of(Addressee)] == ["IMMEDIATE", "PRIORITY"]
    info = cable.info[0]
    assert info.precedence_raw == "PIORITY" and info.serial == "0001"
    assert cable.tags == ("PREL", "PGOV", "IT")
    subject = cable.parts_of(SubjectLine)[0]
    assert isinstance(subject, SubjectLine)
    assert (subject.marking, subject.subject) == ("S", "A SUBJECT THAT WRAPS")
    refs = cable.references
    assert [(r.letter, r.cable_id, r.captions) for r in refs] == [
        ("A", "08ROME1100", ()),
        ("B", "07STATE4567", ("NOTAL",)),
    ]
    # Two references on one line are two parts that share it.
    assert refs[0].text + refs[1].text == "REF: A. ROME 1100 B. 07 STATE 4567 (NOTAL)\n\n"
    assert isinstance(refs[0], Reference) and refs[0].label
    paras = cable.paragraphs
    assert [(p.number, p.marking) for p in paras] == [("1", "S"), ("2", "S//NF")]
    pb = paras[0].page_breaks[0]
    assert isinstance(pb, PageBreak) and (pb.page, pb.pages) == (2, 2)
    assert cable.signature == "DOE"
    banner = cable.parts_of(Banner)[0]
    assert isinstance(banner, Banner) and banner.sections == 2


@pytest.mark.parametrize(
    "variant",
    [
        TELEGRAM.replace("\n", "\r\n"),  # CRLF line ends
        TELEGRAM.rstrip("\n"),  # no final newline
        TELEGRAM.replace("going on.", "going on.   "),  # trailing spaces
        TELEGRAM.replace("First", "First\u00a0\u2028odd"),  # NBSP and U+2028 inside a line
        TELEGRAM.replace("\n\n", "\n\n\n\n\n"),  # runs of blank lines
        "\n\n" + TELEGRAM,  # leading blank lines
        TELEGRAM.replace("\n", "\t\n"),  # tabs before every line end
        "\ufeff" + TELEGRAM,  # a byte order mark
    ],
)
def test_layout_survives_byte_for_byte(variant: str) -> None:
    cable = cablekit.loads(variant.encode("utf-8"), "text")
    assert cablekit.dumps(cable, "text") == variant.encode("utf-8")
    assert cable.classification == "SECRET"
    assert len(cable.paragraphs) == 2


def test_unknown_lines_stay_verbatim_and_in_order() -> None:
    odd = TELEGRAM.replace("NOFORN\n", "NOFORN\n\n%%% teletype noise ~~~\n")
    cable = cablekit.loads(odd, "text")
    assert cablekit.dumps(cable, "text") == odd.encode()
    unknown = [p for p in cable.parts if isinstance(p, Unrecognized)]
    assert unknown, "the noise line must be kept as an unrecognized part"
    assert "%%% teletype noise ~~~" in unknown[0].text


def test_signature_and_trailer() -> None:
    text = TELEGRAM + "\nCONFIDENTIAL\n"
    cable = cablekit.loads(text, "text")
    assert cablekit.dumps(cable, "text") == text.encode()
    assert isinstance(cable.parts[-2], Signature)
    assert cable.parts[-1].kind == "classification-line"


def test_bare_telegram_without_envelope() -> None:
    text = "UNCLAS SECTION 01 OF 03 THE HAGUE 001695\n\nSIPDIS\n\nE.O. 12958: N/A\n"
    text += "TAGS: PREL\nSUBJECT: PEACEKEEPING\n\n1. SUMMARY: TEXT.\n\nFENDRICK"
    cable = cablekit.loads(text, "text")
    assert cablekit.dumps(cable, "text") == text.encode()
    assert cable.classification == "UNCLASSIFIED"
    assert cable.id is None  # no date-time group: no year to build the id from
    assert cable.signature == "FENDRICK"
    assert isinstance(cable.parts[-2], Paragraph)


@pytest.mark.parametrize(
    ("data", "code", "line"),
    [
        (b"", "CK-EMPTY", 1),
        (b"   \n\n  \n", "CK-EMPTY", 1),
        (b"\x00\x01\x02\x03binary\x00", "CK-BINARY", 1),
        (b"VZCZCXRO1234\nFM AMEMBASSY ROME\n\xff\xfe bad bytes\n", "CK-ENCODING", 3),
        (b"just some words\nwith no telegram in them\n", "CK-NOT-CABLE", 1),
        (b"hello world\n", "CK-NOT-CABLE", 1),  # prose and a name are no telegram
    ],
)
def test_bad_input_is_a_clear_error(data: bytes, code: str, line: int, tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(cablekit.CablekitError) as info:
        cablekit.read(path, "text")
    err = info.value
    assert err.code == code
    assert err.source == str(path)
    assert err.line == line
    assert str(path) in str(err)


def test_invalid_utf8_names_the_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"VZCZCXRO1234\nFM AMEMBASSY R\xc3OME\n")
    with pytest.raises(cablekit.CablekitError) as info:
        cablekit.read(path)
    assert (info.value.line, info.value.col) == (2, 15)


def test_missing_file_and_directory_are_errors(tmp_path: Path) -> None:
    with pytest.raises(cablekit.CablekitError, match=r"missing\.txt"):
        cablekit.read(tmp_path / "missing.txt")
    with pytest.raises(cablekit.CablekitError, match="directory"):
        cablekit.read(tmp_path)


def test_truncated_cable_still_reads_what_it_has() -> None:
    cut = TELEGRAM[: TELEGRAM.index("SUBJECT") + 20]
    cable = cablekit.loads(cut, "text")
    assert cablekit.dumps(cable, "text") == cut.encode()
    assert cable.classification == "SECRET"
    assert cable.paragraphs == ()


def test_unknown_format_is_refused() -> None:
    with pytest.raises(cablekit.CablekitError, match="cannot write format 'pdf'"):
        cablekit.dumps(cablekit.loads(TELEGRAM, "text"), "pdf")


def _fields(part: object) -> dict[str, object]:
    """A part's fields other than its verbatim text."""
    from dataclasses import fields

    return {f.name: getattr(part, f.name) for f in fields(part) if f.name not in ("text",)}  # type: ignore[arg-type]


def test_cable_built_from_fields_renders_a_telegram_that_reads_back() -> None:
    from datetime import UTC, date, datetime

    from cablekit.model import (
        Cable,
        Captions,
        ClassifiedBy,
        DateTimeGroup,
        EOLine,
        FromLine,
        OriginatorLine,
        RoutingLine,
        SecurityLine,
        StartOfMessage,
        TagsLine,
    )

    built = Cable(
        parts=(
            StartOfMessage(text="", channel="XRO", serial="7044"),
            RoutingLine(
                text="",
                precedence="PP",
                action_precedence="PRIORITY",
                info_precedence="PRIORITY",
                routing_indicators=("RUEHDBU",),
            ),
            OriginatorLine(
                text="",
                routing_indicator="RUEHKB",
                station_serial="0595",
                section="01",
                julian_day=136,
                filing_time="1324",
            ),
            SecurityLine(
                text="",
                prosign="ZNY",
                classification_chars="CCCCC",
                classification="CONFIDENTIAL",
                signals=("ZZH",),
            ),
            DateTimeGroup(
                text="",
                precedence="P",
                dtg="161324Z MAY 07",
                sent=datetime(2007, 5, 16, 13, 24, tzinfo=UTC),
            ),
            FromLine(text="", name="AMEMBASSY BAKU"),
            Addressee(
                text="",
                role="to",
                keyword=True,
                routing_indicator="RUEHC",
                name="SECSTATE WASHDC",
                precedence="PRIORITY",
                precedence_raw="PRIORITY",
                serial="3017",
            ),
            Banner(
                text="",
                classification="CONFIDENTIAL",
                section=1,
                sections=2,
                station="BAKU",
                serial="000595",
            ),
            Captions(text="", captions=("SIPDIS",)),
            EOLine(
                text="",
                order="12958",
                decl="05/16/2017",
                decl_kind="date",
                decl_date=date(2017, 5, 16),
            ),
            TagsLine(text="", tags=("PHUM", "PREL", "AJ")),
            SubjectLine(text="", subject="DEMARCHE DELIVERED"),
            Reference(text="", letter="A", raw="BAKU 568", cable_id="07BAKU568", label=True),
            Reference(text="", letter="B", raw="STATE 61831", cable_id="07STATE61831"),
            ClassifiedBy(
                text="",
                classifier="Ambassador Anne E. Derse",
                authority="1.4",
                reasons=("b", "d"),
            ),
            Paragraph(
                content=("As reported ref a, the Ambassador delivered.",), number="1", marking="C"
            ),
            Paragraph(content=("Separately, more.",), number="2", marking="C"),
            Signature(text="", name="DERSE"),
        )
    )
    text = cablekit.dumps(built, "text")
    back = cablekit.loads(text, "text")
    assert [p.kind for p in back.parts] == [p.kind for p in built.parts]
    for written, read in zip(built.parts, back.parts, strict=True):
        if isinstance(written, Paragraph):
            assert isinstance(read, Paragraph)
            assert (read.number, read.marking) == (written.number, written.marking)
            assert written.text.rstrip() in read.text
        else:
            assert _fields(read) == _fields(written), written.kind
    assert back.id == "07BAKU595" and back.subject == "DEMARCHE DELIVERED"
    assert cablekit.dumps(back, "text") == text  # and it is now layout kept verbatim


def test_header_items_glued_on_one_line_are_read_apart() -> None:
    text = (
        "Cable dated:2006-01-30T13:38:00S E C R E T SECTION 01 OF 05 ANKARA 000331 "
        "SIPDISE.O. 12958: DECL: 01/27/2016 TAGS: MARR PREL TU\n\n"
        "REF: MOSCOW 7769 Classified By: DCM Daniel Russell. Reason 1.4 ( b, d)\n\n"
        "1. (S) SUMMARY: Text follows.\n"
    )
    cable = cablekit.loads(text, "text")
    assert cablekit.dumps(cable, "text") == text.encode()
    kinds = [p.kind for p in cable.parts]
    assert kinds[:8] == [
        "date-line",
        "banner",
        "captions",
        "eo",
        "tags",
        "reference",
        "classified-by",
        "paragraph",
    ]
    assert cable.tags == ("MARR", "PREL", "TU")
    assert cable.classification == "SECRET"
    assert cable.references[0].raw == "MOSCOW 7769"


@pytest.mark.parametrize(
    ("last", "name", "kept"),
    [
        ("in the coming year. HRINAK\n", "HRINAK", "in the coming year. "),
        ("cleared this cable. HOAGLAND NNNN\n", "HOAGLAND", "cleared this cable. "),
        ("END COMMENT. MATERA\n", "MATERA", "END COMMENT. "),
        ("WE WILL REPORT FURTHER. SEPTEL\n", None, None),  # all capitals: no way to tell
        ("the talks went on. Moscow\n", None, None),  # not in capitals: not a signature
    ],
)
def test_signature_glued_to_the_last_sentence(
    last: str, name: str | None, kept: str | None
) -> None:
    text = TELEGRAM.replace("2. (S//NF) Second.\nDOE\n", "2. (S//NF) " + last)
    cable = cablekit.loads(text, "text")
    assert cablekit.dumps(cable, "text") == text.encode()
    assert cable.signature == name
    if kept is not None:
        assert cable.paragraphs[-1].text.endswith(kept)


@pytest.mark.parametrize(
    ("block", "line", "what"),
    [
        ("Identifier\nCreated\nnot an id\n2007-05-16 13:24:00\n", 3, "Identifier"),
        ("Identifier\nCreated\n07BAKU595\nyesterday\n", 4, "Created"),
        (
            "Identifier\nCreated\n07BAKU595\n2007-05-16 13:24:00\nCable title: \n" + "x\n" * 12,
            5,
            "Tags",
        ),
    ],
)
def test_broken_metadata_block_is_named(block: str, line: int, what: str) -> None:
    with pytest.raises(cablekit.CablekitError, match=what) as info:
        cablekit.loads(block + TELEGRAM, "text")
    assert info.value.line == line


def test_validate_checks_every_cable_of_a_bulk_file(tmp_path: Path, seed_bytes: bytes) -> None:
    line = cablekit.dumps(cablekit.loads(seed_bytes), "jsonl")
    many = tmp_path / "batch.jsonl"
    many.write_bytes(line + line + b'{"format": "something else"}\n')
    found = cablekit.validate(many)
    errors = [(d.code, d.line) for d in found if d.severity == "error"]
    assert errors == [("CK-JSON-NOT-CABLE", 3)]
    # The same lines under another name are still told apart from one JSON document.
    other = tmp_path / "batch.dat"
    other.write_bytes(many.read_bytes())
    assert [(d.code, d.line) for d in cablekit.validate(other) if d.severity == "error"] == errors


def test_validate_reads_a_bulk_csv_record_by_record(corpus: Path) -> None:
    sample = corpus / "cables-csv-excerpt" / "cables_sample.csv"
    assert [d for d in cablekit.validate(sample) if d.severity == "error"] == []
    broken = sample.read_bytes().replace(b'"66BUENOSAIRES2481"', b'"66BUENOSAIRES2481', 1)
    found = cablekit.validate(broken, "csv")
    assert found and all(d.line is not None for d in found if d.severity == "error")


def test_a_ref_list_reaching_letter_z_reads_and_round_trips() -> None:
    """The letter after Z is no letter: a REF item lettered Z is the last one looked for."""
    data = (
        b"UNCLAS SECTION 01 OF 02 BAKU 000595\nSUBJECT: TEST\n"
        b"REF: Y. STATE 122\nZ. STATE 123\n\n1. Text.\n"
    )
    cable = cablekit.loads(data, "text")
    assert [r.letter for r in cable.references] == ["Y", "Z"]
    assert cablekit.dumps(cable, "text") == data
