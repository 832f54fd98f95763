// Live updates for every live page (no build step, no framework).
//
// A page opts in with `data-live-rooms` (space-separated extra rooms to subscribe to; the
// user's own, building and community rooms are joined by the server on connect) on <body> or
// any element, and loads this module. Then:
//   - each server event is applied in version order: per `event type + id` only a version
//     higher than any seen is dispatched, stale and repeated ones are dropped;
//   - it is dispatched on `document` as a CustomEvent `live:<event>` (detail = payload);
//   - elements with `data-live-refresh="order.updated:7 vote.turnout"` (and an `id`) are
//     re-fetched from the page's own URL and swapped in place when a matching event arrives;
//   - after a reconnect, and every `data-live-poll` seconds while there is no connection at
//     all, `live:resync` is dispatched and every refreshable part is re-fetched over HTTP;
//   - the `[data-live-indicator]` element (base.html) shows online / reconnecting / offline.
import { io } from "../vendor/socket.io.esm.min.js";

const STATES = ["connecting", "online", "reconnecting", "offline"];
const latest = new Map(); // "order.updated:7" -> highest version seen
const rooms = new Set();
let socket = null;
let everConnected = false;
let leaving = false;
let pollTimer = null;
let refreshTimer = null;
let refreshAll = false;
const pendingParts = new Set();

const indicator = () => document.querySelector("[data-live-indicator]");

function setState(state) {
  const el = indicator();
  if (!el || leaving || !STATES.includes(state) || el.dataset.state === state) return;
  el.dataset.state = state;
  el.hidden = false;
  const text = el.querySelector("[data-live-text]") ?? el;
  text.textContent = el.dataset[`text${state[0].toUpperCase()}${state.slice(1)}`] ?? state;
  document.dispatchEvent(new CustomEvent("live:state", { detail: { state } }));
}

/** Remember that the page already shows `version` of an entity (events up to it are stale). */
export function markSeen(type, id, version) {
  const key = `${type}:${id}`;
  if (!(latest.get(key) >= version)) latest.set(key, version);
}

/** True (and remembered) when `payload` is newer than anything seen for `type + id`. */
export function isFresh(type, payload) {
  if (payload == null || payload.id == null) return true;
  const version = Number(payload.version);
  if (!Number.isFinite(version)) return true;
  const key = `${type}:${payload.id}`;
  if (latest.get(key) >= version) return false;
  latest.set(key, version);
  return true;
}

// "entity" when the part follows this very entity (`order.updated:7`), "kind" when it follows
// every event of the type (`order.created`), else null.
function matches(part, type, id) {
  const wanted = (part.dataset.liveRefresh ?? "").split(/\s+/).filter(Boolean);
  if (wanted.includes(`${type}:${id}`)) return "entity";
  return wanted.includes(type) ? "kind" : null;
}

// One fetch for a burst of events. A part following a whole kind of event (a board) is heard
// by every page of the community at once: a random delay spreads their refetches.
function scheduleRefresh(all, spread = false) {
  refreshAll ||= all;
  const delay = 150 + (spread || all ? Math.random() * 1000 : 0);
  if (refreshTimer && !spread) window.clearTimeout(refreshTimer);
  else if (refreshTimer) return;
  refreshTimer = window.setTimeout(() => { refreshTimer = null; refreshParts(); }, delay);
}

async function refreshParts() {
  const parts = refreshAll ? [...document.querySelectorAll("[data-live-refresh][id]")] : [...pendingParts];
  refreshAll = false;
  pendingParts.clear();
  if (!parts.length) return;
  try {
    const response = await fetch(window.location.href, {
      headers: { Accept: "text/html", "X-Live-Refresh": "1" }, credentials: "same-origin",
    });
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const part of parts) {
      const replacement = fresh.getElementById(part.id);
      if (replacement && part.isConnected) swap(part, replacement);
    }
    document.dispatchEvent(new CustomEvent("live:refreshed", { detail: { ids: parts.map((p) => p.id) } }));
  } catch {
    // the network is gone: the indicator says so and the next resync tries again
  }
}

function swap(part, replacement) {
  const focused = document.activeElement;
  const focusKey = part.contains(focused) ? (focused.id || focused.getAttribute("name")) : null;
  const node = document.importNode(replacement, true);
  part.replaceWith(node);
  readVersions(node);
  if (focusKey) {
    const target = node.querySelector(`#${CSS.escape(focusKey)}`) ?? node.querySelector(`[name="${CSS.escape(focusKey)}"]`);
    target?.focus();
  }
}

function onEvent(type, payload) {
  if (!isFresh(type, payload)) return;
  document.dispatchEvent(new CustomEvent(`live:${type}`, { detail: payload }));
  let any = false;
  let spread = false;
  for (const part of document.querySelectorAll("[data-live-refresh][id]")) {
    const how = matches(part, type, payload?.id);
    if (how) { pendingParts.add(part); any = true; spread ||= how === "kind"; }
  }
  if (any) scheduleRefresh(false, spread);
}

/** Tell the page to refetch what it shows over HTTP (after a gap in the live stream). */
export function resync(reason) {
  document.dispatchEvent(new CustomEvent("live:resync", { detail: { reason } }));
  scheduleRefresh(true);
}

/** Join one more room (ack `{ok}`); remembered and re-joined after every reconnect. */
export function subscribe(room) {
  rooms.add(room);
  if (socket?.connected) socket.emit("subscribe", { room }, (ack) => reportAck(room, ack));
}

function reportAck(room, ack) {
  if (!ack?.ok) {
    rooms.delete(room);
    document.dispatchEvent(new CustomEvent("live:forbidden", { detail: { room } }));
  }
}

// While there is no connection, resync every `data-live-poll` seconds (read at each tick, so
// a page may change it).
function startPolling() {
  if (pollTimer) return;
  let last = Date.now();
  pollTimer = window.setInterval(() => {
    const seconds = Number(document.body.dataset.livePoll) || 30;
    if (Date.now() - last >= seconds * 1000) { last = Date.now(); resync("poll"); }
  }, 1000);
}

function stopPolling() {
  window.clearInterval(pollTimer);
  pollTimer = null;
}

function connect() {
  socket = io({ withCredentials: true, reconnectionDelayMax: 5000 });
  socket.on("connect", () => {
    setState("online");
    stopPolling();
    for (const room of rooms) socket.emit("subscribe", { room }, (ack) => reportAck(room, ack));
    if (everConnected) resync("reconnect");
    everConnected = true;
  });
  socket.on("disconnect", (reason) => {
    setState("reconnecting");
    startPolling();
    // the server closed this connection on purpose (a restart, a revoked account): try again
    if (reason === "io server disconnect") window.setTimeout(() => socket.connect(), 2000);
  });
  socket.on("connect_error", () => {
    setState("offline");
    startPolling();
    // refused (signed out): Socket.IO does not retry by itself; polling keeps the page fresh
    if (!socket.active) window.setTimeout(() => socket.connect(), 15000);
  });
  socket.io.on("reconnect_attempt", () => {
    if (indicator()?.dataset.state !== "offline") setState("reconnecting");
  });
  socket.onAny(onEvent);
}

// `<section data-live-entity="order.updated:7" data-live-version="3">`: the page (or a part
// just re-fetched) shows version 3 of order 7, so older events about it are stale.
function readVersions(root) {
  const els = [...root.querySelectorAll("[data-live-version]")];
  if (root.matches?.("[data-live-version]")) els.push(root);
  for (const el of els) {
    const [type, id] = (el.dataset.liveEntity ?? "").split(":");
    const version = Number(el.dataset.liveVersion);
    if (type && id && Number.isFinite(version)) markSeen(type, id, version);
  }
}

function start() {
  for (const el of document.querySelectorAll("[data-live-rooms]")) {
    for (const room of el.dataset.liveRooms.split(/\s+/).filter(Boolean)) rooms.add(room);
  }
  readVersions(document);
  setState("connecting");
  window.addEventListener("pagehide", () => { leaving = true; });
  window.addEventListener("offline", () => setState("offline"));
  window.addEventListener("online", () => { if (!socket.connected) socket.connect(); });
  connect();
}

start();

export const live = { subscribe, resync, markSeen, isFresh, get socket() { return socket; } };
