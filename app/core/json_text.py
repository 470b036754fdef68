"""JSON answers holding parts that are JSON text already (a plan's sections, kept encoded in
app/core/caches.py): those parts are placed as they are, never decoded and encoded again."""

import json
from typing import Any


class JSONText(str):
    """JSON text, placed in an answer as it is."""


def encoded(document: dict[str, Any]) -> str:
    """`document` as JSON text, its `JSONText` members placed as they are (after the others)."""
    plain = {name: value for name, value in document.items() if not isinstance(value, JSONText)}
    placed = [
        f"{json.dumps(name)}: {value}"
        for name, value in document.items()
        if isinstance(value, JSONText)
    ]
    text = json.dumps(plain, ensure_ascii=False)
    if not placed:
        return text
    return f"{text[:-1]}{', ' if plain else ''}{', '.join(placed)}}}"
