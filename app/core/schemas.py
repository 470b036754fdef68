"""Building blocks for request and response schemas shared by every domain. Each says in
the OpenAPI schema exactly what it accepts, so a client (or a fuzzer) reading the schema
never sends something the API then refuses, nor the reverse."""

import re
import unicodedata
from collections.abc import Callable
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
)
from pydantic_core import PydanticCustomError, core_schema

# The largest whole number an INTEGER column holds (32 bits on PostgreSQL): a bigger one in
# a path or query (a revision number, an id to page from) is refused with 422 instead of
# failing in the database.
MAX_STORED_INT = 2**31 - 1
TITLE_MAX_CHARS = 200
TEXT_MAX_CHARS = 10_000


NUL_REFUSED = "remove the NUL character (U+0000): it cannot be stored"


def refuse_nul(value: str) -> str:
    """For text kept in plain-text columns: PostgreSQL text cannot hold NUL, so it is
    refused with a 422 here rather than failing in the database."""
    if "\x00" in value:
        raise ValueError(NUL_REFUSED)
    return value


class _Checked:
    """Annotation metadata: a check run after the type's own validation, and what it
    requires written into the type's JSON schema (`documented`)."""

    def __init__(self, check: Callable[[Any], Any], **documented: Any) -> None:
        self.check = check
        self.documented = documented

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        documented = handler(schema)
        for key, value in self.documented.items():
            if key == "pattern" and "pattern" in documented:
                # Two checks, two patterns: each must match.
                documented.setdefault("allOf", []).append({"pattern": value})
            else:
                documented[key] = value
        return documented


WithoutNul = _Checked(refuse_nul, pattern="^[^\\x00]*$")


def _stripped(value: str) -> str:
    stripped = value.strip()
    if not stripped:
        raise ValueError("write something here: spaces alone are not enough")
    return stripped


# Every character Python's str.strip() and str.isspace() take for a space, as the inside of
# a regular expression's [...]: patterns in the schema spell them out, as `\s` differs
# between regular expression engines.
SPACES = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"

# Lengths are counted as sent, before the surrounding spaces are taken off, so a name
# padded past its limit is refused as the schema says; and at least one character must not
# be a space.
NotOnlySpaces = _Checked(_stripped, pattern=f"[^{SPACES}]")


def trimmed_text(max_chars: int) -> Any:
    """Text of 1 to `max_chars` characters as sent, kept without its surrounding spaces."""
    return Annotated[str, StringConstraints(min_length=1, max_length=max_chars), NotOnlySpaces]


def _json_integer(value: Any) -> Any:
    # JSON's integers include 2.0, which the wrapped int schema takes; never true or "2".
    if isinstance(value, bool | str):
        raise PydanticCustomError("int_type", "Input should be a whole number")
    return value


# How RFC 3339 writes a date, and a date and time (the schema's formats); pydantic alone
# would also read a number, "1700000000", or a date with a zero time as one.
_RFC3339_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_RFC3339_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}")


def _json_date(value: Any) -> Any:
    if not (isinstance(value, str) and _RFC3339_DATE.fullmatch(value)):
        raise PydanticCustomError("date_type", "Input should be a date like 2026-03-31")
    return value


def _json_date_time(value: Any) -> Any:
    if not (isinstance(value, str) and _RFC3339_DATE_TIME.match(value)):
        raise PydanticCustomError(
            "datetime_type", "Input should be a date and time like 2026-03-31T09:00:00Z"
        )
    return value


_EXACT_BY_TYPE = {"int": _json_integer, "date": _json_date, "datetime": _json_date_time}


def _is_made_exact(schema: dict[str, Any]) -> bool:
    if schema.get("type") != "function-before" or not isinstance(schema.get("function"), dict):
        return False
    return schema["function"].get("function") in _EXACT_BY_TYPE.values()


def _exact_scalars(schema: Any, model: type) -> None:
    """Makes each boolean, integer, date and time of `model`'s own fields exact: JSON
    true/false, whole numbers and text dates only, as the schema says ({"enabled": 0},
    {"progress": "1"} or {"created_at": 0} are refused, not converted). Nested models are
    left to their own class."""
    if isinstance(schema, list):
        for item in schema:
            _exact_scalars(item, model)
        return
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "model" and schema.get("cls") is not model:
        return
    if _is_made_exact(schema):
        # Pydantic hands back a class's schema again each time it is used: change it once.
        return
    if schema.get("type") == "bool":
        schema["strict"] = True
    elif schema.get("type") in _EXACT_BY_TYPE:
        exact = _EXACT_BY_TYPE[schema["type"]]
        wrapped = dict(schema)
        schema.clear()
        schema.update(core_schema.no_info_before_validator_function(exact, wrapped))
        return
    for value in schema.values():
        _exact_scalars(value, model)


# Characters that change how the text around them is shown or hide themselves: bidi
# controls (a right-to-left override can make "Sam" read as someone else's name in an access
# log), zero-width characters, and every other control or format character (Cc, Cf), line
# and paragraph separators, and unpaired surrogates.
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs"}


def _plain_name_of(character: str) -> str:
    name = unicodedata.name(character, "control character").lower()
    return f"{name} (U+{ord(character):04X})"


def normalise_shown_name(value: str) -> str:
    """Names people see (display names, organisations): Unicode NFC, so one name has one
    spelling, and no character that is invisible or reorders what is shown."""
    value = unicodedata.normalize("NFC", value)
    for character in value:
        if unicodedata.category(character) in _HIDDEN_CATEGORIES:
            raise ValueError(
                f"remove the {_plain_name_of(character)}: a name can only hold characters "
                "that show as themselves"
            )
    return value


def _hidden_characters_class() -> str:
    """The inside of a regular expression's [...] holding every character a shown name
    refuses (surrogates aside: JSON text cannot carry them alone), as literal ranges."""
    ranges: list[list[int]] = []
    # Control and format characters live in planes 0, 1 and 14 (planes 2-13 hold letters or
    # nothing, 15-16 private use): scanning those alone keeps start-up quick.
    for code in [*range(0x30000), *range(0xE0000, 0xF0000)]:
        if 0xD800 <= code <= 0xDFFF:
            continue
        if unicodedata.category(chr(code)) in _HIDDEN_CATEGORIES - {"Cs"}:
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "".join(
        re.escape(chr(low)) + ("-" + re.escape(chr(high)) if high > low else "")
        for low, high in ranges
    )


ShownName = _Checked(normalise_shown_name, pattern=f"^[^{_hidden_characters_class()}]*$")


class StrictInput(BaseModel):
    """Request bodies: unknown fields are an error, not silently dropped; booleans and
    integers must be sent as such."""

    model_config = ConfigDict(extra="forbid")

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        schema = handler(source)
        _exact_scalars(schema, cls)
        return schema


def document_without_null(schema: dict[str, Any]) -> None:
    """Documents a `T | None` (anyOf T or null) as T alone, for a value never sent as null."""
    kinds = schema.get("anyOf")
    if kinds is None:
        return
    kept = [kind for kind in kinds if kind.get("type") != "null"]
    if len(kept) == 1:
        del schema["anyOf"]
        schema.update(kept[0])


def _document_change(schema: dict[str, Any], model: type["ChangeInput"]) -> None:
    schema["minProperties"] = 1
    for name, field in schema.get("properties", {}).items():
        if name not in model.clearable:
            document_without_null(field)


class ChangeInput(StrictInput):
    """A partial change (PATCH): at least one field, and a field sent as null only if it is
    one of `clearable`; a field left out stays as it is. The route refuses anything else
    with its own words; this says so in the schema."""

    clearable: ClassVar[frozenset[str]] = frozenset()
    model_config = ConfigDict(extra="forbid", json_schema_extra=_document_change)


Title = trimmed_text(TITLE_MAX_CHARS)
Text = trimmed_text(TEXT_MAX_CHARS)
OptionalText = Annotated[
    str, StringConstraints(max_length=TEXT_MAX_CHARS), AfterValidator(str.strip)
]
