"""converters/html.py: the Cable Viewer page's table and telegram text."""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cablekit.converters.html import extract_page, is_cable_page
from cablekit.errors import CablekitError
from cablekit.model import PageMetadata

FIELDS = ("identifier", "created", "released", "classification", "origin")
MANIFEST_COLUMNS = ("table_refid", "created", "released", "classification", "origin")


def _tsv(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}


@pytest.fixture(scope="module")
def manifest(corpus: Path) -> dict[str, dict[str, str]]:
    return _tsv(corpus / "cablegate-html" / "MANIFEST.tsv")


@pytest.fixture(scope="module")
def features(corpus: Path) -> dict[str, dict[str, str]]:
    return _tsv(corpus / "cablegate-html" / "FEATURES.tsv")


@pytest.fixture(scope="module")
def pages(corpus: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((corpus / "cablegate-html").glob("*.html"))}


@pytest.fixture(scope="module")
def extracted(pages: dict[str, bytes]) -> dict[str, tuple[PageMetadata, str] | Exception]:
    out: dict[str, tuple[PageMetadata, str] | Exception] = {}
    for name, data in pages.items():
        try:
            out[name] = extract_page(data, source=name)
        except Exception as exc:  # collected so the test lists every failing page
            out[name] = exc
    return out


def _ok(
    extracted: dict[str, tuple[PageMetadata, str] | Exception],
) -> dict[str, tuple[PageMetadata, str]]:
    return {k: v for k, v in extracted.items() if not isinstance(v, Exception)}


# --- the corpus ------------------------------------------------------------------------------


@pytest.mark.corpus
def test_every_page_extracts(
    extracted: dict[str, tuple[PageMetadata, str] | Exception], manifest: dict[str, dict[str, str]]
) -> None:
    assert len(extracted) == len(manifest) == 1660
    failed = {k: repr(v) for k, v in extracted.items() if isinstance(v, Exception)}
    assert not failed, f"{len(failed)} pages failed: {failed}"


@pytest.mark.corpus
def test_table_values_equal_manifest(
    extracted: dict[str, tuple[PageMetadata, str] | Exception], manifest: dict[str, dict[str, str]]
) -> None:
    misses = []
    for name, (page, _) in _ok(extracted).items():
        row = manifest[name]
        got = tuple(getattr(page, f) for f in FIELDS)
        want = tuple(row[c] for c in MANIFEST_COLUMNS)
        if got != want:
            misses.append(f"{name}: {got} != {want}")
    assert not misses, "\n".join(misses)


@pytest.mark.corpus
def test_dates_read_as_utc(
    extracted: dict[str, tuple[PageMetadata, str] | Exception], manifest: dict[str, dict[str, str]]
) -> None:
    misses = []
    for name, (page, _) in _ok(extracted).items():
        row = manifest[name]
        for field, column in (("created_iso", "created"), ("released_iso", "released")):
            want = datetime.fromisoformat(row[column]).replace(tzinfo=UTC)
            got = getattr(page, field)
            if got != want or got.utcoffset() is None:
                misses.append(f"{name} {field}: {got!r} != {want!r}")
    assert not misses, "\n".join(misses)


@pytest.mark.corpus
def test_page_metadata_has_no_guessed_fields(
    extracted: dict[str, tuple[PageMetadata, str] | Exception],
) -> None:
    # The site-wide "Browse by tag" list is not the cable's; no page lists its own tags
    # outside the <pre> blocks, so tags stay empty and nothing else is invented.
    misses = [
        name
        for name, (page, _) in _ok(extracted).items()
        if page.tags != () or page.layout is not None or page.references != ()
    ]
    assert not misses, misses


@pytest.mark.corpus
def test_telegram_has_no_site_furniture(
    extracted: dict[str, tuple[PageMetadata, str] | Exception],
) -> None:
    misses = []
    for name, (_, telegram) in _ok(extracted).items():
        problems = [
            what
            for what, bad in (
                ("empty", not telegram.strip()),
                ("<a ", "<a " in telegram),
                ("</a>", "</a>" in telegram),
                ("href=", "href=" in telegram),
                ("¶", "¶" in telegram),
                ("&#x000A;", "&#x000A;" in telegram),
                ("<br>", "<br>" in telegram),
            )
            if bad
        ]
        if problems:
            misses.append(f"{name}: {problems}")
    assert not misses, "\n".join(misses)


@pytest.mark.corpus
def test_block_count_is_two_and_joined_by_one_newline(
    pages: dict[str, bytes],
    extracted: dict[str, tuple[PageMetadata, str] | Exception],
    manifest: dict[str, dict[str, str]],
) -> None:
    # Every page has two blocks (MANIFEST code_pre_blocks); the telegram has one line more
    # than the two blocks' newline references, i.e. exactly one newline joins them.
    misses = []
    for name, (_, telegram) in _ok(extracted).items():
        text = pages[name].decode("utf-8")
        blocks = text.count("<code><pre>")
        if manifest[name]["code_pre_blocks"] != "2" or blocks != 2:
            misses.append(f"{name}: {blocks} blocks")
            continue
        start = text.index("<code><pre>")
        refs = text.count("&#x000A;", start)
        if telegram.count("\n") != refs + 1:
            misses.append(f"{name}: {telegram.count(chr(10))} newlines, {refs} refs + 1")
    assert not misses, "\n".join(misses)


@pytest.mark.corpus
def test_raw_ampersands_tabs_and_brackets_kept(
    extracted: dict[str, tuple[PageMetadata, str] | Exception],
    features: dict[str, dict[str, str]],
) -> None:
    misses = []
    for name, (_, telegram) in _ok(extracted).items():
        flags = features[name]
        if flags["raw_ampersand"] != "0" and "&" not in telegram:
            misses.append(f"{name}: raw & lost")
        if flags["tab_char"] != "0" and "\t" not in telegram:
            misses.append(f"{name}: tab lost")
    assert not misses, "\n".join(misses)


# Substrings read off the raw pages (the <pre> source shown on the right of each comment).
KNOWN_TEXT = {
    # ;--R&D/S&T/  (raw ampersands, no entity)
    "04MADRID960.html": ["--R&D/S&T/"],
    # <<225330>>&#x000A;9/16/2009 9:24  (raw '<' not followed by a letter)
    "09NAIROBI1938.html": ["<<225330>>\n9/16/2009 9:24\n09NAIROBI1938\n"],
    # ERELI&#x000A;&#x000A;<_protect>0 07/16/2009  (not an element name)
    "09MANAMA435.html": ["ERELI\n\n<_protect>0 07/16/2009"],
    # END SUMMARY> 2. (C)
    "08YEREVAN653.html": ["END SUMMARY> 2. (C)"],
    # SUBJECT:</strong> GENERAL JAMES  (stray end tag = markup: dropped)
    "07TELAVIV3586.html": ["SUBJECT: GENERAL JAMES L. JONES' FIRST MEETINGS IN ISRAEL\n"],
    # SIPDIS <br>&#x000A; <br>&#x000A;STATE PLEASE PASS TO EUR/CE ASCHEIBE <br>&#x000A;
    "08BUCHAREST608.html": ["SIPDIS \n \nSTATE PLEASE PASS TO EUR/CE ASCHEIBE \n"],
    # HILL <br>&#x000A;</td></tr>&#x000A;</table>  (end of the body block)
    "09BAGHDAD2744.html": ["commercial ties. \nHILL \n\n"],
    # TAGS: <a href='/tag/MASS_0.html'>MASS</a> <a ...>MARR</a> <a ...>IR</a>&#x000A;
    "72TEHRAN1164.html": ["\nTAGS: MASS MARR IR\nSUBJECT: ACCELERATION OF F-4ES FOR IRAN \n"],
    # &#x000A; &#x000A;<a id='par1' href='#par1'>¶</a>1. ON FEB 24
    "72TEHRAN1164.html#anchor": ["MESSAGE \n \n \nBEGIN SUMMARY", "AVAILABLE. \n \n1. ON FEB 24"],
    # &micro-trafficking networks8  (HTML5: legacy entity without ';' is decoded)
    "09PARIS1426.html": ["characterized as µ-trafficking networks8"],
}


@pytest.mark.corpus
@pytest.mark.parametrize("key", sorted(KNOWN_TEXT))
def test_known_text(key: str, extracted: dict[str, tuple[PageMetadata, str] | Exception]) -> None:
    result = extracted[key.split("#")[0]]
    assert not isinstance(result, Exception), result
    _, telegram = result
    for piece in KNOWN_TEXT[key]:
        assert piece in telegram


@pytest.mark.corpus
def test_ends_of_the_blocks(extracted: dict[str, tuple[PageMetadata, str] | Exception]) -> None:
    result = extracted["72TEHRAN1164.html"]
    assert not isinstance(result, Exception)
    _, telegram = result
    # header block: "R 250930Z FEB 72 &#x000A;FM ...&#x000A;CSAF"; body ends "&#x000A;HECK"
    assert telegram.startswith("R 250930Z FEB 72 \nFM AMEMBASSY TEHRAN\n")
    assert "\nCSAF\nUNCLASSIFIED SECTION 01 OF 01 TEHRAN 1164 \n" in telegram
    assert telegram.endswith("IMPACT. \n \nHECK")


# --- independent cross-check ------------------------------------------------------------------


def _lxml_text(data: bytes) -> str:
    lxml_html = pytest.importorskip("lxml.html")
    doc = lxml_html.document_fromstring(data)
    blocks = []
    for pre in doc.iter("pre"):
        for anchor in list(pre.iter("a")):
            if anchor.get("id"):
                anchor.drop_tree()  # the ¶ anchors; drop_tree keeps the text after them
        blocks.append(pre.text_content())
    return "\n".join(blocks)


class _PreText(HTMLParser):
    """The text of every <pre>, minus the text of <a id=...> anchors, via html.parser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[list[str]] = []
        self.depth = 0
        self.anchor = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "pre":
            self.depth += 1
            self.blocks.append([])
        elif tag == "a" and self.depth and any(k == "id" for k, _ in attrs):
            self.anchor += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self.depth -= 1
        elif tag == "a" and self.anchor:
            self.anchor -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.anchor:
            self.blocks[-1].append(data)


def _parser_text(data: bytes) -> str:
    parser = _PreText()
    parser.feed(data.decode("utf-8"))
    parser.close()
    return "\n".join("".join(b) for b in parser.blocks)


@pytest.mark.corpus
@pytest.mark.parametrize("folder", ["cablegate-html", "cablegate-html-builds"])
def test_cross_check_with_lxml(corpus: Path, folder: str) -> None:
    # lxml (libxml2's HTML parser) builds a tree, so it also copes with the pages whose <pre>
    # is not well-formed (raw '<', stray </td></tr></table>, <br>): all must agree.
    files = sorted((corpus / folder).glob("*.html"))
    assert files
    mismatches = []
    for path in files:
        data = path.read_bytes()
        _, telegram = extract_page(data, source=path.name)
        if _lxml_text(data) != telegram:
            mismatches.append(path.name)
    assert not mismatches, f"{len(mismatches)} of {len(files)} differ from lxml: {mismatches}"


@pytest.mark.corpus
def test_cross_check_with_html_parser_on_tricky_pages(
    pages: dict[str, bytes], features: dict[str, dict[str, str]]
) -> None:
    # html.parser is slow, so only the pages flagged for raw &, raw < >, tabs or a trailing
    # backslash: the cases where a hand-written extractor is likeliest to go wrong.
    flags = ("raw_ampersand", "raw_gt_lt", "tab_char", "backslash_eol")
    tricky = [n for n, row in features.items() if any(row[f] != "0" for f in flags)]
    assert len(tricky) > 200
    mismatches = []
    for name in tricky:
        _, telegram = extract_page(pages[name], source=name)
        if _parser_text(pages[name]) != telegram:
            mismatches.append(name)
    assert not mismatches, f"differ from html.parser: {mismatches}"


@pytest.mark.corpus
def test_builds_read_like_the_pages(corpus: Path) -> None:
    builds = _tsv(corpus / "cablegate-html-builds" / "MANIFEST.tsv")
    misses = []
    for name, row in builds.items():
        page, telegram = extract_page((corpus / "cablegate-html-builds" / name).read_bytes(), name)
        _, current = extract_page((corpus / "cablegate-html" / f"{row['refid']}.html").read_bytes())
        if page.identifier != row["refid"] or not telegram:
            misses.append(f"{name}: {page.identifier}")
        elif telegram == current:
            misses.append(f"{name}: same text as the published page")  # README: they differ
    assert not misses, "\n".join(misses)


@pytest.mark.corpus
def test_sniff_accepts_every_page_head(pages: dict[str, bytes]) -> None:
    misses = [name for name, data in pages.items() if not is_cable_page(data[:4096])]
    assert not misses, misses


@pytest.mark.corpus
def test_sniff_rejects_other_formats(corpus: Path) -> None:
    others = [
        corpus / "cables-csv-excerpt" / "cables_sample.csv",
        *sorted((corpus / "seed").glob("*.txt")),
        *sorted((corpus / "alx-cablegate-txt-examples").glob("*")),
        *sorted((corpus / "cablegatepdf-sample" / "converted-txt").glob("*")),
    ]
    wrong = [p.name for p in others if p.is_file() and is_cable_page(p.read_bytes()[:4096])]
    assert not wrong, wrong


@pytest.mark.corpus
def test_truncated_real_pages_fail_cleanly(pages: dict[str, bytes]) -> None:
    # Cut pages anywhere: either a result with text or a CablekitError, never anything else.
    rng = random.Random(20101128)
    names = sorted(pages)
    for name in rng.sample(names, 40):
        data = pages[name]
        for cut in sorted(rng.sample(range(len(data)), 25)):
            try:
                page, telegram = extract_page(data[:cut], source=name)
            except CablekitError as exc:
                assert exc.source == name
            else:
                assert page.identifier and telegram


# --- synthetic pages ---------------------------------------------------------------------------


def make_page(*blocks: str, table: str | None = None, head: str = "") -> str:
    if table is None:
        table = (
            "<table class='cable'>\n<tr>\n<th>Reference ID</th>\n<th>Created</th>\n"
            "<th>Released</th>\n<th>Classification</th>\n<th>Origin</th>\n</tr>\n<tr>\n"
            "<td>\n<a href='/cable/2007/05/07BAKU595.html'>07BAKU595</a>\n</td>\n"
            "<td>\n<a href='/date/2007-05_0.html'>2007-05-16 13:13</a>\n</td>\n"
            "<td>\n<a href='/reldate/2010-12-01_0.html'>2010-12-01 21:09</a>\n</td>\n"
            "<td>\n<a href='/classification/2_0.html' title='secret'>CONFIDENTIAL</a>\n</td>\n"
            "<td>\n<a href='/origin/97_0.html'>Embassy Baku</a>\n</td>\n</tr>\n</table>\n"
        )
    pres = "\n".join(f"<code><pre>{b}</pre></code>" for b in blocks)
    return (
        "<?xml version='1.0' encoding='utf-8' ?>\n<html>\n<head>\n<title>Cable Viewer</title>\n"
        f"</head>\n<body>\n{head}<div class='pane big'>\n{table}{pres}\n</div>\n</body>\n</html>\n"
    )


def test_synthetic_page_metadata() -> None:
    page, telegram = extract_page(make_page("P 161324Z MAY 07", "UNCLAS"), source="p.html")
    assert page.identifier == "07BAKU595"
    assert page.created == "2007-05-16 13:13"
    assert page.created_iso == datetime(2007, 5, 16, 13, 13, tzinfo=UTC)
    assert page.released_iso == datetime(2010, 12, 1, 21, 9, tzinfo=UTC)
    assert page.classification == "CONFIDENTIAL"  # the link text, not title='secret'
    assert page.origin == "Embassy Baku"
    assert page.tags == () and page.layout is None and page.title is None
    assert telegram == "P 161324Z MAY 07\nUNCLAS"


def test_articles_row_and_str_input() -> None:
    # Some tables carry a second row, one colspan cell listing press articles.
    articles = (
        "</tr>\n<tr>\n<td colspan='5'>\nAppears in these articles:<br />\n"
        "<a href='http://example.org/'>http://example.org/</a><br />\n</td>\n</tr>\n</table>"
    )
    text = make_page("H", "B").replace("</tr>\n</table>", articles)
    assert "Appears in these articles" in text
    page, telegram = extract_page(text)  # str input is accepted as is
    assert page.identifier == "07BAKU595" and page.origin == "Embassy Baku"
    assert telegram == "H\nB"


@pytest.mark.parametrize(
    ("blocks", "telegram"),
    [
        (("only one block&#x000A;line 2",), "only one block\nline 2"),
        (("a", "b", "c"), "a\nb\nc"),
        (("", "body"), "\nbody"),
    ],
)
def test_block_counts(blocks: tuple[str, ...], telegram: str) -> None:
    assert extract_page(make_page(*blocks))[1] == telegram


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (
            "TAGS: <a href='/tag/PREL_0.html'>PREL</a> <a href='/tag/AJ_0.html'>AJ</a>",
            "TAGS: PREL AJ",
        ),
        ("&#x000A;<a id='par1' href='#par1'>¶</a>1. (C) X", "\n1. (C) X"),
        ("<a id='parB' href='#parB'>¶</a>B. STATE 61831", "B. STATE 61831"),
        ("AT&T R&D &amp; &lt;b&gt;", "AT&T R&D & <b>"),  # escaped markup stays text
        ("&lt;a href='/tag/X_0.html'&gt;X&lt;/a&gt;", "<a href='/tag/X_0.html'>X</a>"),
        ("A < B > C <<1>> <_x> <REF> 5<6", "A < B > C <<1>> <_x> <REF> 5<6"),
        ("x <br>&#x000A;y <br/> z</td></tr></table><!-- c -->", "x \ny  z"),
        ("OPTION <A> OR <B> <P>", "OPTION <A> OR <B> <P>"),  # upper case: cable text
        ("tab\there\u2028ls\rcr", "tab\there\u2028ls\rcr"),  # raw characters kept
        ("&#10;&#x0D;&#0;&copy;&nosuch;", "\n\r\ufffd©&nosuch;"),  # HTML5 references
        ("¶ 3 stays", "¶ 3 stays"),  # a ¶ that is not an anchor is text
    ],
)
def test_pre_content(raw: str, text: str) -> None:
    assert extract_page(make_page(raw, "B"))[1] == text + "\nB"


def test_sniff_synthetic() -> None:
    assert is_cable_page(make_page("a", "b").encode()[:4096])
    assert not is_cable_page(b"")
    assert not is_cable_page(b'"1","12/28/1966 18:48","66BUENOSAIRES2481"')
    assert not is_cable_page(b"<html><body><p>hello</p></body></html>")


# --- bad input -----------------------------------------------------------------------------------


def _error(data: bytes | str) -> CablekitError:
    with pytest.raises(CablekitError) as info:
        extract_page(data, source="bad.html")
    assert info.value.source == "bad.html"
    return info.value


@pytest.mark.parametrize("data", [b"", b" \n\t\r\n", "", "\ufeff"])
def test_empty(data: bytes | str) -> None:
    assert "empty" in _error(data).message


def test_binary_junk() -> None:
    junk = bytes(random.Random(7).randrange(256) for _ in range(5000))
    err = _error(junk)
    assert "binary" in err.message or "UTF-8" in err.message
    assert "binary" in _error(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").message


def test_invalid_utf8_names_line_and_column() -> None:
    page = make_page("HEADER", "BODY").encode()
    lines = page.split(b"\n")
    pre_line = next(i for i, ln in enumerate(lines) if b"<pre>BODY" in ln)
    # put "¶¶" (2 characters, 4 bytes) and then a bad byte inside the body block
    lines[pre_line] = lines[pre_line].replace(b"BODY", "B¶¶".encode() + b"\xff")
    err = _error(b"\n".join(lines))
    assert err.line == pre_line + 1
    prefix = lines[pre_line].split(b"\xff")[0].decode()
    assert err.col == len(prefix) + 1
    assert "UTF-8" in err.message and "0xFF" in err.message
    assert str(err).startswith(f"bad.html:{pre_line + 1}:{len(prefix) + 1}: ")


def test_not_a_cable_page() -> None:
    err = _error(b"<!DOCTYPE html><html><body><pre>text</pre></body></html>")
    assert "no <table class='cable'>" in err.message


def test_no_pre_block() -> None:
    page = make_page("x").replace("<code><pre>x</pre></code>", "")
    assert "no <pre> block" in _error(page).message


def test_table_without_reference_id() -> None:
    page = make_page("a", "b").replace("<th>Reference ID</th>", "<th>Something</th>")
    assert "Reference ID" in _error(page).message


def test_unclosed_table() -> None:
    page = make_page("a", "b")
    cut = page[: page.index("</table>")]
    assert "not closed" in _error(cut).message


def test_truncated_mid_pre() -> None:
    page = make_page("HEADER&#x000A;LINE", "BODY&#x000A;" * 50)
    cut = page[: page.index("BODY") + 300]
    err = _error(cut.encode())
    lines = cut.split("\n")
    want_line = max(i for i, ln in enumerate(lines) if "<pre>" in ln) + 1
    assert "truncated" in err.message
    assert err.line == want_line
    assert err.col == lines[want_line - 1].index("<pre>") + 1


def test_loads_gives_a_cable_with_the_table_as_page() -> None:
    from cablekit.converters.html import loads

    header = "P 161324Z MAY 07&#x000A;FM AMEMBASSY BAKU&#x000A;TO RUEHC/SECSTATE WASHDC PRIORITY"
    body = "C O N F I D E N T I A L BAKU 000595&#x000A;&#x000A;SIPDIS&#x000A;&#x000A;DERSE"
    cable = loads(make_page(header, body).encode(), source="p.html")
    assert cable.page is not None and cable.page.identifier == "07BAKU595"
    assert cable.telegram == extract_page(make_page(header, body))[1]
    with pytest.raises(CablekitError):
        loads(b"")
