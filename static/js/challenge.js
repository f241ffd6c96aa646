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
    if (data.status !== "pending") { hideNumber(); }
  }

  function hideNumber() {
    ["push-number", "push-countdown"].forEach(function (id) {
      var element = document.getElementById(id);
      if (element) { element.hidden = true; }
    });
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

/* "Don't ask again on this browser for 30 days": the box sits in the token form; mirror it
   into the "Check status" form, which the page submits when the push is approved. */
(function () {
  "use strict";
  var box = document.getElementById("remember-browser");
  var mirror = document.getElementById("remember-push");
  if (!box || !mirror) { return; }
  function sync() { mirror.value = box.checked ? "on" : ""; }
  box.addEventListener("change", sync);
  sync();
})();

/* The push's expiry, counted down beside the number to match (data-expires-at, ISO time). */
(function () {
  "use strict";
  var status = document.getElementById("push-status");
  var shown = document.getElementById("push-countdown");
  var expires = status && Date.parse(status.getAttribute("data-expires-at") || "");
  if (!shown || !expires) { return; }
  function tick() {
    var left = Math.round((expires - Date.now()) / 1000);
    if (left <= 0 || shown.hidden && shown.textContent) { shown.hidden = true; return; }
    var minutes = Math.floor(left / 60);
    var seconds = ("0" + (left % 60)).slice(-2);
    shown.textContent = "The request on your phone expires in " + minutes + ":" + seconds + ".";
    shown.hidden = false;
    window.setTimeout(tick, 1000);
  }
  tick();
})();

/* "Send SMS token" without a page load: post the form asking for JSON and say what happened.
   Without JavaScript (or if the fetch fails) the form posts as usual. */
(function () {
  "use strict";
  var form = document.getElementById("sms-form");
  var result = document.getElementById("sms-result");
  if (!form || !result || !window.fetch || !window.FormData) { return; }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    })
      .then(function (response) {
        if (response.status === 404) { window.location.reload(); return null; }
        return response.json();
      })
      .then(function (data) {
        if (!data) { return; }
        result.textContent = data.message;
        result.className = "help " + (data.ok ? "sent" : "refused");
        button.disabled = false;
      })
      .catch(function () { form.submit(); });
  });
})();
