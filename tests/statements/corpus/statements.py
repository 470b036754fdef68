"""The crisis statements behind the document corpus, written for it in varied wordings.

Each statement is a run of sections; each section has the heading its author wrote, the
field a careful reader would put its words in (None: no field fits, so "Anything else"
with the heading kept) and its items. `make_documents.py` lays each statement out as
Word, PDF, Markdown and plain text files in different ways, with what every file says.
"""

from dataclasses import dataclass, field


@dataclass
class Section:
    heading: str
    field: str | None
    items: list[str] = field(default_factory=list)
    # Rows of a table under the heading (a person's name and number stay together).
    rows: list[tuple[str, ...]] = field(default_factory=list)
    # An item whose own words put it in another field than the heading's (a refusal under
    # a heading about preferences): {item: field}.
    moved: dict[str, str] = field(default_factory=dict)


@dataclass
class Statement:
    slug: str
    title: str
    person: str
    sections: list[Section]
    author: str | None = None


STATEMENTS = [
    Statement(
        "sam",
        "Joint crisis plan",
        "Sam Taylor",
        [
            Section(
                "When I'm well",
                "when_well",
                ["I get up early, swim twice a week and ring my nan on Sundays."],
            ),
            Section(
                "Early signs that I am becoming unwell",
                "others_take_over",
                [
                    "I stop eating proper meals and live on toast.",
                    "I talk very fast and start projects at 3am.",
                ],
            ),
            Section(
                "People I trust to speak for me",
                "who_helps",
                rows=[
                    ("Priya Shah", "sister", "07700 900123"),
                    ("Jo Banks", "care coordinator", "0161 496 0000"),
                ],
            ),
            Section(
                "Preferred treatment and medication",
                "medicines_preferred",
                ["Olanzapine 10 mg at night has worked for me before."],
            ),
            Section(
                "Medication I do not want",
                "medicines_avoid",
                ["Haloperidol, because it made my legs shake."],
            ),
            Section("Allergies", "allergies", ["Penicillin brings me out in hives."]),
            Section(
                "Treatment I refuse",
                "treatments_refused",
                ["Electroconvulsive therapy, under any circumstances."],
            ),
            Section(
                "How I like to be spoken to",
                None,
                ["Call me Sam, and tell me what you are going to do before you do it."],
            ),
            Section(
                "Looking after my home and pets",
                "practical",
                [
                    "My cat Biscuit needs feeding morning and night; "
                    "the neighbour at number 4 has a key."
                ],
            ),
        ],
        author="Dr Ana Okafor",
    ),
    Statement(
        "jordan",
        "Jordan Lee's crisis plan",
        "Jordan Lee",
        [
            Section(
                "What I am like on a good day",
                "when_well",
                ["I'm sociable, I go to the climbing wall and I keep my flat tidy."],
            ),
            Section(
                "Warning signs",
                "others_take_over",
                ["Not answering messages for more than two days.", "Pacing at night."],
            ),
            Section(
                "Medicines that help me",
                "medicines_preferred",
                ["Sertraline 100 mg in the morning.", "Promethazine if I cannot sleep."],
            ),
            Section(
                "Tablets I will not take",
                "medicines_avoid",
                ["Lithium: the blood tests frighten me and it made me sick."],
            ),
            Section(
                "If I have to go into hospital",
                "where_treated",
                ["I would rather go to Willow Ward at the General than anywhere out of area."],
            ),
            Section(
                "Things that calm me down",
                "what_helps",
                ["A walk outside with one member of staff.", "Heavy metal on my headphones."],
            ),
            Section(
                "What makes things worse",
                "what_does_not_help",
                ["Lots of people talking at me at once.", "Being told to calm down."],
            ),
            Section(
                "Please keep these people out of it",
                "not_involved",
                ["My father, Martin Lee. He must not be told I am unwell."],
            ),
            Section(
                "My faith",
                None,
                ["I am a practising Buddhist and would like time to meditate each morning."],
            ),
        ],
    ),
    Statement(
        "aisha",
        "Advance statement for Aisha Rahman",
        "Aisha Rahman",
        [
            Section(
                "About me",
                "when_well",
                ["I teach Year 3, I love cooking for my family and I'm usually very organised."],
            ),
            Section(
                "Nominated person",
                "who_helps",
                ["My husband Imran Rahman, 07700 900456, can make decisions with the team."],
            ),
            Section(
                "Do not contact",
                "not_involved",
                ["My former employer, Brook Lane Primary School."],
            ),
            Section(
                "Medication preferences",
                "medicines_preferred",
                ["Quetiapine at a low dose helped me sleep last time."],
                moved={},
            ),
            Section(
                "Drug allergies",
                "allergies",
                ["Codeine makes my throat swell."],
            ),
            Section(
                "Where I would like to be cared for",
                "where_treated",
                ["At home with the crisis team visiting, for as long as that is safe."],
            ),
            Section(
                "Places I do not want to go",
                "where_not_treated",
                ["The private hospital in Leeds where I was sent in 2019."],
            ),
            Section(
                "Children and caring responsibilities",
                "practical",
                ["My sister-in-law Nadia will collect the children from school and keep them."],
            ),
            Section(
                "Food and prayer",
                None,
                ["I eat halal food and need somewhere quiet to pray five times a day."],
            ),
            Section(
                "Signed",
                "statement",
                ["Aisha Rahman, 12 January 2026, witnessed by Jo Banks."],
            ),
        ],
    ),
    Statement(
        "tomasz",
        "Crisis plan \u2013 Tomasz Nowak",
        "Tomasz Nowak",
        [
            Section(
                "Relapse indicators",
                "others_take_over",
                ["I start to believe the neighbours are watching me through the walls."],
            ),
            Section(
                "Who should be contacted",
                "who_helps",
                rows=[("Marta Nowak", "wife", "07700 900789")],
            ),
            Section(
                "Treatment preferences",
                "treatments_wanted",
                [
                    "Home treatment team visits rather than admission.",
                    "Do not use restraint on me; talk me down instead.",
                ],
                moved={"Do not use restraint on me; talk me down instead.": "treatments_refused"},
            ),
            Section(
                "Medicines I am happy to take",
                "medicines_preferred",
                ["Aripiprazole by mouth."],
            ),
            Section(
                "Medicines I want to avoid",
                "medicines_avoid",
                ["Depot injections of any kind."],
            ),
            Section(
                "What helps",
                "what_helps",
                ["Speaking Polish with someone if possible.", "Having my rosary with me."],
            ),
            Section(
                "Work",
                "practical",
                ["Please phone my manager at the depot, Gary, and say I am off sick."],
            ),
            Section(
                "Smoking",
                None,
                ["I smoke about ten a day; please offer me nicotine patches."],
            ),
        ],
    ),
    Statement(
        "bethan",
        "WELLNESS AND CRISIS PLAN",
        "Bethan Morgan",
        [
            Section(
                "What I'm like when I'm well",
                "when_well",
                ["Chatty, creative, up at seven with the dog."],
            ),
            Section(
                "Signs that others should take over",
                "others_take_over",
                ["I stop washing and won't open the curtains."],
            ),
            Section(
                "Supporters",
                "who_helps",
                ["Gwen (mum) 07700 900321 - she has my spare key."],
            ),
            Section(
                "Who I do not want involved",
                "not_involved",
                ["My ex-partner Rhys. Please don't share anything with him."],
            ),
            Section(
                "Treatments I want",
                "treatments_wanted",
                ["Talking therapy with the same therapist if possible."],
            ),
            Section(
                "Treatments I do not want",
                "treatments_refused",
                ["Seclusion. It terrified me last time."],
            ),
            Section(
                "Things that do not help",
                "what_does_not_help",
                ["Being left alone in a side room."],
            ),
            Section("Pets", "practical", ["Dog (Moss) to go to my mum's."]),
            Section(
                "How others will know I no longer need this plan",
                "no_longer_needed",
                ["When I'm walking Moss every day and answering my phone."],
            ),
            Section("Empty section", None, []),
        ],
    ),
    Statement(
        "kwame",
        "My advance statement of wishes",
        "Kwame Mensah",
        [
            Section(
                "What I would like to happen",
                None,
                ["I want people to know I made this plan when I was well."],
            ),
            Section(
                "Healthcare agent",
                "who_helps",
                ["My brother Kofi Mensah, 07700 900654, speaks for me if I can't."],
            ),
            Section(
                "Advance decision to refuse treatment",
                "treatments_refused",
                ["I refuse electroconvulsive therapy even if my life is at risk."],
            ),
            Section(
                "Medication that has helped",
                "medicines_preferred",
                ["Risperidone 2 mg helped within a week."],
            ),
            Section(
                "Medications that don't agree with me",
                "medicines_avoid",
                ["Clozapine made me drool and put on weight."],
            ),
            Section(
                "Places to avoid",
                "where_not_treated",
                ["Any ward where I would have to share a dormitory."],
            ),
            Section(
                "Bills and money",
                "practical",
                ["My rent is paid by standing order; please tell the housing office I'm unwell."],
            ),
            Section(
                "Music",
                None,
                ["Gospel music on a low volume helps me settle."],
            ),
            Section(
                "Review date",
                "statement",
                ["To be reviewed in March 2027 with my care coordinator."],
            ),
        ],
    ),
    Statement(
        "rosie",
        "Crisis card",
        "Rosie O'Brien",
        [
            Section(
                "In a crisis, please contact",
                "who_helps",
                rows=[
                    ("Declan O'Brien", "dad", "07700 900987"),
                    ("Crisis line", "24 hours", "0800 555 0199"),
                ],
            ),
            Section(
                "Allergies and reactions",
                "allergies",
                ["Latex.", "Ibuprofen sets off my asthma."],
            ),
            Section(
                "Medication",
                None,
                ["Fluoxetine 20 mg each morning.", "Never give me diazepam."],
                moved={"Never give me diazepam.": "medicines_avoid"},
            ),
            Section(
                "What helps me",
                "what_helps",
                ["A weighted blanket and a quiet room."],
            ),
            Section(
                "Triggers",
                "what_does_not_help",
                ["Shouting and slammed doors."],
            ),
            Section(
                "My hearing",
                None,
                ["I am deaf in my left ear; please sit on my right."],
            ),
        ],
    ),
    Statement(
        "li",
        "Plan for when I am in crisis",
        "Li Wei Chen",
        [
            Section(
                "Me when things are going well",
                "when_well",
                ["I run a small online shop and play badminton on Thursdays."],
            ),
            Section(
                "How you will know I am struggling",
                "others_take_over",
                ["I stop replying in the family group chat and sleep all day."],
            ),
            Section(
                "People to involve",
                "who_helps",
                ["My partner Sophie Green, 07700 900111, and my GP Dr Patel."],
            ),
            Section(
                "People who should not be involved",
                "not_involved",
                ["My cousin Ming. He should not be contacted about my health."],
            ),
            Section(
                "Where I would prefer to be treated",
                "where_treated",
                ["Oak Ward at St Luke's, because it is near home."],
            ),
            Section(
                "Treatment I would not agree to",
                "treatments_refused",
                ["Being sent to a unit out of area."],
            ),
            Section(
                "Practical arrangements",
                "practical",
                ["Sophie can look after the shop orders; the password is in the blue notebook."],
            ),
            Section(
                "When this plan can stop",
                "no_longer_needed",
                ["When I am back at badminton and replying to messages again."],
            ),
            Section(
                "Diet",
                None,
                ["I am vegetarian and do not drink alcohol."],
            ),
        ],
    ),
    Statement(
        "priya",
        "Mental health crisis and contingency plan",
        "Priya Sharma",
        [
            Section(
                "Things the ward should know about me",
                None,
                ["I have type 1 diabetes and check my sugar four times a day."],
            ),
            Section(
                "Medication I'm OK with",
                "medicines_preferred",
                ["Mirtazapine 15 mg at bedtime."],
            ),
            Section(
                "Please don't give me",
                "medicines_avoid",
                ["Chlorpromazine - I had a bad reaction in 2018."],
            ),
            Section(
                "My advocate",
                "who_helps",
                ["Hannah at the local advocacy service, 0114 496 0321."],
            ),
            Section(
                "Keep away from me",
                "not_involved",
                ["My uncle Raj Sharma. Do not let him visit."],
            ),
            Section(
                "If I am admitted",
                None,
                ["Please let me keep my phone so I can text my daughter."],
            ),
            Section(
                "Who will look after my daughter",
                "practical",
                ["My friend Leah will take Anya to school and keep her with her family."],
            ),
        ],
    ),
    Statement(
        "owen",
        "Owen Price - advance statement",
        "Owen Price",
        [
            Section(
                "How I am normally",
                "when_well",
                ["Quiet but friendly; I volunteer at the food bank on Saturdays."],
            ),
            Section(
                "Signs I'm getting ill",
                "others_take_over",
                ["Hearing my late father's voice telling me I've done wrong."],
            ),
            Section(
                "Contacts",
                "who_helps",
                rows=[
                    ("Carys Price", "mother", "01632 960123"),
                    ("Dr Ahmed", "GP", "01632 960456"),
                ],
            ),
            Section(
                "Medication",
                None,
                [
                    "I am happy to take zopiclone for a few nights.",
                    "I do not want olanzapine again because of the weight gain.",
                ],
                moved={
                    "I am happy to take zopiclone for a few nights.": "medicines_preferred",
                    "I do not want olanzapine again because of the weight gain.": "medicines_avoid",
                },
            ),
            Section(
                "Hospital",
                None,
                ["Never send me to Ash Ward again."],
                moved={"Never send me to Ash Ward again.": "where_not_treated"},
            ),
            Section(
                "Helpful things staff can do",
                "what_helps",
                ["Give me time to answer; I think slowly when I'm unwell."],
            ),
            Section(
                "Unhelpful things",
                "what_does_not_help",
                ["Bright lights and the television on loud."],
            ),
            Section(
                "Sport",
                None,
                ["I support Cardiff City; talking football relaxes me."],
            ),
        ],
    ),
]
