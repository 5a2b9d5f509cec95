/* The July-1 assessment pages: the star distribution chart (vendored ECharts, data from json_script — the
 * same figures are in the table below it) and the report's print button. No inline scripts (CSP). */
(function () {
  "use strict";

  var PALETTE = ["#a4161a", "#d4a017", "#495057", "#2f6f4f"];

  function drawChart() {
    var element = document.getElementById("assessment-chart");
    var node = document.getElementById("assessment-chart-data");
    if (!element || !node || !window.echarts) {
      return;
    }
    var data;
    try {
      data = JSON.parse(node.textContent);
    } catch (error) {
      return;
    }
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      color: PALETTE,
      tooltip: { renderMode: "richText", trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 48, bottom: 32 },
      xAxis: { type: "category", data: data.grades },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "all", data: s.data };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function bindPrint() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawChart();
    bindPrint();
  });
}());
