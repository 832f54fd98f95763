// Forms marked data-api send JSON to the API (with the page's CSRF token) and show the
// server's field errors next to their fields. All validation lives on the server.
const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";
const message = (key) => document.body.dataset[key] ?? "";

export async function apiFetch(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json", "X-CSRFToken": csrfToken() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  return { ok: response.ok, status: response.status, data };
}

const converters = {
  int: (v) => (v === "" ? undefined : Number.parseInt(v, 10)),
  "int-or-null": (v) => (v === "" ? null : Number.parseInt(v, 10)),
  "string-or-null": (v) => (v === "" ? null : v),
  number: (v) => (v === "" ? undefined : Number(v.replace(",", "."))),
  json: (v) => (v === "" ? undefined : JSON.parse(v)),  // filled by page scripts
};

export function formBody(form) {
  const body = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled || el.type === "submit" || el.name === "csrf_token") continue;
    const type = el.dataset.type;
    if (type === "list" || type === "int-list") {
      // Ticked boxes, or the chosen options of a multiple select, gathered under one name.
      body[el.name] ??= [];
      const values = el.type === "select-multiple" ? [...el.selectedOptions].map((o) => o.value)
        : el.checked ? [el.value] : [];
      body[el.name].push(...(type === "int-list" ? values.map(Number) : values));
      continue;
    }
    if (type === "bool") { body[el.name] = el.checked; continue; }
    if ((el.type === "radio" || el.type === "checkbox") && !el.checked) continue;
    const value = converters[type] ? converters[type](el.value.trim()) : el.value.trim();
    if (value !== "" && value !== undefined) body[el.name] = value;
    else if (type === "int-or-null" || type === "string-or-null") body[el.name] = null;
  }
  return body;
}

function showErrors(form, error) {
  const fields = error?.fields ?? {};
  for (const slot of form.querySelectorAll("[data-error-for]")) {
    const messages = fields[slot.dataset.errorFor];
    slot.textContent = messages ? [].concat(messages).flat().join(" ") : "";
    const input = form.elements[slot.dataset.errorFor];
    if (input?.setAttribute) {
      if (messages) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    }
  }
  const general = form.querySelector("[data-form-error]");
  if (general) {
    const unplaced = Object.keys(fields).some((name) => !form.querySelector(`[data-error-for="${name}"]`));
    general.textContent = error ? (error.message ?? "") : "";
    general.hidden = !error || (Object.keys(fields).length > 0 && !unplaced);
  }
}

// On a phone the error may be far above the submit button: bring the first one into view
// and move the focus there, so that it is seen and read out.
export function revealError(form) {
  const general = form.querySelector("[data-form-error]:not([hidden])");
  // A group of chips or radios has no one element marked invalid: take its first control.
  const slot = [...form.querySelectorAll("[data-error-for]")].find((el) => el.textContent.trim());
  const inGroup = slot?.closest(".field, fieldset")?.querySelector("input, select, textarea");
  const target = form.querySelector('[aria-invalid="true"]') ?? inGroup ?? slot ?? general;
  if (!target) return;
  if (!target.matches("input, select, textarea, button") && !target.hasAttribute("tabindex")) {
    target.setAttribute("tabindex", "-1");
  }
  target.scrollIntoView({ block: "center" });
  target.focus({ preventScroll: true });
}

async function submit(event) {
  const form = event.target.closest("form[data-api]");
  if (!form) return;
  event.preventDefault();
  // Acts that cannot be undone (closing a legal vote, deleting an account) ask first.
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
  const button = form.querySelector('[type="submit"]');
  const status = form.querySelector("[data-form-status]");
  button?.setAttribute("aria-busy", "true");
  if (button) button.disabled = true;
  if (status) status.textContent = message("msgWorking");
  try {
    const { ok, data } = await apiFetch(form.dataset.api, { method: form.dataset.method ?? "POST", body: formBody(form) });
    showErrors(form, ok ? null : data?.error ?? { message: message("msgNetwork") });
    if (!ok) revealError(form);
    if (status) status.textContent = ok ? message("msgSaved") : "";
    if (ok) finish(form, data);
  } catch {
    showErrors(form, { message: message("msgNetwork") });
    revealError(form);
    if (status) status.textContent = "";
  } finally {
    button?.removeAttribute("aria-busy");
    if (button) button.disabled = false;
  }
}

// A success message outlives the reload or redirect that follows, shown by the next page.
function keepFlash(text) {
  try { if (text) window.sessionStorage.setItem("flash", text); } catch { /* private mode */ }
}

function showFlash() {
  const slot = document.querySelector("[data-flash]");
  let text = null;
  try {
    text = window.sessionStorage.getItem("flash");
    window.sessionStorage.removeItem("flash");
  } catch { return; }
  if (!slot || !text) return;
  slot.textContent = text;
  slot.hidden = false;
}

function finish(form, data) {
  form.dispatchEvent(new CustomEvent("api:success", { detail: data, bubbles: true }));
  for (const slot of form.querySelectorAll("[data-result]")) slot.textContent = data?.[slot.dataset.result] ?? "";
  keepFlash(form.dataset.success);
  const target = form.dataset.redirect;
  if (target) window.location.assign(target.replace("{id}", data?.id ?? ""));
  else if (form.dataset.reload !== "false") window.setTimeout(() => window.location.reload(), 400);
  else { form.reset(); showFlash(); }
}

document.addEventListener("submit", submit);
// A tap that came before this module ran was held by hold-taps.js: send it now.
window.shareHutForms = true;
window.shareHutHeldForm?.requestSubmit();
window.shareHutHeldForm = null;
showFlash();
// Pages answered with errors by the server (sign-in, registration) show them the same way.
for (const form of document.querySelectorAll("form")) {
  if (form.querySelector('[aria-invalid="true"], [data-form-error]:not([hidden])')) { revealError(form); break; }
}
