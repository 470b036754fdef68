// Applies queued changes to a plan on this device, the same way the server will.
// The plan shown = the last copy from the server + every change still waiting to sync.

const clone = (value) => structuredClone(value);
const now = () => new Date().toISOString();

function section(plan, key) {
  return plan.sections.find((s) => s.key === key);
}

function moveTo(items, ids, idOf) {
  const known = [...new Set(ids)].filter((id) => items.some((item) => idOf(item) === id));
  const rest = items.filter((item) => !known.includes(idOf(item)));
  return [...known.map((id) => items.find((item) => idOf(item) === id)), ...rest];
}

const apply = {
  create_plan(plan, op, templates) {
    if (plan) return plan;
    const template = templates[op.template];
    const sections = clone(template.sections).map((s) => ({
      ...s,
      hidden: false,
      custom: false,
      entries: [],
    }));
    const at = now();
    return {
      id: op.plan_id,
      title: op.title || template.name,
      template: op.template,
      version: 1,
      archived: false,
      created_at: at,
      updated_at: at,
      sections,
    };
  },
  rename_plan(plan, op) {
    plan.title = op.title;
  },
  add_entry(plan, op) {
    const target = section(plan, op.section);
    if (!target || target.entries.some((e) => e.id === op.entry_id)) return;
    const at = now();
    target.entries.push({
      id: op.entry_id,
      text: op.text,
      prompt: op.prompt ?? null,
      goal: op.goal ?? null,
      ...(op.page ? { page: op.page } : {}),
      created_at: at,
      updated_at: at,
    });
  },
  edit_entry(plan, op) {
    const entry = section(plan, op.section)?.entries.find((e) => e.id === op.entry_id);
    if (entry) Object.assign(entry, op.changes, { updated_at: now() });
  },
  remove_entry(plan, op) {
    const target = section(plan, op.section);
    if (target) target.entries = target.entries.filter((e) => e.id !== op.entry_id);
  },
  reorder_entries(plan, op) {
    const target = section(plan, op.section);
    if (target) target.entries = moveTo(target.entries, op.entry_ids, (e) => e.id);
  },
  edit_section(plan, op) {
    const target = section(plan, op.section);
    if (target) Object.assign(target, op.changes);
  },
  reorder_sections(plan, op) {
    plan.sections = moveTo(plan.sections, op.keys, (s) => s.key);
  },
};

/** The plan as this device shows it: `server` (or nothing yet) with `ops` applied in order. */
export function localView(server, ops, templates) {
  let plan = server ? clone(server) : null;
  for (const op of ops) {
    if (op.kind === "create_plan") plan = apply.create_plan(plan, op, templates);
    else if (plan) apply[op.kind](plan, op);
  }
  return plan;
}
