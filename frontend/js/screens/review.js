// What others sent the person: suggested changes, comments, and imported crisis statements.
// Nothing goes into the plan until the person accepts it; they may also disagree in a note.
import { api } from "../api.js";
import { counted, fill, formatDate, formatDateTime, h, saveFile } from "../dom.js";
import * as store from "../store.js";
import { syncNow } from "../sync.js";
import { remember } from "../waiting.js";
import {
  backLink,
  cardLink,
  cardList,
  confirmBox,
  field,
  flash,
  form,
  load,
  page,
  textArea,
} from "../ui.js";

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
  const anyway = s.target_changed ? { apply_although_changed: true } : {};
  const named = (text) => [text, h("span", { class: "visually-hidden" }, `: ${s.summary}`)];
  // As with an imported statement: their words as they are, the person's own version of
  // them, no, or no with the person's reason (which the one who suggested it reads).
  const changeFirst =
    s.action === "remove"
      ? null
      : h(
          "details",
          { class: "adder" },
          h("summary", {}, named("Change it first")),
          form(
            async (f) => {
              const text = f.text.value.trim();
              if (!text) throw new Error("Write your version of the words first, or choose another option.");
              f.removeAttribute("data-dirty");
              await act("accept", { ...anyway, text });
            },
            field("My version of the words", textArea("text", s.text)),
            h("button", { type: "submit", class: "primary" }, "Add my version")
          )
        );
  const disagree = h(
    "details",
    { class: "adder" },
    h("summary", {}, named("I disagree")),
    form(
      async (f) => {
        const reason = f.reason.value.trim();
        if (!reason || reason === DISAGREE.trim())
          throw new Error("Say why you disagree, or choose another option.");
        f.removeAttribute("data-dirty");
        await act("reject", { reason });
      },
      field(
        "Why I disagree",
        textArea("reason", DISAGREE, { rows: 2 }),
        `${s.suggested_by.display_name} will read this. Your plan doesn't change.`
      ),
      h("button", { type: "submit", class: "secondary" }, "Say no, with my reason")
    )
  );
  return h(
    "li",
    { class: "card" },
    h("p", { class: "card-title" }, s.summary),
    h(
      "p",
      { class: "hint" },
      `From ${who(s.suggested_by)}, ${formatDateTime(s.created_at)}. In “${s.section.title}”.`
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
      h("button", { type: "button", class: "primary", onclick: () => act("accept", anyway) }, named("Accept")),
      h("button", { type: "button", class: "secondary", onclick: () => act("reject") }, named("Say no"))
    ),
    changeFirst,
    disagree
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
      `${who(c.written_by)} on “${c.section.title}”, ${formatDateTime(c.created_at)}:`
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
    remember(plan.id, {
      suggestions: suggestions.length,
      comments: comments.filter((c) => !c.replies.some((r) => r.by_plan_owner)).length,
      imports: proposed.length,
    });
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

// The person's four choices for a part. None is chosen for them: a part nobody decided on
// stays waiting, and adding everything is a separate, counted action that asks once.
const CHOICES = [
  ["accept", "Add these words to my crisis plan"],
  ["edit", "Change them, then add them"],
  ["reject", "Leave them out"],
  ["disagree", "Keep them, and say why I disagree"],
];

const DISAGREE = "I disagree because ";

const sidesOf = (contradiction, origin) => contradiction.sides.filter((side) => side.origin === origin);

function partContradictions(part, contradictions) {
  const mine = contradictions.filter((c) => sidesOf(c, "import").some((side) => side.id === part.id));
  if (!mine.length) return null;
  return h(
    "div",
    { class: "notice contradiction" },
    h("p", {}, "If you add this, your plan may not agree with itself:"),
    h(
      "ul",
      {},
      mine.map((c) => h("li", {}, c.message))
    )
  );
}

function partFields(part, contradictions) {
  const name = `part-${part.id}`;
  const changes = field("My changes to the words", textArea(`${name}-text`, part.text));
  const note = field(
    "Why I disagree",
    textArea(`${name}-note`, DISAGREE, { rows: 2 }),
    "Your note is kept beside their words, marked as yours."
  );
  changes.hidden = true;
  note.hidden = true;
  const show = (value) => {
    changes.hidden = value !== "edit";
    note.hidden = value !== "disagree";
    // Straight on to their own words, after "I disagree because ".
    const box = value === "disagree" ? note.querySelector("textarea") : null;
    box?.focus();
    box?.setSelectionRange(box.value.length, box.value.length);
  };
  const choice = ([value, text]) =>
    h(
      "label",
      { class: "choice" },
      h("input", { type: "radio", name, value, onchange: () => show(value) }),
      " ",
      text
    );
  return h(
    "fieldset",
    { class: "card part", "data-part": part.id },
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
    partContradictions(part, contradictions),
    h(
      "div",
      { role: "radiogroup", "aria-label": `What to do with “${part.field_label}”` },
      CHOICES.map(choice)
    ),
    changes,
    note
  );
}

/** The decision for one part, or null while the person hasn't chosen. */
function decisionFor(f, part) {
  const name = `part-${part.id}`;
  const chosen = f.querySelector(`input[name="${name}"]:checked`)?.value;
  if (!chosen) return null;
  const decision = { part_id: part.id, action: chosen === "reject" ? "reject" : "accept" };
  if (chosen === "edit") {
    decision.text = f[`${name}-text`].value.trim();
    if (!decision.text) throw new Error(`Write your changes for “${part.field_label}”, or choose another option.`);
  }
  if (chosen === "disagree") {
    decision.note = f[`${name}-note`].value.trim();
    if (!decision.note || decision.note === DISAGREE.trim()) throw new Error(`Say why you disagree with “${part.field_label}”, or choose another option.`);
  }
  return decision;
}

async function download(attachment, button) {
  const response = await api(attachment.url.replace(/^\/api\/v1/, ""), { raw: true });
  saveFile(await response.blob(), attachment.file_name);
  button.textContent = `Downloaded ${attachment.file_name}`;
}

// How each kind of attester (as the import API words their role) is said in a sentence.
const ATTESTED = {
  "signed it": "signed by",
  witness: "witnessed by",
  notary: "notarised by",
  "attested it professionally": "attested professionally by",
  "attested it legally": "attested legally by",
  "attested it for an organisation": "attested for an organisation by",
};

// "Signed by Sam Taylor on 2 March 2026; witnessed by Gareth Lloyd." The document's own
// word for when is kept as it is when it is not a date we can read.
function attestedLine(attesters) {
  if (!attesters.length) return null;
  // The person's own signature first, then who witnessed or attested it.
  const signedFirst = [...attesters].sort((a, b) => (b.role === "signed it") - (a.role === "signed it"));
  const said = signedFirst.map(({ name, role, time }) => {
    const how = ATTESTED[role] ?? (role ? `attested (${role}) by` : "attested by");
    const when = !time ? "" : /^\d{4}-\d{2}-\d{2}/.test(time) ? formatDate(time.slice(0, 10)) : time;
    return `${how} ${name}${when ? ` on ${when}` : ""}`;
  });
  const line = said.join("; ");
  return `${line[0].toUpperCase()}${line.slice(1)}.`;
}

// "Add all 12 parts"; with one left, "Add the 1 part left".
const allOf = (n) => (n === 1 ? "Add the 1 part left" : `Add all ${counted(n, "part")}`);

export const importReview = {
  async render({ id }, { navigate, rerender }) {
    const plan = await store.currentPlan();
    const { data, notice } = await load(() => api(`/plans/${plan?.id}/imports/${id}`), CLOSED);
    if (notice)
      return page("An imported statement", backLink("#/suggestions", "Suggestions and imports"), notice);
    const parts = data.parts.filter((p) => p.status === "proposed");
    const contradictions = data.contradictions ?? [];
    const original = data.attachments.find((a) => a.kind === "original");
    const source = [data.source.author, data.source.organisation].filter(Boolean).join(", ");
    const send = async (f, decisions, saved) => {
      const body = { decisions };
      if (data.warnings.length) {
        if (!f.warnings_seen.checked) throw new Error("Please tick that you've read the warning at the top first.");
        body.warnings_seen = true;
      }
      await syncNow();
      await api(`/plans/${plan.id}/imports/${id}/decisions`, { method: "POST", json: body });
      f.removeAttribute("data-dirty");
      await syncNow();
      flash(saved);
      if (decisions.length < parts.length) rerender();
      else navigate("crisis");
    };
    const addAll = h("div", { class: "stack" });
    const askAddAll = (f) =>
      fill(
        addAll,
        confirmBox(
          "add-all",
          `${allOf(parts.length)} to your crisis plan, exactly as ${parts.length === 1 ? "it is" : "they are"} written?` +
            (contradictions.length
              ? ` ${contradictions.length === 1 ? "One thing" : `${contradictions.length} things`} in them may not agree with your plan or with each other (shown above).`
              : ""),
          parts.length === 1 ? "Yes, add it" : `Yes, add all ${counted(parts.length, "part")}`,
          () =>
            send(
              f,
              parts.map((part) => ({ part_id: part.id, action: "accept" })),
              `Added ${parts.length === 1 ? "it" : `all ${counted(parts.length, "part")}`} to your crisis plan, marked as words from ${source || data.imported_by.display_name}.`
            ).catch((error) => fill(addAll, h("p", { class: "alert", role: "alert" }, error.message))),
          () => fill(addAll)
        )
      );
    const review = form(
      async (f) => {
        const decisions = parts.map((part) => decisionFor(f, part)).filter(Boolean);
        if (!decisions.length)
          throw new Error("Choose what to do with at least one part first. Parts you haven't decided on stay here.");
        const waiting = parts.length - decisions.length;
        await send(
          f,
          decisions,
          waiting
            ? `Saved your choices for ${counted(decisions.length, "part")}. ${counted(waiting, "part")} still ${waiting === 1 ? "waits" : "wait"} for you.`
            : "Saved. What you added is in your crisis plan, marked as imported words."
        );
      },
      parts.map((part) => partFields(part, contradictions)),
      data.warnings.length
        ? h("label", { class: "choice" }, h("input", { type: "checkbox", name: "warnings_seen" }), " I've read the warning")
        : null,
      h("button", { type: "submit", class: "primary" }, "Save my choices"),
      h("p", { class: "hint" }, "Parts you haven't chosen for stay here, waiting, until you come back."),
      h(
        "button",
        { type: "button", class: "secondary", id: "add-all", onclick: (e) => askAddAll(e.currentTarget.form) },
        allOf(parts.length)
      ),
      addAll
    );
    return page(
      "An imported crisis statement",
      backLink("#/suggestions", "Suggestions and imports"),
      h("p", {}, data.summary),
      source ? h("p", {}, `The document says it was written by ${source}.`) : null,
      data.attested_by?.length ? h("p", { id: "import-attested" }, attestedLine(data.attested_by)) : null,
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
        "These words are not yours until you accept them. Take each part in turn: add it, change it first, leave it out, or keep it and say why you disagree. Nothing is chosen for you."
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
      contradictions.length
        ? h(
            "div",
            { class: "notice contradiction", id: "import-contradictions" },
            h("h2", {}, "Things that may not agree"),
            h(
              "p",
              {},
              "Adding some of these parts would put two things in your plan that may not agree. You decide: leave one out, change it, or keep both."
            ),
            h(
              "ul",
              {},
              contradictions.map((c) => h("li", {}, c.message))
            )
          )
        : null,
      parts.length ? review : h("p", {}, "You've already looked at every part of this.")
    );
  },
};
