"""The TEI writer's fast paths (the compiled plans of the part types, the dedicated addressee
and paragraph writers) write exactly what the generic writer writes: the same document for
every corpus cable, for the seed and the test cables, and for parts altered at random, or the
same error."""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import cablekit
from cablekit.converters import tei
from cablekit.model import (
    PART_TYPES,
    Addressee,
    Cable,
    PageBreak,
    Paragraph,
    RecordDump,
)

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LOCAL_CABLES = [
    ROOT / "examples" / "07BAKU595.txt",
    ROOT / "tests" / "data" / "json" / "sample-cable.txt",
    ROOT / "tests" / "data" / "json" / "valid.json",
]


def outcome(cable: Cable, fast: bool) -> str | tuple[type, str]:
    """The document one writer makes of the cable, or the error it stops with."""
    try:
        return tei._document(cable, tei._Writer(fast=fast))
    except Exception as e:  # the generic writer's own errors must come out the same
        return (type(e), str(e))


def assert_same(cable: Cable, label: str = "") -> None:
    fast, generic = outcome(cable, True), outcome(cable, False)
    if fast != generic:
        if isinstance(fast, str) and isinstance(generic, str):
            at = next(
                (i for i, (a, b) in enumerate(zip(fast, generic, strict=False)) if a != b),
                min(len(fast), len(generic)),
            )
            detail = f"fast {fast[at - 80 : at + 80]!r}\ngeneric {generic[at - 80 : at + 80]!r}"
        else:
            detail = f"fast {fast!r}\ngeneric {generic!r}"
        pytest.fail(f"{label}: the fast writer differs from the generic one\n{detail}")


# --- which paths there are ------------------------------------------------------------------


def test_every_part_type_but_two_has_a_fast_writer() -> None:
    # Page breaks are written with their <pb/>, record dumps by a carrier the plans do not
    # compile: both go the generic way, everything else the fast one.
    for cls in PART_TYPES:
        fast = tei._fast_writer(cls)
        assert (fast is not None) == (cls not in (PageBreak, RecordDump)), cls.kind  # type: ignore[attr-defined]
    assert "_addressee_writer" in getattr(tei._fast_writer(Addressee), "__qualname__", "")
    assert "_paragraph_writer" in getattr(tei._fast_writer(Paragraph), "__qualname__", "")


def test_types_the_fast_writers_do_not_know_go_the_generic_way() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class LongAddressee(Addressee):
        pass

    @dataclasses.dataclass(frozen=True, slots=True)
    class Annotated(Paragraph):  # a field no carrier names
        note: str | None = None

    assert tei._fast_writer(LongAddressee) is None
    assert tei._fast_writer(Annotated) is None
    assert tei._plan(tei.PART_SPECS["record-dump"]) is None  # Pairs: no compiled step
    part = LongAddressee("TO RUEHC/SECSTATE WASHDC\n", routing_indicator="RUEHC")
    assert_same(Cable(parts=(part,)), "an Addressee subclass")


def test_specs_whose_attributes_would_meet_are_not_compiled() -> None:
    # A dict keeps one value per attribute, a formatted string would keep both: such specs
    # stay with the generic writer.
    host = tei.Span("a", "seg", "x")
    twice = (host, tei.When("b", "y", host="a"), tei.When("c", "z", host="a"))
    assert tei._plan(tei.PartSpec("k", "ab", twice)) is None
    on_part = (tei.Attr("a", "subtype"), tei.Flag("b", attr="subtype", attr_value="v"))
    assert tei._plan(tei.PartSpec("k", "ab", on_part)) is None
    on_texts = (tei.Texts("a", "seg", "x"), tei.Cat("b", "y", "handling", host="a"))
    assert tei._plan(tei.PartSpec("k", "ab", on_texts)) is None
    same_name = (host, tei.Span("a", "seg", "y"))
    assert tei._plan(tei.PartSpec("k", "ab", same_name)) is None
    assert tei._plan(tei.PartSpec("k", "ab", (host, tei.When("b", "y", host="a")))) is not None


def test_a_spec_the_dedicated_writers_were_not_written_for_gets_none() -> None:
    spec = tei.PART_SPECS["addressee"]
    shorter = dataclasses.replace(spec, carriers=spec.carriers[:-1])
    assert tei._addressee_writer(shorter) is None
    assert tei._addressee_writer(spec) is not None
    spec = tei.PART_SPECS["paragraph"]
    assert tei._paragraph_writer(dataclasses.replace(spec, carriers=spec.carriers[1:])) is None
    assert tei._paragraph_writer(spec) is not None


def test_a_string_standing_twice_in_a_paragraph_is_marked_once() -> None:
    # The fields are marked in the first string of the content only, even when a later
    # item is the very same string object.
    line = "1. (C) Text.\n"
    pb = PageBreak("BAKU 00000595  002 OF 002\n", "BAKU", "00000595", 2, 2)
    for content in ((line, pb, line), (line, line), ("", line, line)):
        para = Paragraph(content, number="1", marking="C", section="summary")
        assert_same(Cable(parts=(para,)), repr(content))


# --- real cables ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", LOCAL_CABLES, ids=lambda p: p.name)
def test_local_cables_are_written_the_same_both_ways(path: Path) -> None:
    assert_same(cablekit.read(path), path.name)


@pytest.mark.corpus
def test_corpus_cables_are_written_the_same_both_ways(corpus: Path) -> None:
    pages = sorted((corpus / "cablegate-html").glob("*.html"))
    seeds = sorted((corpus / "seed").glob("*.txt"))
    assert len(pages) > 1000
    for path in [*seeds, *pages]:
        assert_same(cablekit.read(path), path.name)


# --- rendering: the plans' marks against the generic spans --------------------------------

TEXT_CHARS = st.sampled_from([*"AB c\n\t/.-()0123", "&", "<", ">", '"', "\r", "\x01", "\ufffe"])


@st.composite
def text_and_spans(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, str, dict[str, str], str]]]:
    text = draw(st.text(TEXT_CHARS, max_size=30))
    pos = st.integers(0, len(text))
    spans = []
    for _ in range(draw(st.integers(0, 6))):
        a, b = sorted((draw(pos), draw(pos)))
        if draw(st.booleans()):
            b = a  # empty elements, at every place
        attrs = {"type": draw(st.sampled_from(["x", "y"]))}
        if draw(st.booleans()):
            attrs["n"] = draw(st.text(TEXT_CHARS, max_size=4))
        inner = draw(st.sampled_from(["", '<term type="key"/>']))
        spans.append((a, b, draw(st.sampled_from(["seg", "idno"])), attrs, inner))
    return text, spans


@settings(max_examples=400, deadline=None)
@given(text_and_spans())
def test_marks_render_as_spans_do(
    case: tuple[str, list[tuple[int, int, str, dict[str, str], str]]],
) -> None:
    """Nested, crossing, empty and out-of-order elements, in text that needs escaping."""
    text, spans = case
    reg = tei._Registry()
    generic = tei._render(
        text,
        [tei._Span(a, b, t, dict(at), i, inn) for i, (a, b, t, at, inn) in enumerate(spans)],
        reg,
    )
    chars: set[str] = set()
    marks = [(a, b, t, tei._fmt_attrs(at), inn) for a, b, t, at, inn in spans]
    assert tei._render_marks(text, marks, chars) == generic
    assert chars == reg.chars


# --- carriers with the options no spec uses yet ------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Probe:
    kind: typing.ClassVar[str] = "probe"
    text: str
    a: str | None = None
    b: str | None = None
    c: str | None = None
    items: tuple[str, ...] = ()
    more: tuple[str, ...] = ()
    num: int | None = None
    flag: bool = False
    when: datetime | None = None


PROBE_SPECS = [
    # everything inside the span of another field
    (
        tei.Span("a", "seg", "x"),
        tei.Texts("items", "term", "t", within="a"),
        tei.Int("num", "n", within="a"),
        tei.Cat("b", "c", "handling", within="a"),
        tei.Cats("more", "m", "section", within="a"),
        tei.Span("c", "seg", "y", within="a"),
    ),
    # fields kept on another's element, or on their own when it is absent
    (
        tei.Span("a", "seg", "x"),
        tei.When("when", "w", host="a"),
        tei.Cat("b", "c", "classification", host="a"),
        tei.HostAttr("c", "a", ("seg", "x"), "cRef", "ref", "id"),
        tei.Flag("flag", tag="label", type="f"),
        tei.Texts("items", "term", "t"),
    ),
    # hosts after their guests, locators of every kind, attributes of the part element
    (
        tei.When("when", "w", host="a", locate=tei._loc_line),
        tei.Cat("b", "c", "eo-reason", host="a", locate=tei._loc_reason),
        tei.Span("a", "seg", "x", locate=tei._loc_marking),
        tei.Int("num", "n", locate=tei._loc_julian),
        tei.Cats("more", "m", "precedence", locate=tei._loc_reason),
        tei.Flag("flag", attr="subtype", attr_value="repeat"),
        tei.Attr("c", "n"),
    ),
    (
        tei.Span("a", "seg", "x"),
        tei.Cat("b", "c", "precedence", within="a", locate=tei._loc_prosign_letter(0)),
        tei.Span("c", "seg", "precedence"),
        tei.Cat("more", "m", "section", host="."),
    ),
]


@st.composite
def a_probe(draw: st.DrawFn) -> Probe:
    text = draw(st.text(st.sampled_from([*"AB cd\n/.()0129", "&", "\r", "\x01"]), max_size=24))
    hints = typing.get_type_hints(Probe)
    values = {
        f.name: draw(a_value(hints[f.name], f.name, text))
        for f in dataclasses.fields(Probe)
        if f.name != "text"
    }
    if values["more"] and draw(st.booleans()):  # a Cat of one value, for the last spec
        values["more"] = values["more"][0]
    return Probe(text, **values)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(range(len(PROBE_SPECS))), a_probe())
def test_every_carrier_option_is_compiled_as_the_carrier_writes(i: int, probe: Probe) -> None:
    spec = tei.PartSpec("probe", "ab", PROBE_SPECS[i])
    write = tei._compiled_writer(spec)
    assert write is not None
    fast_w, generic_w = tei._Writer(), tei._Writer(fast=False)

    def run(f: Any) -> Any:
        try:
            return f()
        except Exception as e:
            return (type(e), str(e))

    def generic_part() -> str:
        # _Writer.part, without the generic fields (the probe's kind has no spec to name them)
        ctx = tei._WCtx(probe.text, generic_w.reg)
        for c in spec.carriers:
            c.write(getattr(probe, c.name), ctx)
        attrs = {"type": "probe", **ctx.self_attrs}
        return tei._element("ab", attrs, tei._render(probe.text, ctx.spans, generic_w.reg))

    fast = run(lambda: write(probe, fast_w, "ab", True, False))
    generic = run(generic_part)
    assert fast == generic
    assert fast_w.reg.cat_ids == generic_w.reg.cat_ids
    assert list(fast_w.reg.cat_ids) == list(generic_w.reg.cat_ids)
    assert fast_w.reg.chars == generic_w.reg.chars


# --- parts altered at random -----------------------------------------------------------------

NOISE = st.text(
    st.sampled_from([*"AB c/.:-()019", "&", "<", '"', "\r", "\n", "\t", "\x01", "\\", "\ufffe"]),
    max_size=10,
)
WORDS = st.sampled_from(
    ["PRIORITY", "ROUTINE", "C", "S/NF", "SBU", "to", "info", "xmt", "two words", "RUEHC", "01"]
)
TZ = st.sampled_from([UTC, timezone(timedelta(hours=3)), None])


def _seed_parts() -> list[Any]:
    return list(cablekit.read(LOCAL_CABLES[0]).parts)


SEED_PARTS = _seed_parts()


@st.composite
def a_string(draw: st.DrawFn, text: str) -> str:
    """A value as the model may hold it: the characters as they stand, the same words wrapped
    or in another case (found word by word), something else, or nothing."""
    i, j = sorted((draw(st.integers(0, len(text))), draw(st.integers(0, len(text)))))
    piece = text[i:j]
    kind = draw(st.integers(0, 5))
    if kind <= 1:
        return piece
    if kind == 2:
        return " ".join(piece.split()).lower()
    if kind == 3:
        return draw(WORDS)
    if kind == 4:
        return draw(NOISE)
    return ""


@st.composite
def a_value(draw: st.DrawFn, hint: Any, name: str, text: str) -> Any:
    optional = False
    t = hint
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        optional = type(None) in typing.get_args(hint)
        t = next(a for a in typing.get_args(hint) if a is not type(None))
    if optional and draw(st.integers(0, 3)) == 0:
        return None
    if typing.get_origin(t) is tuple:
        item = typing.get_args(t)[0]
        if typing.get_origin(item) is tuple:
            pair = st.tuples(a_string(text), a_string(text))
            return tuple(draw(st.lists(pair, max_size=3)))
        return tuple(draw(st.lists(a_value(item, name, text), max_size=4)))
    if t is bool:
        return draw(st.booleans())
    if t is int:
        return draw(st.integers(-3, 400))
    if t is datetime:
        return draw(st.datetimes(timezones=TZ))
    if t is date:
        return draw(st.dates())
    if name in ("role", "zone") and draw(st.booleans()):
        return draw(st.sampled_from(["to", "info", "xmt", "two words", "a&b"]))
    return draw(a_string(text))


@st.composite
def an_altered_text(draw: st.DrawFn, text: str) -> str:
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return text
    if kind == 1:
        return text.lower()
    if kind == 2:
        i = draw(st.integers(0, len(text)))
        return text[:i] + draw(NOISE) + text[i:]
    if kind == 3:
        return text.replace(" ", "  \n")
    return draw(NOISE)


@st.composite
def an_altered_part(draw: st.DrawFn) -> Any:
    """A part of the seed, or a new one of any type, with some fields (and its text) changed."""
    if draw(st.booleans()):
        part = draw(st.sampled_from(SEED_PARTS))
        cls: type = type(part)
    else:
        cls = draw(st.sampled_from(PART_TYPES))
        part = None
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    if cls is Paragraph:
        base = part.text if part is not None else "1. (C) Paragraph text\n"
        item = st.one_of(
            an_altered_text(base),
            st.just(""),
            st.sampled_from([p for p in SEED_PARTS if isinstance(p, PageBreak)] or [None]).map(
                lambda pb: pb or PageBreak("BAKU 00000595  002 OF 002\n", page=2, pages=2)
            ),
        )
        content = (base,) if part is not None and draw(st.booleans()) else ()
        kwargs["content"] = content or tuple(draw(st.lists(item, max_size=4)))
        text = "".join(c if isinstance(c, str) else c.text for c in kwargs["content"]) or base
    else:
        base = part.text if part is not None else f"{cls.kind} LINE PRIORITY 01 TO X\n"  # type: ignore[attr-defined]
        text = draw(an_altered_text(base))
        kwargs["text"] = text
    for f in dataclasses.fields(cls):
        if f.name in ("text", "content"):
            continue
        if part is not None and draw(st.booleans()):
            kwargs[f.name] = getattr(part, f.name)  # kept as the parser read it
        else:
            kwargs[f.name] = draw(a_value(hints[f.name], f.name, text))
    return cls(**kwargs)


@settings(max_examples=600, deadline=None)
@given(st.lists(an_altered_part(), min_size=1, max_size=6))
def test_altered_parts_are_written_the_same_both_ways(parts: list[Any]) -> None:
    assert_same(Cable(parts=tuple(parts)), "altered parts")


@settings(max_examples=200, deadline=None)
@given(st.permutations(SEED_PARTS))
def test_the_seed_parts_in_any_order_are_written_the_same_both_ways(parts: list[Any]) -> None:
    assert_same(Cable(parts=tuple(parts)), "seed parts in another order")
