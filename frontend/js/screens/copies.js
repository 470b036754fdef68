// Every copy of the plan one tap away: the PDF booklet, the crisis plan as a PDF, a page and
// a QR code, the FHIR document for health services, and everything as a JSON file; and a
// JSON file brought back, shown first for the person to check before anything is added.
import { api } from "../api.js";
import { counted, formatDate, h, saveFile } from "../dom.js";
import * as store from "../store.js";
import { syncNow } from "../sync.js";
import { backLink, button, cardList, flash, page } from "../ui.js";

const TEMPLATE_NAMES = { green_book: "Green Book", wrap: "WRAP", safety_plan: "Safety plan" };
let chosenFile = null; // { name, body, preview } of the file being brought back

/** A button that downloads a copy, saying how it went right after it. */
function downloadButton(id, label, path, fileName) {
  const status = h("p", { class: "hint", role: "status", id: `${id}-status` });
  const start = async (event) => {
    const clicked = event.currentTarget;
    clicked.disabled = true;
    status.textContent = "Making your copy…";
    try {
      await syncNow(); // the copy holds the changes made on this phone too
      const response = await api(path, { raw: true });
      saveFile(await response.blob(), fileName);
      status.textContent = `Downloaded ${fileName}.`;
    } catch (error) {
      status.textContent =
        error.name === "OfflineError" ? "Making a copy needs a connection. Try again when you're online." : error.message;
    } finally {
      clicked.disabled = false;
    }
  };
  return h("li", {}, button(label, start, { id, class: "secondary wide" }), status);
}

function previewCard(plan) {
  return h(
    "li",
    { class: "card" },
    h("h3", {}, plan.title),
    h(
      "p",
      { class: "card-meta" },
      `${TEMPLATE_NAMES[plan.template] ?? plan.template}, last changed ${formatDate(plan.updated_at)}: ${counted(plan.entries, "thing")} written, ${counted(plan.versions, "version")} of history, ${counted(plan.check_ins, "check-in")}.`
    ),
    plan.sections.length
      ? h(
          "ul",
          { class: "plain" },
          plan.sections.map((s) => h("li", {}, `${s.title}: ${s.entries}`))
        )
      : null,
    plan.already_here
      ? h("p", { class: "notice" }, "You already have this plan here. Adding it makes a second copy beside it; yours stays as it is.")
      : null
  );
}

// The server's words say what is wrong with the file and what to do instead.
const cannotBringBack = (error) =>
  error.name === "OfflineError"
    ? "Bringing back a copy needs a connection. Try again when you're online."
    : `This file can't be brought back. ${error.message}`;

function bringBackPart({ rerender: refresh, focusNext }) {
  const problem = h("p", { class: "alert", role: "alert", hidden: true, id: "bring-back-problem" });
  const say = (message) => {
    problem.textContent = message;
    problem.hidden = !message;
  };
  const read = async (event) => {
    const file = event.currentTarget.files[0];
    if (!file) return;
    say("");
    let body;
    try {
      body = JSON.parse(await file.text());
    } catch {
      return say(`“${file.name}” isn't a copy saved from this app. Choose the file called my-plans.json that you downloaded.`);
    }
    try {
      const preview = await api("/import/preview", { method: "POST", json: body });
      chosenFile = { name: file.name, body, preview };
      focusNext("preview-heading");
      refresh();
    } catch (error) {
      say(cannotBringBack(error));
    }
  };
  if (!chosenFile) {
    return [
      h("p", {}, "Choose a copy you downloaded from this app (my-plans.json). You'll see what's in it before anything is added."),
      h(
        "div",
        { class: "field" },
        h("label", { for: "bring-back-file" }, "The file of my saved copy"),
        h("input", { type: "file", id: "bring-back-file", accept: ".json,application/json", onchange: read })
      ),
      problem,
    ];
  }
  const { preview } = chosenFile;
  const add = async () => {
    try {
      const added = await api("/import", { method: "POST", json: chosenFile.body });
      const n = added.imported_plans.length;
      chosenFile = null;
      await syncNow();
      flash(`${n} ${n === 1 ? "plan was" : "plans were"} added. You'll find ${n === 1 ? "it" : "them"} under “Your plans” in More.`);
    } catch (error) {
      flash(cannotBringBack(error));
    }
    focusNext("bring-back-heading");
    refresh();
  };
  const cancel = () => {
    chosenFile = null;
    flash("Nothing was added.");
    focusNext("bring-back-heading");
    refresh();
  };
  const n = preview.plans.length;
  return [
    h("h3", { id: "preview-heading", tabindex: "-1" }, `What “${chosenFile.name}” would add`),
    h(
      "p",
      {},
      `Saved by ${preview.exported_by} on ${formatDate(preview.exported_at)}. ${n ? `${n} ${n === 1 ? "plan" : "plans"}, added as new ${n === 1 ? "plan" : "plans"}: nothing you have now changes.` : ""}`
    ),
    cardList(preview.plans, previewCard, "This copy holds no plans, so there is nothing to add."),
    h(
      "div",
      { class: "row" },
      n ? button(n === 1 ? "Add this plan" : `Add these ${n} plans`, add, { class: "primary", id: "bring-back-add" }) : null,
      button(n ? "Don't add anything" : "Choose another file", cancel, { id: "bring-back-cancel" })
    ),
  ];
}

// Not `live`: a sync finishing would draw it again, wiping what a download just said.
export const copies = {
  async render(_params, context) {
    const plan = await store.currentPlan();
    if (!plan) return (context.navigate("welcome"), {});
    const id = plan.id;
    return page(
      "Save, print or bring back a copy",
      backLink("#/more", "More"),
      h("p", {}, "Copies are made from your plan as it is now. Making one needs a connection."),
      h("h2", {}, "My whole plan"),
      h(
        "ul",
        { class: "plain downloads" },
        downloadButton("booklet", "A booklet to print (PDF)", `/plans/${id}/print`, "my-plan.pdf"),
        h("li", {}, h("a", { href: "#/print", class: "button secondary wide" }, "Print it from this phone"))
      ),
      h("h2", {}, "My crisis plan"),
      h(
        "ul",
        { class: "plain downloads" },
        downloadButton("crisis-pdf", "One page for the fridge (PDF)", `/plans/${id}/print?sections=crisis`, "crisis-plan.pdf"),
        downloadButton(
          "crisis-wallet",
          "Wallet-sized cards (PDF)",
          `/plans/${id}/print?sections=crisis&layout=wallet`,
          "crisis-plan-wallet.pdf"
        ),
        h("li", {}, h("a", { href: "#/crisis-card", class: "button secondary wide" }, "A link and QR code to show people")),
        downloadButton(
          "fhir",
          "For a health or care service (FHIR document)",
          `/plans/${id}/fhir`,
          "crisis-plan.fhir.json"
        )
      ),
      h("p", { class: "hint" }, "The FHIR document is a standard format that health and care record systems can read."),
      h("h2", {}, "Everything, to keep or move"),
      h(
        "ul",
        { class: "plain downloads" },
        downloadButton("everything", "All my plans and their history (JSON)", "/export", "my-plans.json")
      ),
      h("section", { "aria-labelledby": "bring-back-heading" }, h("h2", { id: "bring-back-heading", tabindex: "-1" }, "Bring back a saved copy"), bringBackPart(context))
    );
  },
};
