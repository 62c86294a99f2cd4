// The export status page while the export is being prepared: asks the server how far it has
// got every 3 seconds and updates the progress bar in place; when it is ready, says so in the
// status line (a live region, so it is announced) and shows the download button. Nothing
// reloads the page (a timed refresh takes the page away from people who need longer to read
// it, WCAG 2.2.1). Without JavaScript the "Check again" link does the same by hand.
(function () {
  "use strict";
  var root = document.querySelector("[data-export-progress-url]");
  if (!root) {
    return;
  }
  var url = root.getAttribute("data-export-progress-url");
  var bar = root.querySelector("progress");
  var status = root.querySelector("[role=status]");
  var ready = root.querySelector("[data-export-ready]");
  var building = root.querySelectorAll("[data-export-building]");

  function check() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (state) {
        if (!state) {
          return;
        }
        if (bar) {
          bar.value = state.progress;
          bar.textContent = state.progress + "%";
        }
        if (state.building) {
          window.setTimeout(check, 3000);
          return;
        }
        status.textContent = state.message;
        building.forEach(function (element) {
          element.hidden = true;
        });
        if (state.ready && ready) {
          ready.hidden = false;
        }
      })
      .catch(function () {
        window.setTimeout(check, 3000);
      });
  }

  window.setTimeout(check, 3000);
})();
