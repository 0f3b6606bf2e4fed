"""Which cable a reference cites: 'BAKU 568', '07 STATE 63345' -> a canonical cable id."""

from __future__ import annotations

import re

from cablekit import normalize as norm

STATION_ALIASES = {"SECSTATE": "STATE", "SECSTAE": "STATE", "DEPARTMENT": "STATE", "DEPT": "STATE"}
RE_CABLE_REF = re.compile(
    r"^(?:([0-9]{2}|[0-9]{4})\s+)?([A-Z][A-Z'.-]*(?:\s+[A-Z][A-Z'.-]*){0,3}?)\s+0*([0-9]{1,6})\b"
)
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
}


def cable_id_from_ref(raw: str, default_year: int | None) -> str | None:
    """The canonical id a reference text cites, or None when it cites no cable."""
    m = RE_CABLE_REF.match(raw.strip().upper())
    if not m:
        return None
    station = m[2].strip()
    words = station.split()
    if any(w in NOT_STATIONS for w in words):
        return None
    station = STATION_ALIASES.get(station, station)
    year: int | None = int(m[1]) if m[1] else default_year
    if year is None:
        return None
    return norm.cable_id(year, station, m[3])
