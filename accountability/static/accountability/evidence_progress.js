// An evidence pack's page: poll its progress (a JSON endpoint reading the pack's row) until the worker is
// done, then reload once to show what the pack holds and its download.
(function () {
  "use strict";
  var box = document.getElementById("pack");
  if (!box || box.dataset.finished === "true") { return; }
  var url = box.dataset.progressUrl;
  function show(pack) {
    var bar = document.getElementById("pack-bar");
    bar.value = pack.percent;
    bar.textContent = pack.percent + "%";
    document.getElementById("pack-status").textContent = pack.status_label;
    document.getElementById("pack-done").textContent = pack.files_done;
    document.getElementById("pack-total").textContent = pack.files_total;
    var message = document.getElementById("pack-message");
    message.textContent = pack.message;
    message.hidden = !pack.message;
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (pack) {
        show(pack);
        if (pack.finished) { window.location.reload(); } else { window.setTimeout(poll, 700); }
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  poll();
})();
