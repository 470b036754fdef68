"""The Green Book, WRAP and safety plan templates: sections, their prompts, and which check-in
opens which.

Every entry is free text in the person's own words; prompts only suggest what to write.
"""

from copy import deepcopy
from enum import StrEnum


class Template(StrEnum):
    green_book = "green_book"
    wrap = "wrap"
    safety_plan = "safety_plan"


class TodayState(StrEnum):
    """The "How are you today?" answers, each opening a part of the person's own plan."""

    well = "well"
    triggered = "triggered"
    early_warning_signs = "early_warning_signs"
    breaking_down = "breaking_down"
    crisis = "crisis"


FIVE_WAYS_TO_WELLBEING = {
    "connect": "Connect",
    "be_active": "Be active",
    "take_notice": "Take notice",
    "learn": "Keep learning",
    "give": "Give",
}

CRISIS_FIELDS = {
    "when_well": "What I'm like when I'm well",
    "others_take_over": "Signs that others should take over",
    "who_helps": "Who I want to help, and what I want each of them to do",
    "not_involved": "Who I do not want involved",
    "medicines_preferred": "Medicines I prefer",
    "medicines_avoid": "Medicines I want to avoid",
    "allergies": "Medicines I am allergic to",
    "treatments_wanted": "Treatments I want",
    "treatments_refused": "Treatments I do not want",
    "where_treated": "Where I'd like to be treated",
    "where_not_treated": "Where I do not want to be treated",
    "what_helps": "What helps from the people around me",
    "what_does_not_help": "What doesn't help",
    "practical": "Practical things: children, pets, bills, home",
    "no_longer_needed": "How others will know I no longer need this plan",
    "statement": "My statement that I made this plan while well: date, witness, review date",
    "other": "Anything else",
}


def _section(key, title, description, prompts, *, kind="list", today=None, shows=None):
    """`shows` names a prompt of another section ("crisis.who_helps") whose entries this
    section shows instead of keeping its own: one list of people, changed in one place."""
    section = {
        "key": key,
        "title": title,
        "description": description,
        "kind": kind,
        "today": today,
        "prompts": [{"key": k, "text": t} for k, t in prompts.items()],
    }
    if shows:
        shown_section, shown_prompt = shows.split(".")
        section["shows"] = {"section": shown_section, "prompt": shown_prompt}
    return section


CRISIS_SECTION = "crisis"
_CRISIS = _section(
    CRISIS_SECTION,
    "My crisis plan",
    "What I want to happen if I become very unwell, written while I'm well.",
    CRISIS_FIELDS,
    today=TodayState.crisis,
)
_LIFE = _section(
    "life_beyond_services",
    "The life I want",
    "What I want my life to look like, beyond any services.",
    {"hopes": "What I want my life to look like"},
)
_RISKS = _section(
    "positive_risks",
    "Positive risks I choose to take",
    "Things I choose to try even though they stretch me.",
    {"risk": "A risk I choose to take, and why it matters to me"},
)
_SUPPORT = _section(
    "support_agreed",
    "Who has agreed to do what",
    "The support each person has agreed to give me.",
    {"agreement": "Who, and what they have agreed to do"},
)
_WENT_WELL = _section(
    "things_that_went_well",
    "Things that went well",
    "Successes and strengths, big or small, in my own words.",
    {"success": "Something that went well"},
)
_NOTES = _section(
    "notes",
    "My notes and pages",
    "My own notes, and pages I've added: local groups, toolkits, leaflets.",
    {"note": "A note or page"},
)

# Stanley and Brown's safety planning steps, each a section for the person's own words.
SAFETY_PLAN_SECTIONS = [
    _section(
        "warning_signs",
        "1. My warning signs",
        "Thoughts, feelings, situations or behaviour that tell me a crisis may be coming.",
        {"sign": "A warning sign"},
        today=TodayState.early_warning_signs,
    ),
    _section(
        "on_my_own",
        "2. Things I can do on my own",
        "Things that take my mind off things or calm me, without contacting anyone.",
        {"thing": "Something I can do on my own"},
        today=TodayState.triggered,
    ),
    _section(
        "distractions",
        "3. People and places that distract me",
        "People I can be with and places I can go that help me feel better.",
        {"person_or_place": "A person or place"},
        today=TodayState.breaking_down,
    ),
    _section(
        "people_to_ask",
        "4. People I can ask for help",
        "The people in my crisis plan who I want to help. They are kept in one place, my "
        "crisis plan, so changing them there changes them here.",
        {},
        shows=f"{CRISIS_SECTION}.who_helps",
    ),
    _section(
        "professionals",
        "5. Professionals and services I can contact",
        "My care team, GP, crisis line or urgent care, with how to reach them.",
        {"service": "A professional or service, and how to reach them"},
    ),
    _section(
        "safer_surroundings",
        "6. Making my surroundings safer",
        "What I will do, or ask someone to do, to keep things I could harm myself with away.",
        {"step": "Something that makes my surroundings safer"},
    ),
    _section(
        "reasons_for_living",
        "7. My reasons for living",
        "The things that matter most to me and are worth living for.",
        {"reason": "A reason for living"},
        today=TodayState.well,
    ),
]

TEMPLATES: dict[Template, dict] = {
    Template.green_book: {
        "name": "Green Book",
        "about": "A wellbeing book you fill in yourself: what keeps you well, what to watch "
        "for, your goals, and what you want to happen in a crisis.",
        "sections": [
            _section(
                "keeping_well",
                "What keeps me well",
                "What I'm like when I'm well, and the things that help.",
                {"when_well": "What I'm like when I'm well", "helps": "Things that help"},
                today=TodayState.well,
            ),
            _section(
                "triggers",
                "Triggers",
                "What makes me unwell, stressed or miserable, and what I'll do.",
                {"trigger": "Something that can set me off", "action": "What I'll do"},
                today=TodayState.triggered,
            ),
            _section(
                "early_warning_signs",
                "Early warning signs",
                "Signs that I'm becoming unwell, and my plan for them.",
                {"sign": "A sign I notice", "action": "My plan for it"},
                today=TodayState.early_warning_signs,
            ),
            _section(
                "bad_days",
                "Bad days",
                "How I recognise a bad day or relapse, and what I'll do to prevent a crisis.",
                {"sign": "How I recognise it", "action": "What I'll do"},
                today=TodayState.breaking_down,
            ),
            _section(
                "goals",
                "My goals",
                "Goals on the Five Ways to Wellbeing, with small steps, who can help, "
                "how I'll know, and when I'll look at them again.",
                {"goal": "Something I want to do"},
                kind="goals",
            ),
            _LIFE,
            _RISKS,
            _SUPPORT,
            _CRISIS,
            _WENT_WELL,
            _NOTES,
        ],
    },
    Template.wrap: {
        "name": "WRAP (Wellness Recovery Action Plan)",
        "about": "A plan you write for yourself: your wellness toolbox, what you do every "
        "day, what to do when things get harder, and your crisis plan.",
        "sections": [
            _section(
                "wellness_toolbox",
                "My wellness toolbox",
                "Things I can do to help myself stay well or feel better.",
                {"tool": "Something that helps me"},
            ),
            _section(
                "daily_maintenance",
                "Daily maintenance plan",
                "What I'm like when I'm well, and what I do to stay that way.",
                {
                    "when_well": "What I'm like when I'm well",
                    "every_day": "Things I do every day",
                    "might_need": "Things I might need to do",
                },
                today=TodayState.well,
            ),
            _section(
                "triggers",
                "Triggers",
                "Things that can upset me, and my action plan.",
                {"trigger": "A trigger", "action": "My action plan"},
                today=TodayState.triggered,
            ),
            _section(
                "early_warning_signs",
                "Early warning signs",
                "Small changes that tell me I'm starting to feel worse, and my action plan.",
                {"sign": "A sign I notice", "action": "My action plan"},
                today=TodayState.early_warning_signs,
            ),
            _section(
                "breaking_down",
                "When things are breaking down",
                "Signs things are getting much worse, and my action plan.",
                {"sign": "How I know", "action": "My action plan"},
                today=TodayState.breaking_down,
            ),
            _CRISIS,
            _section(
                "post_crisis",
                "After a crisis",
                "What helps me recover after a crisis, and how I'll know I'm ready.",
                {"recovery": "What helps me recover", "ready": "How I'll know I'm ready"},
            ),
            _LIFE,
            _RISKS,
            _SUPPORT,
            _WENT_WELL,
            _NOTES,
        ],
    },
    Template.safety_plan: {
        "name": "Safety plan",
        "about": "A short plan, step by step, for getting through the hardest moments: "
        "warning signs, what helps, who to ask, and your reasons for living. It keeps its "
        "list of people in its crisis plan.",
        "sections": [*SAFETY_PLAN_SECTIONS, _CRISIS, _NOTES],
    },
}


def new_plan_sections(template: Template) -> list[dict]:
    """Fresh, empty sections for a new plan made from a template. What a section `shows` is
    the template's, not the plan's: the stored plan format stays as it is."""
    sections = deepcopy(TEMPLATES[template]["sections"])
    for section in sections:
        section.pop("shows", None)
        section.update(hidden=False, custom=False, entries=[])
    return sections
