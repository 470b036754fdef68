// The crisis plan, one tap from anywhere: what the person wants to happen, in their words.
import { h } from "../dom.js";
import * as store from "../store.js";
import { answersByPrompt, page } from "../ui.js";
import { dangerNow } from "./today.js";

export const crisis = {
  live: true,
  async render(_params, { navigate }) {
    const plan = await store.currentPlan();
    const section = plan?.sections.find((s) => s.today === "crisis");
    if (!section) {
      navigate(plan ? "plan" : "welcome");
      return {};
    }
    return page(
      "My crisis plan",
      h("p", { class: "lead" }, section.description),
      dangerNow(),
      answersByPrompt(section, { emptyText: "Not written yet." }),
      h(
        "div",
        { class: "row" },
        h("a", { href: `#/plan/${section.key}`, class: "button secondary" }, "Change my crisis plan"),
        h("a", { href: "#/crisis-card", class: "button secondary" }, "Crisis card for emergencies")
      )
    );
  },
};
