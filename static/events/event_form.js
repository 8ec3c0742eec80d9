// The event form: programme rows added in place (without a script, blank rows come with
// each save). The summary of errors gets the focus from js/app.js.
(function () {
  "use strict";
  const rows = document.getElementById("programme-rows");
  const add = document.getElementById("add-programme-item");
  const MAX_ROWS = 40;
  if (rows && add) {
    add.hidden = false;
    document.querySelectorAll("[data-without-script]").forEach((el) => { el.hidden = true; });
    add.addEventListener("click", () => {
      const all = rows.querySelectorAll("fieldset.programme-row");
      if (!all.length || all.length >= MAX_ROWS) return;
      const index = all.length;
      const row = all[all.length - 1].cloneNode(true);
      const rename = (value) => value.replace(/programme-\d+-/g, "programme-" + index + "-");
      row.querySelectorAll("[id], [name], [for], [aria-describedby]").forEach((el) => {
        for (const attr of ["id", "name", "for", "aria-describedby"]) {
          if (el.hasAttribute(attr)) el.setAttribute(attr, rename(el.getAttribute(attr)));
        }
      });
      row.querySelectorAll(".invalid-feedback").forEach((el) => el.remove());
      row.querySelectorAll("input, textarea").forEach((el) => {
        el.value = ""; el.classList.remove("is-invalid"); el.removeAttribute("aria-invalid");
      });
      row.querySelector("legend").textContent = rows.dataset.itemLabel.replace("__n__", String(index + 1));
      rows.appendChild(row);
      const first = row.querySelector("input");
      if (first) first.focus();
    });
  }
})();
