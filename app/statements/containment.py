"""Reading an uploaded file in a separate process that it cannot take the server down from.

Each file is read in a new process with its own memory and CPU limits (`setrlimit`), a
wall-clock timeout after which it is killed, and at most `IMPORT_PARSE_WORKERS` of them at
once per server process. The processes are forked from a `forkserver`: a small process
started on the first upload, which imports the parsers once and holds no database
connection, keys or threads, so each fork is cheap (no re-import, unlike `spawn`) and safe
from a threaded server (unlike forking the server itself). A process per file, rather than a
pool of long-lived workers, hands all its memory back when the file is done, and killing one
that overruns touches no other upload. Each uvicorn worker process has its own forkserver,
which ends when that worker does.
"""

import logging
import multiprocessing
import os
import resource
import threading
import traceback
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from app.core.errors import Problem
from app.statements import safe_files
from app.statements.parsers import detect_format, parse_upload
from app.statements.parsers.base import ParsedDocument

logger = logging.getLogger(__name__)
_CONTEXT = multiprocessing.get_context("forkserver")
# The forkserver imports this module (and so the parsers) once, before any fork.
_CONTEXT.set_forkserver_preload([__name__])

TOO_COMPLEX = (
    "This file is too large or complex to read safely, so we stopped reading it and stored "
    "nothing. Save the crisis plan as a new, plain document (or send fewer pages) and send that."
)
CANNOT_READ = (
    "Something in this file stopped us reading it, so nothing was stored. Save it again as "
    "PDF or Word (.docx) and send the new copy."
)
BUSY = "Other files are being read just now. Send this one again in a minute."
BUSY_RETRY_AFTER_SECONDS = 30


@dataclass(frozen=True)
class ParseLimits:
    """What one file's reading may use (settings IMPORT_PARSE_*)."""

    workers: int
    memory_mb: int
    cpu_seconds: int
    timeout_seconds: float

    @classmethod
    def of(cls, settings) -> "ParseLimits":
        return cls(
            settings.import_parse_workers,
            settings.import_parse_memory_mb,
            settings.import_parse_cpu_seconds,
            settings.import_parse_timeout_seconds,
        )


@dataclass
class ReadUpload:
    document: ParsedDocument
    # About the file itself (such as active content that was not run), for the import view.
    warnings: list[dict[str, str]] = field(default_factory=list)


@lru_cache
def _slots(workers: int) -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(workers)


def read_upload(data: bytes, file_name: str, content_type: str, limits: ParseLimits) -> ReadUpload:
    """The file's parts, read in a limited process; a `Problem` if the file is refused."""
    slots = _slots(limits.workers)
    if not slots.acquire(timeout=limits.timeout_seconds):
        raise Problem(503, BUSY, headers={"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)})
    try:
        message = _run_in_child(data, file_name, content_type, limits)
    finally:
        slots.release()
    outcome, *details = message
    if outcome == "read":
        return ReadUpload(*details)
    if outcome == "problem":
        status, detail, type_, extra = details
        raise Problem(status, detail, type_=type_, **extra)
    if outcome == "failed":
        logger.error("reading an upload failed in the parsing process: %s", details[0])
        raise Problem(422, CANNOT_READ, where="whole file")
    # Worth an operator's notice: someone may be sending files made to harm the server.
    logger.warning("reading an upload was stopped at a limit (%s)", " ".join(map(str, message)))
    raise Problem(422, TOO_COMPLEX, where="whole file")


def _run_in_child(
    data: bytes, file_name: str, content_type: str, limits: ParseLimits
) -> tuple[Any, ...]:
    ours, theirs = _CONTEXT.Pipe()
    process = _CONTEXT.Process(target=_child, args=(theirs, limits), daemon=True)
    process.start()
    theirs.close()
    try:
        ours.send((data, file_name, content_type))
        if not ours.poll(limits.timeout_seconds):
            return ("overran", limits.timeout_seconds, "seconds")
        return ours.recv()
    except (EOFError, OSError):  # the process died: killed by a limit, or out of memory
        process.join()
        return ("died", "exit code", process.exitcode)
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        process.close()
        ours.close()


def _limit_this_process(limits: ParseLimits) -> None:
    """Memory on top of what the process already maps (the preloaded parsers), and CPU
    seconds, after which the kernel stops it; no core file of someone's document."""
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    memory = mapped + limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _child(connection, limits: ParseLimits) -> None:
    _limit_this_process(limits)
    data, file_name, content_type = connection.recv()
    try:
        message: tuple[Any, ...] = ("read", *_read(data, file_name, content_type))
    except Problem as problem:
        message = ("problem", problem.status, problem.detail, problem.type, problem.extra)
    except (MemoryError, RecursionError):
        message = ("out of memory or too deep",)
    except Exception as error:  # a parser's bug: logged by the server
        # The frames and the error's kind only: its message may quote the document.
        frames = "".join(traceback.format_tb(error.__traceback__))
        message = ("failed", f"{type(error).__name__}\n{frames}")
    connection.send(message)
    connection.close()


def _read(data: bytes, file_name: str, content_type: str) -> tuple[ParsedDocument, list]:
    """Runs in the limited process: the safety checks, then the parser."""
    kind = detect_format(data, file_name, content_type)
    if kind == "docx":
        safe_files.check_zip(data)
    elif kind == "text":
        safe_files.check_text(data)
    document = parse_upload(data, file_name, content_type, kind)
    warnings = []
    if kind == "pdf" and (active := safe_files.pdf_active_content(data)):
        warnings.append(safe_files.active_content_warning(active))
    return document, warnings
