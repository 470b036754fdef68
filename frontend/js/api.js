// The JSON API under /api/v1: sign-in tokens, refreshing them, and errors in plain words.
import { clearAll, getMeta, setMeta } from "./db.js";

export class ApiError extends Error {
  constructor(status, detail, body = {}) {
    super(detail);
    this.status = status;
    this.body = body;
  }
}

/** No connection: the change stays on this phone until there is one. */
export class OfflineError extends Error {
  constructor() {
    super("You're offline. This needs a connection: try again when you're back online.");
    this.name = "OfflineError";
  }
}

export const session = () => getMeta("session");

async function send(path, { method = "GET", json, form, body, token } = {}) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form) {
    body = form instanceof FormData ? form : new URLSearchParams(form);
  }
  try {
    return await fetch(`/api/v1${path}`, { method, headers, body, cache: "no-store" });
  } catch {
    throw new OfflineError();
  }
}

async function problem(response) {
  const body = await response.json().catch(() => ({}));
  const detail = body.detail || "Something went wrong on our side. Please try again.";
  return new ApiError(response.status, detail, body);
}

let refreshing = null;

/** New tokens from the refresh token. One refresh at a time, even across tabs, because each
 * refresh token works once and reusing one ends the sign-in. */
function refresh(staleToken) {
  refreshing ??= navigator.locks
    .request("wellbeing-refresh", async () => {
      const current = await session();
      if (!current) return null;
      if (current.access_token !== staleToken) return current; // another tab refreshed it
      const response = await send("/auth/refresh", {
        method: "POST",
        json: { refresh_token: current.refresh_token },
      });
      if (!response.ok) return null;
      const next = { ...current, ...(await response.json()) };
      await setMeta("session", next);
      return next;
    })
    .finally(() => (refreshing = null));
  return refreshing;
}

/** Calls the API as the signed-in person; returns the JSON (null for no content). */
export async function api(path, options = {}) {
  const current = await session();
  let response = await send(path, { ...options, token: current?.access_token });
  if (response.status === 401 && current) {
    const renewed = await refresh(current.access_token);
    if (!renewed) {
      window.dispatchEvent(new Event("signin-needed"));
      throw new ApiError(
        401,
        "Your sign-in has ended. Please sign in again; your plan is still on this phone."
      );
    }
    response = await send(path, { ...options, token: renewed.access_token });
  }
  if (!response.ok) throw await problem(response);
  if (options.raw) return response;
  return response.status === 204 ? null : response.json();
}

/** Calls the API with no sign-in (signing in, making an account, getting back in). */
export async function openApi(path, options = {}) {
  const response = await send(path, options);
  if (!response.ok) throw await problem(response);
  return response.status === 204 ? null : response.json();
}

/** Keeps a new sign-in's tokens on this device, with the account they are for. */
export async function useTokens(tokens) {
  const me = await send("/me", { token: tokens.access_token });
  if (!me.ok) throw await problem(me);
  const user = await me.json();
  const lastUser = await getMeta("user-id");
  if (lastUser && lastUser !== user.id) await clearAll(); // someone else's plans never linger
  await setMeta("user-id", user.id);
  await setMeta("session", { ...tokens, user });
  return { user };
}

export async function signIn(email, password) {
  return useTokens(await openApi("/auth/token", { method: "POST", form: { username: email, password } }));
}

export async function signUp(displayName, email, password) {
  const response = await send("/auth/register", {
    method: "POST",
    json: { display_name: displayName, email, password },
  });
  if (!response.ok) throw await problem(response);
  await response.text(); // read to its end: an unread answer that no cache keeps stays open
  return signIn(email, password);
}

/** Ends the sign-in and removes every plan from this device. */
export async function signOut() {
  const current = await session();
  if (current) {
    await send("/auth/logout", {
      method: "POST",
      json: { refresh_token: current.refresh_token },
      token: current.access_token,
    }).catch(() => {});
  }
  await clearAll();
}
