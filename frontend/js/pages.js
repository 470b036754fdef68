// Inserted pages in the notes section: a title, the person's own text, a link and a small
// file. The page is an entry (queued and synced like any); its file is sent at once, as it
// is kept on the server, so adding a file needs a connection.
import { api } from "./api.js";
import { h, saveFile } from "./dom.js";
import * as store from "./store.js";
import { syncNow } from "./sync.js";
import { field, form, textArea } from "./ui.js";

export const PAGES_SECTION = "notes";
// The notes section's prompt ("A note or page"), under which a page is shown to everyone.
const PAGE_PROMPT = "note";
const MAX_FILE_BYTES = 4 * 1024 * 1024;

function checkedLink(value) {
  if (!value) return null;
  const link = /^[a-z]+:/i.test(value) ? value : `https://${value}`;
  let parsed;
  try {
    parsed = new URL(link);
  } catch {
    parsed = null;
  }
  if (!parsed || !["http:", "https:"].includes(parsed.protocol) || /\s/.test(value))
    throw new Error("The link should be a web address, like https://example.org/leaflet.");
  return link;
}

async function keepFile(plan, file) {
  if (file.size > MAX_FILE_BYTES)
    throw new Error("This file is over 4 MB, the most a page can hold. A smaller copy, or a link to it, would fit.");
  await syncNow(); // a plan made on this phone reaches the server first
  const body = new FormData();
  body.append("file", file);
  try {
    return await api(`/plans/${plan.id}/page-files`, { method: "POST", form: body });
  } catch (error) {
    if (error.name === "OfflineError")
      throw new Error("Adding a file needs a connection. Add the page without it now, or try again when you're online.");
    throw error;
  }
}

/** "Add a page": its form, folded away until opened. */
export function pageAdder(plan, { focusNext }) {
  const adder = h("details", { class: "adder" }, h("summary", { id: "add-page" }, "Add a page"));
  adder.append(
    form(
      async (f) => {
        const title = f.title.value.trim();
        const text = f.text.value.trim();
        if (!title) throw new Error("Give the page a title first.");
        if (!text) throw new Error("Write a few words on the page: what it is, or why you keep it.");
        const page = { title };
        const link = checkedLink(f.link.value.trim());
        if (link) page.link = link;
        const file = f.file.files[0];
        if (file) page.file = await keepFile(plan, file);
        f.removeAttribute("data-dirty");
        focusNext("add-page");
        await store.addEntry(plan, PAGES_SECTION, { text, page, prompt: PAGE_PROMPT });
      },
      field("Title", h("input", { name: "title", maxlength: 200, id: "page-title" })),
      field("What's on the page", textArea("text", ""), "In your own words: what it is, when it's on, why you keep it."),
      field("A link (you don't have to)", h("input", { name: "link", type: "url", inputmode: "url", maxlength: 2000 })),
      field(
        "A small file (you don't have to)",
        h("input", { name: "file", type: "file", accept: ".pdf,.png,.jpg,.jpeg,.txt,application/pdf,image/png,image/jpeg,text/plain" }),
        "A PDF, a photo or a text file, up to 4 MB. It's kept with your plan, encrypted."
      ),
      h("button", { type: "submit", class: "primary" }, "Save the page")
    )
  );
  return adder;
}

/** A page's title and link, to change them in the entry's own form (its file stays). */
export function pageFields(page) {
  return [
    field("Title of the page", h("input", { name: "page_title", value: page.title, maxlength: 200 })),
    field(
      "Its link (you don't have to)",
      h("input", { name: "page_link", type: "url", inputmode: "url", value: page.link ?? "", maxlength: 2000 })
    ),
  ];
}

/** The page as `pageFields` in form `f` have it now; an error to show if it can't be one. */
export function readPage(f, page) {
  const title = f.page_title.value.trim();
  if (!title) throw new Error("Give the page a title first.");
  const { link: _, ...kept } = page;
  const link = checkedLink(f.page_link.value.trim());
  return link ? { ...kept, title, link } : { ...kept, title };
}

/** The page's file, opened from where `pathOf(file)` says (the owner's plan, or a share of
 * it) and saved to the phone. */
export function pageFileButton(entry, pathOf) {
  const file = entry.page?.file;
  if (!file) return null;
  const status = h("span", { role: "status", class: "hint" });
  const open = async () => {
    status.textContent = "";
    try {
      const response = await api(pathOf(file), { raw: true });
      saveFile(await response.blob(), file.name);
    } catch (error) {
      status.textContent =
        error.name === "OfflineError" ? "Opening the file needs a connection." : error.message;
    }
  };
  return h(
    "p",
    {},
    h("button", { type: "button", class: "secondary small", onclick: open }, `Open “${file.name}”`),
    " ",
    status
  );
}
