/* Draws every chart of an insights page from its JSON data island (Chart.js, served locally).
   The figures are always in the table below each chart: without JavaScript only the tables show. */
(function () {
  "use strict";
  var palette = ["#1f5f8b", "#c2571a", "#2e7d4f", "#7b4fa0", "#b03a48", "#5f6b7a", "#a07a00", "#137f86"];
  function draw(island) {
    var canvas = document.querySelector('canvas[data-chart="' + island.id + '"]');
    if (!canvas || typeof Chart === "undefined") { return; }
    var cfg = JSON.parse(island.textContent);
    var horizontal = cfg.horizontal && cfg.type === "bar";
    var datasets = cfg.datasets.map(function (d, i) {
      var c = palette[i % palette.length];
      return { label: d.label, data: d.data, backgroundColor: c, borderColor: c, spanGaps: true, fill: false, tension: 0.2 };
    });
    var value = { stacked: cfg.stacked, beginAtZero: true, title: { display: !!cfg.unit, text: cfg.unit } };
    var category = { stacked: cfg.stacked, ticks: { autoSkip: true, maxRotation: 60 } };
    new Chart(canvas, {
      type: cfg.type,
      data: { labels: cfg.labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { position: "bottom" } },
        scales: horizontal ? { x: value, y: category } : { x: category, y: value }
      }
    });
  }
  function init() {
    document.documentElement.classList.remove("no-js");
    document.querySelectorAll('script[type="application/json"][id^="chart-"]').forEach(draw);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
