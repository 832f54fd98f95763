// The top bar's unread counts (notifications, messages), kept live on every page: a new
// notification or message for me arrives in my own room (`user:<id>`, joined on connect).
// On each connect (what changed since the page was made, or while the connection was
// down: events are not replayed) and while offline, the counts are fetched from GET /me.
import { live } from "./live.js";
import { apiFetch } from "./forms.js";

const counts = () => document.querySelector("[data-unread-counts]");
let pending = null;

function show(data) {
  for (const badge of counts()?.querySelectorAll("[data-unread]") ?? []) {
    const value = Number(data?.[badge.dataset.unread]);
    if (!Number.isFinite(value)) continue;
    badge.querySelector("[data-number]").textContent = String(value);
    badge.hidden = value === 0;
  }
}

// One GET /me for a burst of events (several messages in a row).
function refresh() {
  if (pending || !counts()) return;
  pending = window.setTimeout(async () => {
    pending = null;
    const { ok, data } = await apiFetch("/api/v1/me").catch(() => ({ ok: false }));
    if (ok) show(data);
  }, 200);
}

live.socket?.on("connect", refresh);
for (const event of ["live:notification.created", "live:message.created", "live:resync"]) {
  document.addEventListener(event, refresh);
}
// What this page did may have read some (a part shown again, a form such as "mark all read").
document.addEventListener("live:refreshed", refresh);
document.addEventListener("api:success", refresh);
