// Small progressive enhancements shared by every page (no inline script: CSP).
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
// Move focus to the error summary so that keyboard and screen-reader users hear it.
window.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("form-errors");
  if (summary) summary.focus();
});
// The menu button, the two menus and closing a message: what Bootstrap's JavaScript did
// here, in a few lines instead of 80 KB.
document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-bs-toggle]");
  document.querySelectorAll(".dropdown-menu.show").forEach((menu) => {
    if (!toggle || menu.previousElementSibling !== toggle) {
      menu.classList.remove("show");
      if (menu.previousElementSibling) menu.previousElementSibling.setAttribute("aria-expanded", "false");
    }
  });
  const dismiss = event.target.closest("[data-bs-dismiss='alert']");
  if (dismiss) { dismiss.closest(".alert").remove(); return; }
  if (!toggle) return;
  const kind = toggle.dataset.bsToggle;
  const target = kind === "collapse" ? document.querySelector(toggle.dataset.bsTarget) : toggle.nextElementSibling;
  if (!target || (kind !== "collapse" && kind !== "dropdown")) return;
  event.preventDefault();
  const open = target.classList.toggle("show");
  toggle.setAttribute("aria-expanded", String(open));
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  document.querySelectorAll(".dropdown-menu.show").forEach((menu) => {
    menu.classList.remove("show");
    menu.previousElementSibling.setAttribute("aria-expanded", "false");
    menu.previousElementSibling.focus();
  });
});

// Choosers: search the list (Arabic letters folded like the door's search), choose all
// that are shown, and count the chosen. Without JavaScript the checkboxes alone work.
(function () {
  const fold = (text) => (text || "").normalize("NFKD").replace(/[\u0300-\u036f\u064b-\u065f\u0670\u0640]/g, "")
    .replace(/[أإآ]/g, "ا").replace(/ة/g, "ه").replace(/ى/g, "ي").replace(/[\s+().-]/g, "").toLowerCase();
  document.querySelectorAll("[data-chooser]").forEach((box) => {
    const tools = box.querySelector(".chooser-tools");
    if (!tools) return;
    tools.hidden = false;
    const input = tools.querySelector("[data-chooser-search]");
    const count = tools.querySelector("[data-chooser-count]");
    const items = Array.from(box.querySelectorAll(".chooser-list li"));
    const keys = items.map((li) => fold(li.textContent + " " + (li.dataset.search || "")));
    const showCount = () => {
      count.textContent = count.dataset.text.replace("%(n)s", box.querySelectorAll(".chooser-list input:checked").length);
    };
    input.addEventListener("input", () => {
      const needle = fold(input.value);
      items.forEach((li, i) => { li.hidden = needle !== "" && !keys[i].includes(needle); });
    });
    input.addEventListener("keydown", (event) => { if (event.key === "Enter") event.preventDefault(); });
    tools.querySelector("[data-chooser-all]").addEventListener("click", () => {
      items.forEach((li) => { if (!li.hidden) li.querySelector("input").checked = true; });
      showCount();
    });
    box.addEventListener("change", showCount);
    showCount();
  });
})();
// A "Print" button (data-print-page): an inline onclick would be refused by the CSP.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print-page]")) window.print();
});
