// Liqaa door: keep the door page and the QR decoder on the phone, so that it opens
// and scans without the network. Check-ins themselves never go through this cache.
const ASSETS = [
  {# One direction only: the one of the language this phone's door page is shown in. -#}
  "{{ url_for('static', filename='vendor/bootstrap/liqaa.rtl.min.css' if text_direction(current_language()) == 'rtl' else 'vendor/bootstrap/liqaa.min.css') }}",
  "{{ url_for('static', filename='css/app.css') }}",
  "{{ url_for('static', filename='js/app.js') }}",
  "{{ url_for('static', filename='checkin/door.css') }}",
  "{{ url_for('static', filename='checkin/door.js') }}",
  "{{ url_for('static', filename='checkin/icon.svg') }}",
  "{{ url_for('static', filename='vendor/zxing-wasm/zxing-reader.iife.js') }}",
  "{{ url_for('static', filename='vendor/zxing-wasm/zxing_reader.wasm') }}",
];
// A new release names its files anew: a new cache, and the old one is dropped.
const CACHE = "liqaa-door-" + ASSETS.join(" ").length + "-" + ASSETS.map((a) => a.split("v=")[1] || "").join("").slice(0, 48);

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

// The door pages open while this worker installs were fetched before it existed: keep a
// copy of each now, so that the very first visit is enough to reopen the page offline.
function keepOpenDoorPages(cache) {
  return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) =>
    Promise.all(windows
      .map((w) => new URL(w.url))
      .filter((url) => url.origin === self.location.origin && url.pathname.startsWith("/door/"))
      .map((url) => fetch(url.href, { credentials: "same-origin" })
        .then((response) => (response.ok && !response.redirected ? cache.put(url.href, response) : null))
        .catch(() => null))));
}

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => caches.open(CACHE))
      .then(keepOpenDoorPages)
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/")) return;  // live answers only; the page queues offline
  if (request.mode === "navigate" && url.pathname.startsWith("/door")) {
    // The door page: fresh when online, the last copy when not.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(request, copy));
          }
          return response;
        })
        .catch(() => caches.match(request, { ignoreSearch: true }))
    );
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(
      caches.match(request).then((hit) => hit || fetch(request).then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      }))
    );
  }
});
