/* The app's start page: this phone's pending sign-in requests, fetched with a listing signed
   over a fresh challenge whenever the page is opened, shown again or told by the worker (a
   push came, a notification was tapped), and every few seconds while it is on screen.

   Each request is answered by one of its three numbers, "Deny" or "This wasn't me", signed
   with the request's nonce; the outcome is said in the status line. Cards stay in place
   between listings (a listing never moves the focus or the button under a thumb). */
(function () {
  "use strict";
  const keys = window.PortalAppKeys;
  const app = window.PortalApp;
  const REFRESH_MS = 3000;
  const CLOSED = "This request was already answered, closed or has expired.";
  const OUTCOMES = {
    approved: "Approved. Your computer is signing in.",
    denied: "Denied.",
    wrong_number: "That was not the number on the sign-in page: the request was denied.",
    reported: "Reported: that sign-in was stopped and your firm's administrators were told."
  };
  const REMOVED = "This phone was removed from your Partner Portal account, so it was " +
                  "forgotten here.";
  const byId = document.getElementById.bind(document);
  const status = byId("app-status");
  const list = byId("requests");
  const template = byId("request-template");
  const cards = new Map();  // request id -> its card
  const notifications = new app.Notifications(gone);
  let phone = null;
  let listing = null;
  let trouble = "";
  let wanted = new URLSearchParams(window.location.search).get("request");

  function say(text, kind) {
    status.textContent = text;
    status.className = "app-status" + (kind ? " " + kind : "");
  }

  /* Connection trouble is said once, and cleared by the next listing that works. */
  function sayTrouble(text) {
    if (trouble === text && status.textContent === text) { return; }
    trouble = text;
    say(text, "error");
  }

  function show(id, shown) {
    byId(id).hidden = !shown;
  }

  function showNotPaired() {
    show("loading", false);
    show("requests-section", false);
    show("waiting", false);
    show("phone-facts", false);
    show("not-paired", true);
    show("not-paired-ios", app.iosOutsideHomeScreen());
  }

  function showFacts() {
    const facts = byId("phone-facts");
    facts.textContent = "This phone" + (phone.name ? " (" + phone.name + ")" : "") +
      " answers for " + (phone.person || "you") + (phone.firm ? " at " + phone.firm : "") + ".";
    facts.hidden = false;
  }

  async function gone() {
    phone = null;
    cards.forEach(function (card) { card.remove(); });
    cards.clear();
    notifications.hide();
    say(REMOVED, "error");
    showNotPaired();
    try {
      await keys.forgetPhone();
      const registration = await app.registerWorker();
      const subscription = registration && await registration.pushManager.getSubscription();
      if (subscription) { await subscription.unsubscribe(); }
    } catch (error) { /* nothing was kept, or no push to stop */ }
  }

  function when(iso) {
    const date = new Date(iso);
    if (isNaN(date)) { return iso; }
    const today = date.toDateString() === new Date().toDateString();
    return new Intl.DateTimeFormat(undefined, today
      ? {timeStyle: "short"} : {dateStyle: "medium", timeStyle: "short"}).format(date);
  }

  function card(request) {
    const element = template.content.firstElementChild.cloneNode(true);
    const key = "request-" + String(request.id).replace(/[^A-Za-z0-9_-]/g, "");
    element.setAttribute("aria-labelledby", key + "-title");
    element.querySelector(".request-title").id = key + "-title";
    element.querySelectorAll("[data-field]").forEach(function (field) {
      const name = field.getAttribute("data-field");
      if (name === "time") {
        field.dateTime = request.time;
        field.textContent = when(request.time);
      } else if (name in request) {
        field.textContent = request[name] === null ? "" : String(request[name]);
      }
    });
    element.querySelector(".request-title").tabIndex = -1;
    const help = element.querySelector(".pick-help");
    help.id = key + "-help";
    const numbers = element.querySelector(".numbers");
    numbers.setAttribute("aria-labelledby", help.id);
    (request.numbers || []).forEach(function (number) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "primary number";
      button.textContent = String(number);
      button.addEventListener("click", function () { answer(request, element, "approve", number); });
      numbers.appendChild(button);
    });
    element.querySelectorAll("[data-action]").forEach(function (button) {
      const action = button.getAttribute("data-action");
      button.addEventListener("click", function () { answer(request, element, action, null); });
    });
    return element;
  }

  function render(requests) {
    const current = new Set(requests.map(function (request) { return String(request.id); }));
    cards.forEach(function (element, id) {
      if (!current.has(id) && !element.hasAttribute("aria-busy")) {
        element.remove();
        cards.delete(id);
      }
    });
    requests.forEach(function (request, index) {
      const id = String(request.id);
      if (!cards.has(id)) { cards.set(id, card(request)); }
      const element = cards.get(id);
      if (list.children[index] !== element) { list.insertBefore(element, list.children[index] || null); }
    });
    show("no-requests", cards.size === 0);
    show("requests-section", true);
    if (wanted) {
      const element = cards.get(wanted);
      if (element) {
        element.scrollIntoView({block: "start"});
        element.querySelector(".request-title").focus();
      } else {
        say(CLOSED);
      }
      wanted = null;
    }
  }

  /* One listing at a time: a caller during one waits for it. */
  function refresh() {
    if (!phone) { return Promise.resolve(); }
    if (!listing) {
      listing = readList()
        .catch(function () { sayTrouble("Could not read the sign-in requests just now."); })
        .finally(function () { listing = null; });
    }
    return listing;
  }

  async function readList() {
    const result = await keys.listRequests(phone);
    if (!phone) { return; }
    if (keys.removed(result)) { await gone(); return; }
    if (result.status !== 200) { sayTrouble(result.data.error); return; }
    if (trouble && status.textContent === trouble) { say(""); }
    trouble = "";
    const data = result.data;
    await remember(data);
    show("loading", false);
    show("waiting", !data.confirmed);
    byId("waiting-code").textContent = phone.code || "";
    if (!data.confirmed) {
      show("requests-section", false);
      return;
    }
    render(Array.isArray(data.requests) ? data.requests : []);
    notifications.update(phone, data.push);
  }

  /* What the listing says of this phone, kept for the worker (the firm's name) and the next
     opening; the pairing code is forgotten once the computer has confirmed it. */
  async function remember(data) {
    const next = Object.assign({}, phone, {
      firm: data.firm || phone.firm, person: data.person || phone.person,
      vapidKey: data.vapid_public_key || phone.vapidKey
    });
    if (data.confirmed) { delete next.code; }
    if (JSON.stringify([next.firm, next.person, next.vapidKey, next.code]) !==
        JSON.stringify([phone.firm, phone.person, phone.vapidKey, phone.code])) {
      phone = next;
      await keys.savePhone(phone);
      showFacts();
    }
  }

  async function answer(request, element, action, pick) {
    const buttons = element.querySelectorAll("button");
    buttons.forEach(function (button) { button.disabled = true; });
    element.setAttribute("aria-busy", "true");
    let result;
    try {
      result = await keys.answer(phone, request, action, pick);
    } catch (error) {
      result = {status: 0, data: {error: "This phone could not sign its answer. Try again."}};
    }
    if (keys.removed(result)) { await gone(); return; }
    let done = true;
    if (result.status === 200) {
      const outcome = result.data.result;
      say(outcome === "reported" && result.data.message ? result.data.message
          : OUTCOMES[outcome] || result.data.message || "Answered.",
          outcome === "approved" ? "approved" : "denied");
    } else if (result.status === 409) {
      say(CLOSED, "denied");
    } else {
      say(result.data.error, "error");
      done = result.status !== 0 && result.status < 500 && result.status !== 429;
    }
    element.removeAttribute("aria-busy");
    if (done) {
      element.remove();
      cards.delete(String(request.id));
      show("no-requests", cards.size === 0);
      status.focus();  // the tapped button is gone: the outcome is where the focus goes
    } else {
      buttons.forEach(function (button) { button.disabled = false; });
    }
    refresh();
  }

  function pairLink(event) {
    event.preventDefault();
    const field = byId("pair-link");
    const error = byId("pair-link-error");
    const pairPath = document.body.getAttribute("data-pair");
    let url = null;
    try { url = new URL(field.value.trim(), window.location.href); } catch (problem) { url = null; }
    if (url && url.origin === window.location.origin && url.pathname === pairPath &&
        url.hash.length > 1) {
      window.location.assign(url.href);
      return;
    }
    error.textContent = "That is not a link for this app: it starts with " +
      window.location.origin + pairPath + "#";
    error.hidden = false;
    field.setAttribute("aria-invalid", "true");
    field.focus();
  }

  function loop() {
    window.setTimeout(async function () {
      if (document.visibilityState === "visible") { await refresh(); }
      if (phone) { loop(); }
    }, REFRESH_MS);
  }

  async function begin() {
    try {
      phone = await keys.loadPhone();
    } catch (error) {
      show("loading", false);
      say("This browser keeps nothing for this app (a private window?), so it cannot be set " +
          "up here.", "error");
      return;
    }
    if (!phone) {
      showNotPaired();
      return;
    }
    showFacts();
    await refresh();
    loop();
  }

  byId("link-form").addEventListener("submit", pairLink);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { refresh(); }
  });
  app.onWorkerMessage(function (message) {
    if (message.type === "open" && message.request) { wanted = String(message.request); }
    if (message.type === "resubscribe") { notifications.resubscribe(); } else { refresh(); }
  });
  begin();
})();
