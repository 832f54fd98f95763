// Web Push on this phone: asked for at a moment that makes sense (right after posting or
// accepting a need, or from the inbox's button), never on first load.
import { apiFetch } from "./forms.js";

const OFFER_KEY = "sharehut-push-offer";
const supported = () => "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

function keyBytes(base64url) {
  const raw = atob(base64url.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/** Ask the browser, subscribe with the server's VAPID key and store the subscription. */
export async function enablePush() {
  if (!supported()) return "unsupported";
  const permission = await Notification.requestPermission();
  if (permission !== "granted") return permission;
  const registration = await navigator.serviceWorker.ready;
  const { data } = await apiFetch("/api/v1/push/public-key");
  const subscription = await registration.pushManager.getSubscription()
    ?? await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(data.public_key) });
  const { ok } = await apiFetch("/api/v1/me/push-subscriptions", { method: "POST", body: subscription.toJSON() });
  return ok ? "granted" : "failed";
}

function showOffer() {
  const offer = document.getElementById("push-offer");
  if (!offer || !supported() || Notification.permission !== "default") return;
  offer.hidden = false;
  offer.querySelector("[data-push-yes]").addEventListener("click", async () => {
    offer.hidden = true;
    await enablePush().catch(() => null);
  });
  offer.querySelector("[data-push-no]").addEventListener("click", () => { offer.hidden = true; });
}

// Posting a need redirects to its page: the offer waits for that page.
document.addEventListener("api:success", (event) => {
  const path = event.target.dataset?.api ?? "";
  if (path === "/api/v1/orders" || /^\/api\/v1\/orders\/\d+\/accept$/.test(path)) {
    sessionStorage.setItem(OFFER_KEY, "1");
  }
});

if (sessionStorage.getItem(OFFER_KEY)) {
  sessionStorage.removeItem(OFFER_KEY);
  showOffer();
}

const inboxButton = document.querySelector("[data-push-enable]");
if (inboxButton && supported() && Notification.permission !== "denied") {
  inboxButton.hidden = false;
  inboxButton.addEventListener("click", async () => {
    const status = document.querySelector("[data-push-status]");
    const result = await enablePush().catch(() => "failed");
    if (status) status.textContent = status.dataset[result] ?? "";
  });
}
