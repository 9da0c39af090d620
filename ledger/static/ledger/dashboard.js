// The SLA dashboard's two charts, drawn from the page's "chart-data" JSON (json_script), whose "words" are
// already in the reader's language (ledger/views.py), as are the month labels.
// A file, not an inline script: the Content-Security-Policy allows scripts from our own address only.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("chart-data");
  if (typeof Chart === "undefined" || !source) { return; }
  var data = JSON.parse(source.textContent);
  var words = data.words || {met: "Met", breached: "Breached", compliance: "Compliance %"};
  var locale = document.documentElement.lang || undefined;
  new Chart(document.getElementById("chart-months"), {
    type: "bar",
    data: {labels: data.months.labels, datasets: [
      {label: words.met, data: data.months.met, backgroundColor: "#417690"},
      {label: words.breached, data: data.months.breached, backgroundColor: "#ba2121"}]},
    options: {locale: locale, responsive: true, scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true}}}
  });
  var agencies = document.getElementById("chart-agencies");
  if (agencies) {
    new Chart(agencies, {
      type: "bar",
      data: {labels: data.agencies.labels, datasets: [{label: words.compliance, data: data.agencies.percent, backgroundColor: "#79aec8"}]},
      options: {locale: locale, responsive: true, scales: {y: {min: 0, max: 100}}}
    });
  }
});
