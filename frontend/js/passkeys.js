// Passkeys (WebAuthn) on this device: the API's options, whose binary values travel as
// base64url, handed to navigator.credentials; the passkey's answer sent back the same way.
import { openApi, useTokens } from "./api.js";

const toBytes = (text) =>
  Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
const toText = (buffer) =>
  btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
const withIds = (descriptors = []) => descriptors.map((d) => ({ ...d, id: toBytes(d.id) }));

/** Whether this browser can make and use passkeys here (it needs a secure page). */
export const passkeysWork = () => window.isSecureContext && "PublicKeyCredential" in window;

const REFUSALS = {
  NotAllowedError: "The passkey wasn't used: it was cancelled, or took too long. Try again when you're ready.",
  InvalidStateError: "This device already has a passkey for your account.",
  SecurityError: "Passkeys don't work at this address. Open the app at its usual address and try again.",
  NotSupportedError: "This device can't make a passkey that works here.",
};

async function ask(call) {
  try {
    return await call();
  } catch (error) {
    throw new Error(REFUSALS[error.name] ?? "Your device couldn't use a passkey just now. Try again.");
  }
}

function common(credential) {
  return {
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: {},
  };
}

/** A new passkey made on this device for `options` (from the API); its answer, as JSON. */
export async function makePasskey(options) {
  const publicKey = {
    ...options,
    challenge: toBytes(options.challenge),
    user: { ...options.user, id: toBytes(options.user.id) },
    excludeCredentials: withIds(options.excludeCredentials),
  };
  const credential = await ask(() => navigator.credentials.create({ publicKey }));
  const answer = credential.response;
  return {
    ...common(credential),
    response: {
      clientDataJSON: toText(answer.clientDataJSON),
      attestationObject: toText(answer.attestationObject),
      transports: answer.getTransports?.() ?? [],
    },
  };
}

/** One of this device's passkeys signing `options`' challenge; its answer, as JSON. */
export async function usePasskey(options) {
  const publicKey = {
    ...options,
    challenge: toBytes(options.challenge),
    allowCredentials: withIds(options.allowCredentials),
  };
  const credential = await ask(() => navigator.credentials.get({ publicKey }));
  const answer = credential.response;
  const response = {
    clientDataJSON: toText(answer.clientDataJSON),
    authenticatorData: toText(answer.authenticatorData),
    signature: toText(answer.signature),
  };
  if (answer.userHandle) response.userHandle = toText(answer.userHandle);
  return { ...common(credential), response };
}

/** Signs in with any passkey of this app that the device holds. */
export async function signInWithPasskey() {
  const { ceremony_id, public_key } = await openApi("/auth/passkeys/sign-in/options", { method: "POST" });
  const credential = await usePasskey(public_key);
  return useTokens(await openApi("/auth/passkeys/sign-in", { method: "POST", json: { ceremony_id, credential } }));
}

/** Makes an account that signs in with a new passkey, and signs in. */
export async function signUpWithPasskey(displayName, email) {
  const { ceremony_id, public_key } = await openApi("/auth/passkeys/sign-up/options", {
    method: "POST",
    json: { display_name: displayName, email },
  });
  const credential = await makePasskey(public_key);
  return useTokens(await openApi("/auth/passkeys/sign-up", { method: "POST", json: { ceremony_id, credential } }));
}
