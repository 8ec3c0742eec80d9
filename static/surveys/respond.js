// The survey page: progress, a draft kept on the phone, and a submission that survives a
// dropped connection (the answers stay in the form and in localStorage until saved).
(function () {
  "use strict";
  const recorded = document.getElementById("sv-recorded");
  if (recorded && recorded.dataset.draftKey) {
    // Recorded for good: the draft on this phone goes too.
    try { window.localStorage.removeItem(recorded.dataset.draftKey); } catch (e) { /* none */ }
  }
  const form = document.getElementById("sv-form");
  if (!form) return;
  const key = form.dataset.draftKey;
  const saved = document.getElementById("sv-saved");
  const offline = document.getElementById("sv-offline");
  const submit = document.getElementById("sv-submit");
  const bar = document.getElementById("sv-progress-bar");
  const progressText = document.getElementById("sv-progress-text");

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function collect() {
    const data = {};
    for (const el of form.elements) {
      if (!el.name || el.name === "csrf_token") continue;
      if (el.type === "radio" || el.type === "checkbox") {
        if (!el.checked) continue;
        (data[el.name] = data[el.name] || []).push(el.value);
      } else {
        data[el.name] = [el.value];
      }
    }
    return data;
  }

  function restore(data) {
    for (const el of form.elements) {
      if (!el.name || !(el.name in data)) continue;
      const values = data[el.name];
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = values.indexOf(el.value) !== -1;
      } else {
        el.value = values[0] || "";
      }
    }
  }

  function saveDraft() {
    const store = storage();
    if (store && key) store.setItem(key, JSON.stringify(collect()));
  }

  function progress() {
    const questions = form.querySelectorAll("[data-question]");
    let done = 0;
    questions.forEach((fieldset) => {
      const answered = Array.from(fieldset.querySelectorAll("input, textarea")).some((el) =>
        (el.type === "radio" || el.type === "checkbox") ? el.checked : el.value.trim() !== "");
      fieldset.classList.toggle("sv-answered", answered);
      if (answered) done += 1;
    });
    const total = questions.length || 1;
    if (bar) bar.style.inlineSize = Math.round((100 * done) / total) + "%";
    if (progressText) {
      progressText.textContent = progressText.dataset.template
        .replace("{done}", String(done)).replace("{total}", String(questions.length));
    }
  }

  const store = storage();
  if (saved && store && key) {
    store.removeItem(key); // the server has these answers now
  } else if (store && key && store.getItem(key)) {
    try { restore(JSON.parse(store.getItem(key))); } catch (e) { store.removeItem(key); }
  }
  progress();

  form.addEventListener("input", () => { saveDraft(); progress(); });
  form.addEventListener("change", () => { saveDraft(); progress(); });

  form.addEventListener("submit", (event) => {
    if (!window.fetch || !window.FormData) return; // old browsers post the usual way
    event.preventDefault();
    saveDraft();
    offline.hidden = true;
    const label = submit.textContent;
    submit.disabled = true;
    submit.textContent = submit.dataset.sending;
    fetch(window.location.href, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      redirect: "follow",
    }).then((response) => {
      if (response.ok && response.redirected) {
        window.location.assign(response.url);
      } else {
        // Errors to show (or the survey closed): let the server page speak.
        form.submit();
      }
    }).catch(() => {
      offline.hidden = false;
      offline.focus && offline.focus();
      submit.disabled = false;
      submit.textContent = label;
    });
  });
})();
