"""TEI P5 XML: one document per cable; owns the mapping between the model and the TEI profile.

The telegram (and the seed form's metadata block) stands verbatim in the text nodes under
`<text>`; every part is an element around its own characters, and normalized values live only
in attributes or the `teiHeader`. The profile is `schemas/cable-tei.rng` + `cable-tei.sch`.
"""

from __future__ import annotations

import dataclasses
import operator
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, Union

from cablekit import __version__, encodings
from cablekit.derive import derive
from cablekit.errors import CablekitError, Diagnostic
from cablekit.model import (
    PART_TYPES,
    Addressee,
    Banner,
    Cable,
    CableView,
    PageBreak,
    PageMetadata,
    Paragraph,
    Part,
)

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["PART_SPECS", "dumps", "loads", "validate"]

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_T = "{" + TEI_NS + "}"
_XML_ID = "{" + XML_NS + "}id"

# --- characters XML 1.0 cannot hold ------------------------------------------------------------
# Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. The others
# stand in <text> as <g ref="#ctrl-XX"/> declared in the header's charDecl.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _char_id(c: str) -> str:
    cp = ord(c)
    return f"ctrl-{cp:02X}" if cp < 0x20 else f"char-{cp:04X}"


# Any character text content cannot hold as it is.
_TEXT_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The same test for ASCII text, several times faster than the pattern: translating its bytes
# through this table, which changes exactly the ASCII bytes text cannot hold as they are,
# gives them back unchanged. (A table without deletions: bytes.translate then builds no
# table of its own, a third of the time of a short line.)
_TEXT_MOVE_SPECIAL = bytes(
    c ^ 0x80 if c < 128 and _TEXT_SPECIAL.match(chr(c)) is not None else c for c in range(256)
)


def _plain_text(s: str) -> bool:
    """Whether text content holds s as it is (no character _TEXT_SPECIAL matches)."""
    if s.isascii():
        b = s.encode("ascii")
        return b.translate(_TEXT_MOVE_SPECIAL) == b
    return _TEXT_SPECIAL.search(s) is None


def _esc_text(s: str, chars: set[str]) -> str:
    """Text content: markup characters escaped, CR kept as a reference (parsers turn a raw CR
    into LF), characters XML forbids as <g/>."""
    # _plain_text, spelt out: this runs for most strings the writer writes
    if s.isascii():
        b = s.encode("ascii")
        if b.translate(_TEXT_MOVE_SPECIAL) == b:
            return s
    elif _TEXT_SPECIAL.search(s) is None:
        return s
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if ">" in s:
        s = s.replace(">", "&gt;")
    if "\r" in s:
        s = s.replace("\r", "&#13;")
    if _NOT_XML.search(s) is not None:

        def g(m: re.Match[str]) -> str:
            chars.add(m[0])
            return f'<g ref="#{_char_id(m[0])}"/>'

        s = _NOT_XML.sub(g, s)
    return s


_ATTR_ESC = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\t": "&#9;",
        "\n": "&#10;",
        "\r": "&#13;",
    }
)


_ATTR_SPECIAL = re.compile('[&<>"\t\n\r]')


def _fmt_attrs(attrs: dict[str, str]) -> str:
    if len(attrs) == 1 and "type" in attrs:  # most fields: their @type alone
        return f' type="{attrs["type"]}"'
    out = ""
    for k, v in attrs.items():
        # @type holds the profile's own words (part kinds and field types, checked plain
        # where the specs are built): no search for characters to escape.
        if k != "type" and _ATTR_SPECIAL.search(v) is not None:
            v = v.translate(_ATTR_ESC)
        out += f' {k}="{v}"'
    return out


# Free-text values in attributes (@n): characters XML forbids cannot be written at all, so such
# a value is written backslash-escaped. A value holding a backslash is escaped too, so the
# reader unescapes exactly the values that contain one.
_NEEDS_ESC = re.compile(r"[\\\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_UNESC = re.compile(r"\\(\\|u[0-9A-F]{4})")


def _esc_value(v: str) -> str:
    if _NEEDS_ESC.search(v) is None:
        return v
    return _NEEDS_ESC.sub(lambda m: "\\\\" if m[0] == "\\" else f"\\u{ord(m[0]):04X}", v)


def _unesc_value(v: str) -> str:
    if "\\" not in v:
        return v
    return _UNESC.sub(lambda m: "\\" if m[1] == "\\" else chr(int(m[1][1:], 16)), v)


# --- vocabularies (classDecl taxonomies that @ana points into) ---------------------------------

TAXONOMIES: dict[str, tuple[str, str]] = {
    # xml:id of the taxonomy -> (prefix of its categories' ids, description)
    "classification": ("cls", "Classification levels"),
    "precedence": ("prec", "Precedence of the message for an addressee"),
    "handling": ("hdl", "Handling and distribution captions"),
    "eo-reason": ("rsn", "Classification reasons of the executive order (section 1.4 / 1.5)"),
    "declassification": ("decl", "Kind of declassification instruction on the E.O. line"),
    "section": ("sec", "Headed section of the body a paragraph belongs to"),
}
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@lru_cache(maxsize=1024)
def _cat_base(tax: str, value: str) -> str:
    """The id a category would have alone: every document asks again for the few values
    cables use (classifications, precedences, captions), so it is computed once for each."""
    return f"{TAXONOMIES[tax][0]}-{_ID_UNSAFE.sub('_', value) or '_'}"


class _Registry:
    """Categories and characters a document uses, in first-use order, with their ids."""

    __slots__ = ("cat_ids", "chars", "taken")

    def __init__(self) -> None:
        self.cat_ids: dict[tuple[str, str], str] = {}
        self.taken: set[str] = set()
        self.chars: set[str] = set()

    def cat(self, tax: str, value: str) -> str:
        key = (tax, value)
        found = self.cat_ids.get(key)
        if found is not None:
            return found
        base = _cat_base(tax, value)
        cid = base
        n = 2
        while cid in self.taken:
            cid = f"{base}-{n}"
            n += 1
        self.taken.add(cid)
        self.cat_ids[key] = cid
        return cid


# --- spans: markup located around verbatim characters ------------------------------------------


class _Span:
    """One element to write around text[start:end] (empty when start == end)."""

    __slots__ = ("attrs", "end", "inner", "key", "start", "tag")

    def __init__(
        self, start: int, end: int, tag: str, attrs: dict[str, str], seq: int, inner: str
    ) -> None:
        self.start = start
        self.end = end
        self.tag = tag
        self.attrs = attrs  # unescaped values, in output order
        self.inner = inner  # markup inside an empty span (its own empty elements)
        # Document order: by start; an empty span before one holding characters there; the
        # outer (longer) before the inner; else in the order they were added.
        self.key = (start, start != end, -end, seq)


class _WCtx:
    """Writer state for one run of verbatim text (a part's text, or one paragraph string)."""

    __slots__ = ("by_field", "cursor", "reg", "self_attrs", "spans", "text")

    def __init__(self, text: str, reg: _Registry) -> None:
        self.text = text
        self.reg = reg
        self.cursor = 0
        self.spans: list[_Span] = []
        self.by_field: dict[str, _Span] = {}
        self.self_attrs: dict[str, str] = {}

    def add(
        self, start: int, end: int, tag: str, attrs: dict[str, str], name: str, inner: str = ""
    ) -> _Span:
        sp = _Span(start, end, tag, attrs, len(self.spans), inner)
        self.spans.append(sp)
        self.by_field.setdefault(name, sp)
        return sp


Locator = Callable[[_WCtx, Any, int, int], "tuple[int, int] | None"]


def _find(text: str, value: str, lo: int, hi: int) -> tuple[int, int] | None:
    """Where value stands in text[lo:hi]: exactly, else word by word with any run of blanks
    or line ends between the words and in any case (an unwrapped subject, 'sbu' for SBU)."""
    if not value:
        return (lo, lo)
    i = text.find(value, lo, hi)
    if i >= 0:
        return (i, i + len(value))
    words = value.lower().split()
    if not words:
        return None
    low = text.lower()
    if len(low) != len(text) or sum(map(len, words)) != len("".join(value.split())):
        return None  # case mapping changes lengths here: no position to give
    first = words[0]
    i = low.find(first, lo, hi)
    while i >= 0:
        j = i + len(first)
        for w in words[1:]:
            k = j
            while k < hi and text[k].isspace():
                k += 1
            if k == j or k + len(w) > hi or not low.startswith(w, k):
                break
            j = k + len(w)
        else:
            return (i, j)
        i = low.find(first, i + 1, hi)
    return None


@lru_cache(maxsize=512)
def _int_pattern(n: int) -> re.Pattern[str]:
    return re.compile(rf"(?<![0-9])0*{n}(?![0-9])")


def _find_int(text: str, value: int, lo: int, hi: int) -> tuple[int, int] | None:
    m = _int_pattern(value).search(text, lo, hi) if value >= 0 else None
    return m.span() if m else None


_SPAN_ORDER = operator.attrgetter("key")


def _render(text: str, spans: list[_Span], reg: _Registry) -> str:
    """Text with its spans as elements (spans nest or are disjoint; empty spans are empty
    elements)."""
    chars = reg.chars
    if not spans:
        return _esc_text(text, chars)
    # Most parts hold no character that needs escaping: then no slice does.
    clean = _plain_text(text)
    if len(spans) == 1:  # the most frequent case, written directly
        sp = spans[0]
        start, end, tag = sp.start, sp.end, sp.tag
        attrs = _fmt_attrs(sp.attrs)
        head, inside, tail = text[:start], text[start:end], text[end:]
        if not clean:
            head, inside, tail = (_esc_text(x, chars) for x in (head, inside, tail))
        if start != end:
            return f"{head}<{tag}{attrs}>{inside}</{tag}>{tail}"
        if sp.inner:
            return f"{head}<{tag}{attrs}>{sp.inner}</{tag}>{tail}"
        return f"{head}<{tag}{attrs}/>{tail}"
    out: list[str] = []
    pos = 0
    stack: list[tuple[int, str]] = []  # (end, tag) of the open elements
    for sp in sorted(spans, key=_SPAN_ORDER):
        start = sp.start
        while stack and stack[-1][0] <= start:
            top_end, top_tag = stack.pop()
            piece = text[pos:top_end]
            out.append(piece if clean else _esc_text(piece, chars))
            out.append(f"</{top_tag}>")
            pos = top_end
        end = sp.end
        if stack and end > stack[-1][0]:  # crossing spans cannot nest: keep it empty
            end = start
        if start > pos:
            piece = text[pos:start]
            out.append(piece if clean else _esc_text(piece, chars))
            pos = start
        tag = sp.tag
        attrs = _fmt_attrs(sp.attrs)
        if start != end:
            out.append(f"<{tag}{attrs}>")
            stack.append((end, tag))
        elif sp.inner:
            out.append(f"<{tag}{attrs}>{sp.inner}</{tag}>")
        else:
            out.append(f"<{tag}{attrs}/>")
    while stack:
        top_end, top_tag = stack.pop()
        piece = text[pos:top_end]
        out.append(piece if clean else _esc_text(piece, chars))
        out.append(f"</{top_tag}>")
        pos = top_end
    piece = text[pos:]
    out.append(piece if clean else _esc_text(piece, chars))
    return "".join(out)


# --- reading side ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Doc:
    """What the reader needs from the header: categories and declared characters."""

    source: str | None
    cats: dict[str, tuple[str, str]]  # "#" + category xml:id (a pointer to it) -> (taxonomy
    # id, value)
    chars: dict[str, str]  # char xml:id -> the character


def _err(doc: _Doc, el: etree._Element, message: str, code: str = "TEI-MODEL") -> CablekitError:
    from cablekit.tei_schemas import line_of, xpath_of

    return CablekitError(f"{message} (at {xpath_of(el)})", doc.source, line_of(el), None, code=code)


_TLEN = len(_T)
_ANY_TEI = _T + "*"  # iteration filter: TEI elements only (no comments or PIs)


def _local(el: etree._Element) -> str:
    tag = el.tag
    if isinstance(tag, str) and tag.startswith(_T):
        return tag[_TLEN:]
    return tag if isinstance(tag, str) else ""


@cache
def _etree() -> types.ModuleType:
    """lxml.etree, imported on first use (the CLI starts without it)."""
    from lxml import etree

    return etree


def _text_of(el: etree._Element, doc: _Doc) -> str:
    """The verbatim characters under an element (its <g/> back to their characters)."""
    if len(el) == 0:
        return el.text or ""
    if not doc.chars:
        # All the text nodes of the subtree, concatenated by libxml2: what itertext() joins,
        # several times faster.
        text: str = _etree().tostring(el, method="text", encoding="unicode", with_tail=False)
        return text
    out: list[str] = []
    _collect(el, doc, out)
    return "".join(out)


def _collect(el: etree._Element, doc: _Doc, out: list[str]) -> None:
    if el.text:
        out.append(el.text)
    for ch in el:
        if isinstance(ch.tag, str):
            if ch.tag == _T + "g":
                out.append(_g_char(ch, doc))
            else:
                _collect(ch, doc, out)
        if ch.tail:
            out.append(ch.tail)


def _g_char(el: etree._Element, doc: _Doc) -> str:
    ref = el.get("ref") or ""
    c = doc.chars.get(ref[1:]) if ref.startswith("#") else None
    if c is None:
        raise _err(doc, el, f"<g ref={ref!r}> names no character of the charDecl", "TEI-CHAR")
    return c


@dataclass(slots=True)
class _RCtx:
    """Reader state for one part element: its field elements by (element, @type)."""

    el: etree._Element
    doc: _Doc
    index: dict[tuple[str, str | None], list[etree._Element]]

    def one(self, key: tuple[str, str | None]) -> etree._Element | None:
        found = self.index.get(key)
        if not found:
            return None
        if len(found) > 1:
            raise _err(self.doc, found[1], f"more than one <{key[0]} type={key[1]!r}> in a part")
        return found[0]

    def str_value(self, el: etree._Element) -> str:
        n = el.get("n")
        if n is not None:
            return _unesc_value(n)
        if len(el) == 0:
            return el.text or ""
        return _text_of(el, self.doc)

    def category(self, el: etree._Element, attr: str, tax: str) -> str:
        ptr = el.get(attr) or ""
        cat = self.doc.cats.get(ptr)
        if cat is None:
            raise _err(self.doc, el, f"@{attr}={ptr!r} names no category", "TEI-CATEGORY")
        if cat[0] != tax:
            raise _err(
                self.doc,
                el,
                f"@{attr}={ptr!r} is a category of {cat[0]!r}, not of {tax!r}",
                "TEI-CATEGORY",
            )
        return cat[1]


# --- carriers: how one model field is written and read -----------------------------------------


class _Carrier:
    """One model field of a part: where its value goes in the markup and how it comes back."""

    name: str

    def write(self, value: Any, ctx: _WCtx) -> None:
        raise NotImplementedError

    def read(self, rc: _RCtx) -> tuple[bool, Any]:
        """(found, value); not found means the field takes its default."""
        raise NotImplementedError

    def keys(self) -> tuple[tuple[str, str | None], ...]:
        """The (element, @type) pairs this field writes."""
        return ()

    def attributes(self) -> dict[tuple[str, str | None], frozenset[str]]:
        """The attributes each of its elements may carry ("." is the part element)."""
        return {k: frozenset({"type", "n"}) for k in self.keys()}


def _range(ctx: _WCtx, within: str | None) -> tuple[int, int]:
    if within is not None:
        host = ctx.by_field.get(within)
        if host is not None and host.end > host.start:
            return host.start, host.end
    return ctx.cursor, len(ctx.text)


def _advance(ctx: _WCtx, end: int, within: str | None) -> None:
    if within is None or within not in ctx.by_field:
        ctx.cursor = max(ctx.cursor, end)


@dataclass(frozen=True, slots=True)
class Span(_Carrier):
    """A string found verbatim in the text: an element around it (value in @n when the
    normalized value differs from the characters, or when it cannot be found)."""

    name: str
    tag: str
    type: str
    locate: Locator | None = None
    within: str | None = None

    def write(self, value: Any, ctx: _WCtx) -> None:
        if value is None:
            return
        text = ctx.text
        within = self.within
        lo, hi = (ctx.cursor, len(text)) if within is None else _range(ctx, within)
        loc = (
            self.locate(ctx, value, lo, hi)
            if self.locate is not None
            else _find(text, value, lo, hi)
        )
        if loc is None:
            ctx.add(
                ctx.cursor,
                ctx.cursor,
                self.tag,
                {"type": self.type, "n": _esc_value(value)},
                self.name,
            )
            return
        s, e = loc
        attrs = {"type": self.type}
        if text[s:e] != value:
            attrs["n"] = _esc_value(value)
        ctx.add(s, e, self.tag, attrs, self.name)
        if within is None:
            if e > ctx.cursor:
                ctx.cursor = e
        else:
            _advance(ctx, e, within)

    def read(self, rc: _RCtx) -> tuple[bool, Any]:
        el = rc.one((self.tag, self.type))
        return (False, None) if el is None else (True, rc.str_value(el))

    def keys(self) -> tuple[tuple[str, str | None], ...]:
        return ((self.tag, self.type),)


@dataclass(frozen=True, slots=True)
class Texts(_Carrier):
    """A tuple of strings, each an element around its characters, in order."""

    name: str
    tag: str
    type: str
    within: str | None = None

    def write(self, value: Any, ctx: _WCtx) -> None:
        lo, hi = _range(ctx, self.within)
        for item in value:
            loc = _find(ctx.text, item, lo, hi)
            if loc is None:
                ctx.add(lo, lo, self.tag, {"type": self.type, "n": _esc_value(item)}, self.name)
                continue
            s, e = loc
            attrs = {"type": self.type}
            if ctx.text[s:e] != item:
                attrs["n"] = _esc_value(item)
            ctx.add(s, e, self.tag, attrs, self.name)
            lo = e
        _advance(ctx, lo, self.within)

    def read(self, rc: _RCtx) -> tuple[bool, Any]:
        els = rc.index.get((self.tag, self.type), [])
        return True, tuple(rc.str_value(el) for el in els)

    def keys(self) -> tuple[tuple[str, str | None], ...]:
        return ((self.tag, self.type),)


_INT = re.compile(r"-?[0-9]+")


@dataclass(frozen=True, slots=True)
class Int(_Carrier):
    """An integer: <num type=... value="N"> around its digits."""

    name: str
    type: str
    within: str | None = None
    locate: Locator | None = None

    def write(self, value: Any, ctx: _WCtx) -> None:
        if value is None:
            return
        lo, hi = _range(ctx, self.within)
        if self.locate is not None:
            loc = self.locate(ctx, value, lo, hi)
        else:
            loc = _find_int(ctx.text, value, lo, hi)
        s, e = loc if loc is not None else (ctx.cursor, ctx.cursor)
        ctx.add(s, e, "num", {"type": self.type, "value": str(value)}, self.name)
        if loc is not None:
            _advance(ctx, e, self.within)

    def read(self, rc: _RCtx) -> tuple[bool, Any]:
        el = rc.one(("num", self.type))
        if el is None:
            return False, None
        v = el.get("value") or ""
        if _INT.fullmatch(v) is None:
            raise _err(rc.doc, el, f"<num type={self.type!r}> needs an integer @value, not {v!r}")
        try:
            return True, int(v)
        except ValueError:  # more digits than Python converts (4,300 by default)
            raise _err(
                rc.doc, el, f"<num type={self.type!r}> @value has {len(v):,} digits: too long"
            ) from None

    def keys(self) -> tuple[tuple[str, str | None], ...]:
        return (("num", self.type),)

    def attributes(self) -> dict[tuple[str, str | None], frozenset[str]]:
        return {("num", self.type): frozenset({"type", "value"})}


def _iso(value: date) -> str:
    return value.isoformat()


def _parse_when(rc: _RCtx, el: etree._Element, kind: Callable[..., date]) -> date:
    v = el.get("when") or ""
    try:
        if kind is datetime:
            return datetime.fromisoformat(v)
        if "T" in v:
            raise ValueError
        return date.fromisoformat(v)
    except ValueError:
        what = "date and time" if kind is datetime else "date"
        raise _err(rc.doc, el, f"@when={v!r} is not an ISO {what}", "TEI-DATE") from None


@dataclass(frozen=True, slots=True)
class When(_Carrier):
    """A date or datetime in @when: on the element of another field (host) when it has one,
    else on a <date> of its own around the characters the locator finds."""

    name: str
    type: str
    kind: Callable[..., date] = datetime
    host: str | None = None
    locate: Locator | None = None
    host_key: tuple[str, str] | None = None

    def write(self, value: Any, ctx: _WCtx) -> None:
        if value is None:
            return
        if self.host is not None and self.host in ctx.by_field:
            ctx.by_field[self.host].attrs["when"] = _iso(value)
            return
        loc = self.locate(ctx, value, ctx.cursor, len(ctx.text)) if self.locate else None
        s, e = loc if loc is not None else (ctx.cursor, ctx.cursor)
        ctx.add(s, e, "date", {"type": self.type, "when": _iso(value)}, self.name)
        if loc is not None:
            ctx.cursor = max(ctx.cursor, e)

    def read(self, rc: _RCtx) -> tuple[bool, Any]:
        if self.host_key is not None:
            host = rc.one(self.host_key)
            if host is not None and host.get("when") is not None:
                return True, _parse_when(rc, host, self.kind)
        el = rc.one(("date", self.type))
        if el is None:
            return False, None
        return True, _parse_when(rc, el, self.kind)

    def keys(self) -> tuple[tuple[str, str | None], ...]:
        return (("date", self.type),)

    def attributes(self) -> dict[tuple[str, str | None], frozenset[str]]:
        out = {("date", self.type): frozenset({"type", "when"})}
        if self.host_key is not None:
            out[self.host_key] = frozenset({"when"})
        return out  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class Cat(_Carrier):
    """A value of a closed vocabulary: @ana pointing to a category (on the part element with
    host=".", on another field's element, or on a <seg> of its own)."""

    name: str
    type: str
    tax: str
    host: str | None = None
    locate: Locator | None = None
    within: str | None = None
    host_key: tuple[str, str] | None = None

    def write(self, value: Any, ctx: _WCtx) -> None:
        if value is None:
            return
        ptr = "#" + ctx.reg.cat(self.tax, value)
        if self.host == ".":
            ctx.self_attrs["ana"] = ptr
            return
        if self.host is not None and self.host in ctx.by_field:
            ctx.by_field[self.host].attrs["ana"] = ptr
            return
        lo, hi = _range(ctx, self.within)
        loc = (
            self.locate(ctx, value, lo, hi)
            if self.locate is not None
            else _find(ctx.text, value, lo, hi)
        )
        s, e = loc if loc is not None else (ctx.cursor, ctx.cursor)
        ctx.add(s, e, "seg", {"type": self.type, "ana": ptr}, self.name)
        if loc is not None:
            _advance(ctx, e, self.within)

    def read(self, rc: _RCtx) -> tuple[bool, Any]:
        if self.host == ".":
            if rc.el.get("ana") is None:
                return False, None
            return True, rc.category(rc.el, "ana", self.tax)
        if self.host_key is not None:
            host = rc.one(self.host_key)
            if host is not None and host.get("ana") is not None:
                return True, rc.category(host, "ana", self.tax)
        el = rc.one(("seg", self.type))
        if el is None:
            return False, None
        return True, rc.category(el, "ana", self.tax)

    def keys(self) -> tuple[tuple[str, str | None], ...]:
        return () if self.host == "." else (("seg", self.type),)

    def attributes(self) -> dict[tuple[str, str | None], frozenset[str]]:
        if self.host == ".":
            return {(".", None): frozenset({"ana"})}
        out = {("seg", self.type): frozenset({"type", "ana"})}
        if self.host_key is not None:
            out[self.host_key] = frozenset({"ana"})
        return out  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class Cats(_Carrier):
    """A tuple of vocabulary values: one <seg type=... ana=...> per item, in order (inside the
    span of another field when they stand there, as NOTAL inside a reference)."""

    name: str
    type: str
    tax: str
    within: str | None = None
    locate: Locator | None = None

    def _loc(self, ctx: _WCtx, item: str, lo: int, hi: int) -> tuple[int, int] | None:
        if self.locate is not None:
            return self.locate(ctx, item, lo, hi)
        return _find(ctx.text, item, lo, hi)

    def write(self, value: Any, ctx: _WCtx) -> None:
        host = ctx.by_field.get(self.within) if self.within is not None else None
        inside = host is not None and host.end > host.start
        lo, hi = (
            (host.start, host.end) if host is not None and inside else (ctx.cursor, len(ctx.text))
        )
        for item in value:
            ptr = "#" + ctx.reg.cat(self.tax, item)
            loc = self._loc(ctx, item, lo, hi)
            if loc is None and inside:
                inside = False  # not inside the host's span: look after it
                lo, hi = ctx.cursor, len(ctx.text)
                loc = self._loc(ctx, item, lo, hi)
            if loc is None:
                ctx.add(ctx.cursor, ctx.cursor, "seg", {"type": self.type, "ana": ptr}, self.name)
                continue
            ctx.add(loc[0], loc[1], "seg", {"type": self.type, "ana": ptr}, self.name)
            lo = loc[1]
            if not inside:
                ctx.cursor = max(ctx.cursor, loc[1])

    def read(self, rc: _RCtx) -> tuple[bool, Any]:
        els = rc.index.get(("seg", self.type), [])
        return True, tuple(rc.category(el, "ana", self.tax) for el in els)

    def keys(self) -> tuple[tuple[str, str | None], ...]:
        return (("seg", self.type),)

    def attributes(self) -> dict[tuple[str, str | None], frozenset[str]]:
        return {("seg", self.type): frozenset({"type", "ana"})}


@dataclass(frozen=True, slots=True)
class Flag(_Carrier):
    """A boolean: an attribute value on the part element (attr given), or an element that is
    present exactly when the value is true (around the characters the locator finds)."""

    name: str
    attr: str | None = None
    attr_value: str = ""
    tag: str = "seg"
    type: str = ""
    locate: Locator | None = None

    def write(self, value: Any, ctx: _WCtx) -> None:
        if not value:
            return
        if self.attr is not None:
            ctx.self_attrs[self.attr] = self.attr_value
            return
        loc = self.locate(ctx, value, ctx.cursor, len(ctx.text)) if self.locate else None
        s, e = loc if loc is not None else (ctx.cursor, ctx.cursor)
        ctx.add(s, e, self.tag, {"type": self.type}, self.name)
        ctx.cursor = max(ctx.cursor, e)

    def read(self, rc: _RCtx) -> tuple[bool, Any]:
        if self.attr is not None:
            v = rc.el.get(self.attr)
            if v is not None and v != self.attr_value:
                raise _err(rc.doc, rc.el, f"@{self.attr}={v!r} (expected {self.attr_value!r})")
            return True, v is not None
        return True, rc.one((self.tag, self.type)) is not None

    def keys(self) -> tuple[tuple[str, str | None], ...]:
        return () if self.attr is not None else ((self.tag, self.type),)

    def attributes(self) -> dict[tuple[str, str | None], frozenset[str]]:
        if self.attr is not None:
            return {(".", None): frozenset({self.attr})}
        return {(self.tag, self.type): frozenset({"type"})}


_WORD = re.compile(r"[^\s\x00-\x1f\x7f-\x9f]+")


@dataclass(frozen=True, slots=True)
class Attr(_Carrier):
    """A string in an attribute of the part element (@n free text, @subtype one word)."""

    name: str
    attr: str

    def write(self, value: Any, ctx: _WCtx) -> None:
        if value is None:
            return
        if self.attr == "n":
            ctx.self_attrs["n"] = _esc_value(value)
        elif _WORD.fullmatch(value) is None:
            raise CablekitError(
                f"{self.name}={value!r} cannot be written as a TEI @{self.attr} (one word)",
                code="TEI-WRITE",
            )
        else:
            ctx.self_attrs[self.attr] = value

    def read(self, rc: _RCtx) -> tuple[bool, Any]:
        v = rc.el.get(self.attr)
        if v is None:
            return False, None
        return True, _unesc_value(v) if self.attr == "n" else v

    def attributes(self) -> dict[tuple[str, str | None], frozenset[str]]:
        return {(".", None): frozenset({self.attr})}


def _empty(tag: str, attrs: dict[str, str], inner: str = "") -> str:
    a = _fmt_attrs(attrs)
    return f"<{tag}{a}>{inner}</{tag}>" if inner else f"<{tag}{a}/>"


_SEPARATOR = re.compile(r"[ \t]*:?[ \t]*")


@dataclass(frozen=True, slots=True)
class Pairs(_Carrier):
    """(key, value) pairs: <seg type="record-field"> around 'key: value', the key in
    <term type="key">, the value in <seg type="value">."""

    name: str

    def write(self, value: Any, ctx: _WCtx) -> None:
        text = ctx.text
        for key, val in value:
            start = ctx.cursor
            kloc = _find(text, key, start, len(text)) if key else None
            loc = None
            if kloc is not None:
                ks, ke = kloc
                sep = _SEPARATOR.match(text, ke)
                vs = sep.end() if sep else ke
                line_end = text.find("\n", vs)
                if not val:
                    # An empty value sits right after the key, inside the field's span.
                    if vs > ke:
                        loc = (ks, ke, ke, ke, vs)
                else:
                    vloc = _find(text, val, vs, len(text) if line_end < 0 else line_end)
                    if vloc is not None:
                        loc = (ks, ke, vloc[0], vloc[1], vloc[1])
            if loc is None:
                inner = _empty("term", {"type": "key", "n": _esc_value(key)}) + _empty(
                    "seg", {"type": "value", "n": _esc_value(val)}
                )
                ctx.add(start, start, "seg", {"type": "record-field"}, self.name, inner)
                continue
            ks, ke, vs, ve, end = loc
            ctx.add(ks, end, "seg", {"type": "record-field"}, self.name)
            kattrs = {"type": "key"}
            if text[ks:ke] != key:
                kattrs["n"] = _esc_value(key)
            ctx.add(ks, ke, "term", kattrs, "_key")
            vattrs = {"type": "value"}
            if text[vs:ve] != val:
                vattrs["n"] = _esc_value(val)
            ctx.add(vs, ve, "seg", vattrs, "_value")
            ctx.cursor = max(ctx.cursor, end)

    def read(self, rc: _RCtx) -> tuple[bool, Any]:
        out: list[tuple[str, str]] = []
        for rec in rc.index.get(("seg", "record-field"), []):
            keys = [x for x in rec if isinstance(x.tag, str) and _local(x) == "term"]
            vals = [x for x in rec if isinstance(x.tag, str) and _local(x) == "seg"]
            if len(keys) != 1 or len(vals) != 1 or vals[0].get("type") != "value":
                raise _err(rc.doc, rec, "a record field holds one <term type='key'> and one value")
            out.append((rc.str_value(keys[0]), rc.str_value(vals[0])))
        return True, tuple(out)

    def keys(self) -> tuple[tuple[str, str | None], ...]:
        return (("seg", "record-field"), ("term", "key"), ("seg", "value"))

    def attributes(self) -> dict[tuple[str, str | None], frozenset[str]]:
        return {
            ("seg", "record-field"): frozenset({"type"}),
            ("term", "key"): frozenset({"type", "n"}),
            ("seg", "value"): frozenset({"type", "n"}),
        }


@dataclass(frozen=True, slots=True)
class HostAttr(_Carrier):
    """A string kept in an attribute of another field's element (a cable id in the @cRef of
    the reference it resolves), or on an empty element of its own when that field is absent."""

    name: str
    host: str
    host_key: tuple[str, str]
    attr: str
    tag: str
    type: str

    def write(self, value: Any, ctx: _WCtx) -> None:
        if value is None:
            return
        host = ctx.by_field.get(self.host)
        if host is not None:
            host.attrs[self.attr] = _esc_value(value)
            return
        ctx.add(
            ctx.cursor,
            ctx.cursor,
            self.tag,
            {"type": self.type, self.attr: _esc_value(value)},
            self.name,
        )

    def read(self, rc: _RCtx) -> tuple[bool, Any]:
        host = rc.one(self.host_key)
        if host is not None and host.get(self.attr) is not None:
            return True, _unesc_value(host.get(self.attr) or "")
        el = rc.one((self.tag, self.type))
        if el is None:
            return False, None
        return True, _unesc_value(el.get(self.attr) or "")

    def keys(self) -> tuple[tuple[str, str | None], ...]:
        return ((self.tag, self.type),)

    def attributes(self) -> dict[tuple[str, str | None], frozenset[str]]:
        return {
            (self.tag, self.type): frozenset({"type", self.attr}),
            self.host_key: frozenset({self.attr}),
        }


# --- locators for values that are normalized from their characters ----------------------------

_CLS_SPACED = re.compile(r"[A-Za-z](?:[ ]{1,2}[A-Za-z](?![A-Za-z]))+")
_CLS_WORDS = re.compile(
    r"(?i)\b(?:TOP\s+SECRET|SECRET|CONFIDENTIAL|UNCLASSIFIED|UNCLAS|LIMITED\s+OFFICIAL\s+USE)\b"
)


def _loc_classification(ctx: _WCtx, value: Any, lo: int, hi: int) -> tuple[int, int] | None:
    text = ctx.text
    i = lo
    while i < hi and not text[i].isalpha():
        i += 1
    m = _CLS_SPACED.match(text, i, hi)
    if m is not None and m.end() - m.start() >= 5:
        return m.span()
    m2 = _CLS_WORDS.search(text, lo, hi)
    return m2.span() if m2 else None


@lru_cache(maxsize=256)
def _marking_pattern(value: str) -> re.Pattern[str]:
    return re.compile(r"\(\s*" + re.escape(value) + r"\s*\)", re.IGNORECASE)


@lru_cache(maxsize=256)
def _letter_pattern(value: str) -> re.Pattern[str]:
    return re.compile(r"(?<![A-Za-z])" + re.escape(value) + r"(?![A-Za-z])", re.IGNORECASE)


def _loc_marking(ctx: _WCtx, value: Any, lo: int, hi: int) -> tuple[int, int] | None:
    m = _marking_pattern(value).search(ctx.text, lo, hi)
    return m.span() if m else _find(ctx.text, value, lo, hi)


def _loc_prosign_letter(index: int) -> Locator:
    def locate(ctx: _WCtx, value: Any, lo: int, hi: int) -> tuple[int, int] | None:
        host = ctx.by_field.get("precedence")
        if host is None or host.end - host.start <= index:
            return None
        return (host.start + index, host.start + index + 1)

    return locate


_RE_KEYWORD = re.compile(r"\s*(TO|INFO|XMT)\b", re.IGNORECASE)
_RE_REF_LABEL = re.compile(r"\s*((?:REFS?|REFERENCES?)\b\s*[:.]?)", re.IGNORECASE)


def _loc_regex(pattern: re.Pattern[str]) -> Locator:
    def locate(ctx: _WCtx, value: Any, lo: int, hi: int) -> tuple[int, int] | None:
        m = pattern.match(ctx.text, lo, hi)
        if m is None:
            return None
        return m.span(1) if m.lastindex else (m.start(), m.end())

    return locate


@lru_cache(maxsize=512)
def _julian_pattern(day: int) -> re.Pattern[str]:
    return re.compile(rf"(?<![0-9])0*{day}(?=[0-9]{{4}}(?![0-9]))")


def _loc_julian(ctx: _WCtx, value: Any, lo: int, hi: int) -> tuple[int, int] | None:
    """The Julian day glued to the filing time (1361324: day 136, 13:24)."""
    m = _julian_pattern(value).search(ctx.text, lo, hi) if value >= 0 else None
    return m.span() if m else _find_int(ctx.text, value, lo, hi)


def _loc_line(ctx: _WCtx, value: Any, lo: int, hi: int) -> tuple[int, int] | None:
    """The first non-blank line from lo, without its blanks."""
    text = ctx.text
    s = lo
    while s < hi and text[s].isspace():
        s += 1
    e = text.find("\n", s, hi)
    e = hi if e < 0 else e
    while e > s and text[e - 1].isspace():
        e -= 1
    return (s, e) if e > s else None


def _loc_reason(ctx: _WCtx, value: Any, lo: int, hi: int) -> tuple[int, int] | None:
    m = _letter_pattern(value).search(ctx.text, lo, hi)
    return m.span() if m else None


# --- the part specs ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PartSpec:
    """How one part type is marked up: its element in a division (`block`), whether it can
    stand in the transmission opener (as a <seg>), and the carriers of its fields."""

    kind: str
    block: str  # ab | fw | p | note | signed
    carriers: tuple[_Carrier, ...]
    in_opener: bool = False
    envelope: bool = False  # a transmission line: starts the opener
    zone: str = "neutral"  # header | body | neutral: which division it opens


_KEY = ("seg", "keyword")


def _specs() -> dict[str, PartSpec]:
    cls_loc = _loc_classification
    specs = [
        PartSpec(
            "start-of-message",
            "ab",
            (Span("channel", "idno", "channel"), Span("serial", "idno", "channel-serial")),
            in_opener=True,
            envelope=True,
            zone="body",
        ),
        PartSpec(
            "routing",
            "ab",
            (
                Span("precedence", "seg", "prosign"),
                Cat(
                    "action_precedence",
                    "action-precedence",
                    "precedence",
                    within="precedence",
                    locate=_loc_prosign_letter(0),
                ),
                Cat(
                    "info_precedence",
                    "info-precedence",
                    "precedence",
                    within="precedence",
                    locate=_loc_prosign_letter(1),
                ),
                Texts("routing_indicators", "idno", "routing-indicator"),
            ),
            in_opener=True,
            envelope=True,
            zone="body",
        ),
        PartSpec(
            "originator",
            "ab",
            (
                Span("routing_indicator", "idno", "routing-indicator"),
                Span("station_serial", "idno", "station-serial"),
                Span("section", "num", "transmission-section"),
                Int("julian_day", "julian-day", locate=_loc_julian),
                Span("filing_time", "time", "filing-time"),
            ),
            in_opener=True,
            envelope=True,
            zone="body",
        ),
        PartSpec(
            "security",
            "ab",
            (
                Span("prosign", "seg", "prosign"),
                Span("classification_chars", "seg", "classification-chars"),
                Cat(
                    "classification",
                    "classification",
                    "classification",
                    host="classification_chars",
                    host_key=("seg", "classification-chars"),
                ),
                Span("specat", "seg", "specat"),
                Texts("signals", "seg", "signal"),
            ),
            in_opener=True,
            envelope=True,
            zone="body",
        ),
        PartSpec(
            "dtg",
            "ab",
            (
                Span("precedence", "seg", "precedence-letters"),
                Span("dtg", "date", "date-time-group"),
                When("sent", "sent", host="dtg", host_key=("date", "date-time-group")),
            ),
            in_opener=True,
            envelope=True,
            zone="body",
        ),
        PartSpec("from", "ab", (Span("name", "orgName", "originator"),), True, True, "body"),
        PartSpec(
            "addressee",
            "ab",
            (
                Attr("role", "subtype"),
                Flag("keyword", tag="seg", type="keyword", locate=_loc_regex(_RE_KEYWORD)),
                Span("routing_indicator", "idno", "routing-indicator"),
                Span("name", "orgName", "addressee"),
                Span("precedence_raw", "seg", "precedence"),
                Cat(
                    "precedence",
                    "precedence-normalized",
                    "precedence",
                    host="precedence_raw",
                    host_key=("seg", "precedence"),
                ),
                Span("serial", "num", "serial"),
            ),
            in_opener=True,
            envelope=True,
            zone="body",
        ),
        PartSpec("protocol", "ab", (Span("signal", "seg", "signal"),), True, False, "neutral"),
        PartSpec("extract-notice", "ab", (), True, True, "body"),
        PartSpec(
            "banner",
            "fw",
            (
                Cat("classification", "classification", "classification", locate=cls_loc),
                Int("section", "section"),
                Int("sections", "sections"),
                Span("station", "placeName", "station"),
                Span("serial", "idno", "message-serial"),
                Flag("repeat", attr="subtype", attr_value="repeat"),
            ),
            zone="header",
        ),
        PartSpec(
            "captions",
            "ab",
            (Cats("captions", "caption", "handling"),),
            zone="header",
        ),
        PartSpec("passing", "ab", (), zone="header"),
        PartSpec(
            "eo",
            "ab",
            (
                Span("order", "idno", "executive-order"),
                Span("decl", "date", "declassify"),
                When(
                    "decl_date",
                    "declassify-on",
                    kind=date,
                    host="decl",
                    host_key=("date", "declassify"),
                ),
                Cat(
                    "decl_kind",
                    "declassification",
                    "declassification",
                    host="decl",
                    host_key=("date", "declassify"),
                ),
                Texts("tags", "term", "tag"),
            ),
            zone="header",
        ),
        PartSpec("tags", "ab", (Texts("tags", "term", "tag"),), zone="header"),
        PartSpec(
            "subject",
            "ab",
            (
                Span("marking", "seg", "portion-marking", locate=_loc_marking),
                Span("subject", "title", "subject"),
            ),
            zone="header",
        ),
        PartSpec(
            "reference",
            "ab",
            (
                Flag("label", tag="label", type="ref-label", locate=_loc_regex(_RE_REF_LABEL)),
                Span("letter", "label", "letter"),
                Span("raw", "ref", "reference"),
                HostAttr("cable_id", "raw", ("ref", "reference"), "cRef", "ref", "cable-id"),
                Cats("captions", "caption", "handling", within="raw"),
            ),
            zone="header",
        ),
        PartSpec(
            "classified-by",
            "ab",
            (
                Span("classifier", "persName", "classifier"),
                Span("authority", "seg", "authority"),
                Cats("reasons", "reason", "eo-reason", locate=_loc_reason),
            ),
            zone="header",
        ),
        PartSpec(
            "page-break",
            "fw",
            (
                Span("station", "placeName", "station"),
                Span("serial", "idno", "page-serial"),
                Int("page", "page"),
                Int("pages", "pages"),
                Cat("classification", "classification", "classification", locate=cls_loc),
            ),
            in_opener=True,
        ),
        PartSpec(
            "date-line",
            "ab",
            (When("when", "date-line", locate=_loc_line),),
            in_opener=True,
            envelope=True,
            zone="body",
        ),
        PartSpec("record-dump", "ab", (Pairs("fields"),), True, True, "body"),
        PartSpec(
            "paragraph",
            "p",
            (
                Attr("number", "n"),
                Span("marking", "seg", "portion-marking", locate=_loc_marking),
                Cat("section", "section", "section", host="."),
            ),
            zone="body",
        ),
        PartSpec("signature", "signed", (Span("name", "persName", "signer"),), zone="body"),
        PartSpec(
            "classification-line",
            "fw",
            (Cat("classification", "classification", "classification", host="."),),
            in_opener=True,
        ),
        PartSpec("publisher-line", "note", (), in_opener=True),
        PartSpec("unrecognized", "ab", (Attr("zone", "subtype"),), in_opener=True),
    ]
    for spec in specs:
        for c in spec.carriers:
            if c.name in ("text", "content"):
                raise ValueError(f"{spec.kind}: the verbatim {c.name} is no carrier's field")
        words = [spec.kind, *(getattr(c, "type", "") for c in spec.carriers)]
        if any(_ATTR_SPECIAL.search(w) for w in words):
            raise ValueError(f"{spec.kind}: a @type word needs escaping: {words}")
    return {s.kind: s for s in specs}


_ALL_SPECS = _specs()
_PART_KINDS: dict[str, type] = {t.kind: t for t in PART_TYPES}  # type: ignore[attr-defined]
# Only the part types the model has; a test checks every model type is covered.
PART_SPECS: dict[str, PartSpec] = {k: v for k, v in _ALL_SPECS.items() if k in _PART_KINDS}

# --- fields the specs do not name: one generic carrier --------------------------------------


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@cache
def _generic_fields(cls: type) -> tuple[tuple[str, Any, Any], ...]:
    """Fields of a part type no carrier of its spec names (a model newer than the mapping):
    (name, type hint, default)."""
    spec = PART_SPECS.get(cls.kind)  # type: ignore[attr-defined]
    named = {c.name for c in spec.carriers} if spec else set()
    hints = _hints(cls)
    defaults = _defaults(cls)
    return tuple(
        (f.name, hints[f.name], defaults[f.name])
        for f in dataclasses.fields(cls)
        if f.name not in named and f.name not in ("text", "content")
    )


@cache
def _defaults(cls: type) -> dict[str, Any]:
    """Each field's default (None for a required field or one built by a factory)."""
    return {
        f.name: (f.default if f.default is not dataclasses.MISSING else None)
        for f in dataclasses.fields(cls)
    }


def _scalar_out(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return _esc_value(str(v))


def _scalar_in(raw: str, hint: Any) -> Any:
    args = _strip_none(hint)
    for t in args:
        try:
            if t is bool:
                if raw in ("true", "false"):
                    return raw == "true"
                continue
            if t is int:
                return int(raw)
            if t is float:
                return float(raw)
            if t is datetime:
                return datetime.fromisoformat(raw)
            if t is date:
                return date.fromisoformat(raw)
            if t is str:
                return _unesc_value(raw)
        except ValueError:
            continue
    raise ValueError(f"{raw!r} does not fit {hint}")


def _strip_none(hint: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(hint)
    if origin is Union or origin is types.UnionType:
        return tuple(a for a in typing.get_args(hint) if a is not type(None))
    return (hint,)


def _tuple_item_hint(hint: Any) -> Any | None:
    for t in _strip_none(hint):
        if typing.get_origin(t) is tuple:
            args = typing.get_args(t)
            return args[0] if args else str
    return None


def _generic_items(value: tuple[Any, ...]) -> str:
    out = []
    for item in value:
        if isinstance(item, tuple):
            out.append(_empty("seg", {"type": "item", "n": str(len(item))}, _generic_items(item)))
        else:
            out.append(_empty("seg", {"type": "item", "n": _scalar_out(item)}))
    return "".join(out)


def _generic_write(name: str, value: Any, default: Any, ctx: _WCtx) -> None:
    """A field the spec does not name: an empty <seg type="field" subtype=name n=value/> at
    the start of the part (a tuple: @n its length, its items inside)."""
    if value == default:
        return
    attrs = {"type": "field", "subtype": name}
    if value is None:
        ctx.add(0, 0, "seg", attrs, name)
    elif isinstance(value, tuple):
        attrs["n"] = str(len(value))
        ctx.add(0, 0, "seg", attrs, name, _generic_items(value))
    else:
        attrs["n"] = _scalar_out(value)
        ctx.add(0, 0, "seg", attrs, name)


# --- writer ------------------------------------------------------------------------------------


class _Writer:
    __slots__ = ("addr_ids", "ctx", "fast", "reg")

    def __init__(self, fast: bool = True) -> None:
        self.reg = _Registry()
        self.addr_ids: list[str] = []
        self.fast = fast  # parts by their fast writers where they have one (_write_part)
        # The compiled plans' context, reset for each part (see _plan_writer)
        self.ctx = _PCtx("", self.reg, False)

    def fields(self, part: Any, text: str, spec: PartSpec) -> _WCtx:
        ctx = _WCtx(text, self.reg)
        for c in spec.carriers:  # none is named text or content (checked in _specs)
            c.write(getattr(part, c.name), ctx)
        cls: type = type(part)
        for name, _hint, default in _generic_fields(cls):
            _generic_write(name, getattr(part, name), default, ctx)
        return ctx

    def part(
        self,
        part: Part,
        tag: str,
        *,
        ptype: str | None,
        extra: dict[str, str] | None = None,
        spec: PartSpec | None = None,
    ) -> str:
        """The part as an element (spec: the part's, when the caller has looked it up)."""
        if spec is None:
            spec = _spec_of(part)
        if isinstance(part, Paragraph):
            return self.paragraph(part, spec)
        ctx = self.fields(part, part.text, spec)
        attrs: dict[str, str] = {}
        if ptype is not None:
            attrs["type"] = ptype
        attrs.update(ctx.self_attrs)
        if extra:
            attrs.update(extra)
        return _element(tag, attrs, _render(part.text, ctx.spans, self.reg))

    def page_break(self, pb: PageBreak) -> str:
        spec = PART_SPECS["page-break"]
        ctx = self.fields(pb, pb.text, spec)
        mark = f'<pb n="{pb.page}"/>' if pb.page is not None else "<pb/>"
        attrs = {"type": "page-break", **ctx.self_attrs}
        return mark + _element("fw", attrs, _render(pb.text, ctx.spans, self.reg))

    def paragraph(self, para: Paragraph, spec: PartSpec) -> str:
        first = ""
        for c in para.content:
            if isinstance(c, str):
                first = c
                break
        ctx = self.fields(para, first, spec)
        out: list[str] = []
        prev_str = False
        used_first = False
        for item in para.content:
            if isinstance(item, PageBreak):
                out.append(self.page_break(item))
                prev_str = False
                continue
            if prev_str or item == "":
                out.append('<anchor type="string"/>')  # two strings in a row, or an empty one
            if not used_first and item is first:
                out.append(_render(item, ctx.spans, self.reg))
                used_first = True
            else:
                out.append(_esc_text(item, self.reg.chars))
            prev_str = True
        if not used_first and ctx.spans:
            # Fields with no string to sit in: empty elements at the start.
            out.insert(0, _render("", ctx.spans, self.reg))
        return _element("p", dict(ctx.self_attrs), "".join(out))


def _open(tag: str, attrs: dict[str, str]) -> str:
    return f"<{tag}{_fmt_attrs(attrs)}>"


def _element(tag: str, attrs: dict[str, str], content: str) -> str:
    a = _fmt_attrs(attrs)
    return f"<{tag}{a}>{content}</{tag}>" if content else f"<{tag}{a}/>"


def _text_body(cable: Cable, w: _Writer) -> str:
    """<body>: the document division, its opener, header/body divisions and closers."""
    parts = cable.parts
    get = PART_SPECS.get
    # Every part's spec before anything is written (_spec_of raises for a kind with none).
    kinds = [p.kind for p in parts]  # read once: a class attribute, slow through an instance
    specs = [get(k) or _spec_of(p) for k, p in zip(kinds, parts, strict=True)]
    n = 0
    for spec in specs:
        if not spec.in_opener:
            break
        n += 1
    if n and not any(spec.envelope for spec in specs[:n]):
        n = 0
    fast = w.fast
    # Parts of one type come in runs (addressees, paragraphs): their fast writer is looked
    # up once a run.
    last_type: type | None = None
    write: _FastWriter | None = None
    out = ['<body><div type="document">']
    if n:
        out.append("<opener>")
        # _opener_part, its most frequent path (a <seg> by its fast writer) spelt out
        for i in range(n):
            p = parts[i]
            spec = specs[i]
            block = spec.block
            if isinstance(p, PageBreak) or block == "fw" or block == "note":
                out.append(_opener_part(p, spec, w))
                continue
            seg: str | None = None
            if fast:
                cls: type = type(p)
                if cls is not last_type:
                    write = _fast_writer(cls)
                    last_type = cls
                if write is not None:
                    seg = write(p, w, "seg", True, True)
            if seg is None:
                seg = w.part(p, "seg", ptype=p.kind, extra=_addressee_link(p, w), spec=spec)
            kind = kinds[i]
            out.append(
                f"<dateline>{seg}</dateline>" if kind == "dtg" or kind == "date-line" else seg
            )
        out.append("</opener>")
    div_type: str | None = None
    has_block = False
    closed = False
    header_count = 0
    for i in range(n, len(parts)):
        p = parts[i]
        spec = specs[i]
        block = spec.block
        is_global = block == "fw" or block == "note"
        new: str | None = None
        if div_type is None:
            new = "header" if spec.zone == "header" else "body"
        elif isinstance(p, Banner) or (spec.zone == "header" and div_type != "header"):
            new = "header"
        elif (spec.zone == "body" and div_type == "header") or (closed and not is_global):
            new = "body"
        if new is not None:
            if div_type is not None:
                out.append("</div>")
            if new == "header":
                header_count += 1
                if header_count == 1:
                    out.append('<div type="header" xml:id="header-1">')
                elif isinstance(p, Banner) and p.repeat:
                    out.append('<div type="header" sameAs="#header-1">')
                else:
                    out.append('<div type="header">')
            else:
                out.append('<div type="body">')
            div_type, has_block, closed = new, False, False
        if kinds[i] == "signature":
            if has_block:
                out.append(
                    "<closer>" + _write_part(p, spec, w, "signed", False, False) + "</closer>"
                )
                closed = True
                continue
            out.append(_write_part(p, spec, w, "ab", True, False))
            has_block = True
            continue
        if isinstance(p, PageBreak):
            out.append(w.page_break(p))
            continue
        done: str | None = None
        if fast:
            part_type: type = type(p)
            if part_type is not last_type:
                write = _fast_writer(part_type)
                last_type = part_type
            if write is not None:
                typed = block != "p"  # a paragraph's <p> has no @type and no link
                done = write(p, w, block, typed, typed)
        out.append(_block_part(p, spec, w) if done is None else done)
        if not is_global:
            has_block = True
    if div_type is not None:
        out.append("</div>")
    out.append("</div></body>")
    return "".join(out)


def _spec_of(p: Part) -> PartSpec:
    spec = PART_SPECS.get(p.kind)
    if spec is None:
        raise CablekitError(f"part type {p.kind!r} has no TEI mapping", code="TEI-WRITE")
    return spec


def _block_part(p: Part, spec: PartSpec, w: _Writer) -> str:
    if spec.block == "p":
        return w.part(p, "p", ptype=None, spec=spec)
    extra = _addressee_link(p, w)
    return w.part(p, spec.block, ptype=p.kind, extra=extra, spec=spec)


def _opener_part(p: Part, spec: PartSpec, w: _Writer) -> str:
    if isinstance(p, PageBreak):
        return w.page_break(p)
    if spec.block in ("fw", "note"):
        return _write_part(p, spec, w, spec.block, True, False)
    seg: str | None = None
    if w.fast:
        cls: type = type(p)
        fast = _fast_writer(cls)
        if fast is not None:
            seg = fast(p, w, "seg", True, True)
    if seg is None:
        seg = w.part(p, "seg", ptype=p.kind, extra=_addressee_link(p, w), spec=spec)
    if p.kind in ("dtg", "date-line"):
        return f"<dateline>{seg}</dateline>"
    return seg


def _addressee_link(p: Part, w: _Writer) -> dict[str, str] | None:
    if isinstance(p, Addressee) and p.role in ("to", "info"):
        aid = f"addr-{len(w.addr_ids) + 1}"
        w.addr_ids.append(aid)
        # The line and its correspAction point to each other: one to one, checked cheaply.
        return {"xml:id": aid + "-line", "corresp": "#" + aid}
    return None


# --- the fast writer: compiled plans and dedicated paths -----------------------------------
# What _Writer.part writes, without its per-element costs: a part type's carriers compiled
# once into write steps (their @type words are constants, so attributes are formatted as they
# are set, never through a dict), elements kept in a list that needs no sort when the steps
# added them in document order, and dedicated paths for the two most frequent kinds. Each
# falls back to the generic writer where its assumptions do not hold; tests compare both.


def _attr(name: str, value: str) -> str:
    """One attribute as _fmt_attrs writes any but @type."""
    if _ATTR_SPECIAL.search(value) is not None:
        value = value.translate(_ATTR_ESC)
    return f' {name}="{value}"'


# An element the plans write: (start, end, tag, its attributes formatted, inner markup of an
# empty one). A tuple: no object, no attribute dict, no sort key per element.
_Mark = tuple[int, int, str, str, str]


class _Place(_Span):
    """Where a plan's element stands, for the locators that look at other fields (by_field:
    _loc_prosign_letter reads the prosign's)."""

    __slots__ = ()

    def __init__(self, start: int, end: int, tag: str) -> None:
        self.start = start
        self.end = end
        self.tag = tag


class _PCtx(_WCtx):
    """_WCtx for the plans: marks instead of spans, the part element's own attributes
    formatted. The locators read it as a _WCtx: its text, and by_field where `places`."""

    __slots__ = ("at", "marks", "own", "places")

    def __init__(self, text: str, reg: _Registry, places: bool) -> None:
        self.text = text
        self.reg = reg
        self.cursor = 0
        self.marks: list[_Mark] = []
        self.at: dict[str, int] = {}  # field name -> index of its first mark (by_field's)
        self.own = ""
        self.by_field = {}
        self.places = places

    def mark(self, start: int, end: int, tag: str, fmt: str, name: str, inner: str = "") -> None:
        marks = self.marks
        if name not in self.at:
            self.at[name] = len(marks)
            if self.places:
                self.by_field[name] = _Place(start, end, tag)
        marks.append((start, end, tag, fmt, inner))

    def host(self, name: str, attr: str) -> bool:
        """Add a formatted attribute to the element of field `name`; False if it has none."""
        i = self.at.get(name)
        if i is None:
            return False
        start, end, tag, fmt, inner = self.marks[i]
        self.marks[i] = (start, end, tag, fmt + attr, inner)
        return True

    def range(self, within: str | None) -> tuple[int, int]:
        """_range: inside the element of field `within` when it holds characters."""
        if within is not None:
            i = self.at.get(within)
            if i is not None:
                start, end = self.marks[i][:2]
                if end > start:
                    return start, end
        return self.cursor, len(self.text)

    def advance(self, end: int, within: str | None) -> None:
        """_advance."""
        if within is None or within not in self.at:
            self.cursor = max(self.cursor, end)


def _mark_order(m: _Mark) -> tuple[int, bool, int]:
    # _Span.key without its sequence number: a stable sort keeps the order of addition.
    return (m[0], m[0] != m[1], -m[1])


def _in_order(marks: list[_Mark]) -> bool:
    """Whether the marks stand as sorting them by _mark_order would leave them."""
    prev = marks[0]
    for m in marks:
        if m[0] != prev[0]:
            if m[0] < prev[0]:
                return False
        elif _mark_order(m) < _mark_order(prev):
            return False
        prev = m
    return True


def _render_marks(text: str, marks: list[_Mark], chars: set[str]) -> str:
    """What _render writes for the same spans."""
    if not marks:
        return _esc_text(text, chars)
    # _plain_text, spelt out
    if text.isascii():
        b = text.encode("ascii")
        clean = b.translate(_TEXT_MOVE_SPECIAL) == b
    else:
        clean = _TEXT_SPECIAL.search(text) is None
    if len(marks) == 1:  # as _render writes its most frequent case
        start, end, tag, fmt, inner = marks[0]
        head, inside, tail = text[:start], text[start:end], text[end:]
        if not clean:
            head, inside, tail = (_esc_text(x, chars) for x in (head, inside, tail))
        if start != end:
            return f"{head}<{tag}{fmt}>{inside}</{tag}>{tail}"
        if inner:
            return f"{head}<{tag}{fmt}>{inner}</{tag}>{tail}"
        return f"{head}<{tag}{fmt}/>{tail}"
    # Most often each element starts at or after the end of the one before: then they are
    # in document order and none holds another, written in one pass.
    out: list[str] = []
    pos = 0
    for start, end, tag, fmt, inner in marks:
        if start < pos:
            break
        if start > pos:
            piece = text[pos:start]
            out.append(piece if clean else _esc_text(piece, chars))
        if start != end:
            piece = text[start:end]
            out.append(f"<{tag}{fmt}>{piece if clean else _esc_text(piece, chars)}</{tag}>")
            pos = end
        else:
            out.append(f"<{tag}{fmt}>{inner}</{tag}>" if inner else f"<{tag}{fmt}/>")
            pos = start
    else:
        piece = text[pos:]
        out.append(piece if clean else _esc_text(piece, chars))
        return "".join(out)
    return _render_nested(text, marks, chars, clean)


def _render_nested(text: str, marks: list[_Mark], chars: set[str], clean: bool) -> str:
    """_render_marks for elements that nest, or were added out of document order."""
    if not _in_order(marks):
        marks = sorted(marks, key=_mark_order)
    # Each piece of text goes out with the tag after it, in one string (routing lines hold
    # a dozen elements and more: half the appends).
    out: list[str] = []
    pos = 0
    stack: list[tuple[int, str]] = []  # (end, tag) of the open elements
    for start, end, tag, fmt, inner in marks:
        while stack and stack[-1][0] <= start:
            top_end, top_tag = stack.pop()
            piece = text[pos:top_end]
            out.append(f"{piece if clean else _esc_text(piece, chars)}</{top_tag}>")
            pos = top_end
        if stack and end > stack[-1][0]:  # crossing spans cannot nest: keep it empty
            end = start
        lead = ""
        if start > pos:
            lead = text[pos:start]
            if not clean:
                lead = _esc_text(lead, chars)
            pos = start
        if start != end:
            out.append(f"{lead}<{tag}{fmt}>")
            stack.append((end, tag))
        elif inner:
            out.append(f"{lead}<{tag}{fmt}>{inner}</{tag}>")
        else:
            out.append(f"{lead}<{tag}{fmt}/>")
    while stack:
        top_end, top_tag = stack.pop()
        piece = text[pos:top_end]
        out.append(f"{piece if clean else _esc_text(piece, chars)}</{top_tag}>")
        pos = top_end
    piece = text[pos:]
    out.append(piece if clean else _esc_text(piece, chars))
    return "".join(out)


def _n(value: str) -> str:
    """@n for a value that differs from its characters or was not found."""
    if value.isalnum():  # the most frequent (a marking, a number): nothing to escape
        return f' n="{value}"'
    return _attr("n", _esc_value(value))


# Each _step_* does what the carrier's write does, on a _PCtx: (the field's value, ctx).
_Step = Callable[[Any, _PCtx], None]


def _step_span(c: Span) -> _Step:
    name, tag, locate, within = c.name, c.tag, c.locate, c.within
    typed = f' type="{c.type}"'
    if locate is None and within is None:
        return _step_span_found(name, tag, typed)

    def step(value: Any, ctx: _PCtx) -> None:
        if value is None:
            return
        text = ctx.text
        lo, hi = ctx.range(within)
        loc = locate(ctx, value, lo, hi) if locate is not None else _find(text, value, lo, hi)
        if loc is None:
            ctx.mark(ctx.cursor, ctx.cursor, tag, typed + _n(value), name)
            return
        s, e = loc
        ctx.mark(s, e, tag, typed if text[s:e] == value else typed + _n(value), name)
        ctx.advance(e, within)

    return step


def _step_span_found(name: str, tag: str, typed: str) -> _Step:
    """The most frequent Span: searched from the cursor to the end, most often found as it
    is (_find's first answer, taken here without a call)."""

    def step(value: Any, ctx: _PCtx) -> None:
        if value is None:
            return
        text = ctx.text
        cursor = ctx.cursor
        s = text.find(value, cursor)
        if s >= 0:
            e = s + len(value)
            fmt = typed
        else:
            loc = _find(text, value, cursor, len(text))
            if loc is None:
                s = e = cursor
                fmt = typed + _n(value)
            else:
                s, e = loc
                fmt = typed if text[s:e] == value else typed + _n(value)
        marks = ctx.marks
        if name not in ctx.at:
            ctx.at[name] = len(marks)
            if ctx.places:
                ctx.by_field[name] = _Place(s, e, tag)
        marks.append((s, e, tag, fmt, ""))
        if e > cursor:
            ctx.cursor = e

    return step


def _step_texts(c: Texts) -> _Step:
    name, tag, within = c.name, c.tag, c.within
    typed = f' type="{c.type}"'

    def step(items: Any, ctx: _PCtx) -> None:
        if not items:  # Texts.write then moves the cursor nowhere
            return
        lo, hi = ctx.range(within)
        text = ctx.text
        marks = ctx.marks
        first = len(marks)
        for item in items:
            s = text.find(item, lo, hi)
            if s >= 0:  # _find's first answer
                e = s + len(item)
                marks.append((s, e, tag, typed, ""))
                lo = e
                continue
            loc = _find(text, item, lo, hi)
            if loc is None:
                marks.append((lo, lo, tag, typed + _n(item), ""))
                continue
            s, e = loc
            marks.append((s, e, tag, typed if text[s:e] == item else typed + _n(item), ""))
            lo = e
        if name not in ctx.at:
            ctx.at[name] = first
            if ctx.places:
                s, e = marks[first][:2]
                ctx.by_field[name] = _Place(s, e, tag)
        ctx.advance(lo, within)

    return step


def _step_int(c: Int) -> _Step:
    name, locate, within = c.name, c.locate, c.within
    typed = f' type="{c.type}"'

    def step(value: Any, ctx: _PCtx) -> None:
        if value is None:
            return
        lo, hi = ctx.range(within)
        if locate is not None:
            loc = locate(ctx, value, lo, hi)
        else:
            loc = _find_int(ctx.text, value, lo, hi)
        s, e = loc if loc is not None else (ctx.cursor, ctx.cursor)
        ctx.mark(s, e, "num", typed + _attr("value", str(value)), name)
        if loc is not None:
            ctx.advance(e, within)

    return step


def _step_when(c: When) -> _Step:
    name, host, locate = c.name, c.host, c.locate
    typed = f' type="{c.type}"'

    def step(value: Any, ctx: _PCtx) -> None:
        if value is None:
            return
        when = _attr("when", _iso(value))
        if host is not None and ctx.host(host, when):
            return
        loc = locate(ctx, value, ctx.cursor, len(ctx.text)) if locate else None
        s, e = loc if loc is not None else (ctx.cursor, ctx.cursor)
        ctx.mark(s, e, "date", typed + when, name)
        if loc is not None:
            ctx.cursor = max(ctx.cursor, e)

    return step


def _step_cat(c: Cat) -> _Step:
    name, tax, host, locate, within = c.name, c.tax, c.host, c.locate, c.within
    typed = f' type="{c.type}"'

    def step(value: Any, ctx: _PCtx) -> None:
        if value is None:
            return
        # category ids are letters, digits, '.', '_' and '-': nothing to escape
        ana = f' ana="#{ctx.reg.cat(tax, value)}"'
        if host == ".":
            ctx.own += ana
            return
        if host is not None and ctx.host(host, ana):
            return
        lo, hi = ctx.range(within)
        loc = locate(ctx, value, lo, hi) if locate is not None else _find(ctx.text, value, lo, hi)
        s, e = loc if loc is not None else (ctx.cursor, ctx.cursor)
        ctx.mark(s, e, "seg", typed + ana, name)
        if loc is not None:
            ctx.advance(e, within)

    return step


def _step_cats(c: Cats) -> _Step:
    name, tax, locate, within = c.name, c.tax, c.locate, c.within
    typed = f' type="{c.type}"'

    def step(items: Any, ctx: _PCtx) -> None:
        if not items:
            return
        text = ctx.text
        cat = ctx.reg.cat
        i = ctx.at.get(within) if within is not None else None
        host = ctx.marks[i] if i is not None else None
        inside = host is not None and host[1] > host[0]
        lo, hi = (host[0], host[1]) if host is not None and inside else (ctx.cursor, len(text))
        for item in items:
            fmt = f'{typed} ana="#{cat(tax, item)}"'  # category ids: nothing to escape
            loc = locate(ctx, item, lo, hi) if locate is not None else _find(text, item, lo, hi)
            if loc is None and inside:
                inside = False  # not inside the host's span: look after it
                lo, hi = ctx.cursor, len(text)
                loc = locate(ctx, item, lo, hi) if locate is not None else _find(text, item, lo, hi)
            if loc is None:
                ctx.mark(ctx.cursor, ctx.cursor, "seg", fmt, name)
                continue
            ctx.mark(loc[0], loc[1], "seg", fmt, name)
            lo = loc[1]
            if not inside:
                ctx.cursor = max(ctx.cursor, loc[1])

    return step


def _step_flag(c: Flag) -> _Step:
    name, attr, tag, locate = c.name, c.attr, c.tag, c.locate
    if attr is not None:
        own = _attr(attr, c.attr_value)

        def on_part(value: Any, ctx: _PCtx) -> None:
            if value:
                ctx.own += own

        return on_part
    typed = f' type="{c.type}"'

    def step(value: Any, ctx: _PCtx) -> None:
        if not value:
            return
        loc = locate(ctx, value, ctx.cursor, len(ctx.text)) if locate else None
        s, e = loc if loc is not None else (ctx.cursor, ctx.cursor)
        ctx.mark(s, e, tag, typed, name)
        ctx.cursor = max(ctx.cursor, e)

    return step


def _step_attr(c: Attr) -> _Step:
    attr = c.attr

    def step(value: Any, ctx: _PCtx) -> None:
        if value is None:
            return
        if attr == "n":
            ctx.own += _attr("n", _esc_value(value))
        elif _WORD.fullmatch(value) is None:
            c.write(value, ctx)  # raises the carrier's own error
        else:
            ctx.own += _attr(attr, value)

    return step


def _step_host_attr(c: HostAttr) -> _Step:
    name, host, attr, tag = c.name, c.host, c.attr, c.tag
    typed = f' type="{c.type}"'

    def step(value: Any, ctx: _PCtx) -> None:
        if value is None:
            return
        formatted = _attr(attr, _esc_value(value))
        if not ctx.host(host, formatted):
            ctx.mark(ctx.cursor, ctx.cursor, tag, typed + formatted, name)

    return step


def _plan(spec: PartSpec) -> tuple[_Step, ...] | None:
    """The spec's carriers as write steps; None when the plans cannot write them as the
    carriers do: a carrier they do not know (Pairs, a new kind), two fields of one name, or
    two attributes that would meet on one element (a dict keeps one, a string both)."""
    carriers = spec.carriers
    names = [c.name for c in carriers]
    spans = {c.name for c in carriers if type(c) is Span}
    own: list[str] = []  # attributes of the part element, besides @type and the link's
    hosted: list[tuple[str, str]] = []  # (host field, attribute) set on another's element
    steps: list[_Step] = []
    for c in carriers:
        if type(c) is Span:
            steps.append(_step_span(c))
        elif type(c) is Texts:
            steps.append(_step_texts(c))
        elif type(c) is Int:
            steps.append(_step_int(c))
        elif type(c) is When:
            if c.host is not None:
                hosted.append((c.host, "when"))
            steps.append(_step_when(c))
        elif type(c) is Cat:
            if c.host == ".":
                own.append("ana")
            elif c.host is not None:
                hosted.append((c.host, "ana"))
            steps.append(_step_cat(c))
        elif type(c) is Cats:
            steps.append(_step_cats(c))
        elif type(c) is Flag:
            if c.attr is not None:
                own.append(c.attr)
            steps.append(_step_flag(c))
        elif type(c) is Attr:
            own.append(c.attr)
            steps.append(_step_attr(c))
        elif type(c) is HostAttr:
            hosted.append((c.host, c.attr))
            steps.append(_step_host_attr(c))
        else:
            return None
    if len(set(names)) != len(names) or len(set(own)) != len(own):
        return None
    if {"type", "xml:id", "corresp"} & set(own):
        return None
    if len(set(hosted)) != len(hosted):
        return None
    # Hosts are Span elements (@type, @n): the hosted attribute must be a third one.
    if any(h not in spans or a in ("type", "n") for h, a in hosted):
        return None
    return tuple(steps)


# A fast writer: (part, writer, element, whether @type names the kind, whether the element
# takes the addressee link) -> the element, or None for the generic writer to write it.
_FastWriter = Callable[[Any, "_Writer", str, bool, bool], "str | None"]


@cache
def _fast_writer(cls: type) -> _FastWriter | None:
    """The fast writer of a part type; None for the generic writer: a type the model does not
    name for its kind, fields no carrier names, a spec the plans cannot write."""
    kind = getattr(cls, "kind", None)
    spec = PART_SPECS.get(kind) if isinstance(kind, str) else None
    if spec is None or _PART_KINDS.get(spec.kind) is not cls or _generic_fields(cls):
        return None
    if cls is Addressee:
        return _addressee_writer(spec)
    if cls is Paragraph:
        return _paragraph_writer(spec)
    if issubclass(cls, PageBreak):  # written with its <pb/> by _Writer.page_break
        return None
    return _compiled_writer(spec)


def _compiled_writer(spec: PartSpec) -> _FastWriter | None:
    """The writer of a spec's compiled plan, or None where _plan cannot compile it."""
    steps = _plan(spec)
    if steps is None:
        return None
    locators = [getattr(c, "locate", None) for c in spec.carriers]
    places = any(f is not None and not _reads_text_only(f) for f in locators)
    return _plan_writer(steps, tuple(c.name for c in spec.carriers), f' type="{spec.kind}"', places)


# What _loc_regex makes: one code for every pattern.
_LOC_REGEX_CODE = _loc_regex(_RE_KEYWORD).__code__


def _reads_text_only(locate: Locator) -> bool:
    """Whether a locator reads nothing of its context but the text (the plans then keep no
    by_field for it)."""
    return (
        locate
        in (
            _loc_classification,
            _loc_marking,
            _loc_julian,
            _loc_line,
            _loc_reason,
        )
        or getattr(locate, "__code__", None) is _LOC_REGEX_CODE
    )


def _plan_writer(
    steps: tuple[_Step, ...], names: tuple[str, ...], typed: str, places: bool
) -> _FastWriter:
    if not steps:  # the verbatim text alone

        def text_only(part: Any, w: _Writer, tag: str, with_type: bool, link: bool) -> str:
            body = _esc_text(part.text, w.reg.chars)
            a = typed if with_type else ""
            return f"<{tag}{a}>{body}</{tag}>" if body else f"<{tag}{a}/>"

        return text_only

    named = tuple(zip(names, steps, strict=True))

    def write(part: Any, w: _Writer, tag: str, with_type: bool, link: bool) -> str | None:
        text = part.text
        # The writer's context, set as _PCtx.__init__ would make it: building an object for
        # each part costs more than all its steps for most parts (parts are written one at
        # a time, and no step writes another part).
        ctx = w.ctx
        ctx.text = text
        ctx.cursor = 0
        ctx.marks = []
        ctx.at = {}
        ctx.own = ""
        ctx.by_field = {}
        ctx.places = places
        for name, step in named:
            value = getattr(part, name)
            if value is not None:  # every step returns at once on None
                step(value, ctx)
        body = _render_marks(text, ctx.marks, w.reg.chars)
        a = typed + ctx.own if with_type else ctx.own
        return f"<{tag}{a}>{body}</{tag}>" if body else f"<{tag}{a}/>"

    return write


def _same_carriers(spec: PartSpec, expected: tuple[_Carrier, ...]) -> bool:
    """Whether the spec writes its fields as the expected carriers do (what a dedicated
    path spells out), whatever it keeps for reading (host_key)."""

    def shape(c: _Carrier) -> tuple[Any, ...]:
        fields = dataclasses.fields(c)  # type: ignore[arg-type]
        return (type(c), *(getattr(c, f.name) for f in fields if f.name != "host_key"))

    got = spec.carriers
    return len(got) == len(expected) and all(
        shape(a) == shape(b) for a, b in zip(got, expected, strict=True)
    )


# The addressee's elements after the keyword, in the carriers' order: (element, @type,
# whether the precedence's @ana goes on it, whether it is a Span: @n keeps a value written
# otherwise or not found; the normalized precedence is a Cat, on its own element when there is
# no raw one to host it).
_ADDRESSEE_FIELDS = (
    ("idno", ' type="routing-indicator"', False, True),
    ("orgName", ' type="addressee"', False, True),
    ("seg", ' type="precedence"', True, True),
    ("seg", ' type="precedence-normalized"', True, False),
    ("num", ' type="serial"', False, True),
)


def _addressee_writer(spec: PartSpec) -> _FastWriter | None:
    """Addressee lines (a third of all parts): the carriers' steps spelt out, the elements
    written as they are found, left to right."""
    keyword = spec.carriers[1] if len(spec.carriers) > 1 else None
    kw_locate = keyword.locate if isinstance(keyword, Flag) else None
    if kw_locate is None or not _same_carriers(
        spec,
        (
            Attr("role", "subtype"),
            Flag("keyword", tag="seg", type="keyword", locate=kw_locate),
            Span("routing_indicator", "idno", "routing-indicator"),
            Span("name", "orgName", "addressee"),
            Span("precedence_raw", "seg", "precedence"),
            Cat("precedence", "precedence-normalized", "precedence", host="precedence_raw"),
            Span("serial", "num", "serial"),
        ),
    ):
        return None

    def write(p: Addressee, w: _Writer, tag: str, with_type: bool, link: bool) -> str | None:
        role = p.role
        if role == "to" or role == "info":
            own = f' subtype="{role}"'
        elif role is None:
            own = ""
        elif _WORD.fullmatch(role) is None:
            return None  # the generic writer raises its error
        else:
            own = _attr("subtype", role)
        text = p.text
        size = len(text)
        chars = w.reg.chars
        clean = _plain_text(text)
        out: list[str] = []
        # Each element is found at or after the cursor, or stands empty at it, and moves the
        # cursor to its end: they come in document order, none inside another, and are
        # written as they are found (the cursor: where the text written so far ends).
        cursor = 0
        if p.keyword:
            loc = kw_locate(_WCtx(text, w.reg), True, 0, size)
            s, e = loc if loc is not None else (0, 0)
            if not 0 <= s <= e <= size:
                return None  # not a place in the text: the generic writer's business
            if s:
                out.append(text[:s] if clean else _esc_text(text[:s], chars))
            if s == e:
                out.append('<seg type="keyword"/>')
            else:
                piece = text[s:e]
                out.append(
                    f'<seg type="keyword">{piece if clean else _esc_text(piece, chars)}</seg>'
                )
            cursor = e
        precedence = p.precedence
        raw = p.precedence_raw
        # category ids are letters, digits, '.', '_' and '-': nothing to escape
        ana = "" if precedence is None else f' ana="#{w.reg.cat("precedence", precedence)}"'
        values = (p.routing_indicator, p.name, raw, precedence if raw is None else None, p.serial)
        for value, field in zip(values, _ADDRESSEE_FIELDS, strict=True):
            if value is None:  # most addressees have two or three fields of five
                continue
            el, typed, hosted, span = field
            after = ana if hosted else ""
            s = text.find(value, cursor)
            if s >= 0:  # _find's first answer
                e = s + len(value)
                attrs = typed + after
            else:
                loc = _find(text, value, cursor, size)
                if loc is None:
                    s = e = cursor
                    attrs = typed + _n(value) + after if span else typed + after
                else:
                    s, e = loc
                    n = span and text[s:e] != value
                    attrs = typed + _n(value) + after if n else typed + after
            if s > cursor:
                piece = text[cursor:s]
                out.append(piece if clean else _esc_text(piece, chars))
            if s == e:
                out.append(f"<{el}{attrs}/>")
            else:
                piece = text[s:e]
                out.append(f"<{el}{attrs}>{piece if clean else _esc_text(piece, chars)}</{el}>")
            cursor = e
        piece = text[cursor:]
        out.append(piece if clean else _esc_text(piece, chars))
        body = "".join(out)
        if with_type:
            own = ' type="addressee"' + own
        if link and (role == "to" or role == "info"):
            aid = f"addr-{len(w.addr_ids) + 1}"
            w.addr_ids.append(aid)
            own += f' xml:id="{aid}-line" corresp="#{aid}"'
        return f"<{tag}{own}>{body}</{tag}>" if body else f"<{tag}{own}/>"

    return write


def _paragraph_writer(spec: PartSpec) -> _FastWriter | None:
    """Paragraphs (the most frequent part): the carriers' steps spelt out on the first
    string of the content, the rest as _Writer.paragraph writes it."""
    if not _same_carriers(
        spec,
        (
            Attr("number", "n"),
            Span("marking", "seg", "portion-marking", locate=_loc_marking),
            Cat("section", "section", "section", host="."),
        ),
    ):
        return None

    def write(p: Paragraph, w: _Writer, tag: str, with_type: bool, link: bool) -> str | None:
        content = p.content
        if type(content) is not tuple:
            # The model's tuple: another sequence (a str, say) need not give its items back
            # as the same objects, which finding the first string relies on.
            return None
        first = content[0] if content else ""
        if type(first) is not str:
            first = ""
            for item in content:
                if isinstance(item, str):
                    first = item
                    break
        if not first:
            return None  # no string, or an empty one first: the generic writer's anchors
        chars = w.reg.chars
        own = "" if p.number is None else _n(p.number)
        marking = p.marking
        # The first string as (before, marking element, after): a paragraph of that string
        # alone (the most frequent) is then written with one copy of its text, not two.
        before = after = ""
        if marking is None:
            seg = _esc_text(first, chars)
        else:
            m = _marking_pattern(marking).search(first)  # _loc_marking from the start
            loc = m.span() if m is not None else _find(first, marking, 0, len(first))
            if loc is None:
                seg = f'<seg type="portion-marking"{_n(marking)}/>'
                after = _esc_text(first, chars)
            else:
                s, e = loc
                attrs = ' type="portion-marking"'
                if first[s:e] != marking:
                    attrs += _n(marking)
                # _plain_text, spelt out
                if first.isascii():
                    b = first.encode("ascii")
                    clean = b.translate(_TEXT_MOVE_SPECIAL) == b
                else:
                    clean = _TEXT_SPECIAL.search(first) is None
                if clean:
                    before, inside, after = first[:s], first[s:e], first[e:]
                else:
                    before, inside, after = (
                        _esc_text(x, chars) for x in (first[:s], first[s:e], first[e:])
                    )
                seg = f"<seg{attrs}/>" if s == e else f"<seg{attrs}>{inside}</seg>"
        section = p.section
        if section is not None:  # category ids: letters, digits, '.', '_' and '-'
            own += f' ana="#{w.reg.cat("section", section)}"'
        if len(content) == 1:
            return f"<p{own}>{before}{seg}{after}</p>"
        head = before + seg + after
        out: list[str] = []
        prev_str = False
        used_first = False
        for item in content:
            if isinstance(item, PageBreak):
                out.append(w.page_break(item))
                prev_str = False
                continue
            if prev_str or item == "":
                out.append('<anchor type="string"/>')  # two strings in a row, or an empty one
            if not used_first and item is first:
                out.append(head)
                used_first = True
            else:
                out.append(_esc_text(item, chars))
            prev_str = True
        return f"<p{own}>{''.join(out)}</p>"

    return write


def _write_part(p: Part, spec: PartSpec, w: _Writer, tag: str, with_type: bool, link: bool) -> str:
    """The part as an element: by its fast writer where it has one, else by _Writer.part
    (with the addressee link where `link`)."""
    if w.fast:
        cls: type = type(p)
        fast = _fast_writer(cls)
        if fast is not None:
            out = fast(p, w, tag, with_type, link)
            if out is not None:
                return out
    extra = _addressee_link(p, w) if link else None
    return w.part(p, tag, ptype=p.kind if with_type else None, extra=extra, spec=spec)


def _front(page: PageMetadata, w: _Writer) -> str:
    """The seed form's metadata block, verbatim, values marked where they stand."""
    layout = page.layout or ""
    ctx = _WCtx(layout, w.reg)
    for name, tag, typ in (
        ("identifier", "idno", "cable-id"),
        ("created", "date", "created"),
        ("released", "date", "released"),
        ("classification", "seg", "page-classification"),
        ("origin", "orgName", "origin"),
        ("title", "title", "page-title"),
    ):
        value = getattr(page, name)
        if value:
            loc = _find(layout, value, ctx.cursor, len(layout))
            if loc is not None and layout[loc[0] : loc[1]] == value:
                ctx.add(loc[0], loc[1], tag, {"type": typ}, name)
                ctx.cursor = loc[1]
    for tag_value in page.tags:
        loc = _find(layout, tag_value, ctx.cursor, len(layout))
        if loc is not None and layout[loc[0] : loc[1]] == tag_value:
            ctx.add(loc[0], loc[1], "term", {"type": "tag"}, "tags")
            ctx.cursor = loc[1]
    return (
        '<front><div type="page-metadata"><ab type="page-metadata">'
        + _render(layout, ctx.spans, w.reg)
        + "</ab></div></front>"
    )


# --- header ------------------------------------------------------------------------------------


def _h(tag: str, content: str = "", **attrs: str | None) -> str:
    """A header element; attribute xml_id is written xml:id, None values are left out."""
    a = ""
    for k, v in attrs.items():
        if v is None:
            continue
        if k == "xml_id":  # ids this module makes: letters, digits, '.', '_', '-'
            k = "xml:id"
        elif k != "type" and _ATTR_SPECIAL.search(v) is not None:  # @type: the profile's words
            v = v.translate(_ATTR_ESC)
        a += f' {k}="{v}"'
    return f"<{tag}{a}>{content}</{tag}>" if content else f"<{tag}{a}/>"


def _hx(s: str, w: _Writer) -> str:
    return _esc_text(s, w.reg.chars)


def _all_plain(values: Any) -> bool:
    """Whether text content holds every one of these strings (or None) as it is. Most header
    texts need no escaping: one check of them all together costs less than one each (no
    character _TEXT_SPECIAL matches stands across two joined strings, nor appears by it).
    None is a value not written, left out; any other value that is no string (a cable built
    by hand: 0, False) answers False, for the escaping of each value to refuse it as it
    refuses it alone, never to be written as an empty element."""
    try:
        return _plain_text("".join([v for v in values if v is not None]))
    except TypeError:
        return False


def _el(tag: str, content: str, attrs: str = "") -> str:
    """What _h writes, for attributes already formatted (the profile's constant words)."""
    return f"<{tag}{attrs}>{content}</{tag}>" if content else f"<{tag}{attrs}/>"


_PAGE_NAMED = frozenset(
    {
        "identifier",
        "created",
        "created_iso",
        "released",
        "released_iso",
        "classification",
        "origin",
        "title",
        "tags",
        "references",
        "layout",
    }
)
_CABLE_NAMED = frozenset({"parts", "page", "source_encoding", "final_newline"})


def _page_bibl(page: PageMetadata, w: _Writer) -> str:
    """The publisher's record of the cable (all of PageMetadata but the layout)."""
    chars = w.reg.chars
    # Its texts checked at once (see _all_plain): each is escaped only when one needs it.
    # A tag or reference of None is written, not left out: the escaping refuses it.
    items = (*page.tags, *page.references)
    plain = None not in items and _all_plain(
        (
            *(page.identifier, page.created, page.released, page.classification),
            *(page.origin, page.title, *items),
        )
    )
    out: list[str] = []
    if page.identifier is not None:
        v = page.identifier if plain else _esc_text(page.identifier, chars)
        out.append(_el("idno", v, ' type="cable-id"'))
    for name, verbatim, iso in (
        ("created", page.created, page.created_iso),
        ("released", page.released, page.released_iso),
    ):
        if verbatim is not None:
            when = _attr("when", _iso(iso)) if iso else ""
            v = verbatim if plain else _esc_text(verbatim, chars)
            out.append(_el("date", v, f' type="{name}"{when}'))
        elif iso is not None:
            out.append(f'<date type="{name}-normalized"{_attr("when", _iso(iso))}/>')
    if page.classification is not None:
        v = page.classification if plain else _esc_text(page.classification, chars)
        out.append(_el("note", v, ' type="classification"'))
    if page.origin is not None:
        v = page.origin if plain else _esc_text(page.origin, chars)
        out.append(_el("orgName", v, ' type="origin"'))
    if page.title is not None:
        v = page.title if plain else _esc_text(page.title, chars)
        out.append(_el("title", v, ' type="page-title"'))
    for t in page.tags:
        out.append(_el("term", t if plain else _esc_text(t, chars), ' type="tag"'))
    for r in page.references:
        out.append(_el("ref", r if plain else _esc_text(r, chars), ' type="reference"'))
    out.extend(_generic_header_fields(page, _PAGE_NAMED))
    return _el("bibl", "".join(out), ' type="page-metadata"')


@cache
def _unnamed_fields(cls: type, known: frozenset[str]) -> tuple[str, ...]:
    """The fields of a type not in `known`: looked up once per type, not per document."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.name not in known)


def _generic_header_fields(obj: Any, known: frozenset[str]) -> list[str]:
    """Fields of PageMetadata or Cable the profile does not name: <note type="field">."""
    out: list[str] = []
    cls: type = type(obj)
    names = _unnamed_fields(cls, known)
    if not names:
        return out
    defaults = _defaults(cls)
    for name in names:
        v = getattr(obj, name)
        if v == defaults[name]:
            continue
        if v is None:
            out.append(_h("note", type="field", subtype=name))
        elif isinstance(v, tuple):
            items = "".join(
                _h("seg", type="item", n=_scalar_out(x))
                if not isinstance(x, tuple)
                else _h(
                    "seg",
                    "".join(_h("seg", type="item", n=_scalar_out(y)) for y in x),
                    type="item",
                    n=str(len(x)),
                )
                for x in v
            )
            out.append(_h("note", items, type="field", subtype=name, n=str(len(v))))
        else:
            out.append(_h("note", type="field", subtype=name, n=_scalar_out(v)))
    return out


def _header(cable: Cable, view: CableView, w: _Writer) -> str:
    chars = w.reg.chars
    # fileDesc, in this order: escaping its text may declare characters (charDecl)
    title = view.subject or (f"Cable {view.id}" if view.id else "Cable")
    plain = _all_plain((title, view.id, cable.source_encoding))
    title_el = _el("title", title if plain else _esc_text(title, chars), ' type="main"')
    cable_id = ""
    if view.id is not None:
        cable_id = _el("idno", view.id if plain else _esc_text(view.id, chars), ' type="cable-id"')
    encoding = cable.source_encoding if plain else _esc_text(cable.source_encoding, chars)
    encoding = _el("note", encoding, ' type="source-encoding"')
    newline = "true" if cable.final_newline else "false"
    unnamed = "".join(_generic_header_fields(cable, _CABLE_NAMED))
    source = _ms_desc(cable, view, w) + (_page_bibl(cable.page, w) if cable.page else "")
    profile = _profile_desc(cable, view, w)
    enc = _encoding_desc(w)
    return (
        "<teiHeader>\n  <fileDesc>\n    "
        f"<titleStmt>{title_el}</titleStmt>\n    "
        f"<publicationStmt><authority>cablekit</authority>{cable_id}</publicationStmt>\n    "
        f'<notesStmt>{encoding}<note type="final-newline">{newline}</note>{unnamed}</notesStmt>'
        f"\n    <sourceDesc>{source}</sourceDesc>\n  </fileDesc>\n  "
        + enc
        + ("\n  " + profile if profile else "")
        + "\n</teiHeader>"
    )


def _ms_desc(cable: Cable, view: CableView, w: _Writer) -> str:
    chars = w.reg.chars
    banner: Banner | None = None
    de: Part | None = None
    for p in cable.parts:  # the first of each
        if banner is None and isinstance(p, Banner) and p.station and p.serial:
            banner = p
        if de is None and p.kind == "originator":
            de = p
        if banner is not None and de is not None:
            break
    ref = f"{banner.station} {banner.serial}" if banner is not None else None
    line = " ".join(de.text.split()) if de is not None else None
    plain = _all_plain((view.id, ref, line, view.origin))
    ident = ""
    if view.id is not None:
        ident = _el("idno", view.id if plain else _esc_text(view.id, chars), ' type="cable-id"')
    if ref is not None:
        ref = _el("idno", ref if plain else _esc_text(ref, chars))
        ident += f'<altIdentifier type="message-reference">{ref}</altIdentifier>'
    if line:  # the originator line's words, when it has any
        dl = _el("idno", line if plain else _esc_text(line, chars))
        ident += f'<altIdentifier type="transmission">{dl}</altIdentifier>'
    if not ident:
        ident = "<msName>unidentified cable</msName>"
    origin = ""
    if view.sent is not None or view.origin:
        place = ""
        if view.origin:
            place = _el("origPlace", view.origin if plain else _esc_text(view.origin, chars))
        origin = (
            "<history><origin>"
            + (f"<origDate{_attr('when', _iso(view.sent))}/>" if view.sent else "")
            + place
            + "</origin></history>"
        )
    admin = ""
    if view.decl_date is not None:
        decl = view.decl_date.isoformat()
        admin = (
            '<additional><adminInfo><availability status="restricted"><p>Declassify on '
            + _el("date", decl, _attr("when", decl))
            + "</p></availability></adminInfo></additional>"
        )
    return f"<msDesc><msIdentifier>{ident}</msIdentifier>{origin}{admin}</msDesc>"


def _profile_desc(cable: Cable, view: CableView, w: _Writer) -> str:
    chars = w.reg.chars
    received = [
        p for p in cable.parts if isinstance(p, Addressee) and (p.role == "to" or p.role == "info")
    ]
    # Its texts checked at once (see _all_plain): each is escaped only when one needs it.
    # Tags that are no tuple (None, built by hand) are no keywords, as `if view.tags` has it.
    values = [view.sender, view.signature, view.origin, *(view.tags or ())]
    for p in received:
        values.append(p.name)
        values.append(p.routing_indicator)
    plain = _all_plain(values)
    # One string built as it goes: the elements are few and short.
    sent = ""
    if view.sender:  # escaping leaves no text empty: the elements hold something
        sent += f"<orgName>{view.sender if plain else _esc_text(view.sender, chars)}</orgName>"
    if view.signature:
        v = view.signature if plain else _esc_text(view.signature, chars)
        sent += f"<persName>{v}</persName>"
    if view.origin:
        sent += f"<placeName>{view.origin if plain else _esc_text(view.origin, chars)}</placeName>"
    if view.sent is not None:
        sent += f"<date{_attr('when', _iso(view.sent))}/>"
    actions = f'<correspAction type="sent">{sent}</correspAction>' if sent else ""
    for i, p in enumerate(received, 1):
        name = p.name
        if name:
            inner = f"<orgName>{name if plain else _esc_text(name, chars)}</orgName>"
        elif name is None and p.routing_indicator is not None:
            ri = p.routing_indicator if plain else _esc_text(p.routing_indicator, chars)
            inner = _el("idno", ri, ' type="routing-indicator"')
        else:
            inner = "<orgName/>"
        # role is "to" or "info": no escaping
        n = str(i)
        actions += (
            f'<correspAction type="received" subtype="{p.role}" xml:id="addr-{n}"'
            f' corresp="#addr-{n}-line">{inner}</correspAction>'
        )
    classes = ""
    # ids of categories are letters, digits, '.', '_' and '-': no escaping
    if view.classification:
        cid = w.reg.cat("classification", view.classification)
        classes += f'<catRef scheme="#classification" target="#{cid}"/>'
    for c in view.caveats:
        classes += f'<catRef scheme="#handling" target="#{w.reg.cat("handling", c)}"/>'
    if view.tags:
        if plain:
            terms = "".join([f"<term>{t}</term>" if t else "<term/>" for t in view.tags])
        else:
            terms = "".join(
                [f"<term>{_esc_text(t, chars)}</term>" if t else "<term/>" for t in view.tags]
            )
        classes += f'<keywords scheme="#tags">{terms}</keywords>'
    out = ""
    if actions:
        out += "<correspDesc>" + actions + "</correspDesc>"
    if classes:
        out += "<textClass>" + classes + "</textClass>"
    return "<profileDesc>" + out + "</profileDesc>" if out else ""


# The constant pieces of encodingDesc: each taxonomy's opening (its id and description, this
# module's words: no escaping) and the tags taxonomy, always there and always empty.
_TAXONOMY_OPEN = {
    tax: f'<taxonomy xml:id="{tax}"><desc>{desc}</desc>' for tax, (_p, desc) in TAXONOMIES.items()
}
_TAGS_TAXONOMY = (
    '<taxonomy xml:id="tags"><desc>TAGS: subject, program and country tags</desc></taxonomy>'
)


def _encoding_desc(w: _Writer) -> str:
    out = (
        "<encodingDesc>\n    "
        f'<appInfo><application ident="cablekit" version="{_app_version()}">'
        "<label>cablekit</label></application></appInfo>"
    )
    if w.reg.chars:
        chars = "".join(
            _h(
                "char",
                _h("charName", f"CONTROL OR NON-CHARACTER U+{ord(c):04X}")
                + _h("mapping", f"U+{ord(c):04X}", type="codepoint"),
                xml_id=_char_id(c),
            )
            for c in sorted(w.reg.chars)
        )
        out += "\n    <charDecl>" + chars + "</charDecl>"
    by_tax: dict[str, list[tuple[str, str]]] = {}
    for (tax, value), cid in w.reg.cat_ids.items():
        found = by_tax.get(tax)
        if found is None:
            by_tax[tax] = [(value, cid)]
        else:
            found.append((value, cid))
    out += "\n    <classDecl>"
    for tax, opening in _TAXONOMY_OPEN.items():  # in the order of TAXONOMIES
        cats = by_tax.get(tax)
        if cats is None:
            continue
        out += opening
        for v, cid in sorted(cats) if len(cats) > 1 else cats:
            # ids are letters, digits, '.', '_' and '-'; a word of letters and digits is
            # written as it is (the most frequent)
            desc_text = v if v.isalnum() else _esc_text(_esc_value(v), w.reg.chars)
            cat_desc = f"<catDesc>{desc_text}</catDesc>" if desc_text else "<catDesc/>"
            out += f'<category xml:id="{cid}">{cat_desc}</category>'
        out += "</taxonomy>"
    return out + _TAGS_TAXONOMY + "</classDecl>\n  </encodingDesc>"


@cache
def _app_version() -> str:
    m = re.match(r"[0-9]+(?:\.[0-9]+){0,3}", __version__)
    return m[0] if m else "0"


# --- public: write -----------------------------------------------------------------------------


def dumps_str(cable: Cable) -> str:
    """The cable as a TEI document (not yet checked; dumps checks it)."""
    if cable.source_encoding != "utf-8":
        # What the reader would refuse is never written.
        problem = encodings.recorded_problem(cable.source_encoding, cable.telegram)
        if problem is not None:
            raise CablekitError(f"source_encoding: {problem}", code="TEI-WRITE")
    return _document(cable, _Writer())


def _document(cable: Cable, w: _Writer) -> str:
    """The document as `w` writes it (the fast writers, or with _Writer(fast=False) the
    generic one alone, which tests compare)."""
    front = ""
    if cable.page is not None and cable.page.layout is not None:
        front = _front(cable.page, w)
    body = _text_body(cable, w)
    header = _header(cable, cable.view, w)
    # one join: a chain of + would copy the header and body once per piece after them
    return "".join(
        (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<TEI xmlns="{TEI_NS}">\n',
            header,
            '\n<text xml:space="preserve">',
            front,
            body,
            "</text>\n</TEI>\n",
        )
    )


def dumps(cable: Cable) -> bytes:
    """The cable as TEI, checked against the profile's RELAX NG and Schematron first."""
    from cablekit.tei_schemas import check, parse

    try:
        data = dumps_str(cable).encode("utf-8")
    except (UnicodeEncodeError, ValueError) as e:
        # A model built by hand with what no document holds: a lone surrogate where
        # nothing escapes it, an integer of more digits than Python writes out.
        raise CablekitError(
            f"this cable cannot be written as TEI: {e}", "<tei output>", code="TEI-WRITE"
        ) from None
    tree = parse(data, "<tei output>")
    errors = [d for d in check(tree, "<tei output>") if d.severity == "error"]
    if errors:
        first = errors[0]
        raise CablekitError(
            f"the TEI written for this cable fails the profile: {first.code} {first.message}"
            + (f" at {first.pointer}" if first.pointer else ""),
            "<tei output>",
            first.line,
            None,
            code="TEI-WRITE",
        )
    return data


# --- reader ------------------------------------------------------------------------------------

_OPENER_WRAPPERS = {"dateline"}
_BLOCK_TAGS = {"ab", "fw", "p", "note", "closer"}


def _read_doc(
    tree: etree._ElementTree, source: str | None, where: list[etree._Element] | None = None
) -> Cable:
    """The cable a checked document holds; `where` (when given) gets each part's element."""
    root = tree.getroot()
    header = _child(root, _T + "teiHeader")
    text = _child(root, _T + "text")
    if header is None or text is None:  # the grammar requires both
        raise CablekitError("not a cable TEI document", source, 1, None, code="TEI-MODEL")
    doc = _Doc(source, _read_categories(header), {})
    doc.chars = _read_chars(header, doc)
    page, final_newline, encoding, extra = _read_header(header, doc)
    front = _child(text, _T + "front")
    if front is not None:
        if page is None:
            raise _err(doc, front, "a page metadata block without the publisher's record")
        block = front.find(f"{_T}div/{_T}ab")
        if block is None:  # the grammar requires it
            raise _err(doc, front, "the page metadata block is missing")
        for el in (front, front[0]):
            _reject_text(el, doc)
        page = dataclasses.replace(page, layout=_text_of(block, doc))
    body = _child(text, _T + "body")
    parts: list[Part] = []
    _reject_text(text, doc)
    if body is not None:
        _reject_text(body, doc)
        readers = _fast_readers()
        for div in body:
            if not isinstance(div.tag, str):
                continue
            _read_division(div, doc, parts, where, readers)
    kwargs: dict[str, Any] = {"parts": tuple(parts), "page": page}
    if final_newline is not None:
        kwargs["final_newline"] = final_newline
    if encoding is not None:
        kwargs["source_encoding"] = encoding
    kwargs.update(extra)
    cable = Cable(**kwargs)
    _check_header(header, cable, doc)
    if cable.source_encoding != "utf-8":
        problem = encodings.recorded_problem(cable.source_encoding, cable.telegram)
        if problem is not None:
            note = header.find(f"{_T}fileDesc/{_T}notesStmt")
            raise _err(doc, header if note is None else note, f"source-encoding: {problem}")
    return cable


# Header values the writer derives from the text that the Schematron cannot recompute in
# XPath 1 (the cable id's fallbacks, the title's, the origin title-cased from the FM line),
# each from the element at the end of a path from the teiHeader.
_DERIVED_PATHS = (
    ("id", "fileDesc/publicationStmt/idno"),
    ("id", "fileDesc/sourceDesc/msDesc/msIdentifier/idno"),
    ("title", "fileDesc/titleStmt/title"),
    ("origin", "fileDesc/sourceDesc/msDesc/history/origin/origPlace"),
)


@cache
def _derived_paths() -> tuple[tuple[str, Callable[[etree._Element], Any]], ...]:
    """Per value of _DERIVED_PATHS, the XPath of its element (compiled once): what el.find()
    of the path gives, the first element down it in document order, found by libxml2 with
    no element made on the way (a walk in Python makes each step's elements before it)."""
    xpath = _etree().XPath
    ns = {"t": TEI_NS}
    return tuple(
        (name, xpath(f"({'/'.join('t:' + step for step in path.split('/'))})[1]", namespaces=ns))
        for name, path in _DERIVED_PATHS
    )


def _check_header(header: etree._Element, cable: Cable, doc: _Doc) -> None:
    """Refuse a header whose id, title or origin is not what the text gives (TEI-HEADER)."""
    view = derive(cable)  # cable.view, without the import it makes on each call
    derived = {
        "id": view.id,
        "title": view.subject or (f"Cable {view.id}" if view.id else "Cable"),
        "origin": view.origin or None,
    }
    for name, path in _derived_paths():
        found_els = path(header)
        el = found_els[0] if found_els else None
        expected = derived[name]
        found = None if el is None else _text_of(el, doc)
        if found == expected:
            continue  # the same with the title's spaces compared as one
        if name == "title" and found is not None and expected is not None:
            found, expected = " ".join(found.split()), " ".join(expected.split())
        if found != expected:
            where = header if el is None else el
            raise _err(
                doc,
                where,
                f"the header's {name} is {found!r} but the text gives {expected!r}",
                "TEI-HEADER",
            )


def _reject_text(el: etree._Element, doc: _Doc) -> None:
    if el.text:
        raise _err(doc, el, "characters outside any part of the telegram", "TEI-TEXT")
    for ch in el:
        if ch.tail:
            raise _err(doc, ch, "characters outside any part of the telegram", "TEI-TEXT")


# What an element directly in a division, or in an opener, is to the reader, by its tag: the
# local names it goes by stand for the tag in the TEI namespace and for the bare one.
_DIVISION, _OPENER, _CLOSER, _DATELINE, _NO_PART = range(5)
_IN_DIVISION = {
    tag: what
    for name, what in (
        ("div", _DIVISION),
        ("opener", _OPENER),
        ("closer", _CLOSER),
        ("pb", _NO_PART),
    )
    for tag in (name, _T + name)
}
_IN_OPENER = {
    tag: what
    for name, what in (*((w, _DATELINE) for w in _OPENER_WRAPPERS), ("pb", _NO_PART))
    for tag in (name, _T + name)
}


def _reject_text_of(el: etree._Element, kids: list[etree._Element], doc: _Doc) -> None:
    """_reject_text on an element whose children the caller holds (each proxy made once)."""
    if el.text:
        _reject_text(el, doc)
    for ch in kids:
        if ch.tail:
            _reject_text(el, doc)


def _read_division(
    div: etree._Element,
    doc: _Doc,
    parts: list[Part],
    where: list[etree._Element] | None,
    readers: dict[str, _FastReader],
) -> None:
    """The parts of a division, in order, into parts (readers: _fast_readers(), looked up
    once per document)."""
    # The children at once: lxml makes the slice for less than an iterator yields them (the
    # stubs know no slice of an element).
    kids: list[etree._Element] = div[:]  # type: ignore[index, assignment]
    _reject_text_of(div, kids, doc)
    for ch in kids:
        tag = ch.tag
        if not isinstance(tag, str):
            continue
        what = _IN_DIVISION.get(tag)
        if what is None:
            # _read_part, inline: most children of a division are parts, read fast.
            fast = readers.get(_KIND_OF_TAG.get(tag) or ch.get(_B_TYPE))  # type: ignore[arg-type]
            part = None if fast is None else fast(ch, doc)
            if part is None:
                part = _read_part_fully(ch, doc, _part_kind(ch, doc))
            parts.append(part)
            if where is not None:
                where.append(ch)
        elif what == _DIVISION:
            _read_division(ch, doc, parts, where, readers)
        elif what == _OPENER:
            items: list[etree._Element] = ch[:]  # type: ignore[index, assignment]
            _reject_text_of(ch, items, doc)
            for item in items:
                item_tag = item.tag
                if not isinstance(item_tag, str):
                    continue
                kind = _IN_OPENER.get(item_tag)
                if kind == _NO_PART:
                    continue
                if kind == _DATELINE:
                    _reject_text(item, doc)
                    inner = [x for x in item if isinstance(x.tag, str)]
                    if len(inner) != 1:
                        raise _err(doc, item, "a dateline holds exactly one part")
                    item = inner[0]
                fast = readers.get(_KIND_OF_TAG.get(item.tag) or item.get(_B_TYPE))  # type: ignore[arg-type]
                part = None if fast is None else fast(item, doc)
                if part is None:
                    part = _read_part_fully(item, doc, _part_kind(item, doc))
                parts.append(part)
                if where is not None:
                    where.append(item)
        elif what == _CLOSER:
            _reject_text(ch, doc)
            inner = [x for x in ch if isinstance(x.tag, str)]
            if len(inner) != 1 or _local(inner[0]) != "signed":
                raise _err(doc, ch, "a closer holds exactly one <signed>")
            parts.append(_read_part(inner[0], doc, "signed"))
            if where is not None:
                where.append(inner[0])


def _part_kind(el: etree._Element, doc: _Doc, name: str | None = None) -> str:
    if name is None:
        name = _local(el)
    if name == "p":
        return "paragraph"
    if name == "signed":
        return "signature"
    kind = el.get("type")
    if kind is None or kind not in PART_SPECS:
        raise _err(doc, el, f"<{name} type={kind!r}> is not a part of a telegram", "TEI-PART")
    return kind


_KIND_OF_TAG = {
    tag: kind
    for name, kind in (("p", "paragraph"), ("signed", "signature"))
    for tag in (name, _T + name)
}


def _read_part(el: etree._Element, doc: _Doc, name: str | None = None) -> Part:
    """The part an element holds (name: its local name, when the caller has it): the fast
    reading of its kind when it has one and the part is ordinary, else the full reading."""
    # The kind as _part_kind gives it, that one checking it (and refusing) on the full path.
    kind = _KIND_OF_TAG.get(el.tag) or el.get("type")
    fast = None if kind is None else _fast_readers().get(kind)
    if fast is not None:
        part = fast(el, doc)
        if part is not None:
            return part
    return _read_part_fully(el, doc, _part_kind(el, doc, name))


def _read_part_fully(el: etree._Element, doc: _Doc, kind: str) -> Part:
    """The part an element of that kind holds, every check made in the order the profile
    documents them: the reference reading, and where each refusal comes from."""
    if kind == "paragraph":
        return _read_paragraph(el, doc, PART_SPECS[kind])
    cls = _PART_KINDS[kind]
    spec, allowed, gens = _read_plan(cls)
    index = _field_index(el, doc, spec, allowed)
    rc = _RCtx(el, doc, index)
    kwargs = _read_fields(rc, spec, gens)
    kwargs["text"] = _text_of(el, doc)
    return _construct(cls, kwargs, el, doc)  # type: ignore[no-any-return]


def _construct(cls: type, kwargs: dict[str, Any], el: etree._Element, doc: _Doc) -> Any:
    try:
        return cls(**kwargs)
    except TypeError as e:
        raise _err(doc, el, f"cannot rebuild the part: {e}") from None


@cache
def _allowed(cls: type) -> dict[tuple[str, str | None], frozenset[str]]:
    """Per (element, @type) of a field, and for the part element itself under (".", None), the
    attributes the mapping writes; anything else in a document would be silently dropped."""
    spec = PART_SPECS[cls.kind]  # type: ignore[attr-defined]
    out: dict[tuple[str, str | None], set[str]] = {(".", None): {"type"}}
    if spec.kind == "addressee":
        out[(".", None)] |= {_XML_ID, "corresp"}
    for c in spec.carriers:
        for key, attrs in c.attributes().items():
            out.setdefault(key, set()).update(attrs)
    if _generic_fields(cls):
        out[("seg", "field")] = {"type", "subtype", "n"}
        out[("seg", "item")] = {"type", "n"}
    return {k: frozenset(v) for k, v in out.items()}


def _check_attributes(el: etree._Element, allowed: frozenset[str], doc: _Doc, kind: str) -> None:
    for name in el.keys():  # noqa: SIM118  (an element's attribute names)
        if name not in allowed:
            what = name if isinstance(name, str) else name.decode()
            raise _err(doc, el, f"@{what} is not read from this element of a {kind} part")


@cache
def _read_plan(
    cls: type,
) -> tuple[PartSpec, dict[tuple[str, str | None], frozenset[str]], tuple[Any, ...]]:
    """What reading a part of this model type needs: its spec, the attributes each of its
    elements may carry, and its fields the spec does not name."""
    return PART_SPECS[cls.kind], _allowed(cls), _generic_fields(cls)  # type: ignore[attr-defined]


def _field_index(
    el: etree._Element,
    doc: _Doc,
    spec: PartSpec,
    allowed: dict[tuple[str, str | None], frozenset[str]],
) -> dict[tuple[str, str | None], list[etree._Element]]:
    own = allowed[(".", None)]
    if not own.issuperset(el.keys()):
        _check_attributes(el, own, doc, spec.kind)
    index: dict[tuple[str, str | None], list[etree._Element]] = {}
    for d in el.iterdescendants(_ANY_TEI):
        name = d.tag[_TLEN:]
        if name == "g":
            continue
        key = (name, d.get("type"))
        attrs = allowed.get(key)
        if attrs is None:
            raise _err(doc, d, f"<{name} type={key[1]!r}> is not a field of a {spec.kind} part")
        if not attrs.issuperset(d.keys()):
            _check_attributes(d, attrs, doc, spec.kind)
        found = index.get(key)
        if found is None:
            index[key] = [d]
        else:
            found.append(d)
    return index


def _read_fields(
    rc: _RCtx, spec: PartSpec, gens: tuple[tuple[str, Any, Any], ...]
) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for c in spec.carriers:
        found, value = c.read(rc)
        if found:
            kwargs[c.name] = value
    if gens:
        kwargs.update(_generic_read(rc, gens))
    return kwargs


def _generic_read(rc: _RCtx, gens: tuple[tuple[str, Any, Any], ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    hints = {name: hint for name, hint, _ in gens}
    for el in rc.index.get(("seg", "field"), []):
        name = el.get("subtype") or ""
        if name not in hints:
            raise _err(rc.doc, el, f"{name!r} is not a field of this part")
        out[name] = _generic_value(el, hints[name], rc.doc)
    return out


def _generic_value(el: etree._Element, hint: Any, doc: _Doc) -> Any:
    raw = el.get("n")
    try:
        if raw is None:
            return None
        item_hint = _tuple_item_hint(hint)
        if item_hint is None:
            return _scalar_in(raw, hint)
        items = [x for x in el if isinstance(x.tag, str)]
        if typing.get_origin(item_hint) is tuple:
            sub_hints = typing.get_args(item_hint)
            return tuple(
                tuple(
                    _scalar_in(y.get("n") or "", sub_hints[min(i, len(sub_hints) - 1)])
                    for i, y in enumerate(x)
                    if isinstance(y.tag, str)
                )
                for x in items
            )
        return tuple(_scalar_in(x.get("n") or "", item_hint) for x in items)
    except ValueError as e:
        raise _err(doc, el, f"bad value: {e}") from None


def _read_paragraph(el: etree._Element, doc: _Doc, spec: PartSpec) -> Paragraph:
    """Strings and page breaks in order; an <anchor type="string"/> starts a string.

    The writer marks every string of the content that is empty with an anchor; fields with
    no string to stand in (a paragraph whose content has none) are written as empty
    elements alone. So a run of empty field elements that no anchor began holds no string.
    """
    content: list[str | PageBreak] = []
    cur: list[str] | None = None  # the string being read, once one has started
    anchored = False  # whether it began with an anchor
    fields_els: list[etree._Element] = []
    if el.text:
        cur = [el.text]
    for ch in el:
        tag = ch.tag
        if isinstance(tag, str):
            name = tag[_TLEN:] if tag.startswith(_T) else tag
            if name == "fw" and ch.get("type") == "page-break":
                if cur is not None:
                    if anchored or any(cur):
                        content.append("".join(cur))
                    cur = None
                content.append(_read_part(ch, doc, name))  # type: ignore[arg-type]
            elif name == "anchor" and ch.get("type") == "string":
                if cur is not None and (anchored or any(cur)):
                    content.append("".join(cur))
                cur = []
                anchored = True
            elif name == "pb":
                pass
            else:
                if cur is None:
                    cur = []
                    anchored = False
                if name == "g":
                    cur.append(_g_char(ch, doc))
                else:
                    fields_els.append(ch)
                    cur.append(_text_of(ch, doc))
        if ch.tail:
            if cur is None:
                cur = []
                anchored = False
            cur.append(ch.tail)
    if cur is not None and (anchored or any(cur)):
        content.append("".join(cur))
    index: dict[tuple[str, str | None], list[etree._Element]] = {}
    allowed = _allowed(Paragraph)
    own = allowed[(".", None)]
    if not own.issuperset(el.keys()):
        _check_attributes(el, own, doc, "paragraph")
    for f in fields_els:
        for d in f.iter(_ANY_TEI):
            name = d.tag[_TLEN:]
            if name == "g":
                continue
            key = (name, d.get("type"))
            attrs = allowed.get(key)
            if attrs is None:
                raise _err(doc, d, f"<{name} type={key[1]!r}> is not a field of a paragraph")
            if not attrs.issuperset(d.keys()):
                _check_attributes(d, attrs, doc, "paragraph")
            found = index.get(key)
            if found is None:
                index[key] = [d]
            else:
                found.append(d)
    rc = _RCtx(el, doc, index)
    kwargs = _read_fields(rc, spec, _generic_fields(Paragraph))
    kwargs["content"] = tuple(content)
    return _construct(Paragraph, kwargs, el, doc)  # type: ignore[no-any-return]


# --- the fast reading of ordinary parts ---------------------------------------------------------
#
# Nearly every part is ordinary: field elements the mapping writes, at most one of each kind a
# carrier reads as one, each with attributes the mapping writes, values where the writer puts
# them, and no comment, <g/> or foreign markup. Such a part is read in one walk over its
# descendants, each element handing its value to its field as a plan compiled once per part
# type says, where the full reading indexes the elements first and then asks each carrier.
# The fast reading decides nothing on its own: at the first thing that is not ordinary
# (anything the full reading would refuse, or reads in a way the plan does not cover) it gives
# up with None and the full reading runs on that part, so values and refusals stay exactly
# the full reading's. tests/test_tei_reader_paths.py holds the two readings to that.

_Key = tuple[str, str | None]  # (element tag with its namespace, @type)
if TYPE_CHECKING:
    _FastReader = Callable[[etree._Element, _Doc], Part | None]


class _Unsure(Exception):
    """Raised inside a fast reading: this part is the full reading's to decide."""


# A value from an attribute, as the carrier's `read` converts it:
_CONV_AS_IS = 0  # Attr (@subtype ...)
_CONV_UNESCAPED = 1  # Attr on @n, HostAttr
_CONV_CATEGORY = 2  # the value of the category it points to; arg: the taxonomy (Cat, Cats)
_CONV_WHEN = 3  # an ISO date or datetime; arg: date or datetime (When)
_CONV_INT = 4  # Int
_CONV_FLAG = 5  # True, when it holds the one value a Flag writes (arg)
_CONVERTED_ATTR = {
    _CONV_CATEGORY: b"ana",
    _CONV_WHEN: b"when",
    _CONV_INT: b"value",
}  # on a field element

# Attribute names as the fast reading looks them up: lxml takes a name as bytes without
# encoding it first, which a lookup of every element's @type makes worth it.
_B_TYPE = b"type"
_B_N = b"n"
_B_XML_ID = _XML_ID.encode()
_B_ANA = b"ana"

# What a field element gives its own field, besides those conversions of an attribute:
_TEXT = -1  # @n unescaped, else its characters (Span, Texts)
_PRESENT = -2  # True for being there (Flag)
_NOTHING = -3  # nothing (an element only checked and counted)
_NOT_ORDINARY = -4  # the element of a value the writer puts on another field's element


def _convert(how: int, arg: Any, v: str | None, doc: _Doc) -> Any:
    """An attribute's value as the carrier reads it; what it would refuse is the full
    reading's."""
    if how == _CONV_CATEGORY:
        cat = doc.cats.get(v)  # type: ignore[arg-type]  # None: no category
        if cat is None or cat[0] != arg:
            raise _Unsure
        return cat[1]
    if v is None:
        raise _Unsure
    if how == _CONV_AS_IS:
        return v
    if how == _CONV_UNESCAPED:
        return _unesc_value(v)
    if how == _CONV_WHEN:
        try:
            if arg is datetime:
                return datetime.fromisoformat(v)
            if "T" in v:
                raise _Unsure
            return date.fromisoformat(v)
        except ValueError:
            raise _Unsure from None
    if how == _CONV_INT:
        if _INT.fullmatch(v) is None:
            raise _Unsure
        try:
            return int(v)
        except ValueError:  # more digits than int() takes: the full reading's to raise
            raise _Unsure from None
    if v != arg:  # _CONV_FLAG
        raise _Unsure
    return True


class _Field(typing.NamedTuple):
    """What the fast reading does with one kind of field element (its @type)."""

    tag: str  # its tag, with the namespace
    attrs: frozenset[str]  # the attributes it may carry
    bit: int  # read as one element: its bit in the mask of those seen (a second one is the
    # full reading's to refuse); 0 when read as a list
    value: int  # what it gives its own field: _TEXT, _PRESENT, a conversion of an attribute...
    arg: Any
    slot: int  # that field (its position in the dataclass)
    several: bool  # that field is the tuple of the values of all such elements, in order
    hosted: tuple[tuple[bytes, int, Any, int], ...]  # (attr, conversion, arg, slot) of the
    # values of other fields it carries, each taken when the attribute is there


@dataclass(frozen=True, slots=True)
class _Plan:
    """The fast reading of one part type."""

    cls: type
    own: frozenset[str]  # the attributes the part element may carry
    on_part: tuple[tuple[bytes, int, Any, int], ...]  # fields in its attributes: (attr,
    # conversion, arg, slot), each taken when the attribute is there
    fields: dict[str | None, _Field]  # by @type: within a part type, no two kinds of field
    # element share one
    start: tuple[Any, ...]  # per model field, its value when nothing gives one
    verbatim: int  # the position of `text` (a paragraph's `content`)


def _tei_key(key: tuple[str, str | None]) -> _Key:
    return (_T + key[0], key[1])


@cache
def _reading_plan(cls: type) -> _Plan | None:
    """The fast reading of a part type, as its spec's carriers read; None when a field is
    beyond it (a carrier of another type, a field the spec does not name, a field without a
    plain default to stand for it when absent)."""
    spec, allowed, gens = _read_plan(cls)
    model = dataclasses.fields(cls)
    slots = {f.name: i for i, f in enumerate(model)}
    verbatim = slots.get("content" if cls is Paragraph else "text", -1)
    if gens or verbatim < 0 or any(not f.init or f.kw_only for f in model):
        return None
    start: list[Any] = [f.default for f in model]
    if any(v is dataclasses.MISSING for i, v in enumerate(start) if i != verbatim):
        return None  # required, or built by a factory: nothing stands for "absent"
    values: dict[_Key, tuple[int, Any, int, bool]] = {}  # key -> (value, arg, slot, several)
    ones: set[_Key] = set()
    hosted: dict[_Key, list[tuple[str, int, Any, int]]] = {}
    on_part: list[tuple[str, int, Any, int]] = []
    taken: set[int] = {verbatim}

    def element(key: _Key, value: int, arg: Any, slot: int, several: bool = False) -> bool:
        if key in values:
            return False  # two fields from one kind of element
        values[key] = (value, arg, slot, several)
        if several:
            start[slot] = ()  # the carrier passes an empty tuple, not the default
        else:
            ones.add(key)
        return True

    def host(key: tuple[str, str], own: _Key, attr: str, how: int, arg: Any, slot: int) -> bool:
        # Read as one on both (the carrier's `one`); its own element is left to the full
        # reading, which gives the host's attribute precedence over it.
        ones.update((_tei_key(key), own))
        hosted.setdefault(_tei_key(key), []).append((attr, how, arg, slot))
        return element(own, _NOT_ORDINARY, None, slot)

    for c in spec.carriers:
        slot = slots.get(c.name, -1)
        if slot < 0 or slot in taken:
            return None
        taken.add(slot)
        if type(c) is Span or type(c) is Texts:
            ok = element((_T + c.tag, c.type), _TEXT, None, slot, type(c) is Texts)
        elif type(c) is Int:
            ok = element((_T + "num", c.type), _CONV_INT, None, slot)
        elif type(c) is When:
            own = (_T + "date", c.type)
            if c.host_key is None:
                ok = element(own, _CONV_WHEN, c.kind, slot)
            else:
                ok = host(c.host_key, own, "when", _CONV_WHEN, c.kind, slot)
        elif type(c) is Cat:
            seg = (_T + "seg", c.type)
            if c.host == ".":
                on_part.append(("ana", _CONV_CATEGORY, c.tax, slot))
                ok = True
            elif c.host_key is None:
                ok = element(seg, _CONV_CATEGORY, c.tax, slot)
            else:
                ok = host(c.host_key, seg, "ana", _CONV_CATEGORY, c.tax, slot)
        elif type(c) is Cats:
            ok = element((_T + "seg", c.type), _CONV_CATEGORY, c.tax, slot, True)
        elif type(c) is Flag:
            start[slot] = False  # the carrier passes False, not the default
            if c.attr is not None:
                on_part.append((c.attr, _CONV_FLAG, c.attr_value, slot))
                ok = True
            else:
                ok = element((_T + c.tag, c.type), _PRESENT, None, slot)
        elif type(c) is Attr:
            on_part.append((c.attr, _CONV_UNESCAPED if c.attr == "n" else _CONV_AS_IS, None, slot))
            ok = True
        elif type(c) is HostAttr:
            own = (_T + c.tag, c.type)
            ok = host(c.host_key, own, c.attr, _CONV_UNESCAPED, None, slot)
        else:
            return None  # a carrier type the fast reading does not know
        if not ok:
            return None
    fields: dict[str | None, _Field] = {}
    bits = 0
    for k, attrs in allowed.items():
        if k == (".", None):
            continue
        key = _tei_key(k)
        value, arg, slot, several = values.get(key, (_NOTHING, None, -1, False))
        if several and key in ones:
            return None  # read as one by a field and as a list by another
        if k[1] in fields:
            return None  # two kinds of field element with one @type
        bit = 1 << bits if key in ones else 0
        bits += key in ones
        carried = tuple((a.encode(), *rest) for a, *rest in hosted.get(key, ()))
        fields[k[1]] = _Field(key[0], attrs, bit, value, arg, slot, several, carried)
    own_attrs = allowed[(".", None)]
    on = tuple((a.encode(), how, arg, slot) for a, how, arg, slot in on_part)
    return _Plan(cls, own_attrs, on, fields, tuple(start), verbatim)


def _plain_chars(el: etree._Element) -> str:
    """_text_of for an element holding markup: all its characters, joined by libxml2, which
    _text_of gives too when there is no <g/> inside; the walk gives up on a <g/> (where
    _text_of would read, or refuse, the character it stands for), so what it reads of an
    element whose walk goes through is the same."""
    # encoding=str: the same text as "unicode", told apart without comparing a string.
    text: str = _etree().tostring(el, method="text", encoding=str, with_tail=False)
    return text


def _gather(
    fields: dict[str | None, _Field],
    elements: list[etree._Element],
    vals: list[Any],
    doc: _Doc,
    seen: int,
) -> int:
    """Field elements of an ordinary part into vals, in document order: these elements and
    the descendants of each after it (seen: the mask of those read as one so far, returned
    updated). Anything else (a comment, a <g/>, an element of no field) is not ordinary.
    The walk is by children: it costs less than by descendants, and most field elements
    hold no markup; the children come as one slice (el[:]), which lxml makes for less than
    an iterator yields them."""
    for d in elements:
        f = fields.get(d.get(_B_TYPE))
        if f is None:
            raise _Unsure
        tag, attrs, bit, how, arg, slot, several, hosted = f
        names = d.keys()
        if d.tag != tag or not attrs.issuperset(names):
            raise _Unsure
        if bit:
            if seen & bit:
                raise _Unsure
            seen |= bit
        nested = len(d)
        v: Any
        if how == _TEXT:  # _RCtx.str_value
            # Looked up only when named: most such elements carry their @type alone.
            n = d.get(_B_N) if "n" in names else None
            if n is None:
                v = _plain_chars(d) if nested else d.text or ""
            else:
                v = n if "\\" not in n else _unesc_value(n)
        elif how == _CONV_CATEGORY:  # _convert's, inline: the conversion most elements need
            cat = doc.cats.get(d.get(_B_ANA))  # type: ignore[arg-type]  # None: no category
            if cat is None or cat[0] != arg:
                raise _Unsure
            v = cat[1]
        elif how >= 0:
            v = _convert(how, arg, d.get(_CONVERTED_ATTR[how]), doc)
        elif how == _PRESENT:
            v = True
        elif how == _NOT_ORDINARY:
            raise _Unsure
        if how != _NOTHING:
            if several:
                vals[slot] += (v,)
            else:
                vals[slot] = v
        if hosted:
            for attr, conversion, carg, cslot in hosted:
                hv = d.get(attr)
                if hv is not None:
                    vals[cslot] = _convert(conversion, carg, hv, doc)
        if nested:
            seen = _gather(fields, d[:], vals, doc, seen)  # type: ignore[index, arg-type]
    return seen


def _read_on_part(plan: _Plan, el: etree._Element, vals: list[Any], doc: _Doc) -> None:
    """The fields of an ordinary part in attributes of its element, into vals."""
    for attr, how, arg, slot in plan.on_part:
        v = el.get(attr)
        if v is not None:
            if how == _CONV_AS_IS:
                vals[slot] = v
            elif how == _CONV_UNESCAPED:  # a paragraph's number: _convert's, inline
                vals[slot] = v if "\\" not in v else _unesc_value(v)
            else:
                vals[slot] = _convert(how, arg, v, doc)


def _read_fast(plan: _Plan, el: etree._Element, doc: _Doc) -> Part | None:
    """The part an ordinary element holds, None when it is not ordinary."""
    if not plan.own.issuperset(el.keys()):
        return None
    vals = list(plan.start)
    try:
        if len(el):
            _gather(plan.fields, el[:], vals, doc, 0)  # type: ignore[index, arg-type]
            # All its descendants being field elements (no <g/>, comment...), its text as
            # _text_of gives it is all its characters, which libxml2 joins in one call.
            vals[plan.verbatim] = _plain_chars(el)
        else:
            vals[plan.verbatim] = el.text or ""
        if plan.on_part:
            _read_on_part(plan, el, vals, doc)
    except _Unsure:
        return None
    try:
        return plan.cls(*vals)  # type: ignore[no-any-return]
    except TypeError:
        return None


_FW = _T + "fw"
_ANCHOR = _T + "anchor"
_PB = _T + "pb"


def _read_paragraph_fast(plan: _Plan, breaks: _Plan, el: etree._Element, doc: _Doc) -> Part | None:
    """_read_paragraph for an ordinary paragraph (field elements with no markup inside, page
    breaks that are ordinary parts), None for any other. breaks: the plan of page breaks."""
    if not plan.own.issuperset(el.keys()):
        return None
    marks: list[etree._Element] = []  # its field elements
    content: list[str | Part] = []
    text = el.text
    cur: list[str] | None = [text] if text else None  # the string being read, once started
    anchored = False  # whether it began with an anchor (see _read_paragraph)
    for ch in el[:]:  # type: ignore[index]  # by slice: see _read_division
        tag = ch.tag
        if tag == _PB:
            pass
        elif tag == _FW and ch.get(_B_TYPE) == "page-break":
            if cur is not None:
                if anchored or any(cur):
                    content.append("".join(cur))
                cur = None
            pb = _read_fast(breaks, ch, doc)
            if pb is None:
                return None
            content.append(pb)
        elif tag == _ANCHOR and ch.get(_B_TYPE) == "string":
            if cur is not None and (anchored or any(cur)):
                content.append("".join(cur))
            cur = []
            anchored = True
        else:
            if len(ch):
                return None
            marks.append(ch)
            if cur is None:
                cur = []
                anchored = False
            text = ch.text
            if text:
                cur.append(text)
        tail = ch.tail
        if tail:
            if cur is None:
                cur = [tail]
                anchored = False
            else:
                cur.append(tail)
    if cur is not None and (anchored or any(cur)):
        content.append("".join(cur))
    vals = list(plan.start)
    vals[plan.verbatim] = tuple(content)
    try:
        if marks:
            _gather(plan.fields, marks, vals, doc, 0)
        _read_on_part(plan, el, vals, doc)
    except _Unsure:
        return None
    try:
        return plan.cls(*vals)  # type: ignore[no-any-return]
    except TypeError:
        return None


@cache
def _fast_readers() -> dict[str, _FastReader]:
    """Per part kind, its fast reading (kinds without one are always read fully); compiled
    on first use, as the type hints it reads cost some time to resolve."""
    from functools import partial

    out: dict[str, _FastReader] = {}
    for kind in PART_SPECS:
        cls = _PART_KINDS[kind]
        plan = _reading_plan(cls)
        if cls is Paragraph:
            breaks = _reading_plan(PageBreak)
            if plan is not None and breaks is not None:
                out[kind] = partial(_read_paragraph_fast, plan, breaks)
        elif plan is not None:
            out[kind] = partial(_read_fast, plan)
    return out


def _child(el: etree._Element, tag: str) -> etree._Element | None:
    """The first child element of that tag: el.find(tag) without the path machinery (a plain
    walk: the children before it are few, fewer than a tag matcher costs to set up)."""
    for ch in el:
        if ch.tag == tag:
            return ch
    return None


@cache
def _categories_path() -> Callable[[etree._Element], Any]:
    """The categories of the classDecls of an encodingDesc, in document order (compiled once:
    the walk runs in libxml2, making no element of the path on the way)."""
    path: Callable[[etree._Element], Any] = _etree().XPath(
        "t:classDecl/t:taxonomy/t:category", namespaces={"t": TEI_NS}
    )
    return path


_CAT_DESC = _T + "catDesc"


def _read_categories(header: etree._Element) -> dict[str, tuple[str, str]]:
    """The categories of the header by what points to them, "#" and their xml:id."""
    cats: dict[str, tuple[str, str]] = {}
    enc = _child(header, _T + "encodingDesc")
    if enc is None:
        return cats
    tax: etree._Element | None = None
    tid = ""
    for cat in _categories_path()(enc):
        parent = cat.getparent()
        if parent is not tax:  # the same proxy while tax holds it: one lookup per taxonomy
            tax = parent
            tid = "" if tax is None else tax.get(_B_XML_ID) or ""
        cid = cat.get(_B_XML_ID)
        desc = cat[0] if len(cat) else None
        if desc is not None and desc.tag != _CAT_DESC:
            desc = _child(cat, _CAT_DESC)
        if cid is not None and desc is not None:
            cats["#" + cid] = (tid, _unesc_value(desc.text or ""))
    return cats


_CODEPOINT = re.compile(r"U\+([0-9A-F]{4,6})")
_ENCODING_DESC = _T + "encodingDesc"
_CHAR_DECL = _T + "charDecl"


def _read_chars(header: etree._Element, doc: _Doc) -> dict[str, str]:
    chars: dict[str, str] = {}
    decls = (d for enc in header if enc.tag == _ENCODING_DESC for d in enc)
    for ch in (c for d in decls if d.tag == _CHAR_DECL for c in d.iterchildren(_T + "char")):
        cid = ch.get(_XML_ID)
        m = _child(ch, _T + "mapping")
        if cid is None or m is None:
            continue
        cm = _CODEPOINT.fullmatch((m.text or "").strip())
        if cm is not None:
            cp = int(cm[1], 16)
            if cp > 0x10FFFF:
                # A character no text can hold: a <g/> naming it would be read as nothing.
                raise _err(doc, m, f"{cm[0]} is beyond the last character, U+10FFFF", "TEI-CHAR")
            chars[cid] = chr(cp)
    return chars


def _read_header(
    header: etree._Element, doc: _Doc
) -> tuple[PageMetadata | None, bool | None, str | None, dict[str, Any]]:
    fd = _child(header, _T + "fileDesc")
    assert fd is not None  # required by the grammar
    final_newline: bool | None = None
    encoding: str | None = None
    extra: dict[str, Any] = {}
    notes = _child(fd, _T + "notesStmt")
    if notes is not None:
        for note in notes:
            if note.tag != _NOTE:
                continue
            t = note.get("type")
            if t == "final-newline":
                v = _text_of(note, doc)
                if v not in ("true", "false"):
                    raise _err(doc, note, f"final-newline is 'true' or 'false', not {v!r}")
                final_newline = v == "true"
            elif t == "source-encoding":
                encoding = _text_of(note, doc)
                problem = encodings.recorded_problem(encoding)
                if problem is not None:
                    raise _err(doc, note, f"source-encoding: {problem}")
            elif t == "field":
                extra.update(_header_generic(note, Cable, doc))
    for d in fd:
        if d.tag == _SOURCE_DESC:
            for b in d:
                if b.tag == _BIBL and b.get("type") == "page-metadata":
                    return _read_page(b, doc), final_newline, encoding, extra
    return None, final_newline, encoding, extra


_NOTE = _T + "note"
_SOURCE_DESC = _T + "sourceDesc"
_BIBL = _T + "bibl"


def _header_generic(note: etree._Element, cls: type, doc: _Doc) -> dict[str, Any]:
    name = note.get("subtype") or ""
    hints = _hints(cls)
    if name not in hints or name in ("parts", "page"):
        raise _err(doc, note, f"{name!r} is not a field of {cls.__name__}")
    return {name: _generic_value(note, hints[name], doc)}


# The strings of the publisher's record, each in an element of its own.
_PAGE_STRINGS: dict[tuple[str, str | None], str] = {
    ("idno", "cable-id"): "identifier",
    ("note", "classification"): "classification",
    ("orgName", "origin"): "origin",
    ("title", "page-title"): "title",
}


def _read_page(bibl: etree._Element, doc: _Doc) -> PageMetadata:
    kw: dict[str, Any] = {}
    tags: list[str] = []
    refs: list[str] = []
    for el in bibl:
        tag = el.tag
        if not isinstance(tag, str):
            continue
        key = (tag[_TLEN:] if tag.startswith(_T) else tag, el.get(_B_TYPE))  # _local(el)
        string = _PAGE_STRINGS.get(key)
        if string is not None:
            kw[string] = _text_of(el, doc)
            continue
        name, t = key
        if key == ("term", "tag"):
            tags.append(_text_of(el, doc))
        elif name == "date" and t in ("created", "released"):
            kw[t] = _text_of(el, doc)
            if el.get("when") is not None:
                kw[t + "_iso"] = _when_header(el, doc)
        elif name == "date" and t in ("created-normalized", "released-normalized"):
            kw[t.split("-")[0] + "_iso"] = _when_header(el, doc)
        elif key == ("ref", "reference"):
            refs.append(_text_of(el, doc))
        elif key == ("note", "field"):
            kw.update(_header_generic(el, PageMetadata, doc))
        else:
            raise _err(doc, el, f"<{name} type={t!r}> is not part of the publisher's record")
    kw["tags"] = tuple(tags)
    kw["references"] = tuple(refs)
    return _construct(PageMetadata, kw, bibl, doc)  # type: ignore[no-any-return]


def _when_header(el: etree._Element, doc: _Doc) -> datetime:
    v = el.get("when") or ""
    try:
        return datetime.fromisoformat(v)
    except ValueError:
        raise _err(doc, el, f"@when={v!r} is not an ISO date and time", "TEI-DATE") from None


# --- public: read and check --------------------------------------------------------------------


def _parse_and_check(
    data: bytes | str, source: str | None
) -> tuple[etree._ElementTree | None, list[Diagnostic]]:
    from cablekit.tei_schemas import check, parse

    try:
        tree = parse(data, source)
    except CablekitError as e:
        return None, [_diag(e, source)]
    return tree, check(tree, source)


def _diag(e: CablekitError, source: str | None) -> Diagnostic:
    return Diagnostic(e.code, "error", e.message, e.source or source, e.line, e.col)


def validate(data: bytes, source: str | None = None) -> list[Diagnostic]:
    """Diagnostics for a TEI document: well-formedness and safety, the profile's RELAX NG and
    Schematron, then whether a cable can be rebuilt from it."""
    return check_and_read(data, source)[0]


Locations = list[tuple[int | None, int | None, str | None]]


def check_and_read(
    data: bytes, source: str | None = None
) -> tuple[list[Diagnostic], Cable | None, Callable[[], Locations] | None]:
    """What validate finds, the cable when there is no error, and what part_locations would
    give for it (computed when called): one parse and one run of the checks for a caller
    that wants them all (validate with the cable rules)."""
    from cablekit.tei_schemas import line_of, xpath_of

    tree, diags = _parse_and_check(data, source)
    if tree is None or any(d.severity == "error" for d in diags):
        return diags, None, None
    elements: list[etree._Element] = []
    try:
        cable = _read_doc(tree, source, elements)
    except CablekitError as e:
        diags.append(_diag_with_pointer(e, source))
        return diags, None, None
    return diags, cable, lambda: [(line_of(el), None, xpath_of(el)) for el in elements]


def _diag_with_pointer(e: CablekitError, source: str | None) -> Diagnostic:
    msg, pointer = e.message, None
    m = re.search(r" \(at (/[^)]*)\)$", msg)
    if m is not None:
        msg, pointer = msg[: m.start()], m[1]
    return Diagnostic(e.code, "error", msg, e.source or source, e.line, e.col, pointer)


def part_locations(data: bytes, source: str | None = None) -> Locations:
    """Where each part of the cable a valid document holds stands, in part order: the line
    of its element (no column: the parser gives none) and its XPath, what validate reports
    beside a rule's finding."""
    from cablekit.tei_schemas import line_of, parse, xpath_of

    elements: list[etree._Element] = []
    _read_doc(parse(data, source), source, elements)
    return [(line_of(el), None, xpath_of(el)) for el in elements]


def loads(data: bytes | str, source: str | None = None) -> Cable:
    """A cable from a TEI document of this profile; anything invalid raises CablekitError."""
    tree, diags = _parse_and_check(data, source)
    errors = [d for d in diags if d.severity == "error"]
    if tree is None or errors:
        first = errors[0]
        raise CablekitError(
            first.message + (f" (at {first.pointer})" if first.pointer else ""),
            source,
            first.line,
            first.col,
            code=first.code,
        )
    return _read_doc(tree, source)
