/* 双述双评 pages: print the code sheet, keep a rating from being sent twice by a double tap (the server
 * refuses a second one anyway), and draw the results' online/offline chart from json_script data. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action='print']");
    if (button) {
      window.print();
    }
  });

  // The QR code of a rating code opens /rate/#CODE: the fragment never leaves the phone, so no server log
  // holds the code. Type it into the form, drop it from the address bar and history, and send it (in the
  // body). Without JavaScript the form is there to type the code by hand.
  var codeForm = document.getElementById("code-form");
  if (codeForm && window.location.hash.length > 1) {
    var code = decodeURIComponent(window.location.hash.slice(1)).replace(/[^0-9A-Za-z-]/g, "").slice(0, 40);
    var input = codeForm.querySelector("input[name='code']");
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname);
    }
    if (input && code) {
      input.value = code;
      codeForm.submit();
    }
  }

  var form = document.getElementById("rate-form");
  if (form) {
    form.addEventListener("submit", function () {
      var submit = form.querySelector("[data-once]");
      if (submit) {
        window.setTimeout(function () { submit.disabled = true; }, 0);
      }
    });
  }

  function drawChart() {
    var element = document.getElementById("ratings-chart");
    var node = document.getElementById("ratings-chart-data");
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
    if (!data.names.length) {
      chart.setOption({ title: { show: true, text: element.getAttribute("data-empty-text") || "", left: "center",
        top: "middle", textStyle: { color: "#495057", fontSize: 14, fontWeight: "normal" } } });
      return;
    }
    chart.setOption({
      color: ["#a4161a", "#d4a017"],
      tooltip: { renderMode: "richText", trigger: "axis" },
      legend: { bottom: 0, textStyle: { color: "#212529" } },
      grid: { left: 40, right: 16, top: 16, bottom: 90 },
      xAxis: { type: "category", data: data.names, axisLabel: { rotate: 40, color: "#212529" } },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { color: "#212529" } },
      series: [
        { name: data.online_label, type: "bar", data: data.online },
        { name: data.offline_label, type: "bar", data: data.offline }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawChart);
  } else {
    drawChart();
  }
})();
