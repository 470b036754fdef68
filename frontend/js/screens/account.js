// "More": your plans, history, taking your plan with you (export, print), your password and
// where you're signed in, signing out, and deleting your account.
import { api, session, signOut } from "../api.js";
import { formatDate, formatDateTime, h, saveFile } from "../dom.js";
import * as store from "../store.js";
import { answersByPrompt, backLink, button, confirmBox, field, flash, form, load, page } from "../ui.js";

const TEMPLATE_NAMES = { green_book: "Green Book", wrap: "WRAP" };
let confirming = null; // "sign-out" | "delete" | "everywhere"
let changingPassword = false;

function passwordPart({ refresh, focusNext }) {
  if (!changingPassword) {
    return button("Change password", () => ((changingPassword = true), focusNext("current-password"), refresh()), {
      id: "change-password",
    });
  }
  const close = (f) => {
    f.removeAttribute("data-dirty");
    changingPassword = false;
    focusNext("change-password");
    refresh();
  };
  return form(
    async (f) => {
      await api("/me/password", {
        method: "POST",
        json: { current_password: f.current_password.value, new_password: f.new_password.value },
      });
      flash("Your password is changed. Any other device you were signed in on is now signed out.");
      close(f);
    },
    field(
      "Current password",
      h("input", {
        id: "current-password",
        name: "current_password",
        type: "password",
        autocomplete: "current-password",
        required: true,
      })
    ),
    field(
      "New password",
      h("input", { name: "new_password", type: "password", autocomplete: "new-password", required: true, minlength: 8 }),
      "At least 8 characters. A few words together is easy to remember; very common passwords aren't accepted."
    ),
    h(
      "div",
      { class: "row" },
      h("button", { type: "submit", class: "primary" }, "Change password"),
      button("Cancel", (event) => close(event.currentTarget.form))
    )
  );
}

const deviceWhen = (device) =>
  `Signed in ${formatDate(device.signed_in_at)}; last used ${formatDateTime(device.last_used_at)}`;

async function devicesPart({ refresh, focusNext }) {
  const { data: devices, notice } = await load(() => api("/me/devices"), "Seeing where you're signed in");
  if (notice) return notice;
  const signOutDevice = async (device) => {
    try {
      await api(`/me/devices/${device.id}`, { method: "DELETE" });
      flash(`${device.name} is signed out.`);
    } catch (error) {
      flash(error.message);
    }
    focusNext("devices-heading");
    refresh();
  };
  return h(
    "ul",
    { class: "plain devices", "aria-labelledby": "devices-heading" },
    devices.map((device) =>
      h(
        "li",
        { class: "row spread" },
        h(
          "div",
          {},
          h("strong", {}, device.name),
          device.this_device ? " (this device)" : null,
          h("p", { class: "hint" }, deviceWhen(device))
        ),
        device.this_device
          ? null
          : h(
              "button",
              { type: "button", class: "secondary small", onclick: () => signOutDevice(device) },
              "Sign out",
              h("span", { class: "visually-hidden" }, ` ${device.name}, ${deviceWhen(device).toLowerCase()}`)
            )
      )
    )
  );
}

async function download(exportButton) {
  const response = await api("/export", { raw: true });
  saveFile(await response.blob(), "my-plans.json");
  exportButton.after(h("p", { class: "flash", role: "status" }, "Your plans are downloading as my-plans.json."));
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
    const everywhereButton =
      confirming === "everywhere"
        ? confirmBox(
            "everywhere",
            `This signs you out on every device, this one too. Your plans stay safe in your account.${
              unsynced
                ? ` ${unsynced} ${unsynced === 1 ? "change hasn't" : "changes haven't"} reached the server from this phone yet and would be lost.`
                : ""
            }`,
            "Sign out everywhere",
            async () => {
              try {
                await api("/me/sign-out-everywhere", { method: "POST" });
              } catch (error) {
                confirming = null;
                flash(error.message);
                return refresh();
              }
              await leave();
            },
            goBack
          )
        : button("Sign out everywhere", () => ((confirming = "everywhere"), focusNext("everywhere-yes"), refresh()), {
            id: "sign-out-everywhere",
          });
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
                    `${p.title}${p.title.startsWith(TEMPLATE_NAMES[p.template]) ? "" : ` (${TEMPLATE_NAMES[p.template]})`}${p.archived ? ", put away" : ""}`
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
        { "aria-labelledby": "password-heading" },
        h("h2", { id: "password-heading" }, "Your password"),
        passwordPart({ refresh, focusNext })
      ),
      h(
        "section",
        { "aria-labelledby": "devices-heading" },
        h("h2", { id: "devices-heading", tabindex: "-1" }, "Where you're signed in"),
        await devicesPart({ refresh, focusNext }),
        everywhereButton
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
