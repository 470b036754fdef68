"""Imports of crisis statements: keeping one with its provenance and original file, and the
person's decision on each part (who may send or read one is in access.py). Nothing enters
the plan until the owner accepts a part; accepted words are labelled as imported, apart from
their own."""

import hashlib
import re
import unicodedata
import uuid
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import Row, func, insert, select, update
from sqlmodel import Session

from app.access_log.service import log_event
from app.accounts.models import User
from app.core import clock
from app.core.errors import Problem
from app.plans import changes as plan_changes
from app.plans import contradictions
from app.plans import service as plans
from app.plans.draft import PlanDraft
from app.plans.models import Plan
from app.plans.templates import CRISIS_FIELDS, CRISIS_SECTION
from app.statements import containment
from app.statements.access import Access, shown_crisis
from app.statements.models import ImportPart, ImportStatus, PartStatus, PlanAttachment, PlanImport
from app.statements.parsers.base import DOCX_TYPE, PDF_TYPE, ParsedDocument
from app.statements.schemas import DecisionsIn, PartDecisionIn

STORED_TYPES = {
    "fhir": "application/fhir+json",
    "docx": DOCX_TYPE,
    "pdf": PDF_TYPE,
    "markdown": "text/markdown",
    "text": "text/plain",
}
NOT_FOUND_IMPORT = "This plan has no import with this id."
NOT_FOUND_ATTACHMENT = "This plan has no attachment with this id."


# ---- receiving a file ---------------------------------------------------------------------


def safe_file_name(name: str | None, fallback: str = "upload") -> str:
    """The last part of the name the sender gave, without control characters."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return base[-255:] or fallback


def _safe_content_type(content_type: str | None) -> str:
    value = (content_type or "").split(";")[0].strip().lower()
    return (
        value if re.fullmatch(r"[a-z0-9.+-]+/[a-z0-9.+-]+", value) else "application/octet-stream"
    )


def _name_words(name: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return re.findall(r"[a-z]+", plain)


def names_agree(account_name: str, document_name: str) -> bool:
    """Whether the document could be about the account holder: the first word of their name
    appears in the document's name (a short form such as Sam for Samantha counts)."""
    ours, theirs = _name_words(account_name), _name_words(document_name)
    if not ours or not theirs:
        return True
    first = ours[0]
    return any(
        word == first
        or (min(len(word), len(first)) >= 3 and (word.startswith(first) or first.startswith(word)))
        for word in theirs
    )


def _warnings(parsed: ParsedDocument, owner_name: str) -> list[dict[str, str]]:
    """A warning for each person the document is about who is not the plan's owner."""
    subjects = [
        {
            "name": parsed.subject_name,
            "birth_date": parsed.subject_birth_date,
            "where": parsed.subject_where,
        },
        *parsed.more_subjects,
    ]
    warnings = []
    for subject in subjects:
        if subject["name"] and not names_agree(owner_name, subject["name"]):
            born = f", born {subject['birth_date']}" if subject["birth_date"] else ""
            warnings.append(
                {
                    "code": "different_name",
                    "message": f"This document is about \u201c{subject['name']}\u201d{born}, "
                    f"but the plan belongs to \u201c{owner_name}\u201d. Check it is about the "
                    "right person before accepting anything from it.",
                    "where": subject["where"] or "the document",
                }
            )
    return warnings


_READ_BEFORE_ACCEPTING = {"different_name", "active_content"}


def _must_confirm(warnings: list[dict[str, str]]) -> list[dict[str, str]]:
    """Warnings that stop accepting until the person has read them: the document may be
    about someone else, or it carried active content. Others (what the reading left out)
    are for information."""
    return [w for w in warnings if w["code"] in _READ_BEFORE_ACCEPTING]


def create_import(
    session: Session,
    access: Access,
    *,
    data: bytes,
    file_name: str | None,
    content_type: str | None,
    source_system: str | None,
    confirm_person: bool,
    max_bytes: int,
    parse_limits: containment.ParseLimits,
) -> PlanImport:
    """Reads the whole file first (in a limited process); a file with any problem stores
    nothing."""
    user = access.user
    if len(data) > max_bytes:
        raise Problem(
            413, f"The file is larger than the {max_bytes:,} bytes an import accepts.", where="file"
        )
    plan = access.plan
    name = safe_file_name(file_name)
    read = containment.read_upload(data, name, (content_type or "").lower(), parse_limits)
    parsed = read.document
    owner = session.get(User, plan.owner_id)
    person_warnings = _warnings(parsed, owner.display_name)
    if person_warnings and not confirm_person:
        raise Problem(
            422,
            person_warnings[0]["message"] + " Nothing was stored. If it is about them under "
            "another name, say you're sure it is about them and send it again; they will see "
            "this warning.",
            where=person_warnings[0]["where"],
            warnings=person_warnings,
        )
    warnings = person_warnings + parsed.warnings
    now = clock.utcnow()
    record = PlanImport(
        plan_id=plan.id,
        owner_id=plan.owner_id,
        imported_by_id=user.id,
        imported_by_name=user.display_name,
        imported_by_role=user.role,
        imported_by_organisation=user.organisation,
        file_name=name,
        content_type=STORED_TYPES[parsed.format],
        source_format=parsed.format,
        source_system=_clip(source_system or parsed.system, 300),
        document_title=_clip(parsed.title, 300),
        document_author=_clip(parsed.author, 300),
        document_organisation=_clip(parsed.organisation, 300),
        subject_name=_clip(parsed.subject_name, 200),
        subject_birth_date=_clip(parsed.subject_birth_date, 40),
        subject_where=_clip(parsed.subject_where, 300),
        document_attesters=[
            {
                "name": _clip(a["name"], 200) or "Someone not named",
                "role": _clip(a["role"], 100),
                "time": _clip(a["time"], 40),
            }
            for a in parsed.attesters
        ],
        warnings=warnings + read.warnings,
        created_at=now,
    )
    session.add(record)
    session.flush()
    # One multi-row INSERT: building an ORM object per part costs more than the parsing.
    session.execute(
        insert(ImportPart),
        [
            {
                "id": uuid.uuid4(),
                "import_id": record.id,
                "owner_id": plan.owner_id,
                "position": position,
                "field": part.field,
                "heading": _clip(part.heading, 300),
                "location": _clip(part.where, 300),
                "text": part.text,
                "provenance": part.provenance,
                "status": PartStatus.proposed,
            }
            for position, part in enumerate(parsed.parts)
        ],
    )
    files = [("original", name, record.content_type, data)] + [
        ("embedded", safe_file_name(f.file_name, "source-document"), f.content_type, f.content)
        for f in parsed.embedded
    ]
    for kind, stored_name, file_type, content in files:
        session.add(
            PlanAttachment(
                plan_id=plan.id,
                owner_id=plan.owner_id,
                import_id=record.id,
                kind=kind,
                file_name=stored_name,
                content_type=_safe_content_type(file_type),
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                content=content,
                uploaded_by_id=user.id,
                created_at=now,
            )
        )
    if access.grant is not None:
        crisis = shown_crisis(access.grant)
        log_event(
            session,
            owner_id=plan.owner_id,
            plan_id=plan.id,
            event="import_proposed",
            by=user,
            share_id=access.grant.share.id,
            sections=crisis,
            summary=f"{user.display_name} sent \u201c{name}\u201d with {len(parsed.parts)} "
            "parts for your crisis plan. Nothing is in your plan until you accept it.",
        )
    session.commit()
    return record


def _clip(value: str | None, length: int) -> str | None:
    """Trimmed to the column, without NUL characters (some of these columns are plain text,
    which in PostgreSQL cannot hold them)."""
    return (value.replace("\x00", "").strip()[:length] or None) if value else None


# ---- reading ------------------------------------------------------------------------------


def _sees(access: Access, plan_id: uuid.UUID, sent_by_id: uuid.UUID | None) -> bool:
    """The owner sees everything brought into their plan; a grantee only what they sent."""
    return plan_id == access.plan.id and (access.is_owner or sent_by_id == access.user.id)


def get_import(session: Session, access: Access, import_id: uuid.UUID) -> PlanImport:
    record = session.get(PlanImport, import_id)
    if record is None or not _sees(access, record.plan_id, record.imported_by_id):
        raise Problem(404, NOT_FOUND_IMPORT)
    return record


def list_imports(session: Session, access: Access) -> list[PlanImport]:
    query = select(PlanImport).where(PlanImport.plan_id == access.plan.id)
    if not access.is_owner:
        query = query.where(PlanImport.imported_by_id == access.user.id)
    return list(session.execute(query.order_by(PlanImport.created_at.desc())).scalars())


def _parts(session: Session, record: PlanImport) -> list[Row]:
    """The parts as plain rows (read-only; an ORM object each would cost more than the
    parsing did for a long document)."""
    return list(
        session.execute(
            select(*ImportPart.__table__.columns)
            .where(ImportPart.import_id == record.id)
            .order_by(ImportPart.position)
        )
    )


def _attachments(session: Session, record: PlanImport) -> list[dict[str, Any]]:
    rows = session.execute(
        select(
            PlanAttachment.id,
            PlanAttachment.kind,
            PlanAttachment.file_name,
            PlanAttachment.content_type,
            PlanAttachment.size,
            PlanAttachment.sha256,
            PlanAttachment.created_at,
        )
        .where(PlanAttachment.import_id == record.id)
        .order_by(PlanAttachment.created_at, PlanAttachment.kind.desc())
    ).all()
    return [
        row._asdict()
        | {
            "created_at": clock.isoformat(row.created_at),
            "url": f"/api/v1/plans/{record.plan_id}/attachments/{row.id}",
        }
        for row in rows
    ]


def _counts(session: Session, record: PlanImport) -> dict[str, int]:
    rows = session.execute(
        select(ImportPart.status, func.count())
        .where(ImportPart.import_id == record.id)
        .group_by(ImportPart.status)
    ).all()
    counts = {status.value: 0 for status in PartStatus}
    counts.update({status: number for status, number in rows})
    return counts


def _summary(record: PlanImport, counts: dict[str, int], viewer: User) -> str:
    """In plain words, from the reader's side: who sent what, when, and what is left."""
    role = None if record.imported_by_role == "person" else record.imported_by_role
    details = [d for d in (role and role.replace("_", " "), record.imported_by_organisation) if d]
    sender = record.imported_by_name + (f" ({', '.join(details)})" if details else "")
    if record.imported_by_id == viewer.id:
        sender = "You"
    when = clock.day(record.created_at)
    total = sum(counts.values())
    waiting = counts[PartStatus.proposed]
    state = (
        f"{waiting} of {total} parts wait for a decision; none is in the plan until accepted."
        if waiting
        else f"All {total} parts decided: {counts[PartStatus.accepted]} accepted, "
        f"{counts[PartStatus.rejected]} not accepted."
    )
    return f"{sender} brought in \u201c{record.file_name}\u201d on {when}. {state}"


def import_summary(session: Session, record: PlanImport, access: Access) -> dict[str, Any]:
    counts = _counts(session, record)
    return {
        "id": record.id,
        "plan_id": record.plan_id,
        "status": record.status,
        "summary": _summary(record, counts, access.user),
        "imported_by": {
            "display_name": record.imported_by_name,
            "role": record.imported_by_role,
            "organisation": record.imported_by_organisation,
        },
        "source": {
            "file_name": record.file_name,
            "content_type": record.content_type,
            "format": record.source_format,
            "system": record.source_system,
            "title": record.document_title,
            "author": record.document_author,
            "organisation": record.document_organisation,
        },
        "attested_by": record.document_attesters or [],
        "warnings": record.warnings,
        "counts": counts,
        "created_at": clock.isoformat(record.created_at),
        "reviewed_at": clock.isoformat(record.reviewed_at),
    }


def import_view(session: Session, record: PlanImport, access: Access) -> dict[str, Any]:
    """The import with every part; the owner also sees, beside each part, what their plan
    says under the same field now."""
    current: dict[str, list[dict[str, str]]] = {}
    if access.is_owner:
        for section in access.plan.sections:
            if section["key"] == CRISIS_SECTION:
                for entry in section["entries"]:
                    field = entry.get("prompt") or "other"
                    current.setdefault(field, []).append({"id": entry["id"], "text": entry["text"]})
    parts = []
    for part in _parts(session, record):
        decision = None
        if part.decided_at is not None:
            decision = {
                "text": part.decided_text,
                "field": part.decided_field,
                "note": part.note,
                "entry_id": part.entry_id,
                "decided_at": clock.isoformat(part.decided_at),
            }
        parts.append(
            {
                "id": part.id,
                "field": part.field,
                "field_label": CRISIS_FIELDS.get(part.field, part.field),
                "heading": part.heading,
                "where": part.location,
                "text": part.text,
                "status": part.status,
                "current": current.get(part.field, []) if access.is_owner else None,
                "decision": decision,
            }
        )
    return import_summary(session, record, access) | {
        "contradictions": _contradictions(access, parts) if access.is_owner else None,
        "about": {
            "name": record.subject_name,
            "birth_date": record.subject_birth_date,
            "where": record.subject_where,
        },
        "attachments": _attachments(session, record),
        "parts": parts,
    }


def _contradictions(access: Access, parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What accepting the waiting parts would contradict, in the plan or in the import."""
    crisis = next((s for s in access.plan.sections if s["key"] == CRISIS_SECTION), None)
    waiting = [
        contradictions.Item(str(p["id"]), p["text"], p["field"], "import")
        for p in parts
        if p["status"] == PartStatus.proposed
    ]
    found = contradictions.find(contradictions.crisis_items(crisis) + waiting)
    return [contradictions.view(c) for c in found if any(i.origin == "import" for i in c.items)]


def get_attachment(session: Session, access: Access, attachment_id: uuid.UUID) -> PlanAttachment:
    """The owner opens any of their plan's attachments; a grantee only the files they sent."""
    attachment = session.get(PlanAttachment, attachment_id)
    if attachment is None or not _sees(access, attachment.plan_id, attachment.uploaded_by_id):
        raise Problem(404, NOT_FOUND_ATTACHMENT)
    return attachment


# ---- the person's decisions ---------------------------------------------------------------


def _check_decisions(
    record: PlanImport, parts: dict[uuid.UUID, Row], body: DecisionsIn
) -> list[tuple[PartDecisionIn, Row]]:
    pairs = []
    seen: set[uuid.UUID] = set()
    for number, decision in enumerate(body.decisions):
        where = f"decisions[{number}]"
        if decision.part_id in seen:
            raise Problem(
                422, f"Part {decision.part_id} is listed twice. Decide each part once.", where=where
            )
        seen.add(decision.part_id)
        part = parts.get(decision.part_id)
        if part is None:
            raise Problem(
                409,
                f"This import has no part {decision.part_id}. Read the import again for its parts.",
                where=f"{where}.part_id",
            )
        if part.status != PartStatus.proposed:
            raise Problem(
                409,
                f"Part {part.id} was already {part.status}; a decision can't be changed here. "
                "Edit or remove the entry in your plan instead.",
                where=f"{where}.part_id",
            )
        if decision.action == "reject" and (decision.text or decision.field):
            raise Problem(
                422,
                "Only an accepted part takes new words or another field. Leave out 'text' and "
                "'field' when you reject a part.",
                where=where,
            )
        pairs.append((decision, part))
    blocking = _must_confirm(record.warnings)
    if blocking and not body.warnings_seen and any(d.action == "accept" for d, _ in pairs):
        raise Problem(
            409,
            "This import has a warning you need to read first: "
            + " ".join(w["message"] for w in blocking)
            + " To accept parts anyway, send the decisions again with warnings_seen: true.",
            warnings=blocking,
        )
    return pairs


def _entry_source(record: PlanImport, part: Row, edited: bool, note: str | None) -> dict:
    source = {
        "kind": "import",
        "import_id": str(record.id),
        "part_id": str(part.id),
        "author": record.document_author or record.imported_by_name,
        "organisation": record.document_organisation or record.imported_by_organisation,
        "imported_by": record.imported_by_name,
        "file_name": record.file_name,
        "heading": part.heading,
        "imported_at": clock.isoformat(record.created_at),
        "edited": edited,
        "note": note,
    }
    # Words the document credits to someone (our own export's Provenance) keep that credit:
    # their author, who first brought them in, from which file, and when.
    original = part.provenance or {}
    if original.get("author"):
        source["organisation"] = None
    source.update(
        {
            key: original[key]
            for key in ("author", "organisation", "imported_by", "file_name", "imported_at")
            if original.get(key)
        }
    )
    # ...and what the person said of them then: their note, and that they changed them.
    source["note"] = note or original.get("note")
    source["edited"] = edited or bool(original.get("edited"))
    return source


def _mark_part(session: Session, part: Row, **values: Any) -> None:
    """Compare-and-swap on the part's status, so a part is never decided twice."""
    done = session.execute(
        update(ImportPart)
        .where(ImportPart.id == part.id, ImportPart.status == PartStatus.proposed)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise Problem(
            409, f"Part {part.id} was decided a moment ago, elsewhere. Read the import again."
        )


def _settle(session: Session, record: PlanImport, now: datetime) -> None:
    waiting = session.execute(
        select(func.count())
        .select_from(ImportPart)
        .where(ImportPart.import_id == record.id, ImportPart.status == PartStatus.proposed)
    ).scalar_one()
    record.status = ImportStatus.proposed if waiting else ImportStatus.reviewed
    record.reviewed_at = None if waiting else now
    session.add(record)


def decide(
    session: Session,
    owner: User,
    plan: Plan,
    record: PlanImport,
    body: DecisionsIn,
    retention_days: int,
) -> Plan:
    """Accepted parts become entries of the crisis section in one new plan version,
    credited to the owner, each labelled with where it came from."""
    parts = {part.id: part for part in _parts(session, record)}
    pairs = _check_decisions(record, parts, body)
    now = clock.utcnow()

    def apply(draft: PlanDraft | None) -> None:
        for decision, part in pairs:
            if decision.action == "reject":
                _mark_part(
                    session, part, status=PartStatus.rejected, note=decision.note, decided_at=now
                )
                continue
            text = decision.text or part.text
            field = decision.field or part.field
            entry = plan_changes.add_entry(CRISIS_SECTION, text, field, None)(draft)
            entry["source"] = _entry_source(record, part, text != part.text, decision.note)
            _mark_part(
                session,
                part,
                status=PartStatus.accepted,
                decided_text=text,
                decided_field=field,
                note=decision.note,
                entry_id=entry["id"],
                decided_at=now,
            )
        _settle(session, record, now)

    accepted = sum(1 for decision, _ in pairs if decision.action == "accept")
    if not accepted:
        apply(None)
        session.commit()
        return plan
    source = record.document_author or record.imported_by_name
    plan, _ = plans.change_plan(
        session,
        plan,
        author=owner,
        summary=f"Accepted {accepted} imported part{'s' if accepted != 1 else ''} "
        f"from {source} into the crisis plan"[:300],
        expected_version=None,
        change=apply,
        retention_days=retention_days,
    )
    return plan
