// The plan as the person's own: add sections of their own, rename any, hide or show them,
// and put them in their order. Renaming, hiding and moving work offline (queued like every
// edit); adding a section needs a connection, as the server makes its key.
import { api } from "../api.js";
import { h } from "../dom.js";
import * as store from "../store.js";
import { syncNow } from "../sync.js";
import { backLink, button, field, form, needsConnection, page, textArea } from "../ui.js";

let renaming = null; // the key of the section being renamed
// Said beside the form rather than as a flash: the sync that brings the new section back
// draws the screen again, and a flash is shown only once.
let added = null;
window.addEventListener("hashchange", () => (added = null));

function renameForm(plan, section, { refresh, focusNext }) {
  const close = (f) => {
    f?.removeAttribute("data-dirty");
    renaming = null;
    focusNext(`rename-${section.key}`);
    refresh();
  };
  return form(
    async (f) => {
      const title = f.title.value.trim();
      const description = f.description.value.trim();
      if (!title) throw new Error("Give the section a name, or cancel to keep it as it is.");
      const changes = {};
      if (title !== section.title) changes.title = title;
      if (description !== section.description) changes.description = description;
      f.removeAttribute("data-dirty");
      renaming = null;
      focusNext(`rename-${section.key}`);
      if (Object.keys(changes).length) await store.editSection(plan, section, changes);
      else refresh();
    },
    field("New name", h("input", { name: "title", value: section.title, maxlength: 200, id: `title-${section.key}` })),
    field("What it's for (you don't have to)", textArea("description", section.description)),
    h(
      "div",
      { class: "row" },
      h("button", { type: "submit", class: "primary" }, "Save"),
      button("Cancel", (event) => close(event.currentTarget.form))
    )
  );
}

function sectionItem(plan, section, index, context) {
  const { focusNext, refresh } = context;
  const named = (text) => [text, h("span", { class: "visually-hidden" }, `: ${section.title}`)];
  const move = (by) => () => {
    focusNext(`${by < 0 ? "up" : "down"}-${section.key}`);
    store.moveSection(plan, section.key, by);
  };
  return h(
    "li",
    { class: "card" },
    h("h2", { class: "card-title" }, section.title),
    section.hidden ? h("p", { class: "hint" }, "Hidden: it isn't shown in your plan or to anyone you share with.") : null,
    renaming === section.key
      ? renameForm(plan, section, context)
      : h(
          "div",
          { class: "row" },
          button(named("Rename"), () => ((renaming = section.key), focusNext(`title-${section.key}`), refresh()), {
            id: `rename-${section.key}`,
            class: "secondary small",
          }),
          button(
            named(section.hidden ? "Show" : "Hide"),
            () => (focusNext(`hide-${section.key}`), store.editSection(plan, section, { hidden: !section.hidden })),
            { id: `hide-${section.key}`, class: "secondary small" }
          ),
          button(named("Move up"), move(-1), { id: `up-${section.key}`, class: "secondary small", disabled: index === 0 }),
          button(named("Move down"), move(1), {
            id: `down-${section.key}`,
            class: "secondary small",
            disabled: index === plan.sections.length - 1,
          })
        )
  );
}

function addForm(plan, { refresh, focusNext }) {
  return form(
    async (f) => {
      const title = f.title.value.trim();
      if (!title) throw new Error("Give the new section a name first.");
      try {
        await syncNow(); // a plan made on this phone reaches the server first
        await api(`/plans/${plan.id}/sections`, {
          method: "POST",
          json: { title, description: f.description.value.trim() },
        });
      } catch (error) {
        if (error.name === "OfflineError") throw new Error(needsConnection("Adding a section").textContent);
        throw error;
      }
      f.removeAttribute("data-dirty");
      added = `“${title}” is added at the end of your plan.`;
      await syncNow();
      focusNext("add-section-heading");
      refresh();
    },
    field("Name of the new section", h("input", { name: "title", maxlength: 200, id: "new-section-title" })),
    field("What it's for (you don't have to)", textArea("description", "", { id: "new-section-description" })),
    h("button", { type: "submit", class: "primary" }, "Add the section")
  );
}

export const arrange = {
  live: true,
  async render(_params, context) {
    const plan = await store.currentPlan();
    if (!plan) return (context.navigate("welcome"), {});
    return page(
      "Make the plan your own",
      backLink("#/plan", "My plan"),
      h("p", {}, "Rename sections, hide the ones you don't use, put them in your order, or add your own."),
      h(
        "ul",
        { class: "cards", "aria-label": "Your sections, in order" },
        plan.sections.map((s, i) => sectionItem(plan, s, i, context))
      ),
      h(
        "section",
        { "aria-labelledby": "add-section-heading" },
        h("h2", { id: "add-section-heading", tabindex: "-1" }, "Add a section of my own"),
        h("p", { role: "status", class: added ? "flash" : null }, added),
        addForm(plan, context)
      )
    );
  },
};
