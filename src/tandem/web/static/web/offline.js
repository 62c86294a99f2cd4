/* Tandem's offline page (docs/pwa.md): show the crisis plan this device keeps, if the person
   chose to keep one. The copy is read from the crisis plan worker's cache, where it is the
   page the server rendered (its text escaped there); only its plan part is shown, without
   any script or form. */
(function () {
  "use strict";

  function showKeptPlan(section) {
    var url = section.getAttribute("data-plan-url");
    return caches.match(url, { ignoreVary: true }).then(function (response) {
      return response ? response.text() : null;
    }).then(function (html) {
      if (!html) { return; }
      var copy = new DOMParser().parseFromString(html, "text/html");
      var plan = copy.querySelector(".crisis-plan");
      if (!plan) { return; }
      Array.prototype.forEach.call(
        plan.querySelectorAll("script, style, link, form, iframe, object, embed"),
        function (element) { element.remove(); }
      );
      var body = section.querySelector("[data-plan-body]");
      body.replaceChildren(document.importNode(plan, true));
      section.hidden = false;
      var none = document.querySelector("[data-no-plan]");
      if (none) { none.hidden = true; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var section = document.querySelector("[data-kept-plan]");
    if (section && "caches" in window) {
      showKeptPlan(section).catch(function () { /* the contacts below still show */ });
    }
    var retry = document.querySelector("[data-retry]");
    if (retry) {
      retry.hidden = false;
      retry.addEventListener("click", function () { window.location.reload(); });
    }
  });
})();
