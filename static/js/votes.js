// New-vote form: the document links (title + address pairs) are sent as the JSON list
// `attachments` through a hidden field that forms.js reads with data-type="json".
function collectAttachments(form) {
  const target = form.querySelector("[data-attachments-json]");
  if (!target) return;
  const items = [];
  for (const row of form.querySelectorAll("[data-attachment]")) {
    const title = row.querySelector("[data-attachment-title]").value.trim();
    const url = row.querySelector("[data-attachment-url]").value.trim();
    if (title || url) items.push({ title, url });
  }
  target.value = items.length ? JSON.stringify(items) : "";
}

document.addEventListener("input", (event) => {
  const form = event.target.closest("form[data-vote-create]");
  if (form) collectAttachments(form);
});
