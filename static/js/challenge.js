/* The second-factor page: poll the OneTouch status, backing off, until it is final.
   Approved: submit the "Check status" form, which signs in. Expired: offer a new request.
   Without JavaScript the "Check status" button does the same by hand. */
(function () {
  "use strict";
  var status = document.getElementById("push-status");
  if (!status || !window.fetch) { return; }
  var url = status.getAttribute("data-status-url");
  var FINAL = ["approved", "denied", "expired", "none"];
  var delay = 1000;
  var MAX_DELAY = 8000;

  function show(data) {
    status.textContent = data.message;
    status.className = "status " + data.status;
  }

  function settle(state) {
    if (state === "approved") {
      document.getElementById("check-form").submit();
    } else if (state === "expired" || state === "none") {
      var again = document.getElementById("push-again");
      if (again) { again.hidden = false; }
    }
  }

  function schedule() {
    window.setTimeout(poll, delay);
    delay = Math.min(Math.round(delay * 1.5), MAX_DELAY);
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 404) {
          // The attempt ended or a newer request replaced this one: let the server say which.
          window.location.reload();
          return null;
        }
        return response.json();
      })
      .then(function (data) {
        if (!data) { return; }
        show(data);
        if (data.final) { settle(data.status); } else { schedule(); }
      })
      .catch(schedule);
  }

  var initial = status.getAttribute("data-status");
  if (FINAL.indexOf(initial) === -1) {
    schedule();
  } else if (initial !== "approved" || status.hasAttribute("data-auto-sign-in")) {
    // An approved page rendered with an error (e.g. locked) must not resubmit in a loop.
    settle(initial);
  }
})();
