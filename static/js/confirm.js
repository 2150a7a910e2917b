// Consequential actions ask first; long ones show that they are working.
//
// Hooked by data- attributes only (no inline script, so a Content-Security-Policy without
// 'unsafe-inline' holds), by delegation on the document so content htmx swaps in works too:
//   <button data-confirm="ID">  opens <dialog id="ID"> instead of submitting its form, which
//                               without JavaScript leads to a confirm page.
//   <form data-busy="TEXT">     on submit, its button is disabled, spins and says TEXT.
//   <form data-upload>          an htmx file upload: its button shows the upload's progress,
//                               then "Checking N rows…" while the server reads the file.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    const opener = event.target.closest("[data-confirm]");
    if (!opener) return;
    const dialog = document.getElementById(opener.dataset.confirm);
    if (!dialog || typeof dialog.showModal !== "function") return; // the confirm page instead
    event.preventDefault();
    dialog.showModal();
  });

  function busy(button, text) {
    if (!button.dataset.idleText) button.dataset.idleText = button.textContent;
    button.textContent = text;
    button.setAttribute("aria-busy", "true");
    button.disabled = true;
  }

  function idle(button) {
    if (!button.dataset.idleText) return;
    button.textContent = button.dataset.idleText;
    delete button.dataset.idleText;
    button.removeAttribute("aria-busy");
    button.disabled = false;
  }

  function submitButton(form) {
    return form.querySelector("button[type=submit]");
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.dataset.busy) return;
    const button = submitButton(form);
    if (!button) return;
    if (button.disabled) {
      event.preventDefault(); // a second click while the first is on its way
      return;
    }
    // After the submission has taken the form's values: a disabled control is left out.
    setTimeout(function () {
      busy(button, form.dataset.busy);
    });
  });

  // Back to a page the browser kept: its buttons are not on their way any more.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("[data-idle-text]").forEach(idle);
  });

  // --- the contacts upload ------------------------------------------------------------------
  function rowsIn(file) {
    return file.arrayBuffer().then(function (buffer) {
      const bytes = new Uint8Array(buffer);
      let lines = 0;
      for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) lines++;
      if (bytes.length && bytes[bytes.length - 1] !== 10) lines++;
      return Math.max(lines - 1, 0); // the header names the columns
    });
  }

  document.addEventListener("change", function (event) {
    const input = event.target;
    const form = input.form;
    if (!form || form.dataset.upload === undefined || input.type !== "file") return;
    delete form.dataset.rows;
    if (input.files.length) {
      rowsIn(input.files[0]).then(function (rows) {
        form.dataset.rows = String(rows);
      });
    }
  });

  function checkingText(form) {
    const rows = Number(form.dataset.rows);
    if (!rows) return "Checking the rows…";
    const noun = rows === 1 ? "row" : "rows";
    return "Checking " + rows.toLocaleString("en-US") + " " + noun + "…";
  }

  function progressOf(form) {
    return form.querySelector("progress[data-upload-progress]");
  }

  document.addEventListener("htmx:xhr:progress", function (event) {
    const form = event.target;
    if (form.dataset.upload === undefined || !event.detail.lengthComputable) return;
    const button = submitButton(form);
    const progress = progressOf(form);
    const done = event.detail.loaded >= event.detail.total;
    const percent = Math.round((100 * event.detail.loaded) / event.detail.total);
    if (progress) {
      progress.hidden = false;
      if (done) progress.removeAttribute("value"); // the server's part: no measure, keeps moving
      else progress.value = percent;
    }
    if (button) busy(button, done ? checkingText(form) : "Uploading… " + percent + "%");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    const form = event.target;
    if (form.dataset.upload === undefined || event.detail.successful) return;
    const button = submitButton(form);
    if (button) idle(button);
    const progress = progressOf(form);
    if (progress) progress.hidden = true;
    const status = form.querySelector("[data-upload-status]");
    if (status) {
      status.hidden = false;
      status.textContent = "The upload did not go through; nothing was saved. Try again.";
    }
  });
})();
