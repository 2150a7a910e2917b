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

  // Behaviours the pages ask for with data- attributes (the Content-Security-Policy allows no
  // inline handlers). A select that switches at once, like the organization switcher:
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-submit-on-change]")) target.form.submit();
    // A canned response fills the answer box it names.
    if (target.matches && target.matches("[data-fills]") && target.value) {
      document.getElementById(target.dataset.fills).value = target.value;
    }
    // A region refreshed (htmx) when one of the named fields inside it changes, not any field.
    var region = target.closest && target.closest("[data-refresh-on]");
    if (region && region.dataset.refreshOn.split(" ").indexOf(target.name) !== -1 && window.htmx) {
      window.htmx.trigger(region, "refresh");
    }
  });

  // An automatic reply's length in SMS segments while it is typed (offices/sms.py says how).
  var GSM7 = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡" +
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var GSM7_EXTENSION = "^{}\\[~]|€\f";
  function smsHint(text) {
    var gsm = true, units = 0;
    for (var i = 0; i < text.length; i++) {
      var c = text.charAt(i);
      if (GSM7_EXTENSION.indexOf(c) !== -1) units += 2;
      else if (GSM7.indexOf(c) !== -1) units += 1;
      else { gsm = false; break; }
    }
    if (!gsm) units = text.length;  // UTF-16 units, as UCS-2 counts them
    var single = gsm ? 160 : 70, split = gsm ? 153 : 67;
    var segments = units === 0 ? 0 : units <= single ? 1 : Math.ceil(units / split);
    return units + " of " + 2 * split + " characters (" + (gsm ? "GSM-7" : "UCS-2") + "): " +
      segments + " SMS segment" + (segments === 1 ? "" : "s") + ".";
  }
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (!(target.matches && target.matches("[data-sms-count]"))) return;
    var hint = document.querySelector('[data-sms-count-of="' + target.id + '"]');
    if (hint) hint.textContent = smsHint(target.value.replace(/\r\n/g, "\n"));
  });

  // A Copy button copies the field it names.
  document.addEventListener("click", function (event) {
    var copy = event.target.closest && event.target.closest("[data-copy]");
    if (copy) navigator.clipboard.writeText(document.getElementById(copy.dataset.copy).value);
  });

  // Enter in the search filters must not submit the form around them (they refresh by htmx).
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.closest && event.target.closest("[data-enter-stays]")) {
      event.preventDefault();
    }
  });

  // A polled status card answers with data-final once the status is final: the flash messages
  // shown with the page ("Provisioning has started") no longer match it then.
  document.addEventListener("htmx:afterSettle", function () {
    var messages = document.getElementById("messages");
    if (messages && document.querySelector("[data-final]")) messages.remove();
  });
})();
