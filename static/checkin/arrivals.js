// The arrivals page: its figures reload themselves every 15 s, only while the tab is seen.
// Only #arrivals-live is replaced: the page keeps its scroll, its focus and its menus.
(function () {
  "use strict";
  const live = document.getElementById("arrivals-live");
  if (!live || !live.dataset.url) return;
  const every = Number(live.dataset.every) || 15000;
  const updated = document.getElementById("arrivals-updated");
  const news = document.getElementById("arrivals-news");
  const state = window.liqaaArrivals = { fetches: 0, errors: 0 };
  let timer = null, running = false;

  let lastArrived = live.dataset.arrived || null;
  async function refresh() {
    if (running || document.hidden) return;
    running = true;
    try {
      state.fetches++;
      const response = await fetch(live.dataset.url, { credentials: "same-origin", cache: "no-store",
        headers: { "Accept": "application/json" } });
      if (response.status === 401 || response.redirected) { window.location.reload(); return; }
      if (!response.ok) { state.errors++; return; }
      const figures = await response.json();
      const fresh = document.createElement("template");
      fresh.innerHTML = figures.html;  // our own escaped template, from this origin
      live.replaceChildren(fresh.content);
      if (updated) updated.textContent = figures.updated;
      // Said aloud only when somebody arrived, not at every refresh.
      if (news && lastArrived !== null && figures.arrived !== lastArrived) news.textContent = figures.arrived;
      lastArrived = figures.arrived;
    } catch (e) {
      state.errors++;  // the network dropped: the next round tries again
    } finally {
      running = false;
    }
  }

  function schedule() {
    clearInterval(timer);
    timer = document.hidden ? null : setInterval(refresh, every);
  }
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refresh();  // back on the tab: fresh figures at once
    schedule();
  });
  schedule();
})();
