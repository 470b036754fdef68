// Sign in and make an account, with a password or a passkey; get back in by email.
import { openApi, session, signIn as apiSignIn, signUp as apiSignUp, useTokens } from "../api.js";
import { h } from "../dom.js";
import { passkeysWork, signInWithPasskey, signUpWithPasskey } from "../passkeys.js";
import * as store from "../store.js";
import { syncNow } from "../sync.js";
import { field, flash, form, page } from "../ui.js";

/** A refused field in its own words, without the field's internal name. */
function plainly(error) {
  const [first] = error.body?.errors ?? [];
  if (error.status !== 422 || !first) return error;
  return new Error(`${first.message.replace(/^Value error, /, "")}.`);
}

const PASSWORD_HINT =
  "At least 8 characters. A few words together is easy to remember; very common passwords aren't accepted.";

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
      h("p", {}, h("a", { href: "#/forgot-password" }, "Forgot password?")),
      passkeysWork()
        ? form(
            async () => {
              const { user } = await signInWithPasskey();
              await arrive(navigate, user);
            },
            h("p", { class: "hint" }, "Made your account with a passkey? Your phone's fingerprint, face or PIN opens it."),
            h("button", { type: "submit", class: "secondary", id: "passkey-sign-in" }, "Use a passkey")
          )
        : null,
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
          const name = f.display_name.value.trim();
          const email = f.email.value.trim();
          if (f.dataset.way === "passkey") {
            const { user } = await signUpWithPasskey(name, email);
            f.removeAttribute("data-dirty");
            return arrive(navigate, user);
          }
          // Making an account answers the same whether or not the email has one already
          // (so nobody can find out who has an account here); signing in straight after, with
          // the same email and password, is what tells the person.
          const { user } = await apiSignUp(name, email, f.password.value).catch((error) => {
            if (error.status !== 401) throw plainly(error);
            throw new Error(
              "We couldn't sign you in with this email and password. If you already have an account with this email, sign in with that account's password instead."
            );
          });
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
          PASSWORD_HINT
        ),
        // Which button sent the form: a click comes before the submit it causes, and
        // pressing Enter in a field clicks the first button.
        h(
          "button",
          { type: "submit", class: "primary", onclick: (e) => (e.currentTarget.form.dataset.way = "password") },
          "Make my account"
        ),
        passkeysWork()
          ? [
              h(
                "p",
                { class: "hint", id: "passkey-sign-up-hint" },
                "Rather not have a password? Use a passkey: your phone's fingerprint, face or PIN opens your account."
              ),
              h(
                "button",
                {
                  type: "submit",
                  class: "secondary",
                  "aria-describedby": "passkey-sign-up-hint",
                  onclick: (e) => (e.currentTarget.form.dataset.way = "passkey"),
                },
                "Use a passkey instead"
              ),
            ]
          : null
      ),
      h("p", {}, "Already have an account? ", h("a", { href: "#/signin" }, "Sign in"))
    );
  },
};

export const forgotPassword = {
  open: true,
  render() {
    const sent = h("p", { class: "flash", role: "status" });
    const ask = form(
      async (f) => {
        const { detail } = await openApi("/auth/password-reset", {
          method: "POST",
          json: { email: f.email.value.trim() },
        });
        f.removeAttribute("data-dirty");
        sent.textContent = detail;
        f.replaceWith(sent);
      },
      h("p", {}, "Tell us your account's email and we'll send you a link to choose a new password."),
      field("Email", email()),
      h("button", { type: "submit", class: "primary" }, "Send me a link")
    );
    return page("Forgot your password?", ask, h("p", {}, h("a", { href: "#/signin" }, "Back to sign in")));
  },
};

export const resetPassword = {
  open: true,
  render({ token }, { navigate }) {
    return page(
      "Choose a new password",
      form(
        async (f) => {
          const tokens = await openApi("/auth/password-reset/new-password", {
            method: "POST",
            json: { token, new_password: f.new_password.value },
          }).catch((error) => {
            throw plainly(error);
          });
          f.removeAttribute("data-dirty");
          const { user } = await useTokens(tokens);
          flash("Your new password is set. Any other device you were signed in on is now signed out.");
          await arrive(navigate, user);
        },
        field(
          "New password",
          h("input", { name: "new_password", type: "password", autocomplete: "new-password", required: true, minlength: 8 }),
          PASSWORD_HINT
        ),
        h("button", { type: "submit", class: "primary" }, "Save my new password")
      ),
      h("p", {}, h("a", { href: "#/forgot-password" }, "Ask for a new link"))
    );
  },
};
