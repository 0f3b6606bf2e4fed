"""The TEI profile's checks: hardened XML parsing, the bundled RELAX NG and ISO Schematron.

Both schemas are compiled once per process (on first use) and turned into Diagnostics with
stable codes, line numbers and an XPath to the offending node. What runs is derived from the
shipped files at load time, in forms that give the same verdicts faster (see _unfold_mixed
and _walk_elements_once); the shipped files stay the plain source.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from cablekit.errors import CablekitError, Diagnostic

if TYPE_CHECKING:
    from lxml import etree

TEI_NS = "http://www.tei-c.org/ns/1.0"
SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
RNG_FILE = "cable-tei.rng"
SCH_FILE = "cable-tei.sch"

# libxml2's RELAX NG error types, grouped into the codes users see, most specific first.
_RNG_CODES = {
    "RELAXNG_ERR_DATATYPE": "TEI-RNG-VALUE",
    "RELAXNG_ERR_VALUE": "TEI-RNG-VALUE",
    "RELAXNG_ERR_LIST": "TEI-RNG-VALUE",
    "RELAXNG_ERR_DATAELEM": "TEI-RNG-VALUE",
    "RELAXNG_ERR_VALELEM": "TEI-RNG-VALUE",
    "RELAXNG_ERR_LISTELEM": "TEI-RNG-VALUE",
    "RELAXNG_ERR_INVALIDATTR": "TEI-RNG-ATTRIBUTE",
    "RELAXNG_ERR_NOATTR": "TEI-RNG-ATTRIBUTE",
    "RELAXNG_ERR_ATTRNAME": "TEI-RNG-ATTRIBUTE",
    "RELAXNG_ERR_ATTRNONS": "TEI-RNG-ATTRIBUTE",
    "RELAXNG_ERR_ATTRWRONGNS": "TEI-RNG-ATTRIBUTE",
    "RELAXNG_ERR_ATTREXTRANS": "TEI-RNG-ATTRIBUTE",
    "RELAXNG_ERR_ELEMNAME": "TEI-RNG-ELEMENT",
    "RELAXNG_ERR_ELEMWRONG": "TEI-RNG-ELEMENT",
    "RELAXNG_ERR_ELEMWRONGNS": "TEI-RNG-ELEMENT",
    "RELAXNG_ERR_ELEMNONS": "TEI-RNG-ELEMENT",
    "RELAXNG_ERR_ELEMEXTRANS": "TEI-RNG-ELEMENT",
    "RELAXNG_ERR_NOTELEM": "TEI-RNG-ELEMENT",
    "RELAXNG_ERR_NOELEM": "TEI-RNG-MISSING",
    "RELAXNG_ERR_ELEMNOTEMPTY": "TEI-RNG-CONTENT",
    "RELAXNG_ERR_TEXTWRONG": "TEI-RNG-CONTENT",
    "RELAXNG_ERR_NOGRAMMAR": "TEI-RNG-CONTENT",
    "RELAXNG_ERR_ATTRVALID": "TEI-RNG-ATTRIBUTE",
    "RELAXNG_ERR_EXTRACONTENT": "TEI-RNG-ELEMENT",
}
_RNG_RANK = {t: i for i, t in enumerate(_RNG_CODES)}
# Consequences libxml2 reports after the real error; shown only when nothing else is.
_RNG_FOLLOW_UPS = {"RELAXNG_ERR_EXTRACONTENT", "RELAXNG_ERR_ATTRVALID"}
_RNG_SKIP = {"RELAXNG_ERR_INTERSEQ", "RELAXNG_ERR_CONTENTVALID"}
# A text-only pattern tried last in a choice: "expecting g" says nothing about the defect.
_RNG_NOISE = re.compile(r"^Expecting an element g, got nothing")
_INVALID_ATTR = re.compile(r"^Invalid attribute (\S+) for element (\S+)")


@dataclass(frozen=True, slots=True)
class Checks:
    """The compiled schemas: RELAX NG validators and the Schematron's XSLT."""

    rng: etree.RelaxNG  # the shipped grammar: its verdict and its report are the ones users see
    # A grammar that accepts no document the shipped one refuses, and every document the
    # writer writes, checked faster (_unfold_mixed, _values_as_written): tried first.
    rng_fast: etree.RelaxNG
    sch: etree.XSLT
    attributes: dict[str, frozenset[str]]  # element name -> attributes the grammar declares
    # lxml keeps a validator's report on the validator: one document at a time reads the
    # shipped grammar's, so that threads refused together never get each other's findings.
    rng_report_lock: threading.Lock = field(default_factory=threading.Lock)


def _schema_bytes(name: str) -> bytes:
    return resources.files("cablekit.schemas").joinpath(name).read_bytes()


def parser(*, text_input: bool = False) -> etree.XMLParser:
    """A parser that never expands entities, loads a DTD, touches the network or lifts limits."""
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
        remove_comments=False,
        collect_ids=True,
        encoding="utf-8" if text_input else None,
    )


@cache
def checks() -> Checks:
    """Compile the bundled profile schemas (once per process)."""
    import importlib

    from lxml import etree

    # lxml ships no type stubs for isoschematron.
    isoschematron: Any = importlib.import_module("lxml.isoschematron")
    p = parser()
    rng_doc = etree.fromstring(_schema_bytes(RNG_FILE), p)
    rng = etree.RelaxNG(rng_doc)
    rng_fast = etree.RelaxNG(_values_as_written(_unfold_mixed(rng_doc)))
    sch_doc = etree.fromstring(_schema_bytes(SCH_FILE), p)
    # The same pipeline as lxml.isoschematron.Schematron, kept as a plain XSLT so that every
    # call returns its own report (the Schematron object stores the last report on itself).
    expanded = isoschematron.iso_abstract_expand(isoschematron.iso_dsdl_include(sch_doc))
    compiled = isoschematron.iso_svrl_for_xslt1(
        expanded, **{"generate-fired-rule": etree.XSLT.strparam("false")}
    )
    # The rules read nothing but the document: no file, no network, no writing.
    deny_all = etree.XSLTAccessControl.DENY_ALL  # type: ignore[attr-defined]  # not in the stubs
    sch = etree.XSLT(_walk_elements_once(compiled), access_control=deny_all)
    return Checks(rng=rng, rng_fast=rng_fast, sch=sch, attributes=_declared_attributes(rng_doc))


_RNG = "{http://relaxng.org/ns/structure/1.0}"


def _unfold_mixed(grammar: etree._Element) -> etree._Element:
    """The grammar with <mixed><zeroOrMore>P</zeroOrMore></mixed> written as
    <zeroOrMore><choice><text/>P</choice></zeroOrMore> wherever P is one element or a choice
    of single elements.

    Both say "any sequence of text and of P" (mixed is an interleave with text, and text
    between two P is allowed by both because each P is one element); libxml2 checks the
    second form without its interleave matching, about a third faster. A mixed of any other
    shape, or a grammar that includes others, is left as it is.
    """
    import copy

    from lxml import etree

    out = copy.deepcopy(grammar)
    if any(
        el.tag in (_RNG + "include", _RNG + "externalRef", _RNG + "parentRef")
        or (el.tag == _RNG + "grammar" and el is not out)
        for el in out.iter()
    ):
        return out
    defines: dict[str, list[etree._Element]] = {}
    for d in out.iter(_RNG + "define"):
        defines.setdefault(d.get("name") or "", []).append(d)
    for mixed in list(out.iter(_RNG + "mixed")):
        alternatives = _repeated_elements(mixed, defines)
        parent = mixed.getparent()
        if alternatives is None or parent is None:
            continue
        repeat = etree.Element(_RNG + "zeroOrMore")
        choice = etree.SubElement(repeat, _RNG + "choice")
        etree.SubElement(choice, _RNG + "text")
        choice.extend(alternatives)
        repeat.tail = mixed.tail
        parent.replace(mixed, repeat)
    return out


def _values_as_written(grammar: etree._Element) -> etree._Element:
    """The grammar with each <value> compared as written, and each attribute of any string
    taken as text, in a copy.

    A <value> without a type is a token: libxml2 compares it with the attribute's value as
    it is, and when they differ (for every other value of a choice, so for most) collapses
    the spaces of both, in two new strings, and compares again. Compared as written (the
    built-in string type), a value the grammar lists is accepted as the writer writes it,
    and one with other spaces is refused here and left to the shipped grammar, which decides:
    never accepted where the shipped grammar refuses. An attribute whose value is an XML
    Schema string without facets is any text, which <text/> says without the datatype call.
    Together about a tenth of the grammar's time.
    """
    import copy

    from lxml import etree

    out = copy.deepcopy(grammar)
    for value in out.iter(_RNG + "value"):
        text = value.text or ""
        if value.get("type") is None and " ".join(text.split()) == text:
            value.set("type", "string")
            value.set("datatypeLibrary", "")  # the built-in library: string is exact
    for data in list(out.iter(_RNG + "data")):
        parent = data.getparent()
        if (
            data.get("type") == "string"
            and len(data) == 0
            and parent is not None
            and parent.tag == _RNG + "attribute"
            and _datatype_library(data) == _XSD_DATATYPES
        ):
            any_text = etree.Element(_RNG + "text")
            any_text.tail = data.tail
            parent.replace(data, any_text)
    return out


_XSD_DATATYPES = "http://www.w3.org/2001/XMLSchema-datatypes"


def _datatype_library(el: etree._Element) -> str:
    """The datatypeLibrary in scope at an element of a grammar."""
    node: etree._Element | None = el
    while node is not None:
        library = node.get("datatypeLibrary")
        if library is not None:
            return library
        node = node.getparent()
    return ""


def _rng_children(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str) and c.tag.startswith(_RNG)]


def _repeated_elements(
    mixed: etree._Element, defines: dict[str, list[etree._Element]]
) -> list[etree._Element] | None:
    """The alternatives P of <mixed><zeroOrMore>P</zeroOrMore></mixed>, each one element;
    None for any other shape (or an attribute such as ns that the new parents would drop)."""
    kids = _rng_children(mixed)
    if len(mixed) != 1 or len(kids) != 1 or kids[0].tag != _RNG + "zeroOrMore":
        return None
    repeat = kids[0]
    inner = _rng_children(repeat)
    if len(repeat) != 1 or len(inner) != 1:
        return None
    if inner[0].tag == _RNG + "choice":
        if len(inner[0]) != len(_rng_children(inner[0])):
            return None
        alternatives = _rng_children(inner[0])
    else:
        alternatives = inner
    if any(len(el.attrib) for el in (mixed, repeat, *inner) if el not in alternatives):
        return None
    if not alternatives or not all(_one_element(a, defines, set()) for a in alternatives):
        return None
    return alternatives


def _one_element(
    pattern: etree._Element, defines: dict[str, list[etree._Element]], seen: set[str]
) -> bool:
    """Whether a pattern always matches exactly one element."""
    tag = pattern.tag
    if tag == _RNG + "element":
        return True
    if tag == _RNG + "choice":
        options = _rng_children(pattern)
        return bool(options) and all(_one_element(o, defines, seen) for o in options)
    if tag == _RNG + "ref":
        name = pattern.get("name") or ""
        found = defines.get(name, [])
        if name in seen or len(found) != 1 or found[0].get("combine") is not None:
            return False
        body = _rng_children(found[0])
        return len(body) == 1 and _one_element(body[0], defines, seen | {name})
    return False


def _declared_attributes(grammar: etree._Element) -> dict[str, frozenset[str]]:
    """For each element name, the attribute names some pattern of the grammar allows on it."""
    defines = {d.get("name"): d for d in grammar.iter(_RNG + "define")}
    out: dict[str, set[str]] = {}

    def collect(node: etree._Element, into: set[str], seen: set[str]) -> None:
        for child in node:
            tag = child.tag
            if tag == _RNG + "element":
                continue  # its own attributes belong to it
            if tag == _RNG + "attribute":
                into.add(child.get("name") or "")
            elif tag == _RNG + "ref":
                name = child.get("name") or ""
                if name not in seen and name in defines:
                    seen.add(name)
                    collect(defines[name], into, seen)
            else:
                collect(child, into, seen)

    for el in grammar.iter(_RNG + "element"):
        collect(el, out.setdefault(el.get("name") or "", set()), set())
    return {k: frozenset(v) for k, v in out.items()}


_XSL = "{http://www.w3.org/1999/XSL/Transform}"
_ALL_NODES = "@*|*|comment()|processing-instruction()"


def _walk_elements_once(compiled: etree._XSLTResultTree) -> etree._ElementTree:
    """The compiled Schematron visiting each element once, in document order, and nothing else.

    The ISO skeleton offers every node to the rules by recursion from the root: each template
    ends by applying templates to all the children of its node, attributes, comments and
    processing instructions included. Every rule context of this profile is an element (a
    rule on anything else would be a change of the profile: refused here), so the same
    templates are applied to //* instead, in document order as the recursion does, and the
    recursive calls go. The skeleton's second walk of the whole document in the default mode,
    where no template writes anything, goes too; and a rule's assertions are tried together
    before one by one (_guard_assertions). The report is the same, node for node
    (tests/test_tei_checks.py compares it with lxml.isoschematron's).
    """
    from lxml import etree

    root = compiled.getroot()
    if root is None:
        raise ValueError("the Schematron did not compile")
    templates = list(root.iterfind(_XSL + "template"))
    # Each pattern is a mode, started from the root by the root template.
    modes = {
        a.get("mode") or ""
        for a in root.iter(_XSL + "apply-templates")
        if a.get("select") == "/" and a.get("mode")
    }
    for tpl in templates:
        match = tpl.get("match") or ""
        if tpl.get("mode") not in modes or match in ("text()", "@*|node()"):
            continue
        for branch in match.split("|"):
            step = branch.split("[")[0].strip()
            if "@" in step or "()" in step or step == "/" or "::" in step:
                raise ValueError(f"Schematron rule context {match!r} is not an element")
    for mode in modes:
        _flatten_mode(root, templates, mode)
        for tpl in templates:
            if tpl.get("mode") == mode:
                _guard_assertions(tpl)
    _drop_default_walk(root, templates)
    _report_findings_only(templates)
    return etree.ElementTree(root)


def _flatten_mode(root: etree._Element, templates: list[etree._Element], mode: str) -> None:
    """Apply the templates of a pattern's mode to //* once instead of recursively."""
    own = [t for t in templates if t.get("mode") == mode]
    tails: list[etree._Element] = []
    for tpl in own:
        applies = [a for a in tpl.iter(_XSL + "apply-templates") if a.get("mode") == mode]
        if (tpl.get("match") or "") == "text()" and len(tpl) == 0:
            continue
        if len(applies) != 1 or applies[0] is not tpl[-1]:
            raise ValueError(f"unexpected Schematron skeleton template for {tpl.get('match')!r}")
        if applies[0].get("select") not in (_ALL_NODES, "*"):
            raise ValueError(f"unexpected Schematron skeleton walk {applies[0].get('select')!r}")
        tails.append(applies[0])
    starts = [
        a
        for a in root.iter(_XSL + "apply-templates")
        if a.get("mode") == mode and a.get("select") == "/"
    ]
    if len(starts) != 1:
        raise ValueError(f"the Schematron pattern of mode {mode!r} does not start at the root")
    for apply in tails:
        parent = apply.getparent()
        if parent is not None:
            parent.remove(apply)
    starts[0].set("select", "//*")


def _guard_assertions(tpl: etree._Element) -> None:
    """Test a rule's assertions together first, and one by one only when one fails.

    Each assertion compiles to <choose><when test="T"/><otherwise>report</otherwise>
    </choose>; a rule whose instructions (after its variables) are only such assertions gets
    them wrapped in <if test="not((T1) and (T2) ...)">: the same tests on the same node with
    the same variables, so the same output, and one evaluation for a node that passes all.
    """
    from lxml import etree

    body = [c for c in tpl if isinstance(c.tag, str) and c.tag != _XSL + "variable"]
    if len(body) < 2 or not all(_is_assertion(c) for c in body):
        return
    if any(c.tag == _XSL + "variable" for c in body[0].itersiblings()):
        return  # a variable after the first assertion: keep the order as it is
    tests = [c[0].get("test") or "" for c in body]
    guard = etree.Element(_XSL + "if")
    guard.set("test", "not(" + " and ".join(f"({t})" for t in tests) + ")")
    body[0].addprevious(guard)
    for c in body:
        guard.append(c)


def _is_assertion(el: etree._Element) -> bool:
    kids = [c for c in el if isinstance(c.tag, str)]
    return (
        el.tag == _XSL + "choose"
        and len(kids) == 2
        and kids[0].tag == _XSL + "when"
        and bool(kids[0].get("test"))
        and len(kids[0]) == 0
        and not (kids[0].text or "").strip()
        and kids[1].tag == _XSL + "otherwise"
    )


def _drop_default_walk(root: etree._Element, templates: list[etree._Element]) -> None:
    """Remove the skeleton's walk of the document in the default mode, which writes nothing
    when the only default-mode templates are the root's and an empty one for text."""
    defaults = [t for t in templates if t.get("mode") is None]
    for tpl in defaults:
        match = tpl.get("match") or ""
        if match == "text()" and len(tpl) == 0:
            continue
        if match != "/":
            return
    for apply in list(root.iter(_XSL + "apply-templates")):
        parent = apply.getparent()
        if apply.get("select") is None and apply.get("mode") is None and parent is not None:
            parent.remove(apply)


def _report_findings_only(templates: list[etree._Element]) -> None:
    """Write the report's root element bare: without the comment, the namespace prefixes and
    the pattern names the skeleton puts first. Nothing reads them (only the failed asserts
    and successful reports become diagnostics), and a document that passes then gets a
    report with no child at all, which the caller tells at a glance."""
    for tpl in templates:
        if tpl.get("match") != "/" or tpl.get("mode") is not None:
            continue
        for out in tpl:
            if not isinstance(out.tag, str) or out.tag.startswith(_XSL):
                continue
            for child in list(out):
                if child.tag != _XSL + "apply-templates":
                    out.remove(child)
            out.attrib.clear()


_PROLOG_ITEM = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)


def _doctype_offset(raw: bytes) -> int | None:
    """Where a DOCTYPE starts in the prolog (after the declaration, comments and PIs)."""
    pos = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    while True:
        m = _PROLOG_ITEM.match(raw, pos)
        if m is None or m.end() == pos:
            break
        pos = m.end()
    return pos if raw.startswith(b"<!DOCTYPE", pos) else None


def parse(data: bytes | str, source: str | None) -> etree._ElementTree:
    """Parse a document safely; a DOCTYPE (and so any entity declaration) is refused."""
    from lxml import etree

    if isinstance(data, str):
        raw = data.encode("utf-8")
        text_input = True
    else:
        raw = data
        text_input = False
    if not raw or raw.isspace():  # nothing but blanks (without copying the document)
        raise CablekitError("empty input: no XML document", source, 1, 1, code="TEI-XML-EMPTY")
    at = _doctype_offset(raw)
    if at is not None:
        line = raw.count(b"\n", 0, at) + 1
        raise CablekitError(
            "document type declarations are not allowed (no DTD, no entity declarations)",
            source,
            line,
            at - (raw.rfind(b"\n", 0, at) + 1) + 1,
            code="TEI-XML-DTD",
        )
    try:
        tree = etree.ElementTree(etree.fromstring(raw, parser(text_input=text_input)))
    except etree.XMLSyntaxError as e:
        line, col = e.position if e.position else (e.lineno, None)
        msg = e.msg or "syntax error"
        duplicate_id = "already defined" in msg and "ID" in msg
        raise CablekitError(
            f"duplicate xml:id: {msg}" if duplicate_id else f"not well-formed XML: {msg}",
            source,
            line or None,
            col or None,
            code="TEI-XML-ID" if duplicate_id else "TEI-XML-SYNTAX",
        ) from None
    info = tree.docinfo
    if getattr(info, "doctype", "") or info.internalDTD is not None or info.externalDTD is not None:
        # A DOCTYPE the prolog scan missed (a document in another encoding, say).
        raise CablekitError(
            "document type declarations are not allowed (no DTD, no entity declarations)",
            source,
            1,
            1,
            code="TEI-XML-DTD",
        )
    return tree


def line_of(node: etree._Element) -> int | None:
    line = node.sourceline
    return line if isinstance(line, int) else None


def xpath_of(node: etree._Element) -> str:
    """A readable XPath to an element: /tei:TEI/tei:text/tei:body/tei:div[1]/tei:p[3]."""
    steps: list[str] = []
    el: etree._Element | None = node
    while el is not None:
        tag = el.tag
        if not isinstance(tag, str):
            steps.append("node()")
            el = el.getparent()
            continue
        if tag.startswith("{"):
            ns, local = tag[1:].split("}", 1)
            name = f"tei:{local}" if ns == TEI_NS else f"*[local-name()='{local}']"
        else:
            name = tag
        parent = el.getparent()
        if parent is not None:
            same = [c for c in parent if c.tag == tag]
            if len(same) > 1:
                name += f"[{same.index(el) + 1}]"
        steps.append(name)
        el = parent
    return "/" + "/".join(reversed(steps))


def _rng_diagnostics(
    log: etree._ListErrorLog, tree: etree._ElementTree, source: str | None, c: Checks
) -> list[Diagnostic]:
    entries = [e for e in log if e.type_name not in _RNG_SKIP and not _RNG_NOISE.match(e.message)]
    if any(e.type_name not in _RNG_FOLLOW_UPS for e in entries):
        entries = [e for e in entries if e.type_name not in _RNG_FOLLOW_UPS]
    entries.sort(key=lambda e: _RNG_RANK.get(e.type_name, len(_RNG_RANK)))
    out: list[Diagnostic] = []
    seen: set[tuple[int, str]] = set()
    for entry in entries:
        if (entry.line, entry.message) in seen:
            continue
        seen.add((entry.line, entry.message))
        code = _RNG_CODES.get(entry.type_name, "TEI-RNG")
        target = _element_at(tree, entry.path) if entry.path else None
        message = entry.message
        m = _INVALID_ATTR.match(message)
        if m is not None:
            attr, element = m[1], m[2]
            if attr in c.attributes.get(element, frozenset()):
                code = "TEI-RNG-VALUE"
                value = target.get(attr) if target is not None else None
                message = f"@{attr}={value!r} is not a valid value on <{element}>"
            else:
                message = f"<{element}> has no attribute @{attr} in this profile"
        out.append(
            Diagnostic(
                code=code,
                severity="error",
                message=f"not valid against the profile's RELAX NG: {message}",
                path=source,
                line=entry.line or None,
                col=None,
                pointer=xpath_of(target) if target is not None else (entry.path or None),
            )
        )
    if not out:
        out.append(
            Diagnostic("TEI-RNG", "error", "not valid against the profile's RELAX NG", source, 1)
        )
    return out


def _element_at(tree: etree._ElementTree, path: str) -> etree._Element | None:
    """The element an XPath from a report names (an attribute's owner element)."""
    from lxml import etree

    try:
        found = tree.xpath(path)
    except etree.XPathError:  # a location we cannot evaluate is shown as given
        return None
    if not isinstance(found, list) or not found:
        return None
    first = found[0]
    if isinstance(first, etree._Element):
        return first
    owner = getattr(first, "getparent", None)
    parent = owner() if owner is not None else None
    return parent if isinstance(parent, etree._Element) else None


def _sch_diagnostics(
    report: etree._XSLTResultTree, tree: etree._ElementTree, source: str | None
) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    root = report.getroot()
    if root is None or len(root) == 0:  # no finding: the usual case
        return out
    for node in root.iterchildren(f"{{{SVRL_NS}}}failed-assert", f"{{{SVRL_NS}}}successful-report"):
        location = node.get("location") or ""
        target = _element_at(tree, location) if location else None
        message = " ".join("".join(str(t) for t in node.itertext()).split())
        role = node.get("role") or "error"
        out.append(
            Diagnostic(
                code=node.get("id") or "TEI-SCH",
                severity="warning" if role == "warning" else "error",
                message=message,
                path=source,
                line=line_of(target) if target is not None else None,
                col=None,
                pointer=xpath_of(target) if target is not None else (location or None),
            )
        )
    return out


def check(tree: etree._ElementTree, source: str | None) -> list[Diagnostic]:
    """RELAX NG first; the Schematron runs only on a document the grammar accepts."""
    c = checks()
    # The unfolded grammar answers for nearly every document; one it refuses goes through the
    # shipped grammar, whose verdict and report decide.
    if not c.rng_fast.validate(tree):
        with c.rng_report_lock:
            # error_log is a copy of this call's report, taken before another call's
            log = None if c.rng.validate(tree) else c.rng.error_log
        if log is not None:
            return _rng_diagnostics(log, tree, source, c)
    report = c.sch(tree)
    return _sch_diagnostics(report, tree, source)
