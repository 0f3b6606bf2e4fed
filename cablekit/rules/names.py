"""Name rules: routing indicators and station names the tables do not know, an RI beside
another station's address, and a precedence spelled wrongly (PIORITY)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from cablekit.rules.base import Facts, Finding, Rule
from cablekit.stations import (
    canonical_station,
    routing_indicator,
    station,
    station_from_address,
)

_ID_STATION = re.compile(r"^[0-9]{2}([A-Z]+?)[0-9]+$")


def unknown_ris(f: Facts) -> Iterator[Finding]:
    for i, r in f.routing:
        for ri in r.routing_indicators:
            if routing_indicator(ri) is None:
                yield Finding(f"routing indicator {ri} is not a known station or collective", i)
    if f.de is not None and f.de[1].routing_indicator:
        i, de = f.de
        if routing_indicator(de.routing_indicator) is None:  # type: ignore[arg-type]
            yield Finding(f"DE routing indicator {de.routing_indicator} is not known", i)
    for i, a in f.addressees:
        if a.routing_indicator and routing_indicator(a.routing_indicator) is None:
            yield Finding(f"routing indicator {a.routing_indicator} ({a.name}) is not known", i)


def unknown_stations(f: Facts) -> Iterator[Finding]:
    if f.banner is not None and f.banner[1].station:
        i, b = f.banner
        if canonical_station(b.station) is None:  # type: ignore[arg-type]
            yield Finding(f"message reference station {b.station!r} is not a known station", i)
    for i, r in f.refs:
        if r.cable_id is None:
            continue
        m = _ID_STATION.match(r.cable_id)
        if m and canonical_station(m[1]) is None:
            yield Finding(f"REF {r.raw!r} names station {m[1]!r}, not a known station", i)


def ri_vs_address(f: Facts) -> Iterator[Finding]:
    pairs = [(i, a.routing_indicator, a.name) for i, a in f.addressees]
    if f.de is not None and f.from_line is not None:
        pairs.append((f.de[0], f.de[1].routing_indicator, f.from_line[1].name))
    for i, ri, name in pairs:
        entry = routing_indicator(ri) if ri else None
        if entry is None or not entry.stations or not name:
            continue
        st = station_from_address(name)
        if st is None or st in entry.stations:
            continue
        here = station(st)
        if here is None or here.kind in ("agency", "department"):
            continue  # State's RI relays to other agencies (RUEHC for USDOC WASHDC)
        owners = [station(s) for s in entry.stations]
        # An embassy's RI also serves the consulates of its country (RUEHMD for Barcelona).
        if any(o is not None and o.country == here.country for o in owners):
            continue
        if True:
            yield Finding(
                f"{ri} is the RI of {', '.join(entry.stations)}, written beside {name}", i
            )


def precedence_spelling(f: Facts) -> Iterator[Finding]:
    for i, a in f.addressees:
        raw = a.precedence_raw
        if raw and a.precedence and raw.upper() != a.precedence and not raw.startswith("NIACT"):
            yield Finding(f"precedence written {raw!r}, meaning {a.precedence}", i)


RULES = (
    Rule(
        "N101",
        "unknown-routing-indicator",
        "warning",
        "a routing indicator (FL2, DE, TO/INFO) that is in no table of stations or collectives",
        unknown_ris,
    ),
    Rule(
        "N102",
        "unknown-station",
        "warning",
        "a station name (message reference, REF item) that is in no table of stations",
        unknown_stations,
    ),
    Rule(
        "N103",
        "ri-vs-address",
        "warning",
        "a routing indicator written beside the address of another station",
        ri_vs_address,
    ),
    Rule(
        "N104",
        "precedence-spelling",
        "warning",
        "an addressee precedence spelled wrongly (PIORITY, IMMEDIAT)",
        precedence_spelling,
    ),
)
