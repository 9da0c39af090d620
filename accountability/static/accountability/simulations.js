// The fair-cost simulation's chart: each <canvas data-simulation-chart="ID"> is drawn from the JSON of the
// element ID (json_script) as grouped bars per agency: what it paid beside what it would have paid under
// each key. {"labels": [...], "series": [{"label", "data" (decimal strings), "colour"}]}. The words arrive
// in the reader's language. A file, not an inline script: the Content-Security-Policy allows scripts from
// our own address only.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  if (typeof Chart === "undefined") { return; }
  var locale = document.documentElement.lang || undefined;
  document.querySelectorAll("canvas[data-simulation-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-simulation-chart"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (serie) {
          return {label: serie.label, data: serie.data.map(Number), backgroundColor: serie.colour};
        })
      },
      options: {locale: locale, responsive: true, scales: {y: {beginAtZero: true}}}
    });
  });
});
