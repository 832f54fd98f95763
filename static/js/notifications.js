// The inbox page's settings form: kinds and quiet hours are objects in the API, so their
// inputs are gathered into hidden JSON fields before forms.js sends the form.
const form = document.getElementById("notification-settings");

function gather() {
  const kinds = {};
  for (const box of form.querySelectorAll("[data-kind]")) kinds[box.dataset.kind] = box.checked;
  form.querySelector("[data-kinds-value]").value = JSON.stringify(kinds);
  const on = form.querySelector("[data-quiet-on]").checked;
  const start = form.querySelector("[data-quiet-start]").value;
  const end = form.querySelector("[data-quiet-end]").value;
  form.querySelector("[data-quiet-value]").value = JSON.stringify(on ? { start, end } : null);
}

if (form) {
  gather();
  form.addEventListener("input", gather);
  form.addEventListener("change", gather);
}
