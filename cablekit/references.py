"""Which cable a reference cites: 'BAKU 568', '07 STATE 63345' -> a canonical cable id."""

from __future__ import annotations

import re

from cablekit import normalize as norm

# Station names and their aliases come from the station table (cablekit/rules/tables), read
# through cablekit.stations; this map only covers words the table does not hold.
STATION_ALIASES = {"DEPARTMENT": "STATE", "DEPT": "STATE"}
# [item letter repeated] [year] station words serial: 'B) 06 THE HAGUE 0123', 'O4 SAN JOSE 2872'
# (letter O for zero), '09CAIRO1370' (the id written compact).
RE_CABLE_REF = re.compile(
    r"^(?:\(?[A-Z][).:]\s*)?(?:([0-9]{2}|[0-9]{4}|O[0-9])\s*)?"
    r"([A-Z][A-Z'.-]*(?:\s+[A-Z][A-Z'.-]*){0,3}?)\s*0*([0-9]{1,6})\b"
)
RE_STATION_NAME = re.compile(r"[A-Z][A-Z' .]{2,}")
NOT_STATIONS = {
    "EMAIL",
    "E-MAIL",
    "EMAILS",
    "TELCON",
    "TELCONS",
    "PARA",
    "PARAS",
    "PARAGRAPH",
    "DATED",
    "FAX",
    "LETTER",
    "MEMO",
    "REPORT",
    "IIR",
    "NO",
    "NUMBER",
    "AND",
    "THE",
    "OF",
    "ON",
    "SEPTEL",
    "REFTEL",
    # Dates and documents that are not cables: 'OCTOBER 12 DVC', 'UNSCR 1737', 'INCSR 2008'.
    "JANUARY",
    "FEBRUARY",
    "MARCH",
    "APRIL",
    "MAY",
    "JUNE",
    "JULY",
    "AUGUST",
    "SEPTEMBER",
    "OCTOBER",
    "NOVEMBER",
    "DECEMBER",
    "UNSCR",
    "RESOLUTION",
    "INCSR",
    "LAW",
    "ARTICLE",
    "ATTACHMENT",
    "ENCLOSURE",
    "ANNEX",
}


def cable_id_from_ref(raw: str, default_year: int | None) -> str | None:
    """The canonical id a reference text cites, or None when it cites no cable.

    The station is read through the station table (aliases and misspellings normalized:
    'SECSTATE 52920' -> 'STATE', 'RIO DE JAN 12' -> 'RIODEJANEIRO'); a name the table does not
    know is kept compact as written, unless it is a word that never names a station.
    """
    from cablekit.stations import canonical_station

    m = RE_CABLE_REF.match(raw.strip().upper())
    if not m or raw.strip()[m.end() : m.end() + 1] == "/":
        return None  # '12/14/07' is a date
    words = m[2].split()
    if len(words) > 1 and words[0] in ("AMEMBASSY", "EMBASSY", "AMCONSUL", "USMISSION"):
        words = words[1:]  # 'EMBASSY VIENNA 1450'

    station = None
    # The longest run of leading words that names a station: 'THE HAGUE', 'SAN JOSE'.
    for k in range(len(words), 0, -1):
        station = canonical_station(" ".join(words[:k]))
        if station is not None:
            if k < len(words):
                return None  # words between station and number: 'PARIS POINTS 20'
            break
    if station is None:
        if any(w in NOT_STATIONS for w in words):
            return None
        name = " ".join(words)
        if not RE_STATION_NAME.fullmatch(name):
            return None  # 'TD-314/09169-05' is an intelligence report number, not a cable
        station = STATION_ALIASES.get(name, name)
    year: int | None = default_year
    if m[1]:
        year = int(m[1].replace("O", "0"))
    if year is None:
        return None
    return norm.cable_id(year, station, m[3])
