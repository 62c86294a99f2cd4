/* Tandem's app service worker (docs/pwa.md). Served at /sw.js by web/pwa.py, which puts
   self.TANDEM_SHELL = {version, offline, shell} before this code; registered by pwa.js for
   logged-in people only, with the scope "/".

   What it keeps: the offline page (public, the same for everyone) and the shell's static files
   (CSS, JS, icons). Nothing else, ever: it never puts a response it fetched for a page into a
   cache, so no page a logged-in person saw stays on the device. The crisis plan the person
   chose to keep belongs to the crisis plan's own worker and cache.

   - install: fetch the offline page and the shell into "tandem-shell-<version>"; if the
     offline page cannot be fetched as itself (a redirect, an error), installation fails and
     nothing is kept.
   - fetch (GET, same origin): a shell file comes from the cache (fast start), else the
     network; a navigation goes to the network and, only when the network fails, gets the
     offline page. Everything else is left to the browser.
   - "forget" (sent by pwa.js before logging out or removing Tandem from the device): stop
     putting anything in a cache and delete the shell. */
"use strict";

var SHELL = self.TANDEM_SHELL;
var CACHE_PREFIX = "tandem-shell-";
var CACHE = CACHE_PREFIX + SHELL.version;
var ORIGIN = self.location.origin;
var OFFLINE_URL = new URL(SHELL.offline, ORIGIN).href;
var SHELL_URLS = SHELL.shell.map(function (url) { return new URL(url, ORIGIN).href; });
var forgotten = false;

function keepShell() {
  // redirect: "manual" so a login or two-step page is never kept as the offline page.
  return fetch(OFFLINE_URL, { credentials: "same-origin", redirect: "manual", cache: "no-store" })
    .then(function (response) {
      if (!response.ok || response.type !== "basic") {
        throw new Error("The offline page could not be fetched.");
      }
      return caches.open(CACHE).then(function (cache) {
        return cache.addAll(SHELL_URLS).then(function () {
          if (forgotten) { return caches.delete(CACHE); }
          return cache.put(OFFLINE_URL, response);
        });
      });
    });
}

function fromShell(url) {
  // caches.match, not caches.open: opening would create the cache again after "forget".
  return caches.match(url, { cacheName: CACHE, ignoreVary: true });
}

self.addEventListener("install", function (event) {
  event.waitUntil(keepShell().then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(CACHE_PREFIX) === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "forget") {
    forgotten = true;
    event.waitUntil(caches.delete(CACHE).then(function () {
      if (event.ports && event.ports[0]) { event.ports[0].postMessage("forgotten"); }
    }));
  }
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== ORIGIN) {
    return;
  }
  if (request.mode === "navigate") {
    // Only a failed network answers from the cache: a page that loads (even a 503 outage page,
    // which lists the crisis contacts) is shown as the server sent it, and never kept.
    event.respondWith(
      fetch(request).catch(function () {
        return fromShell(OFFLINE_URL).then(function (page) {
          return page || new Response("You are offline.", {
            status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" }
          });
        });
      })
    );
    return;
  }
  if (SHELL_URLS.indexOf(request.url) !== -1) {
    event.respondWith(
      fromShell(request.url).then(function (kept) { return kept || fetch(request); })
    );
  }
});
