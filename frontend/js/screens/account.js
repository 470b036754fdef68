// "More": your plans, history, taking your plan with you (export, print), signing out,
// and deleting your account.
import { api, session, signOut } from "../api.js";
import { h, saveFile } from "../dom.js";
import * as store from "../store.js";
import { answersByPrompt, backLink, confirmBox, page } from "../ui.js";

const TEMPLATE_NAMES = { green_book: "Green Book", wrap: "WRAP" };
let confirming = null; // "sign-out" | "delete"

async function download(button) {
  const response = await api("/export", { raw: true });
  saveFile(await response.blob(), "my-plans.json");
  button.after(h("p", { class: "flash", role: "status" }, "Your plans are downloading as my-plans.json."));
}

export const more = {
  live: true,
  async render(_params, { navigate, refresh, focusNext, user }) {
    const signedIn = await session();
    const [plans, queued, waiting] = await Promise.all([store.plans(), store.outbox(), store.decisions()]);
    const current = await store.currentPlan();
    const person = user.role === "person";
    const leave = async () => {
      confirming = null;
      await signOut();
      navigate("signin");
    };
    const goBack = () => ((confirming = null), refresh());
    const unsynced = queued.length + waiting.length;
    const signOutButton =
      confirming === "sign-out"
        ? confirmBox(
            "sign-out",
            `${unsynced} ${unsynced === 1 ? "change hasn't" : "changes haven't"} reached the server yet. Signing out removes your plans from this phone, so ${unsynced === 1 ? "it" : "they"} would be lost.`,
            "Sign out anyway",
            leave,
            goBack
          )
        : h(
            "button",
            {
              type: "button",
              class: "secondary",
              id: "sign-out",
              onclick: () =>
                unsynced ? ((confirming = "sign-out"), focusNext("sign-out-yes"), refresh()) : leave(),
            },
            "Sign out"
          );
    const deleteButton =
      confirming === "delete"
        ? confirmBox(
            "delete",
            "This deletes your account and every plan in it, for good. It can't be undone. If you want to keep a copy, download everything first.",
            "Yes, delete everything",
            async () => {
              await api("/me", { method: "DELETE" });
              confirming = null;
              await signOut();
              navigate("signin");
            },
            goBack
          )
        : h(
            "button",
            {
              type: "button",
              class: "danger",
              id: "delete-account",
              onclick: () => ((confirming = "delete"), focusNext("delete-yes"), refresh()),
            },
            "Delete my account"
          );
    return page(
      "More",
      h("p", {}, `Signed in as ${signedIn.user.display_name} (${signedIn.user.email}).`),
      person
        ? h(
            "section",
            { "aria-labelledby": "plans-heading" },
            h("h2", { id: "plans-heading" }, "Your plans"),
            h(
              "ul",
              { class: "plain" },
              plans.map((p) =>
                h(
                  "li",
                  { class: "row spread" },
                  h(
                    "span",
                    {},
                    `${p.title} (${TEMPLATE_NAMES[p.template]})${p.archived ? ", put away" : ""}`
                  ),
                  p.id === current?.id
                    ? h("span", { class: "hint" }, "Open now")
                    : h(
                        "button",
                        {
                          type: "button",
                          class: "secondary small",
                          onclick: async () => (await store.choosePlan(p.id), navigate("plan")),
                        },
                        "Open",
                        h("span", { class: "visually-hidden" }, ` ${p.title}`)
                      )
                )
              )
            ),
            h("p", {}, h("a", { href: "#/welcome" }, "Start another plan"))
          )
        : null,
      h(
        "ul",
        { class: "plain links" },
        person ? h("li", {}, h("a", { href: "#/history" }, "Your plan's history")) : null,
        person ? h("li", {}, h("a", { href: "#/deleted" }, "Deleted plans")) : null,
        person
          ? h("li", {}, h("a", { href: "#/suggestions" }, "Suggestions and imported parts to look at"))
          : null,
        waiting.length ? h("li", {}, h("a", { href: "#/decisions" }, "Changes that need your choice")) : null,
        person ? h("li", {}, h("a", { href: "#/sharing" }, "Who can see your plan")) : null,
        person ? h("li", {}, h("a", { href: "#/shared" }, "Plans shared with you")) : null
      ),
      h(
        "section",
        { "aria-labelledby": "take-heading" },
        h("h2", { id: "take-heading" }, "Take your plan with you"),
        h(
          "div",
          { class: "row" },
          h(
            "button",
            {
              type: "button",
              class: "secondary",
              id: "export",
              onclick: (e) =>
                download(e.currentTarget).catch((error) =>
                  e.currentTarget.after(h("p", { class: "alert", role: "alert" }, error.message))
                ),
            },
            "Download everything"
          ),
          person ? h("a", { href: "#/print", class: "button secondary" }, "Print my plan") : null
        )
      ),
      h(
        "section",
        { "aria-labelledby": "leave-heading" },
        h("h2", { id: "leave-heading" }, "Signing out"),
        h("p", {}, "Signing out removes your plans from this phone. They stay safe in your account."),
        signOutButton
      ),
      h(
        "section",
        { "aria-labelledby": "delete-heading" },
        h("h2", { id: "delete-heading" }, "Delete my account"),
        deleteButton
      )
    );
  },
};

export const print = {
  async render() {
    const plan = await store.currentPlan();
    if (!plan) return page("Print my plan", h("p", {}, "There is no plan yet."));
    return page(
      plan.title,
      h(
        "div",
        { class: "row no-print" },
        backLink("#/more", "More"),
        h("button", { type: "button", class: "primary", onclick: () => window.print() }, "Print")
      ),
      plan.sections
        .filter((s) => !s.hidden)
        .map((s) =>
          h(
            "section",
            { class: "print-section", "aria-label": s.title },
            h("h2", {}, s.title),
            answersByPrompt(s, { level: "h3", emptyText: "—" })
          )
        )
    );
  },
};
