// "Copy" buttons: put the text of the element named by data-copy into the clipboard and say
// so in the status element named by data-copied. Shown only when scripts and the Clipboard
// API are there (no inline handlers under the CSP).
document.querySelectorAll(".js-copy").forEach(function (button) {
  if (!navigator.clipboard) {
    return;
  }
  var source = document.getElementById(button.dataset.copy);
  var status = document.getElementById(button.dataset.copied);
  button.hidden = false;
  button.addEventListener("click", function () {
    var lines = Array.prototype.map.call(source.querySelectorAll("li"), function (item) {
      return item.textContent.trim();
    });
    navigator.clipboard.writeText(lines.join("\n")).then(
      function () { status.textContent = "Copied " + lines.length + " codes."; },
      function () { status.textContent = "Copying did not work here: download or print them."; }
    );
  });
});
