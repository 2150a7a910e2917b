/* Longcode's few behaviours that need a script; every page works without it.
   Loaded right after the header, so the menu is folded before the page is first painted. */
(function () {
  "use strict";

  // The top bar's menu: folded behind "Menu" on narrow screens (the CSS decides when).
  var toggle = document.querySelector(".menu-toggle");
  if (toggle) {
    toggle.hidden = false;
    document.documentElement.classList.add("menu-folds");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
    });
  }

  // A flash message can be dismissed.
  document.addEventListener("click", function (event) {
    var close = event.target.closest && event.target.closest(".flash-close");
    if (close) close.closest(".flash").remove();
  });

  // A polled status card answers with data-final once the status is final: the flash messages
  // shown with the page ("Provisioning has started") no longer match it then.
  document.addEventListener("htmx:afterSettle", function () {
    var messages = document.getElementById("messages");
    if (messages && document.querySelector("[data-final]")) messages.remove();
  });
})();
