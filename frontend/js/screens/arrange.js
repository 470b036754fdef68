// The plan as the person's own: add sections of their own (and remove them again), rename
// any, hide or show them, and put them in their order. Renaming, hiding and moving work
// offline (queued like every edit); adding or removing a section needs a connection, as
// the server makes its key.
import { api } from "../api.js";
import { h } from "../dom.js";
import * as store from "../store.js";
import { syncNow } from "../sync.js";
import { backLink, button, confirmBox, field, form, needsConnection, page, textArea } from "../ui.js";

let renaming = null; // the key of the section being renamed
let removing = null; // the key of the section whose removal is being confirmed
// Said in place rather than as a flash: the sync that brings the changed plan back draws
// the screen again, and a flash is shown only once.
let added = null;
let removed = null;
window.addEventListener("hashchange", () => ((added = null), (removed = null)));

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

function removeQuestion(section) {
  const written = section.entries.length;
  const what = written ? ` and the ${written === 1 ? "one thing" : `${written} things`} written in it` : "";
  return `Remove “${section.title}”${what}? It goes from your plan and from anyone you share it with. Your plan's history keeps a copy.`;
}

function removeSection(plan, section, { refresh, focusNext }) {
  return async () => {
    removing = null;
    try {
      await syncNow(); // changes this phone made to the section reach the server first
      await api(`/plans/${plan.id}/sections/${section.key}`, { method: "DELETE" });
      removed = `“${section.title}” is removed from your plan.`;
      await syncNow();
    } catch (error) {
      removed = error.name === "OfflineError" ? needsConnection("Removing a section").textContent : error.message;
    }
    focusNext("arrange-said");
    refresh();
  };
}

function sectionItem(plan, section, index, context) {
  const { focusNext, refresh } = context;
  const named = (text) => [text, h("span", { class: "visually-hidden" }, `: ${section.title}`)];
  const move = (by) => () => {
    focusNext(`${by < 0 ? "up" : "down"}-${section.key}`);
    store.moveSection(plan, section.key, by);
  };
  if (removing === section.key) {
    return h(
      "li",
      { class: "card" },
      h("h2", { class: "card-title" }, section.title),
      confirmBox(`remove-${section.key}`, removeQuestion(section), "Remove the section", removeSection(plan, section, context), () => {
        removing = null;
        focusNext(`remove-${section.key}`);
        refresh();
      })
    );
  }
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
          }),
          // Only the person's own sections: a template's can be hidden instead.
          section.custom
            ? button(named("Remove"), () => ((removing = section.key), focusNext(`remove-${section.key}-yes`), refresh()), {
                id: `remove-${section.key}`,
                class: "danger small",
              })
            : null
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
      h("p", {}, "Rename sections, hide the ones you don't use, put them in your order, or add your own (and remove them again)."),
      h("p", { role: "status", id: "arrange-said", tabindex: "-1", class: removed ? "flash" : null }, removed),
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
