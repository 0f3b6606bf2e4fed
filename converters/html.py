"""Read a cablegate "Cable Viewer" HTML page: the metadata table and the telegram text.

Owns nothing else: the telegram text goes on to the telegram parser, the table into PageMetadata.

The page (2010–11 design) holds a `<table class='cable'>` (Reference ID, Created, Released,
Classification, Origin; sometimes a second row "Appears in these articles") followed by
`<code><pre>` blocks: the telegram header, then the body. The telegram text is

    block₁ + "\\n" + block₂        (all blocks in page order, joined by one newline)

where each block is the `<pre>` content with the site's furniture taken out and then character
references decoded:

* paragraph anchors `<a id='parN' href='#parN'>¶</a>` are removed entirely;
* other markup — tags with a lower-case HTML element name (`<a href='/tag/X_0.html'>X</a>`
  tag links, `<br>`, `</td>`, `</tr>`, `</table>`, `</strong>` in the corpus) and
  `<!-- comments -->` — is reduced to its text;
* any other `<` or `>` is text and stays (`<<225330>>`, `<_protect>`, `END SUMMARY>`) — HTML5
  agrees for these; for `<WORD ...>` that is not a lower-case element name this reader keeps
  the characters where a browser would swallow them as a tag;
* then references are decoded exactly as `html.unescape` (HTML5) does: `&#x000A;` is a newline,
  a bare `&` stays, and a legacy entity name without `;` is decoded as HTML5 says
  (`&micro-trafficking` reads `µ-trafficking` in 09PARIS1426).

Every page of the corpus has exactly two blocks. A page with one block gives that block alone
(no newline added); more than two are joined the same way. A page with none is an error.
Raw characters are kept as they are (no CR/LF normalization), and no block is stripped.

The table's cell text (link text, not the misleading `title` attribute) is kept verbatim;
Created/Released are also read as naive `YYYY-MM-DD HH:MM[:SS]` in UTC. The page's tags exist
only as links inside the body's TAGS line (the site-wide "Browse by tag" list is not this
cable's), so `tags` is `()`; the telegram parser reads them from the TAGS line.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from cablekit.errors import CablekitError
from cablekit.model import Cable, PageMetadata
from cablekit.telegram import cable_from_telegram

__all__ = ["extract_page", "is_cable_page", "loads"]

# The paragraph anchors the site put before paragraph numbers and lettered items
# (parN, parA…). Their ¶ is not cable text, so the whole anchor goes.
_ANCHOR = re.compile(
    r"""<a\s+id=(["'])[^"'<>]*\1\s+href=(["'])#[^"'<>]*\2\s*>(?:¶|&para;|&#182;|&#[xX]0*[bB]6;)</a>"""
)

# Markup is recognised only by lower-case HTML element names (the site wrote XHTML), so cable
# text such as `<_protect>`, `<<225330>>` or an upper-case `<A> OR <B>` is never taken for a
# tag. Reduced to its text = the tag itself is dropped.
_ELEMENTS = (
    "a|abbr|acronym|address|b|big|blockquote|br|center|cite|code|dd|del|dfn|div|dl|dt|em|"
    "font|h[1-6]|hr|i|img|ins|kbd|li|nobr|ol|p|pre|q|s|samp|small|span|strike|strong|sub|"
    "sup|table|tbody|td|tfoot|th|thead|tr|tt|u|ul|var|wbr"
)
_MARKUP = re.compile(
    rf"<!--.*?-->|</?(?:{_ELEMENTS})(?:\s[^<>]*)?/?>",
    re.DOTALL,
)

_TABLE_OPEN = re.compile(r"""<table\s+class=(["'])cable\1\s*>""")
_PRE_OPEN = re.compile(r"<pre(?:\s[^<>]*)?>")
_TH = re.compile(r"<th(?:\s[^<>]*)?>(.*?)</th>", re.DOTALL)
_TD = re.compile(r"<td(?:\s[^<>]*)?>(.*?)</td>", re.DOTALL)
_ANY_TAG = re.compile(r"<[^<>]*>")

_LABELS = {
    "reference id": "identifier",
    "created": "created",
    "released": "released",
    "classification": "classification",
    "origin": "origin",
}
_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")
# The usual spelling of those formats (ASCII, zero-padded): read without strptime, which is slow.
_PADDED_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?")
_NEWLINE_REF = "&#x000A;"  # how the site wrote every newline: replaced before html.unescape


def is_cable_page(head: bytes) -> bool:
    """Whether the first few KB look like a cablegate Cable Viewer page."""
    return (
        b"<title>Cable Viewer</title>" in head
        or b"<table class='cable'>" in head
        or b'<table class="cable">' in head
    )


def extract_page(data: bytes | str, source: str | None = None) -> tuple[PageMetadata, str]:
    """The page's metadata table and its telegram text (see the module docstring).

    Raises CablekitError for empty input, bytes that are not UTF-8 (with the line and column
    of the first bad byte), binary data, and pages without the cable table or a `<pre>` block.
    """
    text, page, blocks = _parts_of_page(data, source)
    return page, "\n".join(_clean(text[s:e]) for s, e in blocks)


def _parts_of_page(
    data: bytes | str, source: str | None
) -> tuple[str, PageMetadata, list[tuple[int, int]]]:
    """The page's text, its metadata table, and where its <pre> blocks stand in the text."""
    text = _decode(data, source)
    table = _TABLE_OPEN.search(text)
    if table is None:
        raise CablekitError("not a cable page: no <table class='cable'>", source=source)
    table_end = text.find("</table>", table.end())
    if table_end < 0:
        line, col = _where(text, table)
        raise CablekitError("cable table is not closed", source=source, line=line, col=col)
    page = _read_table(text[table.end() : table_end], source)
    return text, page, _pre_blocks(text, table_end, source)


def loads(data: bytes | str, source: str | None = None) -> Cable:
    """A cable from a page: the telegram read by the shared grammar, the table as its page."""
    page, telegram = extract_page(data, source)
    return cable_from_telegram(telegram, page, source)


# What ends a telegram line inside a <pre> block: the site's newline reference (any spelling
# of it) or a line end in the page itself.
_LINE_END = re.compile(r"&#[xX]0*[aA];|&#0*10;|&NewLine;|\n")


def part_locations(
    data: bytes, source: str | None = None
) -> list[tuple[int | None, int | None, str | None]]:
    """Where each part of the cable a page holds starts in the page: the line and column of
    its first character inside the <pre> block (the site wrote the telegram's line ends as
    references, so a whole block often stands on one line of the page)."""
    text, page, blocks = _parts_of_page(data, source)
    # The page offset of each telegram line's first character; None where a block's line
    # ends cannot be told from the markup (then its lines are placed at the block's start).
    starts: list[tuple[int, bool]] = []
    telegram: list[str] = []
    for s, e in blocks:
        cleaned = _clean(text[s:e])
        telegram.append(cleaned)
        ends = [m.end() for m in _LINE_END.finditer(text, s, e)]
        if len(ends) == cleaned.count("\n"):
            starts.extend((offset, True) for offset in [s, *ends])
        else:
            starts.extend((s, False) for _ in range(cleaned.count("\n") + 1))
    cable = cable_from_telegram("\n".join(telegram), page, source)
    out: list[tuple[int | None, int | None, str | None]] = []
    line = 0  # the telegram line each part starts on (0-based), and its character there
    at = 0
    for part in cable.parts:
        index = min(line, len(starts) - 1)
        offset, exact = starts[index]
        if at and exact:
            # A part that starts inside a line (REF items, glued header items): its column
            # is exact when the line's markup is its characters (no reference, no tag).
            end = starts[index + 1][0] if index + 1 < len(starts) else len(text)
            raw = text[offset:end]
            exact = "&" not in raw and "<" not in raw
            offset += at if exact else 0
        page_line = text.count("\n", 0, offset) + 1
        col = offset - text.rfind("\n", 0, offset) if exact else None
        out.append((page_line, col, None))
        newlines = part.text.count("\n")
        line += newlines
        at = len(part.text) - part.text.rfind("\n") - 1 if newlines else at + len(part.text)
    return out


def _decode(data: bytes | str, source: str | None) -> str:
    if isinstance(data, str):
        text = data
    else:
        if data.find(b"\x00", 0, 8192) >= 0:
            # A page never holds NUL; this is a binary file that happens to decode.
            raise CablekitError("binary data, not an HTML page", source=source)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line_start = data.rfind(b"\n", 0, exc.start) + 1
            line = data.count(b"\n", 0, exc.start) + 1
            # The bytes before the bad one on its line are valid, so count characters.
            col = len(data[line_start : exc.start].decode("utf-8")) + 1
            raise CablekitError(
                f"invalid UTF-8 (byte 0x{data[exc.start]:02X})", source=source, line=line, col=col
            ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text or text.isspace():
        raise CablekitError("empty input", source=source)
    return text


def _where(text: str, match: re.Match[str]) -> tuple[int, int]:
    """Line and column (1-based) of a match, for error messages only."""
    pos = match.start()
    return text.count("\n", 0, pos) + 1, pos - text.rfind("\n", 0, pos)


def _cell_text(cell: str) -> str:
    return html.unescape(_ANY_TAG.sub("", cell)).strip()


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    padded = _PADDED_DATE.fullmatch(value)
    if padded:
        # Shortcut: strptime accepts this spelling exactly when the fields make a real time
        # (seconds 60-61 included: it passes them on to datetime, which refuses them too).
        year, month, day, hour, minute, second = (int(f) for f in padded.groups("0"))
        try:
            return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except ValueError:
            return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _read_table(table: str, source: str | None) -> PageMetadata:
    labels = [_cell_text(th).lower() for th in _TH.findall(table)]
    # Only the first row of cells pairs with the labels; a later colspan row lists articles.
    cells = [_cell_text(td) for td in _TD.findall(table)[: len(labels)]]
    values: dict[str, str] = {}
    for label, cell in zip(labels, cells, strict=False):
        field = _LABELS.get(label)
        if field is not None and cell:
            values[field] = cell
    if "identifier" not in values:
        raise CablekitError("cable table has no Reference ID", source=source)
    created = values.get("created")
    released = values.get("released")
    return PageMetadata(
        identifier=values["identifier"],
        created=created,
        created_iso=_parse_date(created),
        released=released,
        released_iso=_parse_date(released),
        classification=values.get("classification"),
        origin=values.get("origin"),
    )


def _pre_blocks(text: str, start: int, source: str | None) -> list[tuple[int, int]]:
    """Where the raw content of every <pre> after the cable table stands, in order."""
    blocks: list[tuple[int, int]] = []
    pos = start
    while True:
        opened = _PRE_OPEN.search(text, pos)
        if opened is None:
            break
        end = text.find("</pre>", opened.end())
        if end < 0:
            line, col = _where(text, opened)
            raise CablekitError(
                "truncated page: <pre> block is not closed", source=source, line=line, col=col
            )
        blocks.append((opened.end(), end))
        pos = end + 6
    if not blocks:
        raise CablekitError("not a cable page: no <pre> block after the cable table", source=source)
    return blocks


def _clean(block: str) -> str:
    if "<" in block:
        block = _MARKUP.sub("", _ANCHOR.sub("", block))
    block = block.replace(_NEWLINE_REF, "\n")
    if "&" in block:
        block = html.unescape(block)
    return block
