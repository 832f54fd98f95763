// Staff attach a document to a vote: forms marked data-upload send their fields as
// multipart (the file cannot go as JSON) with the page's CSRF token, then reload.
const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

async function upload(event) {
  const form = event.target.closest("form[data-upload]");
  if (!form) return;
  event.preventDefault();
  const status = form.querySelector("[data-form-status]");
  const general = form.querySelector("[data-form-error]");
  const button = form.querySelector('[type="submit"]');
  if (button) button.disabled = true;
  if (status) status.textContent = document.body.dataset.msgWorking ?? "";
  try {
    const response = await fetch(form.dataset.upload, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    });
    if (response.ok) { window.location.reload(); return; }
    const error = (await response.json().catch(() => null))?.error ?? {};
    for (const slot of form.querySelectorAll("[data-error-for]")) {
      slot.textContent = [].concat(error.fields?.[slot.dataset.errorFor] ?? []).join(" ");
    }
    if (general) { general.textContent = error.message ?? ""; general.hidden = false; }
    if (status) status.textContent = "";
  } catch {
    if (general) { general.textContent = document.body.dataset.msgNetwork ?? ""; general.hidden = false; }
  } finally {
    if (button) button.disabled = false;
  }
}

document.addEventListener("submit", upload);
