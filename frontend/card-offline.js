// The public crisis card page keeps its last opened copy on this phone (through the app's
// service worker), so whoever holds the card can read it again with no signal.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker
    .register("/sw.js")
    .then(() => navigator.serviceWorker.ready)
    .then((registration) =>
      registration.active?.postMessage({
        type: "keep-card",
        url: location.href,
        html: `<!doctype html>\n${document.documentElement.outerHTML}`,
        expires: document.querySelector("[data-expires]")?.dataset.expires,
      })
    );
}
