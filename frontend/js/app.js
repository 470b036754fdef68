// Starts the app: opens the plans on this device at once, then syncs in the background.
import { session } from "./api.js";
import { counted, fill, h } from "./dom.js";
import { watchForUpdates } from "./pwa.js";
import { routes } from "./routes.js";
import { watchLock } from "./screens/lock.js";
import * as store from "./store.js";
import { onSyncState, startSync, syncState } from "./sync.js";
import { flashFor, flashShown } from "./ui.js";
import { inWords, onWaiting, refreshWaiting, total, waiting } from "./waiting.js";

const main = document.getElementById("main");
let current = { path: null, screen: null };
let focusNextId = null;
let renders = 0;
// A render for the person's own change or move has not reached the screen yet: it must.
let ownRenderWaiting = false;

function match(path) {
  for (const [pattern, load] of routes) {
    const names = [];
    const regex = new RegExp(`^${pattern.replace(/:(\w+)/g, (_, n) => (names.push(n), "([^/]+)"))}$`);
    const found = path.match(regex);
    if (found)
      return {
        load,
        params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(found[i + 1])])),
      };
  }
  return null;
}

const navigate = (path) => {
  if (location.hash === `#/${path}`) render({ moveFocus: true });
  else location.hash = `#/${path}`;
};

async function home() {
  const signedIn = await session();
  if (!signedIn) return "signin";
  if (signedIn.user.role !== "person") return "shared";
  return (await store.currentPlan()) ? "plan" : "welcome";
}

async function render({ moveFocus, fromServer = false }) {
  const thisRender = ++renders;
  const typingBefore = main.querySelector("[data-dirty]");
  if (!fromServer) ownRenderWaiting = true;
  const invited = location.hash.match(/^#accept-share=(.+)$/); // the link in a share invite
  if (invited) return navigate(`invite/${invited[1]}`);
  const path = location.hash.startsWith("#/") ? location.hash.slice(2) : "";
  const found = path && match(path);
  if (!found) return navigate(await home());
  const [screen, signedIn] = await Promise.all([found.load(), session()]);
  if (!screen.open && !signedIn) return navigate("signin");
  showNav(signedIn?.user);
  const focusedId = main.contains(document.activeElement) ? document.activeElement.id : null;
  const rerender = () => render({ moveFocus: false });
  const context = { navigate, user: signedIn?.user, refresh, rerender, focusNext };
  flashFor(path);
  const { title, body } = await screen.render(found.params, context);
  // The screen sent the person elsewhere, or they moved on while it was being made.
  if (title === undefined || thisRender !== renders) return;
  // What a sync brought can wait while the person has a form open, even one they opened
  // while this screen was being made: drawn again, the form would close under them.
  if (fromServer && !ownRenderWaiting && main.querySelector("[data-dirty], details[open]")) return;
  // Nor is a form the person began typing in while this screen was being made drawn over
  // (their words would go with it), unless they moved to another screen. Saving or
  // cancelling it draws the screen again.
  const typingNow = main.querySelector("[data-dirty]");
  if (!moveFocus && typingNow && typingNow !== typingBefore) return;
  ownRenderWaiting = false;
  document.title = `${title} – Your plan`;
  fill(main, body);
  flashShown(path);
  if (!current.screen) performance.mark("first-screen-shown"); // for bench/pwa_bench.py
  current = { path, screen };
  showStatus();
  const focusId = focusNextId ?? focusedId;
  focusNextId = null;
  if (moveFocus) (main.querySelector("h1") ?? main).focus();
  else if (focusId) (document.getElementById(focusId) ?? main.querySelector("h1"))?.focus();
}

/** Show the screen again with fresh data, unless the person is part-way through writing
 * (their form calls this again when they save or cancel). What a sync brought `fromServer`
 * may also wait while a form is open: see `render`. */
function refresh({ fromServer = false } = {}) {
  if (!main.querySelector("[data-dirty]") && current.screen?.live) render({ moveFocus: false, fromServer });
}

/** After the next refresh, put the focus on this element (say, the entry just saved). */
function focusNext(id) {
  focusNextId = id;
}

function showNav(user) {
  const tabs = document.getElementById("tabs");
  tabs.hidden = !user;
  document.getElementById("crisis-link").hidden = user?.role !== "person";
  if (!user) return;
  const roles = {
    person: user.role === "person",
    professional: user.role !== "person",
    clinician: user.role === "clinician",
  };
  for (const link of tabs.querySelectorAll("a")) {
    link.hidden = link.dataset.for ? !roles[link.dataset.for] : false;
    const here = location.hash.startsWith(link.getAttribute("href"));
    if (here) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (roles.person) showWaiting();
}

/** The Sharing tab carries a count of what waits for the person; its name says it in words. */
async function showWaiting() {
  const counts = await waiting();
  const link = document.getElementById("sharing-tab");
  const n = total(counts);
  link.replaceChildren("Sharing", ...(n ? [" ", h("span", { class: "tab-count" }, String(n))] : []));
  if (n) link.setAttribute("aria-label", `Sharing ${n} waiting for you: ${inWords(counts)}`);
  else link.removeAttribute("aria-label");
}

/** The fixed bars' heights, for the page to keep clear of them (they grow with the text). */
function keepClearOfBars() {
  const root = document.documentElement.style;
  const tabs = document.getElementById("tabs");
  const top = document.querySelector(".top");
  new ResizeObserver(() => {
    root.setProperty("--tabs-height", `${tabs.offsetHeight}px`);
    root.setProperty("--top-height", `${top.offsetHeight}px`);
  }).observe(document.body);
}

const PHASES = {
  synced: "Everything is saved and synced",
  syncing: "Saving…",
  offline: "Saved on this phone. It will sync when you're online",
  signin: "Saved on this phone. Sign in again to sync",
  error: "Saved on this phone. It couldn't sync just now",
  idle: "Saved on this phone",
};

let statusCalls = 0;

async function showStatus() {
  const call = ++statusCalls;
  const [queued, waiting, signedIn] = await Promise.all([store.outbox(), store.decisions(), session()]);
  if (call !== statusCalls) return; // a newer call has fresher numbers
  const { phase } = syncState();
  document.querySelector(".status-bar").hidden = !signedIn;
  document.getElementById("signin-link").hidden = phase !== "signin";
  const status = document.getElementById("sync-status");
  let text = PHASES[phase];
  if (phase === "synced" && queued.length) text = PHASES.idle;
  if (queued.length && phase !== "syncing")
    text += ` (${counted(queued.length, "change")} waiting)`;
  status.textContent = text;
  status.dataset.phase = queued.length && phase === "synced" ? "idle" : phase;
  const link = document.getElementById("decisions-link");
  link.hidden = waiting.length === 0;
  link.textContent = `${waiting.length} ${waiting.length === 1 ? "change needs" : "changes need"} your choice`;
}

// The app lock (screens/lock.js): when it locks, what was on the screen goes, unless it holds
// words not yet saved (kept hidden until the PIN is given).
const lockHooks = {
  onLock: () => main.querySelector("[data-dirty]") || fill(main),
  onUnlock: () => (main.childElementCount ? refresh() : render({ moveFocus: true })),
};

async function start() {
  await watchLock(lockHooks);
  window.addEventListener("hashchange", () => location.hash !== "#main" && render({ moveFocus: true }));
  window.addEventListener("signin-needed", showStatus);
  store.onChange((event) => {
    showStatus();
    refresh({ fromServer: event.detail.from === "server" });
  });
  onSyncState(showStatus);
  onSyncState(async () => {
    if (syncState().phase === "synced" && (await session())?.user.role === "person") refreshWaiting();
  });
  onWaiting(async () => {
    showNav((await session())?.user);
    refresh();
  });
  keepClearOfBars();
  document.addEventListener("input", (event) => event.target.form?.setAttribute("data-dirty", ""));
  document.getElementById("skip").addEventListener("click", (event) => {
    event.preventDefault();
    main.focus();
  });
  await render({ moveFocus: false });
  watchForUpdates();
  if (await session()) startSync();
  else window.addEventListener("signed-in", () => startSync(), { once: true });
}

start().catch((error) =>
  fill(main, h("p", { class: "alert", role: "alert" }, `The app could not open: ${error.message}`))
);
