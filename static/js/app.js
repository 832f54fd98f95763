// Shared by every page: API forms, and the service worker that makes the app installable.
import "./forms.js";
import "./push.js";

if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  });
}
