// Earlier versions of the plan, and making one current again (nothing is lost: it's a new version).
import { OfflineError, api } from "../api.js";
import { formatDateTime, h } from "../dom.js";
import * as store from "../store.js";
import { syncNow } from "../sync.js";
import { answersByPrompt, backLink, flash, needsConnection, page } from "../ui.js";

async function fromServer(path, what) {
  try {
    return { data: await api(path) };
  } catch (error) {
    if (error instanceof OfflineError) return { notice: needsConnection(what) };
    if (error.status === 404)
      return {
        notice: h(
          "p",
          { class: "notice" },
          "Your plan hasn't reached the server yet, so it has no history there. It will once it syncs."
        ),
      };
    return { notice: h("p", { class: "alert", role: "alert" }, error.message) };
  }
}

export const list = {
  async render() {
    const plan = await store.currentPlan();
    if (!plan) return page("History", h("p", {}, "There is no plan yet."));
    const { data, notice } = await fromServer(`/plans/${plan.id}/revisions`, "Seeing your plan's history");
    return page(
      "Your plan's history",
      backLink("#/more", "More"),
      h(
        "p",
        {},
        "Every change makes a new version. You can look at an earlier one and make it current again."
      ),
      notice ??
        h(
          "ol",
          { class: "cards history" },
          data.map((r) =>
            h(
              "li",
              { class: "card" },
              h(
                "a",
                { href: `#/history/${r.number}`, class: "card-link" },
                h("span", { class: "card-title" }, `Version ${r.number}: ${r.summary}`),
                h(
                  "span",
                  { class: "card-meta" },
                  `${r.author ? `By ${r.author.display_name}, ` : ""}${formatDateTime(r.created_at)}`
                )
              )
            )
          )
        )
    );
  },
};

export const version = {
  async render({ number }, { navigate }) {
    const plan = await store.currentPlan();
    const { data, notice } = await fromServer(
      `/plans/${plan?.id}/revisions/${number}`,
      "Seeing an earlier version"
    );
    if (notice) return page(`Version ${number}`, backLink("#/history", "History"), notice);
    const restore = async (button) => {
      button.disabled = true;
      try {
        await syncNow(); // send waiting changes first, so the restore comes after them
        await api(`/plans/${plan.id}/revisions/${number}/restore`, { method: "POST" });
        await syncNow();
        flash(
          `Version ${number} is your current plan again. The version before it is kept in your history too.`
        );
        navigate("plan");
      } catch (error) {
        button.disabled = false;
        button.after(h("p", { class: "alert", role: "alert" }, error.message));
      }
    };
    const written = data.sections.filter((s) => s.entries.length);
    return page(
      `Version ${number}`,
      backLink("#/history", "History"),
      h(
        "p",
        {},
        `${data.summary}. ${data.author ? `By ${data.author.display_name}, ` : ""}${formatDateTime(data.created_at)}.`
      ),
      h(
        "button",
        { type: "button", class: "primary", id: "restore", onclick: (event) => restore(event.currentTarget) },
        "Make this my current plan"
      ),
      written.length
        ? written.map((s) =>
            h(
              "section",
              { class: "card", "aria-label": s.title },
              h("h2", {}, s.title),
              answersByPrompt(s, { level: "h3" })
            )
          )
        : h("p", {}, "Nothing was written in this version yet.")
    );
  },
};
