"""TEI that must be refused: hand-made documents, each one defect, each with its code; hostile
XML refused without reading a file or opening a connection."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

import cablekit
from cablekit import tei_schemas
from cablekit.converters import tei

DATA = Path(__file__).parent / "data" / "tei"

# file (without .xml) -> the code it must be rejected with
EXPECTED = {
    # XML, and what a hostile document tries
    "empty": "TEI-XML-EMPTY",
    "not-well-formed": "TEI-XML-SYNTAX",
    "not-utf8": "TEI-XML-SYNTAX",
    "deep-nesting": "TEI-XML-SYNTAX",
    "duplicate-id": "TEI-XML-ID",
    "entity-bomb": "TEI-XML-DTD",
    "external-entity-file": "TEI-XML-DTD",
    "external-dtd-network": "TEI-XML-DTD",
    "parameter-entity": "TEI-XML-DTD",
    "doctype-after-long-comment": "TEI-XML-DTD",
    # the RELAX NG profile
    "wrong-namespace": "TEI-RNG-ELEMENT",
    "missing-header": "TEI-RNG-ELEMENT",
    "unknown-element": "TEI-RNG-ELEMENT",
    "unknown-attribute": "TEI-RNG-ATTRIBUTE",
    "missing-xml-space": "TEI-RNG-ATTRIBUTE",
    "bad-date": "TEI-RNG-VALUE",
    "bad-number": "TEI-RNG-VALUE",
    "unknown-part-type": "TEI-RNG-VALUE",
    "bad-codepoint": "TEI-RNG-VALUE",
    "text-in-division": "TEI-RNG-CONTENT",
    # the Schematron rules
    "dangling-ana": "TEI-SCH-POINTER",
    "dangling-corresp": "TEI-SCH-POINTER",
    "dangling-g": "TEI-SCH-POINTER",
    # a pointer that resolves only once its first character is dropped: not local (#id)
    "pointer-not-local": "TEI-SCH-POINTER",
    # XPath's id() reads a list: the first id would resolve, the pointer is not one id
    "pointer-several-ids": "TEI-SCH-POINTER",
    "catref-wrong-scheme": "TEI-SCH-POINTER",
    "header-tags-disagree": "TEI-SCH-TAGS",
    "header-addressee-role": "TEI-SCH-ADDRESSEE",
    "header-addressee-name": "TEI-SCH-ADDRESSEE",
    "header-addressee-missing": "TEI-SCH-ADDRESSEE",
    "header-classification-disagree": "TEI-SCH-CLASSIFICATION",
    "header-date-disagree": "TEI-SCH-DATE",
    "header-subject-disagree": "TEI-SCH-SUBJECT",
    "header-signature-disagree": "TEI-SCH-SIGNATURE",
    "header-reference-disagree": "TEI-SCH-REFERENCE",
    "header-transmission-disagree": "TEI-SCH-TRANSMISSION",
    "header-declassify-disagree": "TEI-SCH-DECLASSIFY",
    "header-sender-disagree": "TEI-SCH-SENDER",
    "header-origin-disagree": "TEI-SCH-ORIGIN",
    "header-caveat-missing": "TEI-SCH-CAVEAT",
    "header-page-origin-disagree": "TEI-SCH-PAGE",
    # header values the reader recomputes from the text
    "header-id-disagree": "TEI-HEADER",
    "header-msidentifier-disagree": "TEI-HEADER",
    "header-origin-both-disagree": "TEI-HEADER",
    # rebuilding the cable
    "field-in-wrong-part": "TEI-MODEL",
    "field-twice": "TEI-MODEL",
    "undeclared-field": "TEI-MODEL",
    "attribute-not-read": "TEI-MODEL",
    "part-attribute-not-read": "TEI-MODEL",
    "category-of-wrong-taxonomy": "TEI-CATEGORY",
    "date-where-day-expected": "TEI-DATE",
    "whitespace-between-parts": "TEI-TEXT",
    "source-encoding-unknown": "TEI-MODEL",  # an encoding text cannot be written back in
}


def test_every_fixture_is_listed() -> None:
    on_disk = {p.stem for p in DATA.glob("*.xml")} - {"valid-base"}
    assert on_disk == set(EXPECTED)
    assert len(set(EXPECTED)) >= 25


def test_the_base_of_the_fixtures_is_valid() -> None:
    """Every fixture is this document with one defect; the document itself is fine."""
    data = (DATA / "valid-base.xml").read_bytes()
    assert tei.validate(data, "valid-base.xml") == []
    cable = tei.loads(data)
    assert cable.id == "08EXAMPLE42" and len(cable.paragraphs) == 2
    assert tei.dumps(cable) == data


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_document_is_rejected_with_its_code(name: str) -> None:
    path = DATA / f"{name}.xml"
    data = path.read_bytes()
    found = tei.validate(data, str(path))
    errors = [d for d in found if d.severity == "error"]
    assert errors, f"{name} passed validation"
    codes = [d.code for d in errors]
    assert EXPECTED[name] in codes, codes
    for d in errors:
        assert d.path == str(path)
        assert d.line is not None and d.line >= 1, d
        if d.code.startswith(
            ("TEI-SCH", "TEI-RNG-VALUE", "TEI-MODEL", "TEI-CATEGORY", "TEI-HEADER")
        ):
            assert d.pointer and d.pointer.startswith("/tei:TEI"), d
    with pytest.raises(cablekit.CablekitError) as e:
        tei.loads(data, str(path))
    assert e.value.code in codes and e.value.source == str(path)
    assert str(path) in str(e.value)


def test_public_validate_reports_the_same_codes() -> None:
    path = DATA / "header-tags-disagree.xml"
    codes = {d.code for d in cablekit.validate(path, "tei")}
    assert "TEI-SCH-TAGS" in codes


def test_threads_refused_together_each_get_their_own_findings() -> None:
    """Documents the grammar refuses, checked by several threads at once: each gets the
    diagnostics it gets alone (the grammar's report is read from a shared validator)."""
    from concurrent.futures import ThreadPoolExecutor

    refused = [n for n, code in EXPECTED.items() if code.startswith("TEI-RNG")]
    docs = [(DATA / f"{n}.xml").read_bytes() for n in refused]
    alone = [tei.validate(d, n) for n, d in zip(refused, docs, strict=True)]
    assert len({repr(a) for a in alone}) == len(refused)  # all different: a mix-up shows
    jobs = list(range(len(docs))) * 40
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda i: (i, tei.validate(docs[i], refused[i])), jobs))
    mixed = [refused[i] for i, found in together if found != alone[i]]
    assert not mixed, f"{len(mixed)} of {len(jobs)} got other findings: {sorted(set(mixed))}"


def test_paragraph_numbers_out_of_sequence_are_a_warning_only() -> None:
    data = (DATA / "valid-base.xml").read_bytes().replace(b'<p n="2">2.', b'<p n="5">5.')
    found = tei.validate(data, "x.xml")
    assert [(d.code, d.severity) for d in found] == [("TEI-SCH-PARA-SEQ", "warning")]
    assert found[0].line is not None and found[0].pointer is not None
    assert tei.loads(data).paragraphs[1].number == "5"


def test_writer_output_that_fails_the_profile_is_never_returned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A header that disagrees with the text (here: a wrong title) stops the writer."""
    import dataclasses

    from cablekit import derive

    cable = tei.loads((DATA / "valid-base.xml").read_bytes())
    real = derive.derive
    monkeypatch.setattr(
        derive, "derive", lambda c: dataclasses.replace(real(c), subject="NOT THE SUBJECT")
    )
    with pytest.raises(cablekit.CablekitError) as e:
        tei.dumps(cable)
    assert e.value.code == "TEI-WRITE" and "TEI-SCH-SUBJECT" in str(e.value)


# --- hostile XML: nothing is read, nothing is fetched -------------------------------------------


class Canaries:
    """A FIFO that blocks whoever opens it for reading, and a listening socket that records
    every connection: any attempt to resolve an entity or a DTD shows up here."""

    def __init__(self, tmp: Path) -> None:
        self.fifo = tmp / "canary.fifo"
        os.mkfifo(self.fifo)
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(5)
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]

    def connections(self) -> int:
        count = 0
        while True:
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                return count
            conn.close()
            count += 1

    def close(self) -> None:
        self.server.close()


def _run_with_timeout(fn: object, seconds: float = 20.0) -> tuple[bool, object]:
    result: list[object] = []

    def target() -> None:
        try:
            result.append(fn())  # type: ignore[operator]
        except Exception as e:  # the result is checked by the caller
            result.append(e)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    return (not thread.is_alive(), result[0] if result else None)


def _hostile_documents(c: Canaries) -> dict[str, bytes]:
    base = (DATA / "valid-base.xml").read_bytes()
    body = base[base.index(b"<TEI") :]
    decl = b'<?xml version="1.0" encoding="UTF-8"?>\n'
    fifo = c.fifo.as_uri().encode()
    url = f"http://127.0.0.1:{c.port}".encode()
    use = body.replace(b"First paragraph.", b"First paragraph. &x;")
    return {
        "file entity": decl + b'<!DOCTYPE TEI [<!ENTITY x SYSTEM "' + fifo + b'">]>\n' + use,
        "network entity": decl + b'<!DOCTYPE TEI [<!ENTITY x SYSTEM "' + url + b'/x">]>\n' + use,
        "external DTD": decl + b'<!DOCTYPE TEI SYSTEM "' + url + b'/cable.dtd">\n' + body,
        "file DTD": decl + b'<!DOCTYPE TEI SYSTEM "' + fifo + b'">\n' + body,
        "parameter entity": decl
        + b'<!DOCTYPE TEI [<!ENTITY % p SYSTEM "'
        + url
        + b'/p.dtd"> %p;]>\n'
        + body,
    }


def test_hostile_documents_touch_no_file_and_no_network(tmp_path: Path) -> None:
    c = Canaries(tmp_path)
    try:
        for what, doc in _hostile_documents(c).items():
            done, result = _run_with_timeout(lambda doc=doc, what=what: tei.validate(doc, what))
            if not done:
                with open(c.fifo, "wb"):  # release the reader that opened the FIFO
                    pass
            assert done, f"{what}: the FIFO was opened"
            assert isinstance(result, list) and [d.code for d in result] == ["TEI-XML-DTD"]
            assert c.connections() == 0, f"{what}: a connection was made"
    finally:
        c.close()


def test_the_hardened_parser_itself_resolves_nothing(tmp_path: Path) -> None:
    """Below the DOCTYPE refusal: the parser never loads, fetches or expands anything."""
    from lxml import etree

    c = Canaries(tmp_path)
    try:
        for what, doc in _hostile_documents(c).items():
            done, result = _run_with_timeout(
                lambda doc=doc: etree.fromstring(doc, tei_schemas.parser())
            )
            if not done:
                with open(c.fifo, "wb"):
                    pass
            assert done, f"{what}: the FIFO was opened"
            assert c.connections() == 0, f"{what}: a connection was made"
            if isinstance(result, etree._Element):
                assert "First paragraph." in "".join(result.itertext())
    finally:
        c.close()


def test_the_canaries_catch_a_careless_parser(tmp_path: Path) -> None:
    """The canaries work: a parser that loads entities opens the FIFO; any connection to the
    socket is counted (recent libxml2 builds have no HTTP client, so no parser setting makes
    them fetch a URL: the network check guards against builds that do)."""
    from lxml import etree

    c = Canaries(tmp_path)
    careless = {"resolve_entities": True, "load_dtd": True, "no_network": False}
    try:
        docs = _hostile_documents(c)
        done, _ = _run_with_timeout(
            lambda: etree.fromstring(docs["file entity"], etree.XMLParser(**careless)), 3.0
        )
        if not done:
            with open(c.fifo, "wb"):
                pass
        assert not done  # it opened the FIFO and waited for a writer
        with socket.create_connection(("127.0.0.1", c.port), timeout=3):
            pass
        assert c.connections() == 1
    finally:
        c.close()


def test_entity_bomb_is_not_expanded_by_the_parser() -> None:
    from lxml import etree

    doc = (DATA / "entity-bomb.xml").read_bytes()
    try:
        root = etree.fromstring(doc, tei_schemas.parser())
    except etree.XMLSyntaxError as e:  # libxml2's amplification limit refuses it outright
        assert "amplification" in str(e)
        return
    assert len("".join(root.itertext())) < 20_000  # 16**6 characters if it were expanded
