// IndexedDB, promised: the plans, the outbox of changes waiting to sync, things to decide, meta.
// Every record in those stores is sealed with AES-GCM under this device's data key, so none of
// the person's words is stored in the clear; only its key (a plan's or change's random id, a
// meta name) is. The "device" store holds what must be read before unlocking: the data key,
// wrapped (AES-KW) by a device key or, with an app lock, by a key made from the PIN; the
// app-lock settings; and the crisis plan kept readable when locked, if the person chose that.
// Values must be JSON.

const NAME = "wellbeing-plans";
const VERSION = 2;
const KEY_PATHS = { plans: "id", outbox: "seq", decisions: "op_id", meta: "key" };
const SEALED = Object.keys(KEY_PATHS);
const PIN_ITERATIONS = 600_000;
export const MAX_WRONG_PINS = 5;
const LOCK_DEFAULTS = { idleMinutes: 5, crisisWhenLocked: false, wrongPins: 0 };
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const subtle = crypto.subtle;
// Other tabs of the app on this phone: told when the local copy is wiped, so none of them
// goes on writing under a key that no longer exists.
const tabs = new BroadcastChannel("wellbeing-device");
let opening = null;

function openDb() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = (event) => {
      const db = request.result;
      if (event.oldVersion < 1) {
        for (const [name, keyPath] of Object.entries(KEY_PATHS))
          db.createObjectStore(name, { keyPath, autoIncrement: name === "outbox" });
      }
      // Version 1 kept records in the clear: they are sealed when the first data key is made.
      if (event.oldVersion < 2) db.createObjectStore("device", { keyPath: "name" });
    };
    request.onsuccess = () => {
      // A newer version of the app opened in another tab: let it upgrade, then follow it.
      request.result.onversionchange = () => {
        request.result.close();
        location.reload();
      };
      resolve(request.result);
    };
    request.onerror = () => reject(request.error);
  });
  return opening;
}

const done = (request) =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

async function rawStore(name, mode = "readonly") {
  return (await openDb()).transaction(name, mode).objectStore(name);
}

/** Write to several stores in one IndexedDB transaction; resolves when it commits. */
async function commit(names, write) {
  const tx = (await openDb()).transaction(names, "readwrite");
  write(Object.fromEntries(names.map((n) => [n, tx.objectStore(n)])));
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

// ---- keys ----------------------------------------------------------------------------------

const deferred = () => {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
};

let unlocked = deferred(); // resolves with the data key once it is open
let keysOpened = null;

const deviceRecord = async (name) => done((await rawStore("device")).get(name));
const newWrappingKey = () => subtle.generateKey({ name: "AES-KW", length: 256 }, false, ["wrapKey", "unwrapKey"]);

/** The data key, from its wrapped bytes. `extractable` only to wrap it again at once. */
const unwrap = (wrapped, wrappingKey, extractable = false) =>
  subtle.unwrapKey("raw", wrapped, wrappingKey, "AES-KW", "AES-GCM", extractable, ["encrypt", "decrypt"]);

async function pinKey(pin, salt, iterations) {
  const base = await subtle.importKey("raw", encoder.encode(pin), "PBKDF2", false, ["deriveKey"]);
  return subtle.deriveKey(
    { name: "PBKDF2", salt, iterations, hash: "SHA-256" },
    base,
    { name: "AES-KW", length: 256 },
    false,
    ["wrapKey", "unwrapKey"]
  );
}

/** The data key wrapped by a new device key (no app lock), as the two records to store. */
async function wrappedByDevice(dataKey) {
  const deviceKey = await newWrappingKey();
  const wrapped = await subtle.wrapKey("raw", dataKey, deviceKey, "AES-KW");
  return [
    { name: "device-key", key: deviceKey },
    { name: "data-key", by: "device", wrapped },
  ];
}

async function wrappedByPin(dataKey, pin) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const wrapped = await subtle.wrapKey("raw", dataKey, await pinKey(pin, salt, PIN_ITERATIONS), "AES-KW");
  return { name: "data-key", by: "pin", wrapped, salt, iterations: PIN_ITERATIONS };
}

/** The first data key on this phone; records kept in the clear by an older version are sealed. */
async function makeDataKey() {
  const dataKey = await subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"]);
  const records = await wrappedByDevice(dataKey);
  const key = await unwrap(records[1].wrapped, records[0].key);
  const legacy = {};
  for (const name of SEALED) {
    const all = await done((await rawStore(name)).getAll());
    legacy[name] = await Promise.all(all.filter((r) => !r.sealed).map((r) => sealRecord(name, r, key)));
  }
  await commit(["device", ...SEALED], (stores) => {
    records.forEach((r) => stores.device.put(r));
    for (const name of SEALED) legacy[name].forEach((r) => stores[name].put(r));
  });
  return key;
}

/** Opens this phone's keys: "open", or "locked" until the PIN is given. */
export function openKeys() {
  keysOpened ??= navigator.locks.request("wellbeing-keys", async () => {
    const dataKey = await deviceRecord("data-key");
    if (dataKey?.by === "pin") return "locked";
    unlocked.resolve(dataKey ? await unwrap(dataKey.wrapped, (await deviceRecord("device-key")).key) : await makeDataKey());
    return "open";
  });
  return keysOpened;
}

async function dataKey() {
  openKeys();
  return unlocked.promise;
}

// ---- sealing records -----------------------------------------------------------------------

async function seal(value, key, context) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = encoder.encode(JSON.stringify(value));
  const data = await subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(context) }, key, plain);
  return { iv, data };
}

async function open(sealed, key, context) {
  const plain = await subtle.decrypt({ name: "AES-GCM", iv: sealed.iv, additionalData: encoder.encode(context) }, key, sealed.data);
  return JSON.parse(decoder.decode(plain));
}

async function sealRecord(name, value, key) {
  const keyPath = KEY_PATHS[name];
  const record = { sealed: await seal(value, key, name) };
  if (value[keyPath] !== undefined) record[keyPath] = value[keyPath];
  return record;
}

async function openRecord(name, record, key) {
  if (!record) return record;
  const keyPath = KEY_PATHS[name];
  return { ...(await open(record.sealed, key, name)), [keyPath]: record[keyPath] };
}

// ---- the stores ----------------------------------------------------------------------------

export async function getAll(name) {
  const key = await dataKey();
  const records = await done((await rawStore(name)).getAll());
  return Promise.all(records.map((r) => openRecord(name, r, key)));
}

export async function get(name, id) {
  const key = await dataKey();
  return openRecord(name, await done((await rawStore(name)).get(id)), key);
}

export async function put(name, value) {
  const record = await sealRecord(name, value, await dataKey());
  return done((await rawStore(name, "readwrite")).put(record));
}

export async function remove(name, id) {
  await dataKey();
  return done((await rawStore(name, "readwrite")).delete(id));
}

/** Change several stores at once: `work(stores)` calls each store's `put(value)`,
 * `delete(key)` and `clear()`, and they are written in one transaction (sealing takes time,
 * and a transaction can't wait for it, so the values are sealed first). Resolves when it
 * commits, with what `work` returned. */
export async function transaction(names, work) {
  const changes = [];
  const stores = Object.fromEntries(
    names.map((name) => [
      name,
      {
        put: (value) => changes.push({ name, put: value }),
        delete: (id) => changes.push({ name, delete: id }),
        clear: () => changes.push({ name, clear: true }),
      },
    ])
  );
  const result = work(stores);
  const key = await dataKey();
  for (const change of changes) if ("put" in change) change.record = await sealRecord(change.name, change.put, key);
  await commit(names, (raw) => {
    for (const change of changes) {
      const store = raw[change.name];
      if (change.record) store.put(change.record);
      else if (change.clear) store.clear();
      else store.delete(change.delete);
    }
  });
  return result;
}

export async function getMeta(key) {
  return (await get("meta", key))?.value;
}

export const setMeta = (key, value) => put("meta", { key, value });

/** Everything this app keeps on the device, keys included, gone (signing out, deleting the
 * account, five wrong PINs). The next sign-in starts with a new key. */
export async function clearAll() {
  await commit(["device", ...SEALED], (stores) => Object.values(stores).forEach((s) => s.clear()));
  forgetKeys();
  tabs.postMessage("wiped");
}

function forgetKeys() {
  keysOpened = null;
  unlocked = deferred();
}

const wipedListeners = [];
/** Another tab wiped this phone's copy. */
export const onWipedElsewhere = (listener) => wipedListeners.push(listener);
tabs.onmessage = () => {
  forgetKeys();
  wipedListeners.forEach((listener) => listener());
};

// ---- the app lock --------------------------------------------------------------------------

/** The app-lock settings: `pinSet`, `screenLock` (it opens the app too), `idleMinutes`,
 * `crisisWhenLocked`, `wrongPins`. */
export async function lockSettings() {
  const [settings, dataKeyRecord, screenLock] = await Promise.all(
    ["lock", "data-key", "screen-lock"].map(deviceRecord)
  );
  return { ...LOCK_DEFAULTS, ...settings, pinSet: dataKeyRecord?.by === "pin", screenLock: Boolean(screenLock) };
}

export async function saveLockSettings(changes) {
  const { pinSet, screenLock, ...current } = await lockSettings();
  await done((await rawStore("device", "readwrite")).put({ ...current, ...changes, name: "lock" }));
}

/** Until the PIN is given again, nothing can be read or written (what asks waits). */
export async function lockNow() {
  if (!(await lockSettings()).pinSet) return false;
  keysOpened = Promise.resolve("locked");
  unlocked = deferred();
  return true;
}

export class WrongPin extends Error {
  constructor(wrongPins, wiped) {
    super("wrong PIN");
    this.wrongPins = wrongPins;
    this.wiped = wiped;
  }
}

/** The data key through the PIN. Each try is counted before it is made (closing the app
 * mid-try still counts); a right PIN sets the count back to 0, the fifth wrong one in a row
 * wipes this phone's copy and throws WrongPin with `wiped`. */
async function keyFromPin(pin, extractable) {
  const record = await deviceRecord("data-key");
  const wrongPins = (await lockSettings()).wrongPins + 1;
  await saveLockSettings({ wrongPins });
  try {
    const key = await unwrap(record.wrapped, await pinKey(pin, record.salt, record.iterations), extractable);
    await saveLockSettings({ wrongPins: 0 });
    return key;
  } catch {
    const wiped = wrongPins >= MAX_WRONG_PINS;
    if (wiped) await clearAll();
    throw new WrongPin(wrongPins, wiped);
  }
}

export async function unlock(pin) {
  const key = await keyFromPin(pin, false);
  keysOpened = Promise.resolve("open");
  unlocked.resolve(key);
}

/** Set the app lock: from now on the data key is stored only wrapped by the PIN. */
export async function setPin(pin, settings) {
  const [record, device] = await Promise.all([deviceRecord("data-key"), deviceRecord("device-key")]);
  const wrapped = await wrappedByPin(await unwrap(record.wrapped, device.key, true), pin);
  await commit(["device"], (stores) => {
    stores.device.put(wrapped);
    stores.device.delete("device-key");
    stores.device.put({ ...LOCK_DEFAULTS, ...settings, name: "lock" });
  });
}

export async function changePin(currentPin, newPin) {
  const wrapped = await wrappedByPin(await keyFromPin(currentPin, true), newPin);
  await done((await rawStore("device", "readwrite")).put(wrapped));
}

/** Turn the app lock off (the current PIN is asked for first): the crisis copy and the
 * screen-lock unlocking go too. */
export async function removePin(pin) {
  const records = await wrappedByDevice(await keyFromPin(pin, true));
  await commit(["device"], (stores) => {
    records.forEach((r) => stores.device.put(r));
    ["lock", "crisis-key", "crisis-copy", "screen-lock"].forEach((name) => stores.device.delete(name));
  });
}

// ---- unlocking with the phone's screen lock (WebAuthn's PRF extension) ------------------------
// A credential made on this phone for this alone (the server never sees it): with the person's
// fingerprint, face or phone PIN, the authenticator gives the same secret for the same salt
// each time; a key derived from it wraps the data key once more, beside the PIN's wrapping.

export class ScreenLockFailed extends Error {}

async function screenLockKey(secret) {
  const base = await subtle.importKey("raw", secret, "HKDF", false, ["deriveKey"]);
  return subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(), info: encoder.encode("app lock") },
    base,
    { name: "AES-KW", length: 256 },
    false,
    ["wrapKey", "unwrapKey"]
  );
}

async function screenLockSecret(credentialId, salt) {
  const credential = await navigator.credentials
    .get({
      publicKey: {
        challenge: crypto.getRandomValues(new Uint8Array(32)),
        allowCredentials: [{ type: "public-key", id: credentialId }],
        userVerification: "required",
        extensions: { prf: { eval: { first: salt } } },
      },
    })
    .catch(() => null);
  const secret = credential?.getClientExtensionResults().prf?.results?.first;
  if (!secret) throw new ScreenLockFailed();
  return secret;
}

/** Whether this phone has a screen lock the browser can use (it may still lack PRF). */
export const screenLockAvailable = async () =>
  Boolean(await globalThis.PublicKeyCredential?.isUserVerifyingPlatformAuthenticatorAvailable?.());

/** Let the phone's screen lock open the app too (the app's PIN is asked for first). */
export async function addScreenLock(pin) {
  const dataKey = await keyFromPin(pin, true);
  const salt = crypto.getRandomValues(new Uint8Array(32));
  const credential = await navigator.credentials
    .create({
      publicKey: {
        rp: { name: "Your plan" },
        user: { id: crypto.getRandomValues(new Uint8Array(16)), name: "App lock", displayName: "App lock on this phone" },
        challenge: crypto.getRandomValues(new Uint8Array(32)),
        pubKeyCredParams: [
          { type: "public-key", alg: -7 },
          { type: "public-key", alg: -257 },
        ],
        authenticatorSelection: { authenticatorAttachment: "platform", userVerification: "required", residentKey: "discouraged" },
        extensions: { prf: {} },
      },
    })
    .catch(() => null);
  if (!credential?.getClientExtensionResults().prf?.enabled) throw new ScreenLockFailed();
  const secret = await screenLockSecret(credential.rawId, salt);
  const wrapped = await subtle.wrapKey("raw", dataKey, await screenLockKey(secret), "AES-KW");
  await done((await rawStore("device", "readwrite")).put({ name: "screen-lock", credentialId: credential.rawId, salt, wrapped }));
}

export async function removeScreenLock() {
  await done((await rawStore("device", "readwrite")).delete("screen-lock"));
}

export async function unlockWithScreenLock() {
  const record = await deviceRecord("screen-lock");
  const secret = await screenLockSecret(record.credentialId, record.salt);
  const key = await unwrap(record.wrapped, await screenLockKey(secret)).catch(() => {
    throw new ScreenLockFailed();
  });
  await saveLockSettings({ wrongPins: 0 });
  keysOpened = Promise.resolve("open");
  unlocked.resolve(key);
}

// ---- the crisis plan when locked -----------------------------------------------------------
// Only when the person chose it: sealed under a key of its own, kept without the PIN, so the
// lock screen can show it.

export async function keepCrisisCopy(crisisSection) {
  const existing = await deviceRecord("crisis-key");
  const key =
    existing?.key ?? (await subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]));
  const sealed = await seal(crisisSection, key, "crisis-copy");
  await commit(["device"], (stores) => {
    stores.device.put({ name: "crisis-key", key });
    stores.device.put({ name: "crisis-copy", sealed });
  });
}

export async function crisisCopy() {
  const [key, copy] = await Promise.all([deviceRecord("crisis-key"), deviceRecord("crisis-copy")]);
  return key && copy ? open(copy.sealed, key.key, "crisis-copy") : null;
}

export const forgetCrisisCopy = () =>
  commit(["device"], (stores) => ["crisis-key", "crisis-copy"].forEach((name) => stores.device.delete(name)));
