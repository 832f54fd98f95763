// Share Hut service worker. Static files are cached under this deploy's version (their URLs
// carry ?v=, and the version below changes with every deploy, so installed phones get the new
// CSS and JS). Pages are network first; the resident's recent pages of orders, votes and home
// are kept, so that offline they can still read their order, its helper and the agreed time.
// API calls and Socket.IO always go to the network.
const VERSION = "__ASSETS_VERSION__";
const STATIC = `sharehut-static-${VERSION}`;
const PAGES = "sharehut-pages";  // kept across deploys; emptied on sign-out
const KEPT_PAGES = 30;
const SHELL = ["/offline", "/manifest.webmanifest"];
const READABLE = [/^\/$/, /^\/orders$/, /^\/orders\/\d+$/, /^\/votes\/?$/, /^\/votes\/\d+(\/result)?$/, /^\/me$/];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(STATIC).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  const current = new Set([STATIC, PAGES]);
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => !current.has(key)).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

async function keepPage(request, response) {
  const cache = await caches.open(PAGES);
  await cache.put(request.url.split("#")[0], response);
  const keys = await cache.keys();
  await Promise.all(keys.slice(0, Math.max(0, keys.length - KEPT_PAGES)).map((key) => cache.delete(key)));
}

async function page(request, url) {
  try {
    const response = await fetch(request);
    const readable = READABLE.some((pattern) => pattern.test(url.pathname)) && !url.search;
    if (response.ok && readable && !response.redirected) await keepPage(request, response.clone());
    return response;
  } catch {
    const kept = await caches.match(request.url.split("#")[0], { cacheName: PAGES });
    return kept ?? caches.match("/offline");
  }
}

async function asset(request) {
  const hit = await caches.match(request, { cacheName: STATIC });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) {
    const copy = response.clone();
    caches.open(STATIC).then((cache) => cache.put(request, copy));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const signingOut = request.method === "POST" && url.pathname === "/logout";
  if (signingOut || (request.method === "DELETE" && url.pathname === "/api/v1/me")) {
    // Someone else may use this phone next: forget the pages of this account.
    event.waitUntil(caches.delete(PAGES));
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/socket.io/")) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request, url));
    return;
  }
  if (url.pathname.startsWith("/static/")) event.respondWith(asset(request));
});

// ---- Web Push (mutualaid/notifications): kept apart from the caching above. ----
// A push carries {id, kind, title, body, url}; the notification's tag is its id, so a push
// delivered twice (delivery is at least once) is shown once. A tap opens its url.
function safePath(url) {
  return typeof url === "string" && url.startsWith("/") && !url.startsWith("//") ? url : "/";
}

async function showPush(data) {
  const tag = data.id != null ? `notification-${data.id}` : undefined;
  if (tag && (await self.registration.getNotifications({ tag })).length) return;
  await self.registration.showNotification(data.title || "Share Hut", {
    body: data.body || "", tag, data: { url: safePath(data.url) },
    icon: "/static/icons/icon-192.png", badge: "/static/icons/icon-192.png",
  });
}

self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch { data = {}; }
  event.waitUntil(showPush(data));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL(safePath(event.notification.data?.url), self.location.origin).href;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true })
    .then((windows) => {
      const open = windows.find((client) => client.url === url && "focus" in client);
      return open ? open.focus() : self.clients.openWindow(url);
    }));
});
