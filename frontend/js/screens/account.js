// "More": your plans, history, taking your plan with you (export, print), your password,
// passkeys and where you're signed in, signing out, and deleting your account.
import { api, session, signOut } from "../api.js";
import { unsentCount } from "../checkins.js";
import { formatDate, formatDateTime, h, saveFile } from "../dom.js";
import { makePasskey, passkeysWork, usePasskey } from "../passkeys.js";
import * as store from "../store.js";
import { answersByPrompt, backLink, button, confirmBox, field, flash, form, load, page } from "../ui.js";

const TEMPLATE_NAMES = { green_book: "Green Book", wrap: "WRAP" };
let confirming = null; // "sign-out" | "delete" | "everywhere"
let changingPassword = false;
let addingPasskey = false;
// What just happened to a passkey, shown in their section (where the person is looking).
let passkeyNotice = null;

/** How many of this phone's changes the server does not have yet: queued changes, ones
 * waiting for the person's decision, and check-ins not sent. Signing out wipes them. */
async function notOnTheServer() {
  const [queued, waiting, checkIns] = await Promise.all([store.outbox(), store.decisions(), unsentCount()]);
  return queued.length + waiting.length + checkIns;
}

/** What proves it's the person, for adding a way in or deleting the account: the password
 * typed in `f`, or (no password) one of their passkeys. */
async function confirmation(hasPassword, f) {
  if (hasPassword) {
    if (!f.password.value) throw new Error("Enter your password first.");
    return { password: f.password.value };
  }
  const { ceremony_id, public_key } = await api("/me/confirm/options", { method: "POST" });
  return { passkey: { ceremony_id, credential: await usePasskey(public_key) } };
}

const passwordToConfirm = () =>
  field(
    "Enter your password",
    h("input", { id: "confirm-password", name: "password", type: "password", autocomplete: "current-password", required: true })
  );

function passwordPart({ refresh, focusNext, hasPassword }) {
  if (!hasPassword) {
    return h(
      "p",
      {},
      "You sign in with a passkey, so you have no password. If you'd like one too, use “Forgot password?” on the sign-in screen and we'll email you a link."
    );
  }
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

const SIGNED_IN_WITH = { passkey: " with a passkey", reset_link: " with an emailed link" };
const deviceWhen = (device) =>
  `Signed in ${formatDate(device.signed_in_at)}${SIGNED_IN_WITH[device.signed_in_with] ?? ""}; last used ${formatDateTime(device.last_used_at)}`;

const passkeyWhen = (passkey) =>
  `Added ${formatDate(passkey.created_at)}; ${passkey.last_used_at ? `last used ${formatDateTime(passkey.last_used_at)}` : "not used to sign in yet"}`;

async function passkeysPart({ refresh, focusNext, hasPassword }) {
  const { data: passkeys, notice } = await load(() => api("/me/passkeys"), "Seeing your passkeys");
  if (notice) return notice;
  const done = (notice, focusId) => {
    passkeyNotice = notice;
    addingPasskey = false;
    focusNext(focusId);
    refresh();
  };
  const remove = async (passkey) => {
    try {
      await api(`/me/passkeys/${passkey.id}`, { method: "DELETE" });
      done({ text: `The passkey from ${passkey.name} is removed. It can't be used to sign in any more.` }, "passkeys-heading");
    } catch (error) {
      done({ text: error.message, problem: true }, "passkeys-heading");
    }
  };
  const add = async (f) => {
    const { ceremony_id, public_key } = await api("/me/passkeys/new/options", {
      method: "POST",
      json: await confirmation(hasPassword, f),
    });
    const credential = await makePasskey(public_key);
    await api("/me/passkeys", { method: "POST", json: { ceremony_id, credential } });
    f.removeAttribute("data-dirty");
    done({ text: "Your passkey is added. Next time you can sign in with it: no password needed." }, "passkeys-heading");
  };
  const message =
    passkeyNotice &&
    h("p", passkeyNotice.problem ? { class: "alert", role: "alert" } : { class: "flash", role: "status" }, passkeyNotice.text);
  passkeyNotice = null;
  const list = passkeys.length
    ? h(
        "ul",
        { class: "plain devices", id: "passkeys", "aria-labelledby": "passkeys-heading" },
        passkeys.map((passkey) =>
          h(
            "li",
            { class: "row spread" },
            h("div", {}, h("strong", {}, passkey.name), h("p", { class: "hint" }, passkeyWhen(passkey))),
            h(
              "button",
              { type: "button", class: "secondary small", onclick: () => remove(passkey) },
              "Remove",
              h("span", { class: "visually-hidden" }, ` the passkey from ${passkey.name}, ${passkeyWhen(passkey).toLowerCase()}`)
            )
          )
        )
      )
    : h("p", {}, "You have no passkeys yet. A passkey lets you sign in with your phone's fingerprint, face or PIN instead of a password.");
  if (!passkeysWork()) return [message, list, h("p", { class: "hint" }, "This browser can't make passkeys here.")];
  if (!addingPasskey) {
    return [
      message,
      list,
      button("Add a passkey", () => ((addingPasskey = true), focusNext(hasPassword ? "confirm-password" : "add-passkey-yes"), refresh()), {
        id: "add-passkey",
      }),
    ];
  }
  return [
    list,
    form(
      add,
      h(
        "p",
        {},
        hasPassword
          ? "A passkey is another way into your account, so first enter your password."
          : "A passkey is another way into your account, so first confirm it's you with a passkey you already have."
      ),
      hasPassword ? passwordToConfirm() : null,
      h(
        "div",
        { class: "row" },
        h("button", { type: "submit", class: "primary", id: "add-passkey-yes" }, "Add a passkey"),
        button("Cancel", () => done(null, "add-passkey"))
      )
    ),
  ];
}

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
    const [plans, waiting, unsynced] = await Promise.all([store.plans(), store.decisions(), notOnTheServer()]);
    // Fresh from the server when online: a reset link may have given the account a password.
    const account = await api("/me").catch(() => signedIn.user);
    const hasPassword = account.has_password !== false;
    const current = await store.currentPlan();
    const person = user.role === "person";
    const leave = async () => {
      confirming = null;
      await signOut();
      navigate("signin");
    };
    const goBack = () => ((confirming = null), refresh());
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
              // Counted again at the tap: a sync may have sent everything since this was drawn.
              onclick: async () =>
                (await notOnTheServer())
                  ? ((confirming = "sign-out"), focusNext("sign-out-yes"), refresh())
                  : leave(),
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
        ? h(
            "div",
            { class: "confirm", role: "group", "aria-labelledby": "delete-question" },
            form(
              async (f) => {
                await api("/me", { method: "DELETE", json: await confirmation(hasPassword, f) });
                f.removeAttribute("data-dirty");
                confirming = null;
                await signOut();
                navigate("signin");
              },
              h(
                "p",
                { id: "delete-question" },
                `This deletes your account and every plan in it, for good. It can't be undone. If you want to keep a copy, download everything first. ${
                  hasPassword ? "To go ahead, enter your password." : "To go ahead, confirm it's you with your passkey."
                }`
              ),
              hasPassword ? passwordToConfirm() : null,
              h(
                "div",
                { class: "row" },
                h("button", { type: "submit", class: "danger", id: "delete-yes" }, "Yes, delete everything"),
                button("No, go back", goBack)
              )
            )
          )
        : h(
            "button",
            {
              type: "button",
              class: "danger",
              id: "delete-account",
              onclick: () => ((confirming = "delete"), focusNext(hasPassword ? "confirm-password" : "delete-yes"), refresh()),
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
        person ? h("li", {}, h("a", { href: "#/progress" }, "How the last weeks went")) : null,
        person ? h("li", {}, h("a", { href: "#/deleted" }, "Deleted plans")) : null,
        person
          ? h("li", {}, h("a", { href: "#/suggestions" }, "Suggestions and imported parts to look at"))
          : null,
        waiting.length ? h("li", {}, h("a", { href: "#/decisions" }, "Changes that need your choice")) : null,
        person ? h("li", {}, h("a", { href: "#/sharing" }, "Who can see your plan")) : null,
        h("li", {}, h("a", { href: "#/app-lock" }, "Lock the app with a PIN")),
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
        ),
        person ? h("p", {}, h("a", { href: "#/take-with-you" }, "Every way to save, print or bring back a copy")) : null
      ),
      h(
        "section",
        { "aria-labelledby": "password-heading" },
        h("h2", { id: "password-heading" }, "Your password"),
        passwordPart({ refresh, focusNext, hasPassword })
      ),
      h(
        "section",
        { "aria-labelledby": "passkeys-heading" },
        h("h2", { id: "passkeys-heading", tabindex: "-1" }, "Your passkeys"),
        await passkeysPart({ refresh, focusNext, hasPassword })
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
