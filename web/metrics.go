package web

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"weike/internal/apperr"
)

// /metrics speaks the Prometheus text format (version 0.0.4), written by
// hand: a counter and a histogram per route are all weike needs, and the
// format is small enough that a client library would bring more code than
// it saves.

// latencyBuckets are the histogram's upper bounds in seconds: fine below
// 50 ms, where weike's goals are, coarse above.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type routeKey struct{ method, route string }

type routeStats struct {
	byStatus map[int]uint64
	buckets  []uint64 // one per latencyBuckets entry, not cumulative
	sum      float64
	count    uint64
}

// httpMetrics counts requests by route (the pattern, never the raw path, so
// ids do not blow up the series), method and status, and times them.
type httpMetrics struct {
	mu     sync.Mutex
	routes map[routeKey]*routeStats
}

func newHTTPMetrics() *httpMetrics { return &httpMetrics{routes: map[routeKey]*routeStats{}} }

func (m *httpMetrics) observe(method, route string, status int, took time.Duration) {
	secs := took.Seconds()
	i := sort.SearchFloat64s(latencyBuckets, secs)
	m.mu.Lock()
	defer m.mu.Unlock()
	k := routeKey{method, route}
	st := m.routes[k]
	if st == nil {
		st = &routeStats{byStatus: map[int]uint64{}, buckets: make([]uint64, len(latencyBuckets))}
		m.routes[k] = st
	}
	st.byStatus[status]++
	if i < len(latencyBuckets) {
		st.buckets[i]++
	}
	st.sum += secs
	st.count++
}

// middleware runs before routing (e.Pre), so its clock covers every other
// middleware too; by the time next returns, the router has named the route
// and logRequests has already turned an error into the response.
func (m *httpMetrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		route := c.Path()
		if route == "" {
			// Unmatched paths are whatever a scanner typed: one series for all.
			route = "unmatched"
		}
		status := c.Response().Status
		if err != nil {
			// Not yet written: the error handler will, with this status.
			status = http.StatusInternalServerError
			if he, ok := err.(*echo.HTTPError); ok {
				status = he.Code
			}
		}
		m.observe(c.Request().Method, route, status, time.Since(start))
		return err
	}
}

// gauge is one family of gauges read from the stores at scrape time.
type gauge struct {
	name, help string
	label      string // the one label's name; empty for a single value
	read       func(ctx context.Context) (map[string]float64, error)
}

// gauges are the domain's figures /metrics reports. This is the hook for
// more: the outbox backlog and job runs belong here once notify has a store
// method for them (a gauge per family, read through s.Notify).
func (s *Server) gauges() []gauge {
	return []gauge{
		{name: "weike_orders", help: "Orders by status, all towns.", label: "status",
			read: func(ctx context.Context) (map[string]float64, error) {
				n, err := s.Booking.CountOrdersByStatus(ctx)
				if err != nil {
					return nil, err
				}
				out := make(map[string]float64, len(n))
				for k, v := range n {
					out[k] = float64(v)
				}
				return out, nil
			}},
	}
}

// serveMetrics answers scrapers on this machine or a private network only:
// the figures are no secret, but the public has no business with them. A
// load balancer must still not forward /metrics (see docs/operations.md),
// since its own requests come from a private address.
func (s *Server) serveMetrics(m *httpMetrics) echo.HandlerFunc {
	return func(c echo.Context) error {
		host, _, err := net.SplitHostPort(c.Request().RemoteAddr)
		if err != nil {
			host = c.Request().RemoteAddr
		}
		if ip := net.ParseIP(host); ip == nil || !(ip.IsLoopback() || ip.IsPrivate()) {
			return apperr.New(apperr.NotFound, "not_found")
		}
		ctx, cancel := context.WithTimeout(c.Request().Context(), 5*time.Second)
		defer cancel()
		c.Response().Header().Set(echo.HeaderContentType, "text/plain; version=0.0.4; charset=utf-8")
		c.Response().WriteHeader(http.StatusOK)
		w := bufio.NewWriter(c.Response())
		defer w.Flush()
		s.writeMetrics(ctx, w, m)
		return nil
	}
}

func (s *Server) writeMetrics(ctx context.Context, w io.Writer, m *httpMetrics) {
	fmt.Fprintf(w, "# HELP weike_build_info The running weike's version.\n# TYPE weike_build_info gauge\nweike_build_info{version=%q} 1\n", s.Version)

	m.mu.Lock()
	keys := make([]routeKey, 0, len(m.routes))
	for k := range m.routes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].route != keys[j].route {
			return keys[i].route < keys[j].route
		}
		return keys[i].method < keys[j].method
	})
	fmt.Fprint(w, "# HELP weike_http_requests_total HTTP requests by route pattern, method and status.\n# TYPE weike_http_requests_total counter\n")
	for _, k := range keys {
		st := m.routes[k]
		codes := make([]int, 0, len(st.byStatus))
		for code := range st.byStatus {
			codes = append(codes, code)
		}
		sort.Ints(codes)
		for _, code := range codes {
			fmt.Fprintf(w, "weike_http_requests_total{method=%s,route=%s,status=\"%d\"} %d\n", label(k.method), label(k.route), code, st.byStatus[code])
		}
	}
	fmt.Fprint(w, "# HELP weike_http_request_duration_seconds Time from the request's arrival to its answer, by route pattern and method.\n# TYPE weike_http_request_duration_seconds histogram\n")
	for _, k := range keys {
		st := m.routes[k]
		lbl := "method=" + label(k.method) + ",route=" + label(k.route)
		var cum uint64
		for i, le := range latencyBuckets {
			cum += st.buckets[i]
			fmt.Fprintf(w, "weike_http_request_duration_seconds_bucket{%s,le=\"%s\"} %d\n", lbl, strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		fmt.Fprintf(w, "weike_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", lbl, st.count)
		fmt.Fprintf(w, "weike_http_request_duration_seconds_sum{%s} %s\n", lbl, strconv.FormatFloat(st.sum, 'g', -1, 64))
		fmt.Fprintf(w, "weike_http_request_duration_seconds_count{%s} %d\n", lbl, st.count)
	}
	m.mu.Unlock()

	for _, g := range s.gauges() {
		vals, err := g.read(ctx)
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n", g.name, g.help, g.name)
		if err != nil {
			// A scrape that cannot read the database says so in a series of
			// its own rather than failing whole: the HTTP figures still count.
			s.log.Warn("metrics: gauge failed", "gauge", g.name, "err", err)
			fmt.Fprintf(w, "weike_metrics_gauge_errors{gauge=%s} 1\n", label(g.name))
			continue
		}
		names := make([]string, 0, len(vals))
		for k := range vals {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			if g.label == "" {
				fmt.Fprintf(w, "%s %s\n", g.name, strconv.FormatFloat(vals[k], 'g', -1, 64))
				continue
			}
			fmt.Fprintf(w, "%s{%s=%s} %s\n", g.name, g.label, label(k), strconv.FormatFloat(vals[k], 'g', -1, 64))
		}
	}

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(w, "# HELP go_goroutines Goroutines that currently exist.\n# TYPE go_goroutines gauge\ngo_goroutines %d\n", runtime.NumGoroutine())
	fmt.Fprintf(w, "# HELP go_memstats_heap_inuse_bytes Heap bytes in use.\n# TYPE go_memstats_heap_inuse_bytes gauge\ngo_memstats_heap_inuse_bytes %d\n", ms.HeapInuse)
	fmt.Fprintf(w, "# HELP go_memstats_sys_bytes Bytes obtained from the system.\n# TYPE go_memstats_sys_bytes gauge\ngo_memstats_sys_bytes %d\n", ms.Sys)
}

// label quotes a label value as the text format wants: backslash, double
// quote and newline escaped.
func label(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v) + `"`
}
