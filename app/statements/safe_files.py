"""Checks that an uploaded file cannot harm the server, made before any parser opens it.

Zip archives (Word .docx) are measured by the bytes they actually unpack to, inflated here
in small steps from the raw member data: the sizes a zip declares are only believed once
they have been shown to be true, because the zip library and python-docx read each member
in one call sized by them. XML inside is checked in a streaming pass (size, depth, node
count, no document type declarations) before any parser builds a tree of it. PDFs are
looked through for active content (scripts, launch actions, embedded files), which is
never run; the words are still read. Text is refused past a number of lines. Limits are
documented in docs/imports.md.
"""

import struct
import zipfile
import zlib
from collections.abc import Iterator
from io import BytesIO
from xml.parsers import expat

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from app.statements.parsers.base import unreadable

ZIP_MAX_MEMBERS = 1_000
ZIP_MAX_MEMBER_BYTES = 20 * 1024 * 1024
ZIP_MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# Ordinary Word XML packs about 10:1; a member past 1 MiB packed tighter than this is a bomb.
ZIP_MAX_RATIO = 200
ZIP_RATIO_FROM_BYTES = 1024 * 1024
XML_MAX_DEPTH = 100
# Elements and attributes, across all the XML in one file: a long Word document has a
# few tens of thousands.
XML_MAX_NODES = 200_000
PDF_MAX_OBJECTS_LOOKED_AT = 50_000
# A crisis statement as text or Markdown runs to hundreds of lines; millions of short lines
# inside the size limit take the line-by-line reader many seconds.
TEXT_MAX_LINES = 50_000

_INFLATE_STEP = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_END_OF_DIRECTORY = b"PK\x05\x06"
_STORED, _DEFLATED = 0, 8

TOO_BIG_HINT = "so we did not open it. Save the crisis plan as a new, plain document and send that."


def _too_big(detail: str, where: str):
    return unreadable(f"{detail}, {TOO_BIG_HINT}", where, 413)


def _damaged(where: str):
    return unreadable(
        "This Word file is damaged: what it holds does not match what it says it holds. "
        "Save it again and send the new copy.",
        where,
    )


# ---- zip ------------------------------------------------------------------------------------


def _declared_member_count(data: bytes) -> int | None:
    """The entry count in the zip's end record, read before the directory is loaded (a
    directory of a million entries is itself a way to exhaust memory)."""
    end = data.rfind(_END_OF_DIRECTORY, max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return None
    return struct.unpack_from("<H", data, end + 10)[0]


def _member_data(data: bytes, member) -> bytes:
    """The member's packed bytes, found from its local header."""
    start = member.header_offset
    header = data[start : start + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise _damaged(member.filename)
    fields = _LOCAL_HEADER.unpack(header)
    begin = start + _LOCAL_HEADER.size + fields[9] + fields[10]
    return data[begin : begin + member.compress_size]


def _unpacked_chunks(packed: bytes, method: int, where: str) -> Iterator[bytes]:
    """The member's bytes, a step at a time, up to the real end of its data."""
    if method == _STORED:
        for start in range(0, len(packed), _INFLATE_STEP):
            yield packed[start : start + _INFLATE_STEP]
        return
    if method != _DEFLATED:
        raise unreadable(
            "This Word file packs its contents in a way Word does not use. Save it again "
            "from Word and send the new copy.",
            where,
        )
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    pending = packed
    try:
        while pending and not inflater.eof:
            chunk = inflater.decompress(pending, _INFLATE_STEP)
            pending = inflater.unconsumed_tail
            yield chunk
        while not inflater.eof and (chunk := inflater.decompress(b"", _INFLATE_STEP)):
            yield chunk
    except zlib.error as error:
        raise _damaged(where) from error
    if not inflater.eof:
        raise _damaged(where)


class _XmlBudget:
    """Streams XML through expat, counting depth and nodes; refuses any DTD."""

    def __init__(self, nodes_so_far: int) -> None:
        self.nodes = nodes_so_far
        self.depth = 0
        self.where = ""
        self.parser = expat.ParserCreate()
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype

    def _start(self, _name: str, attributes: dict) -> None:
        self.depth += 1
        self.nodes += 1 + len(attributes)
        if self.depth > XML_MAX_DEPTH:
            raise _too_big(
                f"This file's XML nests more than {XML_MAX_DEPTH} levels deep", self.where
            )
        if self.nodes > XML_MAX_NODES:
            raise _too_big(
                f"This file's XML has more than {XML_MAX_NODES:,} elements and attributes",
                self.where,
            )

    def _end(self, _name: str) -> None:
        self.depth -= 1

    def _doctype(self, *_args) -> None:
        raise unreadable(
            "This file's XML declares its own entities (a DOCTYPE), which Word and FHIR files "
            "never do and which can be used to overwhelm a server, so we did not open it. "
            "Save it again from the program that made it and send the new copy.",
            self.where,
        )

    def feed(self, chunk: bytes, where: str, final: bool = False) -> None:
        self.where = where
        try:
            self.parser.Parse(chunk, final)
        except expat.ExpatError as error:
            raise unreadable(
                "This file's XML is damaged and can't be read. Save it again and send the "
                "new copy.",
                f"{where}, line {error.lineno}",
            ) from error


def _looks_like_xml(first_chunk: bytes) -> bool:
    return first_chunk.startswith((b"\xff\xfe", b"\xfe\xff")) or first_chunk.lstrip(
        b"\xef\xbb\xbf \t\r\n"
    ).startswith(b"<")


def check_zip(data: bytes) -> None:
    """Unpacks every member in a stream, counting what it really unpacks to; any XML member
    is checked on the way (depth, node count, no DTD). Declared sizes must match the real ones."""
    declared = _declared_member_count(data)
    if declared is not None and declared > ZIP_MAX_MEMBERS:
        raise unreadable(
            f"This Word file holds {declared:,} files inside it; we accept at most "
            f"{ZIP_MAX_MEMBERS:,}.",
            "whole file",
            413,
        )
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise unreadable(
            "This Word file is damaged and can't be opened. Save it again and send the new copy.",
            "whole file",
        ) from error
    if len(members) > ZIP_MAX_MEMBERS:
        raise unreadable(
            f"This Word file holds {len(members):,} files inside it; we accept at most "
            f"{ZIP_MAX_MEMBERS:,}.",
            "whole file",
            413,
        )
    total = nodes = 0
    for member in members:
        where = member.filename
        packed = _member_data(data, member)
        size = crc = 0
        xml: _XmlBudget | None = None
        for chunk in _unpacked_chunks(packed, member.compress_type, where):
            if size == 0 and chunk and _looks_like_xml(chunk):
                xml = _XmlBudget(nodes)
            size += len(chunk)
            total += len(chunk)
            crc = zlib.crc32(chunk, crc)
            if (
                size > ZIP_MAX_MEMBER_BYTES
                or total > ZIP_MAX_UNPACKED_BYTES
                or (size > ZIP_RATIO_FROM_BYTES and size > ZIP_MAX_RATIO * len(packed))
            ):
                raise _too_big(
                    f"This Word file unpacks to far more than it weighs (over "
                    f"{ZIP_MAX_MEMBER_BYTES // 2**20} MiB in one part, "
                    f"{ZIP_MAX_UNPACKED_BYTES // 2**20} MiB in all, or more than "
                    f"{ZIP_MAX_RATIO} times its packed size)",
                    where,
                )
            if xml is not None:
                xml.feed(chunk, where)
        if xml is not None:
            xml.feed(b"", where, final=True)
            nodes = xml.nodes
        if size != member.file_size or crc != member.CRC:
            raise _damaged(where)


# ---- text ------------------------------------------------------------------------------------


def check_text(data: bytes) -> None:
    lines = data.count(b"\n") + 1
    if lines > TEXT_MAX_LINES:
        raise unreadable(
            f"This file has {lines:,} lines; we read at most {TEXT_MAX_LINES:,}. An import takes "
            "a crisis statement, not a whole record: send the crisis plan on its own.",
            f"line {TEXT_MAX_LINES + 1:,}",
            413,
        )


# ---- PDF ------------------------------------------------------------------------------------

ACTIVE_CONTENT_WORDS = {
    "script": "a script",
    "launch": "an instruction to open another program",
    "embedded": "files tucked inside it",
}
# Parts of a PDF that hold drawing, fonts and back-references, never actions: not walked.
_SKIPPED_KEYS = {"/Resources", "/Contents", "/Parent", "/P", "/Font", "/Metadata", "/Thumb"}
# Values of /S, /Type or /Subtype that name an action or a file.
_ACTIVE_NAMES = {
    "/JavaScript": "script",
    "/Launch": "launch",
    "/EmbeddedFile": "embedded",
    "/FileAttachment": "embedded",
}


def _active_kinds(key: str, value) -> set[str]:
    kinds = set()
    if key in {"/JS", "/JavaScript", "/RichMedia"}:
        kinds.add("script")
    if key in {"/EmbeddedFiles", "/EF"}:
        kinds.add("embedded")
    if key in {"/S", "/Type", "/Subtype"} and isinstance(value, str) and value in _ACTIVE_NAMES:
        kinds.add(_ACTIVE_NAMES[value])
    return kinds


def pdf_active_content(data: bytes) -> list[str]:
    """What active content the PDF holds ("script", "launch", "embedded"), found by walking
    its objects from the catalogue: actions, names, annotations, outlines, form fields."""
    reader = PdfReader(BytesIO(data))
    if reader.is_encrypted:
        reader.decrypt("")
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer]
    looked_at = 0
    while stack and looked_at < PDF_MAX_OBJECTS_LOOKED_AT:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            try:
                item = item.get_object()
            except Exception:  # noqa: S112  a broken reference leads nowhere to look
                continue
        looked_at += 1
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                found |= _active_kinds(key, value)
                if key not in _SKIPPED_KEYS:
                    stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return [kind for kind in ACTIVE_CONTENT_WORDS if kind in found]


def active_content_warning(kinds: list[str]) -> dict[str, str]:
    words = [ACTIVE_CONTENT_WORDS[kind] for kind in kinds]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return {
        "code": "active_content",
        "message": f"This PDF had active content ({listed}). We did not run or open it: "
        "only its words were read. The original can only be downloaded, not opened here; "
        "open it only if you trust where it came from.",
        "where": "whole file",
    }
