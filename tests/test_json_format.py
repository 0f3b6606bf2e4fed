"""The JSON format on the seed and a hand-made cable: lossless, readable, deterministic,
versioned, and validated on every read and write."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

import cablekit
from cablekit import jsoncodec, jsonschema_engine
from cablekit.model import Banner, Cable, DateTimeGroup, PageMetadata, Paragraph, SubjectLine

DATA = Path(__file__).parent / "data" / "json"
SAMPLE = DATA / "sample-cable.txt"
VALID = DATA / "valid.json"


@pytest.fixture(scope="module")
def sample() -> Cable:
    return cablekit.read(SAMPLE)


def test_seed_round_trips_through_json(seed_bytes: bytes) -> None:
    cable = cablekit.loads(seed_bytes)
    data = cablekit.dumps(cable, "json")
    back = cablekit.loads(data, "json")
    assert back == cable
    assert cablekit.dumps(back, "text") == seed_bytes


def test_json_is_sniffed_and_read_without_a_format_name(seed_bytes: bytes) -> None:
    cable = cablekit.loads(seed_bytes)
    assert cablekit.loads(cablekit.dumps(cable, "json")) == cable


def test_shipped_sample_document_is_what_the_writer_gives(sample: Cable) -> None:
    """valid.json is the writer's output for sample-cable.txt; if the writer changes its
    output, the broken documents (edits of valid.json) must be made again."""
    assert cablekit.dumps(sample, "json") == VALID.read_bytes()
    assert cablekit.read(VALID, "json") == sample
    assert cablekit.validate(VALID) == []


def test_readable_block_comes_from_the_cable(seed_bytes: bytes) -> None:
    cable = cablekit.loads(seed_bytes)
    doc = json.loads(cablekit.dumps(cable, "json"))
    assert doc["format"] == "cablekit-cable" and doc["version"] == jsoncodec.FORMAT_VERSION
    assert doc["id"] == cable.id == "07BAKU595"
    assert doc["sent"] == "2007-05-16T13:24:00Z"
    assert datetime.fromisoformat(doc["sent"]) == cable.sent
    assert doc["classification"] == cable.classification == "CONFIDENTIAL"
    assert doc["caveats"] == list(cable.caveats)
    assert doc["origin"] == cable.origin and doc["from"] == cable.view.sender
    assert [a["routing_indicator"] for a in doc["to"]] == [a.routing_indicator for a in cable.to]
    assert [a["name"] for a in doc["info"]] == [a.name for a in cable.info]
    assert doc["subject"] == cable.subject and doc["tags"] == list(cable.tags)
    assert [r["cable_id"] for r in doc["references"]] == [r.cable_id for r in cable.references]
    paragraphs = [p for p in cable.parts if isinstance(p, Paragraph)]
    assert [p["number"] for p in doc["paragraphs"]] == [p.number for p in paragraphs]
    assert doc["signature"] == cable.signature
    assert doc["page"]["identifier"] == "07BAKU595"
    assert doc["page"]["created_iso"] == "2007-05-16T13:24:00Z"
    assert doc["layout"]["page_block"] == cable.page.layout  # type: ignore[union-attr]
    assert len(doc["layout"]["parts"]) == len(cable.parts)
    assert all(len(p) == 1 for p in doc["layout"]["parts"])  # {kind: fields}


def test_paragraph_text_in_readable_block_leaves_page_breaks_out(sample: Cable) -> None:
    doc = json.loads(cablekit.dumps(sample, "json"))
    broken = [p for p in sample.parts if isinstance(p, Paragraph) and p.page_breaks]
    assert broken, "the sample has a page break inside a paragraph"
    (with_break,) = [p for p in doc["paragraphs"] if p["number"] == broken[0].number]
    assert broken[0].page_breaks[0].text not in with_break["text"]
    assert (
        with_break["text"] + broken[0].page_breaks[0].text
        == "".join(c if isinstance(c, str) else "" for c in broken[0].content)
        + broken[0].page_breaks[0].text
    )


def test_output_is_deterministic_and_keys_follow_the_schema(sample: Cable) -> None:
    first = cablekit.dumps(sample, "json")
    again = cablekit.dumps(cablekit.loads(first, "json"), "json")
    assert first == again
    assert first.endswith(b"}\n") and first.startswith(b'{\n  "format": "cablekit-cable",')
    doc = json.loads(first)
    assert list(doc) == list(jsonschema_engine.schema()["properties"])
    first.decode("utf-8")  # UTF-8, and non-ASCII is written as is
    assert b"\\u00a0" not in cablekit.dumps(cablekit.read(SAMPLE), "json")


def test_non_ascii_is_written_as_utf8(seed_bytes: bytes) -> None:
    data = cablekit.dumps(cablekit.loads(seed_bytes), "json")
    assert "\u00a0".encode() in data and b"\\u00a0" not in data


def test_orjson_and_standard_library_write_the_same_bytes(sample: Cable) -> None:
    pytest.importorskip("orjson")
    doc = jsoncodec.to_document(sample)
    for compact in (False, True):
        assert jsoncodec.dump_bytes(doc, compact=compact, fast=True) == jsoncodec.dump_bytes(
            doc, compact=compact, fast=False
        )


def test_reading_without_the_optional_packages(sample: Cable) -> None:
    """With orjson and jsonschema-rs missing, the same bytes and the same cable come out."""
    code = (
        "import sys, hashlib; sys.modules['orjson'] = None; sys.modules['jsonschema_rs'] = None\n"
        "import cablekit\n"
        "from cablekit import jsonschema_engine as e\n"
        f"c = cablekit.read({str(SAMPLE)!r})\n"
        "data = cablekit.dumps(c, 'json')\n"
        "assert cablekit.loads(data, 'json') == c\n"
        "assert e.orjson_module() is None and e.rust_validator() is None\n"
        "print(hashlib.sha256(data).hexdigest())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == hashlib.sha256(cablekit.dumps(sample, "json")).hexdigest()


def test_newer_minor_version_is_read() -> None:
    doc = json.loads(VALID.read_bytes())
    doc["version"] = "1.7"
    assert cablekit.loads(json.dumps(doc), "json") == cablekit.read(VALID)


def test_unknown_major_version_is_refused_with_a_clear_message() -> None:
    doc = json.loads(VALID.read_bytes())
    doc["version"] = "3.0"
    with pytest.raises(cablekit.CablekitError) as info:
        cablekit.loads(json.dumps(doc, indent=1), "json", source="c.json")
    err = info.value
    assert err.code == "CK-JSON-VERSION" and err.line == 3
    assert "3.0" in err.message and "1.x" in err.message and "newer" in err.message


def test_edited_readable_value_is_reported_at_its_line() -> None:
    text = VALID.read_text("utf-8").replace('"signature": "DOE"', '"signature": "SMITH"', 1)
    found = cablekit.validate(text.encode(), "json")
    assert [(d.code, d.pointer) for d in found] == [("CK-JSON-MISMATCH", "/signature")]
    line = text[: text.index('"SMITH"')].count("\n") + 1
    assert found[0].line == line and "SMITH" in found[0].message and "DOE" in found[0].message


def test_pretty_printed_differently_is_still_read() -> None:
    doc = json.loads(VALID.read_bytes())
    for text in (json.dumps(doc), json.dumps(doc, indent="\t", ensure_ascii=True)):
        assert cablekit.loads(text.encode(), "json") == cablekit.read(VALID)
        assert cablekit.loads(text, "json") == cablekit.read(VALID)


def test_byte_order_mark_is_tolerated() -> None:
    data = b"\xef\xbb\xbf" + VALID.read_bytes()
    assert cablekit.loads(data, "json") == cablekit.read(VALID)


def _replace_part(cable: Cable, kind: type, **changes: object) -> Cable:
    parts = tuple(
        dataclasses.replace(p, **changes) if isinstance(p, kind) else p  # type: ignore[type-var]
        for p in cable.parts
    )
    return dataclasses.replace(cable, parts=parts)


def test_writer_refuses_a_model_that_does_not_validate(sample: Cable) -> None:
    bad = _replace_part(sample, Banner, serial="12X")
    for fmt in ("json", "jsonl"):
        with pytest.raises(cablekit.CablekitError) as info:
            cablekit.dumps(bad, fmt)
        assert info.value.code == "CK-JSON-SCHEMA-PATTERN"
        assert "/layout/parts/" in info.value.message and "banner/serial" in info.value.message


def test_writer_refuses_a_naive_datetime(sample: Cable) -> None:
    naive = _replace_part(sample, DateTimeGroup, sent=datetime(2008, 2, 14, 10, 30))
    with pytest.raises(cablekit.CablekitError) as info:
        cablekit.dumps(naive, "json")
    assert info.value.code in ("CK-JSON-SCHEMA-PATTERN", "CK-JSON-SCHEMA-FORMAT")
    assert "/sent" in info.value.message


def test_other_utc_offsets_round_trip(sample: Cable) -> None:
    from datetime import timedelta, timezone

    when = datetime(2008, 2, 14, 12, 30, tzinfo=timezone(timedelta(hours=2)))
    moved = _replace_part(sample, DateTimeGroup, sent=when)
    data = cablekit.dumps(moved, "json")
    assert b'"2008-02-14T12:30:00+02:00"' in data
    assert cablekit.loads(data, "json") == moved


@pytest.mark.parametrize("fast", [True, False])
def test_writer_refuses_text_that_is_not_unicode(sample: Cable, fast: bool) -> None:
    bad = _replace_part(sample, SubjectLine, text="SUBJECT: \ud800\n")
    with pytest.raises(cablekit.CablekitError) as info:
        jsoncodec.write(bad, compact=False, fast=fast)
    assert info.value.code == "CK-ENCODING"


def test_text_output_is_read_back_and_checked(sample: Cable) -> None:
    assert cablekit.dumps(sample, "text") == SAMPLE.read_bytes()
    page = PageMetadata(
        identifier="08BAKU123",
        created="2008-02-14 10:30",
        title="FIRST LINE\nTags: SECOND",  # a title the metadata block cannot hold
    )
    odd = dataclasses.replace(sample, page=page)
    with pytest.raises(cablekit.CablekitError) as info:
        cablekit.dumps(odd, "text")
    assert info.value.code == "CK-TEXT-READBACK"
    assert "reads back differently" in info.value.message


def test_text_output_whose_reading_does_not_validate_is_refused(sample: Cable) -> None:
    page = PageMetadata(
        identifier="not an id",
        created="2008-02-14 10:30",
        created_iso=datetime(2008, 2, 14, 10, 30, tzinfo=UTC),
    )
    odd = dataclasses.replace(sample, page=page)
    with pytest.raises(cablekit.CablekitError) as info:
        cablekit.dumps(odd, "text")
    # The text reader itself refuses a metadata block whose identifier is no cable id.
    assert info.value.code == "CK-TEXT-READBACK"
    assert "Identifier 'not an id' is not a cable identifier" in info.value.message


def test_created_iso_the_text_cannot_carry_is_caught(sample: Cable) -> None:
    assert sample.page is not None
    page = dataclasses.replace(
        sample.page, layout=None, created_iso=datetime(1999, 1, 1, tzinfo=UTC)
    )
    with pytest.raises(cablekit.CablekitError) as info:
        cablekit.dumps(dataclasses.replace(sample, page=page), "text")
    assert info.value.code == "CK-TEXT-READBACK" and "created_iso" in info.value.message


def test_parts_built_from_fields_go_through_json_and_text(sample: Cable) -> None:
    built = dataclasses.replace(
        sample,
        parts=tuple(
            dataclasses.replace(p, text="") if isinstance(p, SubjectLine | Banner) else p
            for p in sample.parts
        ),
    )
    assert cablekit.loads(cablekit.dumps(built, "json"), "json") == built
    assert cablekit.dumps(built, "text") == SAMPLE.read_bytes()


def test_a_field_the_text_cannot_carry_is_caught(sample: Cable) -> None:
    lower = dataclasses.replace(
        sample,
        parts=tuple(
            dataclasses.replace(p, text="", marking="c") if isinstance(p, SubjectLine) else p
            for p in sample.parts
        ),
    )
    with pytest.raises(cablekit.CablekitError) as info:
        cablekit.dumps(lower, "text")
    assert info.value.code == "CK-TEXT-READBACK"
    assert "marking 'c' reads back as 'C'" in info.value.message


def test_readable_block_of_an_older_minor_version_is_only_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A reader of a later minor version may derive the block differently: the layout wins,
    the cable is read, and validate says so as a warning."""
    text = VALID.read_text("utf-8").replace('"signature": "DOE"', '"signature": "SMITH"', 1)
    with pytest.raises(cablekit.CablekitError):
        cablekit.loads(text, "json")
    monkeypatch.setattr(jsoncodec, "FORMAT_VERSION", "1.1")
    assert cablekit.loads(text, "json") == cablekit.read(VALID)
    found = cablekit.validate(text.encode(), "json")
    assert [(d.code, d.severity, d.pointer) for d in found] == [
        ("CK-JSON-MISMATCH", "warning", "/signature")
    ]
    assert "format 1.0" in found[0].message


def test_deeply_nested_json_is_refused_not_a_crash() -> None:
    data = ('{"a":' + "[" * 150_000 + "]" * 150_000 + "}").encode()
    with pytest.raises(cablekit.CablekitError, match="nested too deeply"):
        cablekit.loads(data, "json")
    found = cablekit.validate(data, "json")
    assert [d.code for d in found] == ["CK-JSON-SYNTAX"]
