// Sign in and make an account.
import { session, signIn as apiSignIn, signUp as apiSignUp } from "../api.js";
import { h } from "../dom.js";
import * as store from "../store.js";
import { syncNow } from "../sync.js";
import { field, form, page } from "../ui.js";

async function arrive(navigate, user) {
  window.dispatchEvent(new Event("signed-in"));
  await syncNow();
  // An invite opened before signing in comes first, whoever is signing in.
  const pending = sessionStorage.getItem("invite");
  if (pending) return navigate(`invite/${pending}`);
  if (user.role !== "person") return navigate("shared");
  navigate((await store.currentPlan()) ? "plan" : "welcome");
}

const email = () =>
  h("input", { name: "email", type: "email", autocomplete: "email", required: true, inputmode: "email" });

export const signIn = {
  open: true,
  async render(_params, { navigate }) {
    const signedIn = await session();
    return page(
      signedIn ? "Sign in again" : "Welcome back",
      signedIn
        ? h("p", {}, "Your sign-in has ended. Your plan is still on this phone; sign in to sync it.")
        : null,
      form(
        async (f) => {
          const { user } = await apiSignIn(f.email.value.trim(), f.password.value);
          f.removeAttribute("data-dirty");
          await arrive(navigate, user);
        },
        field("Email", email()),
        field(
          "Password",
          h("input", { name: "password", type: "password", autocomplete: "current-password", required: true })
        ),
        h("button", { type: "submit", class: "primary" }, "Sign in")
      ),
      h("p", {}, "New here? ", h("a", { href: "#/signup" }, "Make an account"))
    );
  },
};

export const signUp = {
  open: true,
  render(_params, { navigate }) {
    return page(
      "Make your account",
      h("p", {}, "Your plan belongs to you. Nobody sees it unless you choose to share it."),
      form(
        async (f) => {
          // Making an account answers the same whether or not the email has one already
          // (so nobody can find out who has an account here); signing in straight after, with
          // the same email and password, is what tells the person.
          const { user } = await apiSignUp(f.display_name.value.trim(), f.email.value.trim(), f.password.value).catch(
            (error) => {
              if (error.status !== 401) throw error;
              throw new Error(
                "We couldn't sign you in with this email and password. If you already have an account with this email, sign in with that account's password instead."
              );
            }
          );
          f.removeAttribute("data-dirty");
          await arrive(navigate, user);
        },
        field(
          "What should we call you?",
          h("input", { name: "display_name", autocomplete: "nickname", required: true, maxlength: 100 })
        ),
        field("Email", email()),
        field(
          "Password",
          h("input", {
            name: "password",
            type: "password",
            autocomplete: "new-password",
            required: true,
            minlength: 8,
          }),
          "At least 8 characters. A few words together is easy to remember; very common passwords aren't accepted."
        ),
        h("button", { type: "submit", class: "primary" }, "Make my account")
      ),
      h("p", {}, "Already have an account? ", h("a", { href: "#/signin" }, "Sign in"))
    );
  },
};
