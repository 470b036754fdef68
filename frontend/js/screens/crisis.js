// The crisis plan, one tap from anywhere: what the person wants to happen, in their words, in
// few of them: whom to call, what helps, what not to do, medicines to avoid, then the rest of
// what is written (empty prompts are left out; the full section stays one tap away).
// Things in it that may not agree are shown for the person to decide; nothing is changed for
// them. "Keep both" is remembered in the plan (a normal, synced edit of the section).
import { api } from "../api.js";
import { fill, h } from "../dom.js";
import * as store from "../store.js";
import { button, entryView, hasPhoneNumber, load, page } from "../ui.js";
import { dangerNow } from "./today.js";

/** Still about the plan as this phone has it: both entries there, with the same words. */
const stillThere = (contradiction, section) =>
  contradiction.sides.every((side) => section.entries.some((e) => e.id === side.id && e.text === side.text));

async function contradictionsOf(plan, section) {
  const { data, notice } = await load(() => api(`/plans/${plan.id}/contradictions`), "Checking for things that may not agree");
  return notice ? { notice } : { found: data.filter((c) => stillThere(c, section)) };
}

function contradictionCard(plan, section, contradiction, rerender) {
  const kept = section.kept_contradictions ?? [];
  const isKept = kept.includes(contradiction.key);
  const keep = async (keys) => {
    await store.editSection(plan, section, { kept_contradictions: keys });
    rerender();
  };
  return h(
    "li",
    { class: `card contradiction${isKept ? " kept" : ""}` },
    h("p", {}, contradiction.message),
    h(
      "ul",
      {},
      contradiction.sides.map((side) => h("li", {}, h("q", {}, side.text), ` (${side.field_label})`))
    ),
    isKept
      ? h("p", { class: "hint" }, "You've seen this and chose to keep both. It shows like this on your crisis card.")
      : h(
          "p",
          { class: "hint" },
          "You decide: change or remove one of them, or keep both if both are right. Until then, your crisis card says you haven't decided."
        ),
    h(
      "div",
      { class: "row" },
      isKept
        ? button("Ask me again about this", () => keep(kept.filter((key) => key !== contradiction.key)))
        : button("Keep both", () => keep([...kept, contradiction.key]), { class: "primary" }),
      h("a", { href: `#/plan/${section.key}`, class: "button secondary" }, "Change or remove one")
    )
  );
}

// With no connection nothing is said: in a crisis, fewer words.
function contradictionsPart(plan, section, { found }, rerender) {
  if (!found?.length) return null;
  const waiting = found.filter((c) => !(section.kept_contradictions ?? []).includes(c.key));
  return h(
    "section",
    { class: "contradictions", "aria-labelledby": "contradictions-heading" },
    h("h2", { id: "contradictions-heading" }, "Things that may not agree"),
    h(
      "p",
      {},
      waiting.length
        ? `${waiting.length === 1 ? "One thing" : `${waiting.length} things`} in your crisis plan may not agree. Whoever reads it in a crisis will see this too.`
        : "You've looked at each of these and chose to keep both."
    ),
    h(
      "ul",
      { class: "cards" },
      found.map((c) => contradictionCard(plan, section, c, rerender))
    )
  );
}

// First what is needed in the moment, in this order; then the rest, only what is written.
const FIRST = [
  ["What helps", ["what_helps"]],
  ["What doesn't help", ["what_does_not_help"]],
  ["Medicines to avoid", ["medicines_avoid", "allergies"]],
];
const CALL = "who_helps";

/** Entries under `prompts`, each with its prompt's words when there are several. */
function part(heading, section, prompts, entries) {
  const shown = entries.filter((e) => prompts.includes(e.prompt));
  if (!shown.length) return null;
  const named = new Map(section.prompts.map((p) => [p.key, p.text]));
  return h(
    "section",
    { class: "crisis-part", "aria-label": heading },
    h("h2", {}, heading),
    h(
      "ul",
      { class: "entries" },
      shown.map((e) =>
        h(
          "li",
          {},
          prompts.length > 1 ? h("p", { class: "hint" }, named.get(e.prompt)) : null,
          entryView(e)
        )
      )
    )
  );
}

/** Whom to call: who the person wants to help, and any entry elsewhere with a number in it. */
function peopleToCall(plan, section) {
  const helpers = section.entries.filter((e) => e.prompt === CALL);
  const withNumbers = plan.sections
    .filter((s) => !s.hidden)
    .flatMap((s) => s.entries)
    .filter((e) => e.prompt !== CALL && hasPhoneNumber(e.text));
  const people = [...helpers, ...withNumbers];
  if (!people.length) return null;
  return h(
    "section",
    { class: "crisis-part call", "aria-labelledby": "call-heading" },
    h("h2", { id: "call-heading" }, "People to call"),
    h(
      "ul",
      { class: "entries" },
      people.map((e) => h("li", {}, entryView(e)))
    )
  );
}

export const crisis = {
  live: true,
  async render(_params, { navigate, rerender }) {
    const plan = await store.currentPlan();
    const section = plan?.sections.find((s) => s.today === "crisis");
    if (!section) {
      navigate(plan ? "plan" : "welcome");
      return {};
    }
    // Shown as soon as it's ready: the plan on this phone never waits for the server.
    const contradictions = h("div", { class: "contradictions-place" });
    if (section.entries.length > 1)
      contradictionsOf(plan, section).then((found) =>
        fill(contradictions, contradictionsPart(plan, section, found, rerender))
      );
    const firstKeys = [CALL, ...FIRST.flatMap(([, keys]) => keys)];
    const rest = section.prompts.filter((p) => !firstKeys.includes(p.key));
    const loose = section.entries.filter((e) => !section.prompts.some((p) => p.key === e.prompt));
    return page(
      "My crisis plan",
      dangerNow(),
      section.entries.length
        ? null
        : h("p", {}, "Nothing is written here yet. Write it while you're well, in your own words."),
      peopleToCall(plan, section),
      FIRST.map(([heading, keys]) => part(heading, section, keys, section.entries)),
      contradictions,
      rest.map((p) => part(p.text, section, [p.key], section.entries)),
      loose.length
        ? h(
            "section",
            { class: "crisis-part", "aria-label": "Also" },
            h("h2", {}, "Also"),
            h(
              "ul",
              { class: "entries" },
              loose.map((e) => h("li", {}, entryView(e)))
            )
          )
        : null,
      h(
        "div",
        { class: "row" },
        h("a", { href: `#/plan/${section.key}`, class: "button secondary" }, "Change my crisis plan"),
        h("a", { href: "#/crisis-card", class: "button secondary" }, "Crisis card for emergencies")
      )
    );
  },
};
