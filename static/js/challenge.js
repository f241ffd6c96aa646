/* The second-factor page: learn the push's answer as soon as the phone gives it.
   Each request says which status the page shows (seen=...); under ASGI the server holds it
   until that changes (a long poll: an open socket, nothing else), under WSGI it answers at
   once and says when to ask again. The answer is announced once per change (role=status).
   Approved: submit the "Check status" form, which signs in. Denied (by Deny or a different
   number), expired: say which and offer a new request at once. "This wasn't me": the
   sign-in is over, so the page says it was stopped and offers nothing more.
   If asking fails, fall back to polling with a back-off; without JavaScript the "Check
   status" button does the same by hand. Once the person submits a form that leaves the page
   (a typed token), the poll's answer (the attempt just ended: 404) must not reload the page
   over that submission. */
(function () {
  "use strict";
  var status = document.getElementById("push-status");
  if (!status || !window.fetch) { return; }
  var url = status.getAttribute("data-status-url");
  var FINAL = ["approved", "denied", "expired", "none"];
  var current = status.getAttribute("data-status");
  var reason = status.getAttribute("data-denied-because") || "";
  var backoff = 1000;
  var MAX_BACKOFF = 8000;
  var leaving = false;
  document.addEventListener("submit", function (event) {
    if (!event.defaultPrevented) { leaving = true; }  // "Send SMS token" stays on the page
  });

  function show(data) {
    var why = data.denied_because || "";
    // Announce each change once, not each check.
    if (data.status === current && why === reason) { return; }
    current = data.status;
    reason = why;
    status.textContent = data.message;
    status.className = "status " + data.status + (why ? " " + why : "");
    status.setAttribute("data-status", data.status);
    status.setAttribute("data-denied-because", why);
    if (data.status !== "pending") { hideWaiting(); }
  }

  function setHidden(id, hidden) {
    var element = document.getElementById(id);
    if (element) { element.hidden = hidden; }
  }

  function hideWaiting() {
    ["push-sent", "push-number", "push-countdown", "check-form"].forEach(function (id) {
      setHidden(id, true);
    });
    var heading = document.getElementById("push-heading");
    if (heading) { heading.textContent = heading.getAttribute("data-final-text"); }
  }

  function settle(state) {
    if (state === "approved") {
      document.getElementById("check-form").submit();
    } else if (reason === "reported") {
      // The attempt is over: nothing on the page can sign in now.
      ["push-again", "other-ways-toggle", "other-ways"].forEach(function (id) {
        setHidden(id, true);
      });
      setHidden("stopped", false);
    } else if (state !== "withdrawn") {
      setHidden("push-again", false);  // denied, a different number, expired: ask again
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
        if (leaving) { return null; }  // a submitted form is taking the page elsewhere
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

/* "Other ways to sign in": shown in place, no page load (without JavaScript the button asks
   the server for the page with them shown). */
(function () {
  "use strict";
  var toggle = document.getElementById("other-ways-toggle");
  var button = document.getElementById("other-ways-button");
  var others = document.getElementById("other-ways");
  if (!toggle || !button || !others) { return; }
  toggle.addEventListener("submit", function (event) {
    event.preventDefault();
    others.hidden = !others.hidden;
    button.setAttribute("aria-expanded", others.hidden ? "false" : "true");
  });
})();

/* Focus starts on the heading (or, where the page waits for a typed code, on its field, by
   its autofocus) without scrolling, so a phone keeps the heading and the status in view. */
(function () {
  "use strict";
  var heading = document.querySelector("[data-focus-first]");
  if (!heading || document.activeElement && document.activeElement !== document.body) {
    return;
  }
  heading.focus({ preventScroll: true });
})();
