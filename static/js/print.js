// "Print" buttons: shown only when scripts run (no inline handlers under the CSP).
document.querySelectorAll(".js-print").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
