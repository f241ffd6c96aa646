/* What both app pages share: the service worker's registration, where this phone runs
   (iPhone/iPad, from the Home Screen or not), and notifications: asking for them, subscribing
   with the standard Push API (here, never in the worker) and telling the portal.

   Notifications are asked for only on a tap on "Turn on notifications" (browsers refuse or
   bury a request that comes without one); once allowed, the subscription is kept up to date
   without asking: re-made when the portal's VAPID key changed, re-posted when its endpoint
   changed or the portal says it is "off" or "gone". */
(function () {
  "use strict";
  const keys = window.PortalAppKeys;
  const body = document.body;
  const workerListeners = [];
  let registering = null;

  function isIos() {
    return /iPad|iPhone|iPod/.test(navigator.userAgent) ||
      (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);  // iPadOS asks as a Mac
  }

  function isStandalone() {
    return window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
  }

  /* iOS lets only a Home Screen app get notifications (and keeps its storage apart). */
  function iosOutsideHomeScreen() {
    return isIos() && !isStandalone();
  }

  function pushSupported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  function registerWorker() {
    if (!("serviceWorker" in navigator)) { return null; }
    if (!registering) {
      registering = navigator.serviceWorker
        .register(body.getAttribute("data-service-worker"), {scope: body.getAttribute("data-start")})
        .then(function () { return navigator.serviceWorker.ready; });
      registering.catch(function () { registering = null; });
      navigator.serviceWorker.addEventListener("message", function (event) {
        workerListeners.forEach(function (listener) { listener(event.data || {}); });
      });
    }
    return registering;
  }

  function onWorkerMessage(listener) {
    workerListeners.push(listener);
  }

  function sameKey(a, b) {
    if (!a) { return true; }  // a browser that does not say: keep the subscription
    const bytes = new Uint8Array(a);
    return bytes.length === b.length && bytes.every(function (value, i) { return value === b[i]; });
  }

  /* Subscribed with the portal's key, and the portal told of it when anything changed. */
  async function subscribe(phone, pushState, force) {
    const registration = await registerWorker();
    if (!registration) { throw new Error("no service worker"); }
    const serverKey = keys.fromB64url(phone.vapidKey);
    let subscription = await registration.pushManager.getSubscription();
    if (subscription && !sameKey(subscription.options && subscription.options.applicationServerKey,
                                 serverKey)) {
      await subscription.unsubscribe();
      subscription = null;
    }
    if (!subscription) {
      subscription = await registration.pushManager.subscribe(
        {userVisibleOnly: true, applicationServerKey: serverKey});
    }
    const json = subscription.toJSON();
    if (!force && pushState === "on" && json.endpoint === phone.endpoint) { return null; }
    const result = await keys.postSubscription(phone, json);
    if (result.status === 200) {
      phone.endpoint = json.endpoint;
      await keys.savePhone(phone);
    }
    return result;
  }

  /* The "Notifications" section: hidden when notifications reach this phone, else what is
     missing and, where a tap can fix it, "Turn on notifications". onGone(result) is called
     when the portal says the phone was removed. */
  function Notifications(onGone) {
    this.section = document.getElementById("notifications");
    this.text = document.getElementById("notifications-text");
    this.ios = document.getElementById("notifications-ios");
    this.button = document.getElementById("notifications-on");
    this.onGone = onGone;
    this.phone = null;
    this.pushState = null;
    this.busy = false;
    this.refused = false;  // the portal refused the last subscription: wait for a tap
    this.button.addEventListener("click", this.turnOn.bind(this));
  }

  Notifications.prototype.show = function (text, withButton) {
    this.section.hidden = false;
    this.ios.hidden = !iosOutsideHomeScreen();
    this.text.textContent = text;
    this.button.hidden = !withButton;
    this.button.disabled = false;
  };

  Notifications.prototype.hide = function () {
    this.section.hidden = true;
  };

  /* Called with each fresh listing (or the pairing's answer): the phone and its push state. */
  Notifications.prototype.update = async function (phone, pushState) {
    this.phone = phone;
    this.pushState = pushState;
    if (this.busy || !phone.vapidKey) { return; }
    if (!pushSupported()) {
      this.show(iosOutsideHomeScreen()
        ? "On iPhone and iPad, only apps on the Home Screen get notifications. Until this " +
          "app is there, open it to see sign-in requests."
        : "This browser cannot show notifications. Open this app to see sign-in requests.", false);
      return;
    }
    if (Notification.permission === "denied") {
      this.show("Notifications are blocked for this app. Allow them in this browser's settings " +
                "for this site, then open the app again. Until then, open this app to see " +
                "sign-in requests.", false);
      return;
    }
    if (Notification.permission === "granted") {
      if (this.refused) { return; }  // the portal's reason stays on screen until a tap
      this.busy = true;
      try {
        await this.settle(await subscribe(phone, pushState, false));
      } catch (error) {
        this.refused = true;
        this.show("Notifications could not be set up on this phone just now. Try again.", true);
      } finally {
        this.busy = false;
      }
      return;
    }
    this.show(pushState === "gone"
      ? "Notifications stopped reaching this phone. Turn them on again to hear of sign-ins."
      : "Turn on notifications to hear of a sign-in as it happens. Without them, open this " +
        "app to see the requests.", true);
  };

  Notifications.prototype.settle = async function (result) {
    this.refused = false;
    if (result === null || result.status === 200) {
      this.pushState = "on";
      this.hide();
    } else if (keys.removed(result)) {
      this.hide();
      this.onGone(result);
    } else {
      this.refused = true;
      this.show(result.data.error, true);
    }
  };

  Notifications.prototype.turnOn = async function () {
    if (!this.phone) { return; }
    this.button.disabled = true;
    this.busy = true;
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        this.busy = false;
        await this.update(this.phone, this.pushState);
        return;
      }
      await this.settle(await subscribe(this.phone, this.pushState, true));
    } catch (error) {
      this.show("Notifications could not be set up on this phone just now. Try again.", true);
    } finally {
      this.busy = false;
    }
  };

  /* The worker says the push service renewed the subscription: post the new one. */
  Notifications.prototype.resubscribe = async function () {
    if (!this.phone || !pushSupported() || Notification.permission !== "granted") { return; }
    try {
      await this.settle(await subscribe(this.phone, this.pushState, true));
    } catch (error) {
      this.show("Notifications could not be set up on this phone just now. Try again.", true);
    }
  };

  registerWorker();

  window.PortalApp = {
    isIos: isIos, isStandalone: isStandalone, iosOutsideHomeScreen: iosOutsideHomeScreen,
    registerWorker: registerWorker, onWorkerMessage: onWorkerMessage, Notifications: Notifications
  };
})();
