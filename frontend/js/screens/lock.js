// The app lock: a PIN that opens the app on this phone. It locks after the chosen time without
// use, or away in the background; the lock screen shows nothing of the plan (only the crisis
// plan, when the person chose that), and the page goes blank in the app switcher.
import * as db from "../db.js";
import { field, fill, h } from "../dom.js";
import * as store from "../store.js";
import { answersByPrompt, button, confirmBox, flash, form, page } from "../ui.js";
import { dangerNow } from "./today.js";

const IDLE_CHOICES = [1, 5, 15];
const FIVE_WRONG =
  "After 5 wrong PINs in a row, this phone forgets your plan and signs you out. Your plan stays safe in your account: sign in again with your password to bring it back. Changes that haven't reached your account yet would be lost.";
// Only what a person does: the page also scrolls by itself when a redraw changes its height.
const ACTIVITY = ["pointerdown", "keydown", "input", "wheel", "touchstart"];

// On the page only while locked: the app's own <main> is the only one otherwise.
const screen = h("main", { class: "lock-screen", id: "lock-screen", tabindex: "-1" });
let settings = { pinSet: false };
let locked = false;
let lastActive = Date.now();
let hiddenAt = null;
let idleTimer = null;
let hooks = { onLock() {}, onUnlock() {} };

const idleMs = () => settings.idleMinutes * 60_000;

async function reloadSettings() {
  settings = await db.lockSettings();
  scheduleIdle();
}

function scheduleIdle() {
  clearTimeout(idleTimer);
  if (!settings.pinSet || locked) return;
  // Activity only moves `lastActive`; the timer looks again when it fires.
  const left = lastActive + idleMs() - Date.now();
  idleTimer = setTimeout(() => (Date.now() - lastActive >= idleMs() ? lock() : scheduleIdle()), Math.max(left, 0));
}

async function lock() {
  if (locked || !(await db.lockNow())) return;
  locked = true;
  clearTimeout(idleTimer);
  hooks.onLock();
  showLockScreen("pin");
}

function unlocked() {
  locked = false;
  lastActive = Date.now();
  delete document.body.dataset.locked;
  fill(screen).remove();
  keepCrisisCopy();
  scheduleIdle();
  hooks.onUnlock();
}

/** Back to a fresh start on the sign-in screen: this phone's copy is gone. */
function startAgain() {
  location.hash = "#/signin";
  location.reload();
}

async function showLockScreen(view) {
  document.body.dataset.locked = "";
  document.title = "Locked – Your plan";
  document.body.append(screen);
  const views = { pin: pinView, crisis: crisisView, forget: forgetView, wiped: wipedView };
  fill(screen, await views[view]());
  screen.querySelector("h1").focus();
}

const pinInput = (name, label, hint, attributes = {}) =>
  field(
    label,
    h("input", {
      name,
      type: "password",
      inputmode: "numeric",
      autocomplete: "off",
      required: true,
      minlength: 4,
      maxlength: 64,
      ...attributes,
    }),
    hint
  );

function checkPin(pin) {
  if (!/^\d{4,64}$/.test(pin)) throw new Error("A PIN is numbers only, at least 4 of them.");
  return pin;
}

/** Runs `change`, which asks for the PIN: true when it was right. A wrong one is explained;
 * after the fifth, this phone's copy is gone and the person starts again (false). */
async function withPin(change, pinField) {
  try {
    await change();
    return true;
  } catch (error) {
    if (!(error instanceof db.WrongPin)) throw error;
    pinField.value = "";
    if (error.wiped) {
      await showLockScreen("wiped");
      return false;
    }
    const left = db.MAX_WRONG_PINS - error.wrongPins;
    throw new Error(
      `That PIN isn't right. ${left === 1 ? "1 more try" : `${left} more tries`} before this phone forgets your plan.`
    );
  }
}

const SCREEN_LOCK_FAILED = "Your phone's screen lock didn't open the app. Try again, or type your PIN.";

function screenLockButton() {
  return form(
    async () => {
      try {
        await db.unlockWithScreenLock();
      } catch (error) {
        if (error instanceof db.ScreenLockFailed) throw new Error(SCREEN_LOCK_FAILED);
        throw error;
      }
      unlocked();
    },
    h("button", { type: "submit", class: "primary" }, "Unlock with your phone's screen lock")
  );
}

function pinView() {
  return h(
    "div",
    { class: "page" },
    h("h1", { tabindex: "-1" }, "Your plan is locked"),
    settings.screenLock ? screenLockButton() : null,
    form(
      async (f) => {
        const pin = checkPin(f.pin.value);
        if (await withPin(() => db.unlock(pin), f.pin)) unlocked();
      },
      pinInput("pin", "Your PIN", null, { id: "unlock-pin" }),
      h("button", { type: "submit", class: "primary" }, "Unlock")
    ),
    h("p", { class: "hint" }, FIVE_WRONG),
    settings.crisisWhenLocked
      ? h("p", {}, button("Open my crisis plan", () => showLockScreen("crisis"), { class: "primary" }))
      : null,
    h("h2", {}, "Forgotten your PIN?"),
    h("p", {}, "Sign in again with your password: your plan comes back from your account."),
    button("Forget this phone's copy and sign in again", () => showLockScreen("forget"))
  );
}

/** Only what the person wrote, under its questions: few words for a hard moment. */
const answered = (section) => ({
  ...section,
  prompts: section.prompts.filter((p) => section.entries.some((e) => e.prompt === p.key)),
});

async function crisisView() {
  const section = await db.crisisCopy();
  return h(
    "div",
    { class: "page" },
    h("h1", { tabindex: "-1" }, "My crisis plan"),
    dangerNow(),
    section
      ? answersByPrompt(answered(section), { emptyText: "Nothing written in it yet." })
      : h("p", {}, "Your crisis plan isn't on this phone yet. It will be after you next unlock the app."),
    h("p", {}, button("Back to unlock", () => showLockScreen("pin")))
  );
}

function forgetView() {
  return h(
    "div",
    { class: "page" },
    h("h1", { tabindex: "-1" }, "Forget this phone's copy?"),
    confirmBox(
      "forget",
      "This phone forgets your plan and signs you out. Your plan stays safe in your account: sign in again with your password to bring it back. Changes that haven't reached your account yet would be lost.",
      "Forget and sign in again",
      async () => {
        await db.clearAll();
        startAgain();
      },
      () => showLockScreen("pin")
    )
  );
}

function wipedView() {
  return h(
    "div",
    { class: "page" },
    h("h1", { tabindex: "-1" }, "This phone has forgotten your plan"),
    h(
      "p",
      {},
      "A wrong PIN was typed 5 times in a row, so this phone forgot your plan and signed you out. Your plan is safe in your account."
    ),
    h("button", { type: "button", class: "primary", onclick: startAgain }, "Sign in again")
  );
}

/** The crisis section of the plan in use, kept readable when locked, if the person chose it. */
async function keepCrisisCopy() {
  if (locked || !settings.pinSet || !settings.crisisWhenLocked) return;
  const section = (await store.currentPlan())?.sections.find((s) => s.today === "crisis");
  if (section) await db.keepCrisisCopy(section);
}

async function onVisibility() {
  if (!settings.pinSet) return;
  if (document.visibilityState === "hidden") {
    hiddenAt = Date.now();
    document.body.dataset.blank = "";
    return;
  }
  const now = Date.now();
  if (now - (hiddenAt ?? now) >= idleMs() || now - lastActive >= idleMs()) await lock();
  delete document.body.dataset.blank;
}

/** Starts the lock: shows the lock screen at once when the app lock is on, and watches for
 * the time to lock. `onLock` and `onUnlock` let the app clear and redraw its screen. */
export async function watchLock({ onLock, onUnlock }) {
  hooks = { onLock, onUnlock };
  const [state] = await Promise.all([db.openKeys(), reloadSettings()]);
  if (state === "locked") {
    locked = true;
    showLockScreen("pin");
  }
  const active = () => (lastActive = Date.now());
  for (const type of ACTIVITY) document.addEventListener(type, active, { capture: true, passive: true });
  document.addEventListener("visibilitychange", onVisibility);
  store.onChange(keepCrisisCopy);
  // Another tab wiped this phone's copy: nothing here may be written under the old key.
  db.onWipedElsewhere(() => location.reload());
}

// ---- settings --------------------------------------------------------------------------------

const idleSelect = (chosen, attributes = {}) =>
  h(
    "select",
    { name: "idle_minutes", ...attributes },
    IDLE_CHOICES.map((minutes) =>
      h(
        "option",
        { value: minutes, selected: minutes === chosen },
        `${minutes} ${minutes === 1 ? "minute" : "minutes"} without using it`
      )
    )
  );
const IDLE_HINT = "It also locks when you've been away from the app for that long.";

function newPins() {
  return [
    pinInput("new_pin", "Choose a PIN", "At least 4 numbers. Longer is harder to guess; best not one you use anywhere else.", {
      autocomplete: "new-password",
    }),
    pinInput("again", "Type the same PIN again", null, { autocomplete: "new-password" }),
  ];
}

function chosenPin(f) {
  const pin = checkPin(f.new_pin.value);
  if (f.again.value !== pin) throw new Error("The two PINs aren't the same. Type them again.");
  return pin;
}

function done(f, message, rerender) {
  f.removeAttribute("data-dirty");
  flash(message);
  return reloadSettings().then(rerender);
}

function turnOnForm(rerender) {
  return form(
    async (f) => {
      const pin = chosenPin(f);
      await db.setPin(pin, { idleMinutes: Number(f.idle_minutes.value) });
      await done(f, "Your PIN is set. From now on the app asks for it on this phone.", rerender);
    },
    newPins(),
    field("Lock the app after", idleSelect(5), IDLE_HINT),
    h("p", { class: "notice" }, FIVE_WRONG),
    h("button", { type: "submit", class: "primary" }, "Turn on the app lock")
  );
}

async function screenLockPart(rerender) {
  if (settings.screenLock) {
    return [
      h("h2", {}, "Your phone's screen lock"),
      h("p", {}, "Your fingerprint, face or the phone's own PIN can open the app too. The app's PIN still works."),
      button("Stop using the phone's screen lock", async () => {
        await db.removeScreenLock();
        flash("The phone's screen lock no longer opens the app. Your PIN does.");
        await reloadSettings();
        rerender();
      }),
    ];
  }
  if (!(await db.screenLockAvailable())) return null;
  return [
    h("h2", {}, "Your phone's screen lock"),
    h("p", {}, "Open the app with your fingerprint, face or the phone's own PIN instead of typing the app's PIN."),
    form(
      async (f) => {
        const pin = checkPin(f.pin.value);
        try {
          if (!(await withPin(() => db.addScreenLock(pin), f.pin))) return;
        } catch (error) {
          if (!(error instanceof db.ScreenLockFailed)) throw error;
          throw new Error("Your phone's screen lock can't open the app in this browser. Your PIN still does.");
        }
        await done(f, "Your phone's screen lock opens the app now. Your PIN still works too.", rerender);
      },
      pinInput("pin", "Your app PIN", null, { id: "screen-lock-pin" }),
      h("button", { type: "submit", class: "secondary" }, "Use my phone's screen lock")
    ),
  ];
}

async function lockIsOn(rerender) {
  const saveSetting = async (changes, message) => {
    await db.saveLockSettings(changes);
    await reloadSettings();
    if (changes.crisisWhenLocked) await keepCrisisCopy();
    if (changes.crisisWhenLocked === false) await db.forgetCrisisCopy();
    flash(message);
    rerender();
  };
  return [
    h("p", { class: "notice" }, "The app lock is on. You need your PIN to open the app on this phone."),
    h("p", {}, button("Lock now", lock, { class: "primary" })),
    field(
      "Lock the app after",
      idleSelect(settings.idleMinutes, {
        onchange: (event) => saveSetting({ idleMinutes: Number(event.target.value) }, "Saved."),
      }),
      IDLE_HINT
    ),
    h(
      "div",
      { class: "field" },
      h(
        "label",
        { class: "choice" },
        h("input", {
          type: "checkbox",
          id: "crisis-when-locked",
          "aria-describedby": "crisis-when-locked-hint",
          checked: settings.crisisWhenLocked,
          onchange: (event) =>
            saveSetting(
              { crisisWhenLocked: event.target.checked },
              event.target.checked
                ? "Your crisis plan now shows on the lock screen."
                : "Your crisis plan no longer shows on the lock screen."
            ),
        }),
        "Crisis plan visible when locked"
      ),
      h(
        "p",
        { class: "hint", id: "crisis-when-locked-hint" },
        "Off unless you turn it on. When it's on, anyone holding this phone can open your crisis plan from the lock screen without the PIN, so someone could help you in a crisis. The rest of your plan stays locked."
      )
    ),
    await screenLockPart(rerender),
    h("h2", {}, "Change your PIN"),
    form(
      async (f) => {
        const pin = chosenPin(f);
        const current = checkPin(f.current_pin.value);
        if (await withPin(() => db.changePin(current, pin), f.current_pin)) await done(f, "Your PIN is changed.", rerender);
      },
      pinInput("current_pin", "Your PIN now", null),
      newPins(),
      h("button", { type: "submit", class: "secondary" }, "Change PIN")
    ),
    h("h2", {}, "Turn off the app lock"),
    form(
      async (f) => {
        const pin = checkPin(f.pin.value);
        if (await withPin(() => db.removePin(pin), f.pin))
          await done(f, "The app lock is off. The app opens without a PIN on this phone.", rerender);
      },
      pinInput("pin", "Your PIN", null, { id: "remove-pin" }),
      h("button", { type: "submit", class: "secondary" }, "Turn off the app lock")
    ),
    h("p", { class: "hint" }, FIVE_WRONG),
  ];
}

export const appLock = {
  async render(_params, { rerender }) {
    await reloadSettings();
    return page(
      "App lock",
      h(
        "p",
        {},
        "With a PIN, someone who picks up this phone can't open your plan in this app. The PIN only protects this phone: it isn't your password, and your account doesn't know it."
      ),
      h(
        "p",
        {},
        "Your plan on this phone is always kept scrambled (encrypted). With the app lock on, it can only be unscrambled with your PIN."
      ),
      settings.pinSet ? await lockIsOn(rerender) : turnOnForm(rerender)
    );
  },
};
