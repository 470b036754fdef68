// The crisis card: a revocable, expiring link (and QR code) that shows only the crisis plan.
import { api } from "../api.js";
import { counted, formatDate, h, saveFile } from "../dom.js";
import * as store from "../store.js";
import { syncNow } from "../sync.js";
import { backLink, endOfDay, field, flash, form, load, page } from "../ui.js";

function qrImage(svg) {
  let binary = "";
  for (const byte of new TextEncoder().encode(svg)) binary += String.fromCharCode(byte);
  const base64 = btoa(binary);
  return h("img", {
    class: "qr",
    src: `data:image/svg+xml;base64,${base64}`,
    alt: "QR code of your crisis card link",
  });
}

/** The crisis plan as a PDF from this phone's account: one A4 page, or wallet-sized cards. */
async function downloadCard(plan, layout, button) {
  try {
    await syncNow();
    const response = await api(`/plans/${plan.id}/print?sections=crisis&layout=${layout}`, { raw: true });
    const name = layout === "wallet" ? "crisis-plan-wallet.pdf" : "crisis-plan.pdf";
    saveFile(await response.blob(), name);
    button.textContent = `Downloaded ${name}`;
  } catch (error) {
    button.textContent = error.message;
  }
}

export const crisisCard = {
  async render(_params, { navigate, rerender }) {
    const plan = await store.currentPlan();
    if (!plan) return (navigate("welcome"), {});
    let card = null;
    try {
      card = await api(`/plans/${plan.id}/crisis-card`);
    } catch (error) {
      if (error.status !== 404)
        return page(
          "Crisis card",
          backLink("#/crisis", "My crisis plan"),
          (await load(() => Promise.reject(error), "The crisis card")).notice
        );
    }
    const result = h("div", { class: "stack" });
    const make = async (f) => {
      await syncNow();
      const body = f.until.value ? { expires_at: endOfDay(f.until.value) } : undefined;
      const made = await api(`/plans/${plan.id}/crisis-card`, { method: "POST", json: body });
      f.removeAttribute("data-dirty");
      result.replaceChildren(
        h("p", { role: "status" }, made.message),
        h("p", {}, "Save or print this link and QR code now: they're shown only once."),
        h("p", { class: "code", id: "card-link" }, made.url),
        qrImage(made.qr_svg)
      );
    };
    const stop = async () => {
      const stopped = await api(`/plans/${plan.id}/crisis-card`, { method: "DELETE" });
      flash(stopped.message);
      rerender();
    };
    return page(
      "Crisis card",
      backLink("#/crisis", "My crisis plan"),
      h(
        "p",
        {},
        "A crisis card is a link, with a QR code, that shows only your crisis plan, to whoever has it: for an emergency. It stops working on the date you choose, or when you turn it off. You can see each time it's used."
      ),
      card
        ? h(
            "div",
            { class: "card" },
            h("p", {}, card.message),
            h(
              "p",
              { class: "hint" },
              `Made ${formatDate(card.created_at)}. Used ${counted(card.uses, "time")}.`
            ),
            card.status === "active"
              ? h(
                  "button",
                  { type: "button", class: "danger", id: "card-off", onclick: stop },
                  "Turn the card off"
                )
              : null
          )
        : h("p", {}, "You don't have a crisis card yet."),
      form(
        make,
        field("Works until (leave empty for 90 days)", h("input", { type: "date", name: "until" })),
        h(
          "button",
          { type: "submit", class: "primary" },
          card ? "Make a new card (the old link stops)" : "Make a crisis card"
        )
      ),
      result,
      h("h2", {}, "On paper"),
      h(
        "p",
        {},
        "Your crisis plan to print: every part of it, with whose words each line is, and anything in it that may not agree."
      ),
      h(
        "div",
        { class: "row" },
        h(
          "button",
          { type: "button", class: "secondary", onclick: (e) => downloadCard(plan, "a4", e.currentTarget) },
          "One A4 page (PDF)"
        ),
        h(
          "button",
          { type: "button", class: "secondary", onclick: (e) => downloadCard(plan, "wallet", e.currentTarget) },
          "Wallet-sized cards (PDF)"
        )
      )
    );
  },
};
