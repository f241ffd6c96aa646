/* The Partner Portal app's key and its talk with the portal, for the pages and the service
   worker alike (a plain script: a page's <script>, the worker's importScripts).

   - This phone: one record in IndexedDB {device, privateKey, firm, person, origin, name, ...}.
     The private key is the CryptoKey itself (a structured clone), made non-extractable:
     nothing, not even this script, can read its bytes.
   - Signed calls: {payload, signature}, where payload is canonical JSON (keys in sorted
     order, no spaces) and signature is WebCrypto's ECDSA P-256 / SHA-256 raw r||s, base64url.
   - Every answer is {status, data}; data.error is a sentence to show as it is. */
(function (scope) {
  "use strict";
  const API = "/app/api/";
  const DB_NAME = "portal-app";
  const STORE = "phone";
  const KEY = "this";
  const SIGNING = {name: "ECDSA", hash: "SHA-256"};
  const UNREACHABLE = "Could not reach the portal: check this phone's connection and try again.";

  function toB64url(buffer) {
    const bytes = new Uint8Array(buffer);
    let raw = "";
    for (let i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function fromB64url(text) {
    let base64 = String(text).replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    const raw = atob(base64);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  /* JSON.stringify keeps insertion order: insert the keys sorted, and escape what is not
     printable ASCII as \uXXXX (as the portal's json.dumps does), and it is canonical. */
  function canonical(fields) {
    const sorted = {};
    Object.keys(fields).sort().forEach(function (name) { sorted[name] = fields[name]; });
    return JSON.stringify(sorted).replace(/[\u007f-\uffff]/g, function (character) {
      return "\\u" + character.charCodeAt(0).toString(16).padStart(4, "0");
    });
  }

  function openStore() {
    return new Promise(function (resolve, reject) {
      const opening = indexedDB.open(DB_NAME, 1);
      opening.onupgradeneeded = function () { opening.result.createObjectStore(STORE); };
      opening.onsuccess = function () { resolve(opening.result); };
      opening.onerror = function () { reject(opening.error); };
    });
  }

  async function inStore(mode, act) {
    const db = await openStore();
    try {
      return await new Promise(function (resolve, reject) {
        const transaction = db.transaction(STORE, mode);
        const request = act(transaction.objectStore(STORE));
        transaction.oncomplete = function () { resolve(request.result); };
        transaction.onerror = transaction.onabort = function () { reject(transaction.error); };
      });
    } finally {
      db.close();
    }
  }

  function loadPhone() {
    return inStore("readonly", function (store) { return store.get(KEY); })
      .then(function (phone) { return phone || null; });
  }

  function savePhone(phone) {
    return inStore("readwrite", function (store) { return store.put(phone, KEY); });
  }

  function forgetPhone() {
    return inStore("readwrite", function (store) { return store.delete(KEY); });
  }

  /* A new key pair whose private half can sign and never be exported. */
  async function makeKey() {
    const pair = await crypto.subtle.generateKey(
      {name: "ECDSA", namedCurve: "P-256"}, false, ["sign", "verify"]);
    const publicKey = await crypto.subtle.exportKey("raw", pair.publicKey);  // 65 bytes
    return {privateKey: pair.privateKey, publicKey: toB64url(publicKey)};
  }

  async function call(name, body) {
    let response;
    try {
      response = await fetch(API + name, {
        method: "POST",
        credentials: "omit",  // the phone is its key, never a session
        cache: "no-store",
        headers: {"Content-Type": "application/json", "Accept": "application/json"},
        body: JSON.stringify(body)
      });
    } catch (error) {
      return {status: 0, data: {error: UNREACHABLE}};
    }
    let data = null;
    try { data = await response.json(); } catch (error) { data = null; }
    if (!data || typeof data !== "object") {
      data = {error: "The portal could not answer just now (" + response.status +
                     "). Try again in a moment."};
    }
    return {status: response.status, data: data};
  }

  /* A call signed by this phone: fields gain the phone's device id. */
  async function signed(name, phone, fields) {
    const payload = canonical(Object.assign({}, fields, {device: phone.device}));
    const signature = await crypto.subtle.sign(
      SIGNING, phone.privateKey, new TextEncoder().encode(payload));
    return call(name, {payload: payload, signature: toB64url(signature)});
  }

  /* A fresh challenge from the portal, then the call signed over it. */
  async function signedWithChallenge(name, phone, fields) {
    const fresh = await call("challenge", {device: phone.device});
    if (fresh.status !== 200) { return fresh; }
    return signed(name, phone, Object.assign({}, fields, {challenge: fresh.data.challenge}));
  }

  function listRequests(phone) {
    return signedWithChallenge("requests", phone, {purpose: "list"});
  }

  function answer(phone, request, action, pick) {
    return signed("answer", phone, {
      action: action, nonce: request.nonce, pick: pick === undefined ? null : pick,
      purpose: "answer", request: request.id
    });
  }

  function postSubscription(phone, subscription) {
    const keys = subscription.keys || {};
    return signedWithChallenge("subscription", phone, {
      auth: keys.auth || "", endpoint: subscription.endpoint, p256dh: keys.p256dh || "",
      purpose: "subscribe"
    });
  }

  /* The portal says this phone was removed (or never finished pairing): forget it here. */
  function removed(result) {
    return result.status === 403 && Boolean(result.data && result.data.removed);
  }

  scope.PortalAppKeys = {
    API: API, toB64url: toB64url, fromB64url: fromB64url, canonical: canonical,
    loadPhone: loadPhone, savePhone: savePhone, forgetPhone: forgetPhone, makeKey: makeKey,
    call: call, listRequests: listRequests, answer: answer, postSubscription: postSubscription,
    removed: removed
  };
})(self);
