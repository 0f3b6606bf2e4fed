"""TEI: the model written and read back exactly, the telegram verbatim under <text>, every
part type mapped, characters XML forbids, and the whole corpus valid and lossless."""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import cablekit
from cablekit import model, tei_schemas
from cablekit.converters import tei
from cablekit.model import (
    PART_TYPES,
    Addressee,
    Banner,
    Cable,
    PageBreak,
    PageMetadata,
    Paragraph,
    RecordDump,
    Signature,
    SubjectLine,
    Unrecognized,
)

NS = {"tei": "http://www.tei-c.org/ns/1.0"}
G = "{http://www.tei-c.org/ns/1.0}g"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"


def text_under_text(doc: bytes) -> str:
    """The characters under <text>, read independently of the converter: text nodes in
    document order, each <g ref="#x"/> replaced by the character its charDecl entry maps."""
    root = etree.fromstring(doc, tei_schemas.parser())
    chars = {
        c.get("{http://www.w3.org/XML/1998/namespace}id"): chr(
            int(c.findtext("tei:mapping", namespaces=NS)[2:], 16)
        )
        for c in root.iterfind(".//tei:charDecl/tei:char", NS)
    }
    out: list[str] = []

    def walk(el: etree._Element) -> None:
        out.append(el.text or "")
        for ch in el:
            if ch.tag == G:
                out.append(chars[ch.get("ref")[1:]])
            elif isinstance(ch.tag, str):
                walk(ch)
            out.append(ch.tail or "")

    walk(root.find("tei:text", NS))
    return "".join(out)


def round_trip(cable: Cable) -> tuple[bytes, Cable]:
    data = tei.dumps(cable)
    return data, tei.loads(data, "<test>")


# --- the seed -------------------------------------------------------------------------------


def test_seed_round_trip_is_exact(seed_bytes: bytes) -> None:
    cable = cablekit.loads(seed_bytes, "text")
    data, back = round_trip(cable)
    assert back == cable
    assert cablekit.dumps(back, "text") == seed_bytes
    assert cable.page is not None and cable.page.layout is not None
    assert text_under_text(data) == cable.page.layout + cable.telegram


def test_seed_through_public_api_and_sniffing(seed_bytes: bytes) -> None:
    cable = cablekit.loads(seed_bytes, "text")
    data = cablekit.dumps(cable, "tei")
    assert cablekit.loads(data) == cable  # sniffed as TEI
    found = cablekit.validate(data, "tei")  # the profile's checks, then the cable rules
    assert not [d for d in found if d.severity == "error" or d.code.startswith("TEI")]


def test_output_is_deterministic_and_not_pretty_printed(seed_bytes: bytes) -> None:
    cable = cablekit.loads(seed_bytes, "text")
    first, second = tei.dumps(cable), tei.dumps(cable)
    assert first == second
    text_start = first.index(b"<text ")
    body = first[text_start:]
    # Inside <text> no whitespace was added between elements: the only characters are the
    # telegram's (checked above), so no line starts with indentation before a tag.
    assert b"\n  <" not in body and b"\n<div" not in body


def test_seed_markup_follows_the_profile(seed_bytes: bytes) -> None:
    root = etree.fromstring(tei.dumps(cablekit.loads(seed_bytes, "text")), tei_schemas.parser())
    doc = root.find("tei:text/tei:body/tei:div[@type='document']", NS)
    assert doc is not None
    assert doc.find("tei:opener/tei:dateline/tei:seg[@type='dtg']/tei:date", NS).get("when") == (
        "2007-05-16T13:24:00+00:00"
    )
    signed = doc.find(".//tei:closer/tei:signed/tei:persName", NS)
    assert signed is not None and signed.text == "DERSE"
    headers = doc.findall("tei:div[@type='header']", NS)
    assert len(headers) == 2 and headers[1].get("sameAs") == "#" + headers[0].get(
        "{http://www.w3.org/XML/1998/namespace}id"
    )
    assert [p.get("n") for p in doc.iterfind(".//tei:p", NS)] == ["1", "2", "3", "4", "5"]
    pb = doc.find(".//tei:p[@n='5']/tei:pb", NS)
    assert pb is not None and pb.get("n") == "2"
    received = root.findall(".//tei:correspAction[@type='received']", NS)
    assert [(a.get("subtype"), a.findtext("tei:orgName", namespaces=NS)) for a in received][:2] == [
        ("to", "SECSTATE WASHDC"),
        ("info", "CIS COLLECTIVE"),
    ]
    keywords = [t.text for t in root.iterfind(".//tei:keywords/tei:term", NS)]
    assert keywords == ["PHUM", "PREL", "ECON", "BO", "RU", "AJ"]
    ana = doc.find(".//tei:fw[@type='banner']/tei:seg[@type='classification']", NS).get("ana")
    category = root.find(
        f".//tei:category[@{{http://www.w3.org/XML/1998/namespace}}id='{ana[1:]}']", NS
    )
    assert category is not None and category.findtext("tei:catDesc", namespaces=NS) == (
        "CONFIDENTIAL"
    )


# --- every part type ------------------------------------------------------------------------


def test_every_model_part_type_has_a_tei_mapping() -> None:
    kinds = [t.kind for t in PART_TYPES]  # type: ignore[attr-defined]
    missing = [k for k in kinds if k not in tei.PART_SPECS]
    assert not missing, f"part types without a TEI mapping: {missing}"
    for kind, spec in tei.PART_SPECS.items():
        cls = next(t for t in PART_TYPES if t.kind == kind)  # type: ignore[attr-defined]
        names = {f.name for f in dataclasses.fields(cls)}
        stale = [c.name for c in spec.carriers if c.name not in names]
        assert not stale, f"{kind}: the mapping names fields the model lacks: {stale}"


def _sample_value(hint: Any, name: str) -> Any:
    """A non-default value for a field, with characters that test escaping."""
    t = hint
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        t = next(a for a in typing.get_args(hint) if a is not type(None))
    if typing.get_origin(t) is tuple:
        item = typing.get_args(t)[0]
        if typing.get_origin(item) is tuple:
            return (("key & <1>", 'value "1"'), ("", "x\\y"))
        return (_sample_value(item, name), "SECOND")
    if t is bool:
        return True
    if t is int:
        return 7
    if t is datetime:
        return datetime(2009, 12, 29, 8, 5, 3, tzinfo=timezone(timedelta(hours=3)))
    if t is date:
        return date(2019, 1, 2)
    if name == "role":
        return "info"
    if name == "zone":
        return "trailer"
    if name == "section":
        return "comment"
    return f"{name} <&> value"


@pytest.mark.parametrize("cls", PART_TYPES, ids=lambda t: t.kind)
def test_every_field_of_every_part_type_round_trips(cls: type) -> None:
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name == "content":
            kwargs["content"] = (
                "1. (S) first line\n",
                PageBreak("ROME 00000001 002 OF 002\n", "ROME", "00000001", 2, 2, "SECRET"),
                "second line\n",
            )
        elif f.name == "text":
            kwargs["text"] = f"{cls.kind} line with fields somewhere\n"  # type: ignore[attr-defined]
        else:
            kwargs[f.name] = _sample_value(hints[f.name], f.name)
    part = cls(**kwargs)
    cable = Cable(parts=(part,))
    _, back = round_trip(cable)
    assert back == cable


def test_fields_found_in_the_text_are_marked_where_they_stand() -> None:
    addressee = Addressee(
        "INFO RUEHAK/AMEMBASSY ANKARA PIORITY 2137\n",
        role="info",
        keyword=True,
        routing_indicator="RUEHAK",
        name="AMEMBASSY ANKARA",
        precedence="PRIORITY",
        precedence_raw="PIORITY",
        serial="2137",
    )
    data, back = round_trip(Cable(parts=(addressee,)))
    assert back.parts == (addressee,)
    line = etree.fromstring(data, tei_schemas.parser()).find(".//tei:*[@type='addressee']", NS)
    assert line is not None and line.get("subtype") == "info"
    prec = line.find("tei:seg[@type='precedence']", NS)
    assert prec is not None and prec.text == "PIORITY" and prec.get("ana") == "#prec-PRIORITY"
    assert line.findtext("tei:orgName", namespaces=NS) == "AMEMBASSY ANKARA"


def test_values_that_differ_from_their_characters_go_to_attributes() -> None:
    subject = SubjectLine(
        "SUBJECT: (sbu) A SUBJECT THAT\n  WRAPS\n", marking="SBU", subject="A SUBJECT THAT WRAPS"
    )
    data, back = round_trip(Cable(parts=(subject,)))
    assert back.parts == (subject,)
    title = etree.fromstring(data, tei_schemas.parser()).find(".//tei:title[@type='subject']", NS)
    assert title is not None
    assert title.text == "A SUBJECT THAT\n  WRAPS" and title.get("n") == "A SUBJECT THAT WRAPS"


def test_paragraph_content_with_adjacent_and_empty_strings() -> None:
    pb = PageBreak("X 00000001 002 OF 002\n", "X", "00000001", 2, 2)
    for content in (
        ("a\n", "b\n"),
        ("", pb, "x"),
        (pb,),
        ("",),
        (),
        ("a", pb, pb, "", "b"),
    ):
        para = Paragraph(content=content, number="3", marking=None)
        _, back = round_trip(Cable(parts=(para,)))
        assert back.parts == (para,), content


# --- characters XML 1.0 cannot hold -----------------------------------------------------------


FORBIDDEN = "".join(chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)) + "\ufffe\uffff"


def test_control_and_non_characters_become_g_and_come_back() -> None:
    text = f"1. Form feed \x0c, escape \x1b, CR \r\n, all: {FORBIDDEN} and \U0001f4e0.\n"
    para = Paragraph(content=(text,), number="1")
    sig = Signature("DOE\x0c\n", name="DOE\x0c")
    cable = Cable(parts=(para, sig))
    data, back = round_trip(cable)
    assert back == cable
    assert b'<g ref="#ctrl-0C"/>' in data and b'<g ref="#char-FFFF"/>' in data
    assert b"&#13;" in data  # a raw CR would be read back as LF
    assert text_under_text(data) == cable.telegram
    assert tei.validate(data) == []


def test_forbidden_characters_in_normalized_values_are_escaped_in_attributes() -> None:
    subject = SubjectLine("SUBJECT: A\x0b B \\ C\n   D\n", subject="A\x0b B \\ C D", marking=None)
    dump = RecordDump("id: 1\x01\n", fields=(("id", "1\x01"), ("odd\\key", "")))
    cable = Cable(parts=(subject, dump), page=PageMetadata(identifier="X\x02", title="a\\b"))
    _, back = round_trip(cable)
    assert back == cable


def test_page_metadata_without_layout_lives_in_the_header() -> None:
    page = PageMetadata(
        identifier="09STATE1",
        created="2009-01-01 10:10",
        created_iso=datetime(2009, 1, 1, 10, 10, tzinfo=UTC),
        released=None,
        released_iso=datetime(2011, 8, 30, tzinfo=UTC),
        classification="UNCLASSIFIED",
        origin="Secretary of State",
        title="A TITLE",
        tags=("PREL", "KPAO"),
        references=("08STATE2", "08STATE3"),
    )
    cable = Cable(parts=(Unrecognized("some line\n", zone="header"),), page=page)
    data, back = round_trip(cable)
    assert back == cable
    assert text_under_text(data) == cable.telegram  # no layout: the text is the telegram alone


def test_cable_level_facts_round_trip() -> None:
    cable = Cable(
        parts=(Banner("UNCLAS\n", classification="UNCLASSIFIED", repeat=True),),
        final_newline=False,
        source_encoding="iso-8859-1",
    )
    _, back = round_trip(cable)
    assert back == cable


def test_an_empty_cable_is_a_valid_document() -> None:
    _, back = round_trip(Cable())
    assert back == Cable()


def test_writer_refuses_a_part_type_it_cannot_map() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Telex:
        kind: typing.ClassVar[str] = "telex"
        text: str

    with pytest.raises(cablekit.CablekitError) as e:
        tei.dumps(Cable(parts=(Telex("ZCZC\n"),)))  # type: ignore[arg-type]
    assert e.value.code == "TEI-WRITE" and "telex" in str(e.value)


def test_new_optional_fields_round_trip_through_the_generic_carrier(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A field the mapping does not name yet is kept exactly by the generic fallback."""

    @dataclasses.dataclass(frozen=True, slots=True)
    class Signature2:
        kind: typing.ClassVar[str] = "signature"
        text: str
        name: str | None = None
        rank: int | None = None
        seen: datetime | None = None
        aliases: tuple[str, ...] = ()
        pairs: tuple[tuple[str, str], ...] = ()
        confirmed: bool = False
        note: str | None = "default"

    monkeypatch.setitem(tei._PART_KINDS, "signature", Signature2)
    value = Signature2(
        "DOE\n",
        name="DOE",
        rank=3,
        seen=datetime(2010, 1, 1, tzinfo=UTC),
        aliases=("J. DOE", "a\\b"),
        pairs=(("k", "v"),),
        confirmed=True,
        note=None,
    )
    cable = Cable(parts=(value,))  # type: ignore[arg-type]
    data = tei.dumps(cable)
    assert b'subtype="rank"' in data
    assert tei.loads(data) == cable


def test_model_exposes_every_part_type_in_the_union() -> None:
    # The mapping iterates PART_TYPES; a type missing there would escape the coverage test.
    assert set(typing.get_args(model.Part)) == set(PART_TYPES)


# --- the corpus -----------------------------------------------------------------------------


@pytest.mark.corpus
def test_corpus_cables_are_valid_and_lossless_in_tei(corpus: Path) -> None:
    pages = sorted((corpus / "cablegate-html").glob("*.html"))
    seeds = sorted((corpus / "seed").glob("*.txt"))
    assert len(pages) > 1000
    misses: list[str] = []
    warnings = 0
    for path in [*seeds, *pages]:
        cable = cablekit.read(path)
        try:
            data = tei.dumps(cable)
        except cablekit.CablekitError as e:
            misses.append(f"{path.name}: write: {e}")
            continue
        diags = tei.validate(data, path.name)
        warnings += sum(d.severity == "warning" for d in diags)
        errors = [d for d in diags if d.severity == "error"]
        if errors:
            misses.append(f"{path.name}: {errors[0].render()}")
            continue
        back = tei.loads(data, path.name)
        if back != cable:
            misses.append(f"{path.name}: the model read back differs")
        elif cablekit.dumps(back, "text") != cablekit.dumps(cable, "text"):
            misses.append(f"{path.name}: text written from the TEI differs")
        else:
            layout = cable.page.layout if cable.page and cable.page.layout else ""
            if text_under_text(data) != layout + cable.telegram:
                misses.append(f"{path.name}: the characters under <text> are not the telegram")
    assert not misses, f"{len(misses)} cables fail:\n" + "\n".join(misses[:40])
    # Paragraph numbering is only a warning: real cables skip and restart numbers.
    assert warnings < len(pages) // 5


def _one_of_each() -> list[Any]:
    parts = []
    for cls in PART_TYPES:
        hints = typing.get_type_hints(cls)
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name == "content":
                kwargs["content"] = ("1. (C) text\n",)
            elif f.name == "text":
                kwargs["text"] = f"{cls.kind} line\n"  # type: ignore[attr-defined]
            else:
                kwargs[f.name] = _sample_value(hints[f.name], f.name)
        parts.append(cls(**kwargs))
    return parts


@pytest.mark.parametrize("seed", range(12))
def test_parts_in_any_order_make_valid_lossless_documents(seed: int) -> None:
    """Openers, divisions and closers hold whatever order the parts come in: signatures in
    the middle, two in a row, transmission lines after the body, page ends first."""
    import random

    parts = _one_of_each() * 2
    random.Random(seed).shuffle(parts)
    cable = Cable(parts=tuple(parts))
    data, back = round_trip(cable)  # dumps checks the profile on the way out
    assert back == cable
    assert text_under_text(data) == cable.telegram
