/* Tandem: keep the crisis plan on this device (opt-in), and the print button.
   Loaded only on the crisis plan pages, as a static file with the page's CSP nonce. */
(function () {
  "use strict";

  var CACHE_PREFIX = "tandem-crisis-plan-";

  function show(element, visible) {
    if (element) { element.hidden = !visible; }
  }

  // Ask the active worker to stop refreshing and drop its copy, and wait (briefly) until it has.
  function forgetInWorker(registration) {
    var worker = registration.active;
    if (!worker || typeof MessageChannel === "undefined") { return Promise.resolve(); }
    return new Promise(function (resolve) {
      var channel = new MessageChannel();
      var timer = setTimeout(resolve, 2000);
      channel.port1.onmessage = function () { clearTimeout(timer); resolve(); };
      worker.postMessage({ type: "forget" }, [channel.port2]);
    });
  }

  function setUp(panel) {
    var status = panel.querySelector("[data-offline-status]");
    var keep = panel.querySelector("[data-offline-keep]");
    var remove = panel.querySelector("[data-offline-remove]");
    var scope = panel.getAttribute("data-scope");
    var workerUrl = panel.getAttribute("data-sw-url");

    function say(key) { status.textContent = panel.getAttribute(key) || ""; }

    // getRegistration(scope) answers with any worker whose scope covers this page, such as the
    // app's own worker (scope "/", docs/pwa.md): only the plan's own registration counts.
    function planRegistration() {
      var wanted = new URL(scope, window.location.href).href;
      return navigator.serviceWorker.getRegistration(scope).then(function (registration) {
        return registration && registration.scope === wanted ? registration : undefined;
      });
    }

    function showKept(kept) {
      show(keep, !kept);
      show(remove, kept);
      say(kept ? "data-kept-text" : "data-not-kept-text");
    }

    show(panel.querySelector("[data-offline-nojs]"), false);
    if (!("serviceWorker" in navigator) || !("caches" in window)) {
      say("data-unsupported-text");
      return;
    }

    planRegistration().then(function (registration) {
      showKept(Boolean(registration));
    }, function () { showKept(false); });

    keep.addEventListener("click", function () {
      keep.disabled = true;
      say("data-working-text");
      // The worker caches the offline copy while it installs: if that fails, it does not install.
      navigator.serviceWorker.register(workerUrl, { scope: scope }).then(function (registration) {
        var worker = registration.installing || registration.waiting || registration.active;
        return new Promise(function (resolve, reject) {
          if (!worker) { reject(new Error("no worker")); return; }
          if (worker.state === "activated") { resolve(); return; }
          worker.addEventListener("statechange", function () {
            if (worker.state === "activated") { resolve(); }
            if (worker.state === "redundant") { reject(new Error("install failed")); }
          });
        });
      }).then(function () {
        keep.disabled = false;
        showKept(true);
      }, function () {
        keep.disabled = false;
        show(keep, true);
        say("data-failed-text");
      });
    });

    remove.addEventListener("click", function () {
      remove.disabled = true;
      planRegistration().then(function (registration) {
        if (!registration) { return true; }
        return forgetInWorker(registration).then(function () {
          return registration.unregister();
        });
      }).then(function () {
        return caches.keys();
      }).then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name.indexOf(CACHE_PREFIX) === 0;
        }).map(function (name) { return caches.delete(name); }));
      }).then(function () {
        remove.disabled = false;
        show(keep, true);
        show(remove, false);
        say("data-removed-text");
      }, function () {
        remove.disabled = false;
        say("data-failed-text");
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.querySelector("[data-offline-plan]");
    if (panel) { setUp(panel); }
    var printButton = document.querySelector("[data-print]");
    if (printButton) {
      printButton.hidden = false;
      printButton.addEventListener("click", function () { window.print(); });
    }
  });
})();
