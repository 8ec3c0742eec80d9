// The ticket page's print button. (The RSVP page shows what each answer needs by CSS
// alone: static/rsvp/rsvp.css.)
(function () {
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
})();
