// The new-offer form: its availability is nested ({days, parts}), so it is sent here rather
// than by forms.js; field errors go to the same slots.
import { apiFetch, formBody } from "./forms.js";

const form = document.querySelector("form[data-offer-form]");
const message = (key) => document.body.dataset[key] ?? "";

function flatten(fields) {
  const flat = { ...fields };
  const availability = flat.availability;
  delete flat.availability;
  if (availability && typeof availability === "object" && !Array.isArray(availability)) {
    Object.assign(flat, availability);
  } else if (availability) {
    flat.days = availability;
  }
  return flat;
}

function show(error) {
  const fields = flatten(error?.fields ?? {});
  for (const slot of form.querySelectorAll("[data-error-for]")) {
    const messages = fields[slot.dataset.errorFor];
    slot.textContent = messages ? [].concat(Object.values(messages)).flat().join(" ") : "";
  }
  const general = form.querySelector("[data-form-error]");
  general.textContent = error?.message ?? "";
  general.hidden = !error;
}

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = form.querySelector('[type="submit"]');
  const status = form.querySelector("[data-form-status]");
  const { days, parts, ...body } = formBody(form);
  body.availability = { days, parts };
  button.disabled = true;
  status.textContent = message("msgWorking");
  try {
    const { ok, data } = await apiFetch("/api/v1/offers", { method: "POST", body });
    show(ok ? null : data?.error ?? { message: message("msgNetwork") });
    status.textContent = ok ? message("msgSaved") : "";
    if (ok) window.setTimeout(() => window.location.reload(), 400);
  } catch {
    show({ message: message("msgNetwork") });
    status.textContent = "";
  } finally {
    button.disabled = false;
  }
});
