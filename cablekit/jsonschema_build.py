"""Generates `schemas/cable.schema.json` from the model's dataclasses and the table below.

Field types come from the dataclasses; descriptions and constraints (patterns, enums, ranges)
come from ANNOTATIONS. Run `python -m cablekit.jsonschema_build` after changing either; a
test fails while the shipped file differs from what this module generates.

Patterns are written for every regex engine a JSON Schema tool may use (ECMA-262, Python,
Rust): ASCII classes such as `[0-9]` instead of `\\d`, no look-around, `$` only at the end.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from cablekit import jsoncodec as jc
from cablekit.model import CLASSIFICATION_LEVELS, PRECEDENCES

SCHEMA_ID = f"urn:cablekit:schema:cable:{jc.FORMAT_VERSION}"
SCHEMA_FILE = "cable.schema.json"

Schema = dict[str, Any]

# --- shared constraints -------------------------------------------------------------------------

CABLE_ID = {"pattern": "^[0-9]{2}[A-Z0-9]+[0-9]$"}
ROUTING_INDICATOR = {"pattern": "^[A-Z][A-Z0-9]{3,8}$"}
_DATE = "[12][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
DATE_TIME = {
    "format": "date-time",
    "pattern": (
        f"^{_DATE}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{{1,6}})?"
        "(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
    ),
}
DATE = {"format": "date", "pattern": f"^{_DATE}$"}
LEVEL = {"enum": list(CLASSIFICATION_LEVELS)}
PRECEDENCE = {"enum": list(PRECEDENCES)}
MARKING = {"pattern": "^[A-Z]{1,4}(/{1,2}[A-Z][A-Z ,]{0,40})*$"}
NONEMPTY = {"minLength": 1}
SMALL_COUNT = {"minimum": 0, "maximum": 999}
ZONES = ["envelope", "header", "body", "trailer"]
REFERENCE_CAPTIONS = ["NOTAL", "EXDIS", "NODIS", "LIMDIS"]
RECORD_KEYS = ["id", "date", "refid", "origin", "classification", "destination", "header"]
TEXT = {
    "description": (
        "The part's characters exactly as written: its line(s) with their end-of-line "
        "characters, trailing blanks and the blank lines that follow it. The parts' texts "
        "concatenated in order give the telegram byte for byte. Empty for a part built from "
        "its fields, whose text a writer renders."
    ),
}


def caption_names() -> list[str]:
    """The closed vocabulary of handling captions, as the telegram reader names them."""
    from cablekit import telegram

    names: dict[str, None] = {}
    for written in (*sorted(telegram.CAPTION_WORDS), *telegram.CAPTION_PHRASES):
        for name in telegram.caption_names(written):
            names[name] = None
    return sorted(names)


# --- descriptions and constraints, per part kind and field ----------------------------------

# kind -> {"": description of the part, field: {description, constraints...}}.
# For list fields, "items" holds the constraints of one item.
ANNOTATIONS: dict[str, dict[str, Any]] = {
    "start-of-message": {
        "": "Format line 1 (FL1), start of message: VZCZC + channel designator + channel "
        "serial, e.g. 'VZCZCXRO7044'.",
        "channel": {"description": "Channel designator, e.g. 'XRO'.", "pattern": "^[A-Z]{3}$"},
        "serial": {
            "description": "Channel serial number as written, e.g. '7044'.",
            "pattern": "^[0-9]+$",
        },
    },
    "routing": {
        "": "Format line 2 (FL2): precedence prosigns and the routing indicators of the "
        "receiving stations, e.g. 'PP RUEHDBU'. Continuation lines of indicators belong to it.",
        "precedence": {
            "description": "The precedence prosigns as written: 'ZZ' flash, 'OO' immediate, "
            "'PP' priority, 'RR' routine; two different letters when action and information "
            "precedence differ.",
            "pattern": "^[ZOPRM]{1,2}$",
        },
        "action_precedence": {
            "description": "Precedence of the action addressees, "
            "named from the first prosign letter.",
            **PRECEDENCE,
        },
        "info_precedence": {
            "description": "Precedence of the information addressees, "
            "named from the second prosign letter.",
            **PRECEDENCE,
        },
        "routing_indicators": {
            "description": "Routing indicators (RIs) of the receiving stations, in order.",
            "items": ROUTING_INDICATOR,
        },
    },
    "originator": {
        "": "Format line 3 (FL3), the DE line: originating station's routing indicator, "
        "station serial, section and Julian filing time, e.g. 'DE RUEHKB #0595/01 1361324'.",
        "routing_indicator": {
            "description": "Routing indicator of the originating station.",
            **ROUTING_INDICATOR,
        },
        "station_serial": {
            "description": "Station serial number as written, e.g. '0595'.",
            "pattern": "^[0-9]{1,5}$",
        },
        "section": {
            "description": "Section number as written, e.g. '01'.",
            "pattern": "^[0-9]{1,3}$",
        },
        "julian_day": {
            "description": "Day of the year the message was filed (1-366).",
            "minimum": 1,
            "maximum": 366,
        },
        "filing_time": {
            "description": "Filing time HHMM (UTC) as written.",
            "pattern": "^[0-9]{4}$",
        },
    },
    "security": {
        "": "Format line 4 (FL4): ZNY (classified) or ZNR (unclassified), the classification "
        "character five times, optional SPECAT, operating signals; e.g. 'ZNY CCCCC ZZH'.",
        "prosign": {
            "description": "ZNY for a classified message, ZNR for an unclassified one.",
            "enum": ["ZNY", "ZNR"],
        },
        "classification_chars": {
            "description": "The five classification characters as "
            "written, e.g. 'CCCCC' (U, E = EFTO, C, S, T).",
            "pattern": "^[A-Z]{5}$",
        },
        "classification": {
            "description": "Classification level the characters stand for.",
            **LEVEL,
        },
        "specat": {
            "description": "Special category characters after the slash, as written.",
            "pattern": "^[A-Z]{5}$",
        },
        "signals": {
            "description": "Operating signals and other words after the "
            "classification characters, in order.",
            "items": NONEMPTY,
        },
    },
    "dtg": {
        "": "Format line 5: precedence letter(s) and the date-time group DDHHMMZ MON YY, "
        "e.g. 'P 161324Z MAY 07'.",
        "precedence": {
            "description": "Precedence letter(s) as written, e.g. 'P', 'O R'.",
            "pattern": "^[ZOPRM]( ?[ZOPRM])?$",
        },
        "dtg": {
            "description": "The date-time group as written, with anything after it on "
            "the line, e.g. '161324Z MAY 07'.",
            "pattern": "^[0-9]{6}Z",
        },
        "sent": {
            "description": "When the cable was sent (UTC), read from the group; absent "
            "when the group is not a real time.",
            **DATE_TIME,
        },
    },
    "from": {
        "": "The FM line: the originator's plain-language address, e.g. 'FM AMEMBASSY BAKU'.",
        "name": {"description": "The plain-language address, e.g. 'AMEMBASSY BAKU'.", **NONEMPTY},
    },
    "addressee": {
        "": "One TO, INFO or XMT line: routing indicator/plain-language address, precedence, "
        "message continuity number, e.g. 'TO RUEHC/SECSTATE WASHDC PRIORITY 3017'.",
        "role": {
            "description": "Which list the line belongs to: 'to' (action), 'info' "
            "(information) or 'xmt' (excluded from a collective).",
            "enum": ["to", "info", "xmt"],
        },
        "keyword": {
            "description": "Whether this line carries the TO/INFO/XMT keyword "
            "(continuation lines do not)."
        },
        "routing_indicator": {
            "description": "The addressee's routing indicator.",
            **ROUTING_INDICATOR,
        },
        "name": {"description": "The addressee's plain-language address.", **NONEMPTY},
        "precedence": {
            "description": "The precedence, normalized (PIORITY -> PRIORITY).",
            **PRECEDENCE,
        },
        "precedence_raw": {
            "description": "The precedence word(s) as written.",
            "pattern": "^[A-Z]+([ \t]+[A-Z]+)?$",
        },
        "serial": {
            "description": "Message continuity number as written, e.g. '3017'.",
            "pattern": "^[0-9]{1,5}$",
        },
    },
    "protocol": {
        "": "A teletype protocol line: BT, NNNN, ZFR and the like.",
        "signal": {"description": "The signal.", "pattern": "^(BT|NNNN|ZFR|ZFF[0-9]?|#[0-9]{4})$"},
    },
    "extract-notice": {
        "": "The notice 'This record is a partial extract of the original cable...'.",
    },
    "banner": {
        "": "A classification banner: level, SECTION n OF m, message reference, e.g. "
        "'C O N F I D E N T I A L SECTION 01 OF 02 BAKU 000595'.",
        "classification": {"description": "The classification level.", **LEVEL},
        "section": {"description": "Section number n of 'SECTION n OF m'.", **SMALL_COUNT},
        "sections": {"description": "Section count m of 'SECTION n OF m'.", **SMALL_COUNT},
        "station": {
            "description": "Station of the message reference as written, blanks "
            "collapsed, e.g. 'BAKU', 'USUN NEW YORK'.",
            **NONEMPTY,
        },
        "serial": {
            "description": "Serial of the message reference as written, e.g. '000595'.",
            "pattern": "^[0-9]{4,7}$",
        },
        "repeat": {
            "description": "True on the banner that starts the header block printed "
            "again at the start of the body."
        },
    },
    "captions": {
        "": "A line of handling and distribution captions: SIPDIS, NOFORN, EXDIS, ...",
        "captions": {
            "description": "The captions on the line, in order.",
            "items": {"enum": caption_names()},
        },
    },
    "passing": {
        "": "A passing or office line: free-form routing inside the building, e.g. "
        "'DEPT FOR EUR/CARC'.",
    },
    "eo": {
        "": "The E.O. line: executive order and declassification instruction (older cables "
        "carry TAGS on the same line), e.g. 'E.O. 12958: DECL: 05/16/2017'.",
        "order": {
            "description": "Number of the executive order, e.g. '12958'.",
            "pattern": "^[0-9]{5}$",
        },
        "decl": {
            "description": "The declassification instruction as written after DECL:.",
            **NONEMPTY,
        },
        "decl_kind": {
            "description": "What the instruction is: a date, 'n/a', 'oadr', an "
            "exemption code, an event, or 'none' when nothing follows.",
            "enum": ["date", "n/a", "oadr", "exemption", "event", "none"],
        },
        "decl_date": {
            "description": "The declassification date, when the instruction is one.",
            **DATE,
        },
        "tags": {"description": "Tags written on the same line, in order.", "items": NONEMPTY},
    },
    "tags": {
        "": "The TAGS line (with its continuation lines).",
        "tags": {
            "description": "The tags in order: subject, program, country and person tags "
            "as written, e.g. 'PREL', 'AJ', 'OVIP (CLINTON, HILLARY)'.",
            "items": NONEMPTY,
        },
    },
    "subject": {
        "": "The SUBJECT line (with its continuation lines).",
        "marking": {
            "description": "Portion marking of the subject without parentheses, e.g. 'C'.",
            **MARKING,
        },
        "subject": {
            "description": "The subject unwrapped into one line, without label and marking.",
            **NONEMPTY,
        },
    },
    "reference": {
        "": "One REF item (the first carries the REF: label), e.g. 'REF: A. BAKU 568'.",
        "letter": {"description": "The item's letter, upper-cased.", "pattern": "^[A-Z]$"},
        "raw": {"description": "The item without label and letter, unwrapped.", **NONEMPTY},
        "cable_id": {
            "description": "Id of the cable the item cites, when it cites one.",
            **CABLE_ID,
        },
        "captions": {
            "description": "Captions written after the reference.",
            "items": {"enum": REFERENCE_CAPTIONS},
        },
        "label": {"description": "True on the line that carries the REF: label."},
    },
    "classified-by": {
        "": "The 'Classified By:' line: who classified the cable and under which reasons.",
        "classifier": {"description": "Title and name of the classifier, as written.", **NONEMPTY},
        "authority": {
            "description": "Section of the executive order cited, '1.4' or '1.5'.",
            "pattern": "^1\\.[0-9]$",
        },
        "reasons": {
            "description": "Classification reasons, lower-case letters, e.g. 'b', 'd'.",
            "items": {"pattern": "^[a-z]$"},
        },
    },
    "page-break": {
        "": "A page or section break line, e.g. 'BAKU 00000595 002 OF 002' or "
        "'PAGE 02 ROME 01196 01 OF 02 082030Z', with a page-end classification taken with it.",
        "station": {"description": "Station as written, e.g. 'BAKU'.", **NONEMPTY},
        "serial": {"description": "Serial as written, e.g. '00000595'.", "pattern": "^[0-9]{3,8}$"},
        "page": {"description": "Page number.", **SMALL_COUNT},
        "pages": {"description": "Page count.", **SMALL_COUNT},
        "classification": {
            "description": "Level of a page-end classification line taken with the break.",
            **LEVEL,
        },
    },
    "date-line": {
        "": "A weekday date line some published copies put before the banner, e.g. "
        "'Friday, 27 August 2004, 08:08'.",
        "when": {"description": "The date and time the line gives.", **DATE_TIME},
    },
    "record-dump": {
        "": "A 'key: value' dump of the publisher's database row (id:, date:, refid:, ...).",
        "fields": {"description": "The [key, value] pairs in order, values as written."},
    },
    "paragraph": {
        "": "Body text: a numbered paragraph, or prose and heading lines between them.",
        "content": {
            "description": "The paragraph's text, in order: strings of verbatim lines, "
            "and the page-break parts that interrupt it, in place."
        },
        "number": {
            "description": "Paragraph number as written, e.g. '1'.",
            "pattern": "^[0-9]{1,3}$",
        },
        "marking": {
            "description": "Portion marking without parentheses, e.g. 'C', 'S/NF'.",
            **MARKING,
        },
        "section": {
            "description": "The headed section the paragraph is in.",
            "enum": ["summary", "comment"],
        },
    },
    "signature": {
        "": "The signature line, usually the surname of the chief of mission.",
        "name": {"description": "The name as written, e.g. 'DERSE'.", **NONEMPTY},
    },
    "classification-line": {
        "": "A bare classification line repeated at a page end or the close.",
        "classification": {"description": "The level it names.", **LEVEL},
    },
    "publisher-line": {
        "": "A line a publisher added to the text: '=====CABLE ENDS=====', "
        "'2002ROME03639 - Classification: CONFIDENTIAL', a stray quote left by an export.",
    },
    "unrecognized": {
        "": "Lines no rule recognized, kept verbatim and in order.",
        "zone": {
            "description": "Where the lines stand: the transmission envelope, the body "
            "header, the body, or after the body.",
            "enum": ZONES,
        },
    },
}

PAGE_ANNOTATIONS: dict[str, Any] = {
    "": "The publisher's metadata table (or the seed form's metadata block), as given; null "
    "when the cable came without one. This block is data, not derived.",
    "identifier": {"description": "Reference id as the publisher gives it.", **CABLE_ID},
    "created": {
        "description": "Creation date and time as written, e.g. "
        "'2007-05-16 13:24:00' (the publisher's minutes are unreliable: see 'sent').",
        **NONEMPTY,
    },
    "created_iso": {"description": "'created' read as a UTC date-time.", **DATE_TIME},
    "released": {"description": "Release date and time as written.", **NONEMPTY},
    "released_iso": {"description": "'released' read as a UTC date-time.", **DATE_TIME},
    "classification": {
        "description": "Classification as the publisher wrote it, e.g. 'SECRET//NOFORN'.",
        **NONEMPTY,
    },
    "origin": {"description": "Origin as written, e.g. 'Embassy Baku'.", **NONEMPTY},
    "title": {"description": "The page's cable title.", **NONEMPTY},
    "tags": {"description": "Tags the page lists, in order.", "items": NONEMPTY},
    "references": {
        "description": "The bulk CSV's reference column, when read from it.",
        "items": NONEMPTY,
    },
}

LAYOUT_ANNOTATIONS: dict[str, Any] = {
    "": "Everything a byte-exact telegram needs, as typed parts with their verbatim text. "
    "This block is the source of truth: the readable block is derived from it (and from "
    "'page'), and a reader reports any readable value that disagrees with it.",
    "final_newline": {
        "description": "Whether the text the cable came from ended with a line break."
    },
    "source_encoding": {
        "description": "Character encoding of the text the cable came from.",
        "pattern": "^[A-Za-z0-9._-]+$",
    },
    jc.PAGE_BLOCK_KEY: {
        "description": "The page metadata block exactly as written in the "
        "seed text form (NBSPs and all); absent when the metadata came from "
        "elsewhere and a writer renders it.",
        **NONEMPTY,
    },
    "parts": {
        "description": "The telegram's parts in order. Each is an object with exactly "
        "one key, the part kind, holding the part's fields; a field holding its "
        "default (null, empty, false) is left out."
    },
}

READABLE_ANNOTATIONS: dict[str, Schema] = {
    "id": {
        "description": "Cable id: 2-digit year, station, serial without leading zeros "
        "(07BAKU595), from the banner and the sending year; else the page's.",
        **CABLE_ID,
    },
    "classification": {
        "description": "Classification level from the banner, else the "
        "security line, else the page.",
        **LEVEL,
    },
    "caveats": {
        "description": "Handling captions (SIPDIS, NOFORN, ...) in order of first appearance.",
        "items": {"enum": caption_names()},
    },
    "sent": {
        "description": "When the cable was sent (UTC), from the date-time group.",
        **DATE_TIME,
    },
    "origin": {
        "description": "Where the cable came from: the page's origin, else the FM "
        "address without its AMEMBASSY/AMCONSUL/USMISSION prefix.",
        **NONEMPTY,
    },
    "from": {"description": "The originator's plain-language address (FM line).", **NONEMPTY},
    "to": {"description": "Action addressees (TO lines), in order."},
    "info": {"description": "Information addressees (INFO lines), in order."},
    "subject": {"description": "The subject, unwrapped; else the page's title.", **NONEMPTY},
    "tags": {
        "description": "Tags from the TAGS line (or the E.O. line), else the page's.",
        "items": NONEMPTY,
    },
    "references": {"description": "The REF items, in order."},
    "paragraphs": {"description": "Every body paragraph in order, numbered or not."},
    "signature": {"description": "The signature (usually a surname).", **NONEMPTY},
    "executive_order": {
        "description": "Number of the executive order on the E.O. line.",
        "pattern": "^[0-9]{5}$",
    },
    "declassify_on": {
        "description": "Declassification date from the E.O. line, when it gives one.",
        **DATE,
    },
}

SUMMARY_ITEMS: dict[str, dict[str, Schema]] = {
    "addressee": {
        "routing_indicator": {
            "type": ["string", "null"],
            **ROUTING_INDICATOR,
            "description": "Routing indicator.",
        },
        "name": {"type": ["string", "null"], "description": "Plain-language address."},
        "precedence": {"enum": [*PRECEDENCES, None], "description": "Precedence."},
        "serial": {
            "type": ["string", "null"],
            "pattern": "^[0-9]{1,5}$",
            "description": "Message continuity number.",
        },
    },
    "reference": {
        "letter": {
            "type": ["string", "null"],
            "pattern": "^[A-Z]$",
            "description": "The item's letter.",
        },
        "cable_id": {
            "type": ["string", "null"],
            **CABLE_ID,
            "description": "Id of the cited cable, when the item cites one.",
        },
        "text": {"type": ["string", "null"], "description": "The item as written, unwrapped."},
        "captions": {
            "type": "array",
            "items": {"enum": REFERENCE_CAPTIONS},
            "description": "Captions after the reference.",
        },
    },
    "paragraph": {
        "number": {
            "type": ["string", "null"],
            "pattern": "^[0-9]{1,3}$",
            "description": "Paragraph number; null for unnumbered text.",
        },
        "marking": {
            "type": ["string", "null"],
            **MARKING,
            "description": "Portion marking, e.g. 'C'.",
        },
        "section": {
            "enum": ["summary", "comment", None],
            "description": "The headed section the paragraph is in.",
        },
        "text": {
            "type": "string",
            "description": "The paragraph's lines as written, "
            "without the page-break lines inside it.",
        },
    },
}
SUMMARY_OF = {
    "to": "addressee",
    "info": "addressee",
    "references": "reference",
    "paragraphs": "paragraph",
}


# --- building ----------------------------------------------------------------------------------

_JSON_TYPES = {
    jc.STR: "string",
    jc.INT: "integer",
    jc.BOOL: "boolean",
    jc.DATETIME: "string",
    jc.DATE: "string",
}
_SHAPE_CONSTRAINTS = {jc.DATETIME: DATE_TIME, jc.DATE: DATE}


def fallback_description(name: str) -> str:
    """The description of a field the table does not describe yet (the model gained it).

    The schema stays complete and writable; a test lists every field described this way.
    """
    return f"The model's '{name}' field (not described yet)."


def _property(spec: jc.FieldSpec, note: Schema, *, nullable: bool) -> Schema:
    """The schema of one field: type from the model, description and constraints from note."""
    note = (
        note if "description" in note else {**note, "description": fallback_description(spec.name)}
    )
    constraints = {k: v for k, v in note.items() if k not in ("description", "items")}
    out: Schema = {"description": note["description"]}
    if spec.shape in _JSON_TYPES:
        json_type = _JSON_TYPES[spec.shape]
        out["type"] = [json_type, "null"] if nullable else json_type
        out.update(_SHAPE_CONSTRAINTS.get(spec.shape, {}))
        out.update(constraints)
        if nullable and "enum" in out:
            out["enum"] = [*out["enum"], None]
        return out
    out["type"] = ["array", "null"] if nullable else "array"
    if spec.shape == jc.STRS:
        out["items"] = {"type": "string", **note.get("items", {})}
    elif spec.shape == jc.PAIRS:
        out["items"] = {
            "type": "array",
            "prefixItems": [{"enum": RECORD_KEYS}, {"type": "string"}],
            "items": False,
            "minItems": 2,
        }
    else:  # CONTENT: strings and the embedded part kind, tagged like the parts
        assert spec.item is not None
        kind = jc._kind(spec.item)
        out["minItems"] = 1
        out["items"] = {
            "type": ["string", "object"],
            "minLength": 1,
            "minProperties": 1,
            "maxProperties": 1,
            "additionalProperties": False,
            "properties": {kind: part_body(kind)},
        }
    out.update(constraints)
    return out


def _object(
    specs: tuple[jc.FieldSpec, ...],
    notes: dict[str, Schema],
    description: str,
    *,
    nullable_fields: bool = False,
    extra: dict[str, Schema] | None = None,
) -> Schema:
    props: Schema = {}
    required = []
    for spec in specs:
        note = TEXT if spec.name == "text" and "text" not in notes else notes.get(spec.name, {})
        props[spec.name] = _property(spec, note, nullable=nullable_fields and spec.nullable)
        if spec.required:
            required.append(spec.name)
    for name, prop in (extra or {}).items():
        props[name] = prop
    return {
        "description": description,
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": props,
    }


def part_body(kind: str) -> Schema:
    """The schema of one part kind's fields."""
    cls, specs = jc.part_specs()[kind]
    notes = ANNOTATIONS.get(kind, {})
    doc = (cls.__doc__ or "").strip()
    if doc.startswith(f"{cls.__name__}("):  # the signature dataclasses write, not prose
        doc = ""
    description = (
        notes.get("")
        or doc.split("\n\n")[0].replace("\n", " ")
        or (f"A {kind} part (not described yet).")
    )
    return _object(specs, notes, description)


def build() -> Schema:
    """The schema, as a dict (written to schemas/cable.schema.json by main).

    Every subschema is written in place rather than behind a $ref: jsonschema spends a good
    part of its time resolving references, and the file is generated anyway.
    """
    part = {
        "description": "One part of the telegram: an object whose only key is the part kind.",
        "type": "object",
        "minProperties": 1,
        "maxProperties": 1,
        "additionalProperties": False,
        "properties": {kind: part_body(kind) for kind in jc.part_specs()},
    }
    summaries = {
        name: {
            "type": "object",
            "additionalProperties": False,
            "required": list(fields),
            "properties": fields,
        }
        for name, fields in SUMMARY_ITEMS.items()
    }

    page = _object(jc.page_specs(), PAGE_ANNOTATIONS, PAGE_ANNOTATIONS[""], nullable_fields=True)
    page["type"] = ["object", "null"]
    page["required"] = [s.name for s in jc.page_specs()]

    layout = _object(
        jc.layout_specs(),
        LAYOUT_ANNOTATIONS,
        LAYOUT_ANNOTATIONS[""],
        extra={
            jc.PAGE_BLOCK_KEY: {"type": "string", **LAYOUT_ANNOTATIONS[jc.PAGE_BLOCK_KEY]},
            "parts": {
                "type": "array",
                "minItems": 1,
                "items": part,
                **LAYOUT_ANNOTATIONS["parts"],
            },
        },
    )
    layout["required"] = [*layout["required"], "parts"]

    props: Schema = {
        "format": {
            "description": "Names the format: always 'cablekit-cable'.",
            "const": jc.FORMAT_NAME,
        },
        "version": {
            "description": "Format version MAJOR.MINOR. A reader refuses a major "
            "version it does not know. A minor version adds optional keys or changes how the "
            "readable block is derived; a reader of a later minor version reports a readable "
            "value it derives differently as a warning, not an error.",
            "type": "string",
            "pattern": f"^{jc.FORMAT_MAJOR}\\.[0-9]{{1,3}}$",
        },
    }
    view_specs = jc._view_keys()
    for key in jc.readable_keys():
        note = READABLE_ANNOTATIONS.get(key, {"description": fallback_description(key)})
        if key in SUMMARY_OF:
            props[key] = {
                "description": note["description"],
                "type": "array",
                "items": summaries[SUMMARY_OF[key]],
            }
        else:
            spec = view_specs[key]
            props[key] = _property(spec, note, nullable=spec.nullable)
    props["page"] = page
    props["layout"] = layout

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "cablekit cable",
        "description": (
            "One US diplomatic cable (State Department telegram) in cablekit's JSON format "
            f"{jc.FORMAT_VERSION}. The top-level keys from 'id' to 'declassify_on' are a "
            "readable summary derived from 'layout' (and 'page'); 'page' holds the publisher's "
            "metadata; 'layout' holds the telegram as typed parts with their verbatim text, "
            "from which the telegram is rebuilt byte for byte. When the summary and the "
            "layout disagree, the layout wins and readers report the disagreement. Dates and "
            "times are RFC 3339 (UTC written 'Z'). Keys appear in a fixed order."
        ),
        "type": "object",
        "additionalProperties": False,
        "required": list(props),
        "properties": props,
    }


def render() -> str:
    """The schema file's text: 2-space indent, keys in build order, final newline."""
    return json.dumps(build(), ensure_ascii=False, indent=2) + "\n"


def schema_path() -> Path:
    return Path(__file__).resolve().parent.parent / "schemas" / SCHEMA_FILE


def main(argv: list[str] | None = None) -> int:
    """Write the schema file (or, with --check, exit 1 when it is out of date)."""
    args = sys.argv[1:] if argv is None else argv
    path = schema_path()
    text = render()
    if "--check" in args:
        current = path.read_text("utf-8") if path.exists() else ""
        if current != text:
            print(f"{path} is out of date: run python -m cablekit.jsonschema_build")
            return 1
        return 0
    path.write_text(text, "utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
