import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from app.core.schemas import ChangeInput, OptionalText, StrictInput
from app.plans.templates import TodayState

MAX_CHECK_INS_AT_ONCE = 500
Rhythm = Literal["none", "daily", "weekly"]
ClockTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
Days = Annotated[int, Field(ge=1, le=366, description="How many days back, up to a year")]


class CheckInCreate(StrictInput):
    id: uuid.UUID = Field(
        description="Made by your device. Sending it again is harmless: its state and time "
        "stay as first sent, and the note sent replaces the one kept"
    )
    state: TodayState
    note: OptionalText = Field(default="", description="What helped, or anything to remember")
    at: datetime = Field(description="When you checked in, with its time zone")


class CheckInsCreate(StrictInput):
    check_ins: list[CheckInCreate] = Field(min_length=1, max_length=MAX_CHECK_INS_AT_ONCE)

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "check_ins": [
                        {
                            "id": "5b0e0c43-5c59-4a43-8e1c-0e8a1c1b6a01",
                            "state": "well",
                            "note": "A walk by the river",
                            "at": "2026-03-31T09:00:00Z",
                        }
                    ]
                }
            ]
        }
    }


class CheckInRead(BaseModel):
    id: uuid.UUID
    state: TodayState
    note: str
    at: datetime


class CheckInSettingsRead(BaseModel):
    shared: bool = Field(
        description="People you share this plan with see the check-ins whose section "
        "(the one each answer opens) their share includes"
    )
    rhythm: Rhythm = Field(description="How often the calendar reminds you to check in")
    remind_at: ClockTime = Field(description="At this time on your own clock")
    weekday: int = Field(ge=0, le=6, description="For a weekly rhythm: 0 Monday … 6 Sunday")


class CheckInSettingsUpdate(ChangeInput):
    shared: bool | None = None
    rhythm: Rhythm | None = None
    remind_at: ClockTime | None = None
    weekday: int | None = Field(default=None, ge=0, le=6)


class CheckInsRead(BaseModel):
    check_ins: list[CheckInRead] = Field(description="Oldest first")
    settings: CheckInSettingsRead


class SharedCheckInsRead(BaseModel):
    shared: bool = Field(description="Whether the person chose to share their check-ins")
    check_ins: list[CheckInRead] = Field(
        description="Oldest first; only those whose section your share includes"
    )


class ProgressPoint(BaseModel):
    at: datetime
    progress: int | None = Field(description="-2 to +2; null when it was cleared")


class GoalProgress(BaseModel):
    entry_id: uuid.UUID
    goal: str = Field(description="The goal, in the person's words, as it reads now")
    review_date: date | None = None
    points: list[ProgressPoint] = Field(
        description="Each change of progress, oldest first; the first is where it stood "
        "when the period began, if it had been set by then"
    )
