"""Normalizers shared by readers and the derived view: levels, precedence, dates, cable ids.

Each takes verbatim text and returns a normalized value or None; none of them raises.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

MONTHS = {
    "JAN": 1,
    "FEB": 2,
    "MAR": 3,
    "APR": 4,
    "MAY": 5,
    "JUN": 6,
    "JUL": 7,
    "AUG": 8,
    "SEP": 9,
    "OCT": 10,
    "NOV": 11,
    "DEC": 12,
}

PRECEDENCE_LETTERS = {"Z": "FLASH", "O": "IMMEDIATE", "P": "PRIORITY", "R": "ROUTINE"}
_PRECEDENCE_WORDS = ("NIACT IMMEDIATE", "IMMEDIATE", "PRIORITY", "ROUTINE", "FLASH")


def _close(word: str, target: str) -> bool:
    """True when word is target with at most one edit or one transposition (typo tolerance)."""
    if word == target:
        return True
    lw, lt = len(word), len(target)
    if abs(lw - lt) > 1 or lw < 5:
        return False
    # Shortcut: one edit or transposition leaves the first or the last character in place.
    if word[0] != target[0] and word[-1] != target[-1]:
        return False
    if lw == lt:
        diff = [i for i in range(lw) if word[i] != target[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and word[diff[0]] == target[diff[1]]
            and word[diff[1]] == target[diff[0]]
        )
    short, long_ = (word, target) if lw < lt else (target, word)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def precedence_name(word: str) -> str | None:
    """'PRIORITY' -> 'PRIORITY'; 'PIORITY' -> 'PRIORITY'; 'NIACT IMMEDIATE' kept; else None."""
    w = word.upper().strip()
    if w in _PRECEDENCE_WORDS:
        return w
    if w.startswith("NIACT"):
        return "NIACT IMMEDIATE"
    for target in ("PRIORITY", "IMMEDIATE", "ROUTINE"):
        if _close(w, target):
            return target
    return None


_NOT_LETTERS = re.compile(r"[^A-Z]")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]")


def classification_from_word(text: str) -> str | None:
    """Map a written classification (spaced, abbreviated, lower-cased) to its level."""
    t = _NOT_LETTERS.sub("", text.upper())
    if not t:
        return None
    if t.startswith("TOPSECRET") or t == "TS":
        return "TOP SECRET"
    if t.startswith("SECRET") or t == "S":
        return "SECRET"
    if t.startswith("CONFIDENTIAL") or t.startswith("CCONFIDENTIAL") or t == "C":
        return "CONFIDENTIAL"
    if t.startswith(("UNCLAS", "UNCLASSIFIED", "LIMITEDOFFICIALUSE")) or t in ("U", "SBU"):
        return "UNCLASSIFIED"
    return None


CLASSIFICATION_CHARS = {
    "U": "UNCLASSIFIED",
    "E": "UNCLASSIFIED",  # EFTO: unclassified, encrypted for transmission only
    "C": "CONFIDENTIAL",
    "S": "SECRET",
    "T": "TOP SECRET",
}


def dtg_datetime(day: str, hhmm: str, month: str, year: str) -> datetime | None:
    """DDHHMMZ MON YY -> aware UTC datetime, or None if the group is not a real time."""
    m = MONTHS.get(month.upper()[:3])
    if m is None:
        return None
    y = int(year)
    if len(year) == 2:
        y += 1900 if y >= 40 else 2000
    try:
        return datetime(y, m, int(day), int(hhmm[:2]), int(hhmm[2:4]), tzinfo=UTC)
    except ValueError:
        return None


_DATE_MDY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})\b")
_DATE_YMD = re.compile(r"^\s*(\d{4})/(\d{1,2})/(\d{1,2})\b")


def decl_date(text: str) -> date | None:
    """A declassification date written m/d/yy, mm/dd/yyyy or yyyy/mm/dd."""
    try:
        m = _DATE_YMD.match(text)
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        m = _DATE_MDY.match(text)
        if m:
            y = int(m[3])
            if len(m[3]) == 2:
                y += 1900 if y >= 40 else 2000
            return date(y, int(m[1]), int(m[2]))
    except ValueError:
        return None
    return None


def julian_to_date(year: int, day: int) -> date | None:
    try:
        return date(year, 1, 1) + timedelta(days=day - 1)
    except (ValueError, OverflowError):
        return None


def compact_station(station: str) -> str:
    """'USUN NEW YORK' -> 'USUNNEWYORK'; 'THE HAGUE' -> 'THEHAGUE'."""
    return _NOT_ALNUM.sub("", station.upper())


def cable_id(year: int | str, station: str, serial: str) -> str | None:
    """Canonical id: 2-digit year + compact station + serial without leading zeros."""
    st = compact_station(station)
    digits = serial.lstrip("0")
    if not st or not serial.isdigit():
        return None
    y = str(year)[-2:].zfill(2)
    return f"{y}{st}{digits or '0'}"


_TABLE_DATETIME = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$"
)
_US_DATETIME = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{2})\s*$")


def parse_table_datetime(text: str | None) -> datetime | None:
    """'2007-05-16 13:24:00', '2002-07-23 16:04' or the bulk CSV's '2/25/1972 9:30' -> UTC."""
    if not text:
        return None
    m = _TABLE_DATETIME.match(text)
    if not m:
        us = _US_DATETIME.match(text)
        if not us:
            return None
        try:
            return datetime(int(us[3]), int(us[1]), int(us[2]), int(us[4]), int(us[5]), tzinfo=UTC)
        except ValueError:
            return None
    try:
        return datetime(
            int(m[1]),
            int(m[2]),
            int(m[3]),
            int(m[4] or 0),
            int(m[5] or 0),
            int(m[6] or 0),
            tzinfo=UTC,
        )
    except ValueError:
        return None
