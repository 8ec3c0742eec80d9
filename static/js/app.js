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
