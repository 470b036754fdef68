// "How are you today?": one tap opens the matching part of the person's own plan.
import { h } from "../dom.js";
import * as store from "../store.js";
import { answersByPrompt, backLink, page } from "../ui.js";

const STATES = {
  well: {
    answer: "I'm well",
    title: "You're feeling well",
    words: "Good to hear. Here's what keeps you well.",
  },
  triggered: {
    answer: "Something triggered me",
    title: "Something triggered you",
    words: "Thank you for noticing. Here's what you planned for this.",
  },
  early_warning_signs: {
    answer: "I'm noticing early warning signs",
    title: "Early warning signs",
    words: "Noticing early is a strength. Here's your plan for these signs.",
  },
  breaking_down: {
    answer: "Things are breaking down",
    title: "Things are breaking down",
    words: "You're not alone. Here's what you said helps now.",
  },
  crisis: {
    answer: "I'm in crisis",
    title: "You're in crisis",
    words: "You wrote this plan for a moment like this.",
  },
};

export const dangerNow = () =>
  h(
    "p",
    { class: "danger-line" },
    "If you're in danger now, call ",
    h("a", { href: "tel:999" }, "999"),
    ". To talk to someone any time, call Samaritans on ",
    h("a", { href: "tel:116123" }, "116 123"),
    "."
  );

export const ask = {
  render() {
    return page(
      "How are you today?",
      h("p", {}, "Choose what fits best. Your own plan for it opens straight away."),
      h(
        "ul",
        { class: "today-choices" },
        Object.entries(STATES).map(([key, state]) =>
          h("li", {}, h("a", { href: `#/today/${key}`, class: `button today today-${key}` }, state.answer))
        )
      )
    );
  },
};

export const answer = {
  live: true,
  async render({ state }, { navigate }) {
    const plan = await store.currentPlan();
    const chosen = STATES[state];
    if (!plan || !chosen) {
      navigate(plan ? "today" : "welcome");
      return {};
    }
    const sections = plan.sections.filter((s) => s.today === state);
    return page(
      chosen.title,
      backLink("#/today", "How are you today?"),
      h("p", { class: "lead" }, chosen.words),
      state === "crisis" || state === "breaking_down" ? dangerNow() : null,
      sections.map((section) =>
        h(
          "section",
          { class: "today-section", "aria-label": section.title },
          sections.length > 1 ? h("h2", {}, section.title) : null,
          answersByPrompt(section, {
            emptyText: "You haven't written anything here yet.",
            level: sections.length > 1 ? "h3" : "h2",
          }),
          h("p", {}, h("a", { href: `#/plan/${section.key}` }, `Add to “${section.title}”`))
        )
      ),
      state === "crisis"
        ? null
        : h("p", {}, h("a", { href: "#/crisis", class: "button secondary" }, "Open my crisis plan"))
    );
  },
};
