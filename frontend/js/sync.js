// Sends the outbox and pulls what changed since the last cursor, whenever there's a connection.
// A change the server could not apply (a conflict, or refused) is kept for the person to decide.
import { ApiError, OfflineError, api, session } from "./api.js";
import { sendCheckIns } from "./checkins.js";
import * as db from "./db.js";
import { changed, onQueued } from "./store.js";

const BATCH = 250; // operations per request: 200 queued edits go in one
const BATCH_BYTES = 800_000; // under the server's 1 MB limit on a request body
const EVERY_MS = 60_000;
const events = new EventTarget();
let state = { phase: "idle", message: "" };
let running = null;
let queuedMeanwhile = false;
let soon = null;

export const syncState = () => state;
export const onSyncState = (listener) => events.addEventListener("state", listener);

function setState(phase, message = "") {
  state = { phase, message };
  events.dispatchEvent(new Event("state"));
}

/** Sync now, or join the sync under way (which goes round again for changes queued
 * while it was sending, so nothing waits). */
export function syncNow() {
  // A round already under way may have read the plans before the caller's change reached
  // the server (a section added, a suggestion accepted): one more round follows it.
  if (running) queuedMeanwhile = true;
  running ??= (async () => {
    do {
      queuedMeanwhile = false;
      await round();
    } while (queuedMeanwhile && state.phase === "synced");
  })().finally(() => (running = null));
  return running;
}

function syncSoon(delay = 300) {
  clearTimeout(soon);
  soon = setTimeout(syncNow, delay);
}

async function round() {
  if (!(await session())) return;
  if (!navigator.onLine) return setState("offline");
  setState("syncing");
  try {
    if (!(await db.getMeta("templates"))) await db.setMeta("templates", await api("/templates"));
    // Each exchange sends (or sets aside) at least one change, or throws: this ends.
    let waiting = await db.getAll("outbox");
    do {
      await exchange(batch(waiting));
      waiting = await db.getAll("outbox");
    } while (waiting.length);
    await sendCheckIns();
    setState("synced");
  } catch (error) {
    if (error instanceof OfflineError) setState("offline");
    else if (error instanceof ApiError && error.status === 401) setState("signin", error.message);
    else setState("error", error.message);
  }
}

/** The oldest waiting changes that fit in one request. */
function batch(waiting) {
  let bytes = 0;
  const fits = waiting.findIndex((op, i) => (bytes += JSON.stringify(op).length) > BATCH_BYTES || i >= BATCH);
  return waiting.slice(0, fits === -1 ? waiting.length : Math.max(fits, 1));
}

async function exchange(queued) {
  const operations = queued.map(({ seq, ...op }) => op);
  let reply;
  try {
    reply = await api("/sync", { method: "POST", json: { cursor: await db.getMeta("cursor"), operations } });
  } catch (error) {
    if (error instanceof ApiError && error.status === 422 && (await setAside(queued, error))) return;
    throw error;
  }
  const at = new Date().toISOString();
  await db.transaction(["plans", "outbox", "decisions", "meta"], (stores) => {
    queued.forEach((op) => stores.outbox.delete(op.seq));
    reply.results.forEach((result, i) => {
      if (result.status !== "applied")
        stores.decisions.put({ op_id: result.op_id, op: operations[i], result, at });
    });
    reply.plans.forEach((plan) => stores.plans.put({ id: plan.id, server: plan }));
    reply.removed.forEach((id) => stores.plans.delete(id));
    stores.meta.put({ key: "cursor", value: reply.cursor });
    stores.meta.put({ key: "synced-at", value: at });
  });
  changed("server");
}

/** A change the server can't take at all (say, words far too long) would hold up every
 * change after it: move it to the person's decisions, with the reason, and carry on. */
async function setAside(queued, error) {
  const refused = new Map();
  for (const { field, message } of error.body.errors ?? []) {
    const index = Number(field.match(/^operations\.(\d+)/)?.[1]);
    if (queued[index]) refused.set(index, message);
  }
  if (!refused.size) return false;
  const at = new Date().toISOString();
  await db.transaction(["outbox", "decisions"], (stores) => {
    for (const [index, message] of refused) {
      const { seq, ...op } = queued[index];
      const detail = `This change couldn't be saved: ${message.replace(/\.$/, "")}.`;
      const result = { op_id: op.op_id, plan_id: op.plan_id, status: "rejected", status_code: 422, detail };
      stores.outbox.delete(seq);
      stores.decisions.put({ op_id: op.op_id, op, result, at });
    }
  });
  changed("server");
  return true;
}

/** Start syncing: now, after every change, when the connection returns, and every minute. */
export function startSync() {
  onQueued(() => {
    queuedMeanwhile = true;
    syncSoon();
  });
  window.addEventListener("online", () => syncNow());
  window.addEventListener("offline", () => setState("offline"));
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && syncNow());
  setInterval(() => document.visibilityState === "visible" && syncNow(), EVERY_MS);
  return syncNow();
}
