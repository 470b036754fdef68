// The plan: its sections, in the person's order, each opening to its prompts and entries.
import { counted, h } from "../dom.js";
import * as store from "../store.js";
import { cardLink, field, form, page } from "../ui.js";
import { inWords, total, waiting } from "../waiting.js";

function count(section) {
  const n = section.entries.length;
  return n ? `${counted(n, "thing")} written` : "Nothing written yet";
}

function renameForm(plan, refresh) {
  const details = h("details", { class: "rename" }, h("summary", {}, "Rename this plan"));
  details.append(
    form(
      async (f) => {
        f.removeAttribute("data-dirty");
        if (f.title.value.trim() && f.title.value.trim() !== plan.title)
          await store.renamePlan(plan, f.title.value.trim());
        else refresh();
      },
      field("New name", h("input", { name: "title", value: plan.title, required: true, maxlength: 200 })),
      h("button", { type: "submit", class: "secondary" }, "Save the name")
    )
  );
  return details;
}

function sectionItem(plan, section, index, visible, arranging) {
  const moves = arranging
    ? h(
        "div",
        { class: "row" },
        h(
          "button",
          {
            type: "button",
            class: "secondary small",
            id: `up-${section.key}`,
            disabled: index === 0,
            onclick: () => store.moveSection(plan, section.key, -1),
          },
          "Move up",
          h("span", { class: "visually-hidden" }, `: ${section.title}`)
        ),
        h(
          "button",
          {
            type: "button",
            class: "secondary small",
            id: `down-${section.key}`,
            disabled: index === visible.length - 1,
            onclick: () => store.moveSection(plan, section.key, 1),
          },
          "Move down",
          h("span", { class: "visually-hidden" }, `: ${section.title}`)
        )
      )
    : null;
  return h(
    "li",
    { class: "card section-card" },
    cardLink(`#/plan/${section.key}`, section.title, count(section)),
    h("p", { class: "hint" }, section.description),
    moves
  );
}

let arranging = false;

export const overview = {
  live: true,
  async render(_params, { navigate, refresh }) {
    const plan = await store.currentPlan();
    if (!plan) {
      navigate("welcome");
      return {};
    }
    const visible = plan.sections.filter((s) => !s.hidden);
    const hidden = plan.sections.filter((s) => s.hidden);
    const toggle = h(
      "button",
      {
        type: "button",
        class: "secondary",
        id: "arrange",
        "aria-pressed": String(arranging),
        onclick: () => ((arranging = !arranging), refresh()),
      },
      arranging ? "Done changing the order" : "Change the order"
    );
    const waitingNow = await waiting();
    const n = total(waitingNow);
    return page(
      plan.title,
      n
        ? h(
            "p",
            { class: "notice", id: "waiting-line" },
            h("a", { href: "#/suggestions" }, `${inWords(waitingNow)} ${n === 1 ? "waits" : "wait"} for you`),
            ". Nothing changes in your plan unless you accept it."
          )
        : null,
      h("p", { class: "lead" }, h("a", { href: "#/today", class: "button primary" }, "How are you today?")),
      h(
        "ul",
        { class: "cards", "aria-label": "Sections of your plan" },
        visible.map((s, i) => sectionItem(plan, s, i, visible, arranging))
      ),
      h("div", { class: "row" }, toggle, h("a", { href: "#/arrange", class: "button secondary" }, "Add or rename sections")),
      hidden.length
        ? h(
            "details",
            { class: "hidden-sections" },
            h("summary", {}, `Hidden sections (${hidden.length})`),
            h(
              "ul",
              { class: "plain" },
              hidden.map((s) =>
                h(
                  "li",
                  { class: "row" },
                  h("span", {}, s.title),
                  h(
                    "button",
                    {
                      type: "button",
                      class: "secondary small",
                      id: `show-${s.key}`,
                      onclick: () => store.editSection(plan, s, { hidden: false }),
                    },
                    "Show",
                    h("span", { class: "visually-hidden" }, ` ${s.title}`)
                  )
                )
              )
            )
          )
        : null,
      renameForm(plan, refresh)
    );
  },
};
