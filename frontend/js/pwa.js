// The service worker keeps the app on the phone. When a new version arrives it waits, and
// the person is told; it takes over only when they choose "Update now".

export function watchForUpdates() {
  if (!("serviceWorker" in navigator)) return;
  const banner = document.getElementById("update-banner");
  const offer = (worker) => {
    banner.hidden = false;
    document.getElementById("update-text").textContent = "A new version of the app is ready.";
    document.getElementById("update-now").onclick = () => worker.postMessage({ type: "update-now" });
  };
  navigator.serviceWorker.register("/sw.js").then((registration) => {
    if (registration.waiting && registration.active) offer(registration.waiting);
    registration.addEventListener("updatefound", () => {
      // With no active version yet, this is the first install: nothing to announce.
      if (!registration.active) return;
      const worker = registration.installing;
      worker?.addEventListener("statechange", () => worker.state === "installed" && offer(worker));
    });
  });
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (banner.hidden || reloading) return; // the first install takes over quietly
    reloading = true;
    location.reload();
  });
}
