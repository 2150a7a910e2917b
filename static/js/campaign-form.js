// The campaign form shows the section of the chosen kind of number; the others stay in the
// form, hidden. A static file, not inline script, so that a Content-Security-Policy without
// 'unsafe-inline' holds.
(function () {
  "use strict";
  const form = document.querySelector(".campaign-form");
  if (!form) return;
  function sync() {
    const chosen = form.querySelector("input[name=number_choice]:checked");
    form.querySelectorAll(".number-option").forEach(function (el) {
      el.hidden = !chosen || el.dataset.choice !== chosen.value;
    });
  }
  form.addEventListener("change", function (e) {
    if (e.target.name === "number_choice") sync();
  });
  sync();
})();
