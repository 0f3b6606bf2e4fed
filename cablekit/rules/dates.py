"""Date and identity rules: the DE line against the DTG, the message reference and DE serial
against the cable id, the DTG against the page's Created time."""

from __future__ import annotations

from collections.abc import Iterator

from cablekit.model import DateTimeGroup
from cablekit.normalize import cable_id, julian_to_date
from cablekit.rules.base import Facts, Finding, Rule
from cablekit.stations import canonical_station


def julian_day(f: Facts) -> Iterator[Finding]:
    if f.de is None or f.dtg is None:
        return
    i, de = f.de
    sent = f.dtg[1].sent
    if de.julian_day is None or sent is None:
        return
    filed = julian_to_date(sent.year, de.julian_day)
    if filed is None:
        yield Finding(f"DE line Julian day {de.julian_day:03d} is not a day of {sent.year}", i)
        return
    # Filing and origin can straddle midnight (or a new year): one day apart is normal.
    gap = abs((filed - sent.date()).days)
    if gap > 1 and not (gap >= 364 and sent.month in (1, 12)):
        yield Finding(
            f"DE line Julian day {de.julian_day:03d} is {filed.isoformat()}, "
            f"the DTG says {sent.date().isoformat()}",
            i,
        )


def _canon_id(cid: str) -> str:
    """'07SECSTATE12' -> '07STATE12': the station part normalized through the table."""
    head, body = cid[:2], cid[2:]
    digits = len(body) - len(body.rstrip("0123456789"))
    if not head.isdigit() or digits == 0 or digits == len(body):
        return cid
    name = body[:-digits]
    return head + (canonical_station(name) or name) + body[-digits:]


def message_reference(f: Facts) -> Iterator[Finding]:
    page = f.cable.page
    if page is None or not page.identifier or f.banner is None or f.sent is None:
        return
    i, b = f.banner
    if not b.station or not b.serial:
        return
    own = cable_id(f.sent.year, b.station, b.serial)
    if own is not None and _canon_id(own) != _canon_id(page.identifier):
        yield Finding(
            f"message reference {b.station} {b.serial} makes {own}; the page's id is "
            f"{page.identifier}",
            i,
        )


def de_serial(f: Facts) -> Iterator[Finding]:
    if f.de is None or f.banner is None:
        return
    i, de = f.de
    b = f.banner[1]
    if not de.station_serial or not b.serial:
        return
    # The DE line carries the station serial's last four digits.
    if int(de.station_serial) != int(b.serial) % 10000:
        yield Finding(
            f"DE line serial #{de.station_serial} differs from the message serial {b.serial}", i
        )


def dtg_vs_created(f: Facts) -> Iterator[Finding]:
    page = f.cable.page
    if f.dtg is None or page is None or page.created_iso is None:
        return
    i, dtg = f.dtg
    if dtg.sent is None:
        return
    created = page.created_iso
    # The publisher's Created minutes repeat the hour: only the date and the hour are compared.
    if (dtg.sent.date(), dtg.sent.hour) != (created.date(), created.hour):
        yield Finding(f"DTG {dtg.dtg} differs from the page's Created {page.created}", i)


def dtg_valid(f: Facts) -> Iterator[Finding]:
    for i, p in enumerate(f.parts):
        if isinstance(p, DateTimeGroup) and p.dtg and p.sent is None:
            yield Finding(f"DTG {p.dtg} is not a real date and time", i)


RULES = (
    Rule(
        "D101",
        "julian-day",
        "error",
        "the DE line's Julian day is more than a day away from the DTG",
        julian_day,
    ),
    Rule(
        "D102",
        "message-reference-vs-id",
        "error",
        "the banner's message reference (station + serial) does not make the page's cable id",
        message_reference,
    ),
    Rule(
        "D103",
        "de-serial",
        "error",
        "the DE line's station serial differs from the message serial",
        de_serial,
    ),
    Rule(
        "D104",
        "dtg-vs-created",
        "warning",
        "the DTG's date and hour differ from the page metadata's Created",
        dtg_vs_created,
    ),
    Rule("D105", "dtg-invalid", "error", "a DTG that is no real date and time", dtg_valid),
)
