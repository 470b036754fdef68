// IndexedDB, promised: the plans, the outbox of changes waiting to sync, things to decide, meta.

const NAME = "wellbeing-plans";
const VERSION = 1;
let opening = null;

function openDb() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("plans", { keyPath: "id" });
      db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
      db.createObjectStore("decisions", { keyPath: "op_id" });
      db.createObjectStore("meta", { keyPath: "key" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opening;
}

const done = (request) =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

async function store(name, mode = "readonly") {
  return (await openDb()).transaction(name, mode).objectStore(name);
}

export const getAll = async (name) => done((await store(name)).getAll());
export const get = async (name, key) => done((await store(name)).get(key));
export const put = async (name, value) => done((await store(name, "readwrite")).put(value));
export const remove = async (name, key) => done((await store(name, "readwrite")).delete(key));

/** Run `work(stores)` in one transaction over several stores; resolves when it commits. */
export async function transaction(names, work) {
  const tx = (await openDb()).transaction(names, "readwrite");
  const stores = Object.fromEntries(names.map((n) => [n, tx.objectStore(n)]));
  const result = work(stores);
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  return result;
}

export async function getMeta(key) {
  return (await get("meta", key))?.value;
}

export const setMeta = (key, value) => put("meta", { key, value });

/** Everything this app keeps on the device, gone (signing out, deleting the account). */
export const clearAll = () =>
  transaction(["plans", "outbox", "decisions", "meta"], (stores) =>
    Object.values(stores).forEach((s) => s.clear())
  );
