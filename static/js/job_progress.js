// A background job's progress (a large invitation, a large badge sheet): #job-progress is fetched again every 3 s until the job is
// finished, and replaced in place (no page reload: focus and scroll stay, and a screen
// reader hears the change through the region's aria-live). Without JavaScript the page's
// <noscript> refresh does the same.
(function () {
  "use strict";
  const region = document.getElementById("job-progress");
  if (!region || region.dataset.running !== "1") return;
  const every = Number(region.dataset.every) || 3000;
  let errors = 0;

  async function refresh() {
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin",
        cache: "no-store" });
      if (!response.ok || response.redirected) { errors++; return schedule(); }
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("job-progress");
      if (!fresh) return;
      region.replaceChildren(...fresh.childNodes);
      region.dataset.running = fresh.dataset.running || "";
    } catch (e) {
      errors++;  // the network dropped: try again
    }
    schedule();
  }

  function schedule() {
    if (region.dataset.running === "1" && errors < 100) setTimeout(refresh, every);
  }
  schedule();
})();
