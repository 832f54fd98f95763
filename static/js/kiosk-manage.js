// Staff kiosk page: show the freshly issued kiosk link (its token is shown only once).
document.addEventListener("api:success", (event) => {
  const form = event.target.closest("[data-kiosk-issue]");
  if (!form || !event.detail?.url) return;
  const box = document.querySelector("[data-issued]");
  const link = box.querySelector("[data-issued-url]");
  link.href = event.detail.url;
  link.textContent = event.detail.url;
  box.hidden = false;
});
