"""The TEI reader's two readings of a part agree: the fast one (a plan per part type, one walk
over the part) gives a part only where the full one (every check, in the documented order)
gives the same part, and a document reads to the same cable, or is refused with the same
error, whichever reading its parts get. On the corpus, on hand-made documents, and on
documents altered at random: attributes added, removed or changed, elements moved, copied,
renamed or dropped, comments, <g/> and stray characters put in."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import cablekit
from cablekit.converters import tei
from cablekit.tei_schemas import parse

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

DATA = Path(__file__).parent / "data" / "tei"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
T = "{" + tei.TEI_NS + "}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"


def _outcome(read: Callable[[], Any]) -> tuple[Any, ...]:
    try:
        return ("cable", read())
    except cablekit.CablekitError as e:
        return ("refused", e.code, e.message, e.source, e.line)


def read_both(tree: etree._ElementTree, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """The document read as the reader reads it, and with every part read fully; each with
    the paths of the part elements it reports."""

    def run() -> tuple[Any, ...]:
        where: list[etree._Element] = []
        got = _outcome(lambda: tei._read_doc(tree, "doc.xml", where))
        return (*got, [tree.getpath(el) for el in where])

    fast = run()
    with monkeypatch.context() as m:
        m.setattr(tei, "_fast_readers", dict)  # no kind has a fast reading
        full = run()
    return fast, full


def kind_of(el: etree._Element) -> str | None:
    return tei._KIND_OF_TAG.get(el.tag) or el.get("type")


def candidates(tree: etree._ElementTree) -> list[etree._Element]:
    """Every element under <text> of a kind that has a fast reading, wherever it stands (a
    field element whose @type is also a part kind among them)."""
    readers = tei._fast_readers()
    text = tree.getroot().find(T + "text")
    if text is None:
        return []
    return [el for el in text.iter(T + "*") if kind_of(el) in readers]


def header_doc(tree: etree._ElementTree) -> Any:
    header = tree.getroot().find(T + "teiHeader")
    if header is None:
        return None
    doc = tei._Doc("doc.xml", tei._read_categories(header), {})
    doc.chars = tei._read_chars(header, doc)
    return doc


def read_fast(el: etree._Element, doc: Any) -> Any:
    kind = kind_of(el)
    assert kind is not None
    return tei._fast_readers()[kind](el, doc)


def compare_parts(tree: etree._ElementTree, elements: list[etree._Element]) -> int:
    """Each element read both ways as the part its kind says: the fast reading gives nothing,
    or what the full reading gives (which must not refuse it). Returns how many it gave."""
    doc = header_doc(tree)
    if doc is None:
        return 0
    given = 0
    for el in elements:
        fast = read_fast(el, doc)
        if fast is None:
            continue
        given += 1
        kind = kind_of(el)
        assert kind is not None
        full = _outcome(lambda el=el, kind=kind: tei._read_part_fully(el, doc, kind))
        assert full == ("cable", fast), (tree.getpath(el), fast, full)
    return given


def document_parts(tree: etree._ElementTree) -> list[etree._Element]:
    """The elements of the parts of a document that reads."""
    where: list[etree._Element] = []
    tei._read_doc(tree, "doc.xml", where)
    return [el for el in where if kind_of(el) in tei._fast_readers()]


def test_every_kind_but_record_dumps_has_a_fast_reading() -> None:
    readers = tei._fast_readers()
    assert set(tei.PART_SPECS) - set(readers) == {"record-dump"}


# --- documents as the writer makes them ---------------------------------------------------------


def _documents() -> list[bytes]:
    seed = cablekit.read(EXAMPLES / "07BAKU595.txt")
    return [(DATA / "valid-base.xml").read_bytes(), tei.dumps(seed)]


DOCUMENTS = _documents()


@pytest.mark.parametrize("index", range(len(DOCUMENTS)))
def test_written_documents_are_read_fast_and_alike(
    index: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = parse(DOCUMENTS[index], None)
    fast, full = read_both(tree, monkeypatch)
    assert fast[0] == "cable" and fast == full
    parts = document_parts(tree)
    assert len(parts) > 5
    assert compare_parts(tree, parts) == len(parts)  # nothing out of the ordinary in them
    compare_parts(tree, candidates(tree))


@pytest.mark.corpus
def test_corpus_documents_read_alike_and_almost_all_fast(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, figures: list[str]
) -> None:
    pages = sorted((corpus / "cablegate-html").glob("*.html"))
    assert len(pages) > 1000
    parts = given = 0
    for path in pages:
        cable = cablekit.read(path)
        tree = parse(tei.dumps_str(cable).encode("utf-8"), None)
        fast, full = read_both(tree, monkeypatch)
        assert fast == full, path.name
        assert fast[:2] == ("cable", cable), path.name
        elements = document_parts(tree)
        parts += len(elements)
        given += compare_parts(tree, elements)
    figures.append(f"TEI reader: {given} of {parts} corpus parts read the fast way")
    # The few others hold what the writer writes only where a value has no other place (a
    # declassification kind without its instruction); record dumps have no fast reading.
    assert given >= parts * 0.999


# --- what the fast reading leaves to the full one -----------------------------------------------


def _field(part: etree._Element, tag: str, type_: str) -> etree._Element:
    found = part.find(f"{T}{tag}[@type='{type_}']")
    assert found is not None, (tag, type_)
    return found


def _twice(el: etree._Element) -> None:
    el.addnext(copy.deepcopy(el))


def _comment(el: etree._Element) -> None:
    el.insert(0, etree.Comment("a note"))


def _declare_bel(el: etree._Element) -> None:
    """A BEL declared in the header, as the writer declares a character XML cannot hold:
    the reader then reads the characters of parts one by one."""
    enc = el.getroottree().getroot().find(f"{T}teiHeader/{T}encodingDesc")
    assert enc is not None
    char = etree.SubElement(etree.SubElement(enc, T + "charDecl"), T + "char")
    char.set(XML_ID, "ctrl-07")
    etree.SubElement(char, T + "mapping").text = "U+0007"


def _declared_character(el: etree._Element) -> None:
    _declare_bel(el)
    g = etree.SubElement(el, T + "g")
    g.set("ref", "#ctrl-07")
    g.tail = "rang"


def _stranger_after_a_character(el: etree._Element) -> None:
    """In a field holding markup: an undeclared character, then an element of no field. The
    full reading refuses the element (the fields are indexed before any is read), so the
    fast one must not read the field's characters, and refuse the character, first."""
    _declare_bel(el)
    prosign = _field(el, "seg", "prosign")
    etree.SubElement(prosign, T + "g").set("ref", "#nowhere")
    etree.SubElement(prosign, T + "seg").set("type", "elsewhere")


def _kind_on_its_own(el: etree._Element) -> None:
    """The declassification kind on a <seg> of its own instead of on the instruction."""
    date = _field(el, "date", "declassify")
    seg = etree.Element(T + "seg")
    seg.set("type", "declassification")
    seg.set("ana", date.attrib.pop("ana"))
    date.addnext(seg)
    seg.tail, date.tail = date.tail, None


ADDRESSEE = "//t:*[@type='addressee']"
PARAGRAPH = "//t:body//t:p"
# name -> (the part, the change to it, the code it is refused with; None: it reads)
CASES: dict[str, tuple[str, Callable[[etree._Element], None], str | None]] = {
    "attribute on a field": (
        ADDRESSEE,
        lambda p: _field(p, "orgName", "addressee").set("rend", "bold"),
        "TEI-MODEL",
    ),
    "attribute on the part": (ADDRESSEE, lambda p: p.set("n", "x"), "TEI-MODEL"),
    "field twice": (ADDRESSEE, lambda p: _twice(_field(p, "orgName", "addressee")), "TEI-MODEL"),
    "field of another part": (
        ADDRESSEE,
        lambda p: _field(p, "orgName", "addressee").set("type", "originator"),
        "TEI-MODEL",
    ),
    "category of another taxonomy": (
        ADDRESSEE,
        lambda p: _field(p, "seg", "precedence").set("ana", "#cls-CONFIDENTIAL"),
        "TEI-CATEGORY",
    ),
    "date that is no date": (
        "//t:ab[@type='eo']",
        lambda p: _field(p, "date", "declassify").set("when", "soon"),
        "TEI-DATE",
    ),
    "number that is no number": (
        "//t:seg[@type='originator']",
        lambda p: _field(p, "num", "julian-day").set("value", "one"),
        "TEI-MODEL",
    ),
    "flag with another value": (
        "//t:fw[@type='banner']",
        lambda p: p.set("subtype", "x"),
        "TEI-MODEL",
    ),
    "paragraph attribute": (PARAGRAPH, lambda p: p.set("rend", "x"), "TEI-MODEL"),
    "comment in a part": (ADDRESSEE, _comment, None),
    "comment in a paragraph": (PARAGRAPH, _comment, None),
    "declared character in a paragraph": (PARAGRAPH, _declared_character, None),
    "element of no field after a character": (
        "//t:seg[@type='routing']",
        _stranger_after_a_character,
        "TEI-MODEL",
    ),
    "hosted value on an element of its own": ("//t:ab[@type='eo']", _kind_on_its_own, None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_what_is_not_ordinary_is_read_fully(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    xpath, change, code = CASES[case]
    tree = parse((DATA / "valid-base.xml").read_bytes(), None)
    found = tree.getroot().xpath(xpath, namespaces={"t": tei.TEI_NS})
    assert isinstance(found, list) and found
    part = found[0]
    assert isinstance(part, etree._Element)
    assert read_fast(part, header_doc(tree)) is not None  # before the change
    change(part)
    tree = parse(etree.tostring(tree), None)  # as a document with the change would read
    part = tree.getroot().xpath(xpath, namespaces={"t": tei.TEI_NS})[0]
    assert read_fast(part, header_doc(tree)) is None
    fast, full = read_both(tree, monkeypatch)
    assert fast == full
    if code is None:
        assert fast[0] == "cable"
    else:
        assert fast[:2] == ("refused", code), fast
    compare_parts(tree, candidates(tree))


def test_hand_made_documents_are_read_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    read = 0
    for path in sorted(DATA.glob("*.xml")):
        try:
            tree = parse(path.read_bytes(), None)
        except cablekit.CablekitError:
            continue  # refused before any reading
        fast, full = read_both(tree, monkeypatch)
        assert fast == full, path.name
        compare_parts(tree, candidates(tree))
        read += 1
    assert read > 30


# --- documents altered at random ----------------------------------------------------------------

TYPES = sorted(
    {t for data in DOCUMENTS for t in etree.fromstring(data).xpath("//@type")} | {"elsewhere"}
)
ATTRIBUTES = ["type", "n", "ana", "when", "value", "subtype", "cRef", "corresp", XML_ID, "rend"]
VALUES = [
    "#cls-CONFIDENTIAL",
    "#prec-PRIORITY",
    "#hdl-SIPDIS",
    "#rsn-b",
    "#decl-date",
    "#nowhere",
    "",
    "12",
    "-3",
    "two",
    "2017-05-16",
    "2007-05-16T13:24:00+00:00",
    "to",
    "repeat",
    "back\\\\slash",
]
TAGS = ["seg", "idno", "num", "date", "term", "orgName", "ab", "fw", "p", "anchor", "pb", "div"]


def _alter(root: etree._Element, op: int, i: int, j: int, attr: str, value: str) -> None:
    text = root.find(T + "text")
    elements = [e for e in (root if text is None else text).iter() if isinstance(e.tag, str)]
    el = elements[i % len(elements)]
    other = elements[j % len(elements)]
    parent = el.getparent()
    if op == 0:
        el.set(attr, value)
    elif op == 1 and el.attrib:
        del el.attrib[sorted(el.attrib)[j % len(el.attrib)]]
    elif op == 2:
        el.set("type", TYPES[j % len(TYPES)])
    elif op == 3 and parent is not None:
        el.addnext(copy.deepcopy(el))
    elif op == 4 and parent is not None and other is not el and el not in other.iterancestors():
        tail, el.tail = el.tail, None
        other.insert(j % (len(other) + 1), el)
        el.tail = tail
    elif op == 5 and parent is not None:
        parent.remove(el)
    elif op == 6:
        el.insert(j % (len(el) + 1), etree.Comment("c"))
    elif op == 7:
        g = etree.Element(T + "g")
        g.set("ref", "#ctrl-07" if j % 2 else "#nowhere")
        el.insert(j % (len(el) + 1), g)
    elif op == 8:
        new = etree.Element(T + TAGS[j % len(TAGS)])
        new.set("type", TYPES[i % len(TYPES)])
        new.text = value
        el.insert(j % (len(el) + 1), new)
    elif op == 9:
        el.tag = T + TAGS[j % len(TAGS)]
    elif op == 10:
        el.tail = (el.tail or "") + value
    elif op == 11:
        el.text = (el.text or "") + value
    elif op == 12 and root.find(f"{T}teiHeader/{T}encodingDesc/{T}charDecl") is None:
        _declare_bel(root)
    elif op == 13:
        anchor = etree.Element(T + "anchor")
        anchor.set("type", "string" if j % 2 else value)
        el.insert(j % (len(el) + 1), anchor)
    elif op == 14:
        for name in list(el.attrib):
            del el.attrib[name]


alteration = st.tuples(
    st.integers(0, 14),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
    st.sampled_from(ATTRIBUTES),
    st.sampled_from(VALUES),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    index=st.integers(0, len(DOCUMENTS) - 1),
    alterations=st.lists(alteration, min_size=1, max_size=4),
)
def test_altered_documents_are_read_alike(
    index: int, alterations: list[tuple[int, int, int, str, str]]
) -> None:
    tree = parse(DOCUMENTS[index], None)
    for change in alterations:
        _alter(tree.getroot(), *change)
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, full = read_both(tree, monkeypatch)
    assert fast == full
    compare_parts(tree, candidates(tree))
