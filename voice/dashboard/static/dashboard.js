// Draws the dashboard's charts with Chart.js from the page's JSON block (id "chart-data").
// Each <canvas id="NAME" data-kind="line|bar|funnel"> gets the series of data[NAME].
(function () {
  "use strict";
  var COLOURS = ["#2563eb", "#16a34a", "#dc2626", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563"];

  function config(kind, data) {
    // the axes write numbers as the page's language does (Dutch 1.000)
    var base = { locale: document.documentElement.lang || undefined, animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { display: kind === "line" } } };
    if (kind === "line") {
      var names = Object.keys(data.series);
      return {
        type: "line",
        data: {
          labels: data.labels,
          datasets: names.map(function (name, i) {
            return { label: name, data: data.series[name], borderColor: COLOURS[i], backgroundColor: COLOURS[i], tension: 0.2 };
          }),
        },
        options: Object.assign(base, { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }),
      };
    }
    var horizontal = kind === "funnel";
    return {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ data: data.values, backgroundColor: data.values.map(function (_, i) { return COLOURS[i % COLOURS.length]; }) }],
      },
      options: Object.assign(base, { indexAxis: horizontal ? "y" : "x", scales: { x: { beginAtZero: true }, y: { beginAtZero: true } } }),
    };
  }

  function draw() {
    var block = document.getElementById("chart-data");
    if (!block || typeof Chart === "undefined") { return; }
    var charts = JSON.parse(block.textContent);
    document.querySelectorAll("canvas[data-kind]").forEach(function (canvas) {
      var data = charts[canvas.id];
      if (!data) { return; }
      new Chart(canvas, config(canvas.dataset.kind, data));
      canvas.dataset.drawn = "true";
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
