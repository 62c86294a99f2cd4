/* Tandem as an installed app (docs/pwa.md). Loaded on every page from base.html.

   - For a logged-in person (the script tag carries data-register), register the app's service
     worker, which keeps the shell and an offline page: nothing private.
   - Before a form marked data-device-wipe is sent (Log out, "Remove Tandem from this device"),
     wipe what this device keeps: tell each worker to forget (so a refresh in flight does not
     put a copy back), unregister it, delete every cache. The server's Clear-Site-Data answer
     does the same where the browser honours it; this covers the browsers that do not. */
(function () {
  "use strict";

  var script = document.currentScript;
  var supported = "serviceWorker" in navigator && "caches" in window;

  function within(ms, promise) {
    return Promise.race([promise, new Promise(function (resolve) { setTimeout(resolve, ms); })]);
  }

  function forget(registration) {
    var worker = registration.active;
    if (!worker || typeof MessageChannel === "undefined") { return Promise.resolve(); }
    return within(1000, new Promise(function (resolve) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function () { resolve(); };
      worker.postMessage({ type: "forget" }, [channel.port2]);
    }));
  }

  function wipe() {
    if (!supported) { return Promise.resolve(); }
    var work = navigator.serviceWorker.getRegistrations().then(function (registrations) {
      return Promise.all(registrations.map(function (registration) {
        return forget(registration).then(function () { return registration.unregister(); });
      }));
    }).then(function () {
      return caches.keys();
    }).then(function (names) {
      // Every cache of this origin is Tandem's, and none should outlive the visit.
      return Promise.all(names.map(function (name) { return caches.delete(name); }));
    });
    // Logging out must never hang on a wipe that stalls.
    return within(3000, work).catch(function () { return null; });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-device-wipe") || form.dataset.wiped) {
      return;
    }
    event.preventDefault();
    wipe().then(function () {
      form.dataset.wiped = "1";
      form.submit();
    });
  });

  if (supported && script && script.hasAttribute("data-register")) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(script.getAttribute("data-sw-url"), {
        scope: script.getAttribute("data-scope")
      }).catch(function () { /* no shell kept; every page still works online */ });
    });
  }
})();
