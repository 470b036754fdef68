// Pieces several screens share: page headings, entries as the person wrote them, goals.
import { alertBox, field, formatDate, h, say } from "./dom.js";

export const FIVE_WAYS = {
  connect: "Connect",
  be_active: "Be active",
  take_notice: "Take notice",
  learn: "Keep learning",
  give: "Give",
};

/** Goal attainment scaling, −2 to +2, in words (a list, to keep this order). */
export const PROGRESS = [
  [-2, "Much less than I hoped"],
  [-1, "A bit less than I hoped"],
  [0, "What I hoped for"],
  [1, "A bit more than I hoped"],
  [2, "Much more than I hoped"],
];

let flashed = null;
/** A message for the next screen, such as "Restored". */
export const flash = (message) => (flashed = { message, shownOn: null });

/** As a screen is made for `path`. A message stays on the screen it was first shown on while
 * that screen is drawn again (waiting counts or a sync arriving just after), and goes once
 * the person moves to another screen. */
export function flashFor(path) {
  if (flashed?.shownOn && flashed.shownOn !== path) flashed = null;
}

/** The screen for `path` reached the page (a screen made but dropped for a newer one did not). */
export function flashShown(path) {
  if (flashed) flashed.shownOn ??= path;
}

export function page(title, ...children) {
  const message = flashed && h("p", { class: "flash", role: "status" }, flashed.message);
  return {
    title,
    body: h("div", { class: "page" }, h("h1", { tabindex: "-1" }, title), message, ...children),
  };
}

/** A button that does something here (it never submits a form). */
export const button = (content, onclick, attributes = {}) =>
  h("button", { type: "button", class: "secondary", onclick, ...attributes }, content);

export const backLink = (href, text) => h("a", { class: "back", href }, `← ${text}`);

/** A question asked in place, with a (danger) yes and a "No, go back"; `${id}-yes` is for focus. */
export function confirmBox(id, question, yes, onYes, onNo) {
  return h(
    "div",
    { class: "confirm", role: "group", "aria-labelledby": `${id}-question` },
    h("p", { id: `${id}-question` }, question),
    h(
      "div",
      { class: "row" },
      h("button", { type: "button", class: "danger", id: `${id}-yes`, onclick: onYes }, yes),
      button("No, go back", onNo)
    )
  );
}

/** A list of cards, one per item, or a line saying there are none. */
export const cardList = (items, card, emptyText) =>
  items.length ? h("ul", { class: "cards" }, items.map(card)) : h("p", {}, emptyText);

/** A card's link: its title, and a line of detail when there is one. */
export const cardLink = (href, title, meta) =>
  h(
    "a",
    { href, class: "card-link" },
    h("span", { class: "card-title" }, title),
    meta === undefined ? null : h("span", { class: "card-meta" }, meta)
  );

export function goalDetails(goal) {
  if (!goal) return null;
  const rows = [
    ["Way to wellbeing", FIVE_WAYS[goal.way]],
    ["Small steps", goal.steps],
    ["By when", formatDate(goal.by_when)],
    ["Who can help", goal.who_can_help],
    ["How I'll know", goal.how_ill_know],
    ["How it's going", new Map(PROGRESS).get(goal.progress)],
    ["Look at it again on", formatDate(goal.review_date)],
  ].filter(([, value]) => value);
  if (!rows.length) return null;
  return h(
    "dl",
    { class: "goal" },
    rows.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])
  );
}

/** Imported words say whose they are; the person's own note on them is marked as theirs. */
// Whose words these are, as the crisis card and the printed plan say it (in words that fit
// the owner and the people they share with alike).
function sourceNote(source, acceptedAt) {
  if (!source) return null;
  const author = source.organisation ? `${source.author} (${source.organisation})` : source.author;
  return [
    h(
      "p",
      { class: "source" },
      `From ${author}, brought in by ${source.imported_by} on ${formatDate(source.imported_at)}, accepted into this plan on ${formatDate(acceptedAt)}${source.edited ? ", with changes" : ""}.`
    ),
    source.note ? h("p", { class: "own-note" }, `My note: ${source.note}`) : null,
  ];
}

/** An inserted page's link and file, below its title and text (the entry's text). */
function pageDetails(page) {
  if (!page) return null;
  return [
    page.link ? h("p", {}, h("a", { href: page.link, rel: "noopener noreferrer", target: "_blank" }, page.link)) : null,
    page.file ? h("p", { class: "hint" }, `A file kept with it: ${page.file.name}`) : null,
  ];
}

// A phone number as people type one ("07700 900123", "+44 161 496 0000", "116 123"), or
// an emergency number on its own.
const PHONE_NUMBER = /\+?\d[\d ]{5,}\d|\b(?:999|111|112)\b/g;

export const hasPhoneNumber = (text) => text.search(PHONE_NUMBER) !== -1;

/** The text, with each phone number in it a tap-to-call link. */
export function withPhoneLinks(text) {
  const parts = [];
  let done = 0;
  for (const found of text.matchAll(PHONE_NUMBER)) {
    parts.push(text.slice(done, found.index));
    parts.push(h("a", { href: `tel:${found[0].replaceAll(" ", "")}` }, found[0]));
    done = found.index + found[0].length;
  }
  parts.push(text.slice(done));
  return parts;
}

/** An entry as the person wrote it (or accepted it), read-only. */
export function entryView(entry) {
  return [
    entry.page ? h("p", { class: "page-title" }, entry.page.title) : null,
    h("p", { class: "entry-text" }, withPhoneLinks(entry.text)),
    pageDetails(entry.page),
    sourceNote(entry.source, entry.created_at),
    goalDetails(entry.goal),
  ];
}

/** A date picked on this phone, as the end of that day here, for the API. */
export const endOfDay = (value) => (value ? new Date(`${value}T23:59:59`).toISOString() : null);

/** An API date as the value of a date field. */
export function dateValue(value) {
  if (!value) return "";
  const date = new Date(value);
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Run an API call for a screen; offline or refused, show why in plain words instead
 * (`notFound`, when given, is what a 404 means here). */
export async function load(call, what, notFound) {
  try {
    return { data: await call() };
  } catch (error) {
    if (error.name === "OfflineError" || error instanceof TypeError) return { notice: needsConnection(what) };
    if (notFound && error.status === 404) return { notice: h("p", { class: "notice" }, notFound) };
    return { notice: h("p", { class: "alert", role: "alert" }, error.message) };
  }
}

/** Prompts in a section, each with the person's own answers, read-only; `more(entry)` is
 * shown below an entry (a page's file to open). */
export function answersByPrompt(section, { emptyText = "Nothing written here yet.", level = "h2", more } = {}) {
  const groups = section.prompts.map((prompt) => ({
    heading: prompt.text,
    entries: section.entries.filter((e) => e.prompt === prompt.key),
  }));
  const loose = section.entries.filter((e) => !section.prompts.some((p) => p.key === e.prompt));
  if (loose.length || !groups.length) groups.push({ heading: groups.length ? "Also" : null, entries: loose });
  return groups.map(({ heading, entries }) =>
    h(
      "div",
      { class: "answers" },
      heading ? h(level, {}, heading) : null,
      entries.length
        ? h(
            "ul",
            { class: "entries" },
            entries.map((e) => h("li", {}, entryView(e), more?.(e)))
          )
        : h("p", { class: "empty" }, emptyText)
    )
  );
}

/** "This needs a connection" in plain words, for screens that only work online. */
export const needsConnection = (what) =>
  h(
    "p",
    { class: "notice" },
    `${what} needs a connection. Your plan itself works offline; come back here when you're online.`
  );

/** A form whose submit handler gets the form; errors are shown in an alert inside it. */
export function form(onSubmit, ...children) {
  const problem = alertBox();
  const element = h("form", { class: "stack", novalidate: true }, problem, ...children);
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(problem, "");
    const button = element.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    try {
      await onSubmit(element);
    } catch (error) {
      say(problem, error.message);
      problem.focus?.();
    } finally {
      if (button) button.disabled = false;
    }
  });
  return element;
}

export const textArea = (name, value = "", attributes = {}) =>
  h("textarea", { name, rows: 3, maxlength: 10000, ...attributes }, value);

export { field };
