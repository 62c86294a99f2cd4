/* Forum drafts: save what a person types as a private draft, a moment after they stop typing.
   Without JavaScript the "Save draft" button does the same. No framework, no inline script. */
(function () {
  "use strict";

  var DELAY_MS = 2000;

  function setup(form) {
    var url = form.getAttribute("data-autosave");
    var status = form.querySelector("[data-autosave-status]");
    var draftId = form.querySelector("[data-draft-id]");
    var timer = null;
    var inFlight = false;
    var dirty = false;

    function say(text) { if (status) { status.textContent = text; } }

    function save() {
      timer = null;
      if (inFlight) { dirty = true; return; }
      var data = new FormData(form);
      data.delete("action");
      inFlight = true;
      dirty = false;
      fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (result) {
          if (result.draft && draftId) { draftId.value = String(result.draft); }
          say(form.getAttribute("data-saved-text") || "Draft saved. Only you can see it.");
        })
        .catch(function () {
          say(form.getAttribute("data-failed-text") || "Could not save the draft just now. Use \u201cSave draft\u201d to keep your text.");
        })
        .then(function () {
          inFlight = false;
          if (dirty) { schedule(); }
        });
    }

    function schedule() {
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(save, DELAY_MS);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("submit", function () {
      if (timer) { window.clearTimeout(timer); timer = null; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-autosave]");
    for (var i = 0; i < forms.length; i += 1) { setup(forms[i]); }
  });
})();
