"""The telegram grammar: cuts telegram text into the model's parts, losing no character.

Every reader of a format that carries telegram text (text, web pages, the bulk CSV) hands
that text here. Each part keeps its verbatim characters; concatenated they give the input.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import cast

from cablekit import normalize as norm
from cablekit.errors import CablekitError
from cablekit.model import (
    Addressee,
    Banner,
    Cable,
    Captions,
    ClassificationLine,
    ClassifiedBy,
    DateLine,
    DateTimeGroup,
    EOLine,
    ExtractNotice,
    FromLine,
    OriginatorLine,
    PageBreak,
    PageMetadata,
    Paragraph,
    Part,
    PassingLine,
    ProtocolLine,
    PublisherLine,
    RecordDump,
    Reference,
    RoutingLine,
    SecurityLine,
    Signature,
    StartOfMessage,
    SubjectLine,
    TagsLine,
    Unrecognized,
)
from cablekit.references import cable_id_from_ref

NBSP = "\u00a0"
BLANKS = " \t" + NBSP  # what surrounds a line's content

# --- line patterns ---------------------------------------------------------------------------
# Patterns match the line with its end of line and surrounding blanks removed, and a trailing
# backslash (residue of a database export) dropped.

RE_FL1 = re.compile(r"^VZCZC([A-Z]{3})?([0-9]*)(.*)$")
RE_FL2 = re.compile(r"^([ZOPRM]{1,2})\s+((?:[A-Z][A-Z0-9]{3,7}\s*)+)$")
RE_RI_ONLY = re.compile(r"^(?:R[A-Z0-9]{3,7}\s*)+$")
RE_DE = re.compile(
    r"^DE\s+([A-Z][A-Z0-9]{3,7})\s*#?\s*([0-9]{1,5})?(?:/([0-9]{1,3}))?\s*(?:([0-9]{3})([0-9]{4}))?"
)
RE_SECURITY = re.compile(r"^(ZNY|ZNR)\s+([A-Z]{5})(?:/([A-Z]{5}))?\s*(.*)$")
RE_DTG = re.compile(
    r"^(?:([ZOPRM](?:\s?[ZOPRM])?)\s+)?([0-9]{2})([0-9]{4})Z\s+([A-Za-z]{3})\s+([0-9]{2}|[0-9]{4})\b(.*)$"
)
RE_FM = re.compile(r"^FM\s+(.*)$")
RE_ADDR_KEY = re.compile(r"^(TO|INFO|XMT)\s+(.*)$")
RE_ADDR = re.compile(
    r"^(?:([A-Z][A-Z0-9]{3,8})\s*/\s*)?(.*?)"
    r"(?:\s+(FLASH|NIACT\s+IMMEDIATE|NIACT|[A-Z]{5,10}))?(?:\s+([0-9]{1,5}))?\s*$"
)
RE_PROTOCOL = re.compile(r"^(BT|NNNN|ZFR|ZFF[0-9]?|#[0-9]{4})$")
# An office/passing line: words, office symbols and names, no stray symbols.
RE_OFFICE = re.compile(r"^[A-Za-z][A-Za-z0-9/&.,;:()'\"\- ]*$")
RE_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20)])  # RE_CONTROL
EXTRACT_NOTICE = "This record is a partial extract of the original cable."
EXTRACT_NOTICE_START = EXTRACT_NOTICE[:30]

# Spaced letters; a doubled first pair occurs (CC O N F..., CO N F...).
RE_SPACED_LETTERS = re.compile(
    r"^([A-Za-z]{1,2}\s{1,2}(?:[A-Za-z]\s{1,2}){2,}[A-Za-z])(?=\s|$|[^A-Za-z])"
)
RE_FIRST_WORD = re.compile(r"^([A-Za-z]+)")
RE_SECTION = re.compile(r"\bSECTION\s+0*([0-9]{1,3})\s+OF\s+0*([0-9]{1,3})\b", re.IGNORECASE)
RE_MSGREF = re.compile(
    r"([A-Za-z][A-Za-z'.-]*(?:\s[A-Za-z][A-Za-z'.-]*){0,4})\s+([0-9]{4,7})(?![0-9])"
)

RE_EO = re.compile(r"^E\.?\s?O\.?\s*([0-9]{5})\b\s*(?:\(AS AMENDED\))?\s*:?\s*(.*)$", re.IGNORECASE)
RE_TAGS = re.compile(r"^(?:TAGS?|TAS)\s*:?\s+(.*)$", re.IGNORECASE)
RE_SUBJECT = re.compile(r"^(?:SUBJECT|SUBJ)\s*:?\s*(.*)$", re.IGNORECASE)
# Portion markings: (C), (S/NF), (S//NF), (SBU), (S//REL TO USA, GBR).
RE_MARKING = re.compile(r"^\(([A-Za-z]{1,4}(?:/{1,2}[A-Za-z][A-Za-z ,]{0,40})*)\)\s*")
RE_REF = re.compile(r"^(?:REFS?|REFERENCES?)\b\s*[:.]?\s*(.*)$", re.IGNORECASE)
RE_REF_ITEM = re.compile(r"^(?:\(([A-Za-z])\)|([A-Za-z])[.)])\s+")
RE_CLASSIFIED_BY = re.compile(r"^(?:CLASSIFIED\s+BY|DERIVED\s+FROM)\b\s*:?\s*(.*)$", re.IGNORECASE)
# A numbered paragraph: "1. (C) ...", "1.(SBU) ...". "2)" numbers sub-items, not paragraphs.
RE_PARA = re.compile(r"^(\s{0,8})([0-9]{1,3})\s?\.(?=\s|\(|$)")
RE_PAGE_BREAK = re.compile(
    r"^([A-Z][A-Z .'-]*?)\s+([0-9]{8})\s+([0-9]{3}(?:\.[0-9])?)\s+OF\s+([0-9]{3})$"
)
RE_OLD_PAGE = re.compile(
    r"^PAGE\s+([0-9]{2,3})\s+([A-Z][A-Z .'-]*?)\s+([0-9]{3,6})\s+([0-9]{2})\s+OF\s+([0-9]{2})"
    r"\s+([0-9]{6}Z)?.*$"
)
RE_WEEKDAY = re.compile(
    r"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),\s+([0-9]{1,2})\s+"
    r"([A-Za-z]+)\s+([0-9]{4}),\s+([0-9]{2}):([0-9]{2})$"
)
RE_KV = re.compile(r"^(id|date|refid|origin|classification|destination|header)\s*:\s?(.*)$")
# Lines publishers appended after the text: '2002ROME03639 - Classification: ...',
# '=====CABLE ENDS=====', a lone quote left by a CSV export.
RE_TRAILER = re.compile(r'^(?:[0-9]{4}[A-Z]+[0-9]+ - Clas|=+\s*CABLE ENDS\s*=+$|"$|>$)')
RE_SIGNATURE = re.compile(r"^[A-Z][A-Za-z'.-]*(?:\s+[A-Z][A-Za-z'.-]*){0,3}$")

# Helpers compiled once (re.sub/re.match with a pattern string look the pattern up per call).
RE_BLANKS = re.compile(r"\s")
RE_BLANK_RUN = re.compile(r"\s+")
RE_CAPTION_SEP = re.compile(r"[\s,;:/]+")
RE_NOT_LETTERS = re.compile(r"[^A-Z]+")
RE_TAGS_INSIDE = re.compile(r"\bTAGS?\s*:?\s+", re.IGNORECASE)
RE_DECL = re.compile(r"^(?:DECL|DECLASSIFY|DNG)\s*:?\s*(.*)$", re.IGNORECASE)
RE_EXEMPTION = re.compile(r"^(?:1\.6\s*)?X[1-8]|^25X[1-9]")
RE_TAG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*(?:\s*\([^)]*\))?")
REF_CAPTIONS = tuple((w, re.compile(rf"\b{w}\b")) for w in ("NOTAL", "EXDIS", "NODIS", "LIMDIS"))
RE_AUTHORITY = re.compile(r"\b1\.?\s?([45])\b")
RE_REASON = re.compile(r"(?<![A-Za-z])([a-hA-H])(?![A-Za-z])")
RE_CLASSIFIER_END = re.compile(
    r"[,;]?\s*(?:\bFOR\b|\bPER\b|\bUNDER\b|\bREASONS?\b|\bE\.?O\.?\b).*$", re.IGNORECASE
)
RE_TAGS_CONTINUED = re.compile(r"[A-Z0-9, ]+")
RE_SIGNATURE_END = re.compile(r"(?:\s+NNNN)?[\s.]*$")
RE_CLOSING = re.compile(r"(END\s+(COMMENT|SUMMARY|TEXT)\s*\.?|\*{3,})$", re.IGNORECASE)
RE_PARA_HEAD = re.compile(r"^[0-9]{1,3}\s?[.)]\s*(\([A-Z/]+\)\s*)?")
RE_SUMMARY_START = re.compile(r"^-*\s*(SUMMARY|SUMMARY AND COMMENT)\b")
RE_COMMENT_START = re.compile(r"^-*\s*COMMENT\b")

CAPTION_WORDS = {
    "SIPDIS",
    "NOFORN",
    "EXDIS",
    "NODIS",
    "LIMDIS",
    "STADIS",
    "SENSITIVE",
    "ORCON",
    "PROPIN",
    "NOCONTRACT",
    "EFTO",
    "CORRECTED",
    "FOUO",
    "SPECAT",
    "CHEROKEE",
    "ROGER",
    "DECAPTIONED",
}
CAPTION_PHRASES = (
    "SENSITIVE BUT UNCLASSIFIED",
    "FOR OFFICIAL USE ONLY",
    "NOT FOR INTERNET DISTRIBUTION",
    "CORRECTED COPY",
    "E F T O",
    "C O R R E C T E D C O P Y",
)
CAPTION_INITIALS = frozenset(w[0] for w in (*CAPTION_WORDS, *CAPTION_PHRASES))
CLASSIFICATION_WORDS = {
    "UNCLASSIFIED",
    "UNCLAS",
    "CONFIDENTIAL",
    "SECRET",
    "TOP SECRET",
    "LIMITED OFFICIAL USE",
}
NOT_SIGNATURES = {
    "END SUMMARY",
    "END COMMENT",
    "SUMMARY",
    "COMMENT",
    "BT",
    "NNNN",
    "END",
    "END TEXT",
    "END NOTE",
    "BACKGROUND",
}


def _content(line: str) -> str:
    """The line without its end of line, surrounding blanks or a trailing backslash."""
    s = line.rstrip("\r\n").strip(BLANKS)
    if s.endswith("\\"):
        s = s[:-1].rstrip()
    return s


# What str.splitlines ends a line at besides LF (CR LF is CR then LF here: one end either way).
OTHER_LINE_SEPARATORS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def split_lines(text: str) -> list[str]:
    """Split keeping line ends; only LF ends a line (CR stays with it; U+2028 is content)."""
    if not text:
        return []
    if not any(sep in text for sep in OTHER_LINE_SEPARATORS):
        # Shortcut: with LF the only separator str.splitlines knows, it cuts the same lines.
        return text.splitlines(keepends=True)
    pieces = text.split("\n")
    out = [p + "\n" for p in pieces[:-1]]
    if pieces[-1]:
        out.append(pieces[-1])
    return out


# --- classification banner ------------------------------------------------------------------


LEVEL_INITIALS = frozenset("TCSULtcsul")
DIGITS = "0123456789"  # also holds "", so an empty line is still tried


def match_classification(s: str) -> tuple[str, int] | None:
    """A classification word at the start of s, spaced or not: (level, end offset)."""
    # Shortcut: a level word (TOP, CONFIDENTIAL, ..., LIMITED) starts with one of these letters
    # and spaced letters have a blank (\s is str.isspace) second or third: else no reading fits.
    if s[:1] not in LEVEL_INITIALS and not s[1:2].isspace() and not s[2:3].isspace():
        return None
    m = RE_SPACED_LETTERS.match(s)
    if m:
        word = RE_BLANKS.sub("", m[1]).upper()
        for target, level in (
            ("TOPSECRET", "TOP SECRET"),
            ("CONFIDENTIAL", "CONFIDENTIAL"),
            ("SECRET", "SECRET"),
            ("UNCLASSIFIED", "UNCLASSIFIED"),
            ("UNCLAS", "UNCLASSIFIED"),
        ):
            # Doubled or dropped letters occur (CC O N F..., C O N F I D E N I A L), and
            # spaced captions may follow the level (U N C L A S E F T O).
            if word.startswith(target) or (len(target) > 6 and norm._close(word, target)):
                return level, m.end()
            if word[:1] == word[1:2] and word[1:].startswith(target):
                return level, m.end()
        return None
    m = RE_FIRST_WORD.match(s)
    if not m:
        return None
    word = m[1].upper()
    end = m.end()
    if word == "TOP" and s[end : end + 7].upper() == " SECRET":
        return "TOP SECRET", end + 7
    if word in ("CONFIDENTIAL", "SECRET", "UNCLASSIFIED", "UNCLAS", "CCONFIDENTIAL"):
        return norm.classification_from_word(word) or "UNCLASSIFIED", end
    if word == "LIMITED" and s[end : end + 13].upper() == " OFFICIAL USE":
        return "UNCLASSIFIED", end + 13
    return None


def parse_banner(s: str, *, strict: bool) -> Banner | None:
    """Read a banner line; strict requires SECTION or a message reference after the level."""
    m = match_classification(s)
    if m is None:
        return None
    level, end = m
    rest = s[end:]
    if rest and rest[0].isalpha():
        return None
    rest = rest.strip(" ,-/")
    section = sections = None
    sm = RE_SECTION.search(rest)
    if sm:
        section, sections = int(sm[1]), int(sm[2])
        rest = rest[sm.end() :].strip()
    station = serial = None
    mm = RE_MSGREF.search(rest)
    if mm:
        station = RE_BLANK_RUN.sub(" ", mm[1].strip()).upper()
        # Captions written between level and reference are not part of the station name.
        for cap in ("SIPDIS", "NOFORN", "E F T O", "EFTO", "SECTION", "EXDIS", "NODIS"):
            if station.startswith(cap + " "):
                station = station[len(cap) + 1 :]
        serial = mm[2]
    elif strict and sm is None and rest and not _is_caption_text(rest):
        return None
    return Banner(
        text="",
        classification=level,
        section=section,
        sections=sections,
        station=station,
        serial=serial,
    )


def _is_caption_text(s: str) -> bool:
    u = s.upper().strip(" .,;:-")
    # Shortcut: a phrase or the first word (u[0] is no separator, or the word is "") must start
    # with u's first character.
    if u[:1] not in CAPTION_INITIALS:
        return False
    for phrase in CAPTION_PHRASES:
        if u.startswith(phrase):
            return True
    # The first word, as RE_CAPTION_SEP.split(u, maxsplit=1)[0] without copying the rest.
    sep = RE_CAPTION_SEP.search(u)
    return (u[: sep.start()] if sep else u) in CAPTION_WORDS


def caption_names(s: str) -> tuple[str, ...]:
    u = s.upper()
    found: list[str] = []
    rest = u
    for phrase in CAPTION_PHRASES:
        if phrase in rest:
            found.append(phrase.replace(" ", "") if phrase in ("E F T O",) else phrase)
            rest = rest.replace(phrase, " ")
    for w in RE_NOT_LETTERS.split(rest):
        if w in CAPTION_WORDS and w not in found:
            found.append(w)
    return tuple(found)


# --- part builders from verbatim lines -------------------------------------------------------


def _join(lines: list[str]) -> str:
    """Unwrap continuation lines into one space-separated string."""
    return " ".join([c for x in lines if (c := _content(x))])


def build_subject(text: str, lines: list[str]) -> SubjectLine:
    joined = _join(lines)
    m = RE_SUBJECT.match(joined)
    value = m[1] if m else joined
    marking = None
    mk = RE_MARKING.match(value)
    if mk:
        marking = mk[1].upper()
        value = value[mk.end() :]
    return SubjectLine(text=text, marking=marking, subject=value.strip() or None)


def build_eo(text: str, lines: list[str]) -> EOLine:
    joined = _join(lines)
    m = RE_EO.match(joined)
    order = m[1] if m else None
    rest = m[2] if m else joined
    tags: tuple[str, ...] = ()
    tm = RE_TAGS_INSIDE.search(rest)
    if tm:
        tags = split_tags(rest[tm.end() :])
        rest = rest[: tm.start()]
    rest = rest.strip(" ;,")
    decl = rest
    dm = RE_DECL.match(rest)
    if dm:
        decl = dm[1].strip()
    kind: str | None
    date_val = norm.decl_date(decl)
    upper = decl.upper()
    if date_val is not None:
        kind = "date"
    elif upper.startswith("N/A") or upper == "NA":
        kind = "n/a"
    elif "OADR" in upper:
        kind = "oadr"
    elif RE_EXEMPTION.match(upper.replace(" ", "")):
        kind = "exemption"
    elif decl:
        kind = "event"
    else:
        kind = "none"
    return EOLine(
        text=text,
        order=order,
        decl=decl or None,
        decl_kind=kind,
        decl_date=date_val,
        tags=tags,
    )


def split_tags(s: str) -> tuple[str, ...]:
    """Tags separated by spaces or commas; a person tag keeps its parenthesized name."""
    out: list[str] = []
    for m in RE_TAG.finditer(s):
        tag = m[0].strip().upper()
        out.append(tag)
    return tuple(out)


def build_tags(text: str, lines: list[str]) -> TagsLine:
    joined = _join(lines)
    m = RE_TAGS.match(joined)
    return TagsLine(text=text, tags=split_tags(m[1] if m else joined))


def build_reference(text: str, default_year: int | None, label: bool) -> Reference:
    body = _join(split_lines(text)) if "\n" in text else _content(text)
    if label:
        m = RE_REF.match(body)
        body = m[1] if m else body
    letter = None
    im = RE_REF_ITEM.match(body)
    if im:
        letter = (im[1] or im[2]).upper()
        body = body[im.end() :]
    body = body.strip()
    captions = tuple(w for w, pattern in REF_CAPTIONS if pattern.search(body))
    return Reference(
        text=text,
        letter=letter,
        raw=body or None,
        cable_id=cable_id_from_ref(body, default_year),
        captions=captions,
        label=label,
    )


def build_classified_by(text: str, lines: list[str]) -> ClassifiedBy:
    joined = _join(lines)
    m = RE_CLASSIFIED_BY.match(joined)
    rest = m[1] if m else joined
    am = RE_AUTHORITY.search(rest)
    authority = reasons = None
    classifier = rest
    if am:
        authority = f"1.{am[1]}"
        tail = rest[am.end() :]
        reasons = tuple(dict.fromkeys(r.lower() for r in RE_REASON.findall(tail)))
        head = rest[: am.start()]
        cut = RE_CLASSIFIER_END.search(head)
        classifier = head[: cut.start()] if cut else head
    return ClassifiedBy(
        text=text,
        classifier=classifier.strip(" ,;.") or None,
        authority=authority,
        reasons=reasons or (),
    )


def build_addressee(text: str, role: str, keyword: bool) -> Addressee:
    s = _content(text)
    if keyword:
        s = s.split(None, 1)[1] if " " in s else ""
    m = RE_ADDR.match(s)
    ri = name = prec = prec_raw = serial = None
    if m:
        ri, name, prec_raw, serial = m[1], m[2], m[3], m[4]
        if prec_raw is not None:
            prec = norm.precedence_name(prec_raw)
            if prec is None:
                # Not a precedence: it belongs to the name.
                name = f"{name} {prec_raw}".strip()
                prec_raw = None
        name = name.strip() or None
    return Addressee(
        text=text,
        role=role,
        keyword=keyword,
        routing_indicator=ri,
        name=name,
        precedence=prec,
        precedence_raw=prec_raw,
        serial=serial,
    )


def build_page_break(text: str, lines: list[str]) -> PageBreak:
    classification = None
    station = serial = None
    page = pages = None
    for line in lines:
        s = _content(line)
        if not s:
            continue
        m = RE_PAGE_BREAK.match(s)
        if m:
            station, serial = m[1].strip(), m[2]
            page, pages = int(float(m[3])), int(m[4])
            continue
        m = RE_OLD_PAGE.match(s)
        if m:
            page, station, serial = int(m[1]), m[2].strip(), m[3]
            continue
        cl = match_classification(s)
        if cl:
            classification = cl[0]
    return PageBreak(
        text=text,
        station=station,
        serial=serial,
        page=page,
        pages=pages,
        classification=classification,
    )


# Header items that published copies glue onto the line before them ("...000331 SIPDISE.O.
# 12958: DECL: ... TAGS: ...", "REF: MOSCOW 7769 Classified By: ...").
RE_GLUED = re.compile(
    r"(?i:classified\s+by)\s*:|E\.O\.\s?1[0-9]{4}|\bTAGS:|\bSUBJECT:|\bREFS?:|SIPDIS"
    r"|(?<=:[0-9]{2})(?=[A-Z] ?[A-Z])"
    r"|(?<=\t)(?=VZCZC|C O N F|S E C R E T|T O P|UNCLAS)"
)
RE_CABLE_DATED = re.compile(r"^Cable dated:\s*[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}")
# One of these matches wherever RE_GLUED does (its alternatives without \b and lookarounds, the
# last two starting at the ":" or tab before the match); with no lookbehind tried at every
# position, and the case-sensitive ones starting with a literal, they scan a line 4 times faster.
RE_GLUED_HINT = re.compile(
    r"E\.O\.\s?1[0-9]{4}|TAGS:|SUBJECT:|REFS?:|SIPDIS|:[0-9]{2}[A-Z] ?[A-Z]"
    r"|\t(?:VZCZC|C O N F|S E C R E T|T O P|UNCLAS)"
)
RE_GLUED_HINT_CLASSIFIED = re.compile(r"(?i:classified\s+by)\s*:")


def _next_letter(letter: str | None) -> str:
    return "A" if letter is None else chr(ord(letter) + 1)


def _numbered_ref(s: str) -> bool:
    """A REF list numbered 1., 2.: the item cites something, briefly and without a marking."""
    m = RE_PARA.match(s)
    rest = s[m.end() :].strip() if m else s
    return len(rest) < 60 and not rest.startswith("(") and bool(RE_NUMBERED_REF.match(rest))


RE_NUMBERED_REF = re.compile(r"^(?:[0-9]{2,4}\s+)?[A-Z][A-Z .'-]*\s+[0-9]{1,6}\b")


def _is_header_item(s: str) -> bool:
    return bool(
        RE_EO.match(s) or RE_TAGS.match(s) or RE_SUBJECT.match(s) or RE_CLASSIFIED_BY.match(s)
    )


def split_glued(line: str) -> list[str]:
    """Cut a line where a header item starts inside it; the pieces concatenate to the line."""
    # Shortcut: every alternative of RE_GLUED and RE_CABLE_DATED holds ":", a tab, "E.O." or
    # "SIPDIS" literally; most lines hold none and are not cut.
    if ":" not in line and "\t" not in line and "E.O." not in line and "SIPDIS" not in line:
        return [line]
    start = len(line) - len(line.lstrip())
    # Shortcut: a RE_GLUED match from start + 1 on implies a hint match from start + 1 on, but
    # for ":12AB" at the very start (the blanks before start hold no ":" or tab).
    if (
        line[start : start + 1] != ":"
        and not line.startswith("Cable dated:", start)
        and RE_GLUED_HINT.search(line, start + 1) is None
        # (under IGNORECASE "by" has no other case forms, unlike the s and i of "classified")
        and not (
            ("by" in line or "BY" in line or "By" in line or "bY" in line)
            and RE_GLUED_HINT_CLASSIFIED.search(line, start + 1)
        )
    ):
        return [line]
    cuts = []
    dated = RE_CABLE_DATED.match(line, start)
    if dated:
        cuts.append(dated.end())
    for m in RE_GLUED.finditer(line, start + 1):
        at = m.start()
        # "declassified by" is no header item; E.O. and SIPDIS may follow a word directly.
        glued_word = line[at - 1].isalpha() and line[at] in "cC"
        if at > start and (not cuts or at > cuts[-1]) and not glued_word:
            cuts.append(at)
    if not cuts:
        return [line]
    bounds = [0, *cuts, len(line)]
    return [line[a:b] for a, b in itertools.pairwise(bounds) if a < b]


def is_page_break(s: str) -> bool:
    if s[-1:].isdigit():
        # Shortcut: RE_PAGE_BREAK ends with blanks and three digits (a digit last: $ is the end).
        return s[-4:-3].isspace() and RE_PAGE_BREAK.match(s) is not None
    return s.startswith("PAGE") and RE_OLD_PAGE.match(s) is not None


def is_classification_only(s: str) -> bool:
    if not s:
        return False
    m = match_classification(s)
    return m is not None and not s[m[1] :].strip(" -/")


def _is_address_like(s: str) -> bool:
    """An addressee continuation line: upper case, no sentence punctuation."""
    if not s:
        return False
    # Shortcut: in ASCII only a-z are lower case, and upper() changes exactly those.
    if s != s.upper() if s.isascii() else any(c.islower() for c in s):
        return False
    if s.endswith((".", ":")) and not s.endswith("D.C."):
        return False
    return not RE_PARA.match(s)


# --- the telegram reader ----------------------------------------------------------------------


class _Reader:
    """One pass over the lines; a small state machine groups them into parts."""

    def __init__(self, lines: list[str], default_year: int | None) -> None:
        self.lines = lines
        self.parts: list[Part] = []
        self.default_year = default_year
        # The open multi-line part: its verbatim lines and how to build it when closed.
        self.open_lines: list[str] = []
        self.open_build: Callable[[str, list[str]], Part] | None = None
        self.open_kind = ""
        # Paragraph being built: verbatim pieces (str lines and PageBreak parts).
        self.para: list[str | PageBreak] | None = None
        self.para_has_break = False  # a PageBreak among self.para's items
        self.para_number: str | None = None
        self.para_marking: str | None = None
        self.zone = "envelope"
        self.addr_role: str | None = None
        self.seen_banner = False
        self.header_items = 0  # E.O. / TAGS / SUBJECT / REF / Classified By seen
        self.last_para_number = 0
        self.ref_letter: str | None = None
        self.in_ref = False

    # -- closing parts

    def close(self) -> None:
        if self.para is not None:
            self._close_para()
        if self.open_build is not None:
            text = "".join(self.open_lines)
            self.parts.append(self.open_build(text, self.open_lines))
            self.open_build = None
            self.open_lines = []
            self.open_kind = ""

    def _close_para(self) -> None:
        para = self.para
        assert para is not None
        content: list[str | PageBreak] = []
        if not self.para_has_break:
            # Shortcut: lines only, which the loop below would join into one string.
            if para:
                content.append("".join(cast(list[str], para)))
        else:
            self.para_has_break = False
            buf: list[str] = []
            for item in para:
                if isinstance(item, str):
                    buf.append(item)
                else:
                    if buf:
                        content.append("".join(buf))
                        buf = []
                    content.append(item)
            if buf:
                content.append("".join(buf))
        self.parts.append(
            Paragraph(content=tuple(content), number=self.para_number, marking=self.para_marking)
        )
        self.para = None
        self.para_number = None
        self.para_marking = None

    def open(self, kind: str, line: str, build: Callable[[str, list[str]], Part]) -> None:
        self.close()
        self.open_kind = kind
        self.open_lines = [line]
        self.open_build = build

    def single(self, part: Part) -> None:
        self.close()
        self.parts.append(part)

    def blank(self, line: str) -> None:
        if self.para is not None:
            self.para.append(line)
        elif self.open_build is not None:
            self.open_lines.append(line)
        elif self.parts:
            last = self.parts[-1]
            self.parts[-1] = _with_text(last, last.text + line)
        else:
            # Blank lines before anything: held as the first part's leading text.
            self.open("unrecognized", line, lambda t, ls: Unrecognized(text=t, zone=self.zone))

    # -- the pass

    def run(self) -> list[Part]:
        lines = self.lines
        tail_at, tail_parts, head = _tail_parts(lines)
        if head is not None:
            # The last line's head (before a glued signature) is read with the body.
            del lines[tail_at:]
            lines.append(head)
            tail_at += 1
        i = 0
        while i < tail_at:
            line = lines[i]
            s = line.rstrip("\r\n").strip(BLANKS)  # _content(line), without a call per line
            if s[-1:] == "\\":
                s = s[:-1].rstrip()
            if self.zone != "body" and len(s) > 12:
                pieces = split_glued(line)
                if len(pieces) > 1:
                    # Header items run together on one line: each piece is read on its own.
                    lines[i : i + 1] = pieces
                    tail_at += len(pieces) - 1
                    line = lines[i]
                    s = _content(line)
            if not s:
                self.blank(line)
                i += 1
                continue
            # Page breaks can stand anywhere, also inside a paragraph or an address list.
            # (is_page_break is False unless one of the first two tests holds: spares a call.)
            if (s[-1:].isdigit() or s.startswith("PAGE")) and is_page_break(s):
                self._page_break([line])
                i += 1
                continue
            if (
                len(s) <= 40
                and (self.seen_banner or self.zone == "body")
                and is_classification_only(s)
            ):
                j = i + 1
                while j < tail_at and not _content(lines[j]):
                    j += 1
                if j < tail_at and is_page_break(_content(lines[j])):
                    self._page_break(lines[i : j + 1])
                    i = j + 1
                    continue
            if self.zone != "envelope" and s[:1] in "ZOPRM" and RE_DTG.match(s):
                j = i + 1
                while j < tail_at and not _content(lines[j]):
                    j += 1
                if j < tail_at and _content(lines[j]).startswith("FM "):
                    # A section's own envelope repeated inside the text (older cables).
                    self.close()
                    self.zone = "envelope"
                    self.addr_role = None
            if self.zone == "envelope":
                self._envelope(line, s)
            elif self.zone == "header":
                self._header(line, s)
            else:
                self._body(line, s)
            i += 1
        self.close()
        self.parts.extend(tail_parts)
        return self.parts

    def _page_break(self, group: list[str]) -> None:
        text = "".join(group)
        pb = build_page_break(text, group)
        if self.para is not None:
            self.para.append(pb)
            self.para_has_break = True
        else:
            self.single(pb)

    # -- envelope

    def _envelope(self, line: str, s: str) -> None:
        if s.startswith("VZCZC"):
            m = RE_FL1.match(s)
            assert m is not None
            self.single(StartOfMessage(text=line, channel=m[1], serial=m[2] or None))
            return
        if s.startswith(EXTRACT_NOTICE_START):
            self.single(ExtractNotice(text=line))
            return
        if s.startswith("DE "):
            m = RE_DE.match(s)
            if m:
                self.single(
                    OriginatorLine(
                        text=line,
                        routing_indicator=m[1],
                        station_serial=m[2],
                        section=m[3],
                        julian_day=int(m[4]) if m[4] else None,
                        filing_time=m[5],
                    )
                )
                return
        if s.startswith(("ZNY", "ZNR")):
            m = RE_SECURITY.match(s)
            if m:
                chars = m[2]
                self.single(
                    SecurityLine(
                        text=line,
                        prosign=m[1],
                        classification_chars=chars,
                        classification=norm.CLASSIFICATION_CHARS.get(chars[0]),
                        specat=m[3],
                        signals=tuple(m[4].split()),
                    )
                )
                return
        m = RE_DTG.match(s)
        if m and (m[1] or not self.parts or self.zone == "envelope"):
            self.single(
                DateTimeGroup(
                    text=line,
                    precedence=m[1],
                    dtg=s[m.start(2) :].strip(),
                    sent=norm.dtg_datetime(m[2], m[3], m[4], m[5]),
                )
            )
            self.addr_role = None
            return
        if s.startswith("FM "):
            self.single(FromLine(text=line, name=s[3:].strip() or None))
            self.addr_role = None
            return
        m = RE_ADDR_KEY.match(s)
        if m:
            role = m[1].lower()
            self.addr_role = role
            self.single(build_addressee(line, role, keyword=True))
            return
        m = RE_FL2.match(s)
        if m and not self.addr_role and all(len(w) >= 4 for w in m[2].split()):
            prosign = m[1]
            self.single(
                RoutingLine(
                    text=line,
                    precedence=prosign,
                    action_precedence=norm.PRECEDENCE_LETTERS.get(prosign[0]),
                    info_precedence=norm.PRECEDENCE_LETTERS.get(prosign[-1]),
                    routing_indicators=tuple(m[2].split()),
                )
            )
            return
        if RE_PROTOCOL.match(s):
            self.single(ProtocolLine(text=line, signal=s))
            return
        if RE_RI_ONLY.match(s) and self.parts and isinstance(self.parts[-1], RoutingLine):
            last = self.parts[-1]
            self.parts[-1] = RoutingLine(
                text=last.text + line,
                precedence=last.precedence,
                action_precedence=last.action_precedence,
                info_precedence=last.info_precedence,
                routing_indicators=last.routing_indicators + tuple(s.split()),
            )
            return
        # The body header starts: banner, or any recognised header item.
        if self._try_header_start(line, s):
            return
        if self.addr_role and _is_address_like(s):
            self.single(build_addressee(line, self.addr_role, keyword=False))
            return
        self._header_or_unrecognized(line, s)

    def _try_header_start(self, line: str, s: str) -> bool:
        banner = parse_banner(s, strict=True)
        if banner is not None:
            self._banner(line, banner)
            return True
        if (
            RE_EO.match(s)
            or RE_TAGS.match(s)
            or RE_SUBJECT.match(s)
            or RE_CLASSIFIED_BY.match(s)
            or (self.zone == "header" and RE_REF.match(s))
        ):
            self.zone = "header"
            self._header(line, s)
            return True
        if _is_caption_text(s) and not (self.addr_role and RE_ADDR.match(s) and "/" in s):
            self.zone = "header"
            self.single(Captions(text=line, captions=caption_names(s)))
            return True
        return False

    def _header_or_unrecognized(self, line: str, s: str) -> None:
        m = RE_WEEKDAY.match(s)
        if m:
            self.single(DateLine(text=line, when=_weekday_datetime(m)))
            return
        if RE_CABLE_DATED.match(s):
            when = norm.parse_table_datetime(s.split(":", 1)[1].replace("T", " "))
            self.single(DateLine(text=line, when=when))
            return
        if RE_PARA.match(s):
            self.zone = "body"
            self._body(line, s)
            return
        m = RE_KV.match(s)
        if m or s.startswith("----------------- header ends"):
            if self.open_kind != "record-dump":
                self.open("record-dump", line, _build_dump)
            else:
                self.open_lines.append(line)
            return
        if self.open_kind == "record-dump" and not s.startswith("-----"):
            self.open_lines.append(line)
            return
        if self.open_kind == "unrecognized":
            self.open_lines.append(line)
            return
        zone = self.zone
        self.open("unrecognized", line, lambda t, ls: Unrecognized(text=t, zone=zone))

    def _banner(self, line: str, banner: Banner) -> None:
        self.zone = "header"
        repeat = self.seen_banner and self.header_items > 0
        self.seen_banner = True
        self.header_items = 0
        self.in_ref = False
        self.single(
            Banner(
                text=line,
                classification=banner.classification,
                section=banner.section,
                sections=banner.sections,
                station=banner.station,
                serial=banner.serial,
                repeat=repeat,
            )
        )

    # -- header

    def _header(self, line: str, s: str) -> None:
        kind = self.open_kind
        if RE_PARA.match(s) and not (self.in_ref and kind == "reference" and _numbered_ref(s)):
            self.zone = "body"
            self._body(line, s)
            return
        banner = parse_banner(s, strict=True)
        if banner is not None:
            self._banner(line, banner)
            return
        m = RE_EO.match(s)
        if m:
            self.header_items += 1
            self.in_ref = False
            self.open("eo", line, build_eo)
            return
        if RE_TAGS.match(s):
            self.header_items += 1
            self.in_ref = False
            self.open("tags", line, build_tags)
            return
        if RE_SUBJECT.match(s):
            self.header_items += 1
            self.in_ref = False
            self.open("subject", line, build_subject)
            return
        if RE_CLASSIFIED_BY.match(s):
            self.header_items += 1
            self.in_ref = False
            self.open("classified-by", line, build_classified_by)
            return
        if RE_REF.match(s):
            self.header_items += 1
            self.in_ref = True
            self.ref_letter = None
            self._references(line, s, label=True)
            return
        if self.in_ref:
            im = RE_REF_ITEM.match(s)
            # Items go A, B, C...: "(U) text" after the list is a portion marking, not item U.
            if im and ((im[1] or im[2]).upper() == _next_letter(self.ref_letter)):
                self._references(line, s, label=False)
                return
            if kind == "reference" and self.open_lines and _content(self.open_lines[-1]):
                # A wrapped reference continues on the next line.
                self.open_lines.append(line)
                return
        # Continuations of wrapped header items: the line directly after, no blank between.
        if kind in ("subject", "classified-by", "eo", "passing") and _content(self.open_lines[-1]):
            self.open_lines.append(line)
            return
        if (
            kind == "tags"
            and (_content(self.open_lines[-1]).endswith(",") or RE_TAGS_CONTINUED.fullmatch(s))
            and _content(self.open_lines[-1])
        ):
            self.open_lines.append(line)
            return
        if _is_caption_text(s):
            self.single(Captions(text=line, captions=caption_names(s)))
            return
        m = RE_WEEKDAY.match(s)
        if m:
            self.single(DateLine(text=line, when=_weekday_datetime(m)))
            return
        if is_classification_only(s):
            self.single(ClassificationLine(text=line, classification=match_classification(s)[0]))  # type: ignore[index]
            return
        if self.header_items == 0 and self.seen_banner and (len(s) < 100 or s.isupper()):
            if RE_OFFICE.match(s):
                # Office / passing lines sit between the banner and the E.O. line.
                self.open("passing", line, lambda t, ls: PassingLine(text=t))
                return
            if len(s) < 60:
                self._header_or_unrecognized(line, s)
                return
        # Anything else starts the body.
        self.zone = "body"
        self._body(line, s)

    def _references(self, line: str, s: str, *, label: bool) -> None:
        """One or more REF items on this line, each its own part (a line can hold several)."""
        self.close()
        body_start = 0
        if label:
            m = RE_REF.match(s)
            assert m is not None
            body_start = len(line) - len(line.lstrip()) + m.start(1)
        # Split the line where the next letter item starts (B., C., ... in sequence).
        cuts = [0]
        pos = body_start
        im = RE_REF_ITEM.match(line[pos:].lstrip())
        letter = None
        if im:
            letter = (im[1] or im[2]).upper()
        # No item follows Z (the character after it, "[", would break the pattern below).
        while letter is not None and letter != "Z":
            nxt = chr(ord(letter) + 1)
            mm = re.search(rf"\s(\(?{nxt}[.)]|\({nxt}\))\s", line[pos + 1 :])
            if not mm:
                break
            cut = pos + 1 + mm.start() + 1
            cuts.append(cut)
            pos = cut
            letter = nxt
        if letter is not None:
            self.ref_letter = letter
        year = self.default_year
        for k, start in enumerate(cuts):
            end = cuts[k + 1] if k + 1 < len(cuts) else len(line)
            piece = line[start:end]
            if k + 1 < len(cuts):
                self.parts.append(build_reference(piece, year, label=label and k == 0))
            else:
                lab = label and k == 0
                self.open(
                    "reference",
                    piece,
                    lambda t, ls, lab=lab: build_reference(t, self.default_year, label=lab),  # type: ignore[misc]
                )

    # -- body

    def _body(self, line: str, s: str) -> None:
        # Shortcut: RE_PARA wants a digit after at most 8 blanks (\s is str.isspace, NBSP is one),
        # so a line starting with anything else is no numbered paragraph.
        first = line[:1]
        m = (
            RE_PARA.match(line.rstrip("\r\n").lstrip(NBSP))
            if first in DIGITS or first.isspace()
            else None
        )
        if m:
            number = int(m[2])
            if number > self.last_para_number or (self.para_number is None and number == 1):
                self.close()
                self.last_para_number = number
                self.para = [line]
                self.para_number = m[2]
                after = line[m.end() :].lstrip(" \t:")
                mk = RE_MARKING.match(after)
                self.para_marking = mk[1].upper() if mk else None
                return
        if self.last_para_number == 0 and self.header_items < 3 and _is_header_item(s):
            # Header items after a long office line or prose the header did not expect.
            self.close()
            self.zone = "header"
            self._header(line, s)
            return
        if self.para is not None:
            self.para.append(line)
            return
        # Unnumbered text (before the first number, or headings): its own paragraph.
        self.close()
        self.para = [line]


def _with_text(part: Part, text: str) -> Part:
    # As dataclasses.replace, without its checks (every model field is an init field, named in
    # __match_args__ in order); replace is slow, and this runs for every blank line after a part.
    if isinstance(part, Paragraph):
        content = part.content
        if content and isinstance(content[-1], str):
            content = (*content[:-1], content[-1] + text)
        else:
            content = (*content, text)
        return Paragraph(content, part.number, part.marking, part.section)
    make: Callable[..., Part] = type(part)
    return make(*[text if f == "text" else getattr(part, f) for f in type(part).__match_args__])


def _weekday_datetime(m: re.Match[str]) -> datetime | None:
    try:
        return datetime.strptime(f"{m[1]} {m[2]} {m[3]} {m[4]}:{m[5]}", "%d %B %Y %H:%M").replace(
            tzinfo=UTC
        )
    except ValueError:
        return None


def _build_dump(text: str, lines: list[str]) -> Part:
    fields: list[tuple[str, str]] = []
    for line in lines:
        m = RE_KV.match(_content(line))
        if m:
            fields.append((m[1], m[2].strip()))
    return RecordDump(text=text, fields=tuple(fields))


def _is_signature_line(s: str) -> bool:
    return bool(
        (RE_SIGNATURE.match(s) or RE_LOWER_SIGNATURE.match(s))
        and len(s) <= 40
        and s.upper() not in NOT_SIGNATURES
        and not is_classification_only(s)
        and not RE_PARA.match(s)
        and not s.upper().startswith(("END ", "SIPDIS"))
        and not _is_caption_text(s)
    )


def _signature_name(s: str) -> str:
    """The name without a trailing period or an NNNN end-of-message signal."""
    return RE_SIGNATURE_END.sub("", s)


# A signature glued to the end of the last sentence: "... the coming year. HRINAK",
# "... END COMMENT. HOAGLAND NNNN". Only an all-capitals name after a sentence end counts, and
# only in mixed-case text or after END COMMENT/SUMMARY or a row of asterisks, where it cannot be
# the sentence's own last word.
RE_GLUED_SIGNATURE = re.compile(
    r"^(?P<head>.*?[.!?)\"'*])(?P<gap>\s+)(?P<name>[A-Z][A-Z'-]{2,}(?: (?!NNNN)[A-Z][A-Z'-]{2,})?)"
    r"(?P<rest>(?:\s+NNNN)?\s*\.?\s*)$",
    re.DOTALL,
)
NAME_END = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ'-")  # last characters of RE_GLUED_SIGNATURE's name
HEAD_END = frozenset(".!?)\"'*")  # and of its head
RE_LOWER_SIGNATURE = re.compile(r"^(?:[a-z]+ )?[A-Za-z][a-z'-]{2,}$")


def _glued_signature(line: str) -> tuple[str, str, str] | None:
    """(head, name, signature text) when the line ends with a glued signature."""
    body = line.rstrip("\r\n")
    # Shortcuts (scanning a long line lazily is slow): the pattern ends with a name, an optional
    # NNNN, blanks and at most one period; stripping those leaves a name character last.
    # The name (one or two words, an optional NNNN after it) follows blanks after a head that
    # ends with a sentence end: one of the four words before the last ends with one.
    end = body.rstrip().rstrip(".").rstrip()
    if end[-1:] not in NAME_END:
        return None
    if not any(word[-1] in HEAD_END for word in end.rsplit(None, 4)[-4:-1]):
        return None
    m = RE_GLUED_SIGNATURE.match(body)
    if not m:
        return None
    head = m["head"]
    tail = head[-200:]
    # Shortcut: in ASCII only a-z are lower case, and upper() changes exactly those.
    mixed = tail != tail.upper() if tail.isascii() else any(c.islower() for c in tail)
    # (RE_CLOSING scans the whole head: only when the case does not decide.)
    if not (mixed or RE_CLOSING.search(head)) or m["name"] in NOT_SIGNATURES:
        return None
    cut = m.start("name")
    return line[:cut], m["name"], line[cut:]


def _tail_parts(lines: list[str]) -> tuple[int, list[Part], str | None]:
    """Find the signature and the trailer lines after it, from the end.

    Returns where the body stops, the signature and trailer parts, and, when the signature
    is glued to the last line, the head of that line, which still belongs to the body.
    """
    i = len(lines)
    trailer: list[int] = []
    while i > 0:
        s = _content(lines[i - 1])
        if not s:
            i -= 1
            continue
        if is_classification_only(s) or s in ("BT", "NNNN") or RE_TRAILER.match(s):
            trailer.append(i - 1)
            i -= 1
            continue
        break
    sig_at = i - 1
    parts: list[Part] = []
    head: str | None = None
    end = min(trailer) if trailer else len(lines)
    if sig_at >= 0:
        s = _content(lines[sig_at])
        if _is_signature_line(s):
            # The signature takes the blank lines after it up to the first trailer line.
            parts.append(Signature(text="".join(lines[sig_at:end]), name=_signature_name(s)))
        else:
            glued = _glued_signature(lines[sig_at])
            if glued is not None:
                head, name, text = glued
                parts.append(Signature(text=text + "".join(lines[sig_at + 1 : end]), name=name))
            else:
                sig_at = -1
    start = sig_at if sig_at >= 0 else end
    k = end
    while k < len(lines):
        s = _content(lines[k])
        j = k + 1
        while j < len(lines) and not _content(lines[j]):
            j += 1
        text = "".join(lines[k:j])
        level = match_classification(s) if is_classification_only(s) else None
        if level is not None:
            parts.append(ClassificationLine(text=text, classification=level[0]))
        elif s in ("BT", "NNNN"):
            parts.append(ProtocolLine(text=text, signal=s))
        elif RE_TRAILER.match(s):
            parts.append(PublisherLine(text=text))
        else:
            parts.append(Unrecognized(text=text, zone="trailer"))
        k = j
    return start, parts, head


# --- sections ------------------------------------------------------------------------------------


def _mark_sections(parts: list[Part]) -> list[Part]:
    """Tag paragraphs inside SUMMARY ... END SUMMARY and COMMENT ... END COMMENT."""
    section: str | None = None
    out: list[Part] = []
    for p in parts:
        if isinstance(p, Paragraph):
            content = p.content
            # (p.text, without its generator for the usual single string)
            body = content[0] if len(content) == 1 and isinstance(content[0], str) else p.text
            head = body.lstrip()[:80].upper()
            # As RE_PARA_HEAD.sub("", head): the pattern matches at the start only.
            number = RE_PARA_HEAD.match(head)
            if number:
                head = head[number.end() :]
            started = None
            if RE_SUMMARY_START.match(head):
                started = "summary"
            elif RE_COMMENT_START.match(head):
                started = "comment"
            if started:
                section = started
            if section:
                p = Paragraph(
                    content=p.content, number=p.number, marking=p.marking, section=section
                )
            if section is not None and f"END {section.upper()}" in body.upper():
                section = None
        out.append(p)
    return out


def decode(data: bytes | str, source: str | None) -> str:
    """UTF-8 text; bad bytes are an error naming the line and column of the first one."""
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        line_start = data.rfind(b"\n", 0, e.start) + 1
        # In characters: what comes before the bad byte on its line is valid UTF-8.
        col = len(data[line_start : e.start].decode("utf-8")) + 1
        raise CablekitError(
            f"not UTF-8 text (byte 0x{data[e.start]:02x})", source, line, col, code="CK-ENCODING"
        ) from None


PRECEDENCE_INITIALS = frozenset("ZOPRM")


def parse_telegram(
    text: str, source: str | None = None, default_year: int | None = None
) -> tuple[Part, ...]:
    """The telegram's parts; their text concatenates back to `text` exactly."""
    lines = split_lines(text)
    year = default_year
    # The reference year comes from the DTG when the telegram has one.
    for line in lines[:60]:
        # Shortcut: only a DTG with a precedence counts, so the content's first character (the
        # line's first after blanks) is a precedence letter.
        if line.lstrip(BLANKS)[:1] not in PRECEDENCE_INITIALS:
            continue
        m = RE_DTG.match(_content(line))
        if m and m[1]:
            year = (
                int(m[5]) if len(m[5]) == 4 else (int(m[5]) + (1900 if int(m[5]) >= 40 else 2000))
            )
            break
    reader = _Reader(lines, year)
    parts = reader.run()
    return tuple(_mark_sections(parts))


def cable_from_telegram(
    telegram: str, page: PageMetadata | None = None, source: str | None = None
) -> Cable:
    """A cable from telegram text and the page metadata that came with it (if any)."""
    if not telegram.strip():
        raise CablekitError("empty input: no telegram text", source, 1, 1, code="CK-EMPTY")
    if "\x00" in telegram:
        at = telegram.index("\x00")
        line = telegram.count("\n", 0, at) + 1
        raise CablekitError(
            "binary data (NUL byte), not a telegram",
            source,
            line,
            at - (telegram.rfind("\n", 0, at) + 1) + 1,
            code="CK-BINARY",
        )
    default_year = page.created_iso.year if page and page.created_iso else None
    cable = Cable(
        parts=parse_telegram(telegram, source, default_year),
        page=page,
        final_newline=telegram.endswith("\n"),
    )
    _check_plausible(cable, telegram, source)
    return cable


NOT_TELLING = (Paragraph, Signature, Unrecognized, PublisherLine, ClassificationLine)


def _check_plausible(cable: Cable, text: str, source: str | None) -> None:
    """Refuse input that is clearly not a telegram instead of returning an empty model."""
    # Prose and a name are no telegram: at least one part only telegrams have (a format line,
    # the banner, captions, E.O., TAGS, SUBJECT, ...) must be there.
    if not any(not isinstance(p, NOT_TELLING) for p in cable.parts):
        raise CablekitError(
            "no part of a telegram recognized (no format line, banner, E.O. line, TAGS or "
            "SUBJECT): not a cable?",
            source,
            1,
            1,
            code="CK-NOT-CABLE",
        )
    # Counted in UTF-8, where these characters are single bytes no other character uses; as
    # len(RE_CONTROL.findall(text, 0, 4096)), but a few times faster.
    head = text[:4096].encode("utf-8", "surrogatepass")
    if len(head) - len(head.translate(None, CONTROL_BYTES)) > 8:
        raise CablekitError("binary data, not a telegram", source, 1, 1, code="CK-BINARY")
