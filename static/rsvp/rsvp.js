// RSVP page: show the companions and questions only for "I will come", the reason only
// for "I cannot come"; the ticket page's print button. Without JavaScript all stays visible.
(function () {
  const form = document.querySelector(".rsvp-form");
  if (form) {
    const update = () => {
      const checked = form.querySelector('input[name="answer"]:checked');
      form.dataset.answer = checked ? checked.value : "";
    };
    form.addEventListener("change", update);
    update();
  }
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
})();
