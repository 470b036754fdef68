// Check-ins on this device: each "How are you today?" answer, kept here first (so it works
// with no signal, in the same encrypted store as the plans) and sent when there is a
// connection. What the server holds from other devices is brought back into the same list.
import { api } from "./api.js";
import * as db from "./db.js";
import { newId } from "./dom.js";
import { changed } from "./store.js";

const KEY = "check-ins";
const BATCH = 500; // the most the server takes at once

const all = async () => (await db.getMeta(KEY)) ?? [];
const save = (list) => db.setMeta(KEY, list);

/** This plan's check-ins since `days` ago, oldest first. */
export async function checkIns(planId, days) {
  const since = Date.now() - days * 86_400_000;
  return (await all())
    .filter((c) => c.plan_id === planId && Date.parse(c.at) >= since)
    .sort((a, b) => a.at.localeCompare(b.at));
}

/** Keep an answer now; it is sent with the next sync. */
export async function checkIn(plan, state) {
  const entry = { id: newId(), plan_id: plan.id, state, note: "", at: new Date().toISOString(), sent: false };
  await save([...(await all()), entry]);
  changed();
  return entry;
}

export async function addNote(id, note) {
  const list = await all();
  const found = list.find((c) => c.id === id);
  if (!found) return;
  Object.assign(found, { note, sent: false });
  await save(list);
  changed();
}

/** How many check-ins (or notes added to them) have not reached the server yet. */
export const unsentCount = async () => (await all()).filter((c) => !c.sent).length;

/** Send what waits, plan by plan; called by each sync round. */
export async function sendCheckIns() {
  const waiting = (await all()).filter((c) => !c.sent);
  const byPlan = new Map();
  for (const c of waiting) byPlan.set(c.plan_id, [...(byPlan.get(c.plan_id) ?? []), c]);
  for (const [planId, list] of byPlan) {
    for (let start = 0; start < list.length; start += BATCH) {
      const part = list.slice(start, start + BATCH);
      const check_ins = part.map(({ id, state, note, at }) => ({ id, state, note, at }));
      try {
        await api(`/plans/${planId}/check-ins`, { method: "POST", json: { check_ins } });
      } catch (error) {
        // A plan made offline reaches the server in the same round, before this; a plan
        // gone from the server takes its check-ins with it.
        if (error.status === 404) await forget(part);
        else throw error;
        continue;
      }
      await markSent(part);
    }
  }
}

async function markSent(part) {
  const ids = new Map(part.map((c) => [c.id, c.note]));
  const list = await all();
  // Only if the note is still the one sent: one written meanwhile goes next time.
  for (const c of list) if (ids.has(c.id) && ids.get(c.id) === c.note) c.sent = true;
  await save(list);
}

async function forget(part) {
  const ids = new Set(part.map((c) => c.id));
  await save((await all()).filter((c) => !ids.has(c.id)));
}

/** Bring in what the server holds for this plan (from other devices too), keeping this
 * device's own unsent changes; returns the person's choices (sharing, reminders). */
export async function fetchCheckIns(planId, days) {
  const reply = await api(`/plans/${planId}/check-ins?days=${days}`);
  const list = await all();
  const here = new Map(list.map((c) => [c.id, c]));
  for (const c of reply.check_ins) {
    const mine = here.get(c.id);
    if (!mine) list.push({ ...c, plan_id: planId, sent: true });
    else if (mine.sent) mine.note = c.note;
  }
  await save(list);
  return reply.settings;
}
