/* The funding overview's chart (issue 22): granted yuan per secondary committee as horizontal bars, so long
 * committee names stay readable on a phone. The table below holds the same numbers. No inline script: CSP. */
(function () {
  "use strict";

  function draw() {
    var node = document.getElementById("funding-data");
    var element = document.getElementById("funding-chart");
    if (!node || !element || !window.echarts) {
      return;
    }
    var data = JSON.parse(node.textContent);
    element.style.height = Math.max(200, data.units.length * 28 + 60) + "px";
    var chart = window.echarts.init(element, null, { renderer: "canvas", locale: "ZH" });
    var yuan = function (v) {
      return "¥" + Number(v).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    };
    chart.setOption({
      color: ["#a4161a"],
      tooltip: { renderMode: "richText", trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: yuan },
      grid: { left: 8, right: 72, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", axisLabel: { color: "#212529", formatter: function (v) {
        return v >= 10000 ? (v / 10000).toLocaleString("zh-CN") + "万" : v.toLocaleString("zh-CN");
      } } },
      yAxis: { type: "category", inverse: true, data: data.units,
        axisLabel: { color: "#212529", width: 120, overflow: "truncate" } },
      series: [{ name: data.labels.granted, type: "bar", data: data.granted, barMaxWidth: 22,
        label: { show: true, position: "right", color: "#212529", formatter: function (p) { return yuan(p.value); } } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
