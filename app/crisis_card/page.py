"""The public crisis card as an HTML page: only the crisis plan, read-only, each phone
number a tap-to-call link, made to be kept by a phone and read with no signal."""

from html import escape

import phonenumbers

from app.core import clock
from app.core.clock import day
from app.core.errors import Problem
from app.crisis_card.service import CardPage
from app.exports import crisis_entries_by_field
from app.exports.provenance import contradiction_decision, imported_words, own_note
from app.plans import contradictions

# Whatever follows it in a path is a secret: the request log leaves it out.
CRISIS_CARD_PATH_PREFIX = "/c/"


def _page(title: str, body: str, script: str = "") -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        f"<title>{escape(title)}</title>"
        '<link rel="stylesheet" href="/crisis-card.css"></head>'
        f"<body><main>{body}</main>{script}</body></html>\n"
    )


def _with_phone_links(text: str) -> str:
    """The text, escaped, with each phone number in it a tap-to-call link."""
    parts, done = [], 0
    for found in phonenumbers.PhoneNumberMatcher(text, "GB"):
        number = phonenumbers.format_number(found.number, phonenumbers.PhoneNumberFormat.E164)
        parts.append(escape(text[done : found.start]))
        parts.append(f'<a href="tel:{escape(number)}">{escape(found.raw_string)}</a>')
        done = found.end
    return "".join(parts) + escape(text[done:])


def _card_entry(entry: dict, owner_name: str) -> str:
    lines = [f'<p class="words">{_with_phone_links(entry["text"])}</p>']
    if label := imported_words(entry, owner_name):
        lines.append(f'<p class="from">{escape(label)}</p>')
    if note := own_note(entry, owner_name):
        lines.append(f'<p class="note">{_with_phone_links(note)}</p>')
    return f"<li>{''.join(lines)}</li>"


def _card_contradictions(crisis: dict, owner_name: str) -> str:
    found = contradictions.in_crisis_section(crisis, owner_name)
    if not found:
        return ""
    items = "".join(
        f'<li><p>{escape(c["message"])}</p><p class="decided">'
        + escape(contradiction_decision(c, owner_name))
        + "</p></li>"
        for c in found
    )
    return (
        '<section class="disagree" aria-labelledby="disagree"><h2 id="disagree">Things in '
        f"this plan that may not agree</h2><ul>{items}</ul></section>"
    )


def card_html(page: CardPage, token: str) -> str:
    name = escape(page.owner_name)
    crisis = page.crisis
    parts = [f"<h1>{escape(crisis['title']) if crisis else 'Crisis plan'}</h1>"]
    parts.append(
        f'<p class="whose">The crisis plan of {name}. These are {name}\u2019s own words, '
        "except where a line under them says who else wrote them.</p>"
    )
    entries = crisis["entries"] if crisis else []
    if not entries:
        parts.append("<p>There is nothing to show here right now.</p>")
    else:
        parts.append(_card_contradictions(crisis, page.owner_name))
    for _, label, grouped in crisis_entries_by_field(entries):
        items = "".join(_card_entry(entry, page.owner_name) for entry in grouped)
        parts.append(f"<section><h2>{escape(label)}</h2><ul>{items}</ul></section>")
    opened = clock.utcnow()
    pdf = f"{CRISIS_CARD_PATH_PREFIX}{escape(token)}/pdf"
    parts.append(
        f'<p class="about" data-expires="{clock.isoformat(page.expires_at)}">'
        f"Last changed {day(page.updated_at)}. This copy was opened "
        f"on {day(opened)} at {opened:%H:%M} UTC: with no signal, your phone shows "
        f"the copy it kept, which may be out of date. This link works until "
        f"{day(page.expires_at)}. {name} can see each time it is opened.</p>"
        f'<p class="print">To print it: <a href="{pdf}">one A4 page</a> or '
        f'<a href="{pdf}?layout=wallet">wallet-sized cards</a>.</p>'
    )
    script = '<script src="/card-offline.js"></script>'
    return _page(f"Crisis plan of {page.owner_name}", "".join(parts), script)


def unavailable_html(problem: Problem) -> str:
    body = (
        "<h1>This crisis card isn't available</h1>"
        f"<p>{escape(problem.detail)}</p>"
        "<p>If someone is in danger now, call 999 (or 112). For urgent mental health "
        "help, call NHS 111 and choose the mental health option.</p>"
    )
    return _page("Crisis card not available", body)
