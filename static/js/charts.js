// Draws every [data-chart] element from the figure JSON in the <script type="application/json">
// (Django's json_script) whose id it names. Needs static/vendor/plotly.min.js on the page.
"use strict";

function drawCharts(root) {
  if (typeof window.Plotly === "undefined") return;
  (root || document).querySelectorAll("[data-chart]").forEach((el) => {
    if (el.dataset.drawn) return;
    const source = document.getElementById(el.dataset.chart);
    if (!source) return;
    let fig;
    try {
      fig = JSON.parse(source.textContent);
    } catch (error) {
      el.textContent = "Chart data could not be read.";
      return;
    }
    el.dataset.drawn = "1";
    window.Plotly.newPlot(el, fig.data || [], fig.layout || {}, { responsive: true, displaylogo: false });
  });
}

document.addEventListener("DOMContentLoaded", () => drawCharts(document));
document.addEventListener("htmx:afterSwap", (event) => drawCharts(event.target));
