"""Reminders as an iCalendar file (RFC 5545) the person adds to their phone's calendar: the
phone then reminds them itself, with the app closed and no signal.

The person's words stay out of it: calendars are often copied to other services and shown
on a locked screen, so each event says only what to do and links back to the plan."""

from datetime import date, datetime, time, timedelta
from typing import Any

from icalendar import Alarm, Calendar, Event

from app.checkins.models import CheckInSettings
from app.core import clock
from app.plans.models import Plan

_WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
_REVIEW_REMINDER_HOUR = timedelta(hours=9)


def _alarm(description: str, trigger: timedelta) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", description)
    alarm.add("trigger", trigger)
    return alarm


def _next_reminder(settings: CheckInSettings, today: date) -> datetime:
    hour, minute = (int(part) for part in settings.remind_at.split(":"))
    day = today
    if settings.rhythm == "weekly":
        day += timedelta(days=(settings.weekday - today.weekday()) % 7)
    # Floating (no time zone): at this time on the phone's own clock, wherever it is.
    return datetime.combine(day, time(hour, minute))


def _review_dates(plan: Plan) -> list[tuple[str, date]]:
    found = []
    for section in plan.sections:
        if section["kind"] != "goals":
            continue
        for entry in section["entries"]:
            review = (entry.get("goal") or {}).get("review_date")
            if review:
                found.append((entry["id"], date.fromisoformat(review)))
    return found


def plan_calendar(plan: Plan, settings: CheckInSettings, base_url: str) -> bytes:
    """The check-in rhythm as a repeating event and each goal's review date as a day's
    event, each with an alarm. Their UIDs stay the same, so adding a newer file updates
    the events rather than doubling them."""
    calendar = Calendar()
    calendar.add("prodid", "-//Wellbeing plans//Reminders//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "My plan reminders")
    stamp = clock.utcnow()
    host = base_url.split("://", 1)[-1].split("/", 1)[0] or "wellbeing-plans"
    events: list[dict[str, Any]] = []
    if settings.rhythm != "none":
        events.append(
            {
                "uid": f"check-in-{plan.id}@{host}",
                "summary": "How are you today?",
                "description": f"A moment to check in with your plan: {base_url}/#/today",
                "dtstart": _next_reminder(settings, stamp.date()),
                "duration": timedelta(minutes=5),
                "rrule": {"freq": settings.rhythm}
                | ({"byday": _WEEKDAYS[settings.weekday]} if settings.rhythm == "weekly" else {}),
                "alarm": _alarm("How are you today?", timedelta(0)),
            }
        )
    for entry_id, review in _review_dates(plan):
        events.append(
            {
                "uid": f"goal-review-{entry_id}@{host}",
                "summary": "Look at a goal in my plan again",
                "description": f"The day you chose to look at a goal again: {base_url}/#/plan",
                "dtstart": review,
                "duration": timedelta(days=1),
                "alarm": _alarm("Look at a goal in my plan again", _REVIEW_REMINDER_HOUR),
            }
        )
    for details in events:
        event = Event()
        event.add("uid", details["uid"])
        event.add("dtstamp", stamp)
        event.add("summary", details["summary"])
        event.add("description", details["description"])
        event.add("dtstart", details["dtstart"])
        event.add("duration", details["duration"])
        if "rrule" in details:
            event.add("rrule", details["rrule"])
        event.add_component(details["alarm"])
        calendar.add_component(event)
    return calendar.to_ical()
