// How the last weeks went: check-ins (which answers, how often, what helped) and each goal's
// progress over time, each drawn as a small SVG with the same figures in a table beside it.
// Also what the person chose: sharing their check-ins, and calendar reminders.
import { api } from "../api.js";
import { checkIns, fetchCheckIns } from "../checkins.js";
import { formatDate, formatDateTime, h, saveFile } from "../dom.js";
import * as store from "../store.js";
import { PROGRESS, backLink, button, field, flash, form, load, needsConnection, page } from "../ui.js";
import { STATES } from "./today.js";

const SVG = "http://www.w3.org/2000/svg";
const DAY = 86_400_000;
const COLOURS = {
  well: "#2c6a4d",
  triggered: "#7a5500",
  early_warning_signs: "#6b4c9a",
  breaking_down: "#a34f00",
  crisis: "#9b1c2c",
};
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const PROGRESS_WORDS = new Map(PROGRESS);
let period = 30;

/** An SVG element (h() makes HTML ones). */
function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children.flat());
  return element;
}

/** A chart for people who see it; its title says what it shows, the table beside says it all. */
function chart(id, title, width, height, ...shapes) {
  return s(
    "svg",
    { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": `${id}-title`, class: "chart", width: "100%" },
    s("title", { id: `${id}-title` }, title),
    ...shapes
  );
}

/** A table of figures; on a narrow screen with large text it scrolls sideways on its own
 * (as data tables may), so the page itself never does. */
function table(caption, headings, rows) {
  const figures = h(
    "table",
    { class: "figures" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, headings.map((heading) => h("th", { scope: "col" }, heading)))),
    h("tbody", {}, rows.map(([first, ...rest]) => h("tr", {}, h("th", { scope: "row" }, first), rest.map((cell) => h("td", {}, cell)))))
  );
  return h("div", { class: "table-scroll", role: "region", "aria-label": caption, tabindex: "0" }, figures);
}

const times = (n) => (n === 1 ? "once" : n === 2 ? "twice" : `${n} times`);

function howOften(list) {
  const counts = Object.keys(STATES).map((key) => [key, list.filter((c) => c.state === key).length]);
  const most = Math.max(1, ...counts.map(([, n]) => n));
  const row = 40;
  const bars = counts.flatMap(([key, n], i) => [
    s("text", { x: 0, y: i * row + 14, class: "chart-label" }, STATES[key].answer),
    s("rect", { x: 0, y: i * row + 19, width: Math.max(2, (n / most) * 260), height: 14, rx: 3, fill: COLOURS[key] }),
    s("text", { x: Math.max(2, (n / most) * 260) + 6, y: i * row + 31, class: "chart-label" }, String(n)),
  ]);
  const summary = counts.filter(([, n]) => n).map(([key, n]) => `${STATES[key].answer}: ${times(n)}`);
  return h(
    "div",
    { class: "chart-and-table" },
    chart("how-often", `How often, in the last ${period} days. ${summary.join("; ") || "No check-ins"}.`, 320, counts.length * row, bars),
    table(
      `Check-ins in the last ${period} days`,
      ["How I was", "Times"],
      counts.map(([key, n]) => [STATES[key].answer, String(n)])
    )
  );
}

function dayByDay(list) {
  const start = Date.now() - period * DAY;
  const keys = Object.keys(STATES);
  const row = 18;
  const width = 300;
  const dots = list.map((c) =>
    s("circle", {
      cx: 10 + ((Date.parse(c.at) - start) / (period * DAY)) * (width - 20),
      cy: 10 + keys.indexOf(c.state) * row,
      r: 5,
      fill: COLOURS[c.state],
    })
  );
  const lines = keys.map((key, i) =>
    s("line", { x1: 0, x2: width, y1: 10 + i * row, y2: 10 + i * row, stroke: "#c9c2b4", "stroke-width": 1 })
  );
  return h(
    "div",
    { class: "chart-and-table" },
    chart(
      "day-by-day",
      `Each check-in of the last ${period} days, from the oldest on the left to today on the right; one row for each answer, from "${STATES.well.answer}" at the top to "${STATES.crisis.answer}" at the bottom.`,
      width,
      keys.length * row + 4,
      lines,
      dots
    ),
    h(
      "details",
      {},
      h("summary", {}, "Every check-in, as a list"),
      table(
        `Every check-in of the last ${period} days`,
        ["When", "How I was", "My note"],
        [...list].reverse().map((c) => [formatDateTime(c.at), STATES[c.state].answer, c.note || "—"])
      )
    )
  );
}

function whatHelped(list) {
  const noted = [...list].reverse().filter((c) => c.note);
  if (!noted.length)
    return h("p", { class: "empty" }, "No notes yet. When you check in, you can add a note about what helped.");
  return h(
    "ul",
    { class: "plain helped" },
    noted.map((c) =>
      h("li", {}, h("span", { class: "card-meta" }, `${formatDate(c.at)}, ${STATES[c.state].answer.toLowerCase()}: `), c.note)
    )
  );
}

function goalChart(goal, index) {
  const start = Date.now() - period * DAY;
  const width = 300;
  const y = (progress) => 10 + (2 - progress) * 20;
  const x = (at) => 30 + Math.max(0, (Date.parse(at) - start) / (period * DAY)) * (width - 40);
  const known = goal.points.filter((p) => p.progress !== null);
  let path = "";
  known.forEach((p, i) => {
    path += `${i ? "H" : "M"}${x(p.at)} ${i ? `V${y(p.progress)}` : y(p.progress)}`;
  });
  if (known.length) path += `H${width - 10}`;
  const words = known.map((p) => `${formatDate(p.at)}: ${PROGRESS_WORDS.get(p.progress)}`);
  const id = `goal-${index}`;
  return h(
    "li",
    { class: "card" },
    h("h3", {}, goal.goal),
    known.length
      ? [
          h(
            "div",
            { class: "chart-and-table" },
            chart(
              id,
              `How “${goal.goal}” went: ${words.join("; ")}.`,
              width,
              100,
              [2, 0, -2].map((p) => s("text", { x: 0, y: y(p) + 4, class: "chart-label" }, p > 0 ? "+2" : p < 0 ? "−2" : "0")),
              [2, 1, 0, -1, -2].map((p) =>
                s("line", { x1: 30, x2: width - 10, y1: y(p), y2: y(p), stroke: "#c9c2b4", "stroke-width": 1 })
              ),
              s("path", { d: path, fill: "none", stroke: "#2c6a4d", "stroke-width": 3 }),
              known.map((p) => s("circle", { cx: x(p.at), cy: y(p.progress), r: 4, fill: "#2c6a4d" }))
            ),
            table(
              `How “${goal.goal}” went`,
              ["When", "How it was going"],
              known.map((p) => [formatDate(p.at), PROGRESS_WORDS.get(p.progress)])
            )
          ),
        ]
      : h("p", { class: "empty" }, "No progress marked yet. You can mark how it's going when you edit the goal."),
    goal.review_date ? h("p", { class: "hint" }, `You'll look at it again on ${formatDate(goal.review_date)}.`) : null
  );
}

async function goalsPart(plan) {
  if (!plan.sections.some((section) => section.kind === "goals")) return null;
  const { data: goals, notice } = await load(
    () => api(`/plans/${plan.id}/goal-progress?days=${period}`),
    "Seeing your goals' progress"
  );
  return [
    h("h2", {}, "My goals over time"),
    notice ??
      (goals.length
        ? h("ul", { class: "cards" }, goals.map(goalChart))
        : h("p", { class: "empty" }, "You have no goals in your plan yet.")),
  ];
}

function sharingPart(plan, settings, { refresh, focusNext }) {
  if (!settings) return needsConnection("Choosing who sees your check-ins");
  const choose = async (event) => {
    const shared = event.currentTarget.checked;
    try {
      await api(`/plans/${plan.id}/check-in-settings`, { method: "PATCH", json: { shared } });
      flash(shared ? "Your check-ins are now shared, as described." : "Your check-ins are no longer shared with anyone.");
    } catch (error) {
      flash(error.message);
    }
    focusNext("share-check-ins");
    refresh();
  };
  return [
    h(
      "label",
      { class: "choice" },
      h("input", { type: "checkbox", id: "share-check-ins", checked: settings.shared, onchange: choose }),
      " Let people I share my plan with see my check-ins"
    ),
    h(
      "p",
      { class: "hint" },
      "Each check-in is seen only by someone whose share includes the part of your plan that answer opens: “Something triggered me” by people who can see your triggers, “I'm in crisis” by people who can see your crisis plan. Your notes go with them. Nobody else sees them, and you can turn this off at any time."
    ),
  ];
}

function remindersPart(plan, settings, { refresh, focusNext }) {
  if (!settings) return needsConnection("Setting reminders");
  const rhythms = [
    ["none", "No check-in reminder"],
    ["daily", "Every day"],
    ["weekly", "Once a week"],
  ];
  return form(
    async (f) => {
      const rhythm = f.querySelector("input[name=rhythm]:checked")?.value ?? "none";
      const json = { rhythm, remind_at: f.remind_at.value || "19:00", weekday: Number(f.weekday.value) };
      await api(`/plans/${plan.id}/check-in-settings`, { method: "PATCH", json });
      const response = await api(`/plans/${plan.id}/reminders.ics`, { raw: true });
      saveFile(await response.blob(), "my-plan-reminders.ics");
      f.removeAttribute("data-dirty");
      flash("Your reminders are downloading as my-plan-reminders.ics. Open it to add them to your calendar.");
      focusNext("save-reminders");
      refresh();
    },
    h(
      "fieldset",
      { class: "choices-inline" },
      h("legend", {}, "Remind me to check in"),
      rhythms.map(([value, label]) =>
        h("label", { class: "choice" }, h("input", { type: "radio", name: "rhythm", value, checked: settings.rhythm === value }), " ", label)
      )
    ),
    field(
      "Day of the week",
      h("select", { name: "weekday" }, WEEKDAYS.map((day, i) => h("option", { value: i, selected: settings.weekday === i }, day)))
    ),
    field("At", h("input", { type: "time", name: "remind_at", value: settings.remind_at })),
    h(
      "p",
      { class: "hint" },
      "The file also reminds you of the dates you chose to look at your goals again. Your phone's calendar then reminds you itself, even with this app closed and no signal. Your own words are not put in your calendar."
    ),
    h("button", { type: "submit", class: "primary", id: "save-reminders" }, "Save and add to my calendar")
  );
}

export const progress = {
  live: true,
  async render(_params, context) {
    const plan = await store.currentPlan();
    if (!plan) return (context.navigate("welcome"), {});
    const { data: settings } = await load(() => fetchCheckIns(plan.id, 366), "");
    const list = await checkIns(plan.id, period);
    const choosePeriod = (days) => () => {
      period = days;
      context.focusNext(`period-${days}`);
      context.refresh();
    };
    return page(
      "How the last weeks went",
      backLink("#/today", "How are you today?"),
      h(
        "div",
        { class: "row period", role: "group", "aria-label": "How far back" },
        [30, 90].map((days) =>
          button(`Last ${days} days`, choosePeriod(days), { id: `period-${days}`, "aria-pressed": String(period === days) })
        )
      ),
      h("h2", {}, "My check-ins"),
      list.length
        ? [howOften(list), dayByDay(list), h("h2", {}, "What helped"), whatHelped(list)]
        : h("p", { class: "empty" }, `No check-ins in the last ${period} days. Each time you answer “How are you today?”, it's kept here.`),
      await goalsPart(plan),
      h("h2", {}, "Who sees my check-ins"),
      sharingPart(plan, settings, context),
      h("h2", {}, "Reminders in my calendar"),
      remindersPart(plan, settings, context)
    );
  },
};
