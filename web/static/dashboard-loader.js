// Fetches the dashboard's charts once the page has loaded. On a weak
// network ECharts is most of the page's bytes; the matrix, the numbers and
// their tables are in the page itself and must not wait for it. The
// scripts to load are named on this script's data attributes (the CSP
// allows no inline script, and their URLs carry a version).
(function () {
  'use strict';
  var me = document.currentScript;
  if (!me) {
    return;
  }
  function load() {
    ['data-echarts', 'data-charts'].forEach(function (attr) {
      var s = document.createElement('script');
      s.src = me.getAttribute(attr);
      // Run in the order added: the charts need ECharts.
      s.async = false;
      document.body.appendChild(s);
    });
  }
  if (document.readyState === 'complete') {
    load();
  } else {
    window.addEventListener('load', load);
  }
})();
