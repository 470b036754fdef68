// Deleted plans, and bringing one back. Restoring brings back what the plan says; the people
// it was shared with and its crisis card link come back only if the person ticks the box.
import { api } from "../api.js";
import { formatDate, h } from "../dom.js";
import * as store from "../store.js";
import { syncNow } from "../sync.js";
import { backLink, flash, load, page } from "../ui.js";

export const deleted = {
  async render(_params, { navigate }) {
    const { data, notice } = await load(() => api("/plans?deleted=true"), "Seeing your deleted plans");
    const intro = h(
      "p",
      {},
      "A deleted plan can be brought back until the date shown. After that it is gone for good."
    );
    if (notice) return page("Deleted plans", backLink("#/more", "More"), intro, notice);

    const restore = async (plan, card) => {
      const button = card.querySelector("button");
      const withSharing = card.querySelector("input[type=checkbox]").checked;
      button.disabled = true;
      try {
        await api(`/plans/${plan.id}/restore`, { method: "POST", json: { with_sharing: withSharing } });
        await syncNow();
        await store.choosePlan(plan.id);
        flash(
          withSharing
            ? `“${plan.title}” is back, and the people you shared it with can see it again.`
            : `“${plan.title}” is back. Nobody else can see it: share it again if you want to.`
        );
        navigate("plan");
      } catch (error) {
        button.disabled = false;
        card.append(h("p", { class: "alert", role: "alert" }, error.message));
      }
    };

    const planCard = (plan) => {
      const boxId = `with-sharing-${plan.id}`;
      const card = h(
        "li",
        { class: "card stack" },
        h("h2", {}, plan.title),
        h("p", { class: "hint" }, `Deleted on ${formatDate(plan.deleted_at)}. Can be brought back until ${formatDate(plan.purge_after)}.`),
        h(
          "label",
          { class: "choice", for: boxId },
          h("input", { type: "checkbox", id: boxId, name: "with_sharing" }),
          " Also let the people I shared it with see it again, and turn its crisis card link back on"
        ),
        h(
          "p",
          { class: "hint" },
          "Leave this unticked and only your plan comes back: nobody else can see it until you share it again."
        ),
        h(
          "button",
          { type: "button", class: "primary", onclick: () => restore(plan, card) },
          "Bring this plan back",
          h("span", { class: "visually-hidden" }, ` ${plan.title}`)
        )
      );
      return card;
    };

    return page(
      "Deleted plans",
      backLink("#/more", "More"),
      intro,
      data.length ? h("ul", { class: "cards" }, data.map(planCard)) : h("p", {}, "You have no deleted plans.")
    );
  },
};
