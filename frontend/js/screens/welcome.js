// First run: choose a Green Book or a WRAP, with a short, kind word about each.
import { h } from "../dom.js";
import * as store from "../store.js";
import { page } from "../ui.js";

const CHOICES = [
  [
    "green_book",
    "Green Book",
    "A wellbeing book you fill in yourself: what keeps you well, what to watch for, your goals, and what you want to happen in a crisis.",
  ],
  [
    "wrap",
    "WRAP",
    "A Wellness Recovery Action Plan: your wellness toolbox, what you do every day, what to do when things get harder, and your crisis plan.",
  ],
  [
    "safety_plan",
    "Safety plan",
    "A short plan, step by step, for getting through the hardest moments: warning signs, what helps, who to ask, and your reasons for living.",
  ],
];

export const welcome = {
  live: true,
  async render(_params, { navigate }) {
    const templates = (await store.templates()) ?? {};
    const start = async (key) => {
      await store.createPlan(key);
      navigate("plan");
    };
    return page(
      "Let's start your plan",
      h(
        "p",
        {},
        "There's no right or wrong way to fill it in. Write in your own words, a little at a time. You can change anything later, and nothing is shared unless you choose."
      ),
      h(
        "ul",
        { class: "choices" },
        CHOICES.map(([key, name, about]) =>
          h(
            "li",
            { class: "card" },
            h("h2", {}, name),
            h("p", {}, templates[key]?.about ?? about),
            h(
              "button",
              {
                type: "button",
                class: "primary",
                id: `start-${key}`,
                onclick: () => start(key),
                disabled: !templates[key],
              },
              `Start a ${name}`
            )
          )
        )
      ),
      Object.keys(templates).length
        ? null
        : h(
            "p",
            { class: "notice" },
            "Starting a plan needs a connection the first time. Try again when you're online."
          )
    );
  },
};
