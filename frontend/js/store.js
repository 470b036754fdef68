// Plans on this device. Every change is written here first, queued in the outbox with its
// own id, and shown at once; sync.js sends the outbox when there is a connection.
import * as db from "./db.js";
import { newId } from "./dom.js";
import { localView } from "./ops.js";

const events = new EventTarget();
export const onChange = (listener) => events.addEventListener("change", listener);
/** Only the person's own changes: these are what need sending. */
export const onQueued = (listener) => events.addEventListener("queued", listener);
/** `from`: "device" for the person's own changes, "server" for what a sync brought. */
export const changed = (from = "device") => events.dispatchEvent(new CustomEvent("change", { detail: { from } }));

export const templates = () => db.getMeta("templates");
export const outbox = () => db.getAll("outbox");
export const decisions = () => db.getAll("decisions");

/** Every plan on this device, as the person sees it (their waiting changes included). */
export async function plans() {
  const [stored, queued, known] = await Promise.all([db.getAll("plans"), outbox(), templates()]);
  const ids = new Set([...stored.map((p) => p.id), ...queued.map((op) => op.plan_id)]);
  return [...ids]
    .map((id) =>
      localView(
        stored.find((p) => p.id === id)?.server,
        queued.filter((op) => op.plan_id === id),
        known
      )
    )
    .filter(Boolean)
    .sort((a, b) => a.created_at.localeCompare(b.created_at));
}

export async function plan(id) {
  return (await plans()).find((p) => p.id === id) ?? null;
}

/** The plan the person is working on: the one they chose last, else their first. */
export async function currentPlan() {
  const all = await plans();
  const chosen = await db.getMeta("current-plan");
  return all.find((p) => p.id === chosen) ?? all.find((p) => !p.archived) ?? all[0] ?? null;
}

export const choosePlan = (id) => db.setMeta("current-plan", id);

async function queue(planId, kind, details) {
  const stored = await db.get("plans", planId);
  const op = { op_id: newId(), kind, plan_id: planId, ...details };
  if (kind !== "create_plan") op.base_version = stored?.server?.version ?? 1;
  await db.put("outbox", op);
  changed();
  events.dispatchEvent(new Event("queued"));
  return op;
}

export async function createPlan(template, title) {
  const planId = newId();
  await queue(planId, "create_plan", title ? { template, title } : { template });
  await choosePlan(planId);
  return planId;
}

export const renamePlan = (plan, title) =>
  queue(plan.id, "rename_plan", { title, base: { title: plan.title } });

export function addEntry(plan, sectionKey, { text, prompt = null, goal = null, page = null }) {
  const details = { section: sectionKey, entry_id: newId(), text, prompt };
  if (goal) details.goal = goal;
  if (page) details.page = page;
  return queue(plan.id, "add_entry", details);
}

/** `base` is what this device's copy said before the change, so the server can tell an edit
 * made elsewhere in the meantime (a conflict to show) from this device's own earlier ones. */
export function editEntry(plan, sectionKey, entry, changes) {
  const base = Object.fromEntries(Object.keys(changes).map((f) => [f, entry[f] ?? null]));
  return queue(plan.id, "edit_entry", { section: sectionKey, entry_id: entry.id, changes, base });
}

export function removeEntry(plan, sectionKey, entry) {
  const base = { text: entry.text, prompt: entry.prompt ?? null, goal: entry.goal ?? null };
  return queue(plan.id, "remove_entry", { section: sectionKey, entry_id: entry.id, base });
}

function moved(items, index, by) {
  const order = [...items];
  const [item] = order.splice(index, 1);
  order.splice(Math.max(0, Math.min(order.length, index + by)), 0, item);
  return order;
}

/** Swap an entry with its neighbour among `group` (the entries answering the same prompt). */
export function moveEntry(plan, section, group, entryId, by) {
  const at = group.findIndex((e) => e.id === entryId);
  const other = group[at + by];
  if (!other) return;
  const entryIds = section.entries.map((e) =>
    e.id === entryId ? other.id : e.id === other.id ? entryId : e.id
  );
  return queue(plan.id, "reorder_entries", { section: section.key, entry_ids: entryIds });
}

export function editSection(plan, section, changes) {
  const base = Object.fromEntries(Object.keys(changes).map((f) => [f, section[f]]));
  return queue(plan.id, "edit_section", { section: section.key, changes, base });
}

export function moveSection(plan, key, by) {
  const index = plan.sections.findIndex((s) => s.key === key);
  return queue(plan.id, "reorder_sections", { keys: moved(plan.sections, index, by).map((s) => s.key) });
}

/** A conflict or refused change the person has dealt with. */
export async function settle(opId) {
  await db.remove("decisions", opId);
  changed();
}
