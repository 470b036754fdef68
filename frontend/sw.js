// Keeps the app shell on the device so it opens with no signal. Plans live in IndexedDB and
// the API is never cached here. VERSION is a digest of the files below (tests/test_pwa_shell.py
// says the new one when a file changes): a new version installs beside the old one and waits
// until the person chooses "Update now".
const VERSION = "f5920e652145";
const CACHE = `shell-v${VERSION}`;
const SHELL = [
  "/index.html",
  "/manifest.webmanifest",
  "/css/app.css",
  "/css/lock.css",
  "/icons/icon.svg",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
  "/icons/icon-maskable-512.png",
  "/js/api.js",
  "/js/app.js",
  "/js/checkins.js",
  "/js/db.js",
  "/js/dom.js",
  "/js/ops.js",
  "/js/pages.js",
  "/js/passkeys.js",
  "/js/pwa.js",
  "/js/routes.js",
  "/js/store.js",
  "/js/sync.js",
  "/js/ui.js",
  "/js/waiting.js",
  "/js/screens/account.js",
  "/js/screens/arrange.js",
  "/js/screens/auth.js",
  "/js/screens/copies.js",
  "/js/screens/crisis-card.js",
  "/js/screens/crisis.js",
  "/js/screens/decisions.js",
  "/js/screens/deleted.js",
  "/js/screens/history.js",
  "/js/screens/invite.js",
  "/js/screens/lock.js",
  "/js/screens/plan.js",
  "/js/screens/progress.js",
  "/js/screens/review.js",
  "/js/screens/section.js",
  "/js/screens/shared.js",
  "/js/screens/sharing.js",
  "/js/screens/today.js",
  "/js/screens/welcome.js",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload" }))))
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((key) => key.startsWith("shell-") && key !== CACHE).map((key) => caches.delete(key))
        )
      )
      .then(() => self.clients.claim())
  );
});

// The last crisis card opened on this phone (see /card-offline.js), kept apart from the shell
// so updates leave it alone: one card page at a time, with the two files it needs. Online,
// the card always comes from the server (a card turned off then disappears from here too);
// the kept copy is only for no signal, and never after the card's end date.
const CARD_CACHE = "crisis-card";
const CARD_FILES = ["/crisis-card.css", "/card-offline.js"];
const isCardPage = (url) => /^\/c\/[^/]+$/.test(url.pathname);

async function keepCard(url, response) {
  const cache = await caches.open(CARD_CACHE);
  for (const kept of await cache.keys()) if (isCardPage(new URL(kept.url))) await cache.delete(kept);
  await cache.put(url, response);
  await cache.addAll(CARD_FILES);
}

async function keptCard(url) {
  const cache = await caches.open(CARD_CACHE);
  const kept = await cache.match(url);
  const expires = kept?.headers.get("X-Card-Expires");
  if (kept && expires && new Date(expires) <= new Date()) {
    await cache.delete(url);
    return undefined;
  }
  return kept;
}

self.addEventListener("message", (event) => {
  if (event.data?.type === "update-now") self.skipWaiting();
  if (event.data?.type === "keep-card" && isCardPage(new URL(event.data.url))) {
    const headers = { "Content-Type": "text/html; charset=utf-8" };
    if (event.data.expires) headers["X-Card-Expires"] = event.data.expires;
    event.waitUntil(keepCard(event.data.url, new Response(event.data.html, { headers })));
  }
});

function cardFetch(event, url) {
  if (CARD_FILES.includes(url.pathname)) {
    return fetch(event.request).catch(() =>
      caches.open(CARD_CACHE).then((cache) => cache.match(event.request)).then((kept) => kept ?? Response.error())
    );
  }
  return fetch(event.request)
    .then((response) => {
      if (response.ok) event.waitUntil(keepCard(url.href, response.clone()));
      else if (response.status === 404 || response.status === 410)
        event.waitUntil(caches.open(CARD_CACHE).then((cache) => cache.delete(url.href)));
      return response;
    })
    .catch(() => keptCard(url.href).then((kept) => kept ?? Response.error()));
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (
    event.request.method !== "GET" ||
    url.origin !== self.location.origin ||
    url.pathname.startsWith("/api/")
  )
    return;
  if (isCardPage(url) || CARD_FILES.includes(url.pathname)) {
    event.respondWith(cardFetch(event, url));
    return;
  }
  if (event.request.mode === "navigate" && (url.pathname === "/" || url.pathname === "/index.html")) {
    event.respondWith(
      caches
        .open(CACHE)
        .then((cache) => cache.match("/index.html"))
        .then((shell) => shell ?? fetch(event.request))
    );
    return;
  }
  event.respondWith(
    caches
      .open(CACHE)
      .then((cache) => cache.match(event.request))
      .then((cached) => cached ?? fetch(event.request))
  );
});
