// The scorecards' trend charts: each <canvas data-chart="ID" data-chart-key="KEY"> is drawn from the JSON of
// the element ID (json_script): {"labels": [...], "charts": {KEY: {"type": "bar"|"line", "series": [{"label",
// "colour", "data"}]}}}. Bars are stacked; lines skip the months without a figure (null). The words arrive
// already in the reader's language. A file, not an inline script: the Content-Security-Policy allows scripts
// from our own address only.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  if (typeof Chart === "undefined") { return; }
  var locale = document.documentElement.lang || undefined;
  document.querySelectorAll("canvas[data-chart][data-chart-key]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var chart = data.charts[canvas.getAttribute("data-chart-key")];
    if (!chart) { return; }
    var stacked = chart.type === "bar";
    new Chart(canvas, {
      type: chart.type,
      data: {
        labels: data.labels,
        datasets: chart.series.map(function (serie) {
          return {
            label: serie.label,
            data: serie.data.map(function (value) { return value === null ? null : Number(value); }),
            backgroundColor: serie.colour,
            borderColor: serie.colour,
            spanGaps: false
          };
        })
      },
      options: {
        locale: locale,
        responsive: true,
        scales: {x: {stacked: stacked}, y: {stacked: stacked, beginAtZero: true}}
      }
    });
  });
});
