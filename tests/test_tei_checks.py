"""The profile's checks as they run: derived at load time from the shipped schemas, giving the
same verdicts and reports as the shipped files run as they are."""

from __future__ import annotations

import importlib
import random
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import cablekit
from cablekit import tei_schemas
from cablekit.converters import tei

DATA = Path(__file__).parent / "data" / "tei"
SCHEMAS = Path(tei_schemas.__file__).resolve().parent.parent / "schemas"
RNG_NS = "{http://relaxng.org/ns/structure/1.0}"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
MUTATE_EVERY = 100  # one corpus document in 100 gets each element changed, one at a time
RENAMES = ("seg", "label", "anchor", "fw")


@pytest.fixture(scope="module")
def corpus_docs(corpus: Path) -> list[tuple[str, bytes]]:
    """Every corpus cable as the writer writes it (already checked on the way out)."""
    pages = sorted((corpus / "cablegate-html").glob("*.html"))
    return [(p.name, tei.dumps(cablekit.read(p))) for p in pages]


def _fixtures() -> list[tuple[str, bytes]]:
    docs = [(p.name, p.read_bytes()) for p in sorted(DATA.glob("*.xml"))]
    base = (DATA / "valid-base.xml").read_bytes()
    docs.append(("paragraph-out-of-sequence", base.replace(b'<p n="2">2.', b'<p n="5">5.')))
    return docs


def _tree(data: bytes) -> etree._ElementTree | None:
    """The document as the checks get it: through the hardened parse, which refuses any DTD
    (so no entity reference is ever left in a tree)."""
    try:
        return tei_schemas.parse(data, None)
    except cablekit.CablekitError:
        return None


# --- RELAX NG: mixed content unfolded ----------------------------------------------------------


def test_every_mixed_of_the_shipped_grammar_is_unfolded() -> None:
    shipped = etree.parse(str(SCHEMAS / "cable-tei.rng")).getroot()
    unfolded = tei_schemas._unfold_mixed(shipped)
    assert len(list(shipped.iter(RNG_NS + "mixed"))) >= 5
    assert list(unfolded.iter(RNG_NS + "mixed")) == []
    # The shipped tree itself is left as it was.
    assert len(list(shipped.iter(RNG_NS + "mixed"))) >= 5


def test_a_mixed_around_a_sequence_is_left_as_it_is() -> None:
    """Text between the two elements of a sequence is allowed by mixed only: no unfolding."""
    grammar = etree.fromstring(
        b'<grammar xmlns="http://relaxng.org/ns/structure/1.0">'
        b'<start><element name="r"><mixed><zeroOrMore><ref name="pair"/></zeroOrMore></mixed>'
        b"</element></start>"
        b'<define name="pair"><element name="a"><empty/></element>'
        b'<element name="b"><empty/></element></define>'
        b"</grammar>"
    )
    unfolded = tei_schemas._unfold_mixed(grammar)
    assert len(list(unfolded.iter(RNG_NS + "mixed"))) == 1
    doc = etree.fromstring(b"<r>x<a/>between<b/>y</r>")
    assert etree.RelaxNG(unfolded).validate(doc)
    assert etree.RelaxNG(grammar).validate(doc)


def _mutated_verdicts(
    tree: etree._ElementTree, checks: tei_schemas.Checks, verdicts: dict[bool, int]
) -> list[str]:
    """Each element under <text> in turn renamed, or given characters before its first child
    or after itself: where the two grammars judge the changed document differently."""
    text = tree.getroot().find("{http://www.tei-c.org/ns/1.0}text")
    assert text is not None
    differ: list[str] = []

    def judge(what: str) -> None:
        shipped, fast = checks.rng.validate(tree), checks.rng_fast.validate(tree)
        verdicts[shipped] += 1
        if shipped != fast:
            differ.append(f"{what}: shipped grammar {shipped}, unfolded {fast}")

    for el in list(text.iter("{*}*"))[1:]:
        tag, first, tail = el.tag, el.text, el.tail
        for name in RENAMES:
            el.tag = "{http://www.tei-c.org/ns/1.0}" + name
            judge(f"line {el.sourceline}: <{etree.QName(tag).localname}> renamed <{name}>")
        el.tag = tag
        el.text = "X" + (first or "")
        judge(f"line {el.sourceline}: characters at the start of <{etree.QName(tag).localname}>")
        el.text, el.tail = first, (tail or "") + "X"
        judge(f"line {el.sourceline}: characters after <{etree.QName(tag).localname}>")
        el.tail = tail
    return differ


@pytest.mark.corpus
def test_the_unfolded_grammar_gives_the_shipped_verdict(
    corpus_docs: list[tuple[str, bytes]],
) -> None:
    checks = tei_schemas.checks()
    verdicts = {True: 0, False: 0}
    differ: list[str] = []
    for name, data in [*corpus_docs, *_fixtures()]:
        tree = _tree(data)
        if tree is None:
            continue
        shipped, fast = checks.rng.validate(tree), checks.rng_fast.validate(tree)
        verdicts[shipped] += 1
        if shipped != fast:
            differ.append(f"{name}: shipped grammar {shipped}, unfolded {fast}")
    for name, data in corpus_docs[::MUTATE_EVERY]:
        tree = _tree(data)
        assert tree is not None
        differ.extend(f"{name} {d}" for d in _mutated_verdicts(tree, checks, verdicts))
    assert not differ, f"{len(differ)} documents judged differently:\n" + "\n".join(differ[:20])
    # Both verdicts were exercised, many times.
    assert verdicts[True] > len(corpus_docs) and verdicts[False] > 1000, verdicts


def test_values_are_compared_as_written_in_the_fast_grammar_only() -> None:
    shipped = etree.parse(str(SCHEMAS / "cable-tei.rng")).getroot()
    fast = tei_schemas._values_as_written(shipped)
    exact = [v for v in fast.iter(RNG_NS + "value") if v.get("type") == "string"]
    assert len(exact) > 100
    assert all(v.get("datatypeLibrary") == "" for v in exact)
    # Only attributes of any string become text; the shipped tree is left as it was.
    texts = [t.getparent().tag for t in fast.iter(RNG_NS + "text")]
    assert texts.count(RNG_NS + "attribute") >= 2
    assert not any(v.get("type") for v in shipped.iter(RNG_NS + "value"))


def _value_mutations(data: bytes) -> list[tuple[str, bytes]]:
    """Each attribute of the document in turn with spaces around its value, inside it, or
    with another value the grammar lists for some attribute."""
    root = etree.fromstring(data, tei_schemas.parser())
    out = []
    for i, el in enumerate(root.iter("{*}*")):
        for name, value in el.attrib.items():
            for changed in (f" {value}", f"{value}  ", value.replace("-", " - "), "page-break"):
                if changed == value:
                    continue
                el.set(name, changed)
                out.append((f"element {i} @{name}={changed!r}", etree.tostring(root)))
            el.set(name, value)
    return out


@pytest.mark.corpus
def test_the_fast_grammar_accepts_nothing_the_shipped_one_refuses(
    corpus_docs: list[tuple[str, bytes]],
) -> None:
    """Values with other spaces than the grammar's are refused by the fast grammar alone:
    the shipped grammar then decides, and check() reports what it says."""
    checks = tei_schemas.checks()
    wrong: list[str] = []
    counts = {"both accept": 0, "both refuse": 0, "left to the shipped grammar": 0}
    for doc_name, data in [
        *corpus_docs[:: MUTATE_EVERY * 2],
        ("valid-base", (DATA / "valid-base.xml").read_bytes()),
    ]:
        for what, changed in _value_mutations(data):
            tree = _tree(changed)
            if tree is None:  # refused by the parse (an xml:id that is no name, say)
                continue
            shipped, fast = checks.rng.validate(tree), checks.rng_fast.validate(tree)
            if fast and not shipped:
                wrong.append(f"{doc_name} {what}: accepted by the fast grammar only")
            elif shipped and not fast:
                counts["left to the shipped grammar"] += 1
                codes = {d.code for d in tei_schemas.check(tree, None)}
                if any(c.startswith("TEI-RNG") for c in codes):
                    wrong.append(f"{doc_name} {what}: reported {codes}")
            else:
                counts["both accept" if shipped else "both refuse"] += 1
    assert not wrong, f"{len(wrong)} cases:\n" + "\n".join(wrong[:20])
    assert all(n > 50 for n in counts.values()), counts


# --- Schematron: one walk over the elements ----------------------------------------------------


def _entries(report: Any) -> list[tuple[str | None, ...]]:
    root = report.getroot()
    return [
        (
            el.tag,
            el.get("id"),
            el.get("role"),
            el.get("location"),
            " ".join("".join(el.itertext()).split()),
        )
        for el in root.iterchildren(SVRL + "failed-assert", SVRL + "successful-report")
    ]


def _pointer_mutations(data: bytes, count: int, seed: int) -> list[tuple[str, bytes]]:
    """The document with one pointer, role or value changed at random, count times: cases
    for every rule, failing and passing."""
    rnd = random.Random(seed)
    changes: list[tuple[str, list[str]]] = [
        ("ana", ["#nowhere", "#cls-SECRET", "#addr-1", "#prec-ROUTINE", "#hdl-SIPDIS"]),
        ("corresp", ["#addr-1", "#addr-2", "#nowhere", "#addr-1-line", "#cls-SECRET"]),
        ("subtype", ["to", "info", "repeat"]),
        ("when", ["2008-02-14T12:00:00+00:00", "1999-01-01T00:00:00+00:00"]),
        ("n", ["1", "3", "SECSTATE WASHDC", "PREL"]),
        ("text", ["PREL", "X", "SECSTATE WASHDC", ""]),
        ("drop", ["ana", "corresp", "n", "when"]),
    ]
    out = []
    for i in range(count):
        root = etree.fromstring(data, tei_schemas.parser())
        el = rnd.choice([e for e in root.iter() if isinstance(e.tag, str)])
        what, values = rnd.choice(changes)
        value = rnd.choice(values)
        if what == "text":
            el.text = value
        elif what == "drop":
            el.attrib.pop(value, None)
        else:
            el.set(what, value)
        out.append((f"change {i}: {what} {value!r} on line {el.sourceline}", etree.tostring(root)))
    return out


@pytest.mark.corpus
def test_the_schematron_reports_what_lxml_isoschematron_reports(
    corpus_docs: list[tuple[str, bytes]],
) -> None:
    isoschematron: Any = importlib.import_module("lxml.isoschematron")
    stock = isoschematron.Schematron(
        etree.parse(str(SCHEMAS / "cable-tei.sch")), store_report=True, validate_schema=False
    )
    ours = tei_schemas.checks().sch
    differ: list[str] = []
    reported = 0
    cases = [*corpus_docs, *_fixtures()]
    for i, (name, data) in enumerate(corpus_docs[::MUTATE_EVERY]):
        cases.extend((f"{name} {what}", m) for what, m in _pointer_mutations(data, 40, i))
    for name, data in cases:
        tree = _tree(data)
        if tree is None:
            continue
        stock.validate(tree)
        expected = _entries(stock.validation_report)
        reported += bool(expected)
        found = _entries(ours(tree))
        if found != expected:
            differ.append(f"{name}: {found} instead of {expected}")
    assert not differ, f"{len(differ)} reports differ:\n" + "\n".join(differ[:10])
    assert reported > 200  # warnings in the corpus, errors in the fixtures and the changes


def test_the_schematron_walk_is_flat() -> None:
    """No template applies templates to the children of its node any more: one pass."""
    xslt = tei_schemas.checks().sch
    assert xslt is not None
    isoschematron: Any = importlib.import_module("lxml.isoschematron")
    sch_doc = etree.parse(str(SCHEMAS / "cable-tei.sch")).getroot()
    compiled = isoschematron.iso_svrl_for_xslt1(
        isoschematron.iso_abstract_expand(isoschematron.iso_dsdl_include(sch_doc)),
        **{"generate-fired-rule": etree.XSLT.strparam("false")},
    )
    walked = tei_schemas._walk_elements_once(compiled).getroot()
    xsl = "{http://www.w3.org/1999/XSL/Transform}"
    selects = [a.get("select") for a in walked.iter(xsl + "apply-templates") if a.get("mode")]
    walks = [s for s in selects if s in ("*", "//*", "/", tei_schemas._ALL_NODES)]
    assert walks == ["//*"]
    # Rules of several assertions try them together first.
    guards = [g for g in walked.iter(xsl + "if") if (g.get("test") or "").startswith("not((")]
    assert len(guards) >= 4


def test_a_rule_on_attributes_is_refused() -> None:
    isoschematron: Any = importlib.import_module("lxml.isoschematron")
    sch = (
        (SCHEMAS / "cable-tei.sch")
        .read_bytes()
        .replace(b'<rule context="tei:g">', b'<rule context="tei:g/@ref">')
    )
    compiled = isoschematron.iso_svrl_for_xslt1(
        isoschematron.iso_abstract_expand(isoschematron.iso_dsdl_include(etree.fromstring(sch)))
    )
    with pytest.raises(ValueError, match="not an element"):
        tei_schemas._walk_elements_once(compiled)


# --- the writer returns the very bytes it checked -----------------------------------------------


def test_the_bytes_written_are_the_bytes_checked(
    seed_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dumps parses its document once, checks that tree, and returns those same bytes: no
    second serialization that could differ from what was validated."""
    parsed: list[bytes | str] = []
    checked: list[etree._ElementTree] = []
    trees: list[etree._ElementTree] = []
    real_parse, real_check = tei_schemas.parse, tei_schemas.check

    def parse(data: bytes | str, source: str | None) -> etree._ElementTree:
        parsed.append(data)
        trees.append(real_parse(data, source))
        return trees[-1]

    def check(tree: etree._ElementTree, source: str | None) -> list[Any]:
        checked.append(tree)
        return real_check(tree, source)

    monkeypatch.setattr(tei_schemas, "parse", parse)
    monkeypatch.setattr(tei_schemas, "check", check)
    data = tei.dumps(cablekit.loads(seed_bytes, "text"))
    assert len(parsed) == 1 and parsed[0] is data
    assert len(checked) == 1 and checked[0] is trees[0]
    # And what was checked is what a reader of those bytes gets.
    assert etree.tostring(trees[0]) == etree.tostring(tei_schemas.parse(data, None))


def test_validate_with_rules_parses_and_checks_a_document_once(
    seed_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rules need the cable the checks build: one parse and one RELAX NG + Schematron
    run, whose elements also place what the rules find."""
    import cablekit
    from cablekit import tei_schemas
    from cablekit.validation import validate_bytes

    data = cablekit.dumps(cablekit.loads(seed_bytes, "text"), "tei")
    calls: list[str] = []
    real_parse, real_check = tei_schemas.parse, tei_schemas.check

    def parse(d: bytes | str, source: str | None) -> object:
        calls.append("parse")
        return real_parse(d, source)

    def check(tree: object, source: str | None) -> object:
        calls.append("check")
        return real_check(tree, source)  # type: ignore[arg-type]

    monkeypatch.setattr(tei_schemas, "parse", parse)
    monkeypatch.setattr(tei_schemas, "check", check)
    assert validate_bytes(data, "tei", "seed.xml", select=["C101"]) == []
    assert calls == ["parse", "check"]
    calls.clear()
    found = validate_bytes(data, "tei", "seed.xml")
    assert [d.code for d in found] == ["T101"]  # the seed's one finding, from the rules
    assert found[0].line is not None and found[0].pointer is not None  # placed, no new parse
    assert calls == ["parse", "check"]
