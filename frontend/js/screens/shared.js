// For link workers, carers and clinicians: plans shared with them, read-only and only the
// shared parts; comments and suggestions where allowed; a clinician's import of a crisis
// statement for the person to review.
import { api } from "../api.js";
import { formatDate, formatDateTime, h } from "../dom.js";
import { pageFileButton } from "../pages.js";
import { answersByPrompt, backLink, cardLink, cardList, field, flash, form, load, page, textArea } from "../ui.js";

const CLOSED = "Seeing plans shared with you";

export const sharedList = {
  async render() {
    const { data, notice } = await load(() => api("/shared-with-me?limit=200"), CLOSED);
    return page(
      "Shared with you",
      h(
        "p",
        {},
        "Plans people chose to share with you. You see only the parts they shared, for as long as they share them. They can see each time you look."
      ),
      h("p", {}, h("a", { href: "#/invite/code" }, "I have an invite code")),
      notice ??
        cardList(
          data.shares,
          (s) =>
            h(
              "li",
              { class: "card" },
              cardLink(`#/shared/${s.share_id}`, `${s.person.display_name}: ${s.plan_title}`, s.summary),
              s.changed_since_last_view
                ? h("p", {}, h("span", { class: "badge" }, "Changed since you last looked"))
                : null
            ),
          "Nobody is sharing a plan with you right now."
        )
    );
  },
};

function commentForm(shareId, section, person, rerender) {
  const details = h("details", { class: "adder" }, h("summary", {}, `Leave a comment on “${section.title}”`));
  details.append(
    form(
      async (f) => {
        if (!f.acknowledged.checked)
          throw new Error(`Please tick the box first: ${person} will read your comment.`);
        await api(`/shared-with-me/${shareId}/comments`, {
          method: "POST",
          json: { section: section.key, text: f.text.value.trim(), acknowledged_visible_to_person: true },
        });
        f.removeAttribute("data-dirty");
        flash("Your comment is saved. They'll see it with your name.");
        rerender();
      },
      h(
        "p",
        { class: "notice" },
        `${person} will read this, with your name and role. It stays apart from their own words.`
      ),
      field("Your comment", textArea("text", "", { required: true, maxlength: 4000 })),
      h(
        "label",
        { class: "choice" },
        h("input", { type: "checkbox", name: "acknowledged" }),
        ` I understand ${person} will read this`
      ),
      h("button", { type: "submit", class: "primary" }, "Save my comment")
    )
  );
  return details;
}

const ACTIONS = {
  add: "Add something new",
  change: "Change what they wrote",
  remove: "Take something out",
};

const quote = (text) => `“${text.length > 60 ? `${text.slice(0, 60)}…` : text}”`;

/** One form per section for every kind of suggestion: what to do, to which entry, in what
 * words; only the fields the chosen kind needs are shown. */
function suggestForm(shareId, section, rerender) {
  const details = h("details", { class: "adder" }, h("summary", {}, `Suggest a change to “${section.title}”`));
  const kinds = section.entries.length ? Object.entries(ACTIONS) : [["add", ACTIONS.add]];
  const entryField = section.entries.length
    ? field(
        "Which of their words?",
        h(
          "select",
          { name: "entry" },
          section.entries.map((e) => h("option", { value: e.id }, quote(e.text)))
        )
      )
    : null;
  const promptField = section.prompts.length
    ? field(
        "Which part?",
        h(
          "select",
          { name: "prompt" },
          section.prompts.map((p) => h("option", { value: p.key }, p.text))
        )
      )
    : null;
  const words = field("Suggested words", textArea("text", "", { required: true }));
  let typed = false;
  words.querySelector("textarea").addEventListener("input", () => (typed = true));
  const show = (f) => {
    const action = f.querySelector("input[name=action]:checked").value;
    if (entryField) entryField.hidden = action === "add";
    if (promptField) promptField.hidden = action !== "add";
    words.hidden = action === "remove";
    // Their own words to start from, until the suggester types their own.
    if (!typed) f.text.value = action === "change" ? (section.entries.find((e) => e.id === f.entry.value)?.text ?? "") : "";
  };
  const suggestion = form(
    async (f) => {
      const action = f.querySelector("input[name=action]:checked").value;
      const body = { section: section.key, action, note: f.note.value.trim() };
      if (action !== "add") body.entry_id = f.entry.value;
      if (action !== "remove") {
        body.text = f.text.value.trim();
        if (!body.text) throw new Error("Write the words you suggest first.");
      }
      if (action === "add" && f.prompt?.value) body.prompt = f.prompt.value;
      await api(`/shared-with-me/${shareId}/suggestions`, { method: "POST", json: body });
      f.removeAttribute("data-dirty");
      flash("Your suggestion is sent. Nothing changes in their plan unless they accept it.");
      rerender();
    },
    h(
      "fieldset",
      { class: "choices-inline" },
      h("legend", {}, "What would you like to suggest?"),
      kinds.map(([value, text], i) =>
        h(
          "label",
          { class: "choice" },
          h("input", { type: "radio", name: "action", value, checked: i === 0 }),
          " ",
          text
        )
      )
    ),
    entryField,
    promptField,
    words,
    field("Why you suggest it (they'll read this)", textArea("note", "", { rows: 2 })),
    h("button", { type: "submit", class: "primary" }, "Send the suggestion")
  );
  suggestion.addEventListener("change", (event) => {
    if (event.target.name === "action" || event.target.name === "entry") show(suggestion);
  });
  show(suggestion);
  details.append(suggestion);
  return details;
}

/** What the supporter may do with a section, together under it. */
function sectionActions(shareId, section, person, { canComment, canSuggest, rerender }) {
  if (!canComment && !canSuggest) return null;
  return h(
    "div",
    { class: "section-actions-box", role: "group", "aria-label": `Your suggestions and comments on “${section.title}”` },
    canSuggest ? suggestForm(shareId, section, rerender) : null,
    canComment ? commentForm(shareId, section, person, rerender) : null
  );
}

function mine(items, kind) {
  if (!items?.length) return null;
  return [
    h("h2", {}, kind === "comment" ? "Your comments" : "Your suggestions"),
    h(
      "ul",
      { class: "cards" },
      items.map((item) =>
        h(
          "li",
          { class: "card" },
          h("p", {}, kind === "comment" ? item.text : item.summary),
          h("p", { class: "hint" }, `${item.section.title}, ${formatDateTime(item.created_at)}`),
          item.decision_note ? h("p", { class: "own-note" }, `Their answer: ${item.decision_note}`) : null,
          (item.replies ?? []).map((r) =>
            h("p", { class: "own-note" }, `${r.written_by.display_name} replied: ${r.text}`)
          )
        )
      )
    ),
  ];
}

export const sharedView = {
  async render({ id }, { rerender, user }) {
    const { data, notice } = await load(
      () => Promise.all([api(`/shared-with-me/${id}`), api("/shared-with-me?limit=1000")]),
      CLOSED
    );
    if (notice) return page("A shared plan", backLink("#/shared", "Shared with you"), notice);
    const [plan, list] = data;
    const about = list.shares.find((s) => s.share_id === id);
    const person = about?.person.display_name ?? "The person";
    const { permission } = plan.share;
    const canComment = permission === "comment" || permission === "suggest";
    const canSuggest = permission === "suggest";
    const [comments, suggestions] = await Promise.all([
      canComment ? api(`/shared-with-me/${id}/comments`).catch(() => []) : [],
      canSuggest ? api(`/shared-with-me/${id}/suggestions`).catch(() => []) : [],
    ]);
    return page(
      `${person}'s plan`,
      backLink("#/shared", "Shared with you"),
      h(
        "p",
        { class: "notice" },
        `${about?.summary ?? ""} You're seeing it read-only, as ${person} shared it. ${person} can see that you looked.`
      ),
      plan.share.until ? h("p", { class: "hint" }, `Shared until ${formatDate(plan.share.until)}.`) : null,
      plan.sections.map((section) =>
        h(
          "section",
          { class: "card", "aria-label": section.title },
          h("h2", {}, section.title),
          answersByPrompt(section, {
            level: "h3",
            more: (entry) => pageFileButton(entry, (file) => `/shared-with-me/${id}/page-files/${file.id}`),
          }),
          sectionActions(id, section, person, { canComment, canSuggest, rerender })
        )
      ),
      user.role === "clinician" && canSuggest && plan.sections.some((s) => s.key === "crisis")
        ? h(
            "p",
            {},
            h(
              "a",
              { href: `#/import/${plan.id}`, class: "button secondary" },
              "Import a crisis statement for them to review"
            )
          )
        : null,
      mine(comments, "comment"),
      mine(suggestions, "suggestion")
    );
  },
};

async function importablePlans() {
  const list = await api("/shared-with-me?limit=1000");
  return list.shares.filter((s) => s.permission === "suggest" && s.sections.some((x) => x.key === "crisis"));
}

export const importUpload = {
  async render({ planId }, { navigate }) {
    const { data, notice } = await load(importablePlans, "Importing a crisis statement");
    if (notice) return page("Import a crisis statement", notice);
    const target = data.find((s) => s.plan_id === planId) ?? (data.length === 1 ? data[0] : null);
    const intro = h(
      "p",
      {},
      "Bring in a crisis advance statement or joint crisis plan from your own system: FHIR (JSON), Word, PDF or text. The person reviews it part by part; nothing goes into their plan until they accept it."
    );
    if (!target) {
      return page(
        "Import a crisis statement",
        intro,
        cardList(
          data,
          (s) =>
            h("li", { class: "card" }, cardLink(`#/import/${s.plan_id}`, `${s.person.display_name}: ${s.plan_title}`)),
          "You can import into a plan when its owner shares their crisis plan with you and lets you suggest changes."
        )
      );
    }
    const confirmBox = h(
      "label",
      { class: "choice", hidden: true },
      h("input", { type: "checkbox", name: "confirm_person" }),
      ` I'm sure this document is about ${target.person.display_name}`
    );
    return page(
      `Import for ${target.person.display_name}`,
      backLink("#/import", "Import a crisis statement"),
      intro,
      form(
        async (f) => {
          const file = f.file.files[0];
          if (!file) throw new Error("Choose the file to send first.");
          const body = new FormData();
          body.append("file", file);
          if (f.source_system.value.trim()) body.append("source_system", f.source_system.value.trim());
          if (f.confirm_person.checked) body.append("confirm_person", "true");
          try {
            const made = await api(`/plans/${target.plan_id}/imports`, { method: "POST", form: body });
            f.removeAttribute("data-dirty");
            flash(`Sent. ${made.summary} ${target.person.display_name} will review it part by part.`);
            navigate(`shared/${target.share_id}`);
          } catch (error) {
            if (error.status === 422 && /name|person/i.test(error.message)) confirmBox.hidden = false;
            throw error;
          }
        },
        field(
          "The file",
          h("input", {
            type: "file",
            name: "file",
            accept:
              ".json,.docx,.pdf,.txt,.md,application/json,application/fhir+json,application/pdf,text/plain,text/markdown",
          })
        ),
        field("Which system it came from (optional)", h("input", { name: "source_system", maxlength: 300 })),
        confirmBox,
        h("button", { type: "submit", class: "primary" }, "Send it for review")
      )
    );
  },
};
