"""A FHIR resource's narrative (`text.div`, XHTML) read as headings and paragraphs, for the
parts a FHIR statement proposes where it has no structured data (app/statements/parsers/
fhir.py). Our own export marks each entry's paragraph with an id its Provenance points to;
the paragraphs read from it keep that authorship."""

from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from app.statements.parsers.base import unreadable
from app.statements.parsers.fields import field_for_heading
from app.statements.parsers.outline import Outline

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_LEAF_BLOCKS = {"p", "li", "dt", "dd", "pre", "caption"}
_BLOCKS = (
    _HEADINGS
    | _LEAF_BLOCKS
    | {
        "div",
        "ul",
        "ol",
        "dl",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "blockquote",
    }
)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _inline_text(element: Element) -> str:
    """The text of an element with <br/> kept as a line break and other spacing collapsed."""
    pieces = [element.text or ""]
    for child in element:
        pieces.append("\n" if _local(child.tag) == "br" else _inline_text(child))
        pieces.append(child.tail or "")
    lines = "".join(pieces).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines).strip()


def _has_blocks(element: Element) -> bool:
    return any(_local(child.tag) in _BLOCKS for child in element)


def _only_bold(element: Element) -> bool:
    children = list(element)
    return (
        len(children) == 1
        and _local(children[0].tag) in {"b", "strong"}
        and not (element.text or "").strip()
        and not (children[0].tail or "").strip()
    )


def read_narrative(
    outline: Outline, div: str | None, where: str, provenance: dict[str, dict] | None = None
) -> None:
    if not div:
        return
    try:
        root = ElementTree.fromstring(div)
    except (ElementTree.ParseError, DefusedXmlException) as error:
        raise unreadable(
            "This FHIR narrative is not valid XHTML, as FHIR R4 requires. Correct it in the "
            "system it came from.",
            where,
        ) from error
    if _local(root.tag) != "div":
        raise unreadable("A FHIR narrative must be one XHTML <div> element.", where)
    _walk(outline, root, where, provenance or {})


def _walk(outline: Outline, element: Element, where: str, provenance: dict[str, dict]) -> None:
    if (element.text or "").strip():
        outline.add_paragraph(element.text, where)
    for child in element:
        tag = _local(child.tag)
        before = len(outline.document.parts)
        if tag in _HEADINGS or (tag == "p" and _only_bold(child)):
            outline.add_heading(_inline_text(child))
        elif tag == "tr":
            cells = [_inline_text(c) for c in child if _local(c.tag) in {"td", "th"}]
            cells = [c for c in cells if c]
            if len(cells) >= 2 and field_for_heading(cells[0]):
                outline.add_paragraph(f"{cells[0]}: {' '.join(cells[1:])}", where)
            elif cells and not all(_local(c.tag) == "th" for c in child):
                outline.add_paragraph(": ".join(cells), where)
        elif tag in _LEAF_BLOCKS and not _has_blocks(child):
            outline.add_paragraph(_inline_text(child), where)
        elif tag in _BLOCKS or _has_blocks(child):
            _walk(outline, child, where, provenance)
        else:
            outline.add_paragraph(_inline_text(child), where)
        # Our export marks each entry's paragraph with an id its Provenance points to.
        if child.get("id") in provenance:
            for part in outline.document.parts[before:]:
                part.provenance = provenance[child.get("id")]
        if (child.tail or "").strip():
            outline.add_paragraph(child.tail, where)
