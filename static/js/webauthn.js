/* Security keys and passkeys: the browser's side of the three WebAuthn ceremonies.
   An element with data-webauthn="register" (a form with a "Key name"), "sign-in" (the
   challenge page's "Use a security key") or "passkey" (the login page's "Sign in with a
   passkey") asks data-options-url for options, runs navigator.credentials.create/get, and
   posts the answer as JSON (with the CSRF token) to data-answer-url; the server answers
   {redirect} or {error}, shown in the element named by data-error. */
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials || !window.fetch) { return; }

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var raw = atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) { return field.value; }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken(),
                "Accept": "application/json"},
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () {
        return {error: "The portal did not answer as expected. Reload the page and try again."};
      });
    });
  }

  function creationOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.user.id = toBytes(options.user.id);
    (options.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return {publicKey: options};
  }

  function requestOptions(options) {
    options.challenge = toBytes(options.challenge);
    (options.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return {publicKey: options};
  }

  // The credential as JSON, with the response's own fields (base64url text for the bytes).
  function credentialJSON(credential, response) {
    return {
      id: credential.id, rawId: toText(credential.rawId), type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: Object.assign({clientDataJSON: toText(credential.response.clientDataJSON)},
                              response)
    };
  }

  function registrationJSON(credential) {
    var response = credential.response;
    return credentialJSON(credential, {
      attestationObject: toText(response.attestationObject),
      transports: response.getTransports ? response.getTransports() : []
    });
  }

  function assertionJSON(credential) {
    var response = credential.response;
    return credentialJSON(credential, {
      authenticatorData: toText(response.authenticatorData),
      signature: toText(response.signature),
      userHandle: response.userHandle ? toText(response.userHandle) : null
    });
  }

  function browserError(error) {
    if (error && error.name === "NotAllowedError") {
      return "The security key request was cancelled or timed out. Try again.";
    }
    if (error && error.name === "InvalidStateError") {
      return "This security key is already registered to your account.";
    }
    return "Your browser could not use the security key" +
      (error && error.message ? " (" + error.message + ")" : "") + ". Try again.";
  }

  function wire(element) {
    var kind = element.getAttribute("data-webauthn");
    var box = document.getElementById(element.getAttribute("data-error"));
    var busy = false;

    function show(message) {
      if (!box) { return; }
      box.textContent = message;
      box.hidden = !message;
    }

    function settle(answer) {
      if (answer && answer.redirect) { window.location.assign(answer.redirect); return; }
      show((answer && answer.error) || "The security key was not accepted. Try again.");
    }

    function run(event) {
      if (event) { event.preventDefault(); }
      if (busy) { return; }
      busy = true;
      show("");
      var nameField = kind === "register" ? element.querySelector("input[name=name]") : null;
      var body = nameField ? {name: nameField.value} : {};
      post(element.getAttribute("data-options-url"), body).then(function (options) {
        if (options.error) { throw {shown: options.error}; }
        return kind === "register"
          ? navigator.credentials.create(creationOptions(options)).then(registrationJSON)
          : navigator.credentials.get(requestOptions(options)).then(assertionJSON);
      }).then(function (credential) {
        var answer = kind === "register" ? {name: body.name, credential: credential} : credential;
        return post(element.getAttribute("data-answer-url"), answer);
      }).then(settle).catch(function (error) {
        show(error && error.shown ? error.shown : browserError(error));
      }).then(function () { busy = false; });
    }

    if (element.tagName === "FORM") {
      element.addEventListener("submit", run);
    } else {
      element.hidden = false;
      element.addEventListener("click", run);
    }
  }

  function start() {
    var elements = document.querySelectorAll("[data-webauthn]");
    for (var i = 0; i < elements.length; i++) { wire(elements[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
