// The share-hut kiosk: a live board and three big-button flows (need help, vote, book).
// The kiosk token only reads the board and signs people in; every action uses the person's
// 5-minute token, which is dropped as soon as the action is done or the screen resets.
const root = document.getElementById("kiosk");
const kioskToken = root.dataset.kioskToken;
const msg = (key) => root.dataset[key] ?? "";
const $ = (selector) => root.querySelector(selector);
const $$ = (selector) => [...root.querySelectorAll(selector)];
const template = (name, values = {}) => {
  const text = $(`template[data-t-${name}]`)?.innerHTML.trim() ?? "";
  return text.replace(/\{(\w+)\}/g, (_m, key) => values[key] ?? "");
};
const DONE_RESET_SECONDS = 15;
// Needs posted here are stored with codes (orders/texts.py), shown in this screen's language:
// "@tag:<code>" is the tag's name (read from the tag buttons), "@kiosk" the kiosk note.
const TAG_TITLE = "@tag:";
const KIOSK_POSTED = "@kiosk";
const shownTitle = (title) => (title?.startsWith(TAG_TITLE)
  ? $(`[data-tag="${CSS.escape(title.slice(TAG_TITLE.length))}"]`)?.textContent.trim() ?? title
  : title);

let board = { orders: [], votes: [], sessions: [], upcoming: [] };
let state = {};
let idleTimer = null;

async function call(path, { method = "GET", body, token } = {}) {
  const headers = { Accept: "application/json", Authorization: `Bearer ${token ?? kioskToken}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(`/api/v1${path}`, {
    method, headers, credentials: "omit", body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  return { ok: response.ok, status: response.status, data };
}

// ---- board -------------------------------------------------------------------------
const when = (iso) => new Date(iso).toLocaleString(document.documentElement.lang || "zh-CN",
  { weekday: "short", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "Asia/Shanghai" });
const seatsText = (s) => (s.seats_left > 0
  ? msg("msgSeats").replace("{left}", s.seats_left).replace("{capacity}", s.capacity)
  : msg("msgNoSeats"));

function item(text, attrs = {}) {
  const li = document.createElement("li");
  li.className = "kiosk-item";
  for (const [key, value] of Object.entries(attrs)) li.dataset[key] = value;
  if (typeof text === "string") li.textContent = text; else li.append(...text);
  return li;
}

function span(text, className = "") {
  const el = document.createElement("span");
  el.textContent = text;
  if (className) el.className = className;
  return el;
}

function turnoutBar(vote) {
  // Share of the eligible headcount that has voted (and of the area, where area counts).
  const t = vote.turnout ?? {};
  const heads = t.eligible?.headcount ? t.participating.headcount / t.eligible.headcount : 0;
  const area = t.eligible?.area_m2 ? Number(t.participating.area_m2) / Number(t.eligible.area_m2) : null;
  const box = document.createElement("span");
  box.className = "turnout";
  for (const [share, label] of [[heads, msg("msgTurnoutHeads")], [area, msg("msgTurnoutArea")]]) {
    if (share === null) continue;
    const percent = Math.round(share * 100);
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = percent;
    bar.setAttribute("aria-label", `${label} ${percent}%`);
    box.append(span(`${label} ${percent}%`, "turnout-label"), bar);
  }
  return box;
}

function renderBoard() {
  const orders = $("[data-board-orders]");
  orders.replaceChildren(...board.orders.map((o) => item(
    [span(shownTitle(o.title), "title"), span(root.dataset[`status${o.status[0].toUpperCase()}${o.status.slice(1)}`] ?? o.status, "badge")],
    { order: o.id, version: o.version })));
  $("[data-empty-orders]").hidden = board.orders.length > 0;
  const votes = $("[data-board-votes]");
  votes.replaceChildren(...board.votes.map((v) => item([span(v.title, "title"), turnoutBar(v)], { vote: v.id })));
  $("[data-empty-votes]").hidden = board.votes.length > 0;
  const sessions = $("[data-board-sessions]");
  sessions.replaceChildren(...board.sessions.map((s) => item(
    [span(`${when(s.starts_at)} ${s.service.title}`, "title"), span(seatsText(s), "badge")],
    { session: s.id })));
  $("[data-empty-sessions]").hidden = board.sessions.length > 0;
}

async function refreshBoard() {
  const { ok, data } = await call("/kiosk/board").catch(() => ({ ok: false }));
  if (ok) { board = data; renderBoard(); }
}

function upsert(list, payload, keep) {
  const index = list.findIndex((x) => x.id === payload.id);
  if (index >= 0 && (list[index].version ?? 0) > (payload.version ?? 0)) return list;
  const rest = list.filter((x) => x.id !== payload.id);
  if (!keep(payload)) return rest;
  if (index >= 0) { rest.splice(index, 0, { ...list[index], ...payload }); return rest; }
  return [payload, ...rest];
}

function listen() {
  if (typeof window.io !== "function") {
    window.setInterval(refreshBoard, 10_000);  // no Socket.IO client: poll instead
    return;
  }
  const socket = window.io({ auth: { kiosk: kioskToken }, transports: ["websocket", "polling"] });
  const live = new Set(["open", "accepted", "in_progress"]);
  const here = (o) => String(o.building_id) === root.dataset.buildingId && live.has(o.status);
  socket.on("connect", () => { root.dataset.live = "socket"; refreshBoard(); });  // resync over HTTP
  socket.on("disconnect", () => { root.dataset.live = "offline"; });
  for (const event of ["order.created", "order.updated"]) {
    socket.on(event, (o) => { board.orders = upsert(board.orders, o, here); renderBoard(); });
  }
  socket.on("session.updated", (s) => {
    for (const key of ["sessions", "upcoming"]) {
      board[key] = board[key].map((x) => (x.id === s.id && (x.version ?? 0) <= s.version ? { ...x, ...s } : x));
    }
    renderBoard();
  });
  socket.on("vote.turnout", (v) => {
    board.votes = board.votes.map((x) => (x.id === v.id && (x.version ?? 0) <= (v.version ?? 0) ? { ...x, ...v } : x));
    renderBoard();
    if (state.vote?.id === v.id) showChart(v.id);
  });
  socket.on("vote.closed", (v) => { board.votes = board.votes.filter((x) => x.id !== v.id); renderBoard(); });
}

// ---- screens and reset ------------------------------------------------------------------
function show(name) {
  for (const screen of $$("[data-screen]")) screen.hidden = screen.dataset.screen !== name;
  $("[data-flow-bar]").hidden = name === "home" || name === "done" || name === "failed";
  const heading = $(`[data-screen="${name}"] h2`);
  heading?.setAttribute("tabindex", "-1");
  heading?.focus({ preventScroll: true });
  armIdle();
}

function dropToken() {
  if (state.token) {
    call("/auth/tokens/current", { method: "DELETE", token: state.token }).catch(() => {});
  }
  state.token = null;
}

function reset() {
  dropToken();
  state = {};
  $("#k-username").value = "";
  $("#k-password").value = "";
  $("#k-question").value = "";
  $("[data-signed-in]").textContent = "";
  show("home");
  refreshBoard();
}

function armIdle(seconds) {
  window.clearTimeout(idleTimer);
  const onHome = !$('[data-screen="home"]').hidden;
  if (onHome) return;
  const idle = seconds ?? Number(root.dataset.idleSeconds || 60);
  idleTimer = window.setTimeout(reset, idle * 1000);
}

function done(title, text, qrPath, receipt = null) {
  dropToken();
  $("[data-signed-in]").textContent = "";
  $("[data-done-title]").textContent = title;
  $("[data-done-text]").textContent = text;
  $("[data-done-receipt]").hidden = !receipt;
  $("[data-receipt-code]").textContent = receipt ?? "";
  const figure = $("[data-done-qr]");
  figure.hidden = !qrPath;
  if (qrPath) figure.querySelector("img").src = `/qr.svg?path=${encodeURIComponent(qrPath)}`;
  show("done");
  armIdle(Math.min(DONE_RESET_SECONDS, Number(root.dataset.idleSeconds || 60)));
}

function failed(text) {
  dropToken();
  $("[data-failed-text]").textContent = text;
  show("failed");
}

// ---- signing in -------------------------------------------------------------------------
/** A big button with a person's name, carrying `data-<key>="<value>"` for the click handler. */
function personButton(person, key, value) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "kiosk-choice";
  button.dataset[key] = value;
  button.textContent = person.display_name;
  return button;
}

async function askWho() {
  const { ok, data } = await call("/kiosk/people").catch(() => ({ ok: false }));
  state.people = ok ? data.items : [];
  $("[data-people]").replaceChildren(...state.people.map((p) => personButton(p, "username", p.username)));
  show("who");
}

function askPin(username) {
  state.username = username;
  state.pin = "";
  const person = (state.people ?? []).find((p) => p.username === username);
  $("[data-pin-for]").textContent = person ? `(${person.display_name})` : `(${username})`;
  $("[data-pin-error]").hidden = true;
  renderPin();
  show("pin");
}

function renderPin() {
  $("[data-pin-display]").textContent = "●".repeat(state.pin.length) || "—";
}

function askPassword() {
  $("[data-password-for]").textContent = $("[data-pin-for]").textContent;
  $("[data-password-error]").hidden = true;
  $("#k-password").value = "";
  show("password");
  $("#k-password").focus();
}

// Residents sign in with their PIN; staff never do: they type their password.
async function signIn(password) {
  const secret = password === undefined ? { pin: state.pin } : { password };
  const { ok, data, status } = await call("/kiosk/sign-in", {
    method: "POST", body: { username: state.username, ...secret },
  }).catch(() => ({ ok: false, data: null, status: 0 }));
  if (!ok) {
    state.pin = "";
    renderPin();
    $("#k-password").value = "";
    const error = $(password === undefined ? "[data-pin-error]" : "[data-password-error]");
    error.textContent = data?.error?.message ?? msg("msgNetwork");
    error.hidden = false;
    if (status === 403 && data?.error?.code === "pin_locked") window.setTimeout(reset, 8000);
    return;
  }
  state.token = data.token;
  state.user = data.user;
  $("[data-signed-in]").textContent = data.user.display_name;
  afterSignIn();
}

function afterSignIn() {
  if (state.flow === "help") {
    if (state.user.is_staff) return askForWhom();
    return postNeed(null);
  }
  if (state.flow === "vote") {
    if (state.user.is_staff) return askUnit();
    return showChoice();
  }
  if (state.flow === "question") return postQuestion();
  if (state.flow === "book") return book();
  if (state.flow === "appeal") return state.user.is_staff ? askForWhom() : postAppeal(null);
}

// ---- the three flows --------------------------------------------------------------------
function askForWhom() {
  $("[data-for-whom]").replaceChildren(...(state.people ?? []).map((p) => personButton(p, "behalf", p.id)));
  show("for-whom");
}

async function postNeed(onBehalfOf) {
  const body = {
    title: `${TAG_TITLE}${state.tag}`, description: KIOSK_POSTED, tags: [state.tag],
    on_behalf_of: onBehalfOf,
  };
  const { ok, data } = await call("/orders", { method: "POST", body, token: state.token });
  if (!ok) return failed(data?.error?.message ?? msg("msgError"));
  done(template("thanks"), template("done-help"), `/orders/${data.id}`);
}

async function postAppeal(onBehalfOf) {
  const body = {
    category: state.category, title: state.categoryName, description: msg("msgPostedAtKiosk"),
    building_id: Number(root.dataset.buildingId), on_behalf_of: onBehalfOf,
  };
  const { ok, data } = await call("/appeals", { method: "POST", body, token: state.token });
  if (!ok) return failed(data?.error?.message ?? msg("msgError"));
  done(template("thanks"), template("done-appeal", { number: data.id }), `/appeals/${data.id}`);
}

async function chooseVote() {
  await refreshBoard();
  const list = $("[data-vote-list]");
  list.replaceChildren(...board.votes.map((v) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "kiosk-choice";
    button.dataset.vote = v.id;
    button.textContent = v.title;
    return button;
  }));
  $("[data-empty-vote-list]").hidden = board.votes.length > 0;
  show("vote-which");
}

async function askUnit() {
  const { ok, data } = await call(`/votes/${state.voteId}/pending-units`, { token: state.token });
  const units = ok ? flattenUnits(data) : [];
  $("[data-units]").replaceChildren(...units.map((u) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "kiosk-choice";
    button.dataset.unit = u.id;
    button.dataset.unitNumber = u.number;
    button.textContent = u.number;
    return button;
  }));
  $("[data-empty-units]").hidden = units.length > 0;
  show("for-unit");
}

function flattenUnits(data) {
  const items = data?.items ?? data?.floors ?? data ?? [];
  return items.flatMap((x) => (Array.isArray(x.units) ? x.units : [x])).filter((u) => u && u.id);
}

// ---- an informed ballot ------------------------------------------------------------------
function paragraphs(text) {
  return (text ?? "").split("\n").filter((line) => line.trim()).map((line) => {
    const p = document.createElement("p");
    p.textContent = line;
    return p;
  });
}

function showProposal(voteId) {
  const vote = board.votes.find((v) => v.id === voteId);
  if (!vote) return reset();
  state.vote = vote;
  const rule = vote.rule.replace(/^./, (c) => c.toUpperCase());
  $("[data-proposal-title]").textContent = vote.title;
  $("[data-proposal-rule]").textContent = msg(`rule${rule}`);
  $("[data-proposal-rule-help]").textContent = msg(`ruleHelp${rule}`);
  $("[data-proposal-text]").replaceChildren(...paragraphs(vote.description));
  const documents = [...(vote.documents ?? []).map((d) => d.name),
                     ...(vote.attachments ?? []).map((a) => a.title)];
  $("[data-proposal-documents]").hidden = documents.length === 0;
  $("[data-proposal-document-list]").replaceChildren(...documents.map(item));
  showQuestions(vote);
  showChart(vote.id);
  showPlan(vote);
  $("[data-proposal-qr]").src = `/qr.svg?path=${encodeURIComponent(`/votes/${vote.id}`)}`;
  $("[data-vote-title]").textContent = vote.title;
  show("vote-proposal");
  // Reading a proposal takes longer than a tap: no account is signed in yet, so wait longer.
  armIdle(3 * Number(root.dataset.idleSeconds || 60));
}

function choiceWord(choice) {
  return msg(`choice${choice.replace(/^./, (c) => c.toUpperCase())}`);
}

function readBack() {
  $("[data-readback]").textContent = choiceWord(state.choice);
  $("[data-readback]").dataset.choice = state.choice;
  const unit = state.unit ? ` · ${state.unit.number}` : "";
  $("[data-readback-vote]").textContent = `${state.vote.title}${unit}`;
  show("vote-confirm");
}

async function castBallot(unit) {
  const body = { choice: state.choice };
  if (unit) Object.assign(body, { unit_id: Number(unit.id), channel: "kiosk", note: KIOSK_POSTED });
  const { ok, data } = await call(`/votes/${state.voteId}/ballots`, { method: "POST", body, token: state.token });
  if (!ok) return failed(data?.error?.message ?? msg("msgError"));
  let text = unit
    ? template("done-assisted", { unit: unit.number, receipt: data.receipt })
    : template("done-vote", { receipt: data.receipt });
  done(template("thanks"), text, `/votes/${state.voteId}`, data.receipt);
}

// A building project's cost plan beside the choice (its documents are on the proposal, and
// open on the phone through the QR code).
function showPlan(vote) {
  const plan = vote?.cost_plan;
  $("[data-vote-plan]").textContent = plan ? template("vote-plan", { owners: plan.owners_part, total: plan.total_cost }) : "";
}

// The questions asked on the vote and the staff's public answers (no names on a lobby screen).
function showQuestions(vote) {
  const questions = vote.questions ?? [];
  $("[data-proposal-questions]").hidden = questions.length === 0;
  $("[data-proposal-question-list]").replaceChildren(...questions.map((q) => item([
    span(q.text, "title"), span(q.answer ? q.answer.text : template("unanswered"), "answer")])));
}

// The turnout over time, drawn by the server as on the staff page; redrawn as ballots come in.
async function showChart(voteId) {
  const box = $("[data-proposal-chart]");
  const response = await fetch(`/kiosk/${encodeURIComponent(kioskToken)}/votes/${voteId}/turnout`,
    { credentials: "same-origin" }).catch(() => null);  // the lang cookie: the page's language
  if (state.vote?.id !== voteId) return;
  const ok = response?.ok ?? false;
  box.innerHTML = ok ? await response.text() : "";
  box.hidden = !ok;
}

// The informed ballot's last piece before the choice: once the person has identified, their
// own cost share, or for a ballot staff record for a unit, that unit's.
async function showChoice() {
  const text = state.vote?.cost_plan ? await shareText().catch(() => "") : "";
  $("[data-my-share]").textContent = text;
  $("[data-my-share]").hidden = !text;
  show("vote-choice");
}

async function shareText() {
  if (state.unit) {
    const { ok, data } = await call(`/votes/${state.voteId}/shares`, { token: state.token });
    const row = ok ? data.items.find((r) => String(r.unit_id) === String(state.unit.id)) : null;
    return row ? template("unit-share", { unit: state.unit.number, amount: row.amount }) : "";
  }
  const { ok, data } = await call(`/votes/${state.voteId}/my-share`, { token: state.token });
  return ok ? template("my-share", { amount: data.amount }) : "";
}

async function postQuestion() {
  const body = { text: $("#k-question").value.trim() };
  const { ok, data } = await call(`/votes/${state.voteId}/questions`, { method: "POST", body, token: state.token });
  if (!ok) return failed(data?.error?.message ?? msg("msgError"));
  done(template("thanks"), template("done-question"), `/votes/${state.voteId}`);
}

async function chooseSession() {
  await refreshBoard();
  const sessions = board.upcoming ?? [];
  $("[data-session-list]").replaceChildren(...sessions.map((s) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "kiosk-choice";
    button.dataset.session = s.id;
    button.disabled = s.seats_left <= 0;
    button.append(span(s.service.title, "title"), span(`${when(s.starts_at)} · ${s.place}`), span(seatsText(s), "badge"));
    return button;
  }));
  $("[data-empty-session-list]").hidden = sessions.length > 0;
  show("book-which");
}

async function book() {
  const { ok, data } = await call(`/sessions/${state.session.id}/bookings`, { method: "POST", token: state.token });
  if (!ok) return failed(data?.error?.message ?? msg("msgError"));
  const text = template("done-book", { title: state.session.service.title, when: when(state.session.starts_at) });
  done(template("thanks"), text, `/services/${state.session.service.id}`);
}

// ---- wiring -----------------------------------------------------------------------------
root.addEventListener("click", (event) => {
  const target = event.target.closest("button");
  if (!target) return;
  const d = target.dataset;
  if (d.reset !== undefined) return reset();
  if (d.start) {
    state = { flow: d.start };
    if (d.start === "help") return show("help-what");
    if (d.start === "vote") return chooseVote();
    if (d.start === "appeal") return show("appeal-what");
    return chooseSession();
  }
  if (d.appealCategory) {
    state.category = d.appealCategory;
    state.categoryName = target.textContent.trim();
    return askWho();
  }
  if (d.tag) { state.tag = d.tag; return askWho(); }
  if (d.vote) { state.voteId = Number(d.vote); return showProposal(state.voteId); }
  if (d.identify !== undefined) return askWho();
  if (d.ask !== undefined) {
    state.flow = "question";
    $("[data-question-vote]").textContent = state.vote.title;
    show("vote-question");
    return $("#k-question").focus();
  }
  if (d.questionNext !== undefined) return $("#k-question").value.trim() ? askWho() : $("#k-question").focus();
  if (d.choice) { state.choice = d.choice; return readBack(); }
  if (d.rechoose !== undefined) return show("vote-choice");
  if (d.cast !== undefined) return castBallot(state.unit ?? null);
  if (d.session) { state.session = board.upcoming.find((s) => String(s.id) === d.session); return askWho(); }
  if (d.username) return askPin(d.username);
  if (d.typedUsername !== undefined) {
    const typed = $("#k-username").value.trim();
    if (typed) askPin(typed);
    return;
  }
  if (d.digit && state.pin.length < 6) { state.pin += d.digit; renderPin(); return; }
  if (d.pinBack !== undefined) { state.pin = state.pin.slice(0, -1); renderPin(); return; }
  if (d.pinOk !== undefined && state.pin.length >= 4) return signIn();
  if (d.staffPassword !== undefined) return askPassword();
  if (d.passwordOk !== undefined && $("#k-password").value) return signIn($("#k-password").value);
  if (d.behalf) return (state.flow === "appeal" ? postAppeal : postNeed)(Number(d.behalf));
  if (d.myself !== undefined) return (state.flow === "appeal" ? postAppeal : postNeed)(null);
  if (d.unit) { state.unit = { id: d.unit, number: d.unitNumber }; return showChoice(); }
  if (d.ownBallot !== undefined) { state.unit = null; return showChoice(); }
});
for (const type of ["pointerdown", "keydown"]) document.addEventListener(type, () => armIdle(), { passive: true });

function tick() {
  $("[data-clock]").textContent = new Date().toLocaleString(document.documentElement.lang || "zh-CN",
    { weekday: "long", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "Asia/Shanghai" });
}
tick();
window.setInterval(tick, 30_000);
show("home");
refreshBoard();
window.addEventListener("load", listen);
