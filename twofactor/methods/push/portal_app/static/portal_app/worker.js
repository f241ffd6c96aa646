/* The Partner Portal app's service worker (loaded by /app/sw.js, which sets self.PORTAL_APP:
   this release's shell and cache name).

   - The shell (the two pages, their scripts, styles and icons) is kept at install, so the app
     opens offline; pages and files are asked of the network first (a release is seen at
     once) and read from the cache when it cannot answer. /app/api/ is never cached.
   - A push carries only {"request": "<id>"}: no names, numbers or addresses. The notification
     names the firm kept with this phone's key; tapping it opens the app on that request.
   - The page subscribes (never the worker); a renewed subscription is handed to the open page. */
/* global PortalAppKeys */
"use strict";

const CONFIG = self.PORTAL_APP;
const START = new URL("./", self.registration.scope).pathname;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CONFIG.cacheName)
      .then(function (cache) { return cache.addAll(CONFIG.shell); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names
          .filter(function (name) { return name.startsWith("portal-app-") && name !== CONFIG.cacheName; })
          .map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin ||
      url.pathname.startsWith(PortalAppKeys.API)) {
    return;  // the API and everything else: the network, as without a worker
  }
  event.respondWith(
    fetch(request).catch(function () {
      return caches.match(request, {ignoreSearch: request.mode === "navigate"})
        .then(function (kept) { return kept || Response.error(); });
    })
  );
});

function requestId(data) {
  try {
    const id = data ? data.json().request : null;
    return typeof id === "string" && id ? id : null;
  } catch (error) {
    return null;  // no payload or not ours: still a notification (userVisibleOnly)
  }
}

async function firmName() {
  try {
    const phone = await PortalAppKeys.loadPhone();
    return phone && phone.firm ? phone.firm : "";
  } catch (error) {
    return "";
  }
}

async function tellPages(message) {
  const pages = await self.clients.matchAll({type: "window"});
  pages.forEach(function (page) { page.postMessage(message); });
}

self.addEventListener("push", function (event) {
  const id = requestId(event.data);
  event.waitUntil((async function () {
    const firm = await firmName();
    await self.registration.showNotification(
      firm ? "Sign-in request for " + firm : "Sign-in request", {
        body: "Open to approve or deny.",
        tag: id || "sign-in-request",
        data: {url: id ? START + "?request=" + encodeURIComponent(id) : START},
        requireInteraction: true,
        icon: CONFIG.icon
      });
    await tellPages({type: "refresh"});
  })());
});

/* Only a page of the app is ever opened, whatever the notification's data says. */
function target(data) {
  const url = new URL((data && data.url) || START, self.location.origin);
  const home = new URL(START, self.location.origin);
  return url.origin === home.origin && url.pathname === START ? url : home;
}

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  const url = target(event.notification.data);
  const request = url.searchParams.get("request");
  event.waitUntil((async function () {
    const pages = await self.clients.matchAll({type: "window", includeUncontrolled: true});
    const path = function (page) { return new URL(page.url).pathname; };
    const open = pages.find(function (page) { return path(page) === START; }) ||
      pages.find(function (page) { return path(page).startsWith(START); });
    if (!open) { return self.clients.openWindow(url.href); }
    await open.focus();
    try {
      await open.navigate(url.href);
    } catch (error) {
      open.postMessage({type: "open", request: request});  // not controlled yet: the page looks
    }
  })());
});

self.addEventListener("pushsubscriptionchange", function (event) {
  event.waitUntil(tellPages({type: "resubscribe"}));
});
