// The person's sharing: who can see what until when, making and changing shares, stopping
// them (one or all), and the log of who looked.
import { api } from "../api.js";
import { formatDate, formatDateTime, h } from "../dom.js";
import * as store from "../store.js";
import { syncNow } from "../sync.js";
import { backLink, cardList, confirmBox, dateValue, endOfDay, field, flash, form, load, page } from "../ui.js";

const LABELS = {
  link_worker: "A link worker",
  clinician: "A clinician",
  carer: "A carer or supporter",
  peer_worker: "A peer worker",
  other: "Someone else",
};
const PERMISSIONS = {
  view: "See it",
  comment: "See it and leave comments",
  suggest: "See it, comment, and suggest changes",
};
const CLOSED = "Sharing";
let confirming = null;

async function ownPlan(navigate) {
  const plan = await store.currentPlan();
  if (!plan) navigate("welcome");
  return plan;
}

function shareCard(plan, share, { rerender, focusNext }) {
  const live = share.status === "active" || share.status === "waiting";
  const stop = async () => {
    confirming = null;
    const ended = await api(`/plans/${plan.id}/shares/${share.id}`, { method: "DELETE" });
    flash(ended.message);
    rerender();
  };
  return h(
    "li",
    { class: "card" },
    h("p", { class: "card-title" }, share.grantee?.display_name ?? LABELS[share.label]),
    h("p", {}, share.summary),
    h("p", { class: "hint" }, `Shared on ${formatDate(share.created_at)}.`),
    live
      ? confirming === share.id
        ? confirmBox(
            `stop-${share.id}`,
            "Stop sharing now? They won't be able to look again. It can't unsee what they have already seen.",
            "Stop sharing",
            stop,
            () => ((confirming = null), rerender())
          )
        : h(
            "div",
            { class: "row" },
            h(
              "a",
              { href: `#/sharing/${share.id}`, class: "button secondary" },
              "Change",
              h(
                "span",
                { class: "visually-hidden" },
                ` what ${share.grantee?.display_name ?? "they"} can see`
              )
            ),
            h(
              "button",
              {
                type: "button",
                class: "danger",
                id: `stop-${share.id}`,
                onclick: () => ((confirming = share.id), focusNext(`stop-${share.id}-yes`), rerender()),
              },
              "Stop sharing"
            )
          )
      : null
  );
}

export const sharing = {
  async render(_params, context) {
    const plan = await ownPlan(context.navigate);
    if (!plan) return {};
    const { data, notice } = await load(
      () => Promise.all([api(`/plans/${plan.id}/shares`), api("/me/sharing")]),
      CLOSED
    );
    if (notice) return page("Who can see your plan", notice);
    const [shares, switchState] = data;
    const setSwitch = async (enabled) => {
      confirming = null;
      const state = await api("/me/sharing", { method: "PUT", json: { enabled } });
      flash(state.message);
      context.rerender();
    };
    const current = shares.filter((s) => s.status === "active" || s.status === "waiting");
    const ended = shares.filter((s) => !current.includes(s));
    const switchArea = !switchState.enabled
      ? [
          h("p", { class: "notice" }, switchState.message),
          h(
            "button",
            { type: "button", class: "secondary", id: "sharing-on", onclick: () => setSwitch(true) },
            "Allow sharing again"
          ),
        ]
      : confirming === "all"
        ? confirmBox(
            "all-off",
            "Switch all sharing off? Every share and crisis card ends now, for all your plans. Switching sharing back on later won't bring them back.",
            "Switch all sharing off",
            () => setSwitch(false),
            () => ((confirming = null), context.rerender())
          )
        : h(
            "button",
            {
              type: "button",
              class: "danger",
              id: "all-off",
              onclick: () => ((confirming = "all"), context.focusNext("all-off-yes"), context.rerender()),
            },
            "Switch all sharing off"
          );
    return page(
      "Who can see your plan",
      h(
        "p",
        {},
        "Nothing is shared unless you choose. You decide which parts, what they may do, and until when. You can stop any time."
      ),
      switchState.enabled
        ? h("p", {}, h("a", { href: "#/sharing/new", class: "button primary" }, "Share with someone"))
        : null,
      h("h2", {}, "Shared now"),
      cardList(current, (s) => shareCard(plan, s, context), "You're not sharing this plan with anyone."),
      h("h2", {}, "More about sharing"),
      h(
        "ul",
        { class: "plain links" },
        h("li", {}, h("a", { href: "#/access-log" }, "Who looked at your plan")),
        h("li", {}, h("a", { href: "#/crisis-card" }, "Crisis card for emergencies")),
        h("li", {}, h("a", { href: "#/suggestions" }, "Suggestions, comments and imported parts"))
      ),
      h("h2", {}, "Switch all sharing off"),
      switchArea,
      ended.length
        ? h(
            "details",
            {},
            h("summary", {}, `Shares that have ended (${ended.length})`),
            h(
              "ul",
              { class: "cards" },
              ended.map((s) => shareCard(plan, s, context))
            )
          )
        : null
    );
  },
};

function shareFields(plan, share) {
  const chosen = new Set(share?.sections.map((s) => s.key) ?? ["crisis"]);
  const radios = (legend, name, options, selected) =>
    h(
      "fieldset",
      {},
      h("legend", {}, legend),
      Object.entries(options).map(([value, text]) =>
        h(
          "label",
          { class: "choice" },
          h("input", { type: "radio", name, value, checked: value === selected }),
          " ",
          text
        )
      )
    );
  return [
    share ? null : radios("Who is it for?", "label", LABELS, "link_worker"),
    h(
      "fieldset",
      { class: "checks" },
      h("legend", {}, "Which parts of your plan?"),
      plan.sections
        .filter((s) => !s.hidden)
        .map((s) =>
          h(
            "label",
            { class: "choice" },
            h("input", { type: "checkbox", name: "sections", value: s.key, checked: chosen.has(s.key) }),
            " ",
            s.title
          )
        )
    ),
    radios("What may they do?", "permission", PERMISSIONS, share?.permission ?? "view"),
    field(
      "Until when? (leave empty for no end date)",
      h("input", { type: "date", name: "until", value: dateValue(share?.expires_at) }),
      "You can stop sharing at any time, whatever date you choose."
    ),
  ];
}

function readShare(f) {
  const sections = [...f.querySelectorAll("input[name=sections]:checked")].map((i) => i.value);
  if (!sections.length) throw new Error("Choose at least one part of your plan to share.");
  const picked = (name) => f.querySelector(`input[name=${name}]:checked`)?.value;
  return {
    sections,
    permission: picked("permission"),
    label: picked("label"),
    expires_at: endOfDay(f.until.value),
  };
}

export const newShare = {
  async render(_params, { navigate }) {
    const plan = await ownPlan(navigate);
    if (!plan) return {};
    return page(
      "Share with someone",
      backLink("#/sharing", "Who can see your plan"),
      h(
        "p",
        {},
        "You'll get a code to give them. It works once, for 7 days. They sign in to accept it, and you'll see when they do."
      ),
      form(
        async (f) => {
          const body = readShare(f);
          if (!body.expires_at) delete body.expires_at;
          await syncNow(); // the server needs your latest sections first
          const created = await api(`/plans/${plan.id}/shares`, { method: "POST", json: body });
          f.removeAttribute("data-dirty");
          const link = `${location.origin}${created.invite_link}`;
          f.replaceWith(
            h(
              "div",
              { class: "stack", role: "status" },
              h("p", {}, created.summary),
              h("p", {}, "Give them this code. It's shown only now:"),
              h("p", { class: "code", id: "invite-code" }, created.invite_code),
              h("p", {}, "Or send them this link:"),
              h("p", { class: "code", id: "invite-link" }, link),
              h(
                "button",
                {
                  type: "button",
                  class: "secondary",
                  onclick: (e) =>
                    navigator.clipboard?.writeText(link).then(() => (e.target.textContent = "Link copied")),
                },
                "Copy the link"
              ),
              h("a", { href: "#/sharing", class: "button primary" }, "Done")
            )
          );
        },
        shareFields(plan),
        h("button", { type: "submit", class: "primary" }, "Make the invite")
      )
    );
  },
};

export const changeShare = {
  async render({ id }, { navigate }) {
    const plan = await ownPlan(navigate);
    if (!plan) return {};
    const { data, notice } = await load(() => api(`/plans/${plan.id}/shares`), CLOSED);
    const share = data?.find((s) => s.id === id);
    if (!share)
      return page(
        "Change what they can see",
        backLink("#/sharing", "Who can see your plan"),
        notice ?? h("p", {}, "This share isn't there any more.")
      );
    return page(
      `Change what ${share.grantee?.display_name ?? "they"} can see`,
      backLink("#/sharing", "Who can see your plan"),
      h("p", {}, share.summary),
      form(
        async (f) => {
          const { label, ...body } = readShare(f);
          const changed = await api(`/plans/${plan.id}/shares/${share.id}`, { method: "PATCH", json: body });
          f.removeAttribute("data-dirty");
          flash(`Saved. ${changed.summary}`);
          navigate("sharing");
        },
        shareFields(plan, share),
        h("button", { type: "submit", class: "primary" }, "Save the changes")
      )
    );
  },
};

// Looking at the plan, or at what they wrote on it: one person doing this again and again
// in a day is one line, with each time kept underneath.
const LOOKS = new Set(["viewed_plan", "read_comments", "read_suggestions"]);
const timeOnly = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit" });

/** The log, newest first, with each run of one person's looks on one day made a group. */
function openedTogether(entries) {
  const groups = [];
  for (const entry of entries) {
    const last = groups.at(-1);
    const same =
      last &&
      LOOKS.has(entry.event) &&
      LOOKS.has(last[0].event) &&
      last[0].who?.display_name === entry.who?.display_name &&
      last[0].share_id === entry.share_id &&
      formatDate(last[0].at) === formatDate(entry.at);
    if (same) last.push(entry);
    else groups.push([entry]);
  }
  return groups;
}

function logCard(group) {
  const [latest] = group;
  if (group.length === 1)
    return h("li", { class: "card" }, h("p", {}, latest.summary), h("p", { class: "hint" }, formatDateTime(latest.at)));
  const opens = group.filter((e) => e.event === "viewed_plan").length;
  const [from, to] = [group.at(-1), latest].map((e) => timeOnly.format(new Date(e.at)));
  const name = latest.who?.display_name ?? "Someone";
  return h(
    "li",
    { class: "card" },
    h(
      "p",
      {},
      opens
        ? `${name} opened your plan ${opens === 1 ? "once" : `${opens} times`} on ${formatDate(latest.at)}.`
        : `${name} looked at what they wrote on your plan ${group.length} times on ${formatDate(latest.at)}.`
    ),
    h("p", { class: "hint" }, from === to ? `At ${to}.` : `Between ${from} and ${to}.`),
    h(
      "details",
      {},
      h("summary", {}, `Each time (${group.length})`),
      h(
        "ul",
        { class: "plain" },
        group.map((e) => h("li", {}, `${timeOnly.format(new Date(e.at))}: ${e.summary}`))
      )
    )
  );
}

export const accessLog = {
  async render(_params, { navigate }) {
    const plan = await ownPlan(navigate);
    if (!plan) return {};
    const { data, notice } = await load(() => api(`/plans/${plan.id}/access-log?limit=100`), CLOSED);
    const list = h("ol", { class: "cards" });
    const more = h("div", {});
    const show = (log) => {
      list.append(...openedTogether(log.entries).map(logCard));
      more.replaceChildren(
        log.next_before
          ? h(
              "button",
              {
                type: "button",
                class: "secondary",
                onclick: async () =>
                  show(await api(`/plans/${plan.id}/access-log?limit=100&before=${log.next_before}`)),
              },
              "Show older"
            )
          : null
      );
    };
    if (data) show(data);
    return page(
      "Who looked at your plan",
      backLink("#/sharing", "Who can see your plan"),
      h(
        "p",
        {},
        "Every time someone else opens your plan or your crisis card, it's written here. Changes to your sharing are here too."
      ),
      notice ?? (data.entries.length ? [list, more] : h("p", {}, "Nobody else has looked at your plan."))
    );
  },
};
