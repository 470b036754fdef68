import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.encryption import EncryptedBytes, EncryptedJSON, EncryptedText
from app.core.types import UTCDateTime, now_column
from app.plans.models import owner_id_column, plan_id_column


class ImportStatus(StrEnum):
    proposed = "proposed"  # some parts wait for the person's decision
    reviewed = "reviewed"  # the person decided every part


class PartStatus(StrEnum):
    proposed = "proposed"
    accepted = "accepted"
    rejected = "rejected"


class PlanImport(SQLModel, table=True):
    """A crisis statement brought in from another system, with its provenance. Its parts stay
    proposed, outside the plan, until the plan's owner decides on each."""

    __tablename__ = "plan_import"
    __table_args__ = (Index("ix_plan_import_plan_created", "plan_id", "created_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    plan_id: uuid.UUID = plan_id_column()
    owner_id: uuid.UUID = owner_id_column()
    status: str = Field(default=ImportStatus.proposed, sa_column=Column(String(10), nullable=False))
    # Who brought it in, kept as it was so it still reads right after their account is gone.
    imported_by_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True),
    )
    imported_by_name: str = Field(sa_column=Column(String(100), nullable=False))
    imported_by_role: str = Field(sa_column=Column(String(20), nullable=False))
    imported_by_organisation: str | None = Field(default=None, sa_column=Column(String(200)))
    # File names often name the person ("Crisis plan - Sam Taylor.pdf").
    file_name: str = Field(sa_column=Column(EncryptedText("plan_import.file_name"), nullable=False))
    content_type: str = Field(sa_column=Column(String(127), nullable=False))
    source_format: str = Field(sa_column=Column(String(10), nullable=False))
    source_system: str | None = Field(default=None, sa_column=Column(String(300)))
    # What the document says about itself, and about the person.
    document_title: str | None = Field(
        default=None, sa_column=Column(EncryptedText("plan_import.document_title"))
    )
    document_author: str | None = Field(
        default=None, sa_column=Column(EncryptedText("plan_import.document_author"))
    )
    document_organisation: str | None = Field(
        default=None, sa_column=Column(EncryptedText("plan_import.document_organisation"))
    )
    subject_name: str | None = Field(
        default=None, sa_column=Column(EncryptedText("plan_import.subject_name"))
    )
    subject_birth_date: str | None = Field(
        default=None, sa_column=Column(EncryptedText("plan_import.subject_birth_date"))
    )
    subject_where: str | None = Field(
        default=None, sa_column=Column(EncryptedText("plan_import.subject_where"))
    )
    # Who signed, witnessed or notarised it, as the document says: [{name, role, time}].
    document_attesters: list[dict[str, str | None]] | None = Field(
        default=None, sa_column=Column(EncryptedJSON("plan_import.document_attesters"))
    )
    # Warnings quote the subject's name and birth date.
    warnings: list[dict[str, str]] = Field(
        default_factory=list,
        sa_column=Column(EncryptedJSON("plan_import.warnings"), nullable=False),
    )
    created_at: datetime = now_column()
    reviewed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class ImportPart(SQLModel, table=True):
    """One proposed piece of an imported statement, mapped to a crisis-plan field."""

    __tablename__ = "plan_import_part"
    __table_args__ = (UniqueConstraint("import_id", "position", name="uq_import_part_position"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    import_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("plan_import.id", ondelete="CASCADE"), nullable=False)
    )
    owner_id: uuid.UUID = owner_id_column()
    position: int = Field(sa_column=Column(Integer, nullable=False))
    field: str = Field(sa_column=Column(String(63), nullable=False))
    heading: str | None = Field(
        default=None, sa_column=Column(EncryptedText("plan_import_part.heading"))
    )
    location: str = Field(sa_column=Column(String(300), nullable=False))
    text: str = Field(sa_column=Column(EncryptedText("plan_import_part.text"), nullable=False))
    # Who wrote these words, when the document says (our own export's Provenance).
    provenance: dict[str, str] | None = Field(
        default=None, sa_column=Column(EncryptedJSON("plan_import_part.provenance"))
    )
    status: str = Field(default=PartStatus.proposed, sa_column=Column(String(10), nullable=False))
    # The person's decision: the words and field as accepted, and their own note.
    decided_text: str | None = Field(
        default=None, sa_column=Column(EncryptedText("plan_import_part.decided_text"))
    )
    decided_field: str | None = Field(default=None, sa_column=Column(String(63)))
    note: str | None = Field(default=None, sa_column=Column(EncryptedText("plan_import_part.note")))
    entry_id: str | None = Field(default=None, sa_column=Column(String(36)))
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class PlanAttachment(SQLModel, table=True):
    """A file kept with a plan, such as the original of an imported statement, so the
    person can open what was actually sent."""

    __tablename__ = "plan_attachment"
    __table_args__ = (Index("ix_plan_attachment_import", "import_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    plan_id: uuid.UUID = plan_id_column()
    owner_id: uuid.UUID = owner_id_column()
    import_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey("plan_import.id", ondelete="CASCADE"), nullable=True),
    )
    kind: str = Field(sa_column=Column(String(20), nullable=False))
    file_name: str = Field(
        sa_column=Column(EncryptedText("plan_attachment.file_name"), nullable=False)
    )
    content_type: str = Field(sa_column=Column(String(127), nullable=False))
    size: int = Field(sa_column=Column(Integer, nullable=False))
    sha256: str = Field(sa_column=Column(String(64), nullable=False))
    content: bytes = Field(
        sa_column=Column(EncryptedBytes("plan_attachment.content"), nullable=False)
    )
    uploaded_by_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True),
    )
    created_at: datetime = now_column()
