// Share Hut service worker: caches the app shell, serves pages network-first and shows the
// offline page when there is no network. API calls and Socket.IO always go to the network.
const VERSION = "sharehut-v1";
const SHELL = ["/offline", "/static/css/app.css", "/static/js/app.js", "/static/js/forms.js",
  "/static/icons/icon-192.png", "/manifest.webmanifest"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== VERSION).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/socket.io/")) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match("/offline")));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(
      caches.match(request).then((hit) => hit ?? fetch(request).then((response) => {
        const copy = response.clone();
        if (response.ok) caches.open(VERSION).then((cache) => cache.put(request, copy));
        return response;
      })),
    );
  }
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
