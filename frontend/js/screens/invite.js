// Accepting someone's invite to see parts of their plan (from a code, or the link they sent).
import { api, session } from "../api.js";
import { h } from "../dom.js";
import { field, flash, form, page } from "../ui.js";

export const invite = {
  open: true,
  async render({ code }, { navigate }) {
    if (!(await session())) {
      sessionStorage.setItem("invite", code);
      return page(
        "Someone shared their plan with you",
        h("p", {}, "Sign in, or make an account, to accept it."),
        h(
          "div",
          { class: "row" },
          h("a", { href: "#/signin", class: "button primary" }, "Sign in"),
          h("a", { href: "#/signup", class: "button secondary" }, "Make an account")
        )
      );
    }
    sessionStorage.removeItem("invite");
    return page(
      "Accept a shared plan",
      h(
        "p",
        {},
        "Someone gave you a code to see parts of their plan. When you accept, they'll see that you did, and each time you look."
      ),
      form(
        async (f) => {
          const accepted = await api("/shares/accept", {
            method: "POST",
            json: { code: f.code.value.trim() },
          });
          f.removeAttribute("data-dirty");
          flash(accepted.summary);
          navigate(`shared/${accepted.share_id}`);
        },
        field(
          "Invite code",
          h("input", {
            name: "code",
            value: code === "code" ? "" : code,
            required: true,
            autocomplete: "off",
          })
        ),
        h("button", { type: "submit", class: "primary" }, "Accept")
      )
    );
  },
};
