// Refreshes a sending mailing's progress from its progress.json every two seconds.
// The page is complete without it; this only saves pressing "Refresh".
(function () {
  "use strict";
  var section = document.querySelector("[data-progress-url]");
  if (!section || !window.fetch) { return; }
  var url = section.getAttribute("data-progress-url");
  var bar = document.getElementById("mailing-progress-bar");
  function set(name, value) {
    document.querySelectorAll('[data-field="' + name + '"]').forEach(function (el) {
      el.textContent = value;
    });
  }
  function tick() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        bar.max = Math.max(1, data.total);
        bar.value = data.finished;
        bar.textContent = data.percent + "%";
        ["total", "sent", "failed", "bounced", "remaining", "deferred", "cancelled", "percent",
          "state_label"].forEach(function (name) { set(name, data[name]); });
        set("per_second", Math.round(data.per_second));
        set("seconds_left", data.seconds_left === null ? "—" : data.seconds_left + " s");
        if (data.state === "sending") { window.setTimeout(tick, 2000); }
      })
      .catch(function () { window.setTimeout(tick, 5000); });
  }
  window.setTimeout(tick, 2000);
})();
