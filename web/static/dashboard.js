// Draws the overview charts from the JSON the page embeds (no inline script: the CSP allows 'self' only).
(function () {
  var node = document.getElementById("chart-data");
  if (!node || !window.echarts) { return; }
  var data = JSON.parse(node.textContent);
  function draw(id, rows, kind) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { data: ["受理", "办结"] },
      grid: { left: 40, right: 16, bottom: 60, top: 36 },
      xAxis: { type: "category", data: rows.map(function (r) { return r.name || "—"; }),
               axisLabel: { interval: 0, rotate: rows.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "受理", type: kind, data: rows.map(function (r) { return r.received; }), itemStyle: { color: "#b3261e" } },
        { name: "办结", type: kind, data: rows.map(function (r) { return r.done; }), itemStyle: { color: "#2f6fde" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  draw("chart-category", data.category, "bar");
  draw("chart-grid", data.grid, "bar");
  draw("chart-trend", data.trend, "line");
})();
