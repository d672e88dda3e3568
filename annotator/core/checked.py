"""Checked reading of JSON from files: what Python's parser lets through but no record may hold, and
every field of a record checked against the shipped record JSON Schema (`annotator/data/record.schema.json`).

Whatever a line holds, a reader gets a value it can use or a ValueError (`JSONRefused`,
`RecordError`) whose message names the field and what is wrong with it; the caller adds the
file and line. Never a RecursionError, a MemoryError or a TypeError from deep inside a reader.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from itertools import count
from operator import itemgetter
from typing import Any, cast


class JSONRefused(ValueError):
    """Valid JSON that no record may hold; the message says what and where in the value."""


class RecordError(ValueError):
    """A record that breaks the format: a field of the wrong type or range, a span off its text, a missing field."""


#: a `\\uD800`-`\\uDFFF` escape: JSON may spell a lone surrogate, which is not text
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def checked_json(text: str | bytes) -> Any:
    """`json.loads`, refusing what Python's parser lets through but no record may hold.

    `Infinity`/`NaN` (not JSON, and not a number a record can have), nesting deep enough to
    exhaust the parser's recursion, integers past Python's 4,300-digit limit, and lone surrogates
    (`"\\ud800"`: valid JSON, not valid Unicode; it cannot be written back as UTF-8) each raise
    a ValueError (`JSONRefused`, or json's own; bytes that are not UTF-8 a UnicodeDecodeError)
    with a plain message.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    try:
        value = _scanned(text)
    except RecursionError:
        raise JSONRefused("nested too deeply") from None
    except ValueError as error:
        if "integer string conversion" in str(error):
            raise JSONRefused("a number with more than 4,300 digits") from None
        raise
    if _SURROGATE_ESCAPE.search(text):
        field = _surrogate_field(value)
        if field is not None:
            raise JSONRefused(f"{field}: holds a lone surrogate (a \\ud800-\\udfff escape without its pair), "
                              "which is not Unicode text")
    return value


def _refuse_constant(name: str) -> Any:
    raise JSONRefused(f"{name} is not a number JSON allows; write a finite number or null")


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)
_SCAN: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]


def _scanned(text: str) -> Any:
    """`json.loads(text)` (with `_refuse_constant`) by json's own scanner, without the layers around it
    (a pass over a store parses a million lines); what does not start with its value goes through the
    decoder, which says what is wrong."""
    try:
        value, end = _SCAN(text, 0)
    except StopIteration:
        return _DECODER.decode(text)  # leading whitespace, or no value
    if end != len(text):
        end = len(text) - len(text[end:].lstrip(" \t\n\r"))  # the whitespace json.loads allows after the value
        if end != len(text):
            raise json.JSONDecodeError("Extra data", text, end)
    return value


def _surrogate_field(value: Any) -> str | None:
    """The path (`spans[0].label`) of the first string or key in `value` that is not valid Unicode."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if not is_unicode(item):
                return path or "the value"
        elif isinstance(item, dict):
            for key, child in reversed(item.items()):
                where = f"{path}.{key}" if path else str(key)
                if not is_unicode(key):
                    return f"{path or 'the object'}: a key"
                stack.append((where, child))
        elif isinstance(item, list):
            stack.extend((f"{path}[{index}]", child) for index, child in reversed(list(enumerate(item))))
    return None


def is_unicode(text: str) -> bool:
    """Whether `text` can be written as UTF-8 (it holds no lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# --- the record's fields ------------------------------------------------------------------

#: Of the schema's `required` fields, those a reader cannot do without: stores written by earlier
#: versions and records made by hand or by tests leave the others out, and readers default them.
READ_REQUIRED: Mapping[str, tuple[str, ...]] = {
    "#": ("id", "text"),
    "#/$defs/span": ("start", "end", "token_start", "token_end", "label", "text"),
    "#/$defs/token": ("text", "start", "end", "id"),
    "#/$defs/relation": ("label",),
}

_RECORD_REQUIRED = frozenset(READ_REQUIRED["#"])

#: value -> None, or (where in the value, what is wrong): `.start`, `[3].label`, "" for the value itself
Checker = Callable[[Any], tuple[str, str] | None]

_TYPE_NAMES = {dict: "an object", list: "an array", str: "a string", int: "a whole number", float: "a number",
               bool: "true or false", type(None): "null"}
_SCHEMA_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "integer": (int,), "number": (int, float),
    "boolean": (bool,), "null": (type(None),),
}
_JSON_KIND = {dict: "object", list: "array", str: "string", int: "integer", float: "number", bool: "boolean",
              type(None): "null"}
_WANTED_NAMES = {"object": "an object", "array": "an array", "string": "a string", "integer": "a whole number",
                 "number": "a number", "boolean": "true or false", "null": "null"}


def check_fields(record: Any, text: bytes | None = None) -> None:
    """RecordError `FIELD: what is wrong` for the first field of `record` whose type, range or value
    the shipped record JSON Schema refuses, or that a reader needs and the record lacks.

    The schema is the definition of types and ranges: its `type`, `enum`, `minimum`, `maximum`,
    `properties`, `items` and `additionalProperties` are applied to every field present, and a
    `const` gives its value's type; an `integer` is written as one (`12`: `12.0` is a number, which
    no offset can be). What the writer promises beyond that (`minLength`, `const`
    values, `required`, `pattern`, `if`) is not asked of what is read: stores written by earlier
    versions and records made by hand leave some out, and no reader depends on it. Of
    `required`, `READ_REQUIRED` is (see there). Fields the schema does not name are left alone.

    `text`: the JSON text `record` was parsed from (by `checked_json`), when the caller has it (fields
    it took out since, or put in made right, keep that true): a record `fields_right` finds right
    in it is not looked at field by field, as a pass over a store checks a million lines.
    """
    if text is not None and fields_right(text, record):
        return
    is_right, checker = _record_checks()
    if is_right(record):
        return
    problem = checker(record)
    if problem is not None:
        where, what = problem
        raise RecordError(f"{where.removeprefix('.') or 'the line'}: {what}")


@cache
def _record_schema() -> dict[str, Any]:
    """The shipped record JSON Schema (`data/record.schema.json`), read when a record is first checked."""
    from importlib import resources  # here: a start with no record to read does not pay for it

    schema: dict[str, Any] = json.loads(resources.files("annotator").joinpath("data/record.schema.json")
                                        .read_text(encoding="utf-8"))
    return schema


@cache
def _record_checks() -> tuple[Callable[[Any], bool], Checker]:
    """Whether a record is right (fast: what every read pays), and what is wrong with one that is not."""
    schema = _record_schema()
    compiler = _Compiler(schema)
    return compiler.predicate(schema, "#"), compiler.compile(schema, "#")


class _Compiler:
    """Turns the schema's nodes into checkers, once (each `$ref` compiled once, however often it is used)."""

    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, Checker] = {}

    def compile(self, node: Mapping[str, Any], pointer: str) -> Checker:
        if "$ref" in node:
            return self._ref(node["$ref"])
        checks: list[Checker] = []
        kinds = node.get("type")
        if kinds is not None:
            checks.append(_type_check([kinds] if isinstance(kinds, str) else list(kinds)))
        if "enum" in node:
            checks.append(_enum_check(tuple(node["enum"])))
        if "const" in node and kinds is None:  # `flagged: true`, `_view_id`: readers take any value of that type
            checks.append(_type_check([_JSON_KIND[type(node["const"])]]))
        if "minimum" in node or "maximum" in node:
            checks.append(_range_check(node.get("minimum"), node.get("maximum")))
        if "properties" in node or pointer in READ_REQUIRED:
            properties = {key: self.compile(child, f"{pointer}/properties/{key}")
                          for key, child in node.get("properties", {}).items()}
            checks.append(_object_check(properties, READ_REQUIRED.get(pointer, ())))
        if "additionalProperties" in node and isinstance(node["additionalProperties"], dict):
            checks.append(_values_check(self.compile(node["additionalProperties"], f"{pointer}/additionalProperties"),
                                        set(node.get("properties", {}))))
        if "items" in node:
            items = node["items"]
            item_pointer = items.get("$ref", f"{pointer}/items")
            checks.append(_items_check(self.compile(items, f"{pointer}/items"),
                                       _flat_objects(self.resolve(items), READ_REQUIRED.get(item_pointer, ()))))
        return _all_of(checks)

    def predicate(self, node: Mapping[str, Any], pointer: str) -> Callable[[Any], bool]:
        """Whether a value is right by `node`: the same rules as `compile`, without saying what is wrong, in as few
        Python steps as they allow (a field whose rule is only its type costs a dict look-up and a set test)."""
        if "$ref" in node:
            pointer = node["$ref"]
            node = self.resolve(node)
        kinds = node.get("type")
        if kinds is None and "const" in node:
            kinds = _JSON_KIND[type(node["const"])]
        exact = _exact_types([kinds] if isinstance(kinds, str) else list(kinds)) if kinds is not None else None
        if "properties" in node or pointer in READ_REQUIRED:
            return self._object_predicate(node, pointer, exact)
        if "items" in node:
            items = node["items"]
            flat = _flat_objects(self.resolve(items), READ_REQUIRED.get(items.get("$ref", ""), ()))
            if flat is not None:
                return lambda value: type(value) is list and flat(value)
            item_right = self.predicate(items, f"{pointer}/items")
            return lambda value: type(value) is list and all(map(item_right, value))
        if "additionalProperties" in node:  # span attributes: a map of scalars
            value_types = _exact_types(node["additionalProperties"]["type"])
            return lambda value: type(value) is dict and set(map(type, value.values())) <= value_types
        allowed = tuple(node["enum"]) if "enum" in node else None
        minimum, maximum = node.get("minimum"), node.get("maximum")
        if allowed is None and exact is not None:
            low = -math.inf if minimum is None else minimum
            high = math.inf if maximum is None else maximum
            if minimum is None and maximum is None:
                return lambda value: type(value) in exact
            return lambda value: type(value) in exact and low <= value <= high
        checker = self.compile(node, pointer)
        return lambda value: checker(value) is None

    def _object_predicate(self, node: Mapping[str, Any], pointer: str,
                          exact: frozenset[type] | None) -> Callable[[Any], bool]:
        by_type: dict[str, frozenset[type]] = {}  # fields whose only rule is their type
        others: dict[str, Callable[[Any], bool]] = {}
        for key, child in node.get("properties", {}).items():
            resolved = self.resolve(child)
            kinds = resolved.get("type")
            if isinstance(kinds, (str, list)) and set(resolved) <= {"type", "description", "minLength"} \
                    and "object" not in kinds and "array" not in kinds:
                by_type[key] = _exact_types([kinds] if isinstance(kinds, str) else kinds)
            else:
                others[key] = self.predicate(child, f"{pointer}/properties/{key}")
        required = READ_REQUIRED.get(pointer, ())

        def is_right(value: Any) -> bool:
            if type(value) is not dict or (exact is not None and dict not in exact):
                return False
            for key in required:
                if key not in value:
                    return False
            for key, item in value.items():
                wanted = by_type.get(key)
                if wanted is not None:
                    if type(item) not in wanted:
                        return False
                else:
                    other = others.get(key)
                    if other is not None and not other(item):
                        return False
            return True
        return is_right

    def resolve(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        """The node itself, or the one its `$ref` points at."""
        if "$ref" not in node:
            return node
        found: Any = self.root
        for part in node["$ref"].removeprefix("#/").split("/"):
            found = found[part]
        return cast("Mapping[str, Any]", found)

    def _ref(self, ref: str) -> Checker:
        """The checker of the node `ref` points at (the schema's references do not loop)."""
        if ref not in self.refs:
            self.refs[ref] = self.compile(self.resolve({"$ref": ref}), ref)
        return self.refs[ref]


def _shown(value: Any) -> str:
    """A scalar as JSON, cut short (a 4,000-digit number or a long string is not worth quoting whole)."""
    text = json.dumps(value, ensure_ascii=False)
    return f"{text[:40]}..." if len(text) > 40 else text


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _exact_types(kinds: Sequence[str] | str) -> frozenset[type]:
    """The Python types of values of these JSON Schema types (`type(value) in` it: a bool is no integer here)."""
    kinds = [kinds] if isinstance(kinds, str) else kinds
    exact = {python for kind in kinds for python in _SCHEMA_TYPES[kind]}
    if "boolean" not in kinds:
        exact.discard(bool)  # JSON's true is no number, though Python's bool is an int
    return frozenset(exact)


def _type_check(kinds: Sequence[str]) -> Checker:
    wanted = " or ".join(_WANTED_NAMES[kind] for kind in kinds)
    exact = _exact_types(kinds)

    def check(value: Any) -> tuple[str, str] | None:
        if type(value) in exact:
            return None
        shown = "" if isinstance(value, (dict, list)) else f" ({_shown(value)})"
        return "", f"must be {wanted}, not {_type_name(value)}{shown}"
    return check


def _enum_check(allowed: tuple[Any, ...]) -> Checker:
    listed = ", ".join(json.dumps(item) for item in allowed)

    def check(value: Any) -> tuple[str, str] | None:
        if any(value == item and type(value) is type(item) for item in allowed):
            return None
        shown = "" if isinstance(value, (dict, list)) else f" ({_shown(value)})"
        return "", f"must be {'one of ' if len(allowed) > 1 else ''}{listed}, not {_type_name(value)}{shown}"
    return check


def _range_check(minimum: int | float | None, maximum: int | float | None) -> Checker:
    def check(value: Any) -> tuple[str, str] | None:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return None  # the type check says what is wrong
        if minimum is not None and value < minimum:
            return "", f"must be at least {minimum}, not {_shown(value)}"
        if maximum is not None and value > maximum:
            return "", f"must be at most {maximum}, not {_shown(value)}"
        return None
    return check


def _object_check(properties: Mapping[str, Checker], required: tuple[str, ...]) -> Checker:
    def check(value: Any) -> tuple[str, str] | None:
        if not isinstance(value, dict):
            return None  # the type check says what is wrong
        for key in required:
            if key not in value:
                return f".{key}", "is missing"
        for key, item in value.items():
            checker = properties.get(key)
            if checker is not None:
                problem = checker(item)
                if problem is not None:
                    return f".{key}{problem[0]}", problem[1]
        return None
    return check


def _values_check(checker: Checker, named: set[str]) -> Checker:
    def check(value: Any) -> tuple[str, str] | None:
        if not isinstance(value, dict):
            return None
        for key, item in value.items():
            if key not in named:
                problem = checker(item)
                if problem is not None:
                    return f".{key}{problem[0]}", problem[1]
        return None
    return check


_SCALAR_KEYWORDS = frozenset({"type", "minimum", "maximum", "minLength", "description"})  # minLength: not asked


def _flat_objects(node: Mapping[str, Any], required: tuple[str, ...]) -> Callable[[list[Any]], bool] | None:
    """For an array of objects whose fields are all scalars checked by type, range and length (tokens):
    a check of the whole array at once, a field at a time over every item, in C where it can be.

    It only says whether every item is right; the item-by-item checker says what is wrong.
    None for any other kind of item.
    """
    properties = node.get("properties")
    if node.get("type") != "object" or not properties or set(node) - {"type", "properties", "required", "description"}:
        return None
    fields = []
    for key, child in properties.items():
        kinds = child.get("type")
        if not isinstance(kinds, str) or kinds in ("object", "array") or set(child) - _SCALAR_KEYWORDS:
            return None
        exact = set(_SCHEMA_TYPES[kinds]) - ({bool} if kinds in ("integer", "number") else set())
        fields.append((key, key in required, frozenset(exact), child.get("minimum"), child.get("maximum")))

    def all_right(items: list[Any]) -> bool:
        if not set(map(type, items)) <= {dict}:
            return False
        for key, needed, exact, minimum, maximum in fields:
            if needed:
                try:
                    values = list(map(itemgetter(key), items))
                except KeyError:
                    return False
            else:
                values = [item[key] for item in items if key in item]
            if not values:
                continue
            if not set(map(type, values)) <= exact:
                return False
            if (minimum is not None and min(values) < minimum) or (maximum is not None and max(values) > maximum):
                return False
        return True
    return all_right


def _items_check(checker: Checker, all_right: Callable[[list[Any]], bool] | None) -> Checker:
    def check(value: Any) -> tuple[str, str] | None:
        if not isinstance(value, list) or (all_right is not None and all_right(value)):
            return None
        for index, item in enumerate(value):
            problem = checker(item)
            if problem is not None:
                return f"[{index}]{problem[0]}", problem[1]
        return None
    return check


def _all_of(checks: list[Checker]) -> Checker:
    if len(checks) == 1:
        return checks[0]

    def check(value: Any) -> tuple[str, str] | None:
        for one in checks:
            problem = one(value)
            if problem is not None:
                return problem
        return None
    return check


# --- the same rules as one pattern over the JSON text ----------------------------------------

#: a JSON string in a text whose escaped quotes and backslashes are blanked (`_blanked`), which the regex
#: engine scans in a tight loop, and the key of a member the schema does not name (without escapes)
_STRING, _OTHER_KEY = r'"[^"]*+"', r'[^"\\]*+"'
_SURROGATE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]")
_NUMBER = r"-?[0-9]++(?:\.[0-9]++)?+(?:[eE][-+]?+[0-9]++)?+"
_NEVER = r"(?!)"
#: the members a store line begins with, in order (`store._HEADER`); the rest follow in the schema's order
LINE_HEADER = ("id", "_seq", "_action", "_reverts", "answer", "flagged", "_tokenizer")
_LINE_STARTS = 3  # `id`, `_seq` and `_action`: every store line of this format begins with them


def _members(member: str, opening: str) -> str:
    """Any number of `member`s, comma-separated, after `opening` (`{` or `[`): a comma before each but the
    first, which follows the bracket (the text is valid JSON, so no comma can follow a bracket)."""
    return rf"(?:(?:(?<=\{opening})|,){member})*+"


def _nested(depth: int) -> str:
    """A JSON value with at most `depth` levels of arrays and objects."""
    scalar = f"(?:{_STRING}|{_NUMBER}|true|false|null)"
    if depth == 0:
        return scalar
    inner = _nested(depth - 1)
    return rf"(?:{scalar}|\[{_members(inner, '[')}\]|\{{{_members(f'{_STRING}:{inner}', '{')}\}})"


def _blanked(text: bytes) -> bytes:
    """`text` with each escaped backslash and escaped quote (`\\\\`, `\\"`) made two underscores: the same
    JSON structure, every string still ending at its closing quote, so that a string is matched by
    scanning for that quote alone.

    JSON reads a run of backslashes in pairs from its left, as `replace` does; the other escapes
    (`\\n`, `\\u00e9`) stay. No name or value a pattern spells out holds two underscores in a row,
    so none can be matched by what was an escape.
    """
    return text.replace(b"\\\\", b"__").replace(b'\\"', b"__") if b"\\" in text else text


def fields_right(text: bytes, record: Mapping[str, Any]) -> bool:
    """Whether `record`, parsed from the JSON `text` (by `checked_json`), has every field `check_fields` asks
    for right, known from one match of a pattern made from the same schema rules (in C, no Python step
    a field): what a pass over a store pays for each of the lines this tool writes.

    True only when `check_fields(record)` would pass; False says nothing (a record of another shape, a
    key spelled with escapes, a field nested deeper than the pattern follows, or one of the first
    `PATTERNS_AFTER` texts): `check_fields` then says what, if anything, is wrong. Lone surrogates
    are `checked_json`'s to refuse, before.
    """
    return _patterns() is not None and _record_right(_blanked(text)) and record.keys() >= _RECORD_REQUIRED


def tokens_right(text: bytes, start: int, end: int) -> bool:
    """Whether `text[start:end]`, a record's `tokens` array left unparsed, holds only tokens `check_fields`
    accepts, and no `\\uD800`-`\\uDFFF` escape (it is not parsed, so `checked_json` does not see them).
    False says nothing, as for `fields_right`."""
    patterns = _patterns()
    if patterns is None:
        return False
    tokens = text[start:end]
    return _SURROGATE_BYTES.search(tokens) is None and patterns[1].fullmatch(_blanked(tokens)) is not None


#: texts asked about before the patterns are used (until then the answer is False): compiling them
#: costs about what the field-by-field check of a few thousand records does (15 ms), which a screen
#: reading a few records should not pay
PATTERNS_AFTER = 2000
_texts_asked = count()


def _patterns() -> tuple[re.Pattern[bytes], re.Pattern[bytes]] | None:
    """`_record_patterns()`, once `PATTERNS_AFTER` texts have been asked about; None before."""
    return _record_patterns() if next(_texts_asked) >= PATTERNS_AFTER else None


def _record_right(text: bytes) -> bool:
    """Whether a whole record's `_blanked` JSON text matches its pattern: as a store line writes it, else in any
    order (that pattern made when a text first needs it)."""
    return _record_patterns()[0].fullmatch(text) is not None or _any_order_pattern().fullmatch(text) is not None


@cache
def _schema_patterns() -> _Patterns:
    """The record schema's pattern maker, shared by the written-order and any-order patterns (made once)."""
    return _Patterns(_Compiler(_record_schema()))


@cache
def _record_patterns() -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """The pattern of a whole record as a store line writes it (`_Patterns.written`) and that of its tokens,
    over `_blanked` JSON text."""
    patterns = _schema_patterns()
    schema = patterns.compiler.root
    record = re.compile(patterns.written(schema).encode("ascii"))
    tokens = re.compile(patterns.of(schema["properties"]["tokens"], "#/properties/tokens").encode("ascii"))
    return record, tokens


@cache
def _any_order_pattern() -> re.Pattern[bytes]:
    """The pattern of a whole record, its members in any order (a record written by hand or by another tool)."""
    patterns = _schema_patterns()
    return re.compile(patterns.of(patterns.compiler.root, "#").encode("ascii"))


class _Patterns:
    """The schema's rules as regular expressions over JSON text: the counterpart of `_Compiler.predicate`.

    A value matched is right by the same rules; a pattern may refuse more than the rules do (then
    the predicates and checkers decide), never less. An object's members come in any order (a
    store line puts its history first), each named one's value by its rules and any other key
    (spelled without escapes, so that it cannot be a named one) with any value nested at most
    twice. An object with fields a reader cannot do without (a span, a token, a relation:
    `READ_REQUIRED`) has its fields in the schema's order instead, those present, and no others,
    as this tool writes them. The record's own required fields are asked of the parsed record
    (`fields_right`): a pattern cannot tell a top-level key from a nested one ahead of it.
    """

    def __init__(self, compiler: _Compiler) -> None:
        self.compiler = compiler
        self.anything = _nested(2)

    def of(self, node: Mapping[str, Any], pointer: str) -> str:
        if "$ref" in node:
            pointer = node["$ref"]
            node = self.compiler.resolve(node)
        kinds = node.get("type")
        if kinds is None and "const" in node:
            kinds = _JSON_KIND[type(node["const"])]
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if "enum" in node:
            allowed = [item for item in node["enum"] if kinds is None or _JSON_KIND[type(item)] in kinds]
            return "(?:" + "|".join(re.escape(json.dumps(item)) for item in allowed) + ")" if allowed else _NEVER
        if kinds is None:  # no rule, or rules this does not follow
            return self.anything if set(node) <= {"description"} else _NEVER
        return "(?:" + "|".join(self._kind(kind, node, pointer) for kind in kinds) + ")"

    def _kind(self, kind: str, node: Mapping[str, Any], pointer: str) -> str:
        if kind == "integer":
            return _integer(node.get("minimum"), node.get("maximum"))
        if "minimum" in node or "maximum" in node:
            return _NEVER  # a range of other numbers: left to the predicates
        if kind == "object":
            return self._object(node, pointer)
        if kind == "array":
            items = node.get("items")
            return rf"\[{_members(self.of(items, f'{pointer}/items') if items else self.anything, '[')}\]"
        return {"string": _STRING, "number": _NUMBER, "boolean": "(?:true|false)", "null": "null"}[kind]

    def _object(self, node: Mapping[str, Any], pointer: str) -> str:
        properties: Mapping[str, Any] = node.get("properties", {})
        named = {key: self.of(child, f"{pointer}/properties/{key}") for key, child in properties.items()}
        required = READ_REQUIRED.get(pointer, ()) if pointer != "#" else ()  # the record's own: see `fields_right`
        if required:
            parts, started = [], False  # started: a required member came before, so a comma comes next
            for position, (key, value) in enumerate(named.items()):
                separator = "," if started else "" if position == 0 else r"(?:(?<=\{)|,)"
                member = f'{separator}"{re.escape(key)}":{value}'
                parts.append(member if key in required else f"(?:{member})?+")
                started = started or key in required
            return r"\{" + "".join(parts) + r"\}"
        choices = [f'"{re.escape(key)}":{value}' for key, value in named.items()]
        extra = node.get("additionalProperties", True)
        if extra is not False:
            choices.append(self._other(node, pointer, named))
        return rf"\{{{_members('(?:' + '|'.join(choices) + ')', '{')}\}}"

    def _other(self, node: Mapping[str, Any], pointer: str, named: Mapping[str, str]) -> str:
        """A member of an object whose key its schema does not name (spelled without escapes, so that it cannot
        be a named one), with the value its `additionalProperties` allows."""
        key = ('"(?!(?:' + "|".join(map(re.escape, named)) + ')")' + _OTHER_KEY) if named else _STRING
        return f"{key}:{self._other_value(node, pointer)}"

    def _other_value(self, node: Mapping[str, Any], pointer: str) -> str:
        extra = node.get("additionalProperties", True)
        return self.of(extra, f"{pointer}/additionalProperties") if isinstance(extra, dict) else self.anything

    def written(self, schema: Mapping[str, Any]) -> str:
        """A record as a store line writes it: `id`, `_seq` and `_action`, the other members named in
        `LINE_HEADER` then the others the schema names, in that order, each optional, then any members the
        schema does not name. A record that does not begin so (a line of the older format, which ends with
        `_seq`) is refused at its second member, not after its tokens.

        Each member is matched by its own rule, as in `of(schema, "#")`, which matches the same members in
        any order: what this matches, that does. A line as written is matched member after member, not
        by trying every named member until one fits, by a pattern half the size (in C, far fewer steps).
        """
        named = {key: self.of(child, f"#/properties/{key}") for key, child in schema["properties"].items()}
        others = schema.get("additionalProperties", True) is not False
        values = {key: named[key] if key in named else self._other_value(schema, "#")
                  for key in dict.fromkeys((*LINE_HEADER, *named)) if key in named or others}
        members = [f'"{re.escape(key)}":{value}' for key, value in values.items()]
        rest = f"(?:,{self._other(schema, '#', named)})*+" if others else ""
        return r"\{" + ",".join(members[:_LINE_STARTS]) + "".join(f"(?:,{member})?+" for member in members[_LINE_STARTS:]) \
            + rest + r"\}"


def _integer(minimum: float | None, maximum: float | None) -> str:
    """A JSON integer within [minimum, maximum], or a pattern that takes fewer of them (never more)."""
    negative = minimum is None and (maximum is None or maximum >= 0)
    if minimum is None or minimum <= 0:
        first = "[0-9]"
    elif minimum == 1:
        first = "[1-9]"
    else:
        return _NEVER
    if maximum is None:
        rest = "[0-9]*+"
    elif maximum >= 10:
        rest = f"[0-9]{{0,{len(str(int(maximum))) - 2}}}+"  # fewer digits than the maximum has: below it
    else:
        return _NEVER
    return f"(?:-[0-9]++|{first}{rest})" if negative else f"{first}{rest}"
