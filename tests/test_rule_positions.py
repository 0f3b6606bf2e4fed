"""What a rule finds in a part is reported where that part stands, in every format: the line
of the telegram in text, the part's object (line, column, JSON pointer) in JSON, the part's
element (line, XPath) in TEI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

import cablekit
from cablekit import rules
from cablekit.jsoncodec import encode_part
from cablekit.model import Cable
from cablekit.validation import validate_bytes

TEI = {"tei": "http://www.tei-c.org/ns/1.0"}
RULE_CODES = {r.code for r in rules.RULES}


@pytest.fixture(scope="module")
def cable(seed_bytes: bytes) -> Cable:
    """The seed with its banner made SECRET: findings on two parts (its TAGS line and its
    banner), so positions cannot all be the same by chance."""
    banner = b"C O N F I D E N T I A L SECTION 01 OF 02"
    assert banner in seed_bytes
    return cablekit.loads(seed_bytes.replace(banner, b"S E C R E T SECTION 01 OF 02"), "text")


def _parts_found(cable: Cable) -> list[tuple[str, int]]:
    """(code, index of the part) of each finding, in report order, from the rules alone."""
    found = rules.check(cable, locate=lambda index: (index, None, None))
    return [(d.code, d.line) for d in found if d.line is not None]


def _rule_findings(data: bytes, fmt: str) -> list[cablekit.Diagnostic]:
    return [d for d in validate_bytes(data, fmt, f"cable.{fmt}") if d.code in RULE_CODES]


def test_the_fixture_has_findings_on_several_parts(cable: Cable) -> None:
    found = _parts_found(cable)
    assert {code for code, _ in found} >= {"C101", "T101"}, found
    assert len({index for _, index in found}) >= 2, found


def test_json_findings_point_at_the_part_object(cable: Cable) -> None:
    data = cablekit.dumps(cable, "json")
    lines = data.decode("utf-8").split("\n")
    doc = json.loads(data)
    found = _rule_findings(data, "json")
    expected = _parts_found(cable)
    assert [d.code for d in found] == [code for code, _ in expected]
    for d, (_, index) in zip(found, expected, strict=True):
        assert d.pointer == f"/layout/parts/{index}", d
        assert d.line is not None and d.col is not None, d
        assert lines[d.line - 1][d.col - 1] == "{", d  # the part's object starts there
        assert doc["layout"]["parts"][index] == encode_part(cable.parts[index])


def test_tei_findings_point_at_the_part_element(cable: Cable) -> None:
    data = cablekit.dumps(cable, "tei")
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    found = _rule_findings(data, "tei")
    expected = _parts_found(cable)
    assert [d.code for d in found] == [code for code, _ in expected]
    for d, (_, index) in zip(found, expected, strict=True):
        assert d.pointer is not None, d
        hits = root.xpath(d.pointer, namespaces=TEI)
        assert len(hits) == 1, d
        element = hits[0]
        assert element.sourceline == d.line, d
        # The element holds the part's verbatim characters, and nothing else.
        assert "".join(element.itertext()) == cable.parts[index].text, d


def test_text_findings_stand_on_the_line_of_their_part(cable: Cable) -> None:
    data = cablekit.dumps(cable, "text")
    lines = data.decode("utf-8").split("\n")
    found = _rule_findings(data, "text")
    expected = _parts_found(cable)
    assert [d.code for d in found] == [code for code, _ in expected]
    for d, (_, index) in zip(found, expected, strict=True):
        assert d.line is not None, d
        first_line = cable.parts[index].text.split("\n")[0]
        assert lines[d.line - 1] == first_line, d


def test_a_finding_about_no_part_has_no_position() -> None:
    """A cable with no parts: what a rule says of it cannot stand on any line."""
    from cablekit.rules.base import Finding, Rule

    def whole(_facts: object) -> list[Finding]:
        return [Finding("about the cable as a whole")]

    rule = Rule("X999", "whole", "warning", "test rule", whole)  # type: ignore[arg-type]
    found = rules.check(Cable(parts=()), rules=[rule], locate=lambda i: (i + 1, 1, "/x"))
    assert [(d.line, d.col, d.pointer) for d in found] == [(None, None, None)]


def test_html_part_locations_point_at_the_first_line_of_each_part(corpus: Path) -> None:
    """Every part of one page in ten: the page's characters at its line and column, read
    up to the next line end as the page writes it, start with its first line (and are it,
    for a part that ends its line)."""
    import re

    from cablekit.converters import html

    line_end = re.compile(r"&#[xX]0*[aA];|&#0*10;|&NewLine;|\n")
    pages = sorted((corpus / "cablegate-html").glob("*.html"))[::10]
    misses = []
    placed = exact = 0
    for page in pages:
        data = page.read_bytes()
        cable = cablekit.loads(data, "html")
        text = data.decode("utf-8").removeprefix("\ufeff")
        lines = text.split("\n")
        found = html.part_locations(data, str(page))
        assert len(found) == len(cable.parts), page.name
        for index, (part, (line, col, _)) in enumerate(zip(cable.parts, found, strict=True)):
            assert line is not None, page.name
            placed += 1
            if col is None:
                continue
            exact += 1
            rest = lines[line - 1][col - 1 :]
            m = line_end.search(rest)
            raw = rest[: m.start()] if m else rest
            # The page's own cleaning (anchors and markup out, references decoded): what is
            # checked here is where the line starts, not how a page is read.
            got = html._clean(raw.split("</pre>")[0])
            want = part.text.split("\n")[0]
            if not got.startswith(want) or (want != got and "\n" in part.text):
                misses.append(f"{page.name} part {index} ({part.kind}): {got!r} != {want!r}")
    # A part starting inside a line that holds references or markup is placed by line only.
    assert placed and exact >= 0.95 * placed, (exact, placed)
    assert not misses, misses[:10]


def test_html_findings_carry_the_page_line(corpus: Path) -> None:
    """88BAGHDAD28 has findings on its banner and E.O. line (among others): each is placed
    where its part starts in the page."""
    from cablekit.converters import html

    page = corpus / "cablegate-html" / "88BAGHDAD28.html"
    if not page.exists():
        pytest.skip("88BAGHDAD28 is not in this corpus")
    data = page.read_bytes()
    cable = cablekit.loads(data, "html")
    found = _rule_findings(data, "html")
    expected = _parts_found(cable)
    assert [d.code for d in found] == [code for code, _ in expected]
    assert {"C101", "E102"} <= {d.code for d in found}
    lines = data.decode("utf-8").split("\n")
    for d, (_, index) in zip(found, expected, strict=True):
        assert d.line is not None and d.col is not None, d
        at = html._clean(lines[d.line - 1][d.col - 1 :].split("</pre>")[0])
        assert at.startswith(cable.parts[index].text.split("\n")[0]), d


@pytest.mark.parametrize("layout", ["canonical", "compact", "reordered"])
def test_json_part_positions_match_the_full_tokenizer(cable: Cable, layout: str) -> None:
    """The quick walk to layout.parts gives the positions the full tokenizer gives, however
    the document is spaced or its keys ordered."""
    from cablekit.converters import json as json_format
    from cablekit.jsonschema_engine import Positions

    doc = json.loads(cablekit.dumps(cable, "json"))
    if layout == "canonical":
        text = cablekit.dumps(cable, "json").decode()
    elif layout == "compact":
        text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    else:
        shuffled = {"layout": doc["layout"], **{k: v for k, v in doc.items() if k != "layout"}}
        text = json.dumps(shuffled, indent=1, ensure_ascii=False).replace(": ", " :\t")
    positions = Positions.of(text)
    expected = []
    while (pointer := f"/layout/parts/{len(expected)}") in positions.values:
        expected.append((*positions.line_col(positions.values[pointer]), pointer))
    assert len(expected) == len(cable.parts)
    assert json_format.part_locations(text.encode(), None) == expected
