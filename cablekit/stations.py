"""Lookups over the reference tables shipped in cablekit/rules/tables: stations, their aliases,
routing indicators and the TAGS vocabulary.

The tables are read once, on first use, into read-only mappings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from types import MappingProxyType

__all__ = [
    "RoutingIndicator",
    "Station",
    "Tag",
    "canonical_station",
    "compact",
    "routing_indicator",
    "station",
    "station_from_address",
    "tag",
]

_NOT_NAME = re.compile(r"[^A-Z0-9]")
# Address prefixes written before a station name in FM / TO / INFO lines.
_ADDRESS_PREFIX = re.compile(
    r"^(?:AMEMBASSY|AMEMBASS|AMCONSUL|AMCONSU|AMCONGEN|USMISSION|USMISSIN|US MISSION|USINT|"
    r"USOFFICE|USLO|REO|RRT|AMEMB|EMBASSY|CONSULATE)\s+"
)


@dataclass(frozen=True, slots=True)
class Station:
    id: str  # canonical id part, e.g. "BUENOSAIRES"
    name: str  # as written, e.g. "BUENOS AIRES"
    kind: str  # embassy | consulate | mission | office | department | agency
    country: str  # FIPS 10-4
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RoutingIndicator:
    ri: str
    stations: tuple[str, ...]  # canonical station ids; empty for collectives and agencies
    kind: str  # post | collective | agency
    address: str


@dataclass(frozen=True, slots=True)
class Tag:
    tag: str
    kind: str  # subject | program | organization | country | region
    meaning: str


def compact(name: str) -> str:
    """'USUN New York' -> 'USUNNEWYORK': upper case, letters and digits only."""
    return _NOT_NAME.sub("", name.upper())


def _rows(name: str) -> list[list[str]]:
    """The data rows of a table: tab-separated, '#' comment lines and the header skipped."""
    text = files("cablekit.rules").joinpath("tables", name).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    return [ln.split("\t") for ln in lines[1:]]


@dataclass(frozen=True, slots=True)
class _Tables:
    stations: Mapping[str, Station]
    names: Mapping[str, str]  # compact written form (name or alias) -> station id
    ris: Mapping[str, RoutingIndicator]
    tags: Mapping[str, Tag]


@cache
def _tables() -> _Tables:
    stations: dict[str, Station] = {}
    names: dict[str, str] = {}
    for sid, name, kind, country, aliases in _rows("stations.tsv"):
        st = Station(sid, name, kind, country, tuple(a for a in aliases.split(",") if a))
        stations[sid] = st
    # Canonical ids and written names win over aliases (an alias never hides a station).
    for st in stations.values():
        names[st.id] = st.id
        names.setdefault(compact(st.name), st.id)
    for st in stations.values():
        for a in st.aliases:
            names.setdefault(compact(a), st.id)
    ris: dict[str, RoutingIndicator] = {}
    for ri, sts, kind, address, _seen in _rows("routing.tsv"):
        ids = tuple(s for s in sts.split(",") if s and s != "-")
        ris[ri] = RoutingIndicator(ri, ids, kind, address)
    tags = {t: Tag(t, kind, meaning) for t, kind, meaning in _rows("tags.tsv")}
    return _Tables(
        MappingProxyType(stations),
        MappingProxyType(names),
        MappingProxyType(ris),
        MappingProxyType(tags),
    )


def canonical_station(name: str) -> str | None:
    """The canonical station id for a written station name or alias, else None.

    'THE HAGUE' -> 'THEHAGUE'; 'SECSTATE' -> 'STATE'; 'RIO DE JAN' -> 'RIODEJANEIRO'.
    """
    return _tables().names.get(compact(name))


def station(station_id: str) -> Station | None:
    return _tables().stations.get(station_id)


def station_from_address(address: str) -> str | None:
    """The station of a plain-language address: 'AMEMBASSY BUENOS AIRES' -> 'BUENOSAIRES'.

    Office suffixes ('//USDAO') and a trailing country code are tolerated; agencies and
    collectives give None.
    """
    a = address.upper().split("//", 1)[0].strip()
    a = _ADDRESS_PREFIX.sub("", a)
    found = canonical_station(a)
    if found is None and " " in a:
        # 'MELBOURNE VIC', 'USOFFICE PRISTINA SR': a region or country code after the name.
        found = canonical_station(a.rsplit(" ", 1)[0])
    return found


def routing_indicator(ri: str) -> RoutingIndicator | None:
    return _tables().ris.get(ri.upper())


def tag(name: str) -> Tag | None:
    """The vocabulary entry of a TAGS item; a person tag 'OVIP (NAME)' is looked up as OVIP."""
    base = name.split("(", 1)[0].strip().upper()
    return _tables().tags.get(base)
