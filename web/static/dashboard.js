// The coverage dashboard's charts. The page's data comes in a JSON block
// (<script type="application/json" id="dash-data">): the CSP allows no
// inline script. Every chart has a plain table under it, so without this
// script (or ECharts) nothing is lost but the pictures; with it, the tables
// fold away under their "data table" summary.
(function () {
  'use strict';
  // The latest months are at the right of the matrix: show them first on a
  // narrow screen.
  var wrap = document.querySelector('.dash-matrix-wrap');
  if (wrap) {
    wrap.scrollLeft = wrap.scrollWidth;
  }
  var block = document.getElementById('dash-data');
  if (!block || typeof window.echarts === 'undefined') {
    return;
  }
  var data;
  try {
    data = JSON.parse(block.textContent);
  } catch (e) {
    return;
  }
  var L = data.labels || {};
  var still = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  var charts = [];
  var font = 'system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';

  function draw(id, option, rows) {
    var el = document.getElementById(id);
    if (!el) {
      return;
    }
    el.hidden = false;
    if (rows) {
      // A bar per row: grow with the rows rather than squeeze them.
      el.style.height = Math.max(220, 34 * rows + 70) + 'px';
    }
    var chart = window.echarts.init(el, null, { renderer: 'canvas' });
    option.animation = !still;
    option.textStyle = { fontFamily: font };
    option.aria = { enabled: true };
    chart.setOption(option);
    charts.push(chart);
    // The numbers are in the chart now; the table stays one tap away.
    var details = el.parentNode.querySelector('details.dash-table');
    if (details) {
      details.open = false;
    }
  }

  // Dark enough on white for the lines to be told apart (≥ 3:1), each
  // also with its own symbol, so colour is not the only difference.
  // On a phone the legend wraps to two lines: leave room for it.
  var narrow = document.documentElement.clientWidth < 520;
  var legendRoom = narrow ? 64 : 40;

  var colours = ['#a31515', '#0b57d0', '#1a7f37', '#6b4a00'];

  draw('chart-trend', {
    color: colours,
    tooltip: { trigger: 'axis', valueFormatter: function (v) { return v + '%'; } },
    legend: { top: 0, left: 'center', width: '92%' },
    grid: { left: 8, right: 28, top: legendRoom + 8, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: data.months, boundaryGap: false },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: [
      { name: L.lesson, type: 'line', data: data.lesson, symbol: 'circle', symbolSize: 7 },
      { name: L.film, type: 'line', data: data.film, symbol: 'rect', symbolSize: 7 },
      { name: L.practice, type: 'line', data: data.practice, symbol: 'triangle', symbolSize: 8 },
      { name: L.all, type: 'line', data: data.all, symbol: 'diamond', symbolSize: 8, lineStyle: { width: 3 } }
    ]
  });

  if (data.topics && data.topics.length) {
    draw('chart-topics', {
      color: ['#a31515'],
      tooltip: { trigger: 'axis' },
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: data.topics.slice().reverse() },
      series: [{ name: L.topics, type: 'bar', barMaxWidth: 28, data: data.topic_n.slice().reverse(), label: { show: true, position: 'right' } }]
    }, data.topics.length);
  }

  if (data.lecturers && data.lecturers.length) {
    draw('chart-lecturers', {
      color: ['#1a7f37', '#9a6700'],
      tooltip: { trigger: 'axis' },
      legend: { top: 0, left: 'center', width: '92%' },
      grid: { left: 8, right: 24, top: legendRoom, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: data.lecturers.slice().reverse() },
      series: [
        { name: L.delivered, type: 'bar', stack: 'load', barMaxWidth: 28, data: data.delivered.slice().reverse() },
        { name: L.confirmed, type: 'bar', stack: 'load', barMaxWidth: 28, data: data.confirmed.slice().reverse() }
      ]
    }, data.lecturers.length);
  }

  // Follow the box's width (a phone turned, a sidebar opened), not only
  // the window's.
  if (typeof window.ResizeObserver === 'function') {
    var ro = new window.ResizeObserver(function () {
      charts.forEach(function (c) { c.resize(); });
    });
    charts.forEach(function (c) { ro.observe(c.getDom()); });
  } else {
    window.addEventListener('resize', function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }
})();
