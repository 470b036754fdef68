"""The project's own corpus of files made to harm a server, built here (never downloaded):
Word files that are zip or XML bombs, and PDFs with active content. Used by
tests/statements/test_hostile_files.py and bench/hostile_files_bench.py."""

import random
import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO

import docx
from fpdf import FPDF
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
WORD_NAMESPACE = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
STATEMENT_LINES = [
    "Name: Sam Taylor",
    "Who to contact",
    "My sister Priya Shah on 07700 900123.",
    "Treatments I do not want",
    "I do not consent to electroconvulsive therapy.",
]


@dataclass
class Member:
    """One file inside a zip: its real bytes (in chunks, so a gigabyte need not be held),
    and optionally a size the zip's headers declare instead of the real one."""

    name: str
    chunks: Iterable[bytes]
    declared_size: int | None = None


def zip_of(members: list[Member]) -> bytes:
    """A zip written byte by byte, so its headers can say what the tests need."""
    out = BytesIO()
    directory = []
    for member in members:
        packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        packed, size, crc = BytesIO(), 0, 0
        for chunk in member.chunks:
            size += len(chunk)
            crc = zlib.crc32(chunk, crc)
            packed.write(packer.compress(chunk))
        packed.write(packer.flush())
        data = packed.getvalue()
        declared = size if member.declared_size is None else member.declared_size
        name = member.name.encode()
        fields = (20, 0, 8, 0, 0x21, crc, len(data), declared, len(name))
        offset = out.tell()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", *fields, 0) + name + data)
        directory.append(
            struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, offset)
            + name
        )
    start = out.tell()
    out.write(b"".join(directory))
    count = len(members)
    out.write(
        struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, out.tell() - start, start, 0)
    )
    return out.getvalue()


def word_file() -> bytes:
    """An ordinary Word crisis statement, made by python-docx."""
    document = docx.Document()
    for line in STATEMENT_LINES:
        if line in {"Who to contact", "Treatments I do not want"}:
            document.add_heading(line, level=2)
        else:
            document.add_paragraph(line)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _word_members(replace: dict[str, bytes] | None = None) -> list[Member]:
    with zipfile.ZipFile(BytesIO(word_file())) as archive:
        contents = {info.filename: archive.read(info) for info in archive.infolist()}
    contents |= replace or {}
    return [Member(name, [content]) for name, content in contents.items()]


def zeros(mebibytes: int) -> Iterable[bytes]:
    block = bytes(1024 * 1024)
    return (block for _ in range(mebibytes))


def under_declared_docx(unpacked_mib: int = 100) -> bytes:
    """A Word file with a member that unpacks to `unpacked_mib` MiB of zeros while its
    headers say 1 KiB (so a check of the declared sizes passes it)."""
    bomb = Member("word/media/image1.png", zeros(unpacked_mib), declared_size=1024)
    return zip_of(_word_members() + [bomb])


def deflate_bomb_docx() -> bytes:
    """Honest headers, but 15 MiB of zeros packed a thousand to one."""
    return zip_of(_word_members() + [Member("word/media/image2.png", zeros(15))])


def many_members_docx(count: int = 5_000) -> bytes:
    extra = [Member(f"word/media/n{number}.bin", [b""]) for number in range(count)]
    return zip_of(_word_members() + extra)


def _document_xml(body: str, prologue: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prologue}'
        f'<w:document xmlns:w="{WORD_NAMESPACE}"><w:body>{body}</w:body></w:document>'
    ).encode()


def wide_xml_docx(paragraphs: int = 300_000) -> bytes:
    """No entities, inside every size limit, but hundreds of thousands of elements, each
    with an attribute that packs poorly (so the zip's ratio looks ordinary)."""
    rng = random.Random(7)  # noqa: S311  (not for secrecy: the same file every run)
    body = "".join(f'<w:p w:rsidR="{rng.getrandbits(32):08X}"/>' for _ in range(paragraphs))
    return zip_of(_word_members({"word/document.xml": _document_xml(body)}))


def deep_xml_docx(depth: int = 20_000) -> bytes:
    body = "<w:sdt>" * depth + "</w:sdt>" * depth
    return zip_of(_word_members({"word/document.xml": _document_xml(body)}))


def billion_laughs_docx() -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    )
    xml = _document_xml("<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>", f"<!DOCTYPE w [{entities}]>")
    return zip_of(_word_members({"word/document.xml": xml}))


def many_lines_text() -> bytes:
    """Inside the size limit, but 2.7 million short lines."""
    return b"## What helps\n" + b"xy\n" * 2_700_000


# (id, file name, builder, status, words in the problem's detail, where)
HOSTILE_FILES = [
    (
        "under-declared sizes",
        "plan.docx",
        under_declared_docx,
        413,
        "unpacks to far more",
        "word/media/image1.png",
    ),
    (
        "deflate bomb",
        "plan.docx",
        deflate_bomb_docx,
        413,
        "unpacks to far more",
        "word/media/image2.png",
    ),
    ("5,000 members", "plan.docx", many_members_docx, 413, "at most 1,000", "whole file"),
    (
        "wide XML",
        "plan.docx",
        wide_xml_docx,
        413,
        "more than 200,000 elements",
        "word/document.xml",
    ),
    ("deep XML", "plan.docx", deep_xml_docx, 413, "more than 100 levels", "word/document.xml"),
    (
        "billion laughs",
        "plan.docx",
        billion_laughs_docx,
        422,
        "declares its own entities",
        "word/document.xml",
    ),
    ("millions of lines", "plan.md", many_lines_text, 413, "at most 50,000", "line 50,001"),
]


# ---- files that pass every check on the file, for the parsing process's limits ---------------


def near_limit_docx() -> bytes:
    """Just under the XML node limit: takes python-docx seconds of CPU to read."""
    return wide_xml_docx(70_000)


def many_objects_json() -> bytes:
    """A million small JSON objects: some 200 MiB once loaded."""
    return b"[" + b'{"a":1},' * 1_100_000 + b"{}]"


# ---- PDF ------------------------------------------------------------------------------------


def statement_pdf(pages: int = 1) -> bytes:
    """A PDF crisis statement with a text layer; the statement again on every page."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for _ in range(pages):
        pdf.add_page()
        for line in STATEMENT_LINES:
            pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _written(writer: PdfWriter) -> bytes:
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def active_pdf() -> bytes:
    """The statement, plus document JavaScript, an open action that launches a program,
    and an embedded executable."""
    writer = PdfWriter(clone_from=BytesIO(statement_pdf()))
    script = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hello');"),
        }
    )
    names = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("a"), writer._add_object(script)])}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(names)}
    )
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("calc.exe"),
        }
    )
    writer.add_attachment("helper.exe", b"MZ" + bytes(200))
    return _written(writer)


def link_script_pdf() -> bytes:
    """JavaScript only in a link on the page, where a look at the catalogue alone misses it."""
    writer = PdfWriter(clone_from=BytesIO(statement_pdf()))
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (10, 10, 100, 30)]),
            NameObject("/A"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/JavaScript"),
                    NameObject("/JS"): TextStringObject("app.launchURL('x');"),
                }
            ),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    return _written(writer)
