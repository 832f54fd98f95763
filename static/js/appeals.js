// Appeal pages: photos sent after the appeal is filed, similar appeals shown while typing,
// and the staff's time-limit forms (one JSON object per level).
import { apiFetch } from "./forms.js";

const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

async function uploadPhotos(appealId, files) {
  for (const file of [...files].slice(0, 3)) {
    const body = new FormData();
    body.append("file", file);
    await fetch(`/api/v1/appeals/${appealId}/photos`, {
      method: "POST", body, credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    });
  }
}

document.addEventListener("api:success", async (event) => {
  const form = event.target;
  if (form.id !== "new-appeal" || !event.detail?.id) return;
  const input = form.querySelector("[data-photos]");
  if (input?.files?.length) await uploadPhotos(event.detail.id, input.files);
  window.location.assign(`/appeals/${event.detail.id}`);
});

let timer = null;
async function showSimilar(form) {
  const box = form.querySelector("[data-similar]");
  const list = form.querySelector("[data-similar-list]");
  const category = form.elements.category?.value;
  const building = form.elements.building_id?.value;
  if (!box || !category || !building) return;
  const text = `${form.elements.title.value} ${form.elements.description.value}`.trim();
  const query = new URLSearchParams({ category, building_id: building, text });
  const { ok, data } = await apiFetch(`/api/v1/appeals/similar?${query}`);
  list.replaceChildren();
  for (const item of ok ? data.items.slice(0, 5) : []) {
    const li = document.createElement("li");
    const link = document.createElement("a");
    link.href = `/appeals/${item.appeal.id}`;
    link.textContent = item.appeal.title;
    li.append(link);
    list.append(li);
  }
  box.hidden = list.children.length === 0;
}

document.addEventListener("input", (event) => {
  const form = event.target.closest?.("#new-appeal");
  if (!form) return;
  window.clearTimeout(timer);
  timer = window.setTimeout(() => showSimilar(form), 400);
});

document.addEventListener("submit", (event) => {
  const form = event.target.closest?.("form[data-limits]");
  if (!form) return;
  for (const hidden of form.querySelectorAll("[data-limit-body]")) {
    const level = hidden.dataset.limitBody;
    const values = {};
    for (const input of form.querySelectorAll(`[data-limit-level="${level}"]`)) {
      values[input.dataset.limitKind] = Number.parseInt(input.value, 10);
    }
    hidden.value = JSON.stringify(values);
  }
}, true);
