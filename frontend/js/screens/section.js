// One section of the plan: each prompt with the person's own entries, to add, edit, move or remove.
import { h } from "../dom.js";
import { PAGES_SECTION, pageAdder, pageFields, pageFileButton, readPage } from "../pages.js";
import * as store from "../store.js";
import { FIVE_WAYS, PROGRESS, backLink, button, entryView, field, form, page, textArea } from "../ui.js";

let editing = null; // the entry being edited
let removing = null; // the entry waiting for "yes, remove it"
let shownSection = null;

function choices(legend, name, options, selected) {
  return h(
    "fieldset",
    { class: "choices-inline" },
    h("legend", {}, legend),
    options.map(([value, label]) =>
      h(
        "label",
        { class: "choice" },
        h("input", { type: "radio", name, value, checked: String(selected) === String(value) }),
        " ",
        label
      )
    )
  );
}

function goalFields(goal = {}) {
  return [
    choices("Which of the Five Ways to Wellbeing is it?", "way", Object.entries(FIVE_WAYS), goal.way),
    field(
      "Small steps",
      textArea("steps", goal.steps ?? ""),
      "What will you do first? Keep the steps small."
    ),
    field("By when", h("input", { type: "date", name: "by_when", value: goal.by_when ?? "" })),
    field("Who can help", h("input", { name: "who_can_help", value: goal.who_can_help ?? "" })),
    field("How I'll know it's working", textArea("how_ill_know", goal.how_ill_know ?? "")),
    choices("How it's going", "progress", PROGRESS, goal.progress),
    field(
      "When I'll look at it again",
      h("input", { type: "date", name: "review_date", value: goal.review_date ?? "" }),
      "Many people look again every three months."
    ),
  ];
}

function readGoal(f) {
  const text = (name) => f[name].value.trim();
  const picked = (name) => f.querySelector(`input[name=${name}]:checked`)?.value ?? null;
  const progress = picked("progress");
  return {
    way: picked("way"),
    steps: text("steps"),
    by_when: text("by_when") || null,
    who_can_help: text("who_can_help"),
    how_ill_know: text("how_ill_know"),
    progress: progress === null ? null : Number(progress),
    review_date: text("review_date") || null,
  };
}

const GOAL_DEFAULTS = {
  way: null,
  steps: "",
  by_when: null,
  who_can_help: "",
  how_ill_know: "",
  progress: null,
  review_date: null,
};

function sameGoal(a, b) {
  return Object.entries(GOAL_DEFAULTS).every(([key, empty]) => (a?.[key] ?? empty) === (b?.[key] ?? empty));
}

function entryForm({ section, label, entry, onSave, onCancel, focusId }) {
  const goals = section.kind === "goals";
  return form(
    async (f) => {
      const text = f.text.value.trim();
      if (!text) throw new Error("Write a few words first, then save.");
      const page = entry?.page ? readPage(f, entry.page) : null;
      f.removeAttribute("data-dirty");
      await onSave({ text, goal: goals ? readGoal(f) : null, page });
    },
    entry?.page ? pageFields(entry.page) : null,
    field(label, textArea("text", entry?.text ?? "", { required: true, id: focusId })),
    goals ? goalFields(entry?.goal ?? {}) : null,
    h(
      "div",
      { class: "row" },
      h("button", { type: "submit", class: "primary" }, "Save"),
      onCancel ? h("button", { type: "button", class: "secondary", onclick: onCancel }, "Cancel") : null
    )
  );
}

function entryItem(plan, section, group, entry, index, { refresh, focusNext }) {
  const label = (text) => [text, h("span", { class: "visually-hidden" }, `: ${entry.text.slice(0, 40)}`)];
  if (editing === entry.id) {
    return h(
      "li",
      { class: "entry editing" },
      entryForm({
        section,
        label: "Change what you wrote",
        entry,
        focusId: `text-${entry.id}`,
        onSave: async ({ text, goal, page }) => {
          editing = null;
          focusNext(`edit-${entry.id}`);
          const changes = {};
          if (text !== entry.text) changes.text = text;
          if (goal && !sameGoal(goal, entry.goal)) changes.goal = goal;
          if (page && (page.title !== entry.page.title || page.link !== entry.page.link)) changes.page = page;
          if (Object.keys(changes).length) await store.editEntry(plan, section.key, entry, changes);
          else refresh();
        },
        onCancel: () => {
          editing = null;
          focusNext(`edit-${entry.id}`);
          refresh();
        },
      })
    );
  }
  const act = (text, id, onclick, attributes = {}) =>
    button(label(text), onclick, { class: "secondary small", id, ...attributes });
  const again = (focusId) => {
    focusNext(focusId);
    refresh();
  };
  const move = (by) => () => {
    focusNext(`${by < 0 ? "up" : "down"}-${entry.id}`);
    store.moveEntry(plan, section, group, entry.id, by);
  };
  const actions =
    removing === entry.id
      ? h(
          "div",
          { class: "confirm", role: "group", "aria-label": "Remove this?" },
          h("p", {}, "Remove this? You can bring it back from your plan's history."),
          h(
            "div",
            { class: "row" },
            button("Yes, remove it", () => ((removing = null), store.removeEntry(plan, section.key, entry)), {
              class: "danger",
              id: `yes-remove-${entry.id}`,
            }),
            button("Keep it", () => ((removing = null), again(`remove-${entry.id}`)))
          )
        )
      : h(
          "div",
          { class: "row actions" },
          act("Edit", `edit-${entry.id}`, () => ((editing = entry.id), again(`text-${entry.id}`))),
          group.length > 1 && act("Move up", `up-${entry.id}`, move(-1), { disabled: index === 0 }),
          group.length > 1 &&
            act("Move down", `down-${entry.id}`, move(1), { disabled: index === group.length - 1 }),
          act("Remove", `remove-${entry.id}`, () => ((removing = entry.id), again(`yes-remove-${entry.id}`)))
        );
  const fileButton = pageFileButton(entry, (file) => `/plans/${plan.id}/attachments/${file.id}`);
  return h("li", { class: "entry" }, entryView(entry), fileButton, actions);
}

function group(plan, section, { heading, prompt, entries }, context) {
  const addId = `add-${prompt ?? "other"}`;
  const adder = h(
    "details",
    { class: "adder" },
    h("summary", { id: addId }, heading ? `Add to “${heading}”` : "Add something")
  );
  adder.append(
    entryForm({
      section,
      label: heading ?? "What would you like to add?",
      onSave: async ({ text, goal }) => {
        context.focusNext(addId);
        await store.addEntry(plan, section.key, { text, prompt, goal });
      },
    })
  );
  return h(
    "section",
    { class: "group", "aria-label": heading ?? section.title },
    heading ? h("h2", {}, heading) : null,
    entries.length
      ? h(
          "ul",
          { class: "entries" },
          entries.map((e, i) => entryItem(plan, section, entries, e, i, context))
        )
      : h("p", { class: "empty" }, "Nothing written here yet."),
    adder
  );
}

/** A section that shows another's entries (the safety plan's people, kept in the crisis
 * plan): one list, changed in one place, never a copy to fall out of step. */
function shownFromElsewhere(plan, { section: key, prompt }) {
  const source = plan.sections.find((s) => s.key === key);
  if (!source) return null;
  const entries = source.entries.filter((e) => e.prompt === prompt);
  const promptText = source.prompts.find((p) => p.key === prompt)?.text ?? source.title;
  return h(
    "section",
    { class: "group", "aria-label": promptText },
    h("h2", {}, promptText),
    entries.length
      ? h("ul", { class: "entries" }, entries.map((e) => h("li", { class: "entry" }, entryView(e))))
      : h("p", { class: "empty" }, "Nobody written here yet."),
    h("p", {}, h("a", { href: `#/plan/${key}`, class: "button secondary" }, `Add or change them in “${source.title}”`))
  );
}

export const section = {
  live: true,
  async render({ key }, context) {
    const plan = await store.currentPlan();
    const found = plan?.sections.find((s) => s.key === key);
    if (!found) {
      context.navigate("plan");
      return {};
    }
    if (shownSection !== key) [editing, removing, shownSection] = [null, null, key];
    const groups = found.prompts.map((p) => ({
      heading: p.text,
      prompt: p.key,
      entries: found.entries.filter((e) => e.prompt === p.key),
    }));
    const loose = found.entries.filter((e) => !found.prompts.some((p) => p.key === e.prompt));
    if (loose.length || !groups.length)
      groups.push({
        heading: groups.length ? "Other things I've written" : null,
        prompt: null,
        entries: loose,
      });
    const shows = (await store.templates())?.[plan.template]?.sections.find((s) => s.key === key)?.shows;
    return page(
      found.title,
      backLink("#/plan", "My plan"),
      h("p", { class: "lead" }, found.description),
      shows ? shownFromElsewhere(plan, shows) : groups.map((g) => group(plan, found, g, context)),
      key === PAGES_SECTION ? pageAdder(plan, context) : null,
      h(
        "div",
        { class: "section-actions" },
        button(
          found.hidden ? "Show this section in my plan again" : "Hide this section from my plan",
          () => store.editSection(plan, found, { hidden: !found.hidden }),
          { id: "hide-section" }
        )
      )
    );
  },
};
