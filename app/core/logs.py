"""What reaches the logs: no control character from a request can forge or hide a line, and
no library's message (which can quote the text it was handed: a plan, an upload) is kept.

Both happen where each record is made (the log record factory), so they hold whatever
handler or formatter the server, a test or an operator attaches."""

import logging
import re
from typing import Any

# C0 and C1 controls and DEL (CR and LF start a forged line), the Unicode line and paragraph
# separators, and the bidirectional controls that can make a line read differently from
# what it holds.
_CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")

# Libraries that log or warn with text they were given: fpdf2 lists the characters a font
# lacks (the person's words), fontTools and pypdf quote font and document content,
# python-docx quotes documents, uvicorn's access log prints whole paths with their query
# strings, and `py.warnings` carries any library's warning.
QUOTING_LOGGERS = ("fpdf", "fontTools", "pypdf", "docx", "uvicorn.access", "py.warnings")
LEFT_OUT = "%s logged a message; it is left out because it may quote what the library was given"


class Verbatim(str):
    """Text the app wrote itself (a stack of file names and source lines) whose line
    breaks are kept."""


def escape_controls(text: str) -> str:
    """`text` with each control character written as a visible escape, e.g. LF as \\u000a."""
    return _CONTROL_CHARACTERS.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def _is_quoting(logger_name: str) -> bool:
    return any(
        logger_name == name or logger_name.startswith(name + ".") for name in QUOTING_LOGGERS
    )


def _escaped(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, Verbatim):
        return escape_controls(value)
    return value


class _HygienicRecordFactory:
    def __init__(self, make_record) -> None:
        self.make_record = make_record

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.make_record(*args, **kwargs)
        if _is_quoting(record.name):
            # Its level stays, so a library's warning still shows as a warning.
            record.msg, record.args = LEFT_OUT, (record.name,)
            record.exc_info = record.exc_text = record.stack_info = None
        elif isinstance(record.args, tuple):
            record.args = tuple(_escaped(value) for value in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _escaped(value) for key, value in record.args.items()}
        return record


def install_log_hygiene() -> None:
    """Makes every log record through the factory above, and turns warnings into records
    of `py.warnings` (so they are left out too). Safe to call more than once."""
    if not isinstance(logging.getLogRecordFactory(), _HygienicRecordFactory):
        logging.setLogRecordFactory(_HygienicRecordFactory(logging.getLogRecordFactory()))
    logging.captureWarnings(True)
