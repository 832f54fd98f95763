// The order page: after an action succeeds, reload to show the new state and its buttons.
// Live updates (order.updated on the order's room) are wired by the realtime feature using
// the page's data-order-id and data-version.
document.addEventListener("api:success", (event) => {
  const order = document.getElementById("order");
  if (order && event.detail && typeof event.detail.version === "number") {
    order.dataset.version = String(event.detail.version);
  }
});
