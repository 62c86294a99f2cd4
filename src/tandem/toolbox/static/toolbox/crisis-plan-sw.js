/* Tandem crisis plan service worker. Registered only when the person chooses "Keep my crisis
   plan on this device", with the scope /toolbox/crisis-plan/, so it sees no other page.

   - install: fetch the stand-alone offline page and the CSS/JS it uses into one cache; if that
     fails (for example the person is logged out), installation fails and nothing is kept.
   - fetch (GET only): network first. A page that loads refreshes the kept copy; when the
     network is down, navigations get the kept copy.
   - "Remove from this device" (the page) tells this worker to forget (so a refresh in flight
     does not put the copy back), unregisters it and deletes the cache;
     logging out sends Clear-Site-Data: "storage", which removes both as well. */
"use strict";

var CACHE = "tandem-crisis-plan-v1";
// Set by "Remove from this device": a background refresh still in flight must not put the plan
// back after the page has deleted it.
var forgotten = false;
var SCOPE = new URL(self.registration.scope);
var OFFLINE_URL = new URL("offline/", SCOPE).href;

function sameOrigin(url) {
  return new URL(url, SCOPE).origin === SCOPE.origin;
}

function assetUrls(html) {
  var urls = [];
  var pattern = /<(?:link[^>]+href|script[^>]+src)="([^"]+)"/g;
  var match;
  while ((match = pattern.exec(html)) !== null) {
    var url = new URL(match[1].replace(/&amp;/g, "&"), SCOPE);
    if (url.origin === SCOPE.origin && url.pathname.indexOf("/static/") === 0) {
      urls.push(url.href);
    }
  }
  return urls;
}

function keepCopy() {
  // redirect: "manual" so a login page (the person is logged out) is never kept as the plan.
  // X-Tandem-Keep tells the page it is being kept, so only a kept copy says "saved on this device".
  return fetch(OFFLINE_URL, {
    credentials: "same-origin", redirect: "manual", cache: "no-store",
    headers: { "X-Tandem-Keep": "1" }
  })
    .then(function (response) {
      if (!response.ok || response.type !== "basic") {
        throw new Error("The crisis plan could not be fetched.");
      }
      return response.clone().text().then(function (html) {
        if (forgotten) { return null; }
        return caches.open(CACHE).then(function (cache) {
          return cache.addAll(assetUrls(html)).then(function () {
            if (forgotten) { return caches.delete(CACHE); }
            return cache.put(OFFLINE_URL, response);
          });
        });
      });
    });
}

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "forget") {
    forgotten = true;
    event.waitUntil(caches.delete(CACHE).then(function () {
      if (event.ports && event.ports[0]) { event.ports[0].postMessage("forgotten"); }
    }));
  }
});

self.addEventListener("install", function (event) {
  event.waitUntil(keepCopy().then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("tandem-crisis-plan-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || !sameOrigin(request.url)) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok && !response.redirected) {
          // Online and logged in: bring the kept copy up to date, quietly.
          event.waitUntil(keepCopy().catch(function () { return null; }));
        }
        if (response.status >= 500) {
          // The server is up but failing (its database is down): the kept plan helps more
          // than the outage page, which still lists the crisis contacts if nothing is kept.
          return caches.match(OFFLINE_URL, { ignoreVary: true }).then(function (kept) {
            return kept || response;
          });
        }
        return response;
      }, function () {
        return caches.match(OFFLINE_URL, { ignoreVary: true }).then(function (kept) {
          return kept || new Response("You are offline.", {
            status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" }
          });
        });
      })
    );
    return;
  }
  event.respondWith(
    fetch(request).catch(function () {
      return caches.match(request, { ignoreVary: true }).then(function (kept) {
        return kept || Response.error();
      });
    })
  );
});
