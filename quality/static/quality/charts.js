// The quality system's charts: each <canvas data-chart="ID"> is drawn from the JSON of the element ID
// (json_script) as stacked bars: {"labels": [...], "series": [{"label", "data", "colour"}]}. The words
// arrive already in the reader's language. A file, not an inline script: the Content-Security-Policy
// allows scripts from our own address only.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  if (typeof Chart === "undefined") { return; }
  var locale = document.documentElement.lang || undefined;
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (serie) {
          return {label: serie.label, data: serie.data, backgroundColor: serie.colour};
        })
      },
      options: {locale: locale, responsive: true, scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true, ticks: {precision: 0}}}}
    });
  });
});
