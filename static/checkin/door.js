// Liqaa door page: camera scanning (zxing-wasm), search, offline queue (IndexedDB).
// No inline script (CSP): configuration and texts come from #door-app's data attributes.
(function () {
  "use strict";
  const app = document.getElementById("door-app");
  if (!app) return;
  const cfg = app.dataset;
  const T = JSON.parse(cfg.strings);
  const $ = (id) => document.getElementById(id);
  const video = $("camera");
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const REPEAT_MS = 3000;        // the same code is ignored for this long
  const VERDICT_MS = 2000;       // how long the full-screen verdict stays
  const MAX_SIDE = 960;
  const CAMERA_KEY = "liqaa.door.camera";
  const DOOR_KEY = "liqaa.door.name";
  const DB_NAME = "liqaa-door";
  let lastCode = null, lastCodeAt = 0, busy = false, stream = null, verdictTimer = null;
  let online = navigator.onLine;
  let roster = { byHash: new Map(), byId: new Map(), entries: [] };
  let counts = null;

  // State for people debugging at the door (and for the tests).
  const state = window.liqaaDoor = { answers: [], verdicts: [], queued: 0, rosterSize: 0, errors: [], frames: 0 };

  // ------------------------------------------------------------------ small helpers
  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, (_, k) => (values[k] === undefined ? "" : String(values[k])));
  }
  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  }
  async function sha256(text) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function extractCode(text) {
    const t = (text || "").trim();
    if (t.length > 500) return null;
    if (/^[A-Za-z0-9_-]{8,64}$/.test(t)) return t;
    const m = t.match(/\/t\/([A-Za-z0-9_-]{8,64})\/?(?:[?#].*)?$/);
    return m ? m[1] : null;
  }
  function fold(text) {
    return (text || "").normalize("NFKD").replace(/[\u0300-\u036f\u064b-\u065f\u0670\u0640]/g, "")
      .replace(/[أإآ]/g, "ا").replace(/ة/g, "ه").replace(/ى/g, "ي").toLowerCase().trim();
  }
  function door() {
    return ($("door-name").value || "A").trim().slice(0, 40) || "A";
  }
  // HH:MM on the 24-hour clock of the venue, whatever the phone's zone and settings: the
  // server gives the venue's UTC offsets around the event (T.clock: [from ms, minutes]).
  function venueOffset(ms) {
    let offset = T.clock.length ? T.clock[0][1] : 0;
    for (const [from, minutes] of T.clock) { if (from <= ms) offset = minutes; else break; }
    return offset;
  }
  function timeText(iso) {
    if (!iso) return "";
    const ms = new Date(iso).getTime();
    if (isNaN(ms)) return "";
    const local = new Date(ms + venueOffset(ms) * 60000);
    return String(local.getUTCHours()).padStart(2, "0") + ":" + String(local.getUTCMinutes()).padStart(2, "0");
  }
  state.timeText = timeText;

  // ------------------------------------------------------------------ IndexedDB: roster and queue
  function openDb() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        req.result.createObjectStore("queue", { keyPath: "nonce" });
        req.result.createObjectStore("roster");
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  const dbReady = openDb();
  async function store(name, mode, fn) {
    const db = await dbReady;
    return new Promise((resolve, reject) => {
      const tx = db.transaction(name, mode);
      const result = fn(tx.objectStore(name));
      tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      tx.onerror = () => reject(tx.error);
    });
  }
  const queueAdd = (item) => store("queue", "readwrite", (s) => s.put(item));
  const queueDelete = (nonce) => store("queue", "readwrite", (s) => s.delete(nonce));
  const queueAll = () => store("queue", "readonly", (s) => s.getAll());

  // ------------------------------------------------------------------ network state
  function showNetwork(value) {
    online = value;
    const net = $("net");
    net.textContent = value ? T.online : T.offline;
    net.className = "badge " + (value ? "bg-success" : "bg-warning text-dark");
  }
  // Back online: send what waited, then take a fresh roster (the queue's flush reloads the counts).
  function setOnline(value) {
    const wasOnline = online;
    showNetwork(value);
    if (value && !wasOnline) { flushQueue(); loadRoster(); }
  }
  window.addEventListener("online", () => setOnline(true));
  window.addEventListener("offline", () => setOnline(false));

  async function api(url, options) {
    const headers = Object.assign({ "Accept": "application/json" }, (options && options.headers) || {});
    if (options && options.body) { headers["Content-Type"] = "application/json"; headers["X-CSRFToken"] = cfg.csrf; }
    const response = await fetch(url, Object.assign({ credentials: "same-origin", cache: "no-store" }, options, { headers }));
    return response;
  }

  // This phone's own id: two phones signed in with one account are told apart when both
  // admit the same ticket (a conflict the organiser sees).
  function phoneId() {
    try {
      let id = window.localStorage.getItem("liqaa-phone-id");
      if (!id) { id = uuid().replace(/[^A-Za-z0-9_-]/g, ""); window.localStorage.setItem("liqaa-phone-id", id); }
      return id;
    } catch (e) { return undefined; }
  }

  // ------------------------------------------------------------------ roster (offline admissions)
  function useRoster(entries) {
    roster = { byHash: new Map(), byId: new Map(), entries };
    for (const e of entries) { roster.byHash.set(e.ticket_sha256, e); roster.byId.set(e.id, e); }
    state.rosterSize = entries.length;
  }
  async function loadRoster() {
    try {
      const response = await api(cfg.rosterUrl);
      if (!response.ok) return;
      const body = await response.json();
      useRoster(body.entries);
      await store("roster", "readwrite", (s) => s.put(body.entries, cfg.eventId));
    } catch (e) {
      const saved = await store("roster", "readonly", (s) => s.get(cfg.eventId)).catch(() => null);
      if (saved && !roster.entries.length) useRoster(saved);
    }
  }

  // ------------------------------------------------------------------ counter
  function showCounts() {
    if (!counts) return;
    $("count-in").textContent = counts.checked_in;
    $("count-expected").textContent = counts.expected;
    $("people-in").textContent = counts.people_in;
    $("people-expected").textContent = counts.people_expected;
  }
  async function loadCounts() {
    if (!online) return;
    try {
      const response = await api(cfg.countsUrl);
      if (response.ok) { counts = await response.json(); showCounts(); }
    } catch (e) { /* offline: keep the local count */ }
  }

  // ------------------------------------------------------------------ verdict: screen, sound, vibration
  let audio = null;
  function beep(kind) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const tones = { admitted: [880, 1320], already_checked_in: [520, 520], not_valid: [220, 160] }[kind] || [440];
      tones.forEach((freq, i) => {
        const osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = freq; osc.connect(gain); gain.connect(audio.destination);
        const t = audio.currentTime + i * 0.18;
        gain.gain.setValueAtTime(0.2, t); gain.gain.exponentialRampToValueAtTime(0.001, t + 0.16);
        osc.start(t); osc.stop(t + 0.17);
      });
    } catch (e) { /* no audio: the screen and the vibration remain */ }
    if (navigator.vibrate) navigator.vibrate({ admitted: 150, already_checked_in: [100, 80, 100], not_valid: [300, 100, 300] }[kind] || 100);
  }

  function showVerdict(answer, local) {
    const el = $("verdict");
    const kind = answer.result;
    const title = { admitted: T.admitted, already_checked_in: T.already, not_valid: T.not_valid }[kind] || kind;
    $("verdict-title").textContent = title + (local ? " " + T.offline_verdict : "");
    const reg = answer.registration;
    $("verdict-name").textContent = reg ? reg.name : "";
    const lines = [];
    if (reg && reg.company) lines.push(reg.company);
    if (reg && reg.companions) lines.push(fmt(T.companions, { n: reg.companions }));
    if (answer.reason) lines.push(T.reasons[answer.reason] || answer.reason);
    if (answer.first_check_in) {
      const f = answer.first_check_in, parts = [];
      if (f.at) parts.push(fmt(T.first_at, { time: timeText(f.at) }));
      if (f.door) parts.push(fmt(T.first_door, { door: f.door }));
      if (f.by) parts.push(fmt(T.first_by, { by: f.by }));
      if (parts.length) lines.push(parts.join(T.separator));
    }
    $("verdict-detail").textContent = lines.join("\n");
    const badge = $("verdict-badge");
    const special = reg && (reg.category === "official" || reg.category === "partner");
    badge.hidden = !special;
    badge.textContent = special ? (T.categories[reg.category] || reg.category) : "";
    el.className = "verdict verdict-" + kind;
    el.dataset.result = kind;
    el.hidden = false;
    state.verdicts.push({ result: kind, reason: answer.reason, name: reg ? reg.name : null, local: !!local });
    beep(kind);
    clearTimeout(verdictTimer);
    verdictTimer = setTimeout(() => { el.hidden = true; }, VERDICT_MS);
  }
  $("verdict").addEventListener("click", () => { $("verdict").hidden = true; });

  // ------------------------------------------------------------------ checking in
  async function localAnswer(item) {
    // What the downloaded roster says, when the server cannot be asked.
    let entry = null;
    if (item.registration_id) entry = roster.byId.get(item.registration_id);
    else {
      const code = extractCode(item.code);
      if (code) entry = roster.byHash.get(await sha256(code));
    }
    if (!entry) return { result: "not_valid", reason: "unknown", registration: null, first_check_in: null };
    const registration = { name: entry.name, company: entry.company, category: entry.category, companions: entry.companions };
    if (entry.reason) return { result: "not_valid", reason: entry.reason, registration, first_check_in: null };
    if (entry.checked_in_at) {
      return { result: "already_checked_in", reason: null, registration,
        first_check_in: { at: entry.checked_in_at, door: entry.door || "", by: "" } };
    }
    entry.checked_in_at = item.scanned_at; entry.door = item.door;
    if (counts) { counts.checked_in += 1; counts.people_in += 1 + (entry.companions || 0); showCounts(); }
    return { result: "admitted", reason: null, registration, first_check_in: null };
  }

  async function send(item) {
    const response = await api(cfg.checkinUrl, { method: "POST", body: JSON.stringify(item) });
    if (response.status >= 500) throw new Error("server " + response.status);
    return { status: response.status, body: await response.json().catch(() => ({})) };
  }

  async function noteAnswer(item, answer) {
    // Keep the local roster in step with the server, for the next offline spell.
    if (!answer.checked_in_at) return;
    let entry = item.registration_id ? roster.byId.get(item.registration_id) : null;
    const code = item.code ? extractCode(item.code) : null;
    if (!entry && code) entry = roster.byHash.get(await sha256(code));
    if (entry && !entry.checked_in_at) { entry.checked_in_at = answer.checked_in_at; entry.door = item.door; }
  }

  function refreshSearch() {
    if ($("search").value.trim().length >= 2) runSearch();
  }

  async function checkIn(fields) {
    const item = Object.assign({ door: door(), nonce: uuid(), client_id: phoneId(), scanned_at: new Date().toISOString() }, fields);
    if (online && navigator.onLine) {
      try {
        const { status, body } = await send(item);
        state.answers.push({ status, body });
        if (status === 200) {
          showVerdict(body, false);
          await noteAnswer(item, body);
          loadCounts(); refreshSearch();
          return;
        }
        if (status === 401) { window.location.reload(); return; }
        state.errors.push("HTTP " + status);
        return;
      } catch (e) {
        setOnline(false);
      }
    }
    item.offline = true;
    await queueAdd(item);
    await updateQueue();
    showVerdict(await localAnswer(item), true);
    refreshSearch();
  }

  async function updateQueue() {
    const items = await queueAll();
    state.queued = items.length;
    const el = $("queue");
    el.hidden = items.length === 0;
    el.textContent = fmt(T.queued, { n: items.length });
  }

  let flushing = false;
  async function flushQueue() {
    if (flushing) return;
    flushing = true;
    try {
      const items = (await queueAll()).sort((a, b) => (a.scanned_at < b.scanned_at ? -1 : 1));
      for (const item of items) {
        let reply;
        try { reply = await send(item); } catch (e) { break; }  // still offline: try later
        state.answers.push(reply);
        await queueDelete(item.nonce);  // answered (a retry with this nonce would get the same)
      }
    } finally {
      flushing = false;
      await updateQueue();
      loadCounts();
    }
  }

  // ------------------------------------------------------------------ camera
  ZXingWASM.prepareZXingModule({
    overrides: { locateFile: (path, prefix) => (path.endsWith(".wasm") ? cfg.wasmUrl : prefix + path) },
    fireImmediately: true,
  });

  function cameraStatus(text) { $("camera-status").textContent = text; }
  // A sentence in the page's language, never the browser's error name.
  function cameraProblem(name) {
    const known = T.camera_errors[name] ? name : "other";
    state.cameraError = name;
    $("camera-status").dataset.problem = known;
    cameraStatus(T.camera_errors[known]);
  }

  async function scanFrame() {
    if (busy || !stream || video.readyState < 2 || !video.videoWidth) return;
    busy = true;
    try {
      const scale = Math.min(1, MAX_SIDE / Math.max(video.videoWidth, video.videoHeight));
      const w = Math.round(video.videoWidth * scale), h = Math.round(video.videoHeight * scale);
      if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
      ctx.drawImage(video, 0, 0, w, h);
      const results = await ZXingWASM.readBarcodes(ctx.getImageData(0, 0, w, h), {
        formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 1,
      });
      state.frames++;
      const hit = results.find((r) => r.isValid);
      if (hit) {
        const now = performance.now();
        if (hit.text !== lastCode || now - lastCodeAt > REPEAT_MS) {
          lastCode = hit.text; lastCodeAt = now;
          await checkIn({ code: hit.text });
          lastCodeAt = performance.now();
        }
      }
    } catch (e) {
      state.errors.push(String(e && (e.message || e)));
    } finally {
      busy = false;
    }
  }

  function loop() {
    const next = () => {
      if (!stream) return;
      if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(tick); else requestAnimationFrame(tick);
    };
    const tick = () => { scanFrame().finally(next); };
    next();
  }

  async function startCamera() {
    if (!window.isSecureContext || !navigator.mediaDevices) { cameraProblem("insecure"); return; }
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: false, video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
      });
      video.srcObject = stream;
      await video.play();
      cameraStatus(T.point);
      loop();
    } catch (e) {
      stream = null;
      cameraProblem((e && e.name) || "other");
    }
  }
  function stopCamera() {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null; video.srcObject = null;
    cameraStatus(T.camera_off);
  }
  $("camera-toggle").addEventListener("click", () => {
    if (stream) { localStorage.setItem(CAMERA_KEY, "off"); stopCamera(); }
    else { localStorage.setItem(CAMERA_KEY, "on"); startCamera(); }
  });

  // ------------------------------------------------------------------ search
  let searchTimer = null;
  function renderResults(results) {
    const list = $("results");
    list.replaceChildren();
    if (!results.length && $("search").value.trim().length >= 2) {
      const li = document.createElement("li");
      li.className = "list-group-item"; li.textContent = T.no_result; list.appendChild(li);
    }
    for (const r of results) {
      const li = document.createElement("li");
      li.className = "list-group-item";
      const info = document.createElement("div");
      const name = document.createElement("div"); name.className = "fw-semibold"; name.textContent = r.name;
      const meta = document.createElement("div"); meta.className = "result-meta";
      const bits = [r.company, r.phone, T.categories[r.category] || r.category];
      if (r.reason) bits.push(T.reasons[r.reason] || r.reason);
      bits.filter(Boolean).forEach((bit, i) => {
        if (i) meta.append(" · ");
        // The phone's last digits stay left to right inside an Arabic line.
        const part = document.createElement("bdi");
        if (bit === r.phone) { part.dir = "ltr"; part.className = "phone"; }
        part.textContent = bit;
        meta.append(part);
      });
      info.append(name, meta);
      li.append(info);
      if (r.checked_in_at) {
        // Already in: say since when, and offer no Admit (a scan would only say amber).
        const since = document.createElement("span");
        since.className = "badge door-since"; since.textContent = fmt(T.already_since, { time: timeText(r.checked_in_at) });
        li.append(since);
        // A lost badge: printed again (the PDF of this one badge).
        const print = document.createElement("a");
        print.className = "btn btn-outline-light btn-sm door-badge"; print.textContent = T.badge;
        print.href = cfg.badgeUrl + "?person=r" + encodeURIComponent(r.id);
        li.append(print);
      } else {
        const button = document.createElement("button");
        button.type = "button"; button.className = "btn btn-primary"; button.textContent = T.admit;
        button.addEventListener("click", () => checkIn({ registration_id: r.id }));
        li.append(button);
      }
      list.appendChild(li);
    }
  }
  async function runSearch() {
    const q = $("search").value.trim();
    if (q.length < 2) { renderResults([]); return; }
    if (online) {
      try {
        const response = await api(cfg.searchUrl + "?q=" + encodeURIComponent(q));
        if (response.ok) { renderResults((await response.json()).results); return; }
      } catch (e) { /* fall back to the roster */ }
    }
    const needle = fold(q), digits = q.replace(/\D/g, "");
    renderResults(roster.entries.filter((e) => fold(e.name).includes(needle) || fold(e.company).includes(needle)
      || (digits.length >= 4 && e.phone_tail && digits.endsWith(e.phone_tail))).slice(0, 20));
  }
  $("search").addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(runSearch, 250); });

  // ------------------------------------------------------------------ door name, forms
  const savedDoor = localStorage.getItem(DOOR_KEY);
  if (savedDoor && !new URLSearchParams(location.search).get("door")) $("door-name").value = savedDoor;
  function syncDoorFields() {
    document.querySelectorAll("input.door-field").forEach((input) => { input.value = door(); });
  }
  $("door-name").addEventListener("change", () => { localStorage.setItem(DOOR_KEY, door()); syncDoorFields(); });
  syncDoorFields();

  // ------------------------------------------------------------------ start
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(cfg.swUrl, { scope: "/door/" }).catch((e) => state.errors.push("sw: " + e));
  }
  // Once per load: the roster, then the queue (whose flush ends with the counts).
  showNetwork(navigator.onLine);
  loadRoster().then(() => { state.rosterReady = true; });
  if (online) flushQueue(); else updateQueue();
  setInterval(() => { if (online) flushQueue(); }, 10000);
  setInterval(() => { if (!online && navigator.onLine) setOnline(true); }, 3000);
  if (localStorage.getItem(CAMERA_KEY) === "off") cameraStatus(T.camera_off); else startCamera();
})();
