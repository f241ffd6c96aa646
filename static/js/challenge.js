/* The second-factor page: learn the push's answer as soon as the phone gives it.
   Each request says which status the page shows (seen=...); under ASGI the server holds it
   until that changes (a long poll: an open socket, nothing else), under WSGI it answers at
   once and says when to ask again. The answer is announced once per change (role=status).
   Approved: submit the "Check status" form, which signs in. Expired: offer a new request.
   If asking fails, fall back to polling with a back-off; without JavaScript the "Check
   status" button does the same by hand. */
(function () {
  "use strict";
  var status = document.getElementById("push-status");
  if (!status || !window.fetch) { return; }
  var url = status.getAttribute("data-status-url");
  var FINAL = ["approved", "denied", "expired", "none"];
  var current = status.getAttribute("data-status");
  var backoff = 1000;
  var MAX_BACKOFF = 8000;

  function show(data) {
    if (data.status === current) { return; }  // announce each change once, not each check
    current = data.status;
    status.textContent = data.message;
    status.className = "status " + data.status;
    status.setAttribute("data-status", data.status);
  }

  function settle(state) {
    if (state === "approved") {
      document.getElementById("check-form").submit();
    } else if (state === "expired" || state === "none") {
      var again = document.getElementById("push-again");
      if (again) { again.hidden = false; }
    }
  }

  function retryLater() {
    window.setTimeout(ask, backoff);
    backoff = Math.min(Math.round(backoff * 1.5), MAX_BACKOFF);
  }

  function ask() {
    var sep = url.indexOf("?") === -1 ? "?" : "&";
    fetch(url + sep + "wait=1&seen=" + encodeURIComponent(current), {
      headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store"
    })
      .then(function (response) {
        if (response.status === 404) {
          // The attempt ended or a newer request replaced this one: let the server say which.
          window.location.reload();
          return null;
        }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        if (!data) { return; }
        backoff = 1000;
        show(data);
        if (data.final) {
          settle(data.status);
        } else {
          window.setTimeout(ask, typeof data.retry === "number" ? data.retry : 1000);
        }
      })
      .catch(retryLater);
  }

  if (FINAL.indexOf(current) === -1) {
    ask();
  } else if (current !== "approved" || status.hasAttribute("data-auto-sign-in")) {
    // An approved page rendered with an error (e.g. locked) must not resubmit in a loop.
    settle(current);
  }
})();
