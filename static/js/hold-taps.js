// Loaded first, as a plain blocking script: the page's modules (forms.js) run only once the
// whole page is read, and on a slow phone a tap can come before. A data-api form submitted
// then would go out bare (a reload that loses the tap); it is held here and sent by forms.js
// as soon as forms.js runs; its button shows it is busy meanwhile (forms.js clears that).
document.addEventListener("submit", (event) => {
  if (window.shareHutForms || !event.target.matches("form[data-api]")) return;
  event.preventDefault();
  event.submitter?.setAttribute("aria-busy", "true");
  window.shareHutHeldForm = event.target;
}, true);
