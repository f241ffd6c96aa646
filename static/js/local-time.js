// Shows each <time data-local-time datetime="..."> in the reader's own time zone.
(function () {
  "use strict";
  document.querySelectorAll("time[data-local-time]").forEach(function (element) {
    var when = new Date(element.getAttribute("datetime"));
    if (isNaN(when.getTime())) {
      return;
    }
    var sameDay = when.toDateString() === new Date().toDateString();
    var options = sameDay
      ? { hour: "2-digit", minute: "2-digit", timeZoneName: "short" }
      : { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
          timeZoneName: "short" };
    element.textContent = when.toLocaleString(undefined, options);
  });
})();
