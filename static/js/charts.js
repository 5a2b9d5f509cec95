/* The unit page's two charts, drawn with the vendored ECharts from the data json_script put in the page.
 * The same figures are in the tables on the page, so the charts are an enhancement only. */
(function () {
  "use strict";

  var PALETTE = ["#a4161a", "#d4a017", "#495057", "#2f6f4f", "#6a4c93", "#1f5f8b"];

  function readData() {
    var node = document.getElementById("chart-data");
    if (!node) {
      return null;
    }
    try {
      return JSON.parse(node.textContent);
    } catch (error) {
      return null;
    }
  }

  // With nothing to draw, the chart says so instead of showing an empty ring or flat bars.
  function emptyTitle(element) {
    return {
      show: true,
      text: element.getAttribute("data-empty-text") || "",
      left: "center",
      top: "middle",
      textStyle: { color: "#495057", fontSize: 14, fontWeight: "normal" }
    };
  }

  function categoryChart(element, rows) {
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    // Zero slices only crowd the labels; the table still lists every category.
    rows = rows.filter(function (row) {
      return row.value > 0;
    });
    if (!rows.length) {
      chart.setOption({ title: emptyTitle(element) });
      return chart;
    }
    chart.setOption({
      color: PALETTE,
      tooltip: { renderMode: "richText", trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { bottom: 0, type: "scroll", textStyle: { color: "#212529" } },
      series: [
        {
          type: "pie",
          radius: ["35%", "65%"],
          center: ["50%", "45%"],
          avoidLabelOverlap: true,
          label: { color: "#212529", formatter: "{b}\n{c}" },
          data: rows
        }
      ]
    });
    return chart;
  }

  function ageChart(element, age) {
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    var total = age.values.reduce(function (sum, value) {
      return sum + value;
    }, 0);
    if (!total) {
      chart.setOption({ title: emptyTitle(element) });
      return chart;
    }
    chart.setOption({
      color: [PALETTE[0]],
      tooltip: { renderMode: "richText", trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
      xAxis: {
        type: "category",
        data: age.labels,
        axisLabel: { color: "#212529", interval: 0, hideOverlap: true },
        axisLine: { lineStyle: { color: "#d4a017" } }
      },
      yAxis: { type: "value", minInterval: 1, axisLabel: { color: "#212529" } },
      series: [
        {
          type: "bar",
          data: age.values,
          barMaxWidth: 48,
          label: { show: true, position: "top", color: "#212529" }
        }
      ]
    });
    return chart;
  }

  function draw() {
    if (!window.echarts) {
      return;
    }
    var data = readData();
    if (!data) {
      return;
    }
    var charts = [];
    var categoryElement = document.getElementById("chart-category");
    if (categoryElement && data.category) {
      charts.push(categoryChart(categoryElement, data.category));
    }
    var ageElement = document.getElementById("chart-age");
    if (ageElement && data.age) {
      charts.push(ageChart(ageElement, data.age));
    }
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) {
        chart.resize();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
