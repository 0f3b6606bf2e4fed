"""Cables built through the API rather than read from a file, and TEI documents made by hand:
shapes no reader produces. Each is written and read back exactly, or refused with a
CablekitError; never a wrong cable, never another exception."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import cablekit
from cablekit import CablekitError
from cablekit.converters import tei
from cablekit.model import (
    Banner,
    Cable,
    PageBreak,
    PageMetadata,
    Paragraph,
    TagsLine,
    Unrecognized,
)

FORMATS = ("json", "jsonl", "tei", "text")


@pytest.fixture(params=["fast", "pure"])
def engines(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """With the optional accelerators used when installed, and without them."""
    if request.param == "pure":
        monkeypatch.setenv("CABLEKIT_PURE_PYTHON", "1")
    else:
        monkeypatch.delenv("CABLEKIT_PURE_PYTHON", raising=False)
    return str(request.param)


def test_a_paragraph_without_strings_reads_back_without_one() -> None:
    for content in ((PageBreak("BAKU 00000595 002 OF 003\n"),), ()):
        cable = Cable(parts=(Paragraph(content, marking="C", number="1"),))  # type: ignore[arg-type]
        back = tei.loads(tei.dumps(cable))
        assert back == cable, back.parts


def test_an_empty_string_still_reads_back() -> None:
    cable = Cable(
        parts=(Paragraph(("", PageBreak("BAKU 00000595 002 OF 003\n"), "1. x\n"), marking="C"),)
    )
    assert tei.loads(tei.dumps(cable)) == cable


def test_paragraph_content_that_is_not_a_tuple_is_written_as_a_tuple_would_be() -> None:
    # The model says tuple; a str gives its characters anew each time it is indexed.
    text = "Σ. (C) x\n"
    as_str = Cable(parts=(Paragraph(text, number="1", marking="C"),))  # type: ignore[arg-type]
    as_tuple = Cable(parts=(Paragraph(tuple(text), number="1", marking="C"),))
    assert tei._document(as_str, tei._Writer()) == tei._document(as_str, tei._Writer(fast=False))
    assert tei.dumps(as_str) == tei.dumps(as_tuple)


def test_an_empty_cable_id_reads_back() -> None:
    cable = Cable(parts=(Paragraph(("1. x\n",), number="1"),), page=PageMetadata(identifier=""))
    data = tei.dumps(cable)
    assert b'<idno type="cable-id"/>' in data
    assert tei.loads(data) == cable


def test_a_character_beyond_unicode_in_the_char_declarations_is_refused(
    seed_path: Path,
) -> None:
    # A control character in the text makes the writer declare it (charDecl) and write <g/>.
    seed = cablekit.read(seed_path)
    part = Unrecognized(text="ZZ\x07ZZ\n")
    data = tei.dumps(Cable(parts=(*seed.parts, part), page=seed.page)).decode()
    assert "U+0007" in data
    bad = data.replace("U+0007", "U+110007")
    line = bad[: bad.index("U+110007")].count("\n") + 1
    with pytest.raises(CablekitError) as e:
        tei.loads(bad.encode())
    assert (e.value.code, e.value.line) == ("TEI-CHAR", line)
    assert "U+110007" in e.value.message
    assert [(d.code, d.line) for d in cablekit.validate(bad.encode(), "tei")] == [
        ("TEI-CHAR", line)
    ]


@pytest.mark.parametrize(
    "cable",
    [
        Cable(parts=(Unrecognized(text="x\ud800x\n"),)),
        Cable(parts=(Unrecognized(text="xx\n", zone="\ud800"),)),
        Cable(parts=(Banner(text="SECRET SECTION 01 OF 02 BAKU 000595\n", section=2**70),)),
        Cable(parts=(Banner(text="SECRET SECTION 01 OF 02 BAKU 000595\n", section=10**5000),)),
    ],
    ids=["surrogate-text", "surrogate-zone", "int-beyond-64-bits", "int-of-5001-digits"],
)
def test_values_no_file_holds_are_refused_or_written_exactly(cable: Cable, engines: str) -> None:
    for fmt in FORMATS:
        try:
            out = cablekit.dumps(cable, fmt)
        except CablekitError as e:
            assert e.code and e.message, fmt
            continue
        # Written: then it reads back to the same telegram (TEI writes what XML cannot
        # hold as declared characters).
        back = cablekit.loads(out, fmt)
        assert back.telegram == cable.telegram, fmt


def test_json_bytes_and_verdicts_are_the_same_with_and_without_the_accelerators() -> None:
    cables = [
        Cable(parts=(Banner(text="SECRET SECTION 01 OF 02 BAKU 000595\n", section=2**70),)),
        Cable(parts=(Unrecognized(text="x\ud800x\n"),)),
    ]
    for cable in cables:
        seen = []
        for pure in ("0", "1"):
            os.environ["CABLEKIT_PURE_PYTHON"] = pure
            try:
                seen.append(("ok", cablekit.dumps(cable, "json")))
            except CablekitError as e:
                seen.append((e.code, re.sub(r"\d+", "N", e.message)))
            finally:
                del os.environ["CABLEKIT_PURE_PYTHON"]
        assert seen[0] == seen[1], seen


@pytest.mark.parametrize(
    "page",
    [
        PageMetadata(identifier="08EXAMPLE42", tags=("PREL", None)),  # type: ignore[arg-type]
        PageMetadata(identifier="08EXAMPLE42", references=(None,)),  # type: ignore[arg-type]
        PageMetadata(identifier=0),  # type: ignore[arg-type]
        PageMetadata(identifier="08EXAMPLE42", title=False),  # type: ignore[arg-type]
        PageMetadata(identifier="08EXAMPLE42", origin=0),  # type: ignore[arg-type]
        PageMetadata(identifier="08EXAMPLE42", tags=(0,)),  # type: ignore[arg-type]
    ],
    ids=["none-tag", "none-reference", "zero-id", "false-title", "zero-origin", "zero-tag"],
)
def test_a_publisher_value_that_is_no_string_is_not_written_as_an_empty_element(
    page: PageMetadata,
) -> None:
    # No file holds such a value: the TEI writer refuses it rather than write an empty
    # element, which would read back as an empty string.
    cable = Cable(parts=(Paragraph(("1. x\n",), number="1"),), page=page)
    for fast in (True, False):
        with pytest.raises((CablekitError, AttributeError, TypeError)):
            tei._document(cable, tei._Writer(fast=fast))
    with pytest.raises((CablekitError, AttributeError, TypeError)):
        tei.dumps(cable)


def test_a_tags_line_without_a_tuple_of_tags_is_written_as_one_without_tags() -> None:
    # The model says tuple; a TAGS line whose tags are None (built by hand) is written as one
    # with no tags, as it always was, not refused by the header's keywords.
    line = "TAGS: \n"
    without = Cable(parts=(TagsLine(line), Paragraph(("1. x\n",), number="1")))
    for tags in (None, False):
        odd = Cable(parts=(TagsLine(line, tags=tags), Paragraph(("1. x\n",), number="1")))  # type: ignore[arg-type]
        assert tei.dumps(odd) == tei.dumps(without)
