// The run page: poll the run's progress (a JSON endpoint reading the run's row) until the worker is done,
// then reload once to show the drafts to review.
(function () {
  "use strict";
  var box = document.getElementById("run");
  if (!box || box.dataset.finished === "true") { return; }
  var url = box.dataset.progressUrl;
  function show(run) {
    document.getElementById("run-bar").value = run.percent;
    document.getElementById("run-bar").textContent = run.percent + "%";
    document.getElementById("run-status").textContent = run.status_label;
    // the words around the figures are the page's, in the reader's language
    document.getElementById("run-done").textContent = run.agencies_done;
    document.getElementById("run-total").textContent = run.agencies_total;
    document.getElementById("run-drafts").textContent = run.drafts_made;
    document.getElementById("run-skipped").textContent = run.skipped_issued;
    var message = document.getElementById("run-message");
    message.textContent = run.message;
    message.hidden = !run.message;
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (run) {
        show(run);
        if (run.finished) { window.location.reload(); } else { window.setTimeout(poll, 700); }
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  poll();
})();
