"""JSON answers holding parts that are JSON text already (a plan's sections, kept encoded in
app/core/caches.py): those parts are placed as they are, never decoded and encoded again.

Plan content is written and read as JSON text with orjson: a plan's sections are written
out on most requests that change or send a plan, and orjson writes a 70-entry plan's in
7 µs against the standard library's 86 (docs/scaling.md)."""

import json
from typing import Any

import orjson


class JSONText(str):
    """JSON text, placed in an answer as it is."""


def json_text(value: Any) -> str:
    """`value` as compact JSON text, characters beyond ASCII as they are."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        # What orjson refuses and the standard library writes (an integer beyond 64 bits,
        # a key that is not text), as an error's echo of a bad input may hold.
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def from_json_text(text: str | bytes) -> Any:
    return orjson.loads(text)


def encoded(document: dict[str, Any]) -> str:
    """`document` as JSON text, its `JSONText` members placed as they are (after the others)."""
    plain = {name: value for name, value in document.items() if not isinstance(value, JSONText)}
    placed = [
        f"{json_text(name)}:{value}"
        for name, value in document.items()
        if isinstance(value, JSONText)
    ]
    text = json_text(plain)
    if not placed:
        return text
    return f"{text[:-1]}{',' if plain else ''}{','.join(placed)}}}"
