/* Benchmarking (对标): sortable tables and two ECharts charts from the data json_script put in the page.
 * The tables hold every figure, so the charts are an enhancement only. No inline script: CSP. */
(function () {
  "use strict";

  var PALETTE = ["#a4161a", "#d4a017", "#495057", "#2f6f4f", "#6a4c93", "#1f5f8b"];

  function sortTable(table, index, numeric, button) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var ascending = button.getAttribute("data-sort") !== "ascending";
    rows.sort(function (a, b) {
      var x = a.cells[index].getAttribute("data-value") || "";
      var y = b.cells[index].getAttribute("data-value") || "";
      var result = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y, "zh-Hans-CN");
      return ascending ? result : -result;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    table.querySelectorAll("th").forEach(function (th) { th.removeAttribute("aria-sort"); });
    table.querySelectorAll(".bench-sort").forEach(function (b) { b.removeAttribute("data-sort"); });
    button.setAttribute("data-sort", ascending ? "ascending" : "descending");
    button.parentNode.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    table.querySelectorAll(".bench-sort").forEach(function (button) {
      button.addEventListener("click", function () {
        sortTable(table, button.parentNode.cellIndex, button.getAttribute("data-type") === "num", button);
      });
    });
  });

  var node = document.getElementById("bench-data");
  if (!node || !window.echarts) {
    return;
  }
  var data = JSON.parse(node.textContent);
  var charts = [];

  var sections = document.getElementById("bench-sections");
  if (sections) {
    // Horizontal bars, one row per unit: the names never overlap, on a phone either (issue 22).
    sections.style.height = Math.max(240, data.committees.length * 26 + 80) + "px";
    var chart = window.echarts.init(sections, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption({
      color: PALETTE,
      tooltip: { renderMode: "richText", trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { data: data.sections, top: 0, type: "scroll" },
      grid: { left: 8, right: 16, bottom: 8, top: 40, containLabel: true },
      yAxis: { type: "category", inverse: true, data: data.committees,
        axisLabel: { interval: 0, fontSize: 11, width: 110, overflow: "truncate" } },
      xAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (values, i) {
        return { name: data.sections[i], type: "bar", stack: "posts", data: values, barMaxWidth: 18 };
      })
    });
    charts.push(chart);
  }

  var branches = document.getElementById("bench-branches");
  if (branches) {
    var scatter = window.echarts.init(branches, null, { renderer: "canvas", locale: "ZH" });
    scatter.setOption({
      color: PALETTE,
      // Drawn on the canvas (richText, lines split by \n): ECharts' HTML tooltips carry style="" attributes,
      // which the CSP (style-src 'self') refuses on every hover, as the dashboard's charts found (issue 22).
      tooltip: {
        renderMode: "richText",
        formatter: function (p) {
          return p.value[2] + "\n" + data.labels.posts + "：" + p.value[0] + "\n" + data.labels.on_time + "：" + p.value[1];
        }
      },
      // The axis titles sit beside their axes, inside the canvas (containLabel leaves names out: issue 22).
      grid: { left: 36, right: 16, bottom: 40, top: 16, containLabel: true },
      xAxis: { type: "value", name: data.labels.posts, minInterval: 1, nameLocation: "middle", nameGap: 28 },
      yAxis: { type: "value", name: data.labels.on_time, max: 100, nameLocation: "middle", nameGap: 40,
        nameRotate: 90 },
      series: [{ type: "scatter", symbolSize: 8, data: data.branches }]
    });
    charts.push(scatter);
  }
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
