// What others sent the person: suggested changes, comments, and imported crisis statements.
// Nothing goes into the plan until the person accepts it; they may also disagree in a note.
import { api } from "../api.js";
import { formatDateTime, h, saveFile } from "../dom.js";
import * as store from "../store.js";
import { syncNow } from "../sync.js";
import { backLink, cardLink, cardList, field, flash, form, load, page, textArea } from "../ui.js";

const CLOSED = "Looking at suggestions and imports";
const who = (person) =>
  [person.display_name, person.role?.replace("_", " "), person.organisation].filter(Boolean).join(", ");

async function decideSuggestion(plan, suggestion, action, body, rerender) {
  try {
    const decided = await api(`/plans/${plan.id}/suggestions/${suggestion.id}/${action}`, {
      method: "POST",
      json: body,
    });
    flash(
      action === "accept"
        ? "Added to your plan. You can undo it from your plan's history."
        : "Done. Your plan hasn't changed."
    );
    if (action === "accept") await syncNow();
    return decided;
  } finally {
    rerender();
  }
}

function suggestionCard(plan, s, rerender) {
  const problem = h("p", { class: "alert", role: "alert", hidden: true });
  const act = (action, body) =>
    decideSuggestion(plan, s, action, body, rerender).catch(
      (error) => ((problem.textContent = error.message), (problem.hidden = false))
    );
  return h(
    "li",
    { class: "card" },
    h("p", { class: "card-title" }, s.summary),
    h(
      "p",
      { class: "hint" },
      `From ${who(s.suggested_by)}, ${formatDateTime(s.created_at)}. In “${s.section.title ?? s.section.key}”.`
    ),
    s.current_text && s.action !== "add" ? h("p", {}, "Your words now: ", h("q", {}, s.current_text)) : null,
    s.text
      ? h("p", {}, s.action === "add" ? "Suggested words: " : "Suggested change: ", h("q", {}, s.text))
      : null,
    s.note ? h("p", { class: "own-note" }, `Their note: ${s.note}`) : null,
    s.target_changed
      ? h(
          "p",
          { class: "notice" },
          "Your entry changed after this was suggested. Accepting it will replace your newer words."
        )
      : null,
    problem,
    h(
      "div",
      { class: "row" },
      h(
        "button",
        {
          type: "button",
          class: "primary",
          onclick: () => act("accept", s.target_changed ? { apply_although_changed: true } : undefined),
        },
        "Accept",
        h("span", { class: "visually-hidden" }, `: ${s.summary}`)
      ),
      h(
        "button",
        { type: "button", class: "secondary", onclick: () => act("reject") },
        "Say no",
        h("span", { class: "visually-hidden" }, `: ${s.summary}`)
      )
    )
  );
}

function commentCard(plan, c, rerender) {
  const reply = form(
    async (f) => {
      await api(`/plans/${plan.id}/comments/${c.id}/replies`, {
        method: "POST",
        json: { text: f.text.value.trim() },
      });
      f.removeAttribute("data-dirty");
      rerender();
    },
    field("Your reply", textArea("text", "", { rows: 2, required: true })),
    h("button", { type: "submit", class: "secondary" }, "Send my reply")
  );
  return h(
    "li",
    { class: "card" },
    h(
      "p",
      { class: "hint" },
      `${who(c.written_by)} on “${c.section.title ?? c.section.key}”, ${formatDateTime(c.created_at)}:`
    ),
    h("p", { class: "entry-text" }, c.text),
    c.replies.map((r) =>
      h("p", { class: "own-note" }, `${r.by_plan_owner ? "You" : r.written_by.display_name}: ${r.text}`)
    ),
    h("details", { class: "adder" }, h("summary", {}, "Reply"), reply),
    h(
      "button",
      {
        type: "button",
        class: "secondary small",
        onclick: async () => (
          await api(`/plans/${plan.id}/comments/${c.id}`, { method: "DELETE" }),
          rerender()
        ),
      },
      "Delete this comment"
    )
  );
}

export const inbox = {
  async render(_params, { navigate, rerender }) {
    const plan = await store.currentPlan();
    if (!plan) return (navigate("welcome"), {});
    const { data, notice } = await load(
      () =>
        Promise.all([
          api(`/plans/${plan.id}/imports`),
          api(`/plans/${plan.id}/suggestions?status=pending`),
          api(`/plans/${plan.id}/comments`),
        ]),
      CLOSED
    );
    if (notice) return page("Suggestions and imports", notice);
    const [imports, suggestions, comments] = data;
    const proposed = imports.filter((i) => i.status === "proposed");
    return page(
      "Suggestions and imports",
      h("p", {}, "Things people you share with sent you. Nothing changes in your plan unless you accept it."),
      h("h2", {}, "Imported crisis statements"),
      cardList(
        proposed,
        (i) =>
          h(
            "li",
            { class: "card" },
            cardLink(
              `#/imports/${i.id}`,
              `From ${i.imported_by.display_name}: ${i.source.title ?? i.source.file_name}`,
              i.summary
            )
          ),
        "Nothing waiting."
      ),
      h("h2", {}, "Suggested changes"),
      cardList(suggestions, (s) => suggestionCard(plan, s, rerender), "Nothing waiting."),
      h("h2", {}, "Comments"),
      cardList(comments, (c) => commentCard(plan, c, rerender), "No comments.")
    );
  },
};

function partFields(part) {
  const name = `part-${part.id}`;
  const choice = (value, text, checked = false) =>
    h("label", { class: "choice" }, h("input", { type: "radio", name, value, checked }), " ", text);
  return h(
    "fieldset",
    { class: "card part" },
    h("legend", {}, part.field_label),
    part.heading ? h("p", { class: "hint" }, `Under “${part.heading}” in the document.`) : null,
    h("p", { class: "entry-text" }, part.text),
    part.current?.length
      ? h(
          "div",
          {},
          h("p", { class: "hint" }, "Your plan says now:"),
          h(
            "ul",
            {},
            part.current.map((c) => h("li", {}, c.text))
          )
        )
      : null,
    choice("accept", "Add these words to my crisis plan", true),
    choice("edit", "Add them with my changes"),
    choice("reject", "Don't add them"),
    field("My changes to the words (if I chose that)", textArea(`${name}-text`, part.text)),
    field(
      "My own note, kept beside them (for example, “I disagree because …”)",
      textArea(`${name}-note`, "", { rows: 2 })
    )
  );
}

async function download(attachment, button) {
  const response = await api(attachment.url.replace(/^\/api\/v1/, ""), { raw: true });
  saveFile(await response.blob(), attachment.file_name);
  button.textContent = `Downloaded ${attachment.file_name}`;
}

export const importReview = {
  async render({ id }, { navigate }) {
    const plan = await store.currentPlan();
    const { data, notice } = await load(() => api(`/plans/${plan?.id}/imports/${id}`), CLOSED);
    if (notice)
      return page("An imported statement", backLink("#/suggestions", "Suggestions and imports"), notice);
    const parts = data.parts.filter((p) => p.status === "proposed");
    const original = data.attachments.find((a) => a.kind === "original");
    return page(
      "An imported crisis statement",
      backLink("#/suggestions", "Suggestions and imports"),
      h("p", {}, data.summary),
      data.source.author
        ? h(
            "p",
            {},
            `The document says it was written by ${[data.source.author, data.source.organisation].filter(Boolean).join(", ")}.`
          )
        : null,
      original
        ? h(
            "button",
            { type: "button", class: "secondary", onclick: (e) => download(original, e.currentTarget) },
            "Download the original file"
          )
        : null,
      h(
        "p",
        {},
        "These words are not yours until you accept them. Take each part in turn: add it, change it first, or leave it out. You can keep a part and still say you disagree."
      ),
      data.warnings.length
        ? h(
            "div",
            { class: "alert" },
            h("p", {}, "Please read this first:"),
            h(
              "ul",
              {},
              data.warnings.map((w) => h("li", {}, w.message))
            )
          )
        : null,
      parts.length
        ? form(
            async (f) => {
              const decisions = parts.map((part) => {
                const name = `part-${part.id}`;
                const chosen = f.querySelector(`input[name="${name}"]:checked`).value;
                const note = f[`${name}-note`].value.trim();
                const decision = { part_id: part.id, action: chosen === "reject" ? "reject" : "accept" };
                if (chosen === "edit") decision.text = f[`${name}-text`].value.trim();
                if (note && chosen !== "reject") decision.note = note;
                return decision;
              });
              const body = { decisions };
              if (data.warnings.length) {
                if (!f.warnings_seen.checked)
                  throw new Error("Please tick that you've read the warning at the top first.");
                body.warnings_seen = true;
              }
              await syncNow();
              await api(`/plans/${plan.id}/imports/${id}/decisions`, { method: "POST", json: body });
              f.removeAttribute("data-dirty");
              await syncNow();
              flash("Saved. What you accepted is in your crisis plan, marked as imported words.");
              navigate("crisis");
            },
            parts.map(partFields),
            data.warnings.length
              ? h(
                  "label",
                  { class: "choice" },
                  h("input", { type: "checkbox", name: "warnings_seen" }),
                  " I've read the warning"
                )
              : null,
            h("button", { type: "submit", class: "primary" }, "Save my choices")
          )
        : h("p", {}, "You've already looked at every part of this.")
    );
  },
};
