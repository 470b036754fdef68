// Keeps the app shell on the device so it opens with no signal. Plans live in IndexedDB and
// the API is never cached here. VERSION is a digest of the files below (tests/test_pwa_shell.py
// says the new one when a file changes): a new version installs beside the old one and waits
// until the person chooses "Update now".
const VERSION = "63215ffb8591";
const CACHE = `shell-v${VERSION}`;
const SHELL = [
  "/index.html",
  "/manifest.webmanifest",
  "/css/app.css",
  "/icons/icon.svg",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
  "/icons/icon-maskable-512.png",
  "/js/api.js",
  "/js/app.js",
  "/js/db.js",
  "/js/dom.js",
  "/js/ops.js",
  "/js/pwa.js",
  "/js/routes.js",
  "/js/store.js",
  "/js/sync.js",
  "/js/ui.js",
  "/js/screens/account.js",
  "/js/screens/auth.js",
  "/js/screens/crisis-card.js",
  "/js/screens/crisis.js",
  "/js/screens/decisions.js",
  "/js/screens/deleted.js",
  "/js/screens/history.js",
  "/js/screens/invite.js",
  "/js/screens/plan.js",
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

self.addEventListener("message", (event) => {
  if (event.data?.type === "update-now") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (
    event.request.method !== "GET" ||
    url.origin !== self.location.origin ||
    url.pathname.startsWith("/api/")
  )
    return;
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
