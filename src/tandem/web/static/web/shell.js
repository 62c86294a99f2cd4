/* Tandem shell: quick exit and focus on error summaries. No framework, no inline script. */
(function () {
  "use strict";

  function leave(url) {
    // replace() keeps this page out of the back button's history.
    try { document.body.style.visibility = "hidden"; } catch (e) { /* ignore */ }
    window.location.replace(url);
  }

  function quickExitUrl() {
    var link = document.querySelector("[data-quick-exit]");
    return link ? link.getAttribute("href") : "https://www.bbc.co.uk/weather";
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-quick-exit]") : null;
    if (link) {
      event.preventDefault();
      leave(link.getAttribute("href"));
    }
  });

  // Escape three times within two seconds leaves too: quick to do without looking.
  var presses = [];
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < 2000; });
    presses.push(now);
    if (presses.length >= 3) {
      presses = [];
      leave(quickExitUrl());
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  });
})();
