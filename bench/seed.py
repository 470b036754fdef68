"""Data at scale: N people (100,000 unless told) with full plans and their history, shares,
comments and access-log lines, for the scale and load benchmarks.

Rows go in by bulk inserts through SQLAlchemy Core on the app's own tables, in batches, so
each column's own type (UTC times, JSON, and whatever a column type does to a value on its
way into the database) applies exactly as it does when the app writes.

    .venv/bin/python bench/seed.py --database-url postgresql://.../db [--reset]
    .venv/bin/python bench/seed.py --database-url sqlite:////tmp/seed.db --quick

What it makes (the same every time: a fixed random seed):
  - person{i}@example.org: a Green Book or a WRAP (alternately) with 20-60 entries in
    their own words, at version 3 with three revisions (the new plan, about half of the
    entries, all of them); every fifth person also has a shorter plan of the other kind;
  - worker{j}@example.org, link workers (one per 500 people, at least 5): worker0 holds
    1,000 live shares (the benchmarks sign in as worker0), worker1 and worker2 up to 1,000
    each, the others the shares of every third remaining person; every tenth person also
    shares the crisis plan with another person (a carer); one share in 50 is revoked;
  - comments on shares that allow them, some with the owner's reply, and access-log lines
    for every share (made, accepted, opened, revoked).
Every seeded account has the password PASSWORD under one argon2 hash made once: argon2 is
deliberately slow (tens of milliseconds a hash), so a hash per account would take over an
hour for 100,000 people.

The database is migrated first, so an empty one is fine; one that already holds accounts is
refused unless --reset, which empties it (drops PostgreSQL's public schema, deletes a
SQLite file) and starts over. Prints what it made and how long it took, and writes that to
bench/results/seed.json.
"""

import argparse
import random
import secrets
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlmodel import SQLModel

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import app.models  # noqa: E402, F401  (every table on the metadata)
from app.core.db import build_engine  # noqa: E402
from app.core.security import hash_password  # noqa: E402
from app.plans.document import changes_between, outline_of  # noqa: E402
from app.plans.history import first_sizes, kept_for  # noqa: E402
from app.plans.templates import CRISIS_SECTION, TEMPLATES, Template, new_plan_sections  # noqa: E402
from bench.server import empty_database, migrate, save_result  # noqa: E402

PASSWORD = "a long benchmark passphrase"
FULL_PEOPLE, QUICK_PEOPLE = 100_000, 3_000
BUSY_SHARES = 1_000  # live shares held by each of the busiest workers
PEOPLE_PER_BATCH = 1_000  # one transaction each
TABLES = SQLModel.metadata.tables
SHARED_WITH_WORKERS = ["crisis", "triggers", "early_warning_signs"]


def person_email(i: int) -> str:
    return f"person{i}@example.org"


def worker_email(j: int) -> str:
    return f"worker{j}@example.org"


# ---- words --------------------------------------------------------------------------------

PETS = ["Biscuit", "Luna", "Dexter", "Maisie", "Pip", "Bramble", "Otis", "Nala"]
PEOPLE = ["my sister", "my brother", "Mum", "Dad", "my friend Sam", "my neighbour Pat", "Jo"]
PLACES = ["the canal", "the park", "the allotment", "the seafront", "the library", "the woods"]
TIMES = [
    "on Sunday evenings",
    "first thing in the morning",
    "after a late shift",
    "in the winter months",
    "around anniversaries",
    "when the clocks change",
]
# What a person writes, by section; {pet}, {who}, {place} and {when} are their own.
WORDS = {
    "well": [
        "Walking {pet} along {place} before the streets get busy",
        "A phone call with {who}, even a short one, {when}",
        "Cooking a proper meal and eating it at the table, not on the sofa",
        "Going to bed before midnight and getting up at the same time",
        "Sitting by {place} with a flask of tea and no phone",
        "Swimming at the leisure centre, slow lengths, nobody talking to me",
        "Writing three things down that went all right today",
        "Music on loud while I clean the kitchen",
        "When I'm well I laugh easily, I plan things and I answer {who}'s messages",
    ],
    "triggers": [
        "Letters in brown envelopes; I leave them unopened for days",
        "Loud rooms and being rushed, people talking about me instead of to me",
        "Arguments at home, especially {when}",
        "Being told to calm down",
        "Not sleeping for two nights running",
        "Money running out before the end of the month",
        "Crowded buses. I will get off a stop early and walk by {place}",
        "Hearing about the hospital on the news",
    ],
    "signs": [
        "I stop answering {who}'s messages and stay in bed past noon",
        "I stop walking {pet} and ask someone else to do it",
        "I start staying up all night tidying things that are already tidy",
        "I can't follow a TV programme to the end",
        "I eat nothing all day and then too much at night",
        "I feel everyone is looking at me in the shop",
        "I start giving things away",
        "My thoughts go too fast to write them down",
    ],
    "crisis": [
        "Please call {who} first; the number is in my phone under ICE",
        "Please speak slowly, tell me what is happening, and let me keep my headphones",
        "Someone needs to feed {pet} twice a day: the food is in the blue cupboard",
        "I do not want to be restrained. If I must go somewhere, I would rather walk",
        "I would like to be treated at home if at all possible",
        "Olanzapine made me gain weight and feel flat; please ask before using it again",
        "The rent is paid by direct debit; the gas needs topping up on the meter",
        "You'll know I'm better when I start making plans again",
    ],
    "after": [
        "Short walks with {pet}, building up a bit each day",
        "A few days without visitors, then {who} for an hour",
        "Going back to work part-time first",
        "I'm ready when I can read for half an hour",
    ],
    "life": [
        "A job where I'm outdoors, maybe at {place}",
        "Living somewhere with a garden, and {pet} getting old with me",
        "Doing an evening class in pottery",
        "Seeing {who} every week without it being about my health",
    ],
    "risks": [
        "Going to a gig on my own, because music matters to me",
        "Coming off one of my tablets slowly, with my GP",
        "Travelling to see {who} by train",
    ],
    "support": [
        "{who} has agreed to ring me {when}",
        "My link worker will come with me to the housing office",
        "My GP will see me within a week if I ask",
        "A neighbour has a key and will look after {pet}",
    ],
    "went_well": [
        "I went to the group at {place} three weeks running",
        "I told {who} how I was really feeling, and it went fine",
        "I sorted out the letters with help and nothing bad happened",
        "I slept eight hours four nights in a row",
    ],
    "notes": [
        "The peer support group meets on Thursdays at 2pm at {place}",
        "Crisis line number is on the fridge",
        "Leaflet from the library about sleep, page 3 is the useful bit",
    ],
}
SECTION_WORDS = {
    "keeping_well": "well",
    "wellness_toolbox": "well",
    "daily_maintenance": "well",
    "triggers": "triggers",
    "early_warning_signs": "signs",
    "bad_days": "signs",
    "breaking_down": "signs",
    "crisis": "crisis",
    "post_crisis": "after",
    "life_beyond_services": "life",
    "positive_risks": "risks",
    "support_agreed": "support",
    "things_that_went_well": "went_well",
    "notes": "notes",
}
ENDINGS = [
    ".",
    ". It helps more than I expect.",
    ". I wrote this on a good day.",
    " - {who} knows about this.",
    ", more than anything else.",
    ". Remind me of this if I forget.",
]
COMMENTS = [
    "Thank you for sharing this. Shall we look at this together at our next session?",
    "This is really clear. Would it help to add who to call out of hours?",
    "I've noticed this too when we've met. Good that it's written down.",
    "Could we talk about what helped last time this happened?",
]
REPLIES = ["Yes, let's do that.", "Good idea, I'll add it.", "Thanks, I'd rather leave it."]


def _pick(items: list, draw: float):
    return items[int(draw * len(items))]


_UUID4_CLEAR, _UUID4_SET = ~((0xF << 76) | (0x3 << 62)), (0x4 << 76) | (0x2 << 62)


def entry_id(rng: random.Random) -> str:
    """A random version-4 UUID as text, from the seeded generator (and fast: entries are
    counted in millions)."""
    h = f"{rng.getrandbits(128) & _UUID4_CLEAR | _UUID4_SET:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class Writer:
    """One person's voice: their own pet, people, places and times."""

    def __init__(self, rng: random.Random) -> None:
        self.draw = rng.random
        self.details = {
            "pet": rng.choice(PETS),
            "who": rng.choice(PEOPLE),
            "place": rng.choice(PLACES),
            "when": rng.choice(TIMES),
        }

    def entry_text(self, section_key: str) -> str:
        words = WORDS[SECTION_WORDS.get(section_key, "notes")]
        return (_pick(words, self.draw()) + _pick(ENDINGS, self.draw())).format(**self.details)


# ---- rows ---------------------------------------------------------------------------------

TEMPLATE_SECTIONS = {template: new_plan_sections(template) for template in Template}
# Where a person writes (not the goals section, whose entries need goal details), and the
# prompts of each such section (every one has some).
WRITABLE = {
    template: (
        [s["key"] for s in sections if s["kind"] != "goals"],
        {s["key"]: [p["key"] for p in s["prompts"]] for s in sections},
    )
    for template, sections in TEMPLATE_SECTIONS.items()
}
TITLES = {
    template: {s["key"]: s["title"] for s in TEMPLATES[template]["sections"]}
    for template in Template
}


def _sections_with(template: Template, entries: list[tuple[str, dict]]) -> list[dict]:
    """The template's sections holding these (section key, entry) pairs, in order."""
    by_key: dict[str, list[dict]] = {}
    for key, entry in entries:
        by_key.setdefault(key, []).append(entry)
    return [{**s, "entries": by_key.get(s["key"], [])} for s in TEMPLATE_SECTIONS[template]]


def _names(template: Template, keys: list[str]) -> list[dict[str, str]]:
    return [{"key": k, "title": TITLES[template][k]} for k in keys]


def entry_rows(plan_id: uuid.UUID, owner_id: uuid.UUID, sections: list[dict]) -> list[dict]:
    """The `plan_entry` rows of a plan whose body is `sections`, in their order."""
    return [
        {
            "plan_id": plan_id,
            "section_key": section["key"],
            "id": uuid.UUID(entry["id"]),
            "owner_id": owner_id,
            "position": position,
            "content": entry,
        }
        for section in sections
        for position, entry in enumerate(section["entries"], start=1)
    ]


class Seeder:
    def __init__(self, people: int, now: datetime) -> None:
        self.people = people
        self.now = now
        self.password_hash = hash_password(PASSWORD)
        self.person_ids = [uuid.uuid4() for _ in range(people)]
        self.workers = [
            self._user(worker_email(j), f"Link worker {j}", "link_worker", "Riverside")
            for j in range(max(5, people // 500))
        ]
        self.counts: dict[str, int] = dict.fromkeys(
            [
                "user_account",
                "plan",
                "plan_entry",
                "plan_revision",
                "share",
                "plan_comment",
                "access_log",
            ],
            0,
        )

    def _user(self, email: str, name: str, role: str = "person", organisation=None) -> dict:
        return {
            "id": uuid.uuid4(),
            "email": email,
            "password_hash": self.password_hash,
            "display_name": name,
            "role": role,
            "organisation": organisation,
            "created_at": self.now - timedelta(days=400),
        }

    def users(self, start: int, stop: int) -> list[dict]:
        return [
            self._user(person_email(i), f"Person {i}") | self._person(i) for i in range(start, stop)
        ]

    def _person(self, i: int) -> dict:
        """What other rows quote of person i."""
        return {
            "id": self.person_ids[i],
            "display_name": f"Person {i}",
            "role": "person",
            "organisation": None,
        }

    def plan(self, owner: dict, template: Template, entries: int, rng: random.Random):
        """A plan row, its entry rows and its three revisions."""
        writer = Writer(rng)
        created = self.now - timedelta(days=rng.uniform(30, 400))
        updated = created + (self.now - created) * rng.uniform(0.5, 1)
        middle = created + (updated - created) / 2
        half = entries // 2
        # Entries arrive in two syncs, as the revisions below say.
        synced = [middle.isoformat(), updated.isoformat()]
        keys, prompts = WRITABLE[template]
        written = []
        for n in range(entries):
            key = _pick(keys, writer.draw())
            at = synced[n >= half]
            entry = {
                "id": entry_id(rng),
                "text": writer.entry_text(key),
                "prompt": _pick(prompts[key], writer.draw()) if writer.draw() < 0.7 else None,
                "goal": None,
                "created_at": at,
                "updated_at": at,
            }
            written.append((key, entry))
        plan_id = uuid.uuid4()
        title = f"My {TEMPLATES[template]['name'].split(' (')[0]}"
        history = [
            (created, [], "Plan created"),
            (middle, written[:half], f"Synced {half} changes from a device"),
            (updated, written, f"Synced {entries - half} changes from a device"),
        ]
        bodies = [_sections_with(template, so_far) for _, so_far, _ in history]
        sizes = SimpleNamespace(**first_sizes(bodies[0]))
        revisions = []
        for number, ((at, _, summary), body) in enumerate(
            zip(history, bodies, strict=True), start=1
        ):
            if number == 1:
                kept = {"snapshot": body, "changes": None}
            else:
                steps = changes_between(bodies[number - 2], body)
                kept, new_sizes = kept_for(sizes, steps, lambda body=body: body)
                kept = {"snapshot": None, "changes": None} | kept
                vars(sizes).update(new_sizes)
            revisions.append(
                {
                    "plan_id": plan_id,
                    "owner_id": owner["id"],
                    "number": number,
                    "title": title,
                    "summary": summary,
                    "author_id": owner["id"],
                    "author_name": owner["display_name"],
                    "created_at": at,
                    **kept,
                }
            )
        plan = {
            "id": plan_id,
            "owner_id": owner["id"],
            "template": template.value,
            "title": title,
            "version": len(history),
            "outline": outline_of(bodies[-1]),
            "snapshot_size": sizes.snapshot_size,
            "changes_size": sizes.changes_size,
            "created_at": created,
            "updated_at": updated,
        }
        return plan, entry_rows(plan_id, owner["id"], bodies[-1]), revisions

    def grantee_for(self, i: int) -> dict | None:
        if i < BUSY_SHARES:
            return self.workers[0]
        if i < 3 * BUSY_SHARES:
            return self.workers[1 + i % 2]
        if i % 3 == 0:
            return self.workers[3 + i % (len(self.workers) - 3)]
        return None

    def share_rows(self, plan: dict, owner: dict, grantee: dict, keys, label, rng, revoke):
        """A share that was accepted and opened, its comments and its access-log lines."""
        template = Template(plan["template"])
        sections = _names(template, keys)
        permission = rng.choice(["view", "comment", "suggest"])
        made = plan["created_at"] + (plan["updated_at"] - plan["created_at"]) / 3
        accepted = made + timedelta(hours=rng.uniform(1, 72))
        viewed = accepted + (self.now - accepted) * rng.uniform(0.1, 0.9)
        ended = viewed + (self.now - viewed) / 2 if revoke else None
        share = {
            "id": uuid.uuid4(),
            "plan_id": plan["id"],
            "owner_id": owner["id"],
            "grantee_id": grantee["id"],
            "sections": keys,
            "permission": permission,
            "label": label,
            "invite_digest": secrets.token_hex(32),
            "invite_expires_at": made + timedelta(days=7),
            "created_at": made,
            "plan_updated_at": plan["updated_at"],
            "accepted_at": accepted,
            "last_viewed_at": viewed,
            "last_viewed_version": plan["version"] - 1,
            "seen_digests": {},
            "ended_at": ended,
            "end_reason": "revoked" if revoke else None,
        }

        def line(event: str, at: datetime, by: dict, summary: str) -> dict:
            return {
                "owner_id": owner["id"],
                "plan_id": plan["id"],
                "at": at,
                "event": event,
                "summary": summary,
                "author_id": by["id"],
                "author_name": by["display_name"],
                "author_role": by["role"],
                "author_organisation": by["organisation"],
                "share_id": share["id"],
                "crisis_card_id": None,
                "sections": sections,
            }

        titles = ", ".join(s["title"] for s in sections)
        who = grantee["display_name"]
        log = [
            line("share_created", made, owner, f"You made an invite to {permission}: {titles}."),
            line("share_accepted", accepted, grantee, f"{who} accepted your invite: {titles}."),
        ]
        for n in range(rng.randint(1, 3)):
            at = accepted + (viewed - accepted) * (n + 1) / 3
            log.append(line("viewed_plan", at, grantee, f"{who} opened your plan: {titles}."))
        if ended:
            log.append(line("share_revoked", ended, owner, f"You revoked the share with {who}."))
        comments, replies = [], []
        if permission != "view" and rng.random() < 0.4:
            for _ in range(rng.randint(1, 2)):
                comment = self._comment(share, grantee, rng.choice(keys), rng.choice(COMMENTS))
                comment["created_at"] = viewed
                comments.append(comment)
                if rng.random() < 0.5:
                    answer = self._comment(
                        share, owner, comment["section_key"], rng.choice(REPLIES)
                    )
                    answer.update(reply_to_id=comment["id"], created_at=viewed + timedelta(days=1))
                    replies.append(answer)
        return share, comments, replies, log

    def _comment(self, share: dict, by: dict, section_key: str, words: str) -> dict:
        return {
            "id": uuid.uuid4(),
            "plan_id": share["plan_id"],
            "owner_id": share["owner_id"],
            "share_id": share["id"],
            "reply_to_id": None,
            "section_key": section_key,
            "text": words,
            "author_id": by["id"],
            "author_name": by["display_name"],
            "author_role": by["role"],
            "author_organisation": by["organisation"],
        }

    def batch(self, start: int) -> list[tuple[str, list[dict]]]:
        """Everything of the people from `start` on, as (table, rows) in insertion order."""
        stop = min(self.people, start + PEOPLE_PER_BATCH)
        people = [self._person(i) for i in range(start, stop)]
        rows: dict[str, list[dict]] = {name: [] for name in self.counts if name != "user_account"}
        replies = []
        share_number = 0
        for i, owner in zip(range(start, stop), people, strict=True):
            rng = random.Random(i)
            template = Template.green_book if i % 2 == 0 else Template.wrap
            plan, entries, revisions = self.plan(owner, template, rng.randint(20, 60), rng)
            rows["plan"].append(plan)
            rows["plan_entry"] += entries
            rows["plan_revision"] += revisions
            if i % 5 == 0:
                other = Template.wrap if template == Template.green_book else Template.green_book
                second, second_entries, history = self.plan(owner, other, rng.randint(5, 15), rng)
                rows["plan"].append(second)
                rows["plan_entry"] += second_entries
                rows["plan_revision"] += history
            grants = []
            if (worker := self.grantee_for(i)) is not None:
                grants.append((worker, SHARED_WITH_WORKERS, "link_worker", i >= 3 * BUSY_SHARES))
            if i % 10 == 5 and self.people > 1:
                carer = self._person((i + 1) % self.people)
                grants.append((carer, [CRISIS_SECTION], "carer", False))
            for grantee, keys, label, may_revoke in grants:
                share_number += 1
                revoke = may_revoke and share_number % 50 == 0
                share, comments, answers, log = self.share_rows(
                    plan, owner, grantee, keys, label, rng, revoke
                )
                rows["share"].append(share)
                rows["plan_comment"] += comments
                replies += answers
                rows["access_log"] += log
        return [*rows.items(), ("plan_comment", replies)]


def _insert(connection, table: str, rows: list[dict]) -> None:
    # Plain executemany: psycopg pipelines it, faster here than SQLAlchemy's multi-row
    # VALUES batches. Each value goes through its column's type either way.
    if rows:
        connection.execute(insert(TABLES[table]), rows)


def seed(database_url: str, people: int, reset: bool = False) -> dict[str, Any]:
    """Seeds the database (migrating it first); returns what it made and how long it took."""
    if reset:
        empty_database(database_url, reset=True)
    migrate(database_url)
    engine = build_engine(database_url)
    with engine.connect() as connection:
        accounts = connection.execute(select(func.count()).select_from(TABLES["user_account"]))
        if accounts.scalar_one():
            sys.exit(f"{database_url} already holds accounts; pass --reset to start over.")
    started = time.perf_counter()
    seeder = Seeder(people, datetime.now(UTC))
    counts = seeder.counts
    with engine.begin() as connection:
        _insert(connection, "user_account", seeder.workers)
        counts["user_account"] += len(seeder.workers)
        for start in range(0, people, 10 * PEOPLE_PER_BATCH):
            rows = seeder.users(start, min(people, start + 10 * PEOPLE_PER_BATCH))
            _insert(connection, "user_account", rows)
            counts["user_account"] += len(rows)
    # The next batch is made while the database stores this one.
    with ThreadPoolExecutor(max_workers=1) as maker:
        upcoming = maker.submit(seeder.batch, 0)
        for start in range(0, people, PEOPLE_PER_BATCH):
            batch = upcoming.result()
            stop = min(people, start + PEOPLE_PER_BATCH)
            if stop < people:
                upcoming = maker.submit(seeder.batch, stop)
            with engine.begin() as connection:
                for table, rows in batch:
                    _insert(connection, table, rows)
                    counts[table] += len(rows)
            if stop % (10 * PEOPLE_PER_BATCH) == 0 or stop == people:
                print(f"  {stop:,} people ({time.perf_counter() - started:.0f} s)", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()
    return {
        "database": engine.dialect.name,
        "people": people,
        "rows": counts,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True, help="SQLite file or PostgreSQL")
    parser.add_argument("--people", type=int, help=f"how many people (default {FULL_PEOPLE:,})")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_PEOPLE:,} people (CI)")
    parser.add_argument("--reset", action="store_true", help="empty the database first")
    args = parser.parse_args()
    people = args.people or (QUICK_PEOPLE if args.quick else FULL_PEOPLE)
    result = seed(args.database_url, people, args.reset)
    rows = ", ".join(f"{count:,} {table}" for table, count in result["rows"].items())
    print(f"seeded {result['database']} with {people:,} people in {result['seconds']} s: {rows}")
    print("(all accounts share one argon2 hash of the benchmark password: hashing is slow)")
    save_result("seed", result, quick=args.quick)


if __name__ == "__main__":
    main()
