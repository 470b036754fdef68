// "How are you today?": one tap keeps the answer as a check-in and opens the matching part
// of the person's own plan.
import { addNote, checkIn } from "../checkins.js";
import { formatDateTime, h } from "../dom.js";
import * as store from "../store.js";
import { syncNow } from "../sync.js";
import { answersByPrompt, backLink, button, field, form, page, textArea } from "../ui.js";

export const STATES = {
  well: {
    answer: "I'm well",
    title: "You're feeling well",
    words: "Good to hear. Here's what keeps you well.",
  },
  triggered: {
    answer: "Something triggered me",
    title: "Something triggered you",
    words: "Thank you for noticing. Here's what you planned for this.",
  },
  early_warning_signs: {
    answer: "I'm noticing early warning signs",
    title: "Early warning signs",
    words: "Noticing early is a strength. Here's your plan for these signs.",
  },
  breaking_down: {
    answer: "Things are breaking down",
    title: "Things are breaking down",
    words: "You're not alone. Here's what you said helps now.",
  },
  crisis: {
    answer: "I'm in crisis",
    title: "You're in crisis",
    words: "You wrote this plan for a moment like this.",
  },
};

export const dangerNow = () =>
  h(
    "p",
    { class: "danger-line" },
    "If you're in danger now, call ",
    h("a", { href: "tel:999" }, "999"),
    ". To talk to someone any time, call Samaritans on ",
    h("a", { href: "tel:116123" }, "116 123"),
    "."
  );

let kept = null; // the check-in made by the last answer tapped: { state, id, at }

async function keep(state) {
  const plan = await store.currentPlan();
  if (!plan) return;
  kept = { state, ...(await checkIn(plan, state)) };
  syncNow();
}

export const ask = {
  render() {
    return page(
      "How are you today?",
      h("p", {}, "Choose what fits best. Your own plan for it opens straight away."),
      h(
        "ul",
        { class: "today-choices" },
        Object.entries(STATES).map(([key, state]) =>
          h(
            "li",
            {},
            h(
              "a",
              { href: `#/today/${key}`, class: `button today today-${key}`, onclick: () => keep(key) },
              state.answer
            )
          )
        )
      ),
      h("p", { class: "hint" }, "Each answer is kept in your check-ins, so you can look back at how things went."),
      h("p", {}, h("a", { href: "#/progress" }, "How the last weeks went"))
    );
  },
};

/** Where the check-in stands on the answer screen: kept (with a note to add), or a way to
 * keep it when the screen was opened some other way than by tapping an answer. */
function checkInPart(state, { refresh, focusNext }) {
  if (kept?.state !== state) {
    return h(
      "p",
      {},
      button("Keep this in my check-ins", async () => {
        await keep(state);
        focusNext("check-in-note");
        refresh();
      })
    );
  }
  const noteForm = form(
    async (f) => {
      f.removeAttribute("data-dirty");
      kept.note = f.note.value.trim();
      await addNote(kept.id, kept.note);
      syncNow();
      focusNext("check-in-kept");
      refresh();
    },
    field(
      "A note with this check-in (you don't have to)",
      textArea("note", kept.note ?? "", { id: "check-in-note", rows: 2 }),
      "What helped, or anything you want to remember. Only you see it unless you choose to share your check-ins."
    ),
    h("button", { type: "submit", class: "secondary" }, kept.note ? "Save the note" : "Add the note")
  );
  return h(
    "section",
    { class: "check-in", "aria-label": "Your check-in" },
    h(
      "p",
      { id: "check-in-kept", tabindex: "-1" },
      `Kept in your check-ins, ${formatDateTime(kept.at)}.`,
      kept.note ? ` Your note: “${kept.note}”` : null
    ),
    h("details", { class: "adder" }, h("summary", {}, kept.note ? "Change the note" : "Add a note"), noteForm)
  );
}

export const answer = {
  live: true,
  async render({ state }, context) {
    const { navigate } = context;
    const plan = await store.currentPlan();
    const chosen = STATES[state];
    if (!plan || !chosen) {
      navigate(plan ? "today" : "welcome");
      return {};
    }
    const sections = plan.sections.filter((s) => s.today === state);
    return page(
      chosen.title,
      backLink("#/today", "How are you today?"),
      h("p", { class: "lead" }, chosen.words),
      state === "crisis" || state === "breaking_down" ? dangerNow() : null,
      sections.map((section) =>
        h(
          "section",
          { class: "today-section", "aria-label": section.title },
          sections.length > 1 ? h("h2", {}, section.title) : null,
          answersByPrompt(section, {
            emptyText: "You haven't written anything here yet.",
            level: sections.length > 1 ? "h3" : "h2",
          }),
          h("p", {}, h("a", { href: `#/plan/${section.key}` }, `Add to “${section.title}”`))
        )
      ),
      state === "crisis"
        ? null
        : h("p", {}, h("a", { href: "#/crisis", class: "button secondary" }, "Open my crisis plan")),
      // Last: the plan's own words come first, above all in a crisis.
      checkInPart(state, context)
    );
  },
};
