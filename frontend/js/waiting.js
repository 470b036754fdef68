// How many suggestions, comments and imports wait for the person: one small request when
// the plan has synced, kept on this phone so the counts still show with no signal.
import { api } from "./api.js";
import { getMeta, setMeta } from "./db.js";
import { counted } from "./dom.js";
import * as store from "./store.js";

const NONE = { suggestions: 0, comments: 0, imports: 0 };
const AGAIN_AFTER_MS = 30_000;
const events = new EventTarget();
let askedAt = 0;

export const onWaiting = (listener) => events.addEventListener("waiting", listener);

/** The last counts this phone saw for the current plan. */
export async function waiting() {
  const plan = await store.currentPlan();
  const known = await getMeta("waiting");
  return plan && known?.plan_id === plan.id ? known.counts : NONE;
}

export const total = (counts) => counts.suggestions + counts.comments + counts.imports;

/** Keep counts the app already knows (say, from the list of suggestions it just showed);
 * the screens hear of them only when they changed. */
export async function remember(planId, counts) {
  const known = await getMeta("waiting");
  const same =
    known?.plan_id === planId && Object.keys(NONE).every((kind) => known.counts[kind] === counts[kind]);
  if (same) return;
  await setMeta("waiting", { plan_id: planId, counts });
  events.dispatchEvent(new Event("waiting"));
}

/** Ask the server again, unless it was asked moments ago; offline, the last counts stay. */
export async function refreshWaiting({ force = false } = {}) {
  if (!force && Date.now() - askedAt < AGAIN_AFTER_MS) return;
  const plan = await store.currentPlan();
  if (!plan) return;
  askedAt = Date.now();
  try {
    await remember(plan.id, await api(`/plans/${plan.id}/waiting`));
  } catch {
    askedAt = 0; // not synced yet, or no signal: try again next time
  }
}

/** "2 suggestions, 1 comment and 1 import", leaving out what is none. */
export function inWords(counts) {
  const said = [
    [counts.suggestions, "suggestion"],
    [counts.comments, "comment"],
    [counts.imports, "imported statement"],
  ]
    .filter(([n]) => n)
    .map(([n, word]) => counted(n, word));
  return said.length > 1 ? `${said.slice(0, -1).join(", ")} and ${said.at(-1)}` : (said[0] ?? "");
}
