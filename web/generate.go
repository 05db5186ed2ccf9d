// The coverage dashboard's ECharts is a custom build (only the charts and
// components it uses, for a smaller page), vendored under static/vendor so
// that `go build` needs no Node.js. Rebuild it after changing its inputs in
// assets/echarts (vendor_test.go fails until then); this needs Node.js and
// npm.
//
//go:generate sh -c "cd assets/echarts && npm ci --no-audit --no-fund && node build.mjs"

package web
