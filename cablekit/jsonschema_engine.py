"""The bundled JSON Schema at work: JSON text parsed strictly, validators built once per
process (jsonschema; jsonschema-rs as a fast path when installed), findings as diagnostics
with the line and column of the JSON text as well as the JSON pointer.
"""

from __future__ import annotations

import bisect
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from cablekit.errors import CablekitError, Diagnostic

SCHEMA_FILE = "cable.schema.json"

Json = Any


# --- the schema and its validators ---------------------------------------------------------------


@cache
def schema() -> dict[str, Any]:
    """The bundled cable schema (schemas/cable.schema.json), read once."""
    try:
        text = resources.files("cablekit.schemas").joinpath(SCHEMA_FILE).read_text("utf-8")
        loaded: dict[str, Any] = json.loads(text)
    except (OSError, ValueError) as e:
        raise CablekitError(
            f"the bundled JSON Schema cannot be read: {e}", SCHEMA_FILE, code="CK-SCHEMA"
        ) from None
    return loaded


@cache
def _ecma_regex(pattern: str) -> re.Pattern[str]:
    # JSON Schema patterns are ECMA-262 regexes, where '$' matches only at the very end;
    # Python's '$' also matches before a final newline. The schema's patterns use '$' only
    # as their last character, so that one is made strict.
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


@cache
def python_validator() -> Any:
    """jsonschema's Draft 2020-12 validator for the bundled schema, with formats checked."""
    return _build_validator(leaf=True)


@cache
def reference_validator() -> Any:
    """The same without the leaf fast path: jsonschema's own keywords throughout (but ECMA
    `$`). The tests hold the other engines to its verdicts."""
    return _build_validator(leaf=False)


def _build_validator(*, leaf: bool) -> Any:
    from jsonschema import Draft202012Validator, validators  # type: ignore[import-untyped]
    from jsonschema.exceptions import (  # type: ignore[import-untyped]
        SchemaError,
        ValidationError,
    )

    checker = Draft202012Validator.FORMAT_CHECKER
    # Without the format-nongpl extra, jsonschema silently skips date-time: refuse instead.
    missing = {"date", "date-time"} - set(checker.checkers)
    if missing:
        raise CablekitError(
            f"jsonschema cannot check the formats {', '.join(sorted(missing))}: install "
            "'jsonschema[format-nongpl]'",
            SCHEMA_FILE,
            code="CK-SCHEMA",
        )

    def pattern(validator: Any, patrn: str, instance: Any, _schema: Any) -> Iterator[Any]:
        if validator.is_type(instance, "string") and not _ecma_regex(patrn).search(instance):
            yield ValidationError(f"{instance!r} does not match {patrn!r}")

    # Leaf fast path. Most members of a cable document are scalars under a subschema made
    # only of type/enum/const/pattern/length/range/format keywords. For those, `properties`
    # and `items` first run a precompiled check; a value it accepts is one jsonschema would
    # accept, and any other value goes through the stock keyword (descend), so verdicts and
    # errors are jsonschema's own. A test compares this validator with the stock one.
    leaves = _leaf_checks(schema(), checker)
    stock_properties = Draft202012Validator.VALIDATORS["properties"]
    stock_items = Draft202012Validator.VALIDATORS["items"]

    def properties(validator: Any, props: Any, instance: Any, schema_: Any) -> Iterator[Any]:
        if not isinstance(instance, dict):
            yield from stock_properties(validator, props, instance, schema_)
            return
        for name, sub in props.items():
            if name in instance:
                check = leaves.get(id(sub))
                if check is not None and check(instance[name]):
                    continue
                yield from validator.descend(instance[name], sub, path=name, schema_path=name)

    def items(validator: Any, items_: Any, instance: Any, schema_: Any) -> Iterator[Any]:
        check = leaves.get(id(items_))
        if check is None or not isinstance(instance, list) or "prefixItems" in schema_:
            yield from stock_items(validator, items_, instance, schema_)
            return
        for index, item in enumerate(instance):
            if not check(item):
                yield from validator.descend(item, items_, path=index)

    keywords: dict[str, Callable[[Any, Any, Any, Any], Iterator[Any]]] = {"pattern": pattern}
    if leaf:
        keywords.update(properties=properties, items=items)
    cls = validators.extend(Draft202012Validator, keywords)
    try:
        cls.check_schema(schema())
    except SchemaError as e:
        raise CablekitError(
            f"the bundled JSON Schema is invalid: {e.message}", SCHEMA_FILE, code="CK-SCHEMA"
        ) from None
    return cls(schema(), format_checker=checker)


_LEAF_KEYWORDS = frozenset(
    {
        "description",
        "type",
        "enum",
        "const",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "format",
    }
)
# Keywords that apply only to objects or only to arrays: jsonschema ignores them for any other
# value, so a scalar under a subschema holding them is still checked by the leaf check.
_CONTAINER_KEYWORDS = frozenset(
    {
        "properties",
        "additionalProperties",
        "required",
        "minProperties",
        "maxProperties",
        "items",
        "prefixItems",
        "minItems",
        "maxItems",
    }
)
_LEAF_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def _leaf_check(sub: dict[str, Any], checker: Any) -> Callable[[Any], bool] | None:
    """A check that accepts a value only where jsonschema would, or None if sub is no leaf.

    It accepts scalars only, and may reject values jsonschema accepts (1.0 as an integer,
    say): objects, arrays and those values are handed to jsonschema, which decides.
    """
    if not set(sub) <= _LEAF_KEYWORDS | _CONTAINER_KEYWORDS or "type" not in sub:
        return None
    types = sub["type"] if isinstance(sub["type"], list) else [sub["type"]]
    types = [t for t in types if t not in ("object", "array")]  # containers: descend
    if not types or not all(t in _LEAF_TYPES for t in types):
        return None
    type_checks = tuple(_LEAF_TYPES[t] for t in types)
    enum = sub.get("enum")
    if enum is not None and not all(e is None or isinstance(e, str) for e in enum):
        return None
    enum_set = None if enum is None else frozenset(enum)
    has_const = "const" in sub
    const = sub.get("const")
    regex = _ecma_regex(sub["pattern"]).search if "pattern" in sub else None
    min_len = sub.get("minLength")
    max_len = sub.get("maxLength")
    minimum = sub.get("minimum")
    maximum = sub.get("maximum")
    fmt = sub.get("format")

    def check(v: Any) -> bool:
        if not any(t(v) for t in type_checks):
            return False
        if isinstance(v, str):
            if regex is not None and not regex(v):
                return False
            if min_len is not None and len(v) < min_len:
                return False
            if max_len is not None and len(v) > max_len:
                return False
        elif isinstance(v, int) and not isinstance(v, bool):
            if minimum is not None and v < minimum:
                return False
            if maximum is not None and v > maximum:
                return False
        if enum_set is not None and not ((v is None or isinstance(v, str)) and v in enum_set):
            return False
        if has_const and not (isinstance(v, str) and isinstance(const, str) and v == const):
            return False
        return fmt is None or bool(checker.conforms(v, fmt))

    return check


def _leaf_checks(root: Any, checker: Any) -> dict[int, Callable[[Any], bool]]:
    """Leaf checks of every subschema of root, by the subschema's id (root lives forever)."""
    out: dict[int, Callable[[Any], bool]] = {}
    todo = [root]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            check = _leaf_check(node, checker)
            if check is not None:
                out[id(node)] = check
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return out


def fast_enabled() -> bool:
    """Whether optional accelerators may be used (CABLEKIT_PURE_PYTHON=1 switches them off)."""
    return os.environ.get("CABLEKIT_PURE_PYTHON") != "1"


@cache
def rust_validator() -> Any:
    """jsonschema-rs's validator for the bundled schema, or None when it is not installed."""
    if not fast_enabled():
        return None
    try:
        import jsonschema_rs
    except ImportError:
        return None
    return jsonschema_rs.Draft202012Validator(schema(), validate_formats=True)


# --- findings ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in a JSON document, before it is placed in the text."""

    code: str
    message: str
    pointer: str | None = None
    at_key: bool = False  # point at the member's key rather than its value
    offset: int | None = None  # character offset, when known without the pointer index
    severity: str = "error"


def keyword_code(keyword: str) -> str:
    """'additionalProperties' -> 'CK-JSON-SCHEMA-ADDITIONAL-PROPERTIES'."""
    return "CK-JSON-SCHEMA-" + re.sub(r"(?<!^)(?=[A-Z])", "-", keyword).upper()


def escape_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def to_pointer(path: Any) -> str:
    return "".join("/" + escape_token(t) for t in path)


_JSON_TYPE_NAMES = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


def json_type(value: Json) -> str:
    if value is None:
        return "null"
    for py, name in _JSON_TYPE_NAMES:
        if isinstance(value, py):
            return name
    return type(value).__name__


def short(value: Json, limit: int = 60) -> str:
    """A value for a message: scalars as JSON (truncated), containers by their type."""
    if isinstance(value, dict | list):
        return f"an {json_type(value)}"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _listing(values: Any, limit: int = 12) -> str:
    shown = [json.dumps(v, ensure_ascii=False) for v in list(values)[:limit]]
    more = len(list(values)) - limit
    return ", ".join(shown) + (f", … ({more} more)" if more > 0 else "")


def _findings_of(error: Any) -> Iterator[Finding]:
    """Findings from one jsonschema error; the message is derived from the error's data."""
    kw: str = error.validator
    value = error.validator_value
    inst = error.instance
    ptr = to_pointer(error.absolute_path)
    code = keyword_code(kw)
    if kw == "additionalProperties" and isinstance(inst, dict):
        allowed = list(error.schema.get("properties", {}))
        for key in inst:
            if key not in allowed:
                yield Finding(
                    code,
                    f"unknown key {json.dumps(key, ensure_ascii=False)} (allowed: "
                    f"{_listing(allowed)})",
                    f"{ptr}/{escape_token(key)}",
                    at_key=True,
                )
        return
    if kw == "required" and isinstance(inst, dict):
        for key in value:
            if key not in inst:
                yield Finding(code, f"missing required key {json.dumps(key)}", ptr)
        return
    if kw == "type":
        wanted = " or ".join(value) if isinstance(value, list) else value
        message = f"expected {wanted}, found {json_type(inst)}"
    elif kw == "enum":
        message = f"{short(inst)} is not one of: {_listing(value)}"
    elif kw == "const":
        message = f"expected {json.dumps(value)}, found {short(inst)}"
    elif kw == "pattern":
        message = f"{short(inst)} does not match the pattern {value}"
    elif kw == "format":
        message = f"{short(inst)} is not a valid {value}"
    elif kw == "minLength":
        message = "empty string" if value == 1 else f"shorter than {value} characters"
    elif kw in ("minItems", "maxItems") and isinstance(inst, list):
        bound = "at least" if kw == "minItems" else "at most"
        message = f"{len(inst)} items, {bound} {value} allowed"
    elif kw in ("minProperties", "maxProperties") and isinstance(inst, dict):
        bound = "at least" if kw == "minProperties" else "at most"
        message = f"{len(inst)} keys, {bound} {value} allowed"
    elif kw in ("minimum", "maximum"):
        bound = "below the minimum" if kw == "minimum" else "above the maximum"
        message = f"{short(inst)} is {bound} {value}"
    else:
        message = error.message if len(error.message) <= 200 else error.message[:199] + "…"
    yield Finding(code, message, ptr)


def schema_findings(value: Json, *, fast: bool | None = None) -> list[Finding]:
    """What the bundled schema finds wrong with a decoded document (empty: valid).

    With jsonschema-rs installed, a document it accepts is accepted; anything it rejects goes
    through jsonschema for the findings, and jsonschema's verdict is the one kept.
    """
    rs = rust_validator() if fast is None or fast else None
    if rs is not None:
        try:
            if rs.is_valid(value):
                return []
        except (UnicodeError, OverflowError, ValueError):
            # What it cannot take in (a lone surrogate, an integer beyond 64 bits): the
            # verdict is jsonschema's, as when jsonschema-rs is not installed.
            pass
    out: dict[tuple[str, str | None, str], Finding] = {}
    for error in python_validator().iter_errors(value):
        for f in _findings_of(error):
            out.setdefault((f.code, f.pointer, f.message), f)
    return list(out.values())


# --- positions of pointers in the JSON text ----------------------------------------------

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+', re.DOTALL)


MAX_POSITION_DEPTH = 64  # a cable document nests a few levels; deeper is hostile or broken


@dataclass(slots=True)
class Positions:
    """Character offsets of every value and member key of a JSON text, by JSON pointer.

    Built by a tolerant tokenizer (only for documents with findings, so cost does not matter);
    also lists duplicate keys and bare literals that are not JSON (NaN, Infinity).
    """

    text: str
    values: dict[str, int]
    keys: dict[str, int]
    duplicates: list[tuple[str, int]]
    bad_literals: list[int]
    _line_starts: list[int]

    @classmethod
    def of(cls, text: str) -> Positions:
        values: dict[str, int] = {}
        keys: dict[str, int] = {}
        duplicates: list[tuple[str, int]] = []
        bad: list[int] = []
        # stack entries: [is_object, pointer, array index, seen keys, pending key]
        stack: list[list[Any]] = []
        expect_value = True
        for m in _TOKEN.finditer(text):
            tok = m.group()
            pos = m.start()
            top = stack[-1] if stack else None
            if tok in ",:":
                if tok == "," and top is not None:
                    if top[0]:
                        top[4] = None
                    else:
                        top[2] += 1
                        expect_value = True
                elif tok == ":":
                    expect_value = True
                continue
            if tok in "}]":
                if stack:
                    stack.pop()
                expect_value = False
                continue
            if (
                top is not None
                and top[0]
                and top[4] is None
                and tok.startswith('"')
                and len(stack) <= MAX_POSITION_DEPTH
            ):
                try:
                    key = json.loads(tok)
                except ValueError:
                    key = tok[1:-1]
                ptr = f"{top[1]}/{escape_token(key)}"
                if key in top[3]:
                    duplicates.append((ptr, pos))
                top[3].add(key)
                top[4] = key
                keys.setdefault(ptr, pos)
                continue
            if not expect_value and top is not None:
                continue
            if top is None:
                ptr = ""
            elif len(stack) > MAX_POSITION_DEPTH:
                # Past any depth a cable has, values are placed at their deep ancestor: pointers
                # that grow with depth would make hostile nesting cost quadratic time.
                ptr = top[1]
            elif top[0]:
                ptr = f"{top[1]}/{escape_token(top[4])}"
            else:
                ptr = f"{top[1]}/{top[2]}"
            values.setdefault(ptr, pos)
            expect_value = False
            if tok == "{":
                stack.append([True, ptr, 0, set(), None])
            elif tok == "[":
                stack.append([False, ptr, 0, None, None])
                expect_value = True
            elif (
                not tok.startswith('"')
                and tok not in ("true", "false", "null")
                and not _NUMBER.fullmatch(tok)
            ):
                bad.append(pos)
        starts = [0] + [m.end() for m in re.finditer("\n", text)]
        return cls(text, values, keys, duplicates, bad, starts)

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in characters) of a character offset."""
        i = bisect.bisect_right(self._line_starts, offset) - 1
        return i + 1, offset - self._line_starts[i] + 1

    def locate(self, pointer: str | None, *, at_key: bool = False) -> tuple[int, int] | None:
        if pointer is None:
            return None
        offset = (self.keys if at_key else self.values).get(pointer)
        if offset is None and at_key:
            offset = self.values.get(pointer)
        while offset is None and pointer:
            pointer = pointer.rsplit("/", 1)[0]  # the nearest enclosing value that exists
            offset = self.values.get(pointer)
        return None if offset is None else self.line_col(offset)


def place(
    findings: list[Finding],
    text: Callable[[], str] | None,
    source: str | None,
    first_line: int = 1,
) -> list[Diagnostic]:
    """Diagnostics for findings, with line and column in the text (shifted to first_line)."""
    positions = Positions.of(text()) if text is not None and findings else None
    out = []
    for f in findings:
        where: tuple[int, int] | None = None
        if positions is not None:
            if f.offset is not None:
                where = positions.line_col(f.offset)
            else:
                where = positions.locate(f.pointer, at_key=f.at_key)
        line, col = where if where else (None, None)
        out.append(
            Diagnostic(
                code=f.code,
                severity=f.severity,
                message=f.message,
                path=source,
                line=None if line is None else line + first_line - 1,
                col=col,
                pointer=f.pointer,
            )
        )
    # By position; at one position, in the order the checks found them (schema order).
    out.sort(key=lambda d: (d.line or 0, d.col or 0))
    return out


# --- parsing JSON text strictly ------------------------------------------------------------------


class _DuplicateKey(ValueError):
    pass


class _BadConstant(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Json]]) -> dict[str, Json]:
    d = dict(pairs)
    if len(d) != len(pairs):
        raise _DuplicateKey
    return d


def _no_constant(name: str) -> Json:
    raise _BadConstant(name)


_MAYBE_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
# An escape preceded by an even number of backslashes: a high surrogate with or without its
# low partner, or a low surrogate on its own.
_SURROGATE_ESCAPE = re.compile(
    r"(?<!\\)(?:\\\\)*(\\u[dD][89abAB][0-9a-fA-F]{2})(\\u[dD][c-fC-F][0-9a-fA-F]{2})?"
    r"|(?<!\\)(?:\\\\)*(\\u[dD][c-fC-F][0-9a-fA-F]{2})"
)


@cache
def orjson_module() -> Any:
    if not fast_enabled():
        return None
    try:
        import orjson
    except ImportError:
        return None
    # Older orjson crashes the process on deeply nested input instead of refusing it; only
    # the releases the `fast` extra asks for are used.
    if _version_tuple(getattr(orjson, "__version__", "0")) < (3, 9):
        return None
    return orjson


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split(".")[:3]:
        digits = re.match(r"[0-9]+", piece)
        parts.append(int(digits[0]) if digits else 0)
    return tuple(parts)


@dataclass(slots=True)
class Parsed:
    """A parsed JSON text: the value (None with findings when unreadable) and the text."""

    value: Json
    findings: list[Finding]
    _data: bytes | str

    def text(self) -> str:
        """The document as text, for positions (decoded only when a finding needs it)."""
        data = self._data
        text = data if isinstance(data, str) else data.decode("utf-8", "replace")
        return text[1:] if text.startswith("\ufeff") else text


# A run of digits longer than int() converts by default: where a too-long number stands.
_LONG_DIGITS = re.compile(r"[0-9]{4301,}")


def parse(
    data: bytes | str,
    *,
    canonical: Callable[[Json], bytes] | None = None,
    fast: bool | None = None,
) -> Parsed:
    """Parse JSON text strictly: UTF-8, no duplicate keys, no NaN/Infinity, no lone surrogates.

    When orjson is present, a text equal to `canonical(value)` is taken from orjson directly
    (a canonical text cannot hold duplicate keys); anything else is parsed again by the
    standard library, which reports exact positions.
    """
    orjson = orjson_module() if fast is None or fast else None
    if orjson is not None and isinstance(data, bytes) and canonical is not None:
        try:
            value = orjson.loads(data)
            if canonical(value) == data:
                return Parsed(value, [], data)
        except (orjson.JSONDecodeError, TypeError, ValueError, UnicodeError):
            pass
    return _parse_slow(data)


def _parse_slow(data: bytes | str) -> Parsed:
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            good = data[: e.start].decode("utf-8")
            offset = len(good) - good.startswith("\ufeff")  # positions skip a BOM
            return Parsed(
                None,
                [
                    Finding(
                        "CK-ENCODING",
                        f"not UTF-8 (byte 0x{data[e.start]:02x})",
                        None,
                        offset=offset,
                    )
                ],
                good + "\ufffd",
            )
    else:
        text = data
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as e:
            return Parsed(
                None,
                [Finding("CK-ENCODING", "text holds a lone surrogate", None, offset=e.start)],
                text,
            )
    body = text[1:] if text.startswith("\ufeff") else text  # a BOM is tolerated (RFC 8259)
    try:
        value = json.loads(body, object_pairs_hook=_pairs, parse_constant=_no_constant)
    except _DuplicateKey:
        dups = Positions.of(body).duplicates
        return Parsed(
            None,
            [
                Finding(
                    "CK-JSON-DUPLICATE-KEY",
                    f"duplicate key {ptr.rsplit('/', 1)[1]!r} (a key may appear once per object)",
                    ptr,
                    offset=pos,
                )
                for ptr, pos in dups
            ]
            or [Finding("CK-JSON-DUPLICATE-KEY", "duplicate key in an object", None, offset=0)],
            data,
        )
    except _BadConstant as e:
        bad = Positions.of(body).bad_literals
        return Parsed(
            None,
            [
                Finding(
                    "CK-JSON-SYNTAX",
                    f"{e.args[0]} is not a JSON value",
                    None,
                    offset=bad[0] if bad else 0,
                )
            ],
            data,
        )
    except json.JSONDecodeError as e:
        message = e.msg
        if e.msg == "Extra data" and body[e.pos : e.pos + 1] == "{":
            message += " (several documents: JSON Lines are read with format 'jsonl')"
        return Parsed(None, [Finding("CK-JSON-SYNTAX", message, None, offset=e.pos)], data)
    except RecursionError:
        return Parsed(None, [Finding("CK-JSON-SYNTAX", "nested too deeply", None, offset=0)], data)
    except ValueError:
        # An integer of more digits than Python converts (sys.get_int_max_str_digits()).
        long = _LONG_DIGITS.search(body)
        digits = f"{long.end() - long.start():,} digits" if long else "too many digits"
        return Parsed(
            None,
            [
                Finding(
                    "CK-JSON-SYNTAX",
                    f"a number of {digits}: too long to read",
                    None,
                    offset=long.start() if long else 0,
                )
            ],
            data,
        )
    if _MAYBE_SURROGATE.search(body):
        for m in _SURROGATE_ESCAPE.finditer(body):
            lone = m.group(3) or (m.group(2) is None and m.group(1))
            if lone:
                return Parsed(
                    None,
                    [
                        Finding(
                            "CK-JSON-SYNTAX",
                            f"lone UTF-16 surrogate escape {lone}",
                            None,
                            offset=m.start(3) if m.group(3) else m.start(1),
                        )
                    ],
                    data,
                )
    return Parsed(value, [], data)
