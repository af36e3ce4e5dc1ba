// The dashboard's charts, drawn from the JSON the page carries. The table next to each chart is
// the truth (the canvas is hidden from screen readers); the dashed line is the 70 % target.
(function () {
  "use strict";
  const source = document.getElementById("impact-charts");
  if (!source || typeof Chart === "undefined") return;
  const charts = JSON.parse(source.textContent);
  const blue = "#1f4e79";
  const orange = "#b34700";
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    const spec = charts[canvas.dataset.chart];
    if (!spec) return;
    const datasets = [{ type: "bar", label: spec.title, data: spec.values, backgroundColor: blue }];
    if (spec.target !== null) {
      datasets.push({
        type: "line",
        label: "Objectif " + spec.target + " %",
        data: spec.labels.map(function () { return spec.target; }),
        borderColor: orange,
        borderDash: [6, 4],
        pointRadius: 0,
        fill: false,
      });
    }
    new Chart(canvas, {
      data: { labels: spec.labels, datasets: datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { y: spec.percent ? { min: 0, max: 100, ticks: { callback: function (v) { return v + " %"; } } } : { beginAtZero: true } },
        plugins: { legend: { display: spec.target !== null } },
      },
    });
  });
})();
