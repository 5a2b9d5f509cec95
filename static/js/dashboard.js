/* The 组织部 dashboard's charts (ECharts, Chinese locale) drawn from the json_script data of each block.
 * Every block's table holds the same numbers and is what shows without JavaScript; with it, each block shows
 * its chart and a switch between chart and table. Clicking a unit's bar or row of cells drills down. */
(function () {
  "use strict";

  var PALETTE = ["#a4161a", "#d4a017", "#2f6f4f", "#1f5f8b", "#6a4c93", "#495057"];
  var INK = "#212529";
  // Tooltips drawn on the canvas: ECharts' HTML tooltips carry style="" attributes, which the CSP (style-src
  // 'self') refuses, so a hovered chart logged CSP errors and showed its tooltip unstyled.
  var TIP = "richText";

  function read(key) {
    var node = document.getElementById("chart-data-" + key);
    if (!node) {
      return null;
    }
    try {
      return JSON.parse(node.textContent);
    } catch (error) {
      return null;
    }
  }

  function unitUrl(id) {
    return window.location.pathname.replace(/\/\d+\/?$/, "/") + id + "/";
  }

  function suffix(kind) {
    return kind === "percent" ? "%" : kind === "money" ? " 元" : "";
  }

  // One unit (a branch has no children): one bar per figure instead of one bar filling the width (issue 22).
  function singleOption(data) {
    return {
      color: PALETTE,
      tooltip: { renderMode: TIP, trigger: "item", valueFormatter: function (v) {
        return v === null || v === undefined ? "—" : v.toLocaleString("zh-CN") + suffix(data.kind);
      } },
      grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.series.map(function (s) { return s.name; }),
        axisLabel: { color: INK, interval: 0, hideOverlap: true, width: 88, overflow: "break" } },
      yAxis: { type: "value", axisLabel: { color: INK, formatter: "{value}" + suffix(data.kind) },
        max: data.kind === "percent" ? 100 : null },
      series: [{ type: "bar", barMaxWidth: 48, colorBy: "data",
        label: { show: true, position: "top", color: INK, formatter: function (p) {
          return p.value === null ? "—" : p.value.toLocaleString("zh-CN") + suffix(data.kind);
        } },
        data: data.series.map(function (s) { return s.data[0]; }) }]
    };
  }

  function barOption(data) {
    var many = data.units.length > 12;
    return {
      color: PALETTE,
      tooltip: { renderMode: TIP, trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) {
        return v === null || v === undefined ? "—" : v.toLocaleString("zh-CN") + suffix(data.kind);
      } },
      legend: { top: 0, type: "scroll", textStyle: { color: INK } },
      grid: { left: 8, right: 16, top: 36, bottom: many ? 72 : 8, containLabel: true },
      dataZoom: many ? [{ type: "slider", bottom: 8, height: 18, startValue: 0, endValue: 24 }] : [],
      xAxis: { type: "category", data: data.units, axisLabel: { color: INK, rotate: data.units.length > 6 ? 35 : 0,
        interval: 0, hideOverlap: true } },
      yAxis: { type: "value", axisLabel: { color: INK, formatter: "{value}" + suffix(data.kind) },
        max: data.kind === "percent" ? 100 : null },
      series: data.series.map(function (series) {
        return { name: series.name, type: "bar", stack: data.stacked ? "total" : null, data: series.data,
          barMaxWidth: 56, emphasis: { focus: "series" }, cursor: "pointer" };
      })
    };
  }

  function heatOption(data) {
    var points = [];
    data.series.forEach(function (series, x) {
      series.data.forEach(function (value, y) {
        points.push([x, y, value === null ? "-" : value]);
      });
    });
    return {
      tooltip: { renderMode: TIP, position: "top", formatter: function (p) {
        var value = p.value[2];
        return data.units[p.value[1]] + " · " + data.series[p.value[0]].name + "：" +
          (value === "-" ? "—" : value + "%");
      } },
      grid: { left: 8, right: 16, top: 8, bottom: 56, containLabel: true },
      xAxis: { type: "category", data: data.series.map(function (s) { return s.name; }), splitArea: { show: true },
        axisLabel: { color: INK } },
      yAxis: { type: "category", data: data.units, inverse: true, axisLabel: { color: INK } },
      visualMap: { min: 0, max: 100, calculable: false, orient: "horizontal", left: "center", bottom: 0,
        inRange: { color: ["#f8d7da", "#fbf3dc", "#2f6f4f"] }, textStyle: { color: INK }, text: ["100%", "0%"] },
      series: [{ type: "heatmap", data: points, label: { show: data.units.length <= 30, color: INK, fontSize: 10 },
        emphasis: { itemStyle: { borderColor: INK, borderWidth: 1 } } }]
    };
  }

  // The chart/table choice holds from page to page (issue 22).
  var CHOICE = "portal.dashboard.view";

  function remembered() {
    try {
      return window.localStorage.getItem(CHOICE) === "table" ? "table" : "chart";
    } catch (error) {
      return "chart";
    }
  }

  function remember(which) {
    try {
      window.localStorage.setItem(CHOICE, which);
    } catch (error) {
      /* private mode: the choice lasts for this page only */
    }
  }

  function show(section, which) {
    var chart = section.querySelector(".dashboard-chart");
    var table = section.querySelector(".dashboard-table");
    chart.hidden = which !== "chart";
    table.hidden = which !== "table";
    section.querySelectorAll("[data-show]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-show") === which ? "true" : "false");
      button.classList.toggle("active", button.getAttribute("data-show") === which);
    });
    if (which === "chart" && section._chart) {
      section._chart.resize();
    }
  }

  function draw(section) {
    var key = section.getAttribute("data-block");
    var data = read(key);
    var element = section.querySelector(".dashboard-chart");
    if (!data || !element || !window.echarts) {
      return;
    }
    var rows = data.units.length;
    if (data.type === "heatmap") {
      element.style.height = Math.max(220, Math.min(rows, 60) * 22 + 90) + "px";
    }
    element.hidden = false;
    var chart = window.echarts.init(element, null, { renderer: "canvas", locale: "ZH" });
    var empty = data.series.every(function (s) {
      return s.data.every(function (v) { return v === null || v === 0; });
    });
    if (empty) {
      chart.setOption({ title: { show: true, text: element.getAttribute("data-empty-text") || "", left: "center",
        top: "middle", textStyle: { color: "#495057", fontSize: 14, fontWeight: "normal" } } });
    } else {
      var single = data.type !== "heatmap" && data.units.length === 1;
      chart.setOption(data.type === "heatmap" ? heatOption(data) : single ? singleOption(data) : barOption(data));
      var drill = function (index) {
        var id = data.ids[index];
        if (id !== undefined && document.querySelector("#table-" + key + ' a[href$="/' + id + '/"]')) {
          window.location.href = unitUrl(id);
        }
      };
      if (!single) {
        chart.on("click", function (params) {
          drill(data.type === "heatmap" ? params.value[1] : params.dataIndex);
        });
        // A click anywhere in a unit's band (not only on its bar, which may be short or zero) drills down too.
        // (The axis pointer's shadow lies under the mouse, so the event's target is not a test of "off the bar".)
        chart.getZr().on("click", function (event) {
          if (data.type === "heatmap") {
            return;
          }
          var point = [event.offsetX, event.offsetY];
          if (!chart.containPixel("grid", point)) {
            return;
          }
          // An axis finder converts one coordinate (the x pixel); given the [x, y] pair it returned NaN, so a
          // click off the bar never drilled down.
          var value = chart.convertFromPixel({ xAxisIndex: 0 }, point[0]);
          var index = Array.isArray(value) ? value[0] : value;
          if (typeof index === "number" && index >= 0 && index < data.units.length) {
            drill(Math.round(index));
          }
        });
      }
    }
    section._chart = chart;
    var switcher = section.querySelector(".dashboard-switch");
    switcher.hidden = false;
    switcher.addEventListener("click", function (event) {
      var button = event.target.closest("[data-show]");
      if (button) {
        remember(button.getAttribute("data-show"));
        document.querySelectorAll(".dashboard-block").forEach(function (other) {
          if (other._chart) {
            show(other, button.getAttribute("data-show"));
          }
        });
      }
    });
    show(section, remembered());
  }

  function start() {
    var sections = document.querySelectorAll(".dashboard-block");
    sections.forEach(draw);
    window.addEventListener("resize", function () {
      sections.forEach(function (section) {
        if (section._chart && !section.querySelector(".dashboard-chart").hidden) {
          section._chart.resize();
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
