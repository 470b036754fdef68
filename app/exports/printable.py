"""A plan on paper: the whole plan (or chosen sections) as an A5 booklet, or the crisis
plan alone as a one-page A4 card or as wallet-sized cards. Plain words, the person's own
first; words from someone else say who wrote them, who brought them in and when the person
accepted them; contradictions in the crisis plan are shown, never settled. Fonts: DejaVu
Sans from the system (Debian package fonts-dejavu-core), found in the folder the
PRINT_FONT_DIR setting names."""

from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from app.core import clock
from app.core.clock import day
from app.exports import crisis_entries_by_field
from app.exports.provenance import contradiction_decision, imported_words, own_note
from app.plans import contradictions
from app.plans.templates import CRISIS_SECTION, FIVE_WAYS_TO_WELLBEING

A5 = (148, 210)
A4 = (210, 297)
WALLET = (54, 85.6)  # a bank card (ISO/IEC 7810 ID-1), upright
CARD_FONT_SIZES = (11, 10, 9, 8, 7)  # below 7 pt is too small to read in a hurry
WALLET_FONT_SIZE = 7
GREY = (90, 90, 90)
BLACK = (0, 0, 0)
CardLayout = Literal["a4", "wallet"]


class _Paper(FPDF):
    def __init__(
        self,
        fonts: Path,
        page: tuple[float, float],
        footer_text: str,
        size: float,
        owner_name: str,
        margin: float = 14,
    ) -> None:
        super().__init__(unit="mm", format=page)
        self.footer_text = footer_text
        self.size = size
        self.owner_name = owner_name
        self.add_font("Sans", "", fonts / "DejaVuSans.ttf")
        self.add_font("Sans", "B", fonts / "DejaVuSans-Bold.ttf")
        self.set_margins(margin, margin, margin)
        self.set_auto_page_break(True, margin=margin + 2)
        self.set_creator("Wellbeing plans")
        self.set_lang("en-GB")
        self.set_creation_date(clock.utcnow())

    def footer(self) -> None:
        self.set_y(-self.b_margin + 3)
        self.set_font("Sans", "", min(7, self.size))
        self.set_text_color(*GREY)
        self.cell(0, 3, f"{self.footer_text}  \u00b7  page {self.page_no()}", align="C")

    def line_of(self, text: str, *, scale: float = 1.0, bold: bool = False, grey=False) -> None:
        self.set_font("Sans", "B" if bold else "", self.size * scale)
        self.set_text_color(*(GREY if grey else BLACK))
        self.multi_cell(
            0, self.size * scale * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def bullet(self, text: str, *, grey: bool = False, indent: float = 4) -> None:
        self.set_font("Sans", "", self.size * (0.85 if grey else 1))
        self.set_text_color(*(GREY if grey else BLACK))
        height = self.size * 0.5
        self.set_x(self.l_margin + indent)
        self.multi_cell(
            0,
            height,
            ("" if grey else "\u2022 ") + text,
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )

    def gap(self, scale: float = 0.4) -> None:
        self.ln(self.size * scale)


def _entry(paper: _Paper, entry: dict[str, Any]) -> None:
    paper.bullet(entry["text"])
    for line in (imported_words(entry, paper.owner_name), own_note(entry, paper.owner_name)):
        if line:
            paper.bullet(line, grey=True, indent=8)
    goal = entry.get("goal") or {}
    details = [
        ("Way to wellbeing", FIVE_WAYS_TO_WELLBEING.get(goal.get("way") or "")),
        ("Steps", goal.get("steps")),
        ("By when", goal.get("by_when")),
        ("Who can help", goal.get("who_can_help")),
        ("How I'll know", goal.get("how_ill_know")),
        (
            "Progress (-2 to +2)",
            f"{goal['progress']:+d}" if goal.get("progress") is not None else None,
        ),
        ("Look at it again on", goal.get("review_date")),
    ]
    for label, value in details:
        if value:
            paper.bullet(f"{label}: {value}", grey=True, indent=8)


def _grouped(section: dict[str, Any]) -> list[tuple[str | None, list[dict[str, Any]]]]:
    """Entries under their prompt's words, in prompt order; entries with no prompt last."""
    groups = [
        (prompt["text"], [e for e in section["entries"] if e.get("prompt") == prompt["key"]])
        for prompt in section["prompts"]
    ]
    known = {prompt["key"] for prompt in section["prompts"]}
    loose = [e for e in section["entries"] if e.get("prompt") not in known]
    return [(label, entries) for label, entries in groups if entries] + (
        [(None, loose)] if loose else []
    )


def _contradictions(paper: _Paper, found: list[dict[str, Any]]) -> None:
    if not found:
        return
    paper.line_of("Things in this plan that may not agree", bold=True)
    for contradiction in found:
        paper.bullet(contradiction["message"])
        paper.bullet(contradiction_decision(contradiction, paper.owner_name), grey=True, indent=8)
    paper.gap()


def _section(paper: _Paper, section: dict[str, Any]) -> None:
    paper.line_of(section["title"], scale=1.35, bold=True)
    if section["description"]:
        paper.line_of(section["description"], scale=0.85, grey=True)
    paper.gap()
    if section["key"] == CRISIS_SECTION:
        _contradictions(paper, contradictions.in_crisis_section(section, paper.owner_name))
    if not section["entries"]:
        paper.line_of("Nothing written here yet. You could write:", scale=0.9, grey=True)
        for prompt in section["prompts"]:
            paper.bullet(prompt["text"], grey=True)
            paper.ln(paper.size * 0.5)
            paper.set_draw_color(*GREY)
            paper.line(paper.l_margin + 8, paper.get_y(), paper.w - paper.r_margin, paper.get_y())
            paper.ln(paper.size * 0.4)
    for label, entries in _grouped(section):
        if label:
            paper.line_of(label, bold=True)
        for entry in entries:
            _entry(paper, entry)
        paper.gap(0.3)
    paper.gap(0.8)


def booklet(fonts: Path, plan_title: str, owner_name: str, sections: list[dict[str, Any]]) -> bytes:
    today = day(clock.utcnow())
    paper = _Paper(fonts, A5, f"{plan_title} \u2013 {owner_name}", 10, owner_name)
    paper.set_title(plan_title)
    paper.set_author(owner_name)
    paper.add_page()
    paper.ln(40)
    paper.line_of(plan_title, scale=2.2, bold=True)
    paper.gap()
    paper.line_of(f"This book belongs to {owner_name}.", scale=1.2)
    paper.gap()
    paper.line_of(
        f"Printed on {today}. These are {owner_name}\u2019s own words, except where a line "
        "under them says who else wrote them and who brought them in.",
        scale=0.9,
        grey=True,
    )
    for section in sections:
        paper.add_page()  # a page per section, like the loose leaves of the Green Book
        _section(paper, section)
    return bytes(paper.output())


def _card(
    fonts: Path,
    owner_name: str,
    crisis: dict[str, Any],
    size: float,
    updated: datetime,
    layout: CardLayout,
    found: list[dict[str, Any]],
) -> _Paper:
    wallet = layout == "wallet"
    printed = day(clock.utcnow())
    # A bank card's width holds a name and a page number, no more.
    footer = owner_name if wallet else f"{owner_name}\u2019s crisis plan, printed {printed}"
    paper = _Paper(fonts, WALLET if wallet else A4, footer, size, owner_name, 4 if wallet else 14)
    paper.set_title(f"{owner_name}\u2019s crisis plan")
    paper.set_author(owner_name)
    paper.add_page()
    paper.line_of(f"{crisis['title']} \u2013 {owner_name}", scale=1.3 if wallet else 1.6, bold=True)
    paper.line_of(
        f"If I become very unwell, please read this. I wrote it while I was well. These are "
        f"my own words, except where a line under them says who else wrote them. Last "
        f"changed on {day(updated)}" + (f", printed on {printed}." if wallet else "."),
        scale=0.9,
        grey=True,
    )
    paper.gap()
    _contradictions(paper, found)
    fields = crisis_entries_by_field(crisis["entries"])
    if not fields:
        paper.line_of("Nothing is written in this crisis plan yet.")
    for _, label, entries in fields:
        paper.line_of(label, bold=True)
        for entry in entries:
            _entry(paper, entry)
        paper.gap(0.3)
    return paper


def crisis_card(
    fonts: Path,
    owner_name: str,
    crisis: dict[str, Any],
    updated: datetime,
    layout: CardLayout = "a4",
) -> bytes:
    """A4: one page when it fits at a readable size (the text shrinks a step at a time),
    else it goes on to a second page rather than leave anything out. Wallet: as many
    bank-card-sized pages as the plan needs, to cut out and keep together."""
    # Found once, not again for each font size tried.
    found = contradictions.in_crisis_section(crisis, owner_name)
    if layout == "wallet":
        paper = _card(fonts, owner_name, crisis, WALLET_FONT_SIZE, updated, layout, found)
        return bytes(paper.output())
    for size in CARD_FONT_SIZES:
        paper = _card(fonts, owner_name, crisis, size, updated, layout, found)
        if paper.page_no() == 1:
            break
    return bytes(paper.output())
