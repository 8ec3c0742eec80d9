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

  function arrived(root) {
    const figures = root.querySelector("#arrivals-figures");
    return figures ? figures.dataset.arrived : "";
  }

  async function refresh() {
    if (running || document.hidden) return;
    running = true;
    try {
      state.fetches++;
      const response = await fetch(live.dataset.url, { credentials: "same-origin", cache: "no-store",
        headers: { "Accept": "text/html" } });
      if (response.status === 401 || response.redirected) { window.location.reload(); return; }
      if (!response.ok) { state.errors++; return; }
      const html = await response.text();
      const fresh = document.createElement("div");
      fresh.innerHTML = html;
      const before = arrived(live), after = arrived(fresh);
      live.replaceChildren(...fresh.childNodes);
      const figures = live.querySelector("#arrivals-figures");
      if (figures && updated) updated.textContent = figures.dataset.updated;
      // Said aloud only when somebody arrived, not at every refresh.
      if (news && after && after !== before) news.textContent = after;
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
