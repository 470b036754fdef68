// Earlier versions of the plan, and making one current again (nothing is lost: it's a new version).
import { api } from "../api.js";
import { formatDateTime, h } from "../dom.js";
import * as store from "../store.js";
import { syncNow } from "../sync.js";
import { answersByPrompt, backLink, cardLink, flash, load, page } from "../ui.js";

const NOT_SYNCED_YET =
  "Your plan hasn't reached the server yet, so it has no history there. It will once it syncs.";
const fromServer = (path, what) => load(() => api(path), what, NOT_SYNCED_YET);
/** "By you, " for the person's own changes; "By Riley, " for a change someone else made. */
const byWhom = (author, user) => (!author ? "" : `By ${author.id === user?.id ? "you" : author.display_name}, `);

export const list = {
  async render(_params, { user }) {
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
              cardLink(
                `#/history/${r.number}`,
                `Version ${r.number}: ${r.summary}`,
                `${byWhom(r.author, user)}${formatDateTime(r.created_at)}`
              )
            )
          )
        )
    );
  },
};

export const version = {
  async render({ number }, { navigate, user }) {
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
        `${data.summary}. ${byWhom(data.author, user)}${formatDateTime(data.created_at)}.`
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
