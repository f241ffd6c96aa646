/* The pairing page, opened from the desktop's "Link for your phone": the secret rides in the
   fragment (never sent in a GET, never in a log) and is dropped from the address at once.
   "Add this phone" makes this phone's own key (non-extractable), registers its public half
   with the secret, keeps the key in IndexedDB, and shows the 6-digit pairing code to type on
   the computer; the phone counts once the computer has confirmed it, which this page learns
   by listing every 2 seconds. */
(function () {
  "use strict";
  const keys = window.PortalAppKeys;
  const app = window.PortalApp;
  const POLL_MS = 2000;
  const SUBSCRIBE_WAIT_MS = 5000;
  const byId = document.getElementById.bind(document);
  const form = byId("pair-form");
  const field = byId("phone-name");
  const error = byId("pair-error");
  const codeStatus = byId("code-status");
  let secret = window.location.hash.slice(1);
  let phone = null;
  const notifications = new app.Notifications(stopped);

  if (window.location.hash) {
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  byId("pair-ios").hidden = !app.iosOutsideHomeScreen();
  byId("copy-link").hidden = !secret;

  /* iOS keeps the Home Screen app's storage apart from Safari's: the link (its secret now
     gone from the address) is copied here, to paste in the app. */
  async function copyLink() {
    const said = byId("copy-status");
    try {
      await navigator.clipboard.writeText(
        window.location.origin + window.location.pathname + "#" + secret);
      said.textContent = "Copied. Paste it in the app on the Home Screen.";
    } catch (problem) {
      said.textContent = "This browser did not copy it: type the link shown on your computer " +
                         "into the app on the Home Screen.";
    }
  }

  function fail(text) {
    error.textContent = text;
    form.querySelector("button[type=submit]").disabled = false;
  }

  async function addPhone(event) {
    event.preventDefault();
    const name = field.value.trim();
    if (!name) {
      field.setAttribute("aria-invalid", "true");
      fail("Enter a name for this phone.");
      field.focus();
      return;
    }
    field.removeAttribute("aria-invalid");
    error.textContent = "";
    form.querySelector("button[type=submit]").disabled = true;
    let key;
    try {
      key = await keys.makeKey();
    } catch (problem) {
      fail("This browser cannot make a key for the app: open the link in an up-to-date " +
           "browser (Chrome, Edge, Firefox or Safari).");
      return;
    }
    const result = await keys.call("pair", {secret: secret, name: name, public_key: key.publicKey});
    if (result.status !== 201 && result.status !== 200) {
      fail(result.data.error);
      return;
    }
    const data = result.data;
    phone = {
      device: data.device, privateKey: key.privateKey, firm: data.firm, person: data.person,
      origin: window.location.origin, name: name, vapidKey: data.vapid_public_key, code: data.code
    };
    secret = "";
    try {
      await keys.savePhone(phone);
    } catch (problem) {
      fail("This browser keeps nothing for this app (a private window?), so the phone cannot " +
           "be added here.");
      return;
    }
    if (navigator.storage && navigator.storage.persist) {
      navigator.storage.persist().catch(function () { /* the browser decides */ });
    }
    showCode(data.code);
  }

  function showCode(code) {
    byId("pair-step").hidden = true;
    byId("pair-ios").hidden = true;  // paired here: its link is spent
    byId("pairing-code").textContent = code;
    byId("code-step").hidden = false;
    codeStatus.textContent = "Waiting for your computer…";
    byId("code-title").focus();
    window.setTimeout(poll, POLL_MS);
  }

  async function poll() {
    let result;
    try {
      result = await keys.listRequests(phone);
    } catch (problem) {
      result = {status: 0, data: {}};
    }
    if (keys.removed(result)) {
      await stopped(result);
      return;
    }
    if (result.status === 200 && result.data.confirmed) {
      await confirmed(result.data);
      return;
    }
    codeStatus.textContent = result.status === 200 ? "Waiting for your computer…"
      : "Could not reach the portal just now; still trying…";
    window.setTimeout(poll, POLL_MS);
  }

  async function confirmed(data) {
    delete phone.code;
    phone.firm = data.firm || phone.firm;
    phone.person = data.person || phone.person;
    phone.vapidKey = data.vapid_public_key || phone.vapidKey;
    await keys.savePhone(phone);
    // Where notifications are allowed already, subscribe before saying "set up" (a sign-in
    // right after it gets its push); a browser slow to answer does not hold the page.
    await Promise.race([notifications.update(phone, data.push), pause(SUBSCRIBE_WAIT_MS)]);
    byId("code-step").hidden = true;
    byId("done-facts").textContent = "It answers sign-ins for " + phone.person + " at " +
      phone.firm + ".";
    byId("done-step").hidden = false;
    byId("done-title").focus();
  }

  function pause(ms) {
    return new Promise(function (resolve) { window.setTimeout(resolve, ms); });
  }

  /* The portal refused the phone (the pairing was cancelled or expired, or it was removed). */
  async function stopped(result) {
    phone = null;
    try { await keys.forgetPhone(); } catch (problem) { /* nothing kept */ }
    byId("pairing-code").textContent = "";
    byId("done-step").hidden = true;
    byId("code-step").hidden = false;
    codeStatus.textContent = ((result.data && result.data.error) || "The portal refused this phone.") +
      " On your computer, set up the app again for a new link.";
  }

  /* No secret: a reload after pairing (the address lost it) goes on at the start page. */
  async function withoutSecret() {
    byId("pair-step").hidden = true;
    let kept = null;
    try { kept = await keys.loadPhone(); } catch (problem) { kept = null; }
    if (kept) {
      window.location.replace(document.body.getAttribute("data-start"));
    } else {
      byId("pair-no-secret").hidden = false;
    }
  }

  if (secret) {
    form.addEventListener("submit", addPhone);
    byId("copy-link").addEventListener("click", copyLink);
  } else {
    withoutSecret();
  }
})();
