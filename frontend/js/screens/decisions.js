// Changes that could not simply be saved: an entry changed on two devices, or removed on one
// and changed on another. Both versions are kept here until the person chooses.
import { formatDateTime, h } from "../dom.js";
import * as store from "../store.js";
import { button, goalDetails, page } from "../ui.js";

function version(title, words) {
  return h(
    "div",
    { class: "version" },
    h("h3", {}, title),
    words
      ? [h("p", { class: "entry-text" }, words.text ?? words.title), goalDetails(words.goal)]
      : h("p", {}, "(removed)")
  );
}

/** The choices for one decision: [label, what to do] pairs; every choice then settles it. */
function choices(plan, { op, result }) {
  const section = plan?.sections.find((s) => s.key === (op.section ?? result.section));
  const entry = section?.entries.find((e) => e.id === (op.entry_id ?? result.entry_id));
  const yours = result.yours;
  const addBack = () => {
    const home = section ?? plan.sections.find((s) => s.key === "notes");
    return store.addEntry(plan, home.key, {
      text: yours.text,
      prompt: section ? yours.prompt : null,
      goal: yours.goal,
    });
  };
  if (!plan || result.status === "rejected") return [["OK", null]];
  if (op.kind === "rename_plan")
    return [
      ["Keep my name", () => store.renamePlan(plan, yours.title)],
      ["Keep the other name", null],
    ];
  if (op.kind === "edit_section")
    return [
      ["Keep mine", section && (() => store.editSection(plan, section, op.changes))],
      ["Keep the other", null],
    ];
  if (op.kind === "remove_entry")
    return [
      ["Remove it anyway", entry && (() => store.removeEntry(plan, section.key, entry))],
      ["Keep it", null],
    ];
  if (result.reason === "removed_elsewhere" || !entry)
    return [
      ["Add mine back", addBack],
      ["Let it go", null],
    ];
  return [
    ["Keep mine", () => store.editEntry(plan, section.key, entry, op.changes)],
    ["Keep the other", null],
    ["Keep both", addBack],
  ];
}

function describe(plan, { op, result }) {
  const where = plan?.sections.find((s) => s.key === (op.section ?? result.section))?.title;
  const heading =
    result.status === "rejected"
      ? "This change couldn't be saved"
      : where
        ? `In “${where}”`
        : `In “${plan?.title ?? "your plan"}”`;
  const mine = result.yours ?? (op.text ? { text: op.text, goal: op.goal } : null);
  return [
    h("h2", {}, heading),
    h("p", {}, result.detail),
    result.status === "conflict" && (result.yours || result.theirs)
      ? h(
          "div",
          { class: "versions" },
          version("Your version", result.yours),
          version("The other version", result.theirs)
        )
      : mine
        ? version("Your words", mine)
        : null,
  ];
}

export const decisions = {
  live: true,
  async render(_params, { focusNext }) {
    const waiting = await store.decisions();
    const plans = await store.plans();
    return page(
      "Changes that need your choice",
      waiting.length
        ? h(
            "p",
            {},
            "These changes met a change made on another device. Nothing has been lost: both versions are here. Choose what to keep."
          )
        : h("p", {}, "Nothing needs your choice. Everything is saved."),
      h(
        "ul",
        { class: "cards" },
        waiting.map((decision) => {
          const plan = plans.find((p) => p.id === decision.op.plan_id);
          return h(
            "li",
            { class: "card decision" },
            describe(plan, decision),
            h("p", { class: "hint" }, `Found when syncing on ${formatDateTime(decision.at)}.`),
            h(
              "div",
              { class: "row" },
              choices(plan, decision).map(([label, act], i) =>
                button(
                  label,
                  async () => {
                    focusNext("main");
                    if (act) await act();
                    await store.settle(decision.op_id);
                  },
                  { class: i === 0 ? "primary" : "secondary" }
                )
              )
            )
          );
        })
      )
    );
  },
};
