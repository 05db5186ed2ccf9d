package web

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func TestMetrics(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		if res := e.as("ch-secretary", http.MethodGet, "/api/v1/lessons?topic=1", nil); res.Code != http.StatusOK {
			t.Fatalf("lessons: %d %s", res.Code, res.Body)
		}
		e.as("ch-secretary", http.MethodGet, "/api/v1/orders/999999", nil)
		e.do(http.MethodGet, "/no/such/page/12345", "", nil)

		scrape := func(remote string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			req.RemoteAddr = remote
			rec := httptest.NewRecorder()
			e.S.ServeHTTP(rec, req)
			return rec
		}
		if res := scrape("203.0.113.9:4711"); res.Code != http.StatusNotFound {
			t.Errorf("a public address got /metrics: %d", res.Code)
		}
		res := scrape("127.0.0.1:4711")
		if res.Code != http.StatusOK || !strings.HasPrefix(res.Header().Get("Content-Type"), "text/plain; version=0.0.4") {
			t.Fatalf("metrics: %d %q", res.Code, res.Header().Get("Content-Type"))
		}
		body := res.Body.String()
		for _, want := range []string{
			`weike_http_requests_total{method="GET",route="/api/v1/lessons",status="200"} 1`,
			`weike_http_requests_total{method="GET",route="/api/v1/orders/:id",status="404"} 1`,
			`weike_http_request_duration_seconds_count{method="GET",route="/api/v1/lessons"} 1`,
			`weike_http_request_duration_seconds_bucket{method="GET",route="/api/v1/lessons",le="+Inf"} 1`,
			`weike_orders{status="requested"} 0`,
			`weike_build_info{version="test"} 1`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %q", want)
			}
		}
		// The raw path of an unknown page never becomes a label.
		if strings.Contains(body, "12345") {
			t.Error("an unmatched path leaked into a label")
		}
		// Every line is a comment or "name{labels} value".
		line := regexp.MustCompile(`^(# (HELP|TYPE) .+|[a-z_]+(\{[^}]*\})? [0-9.e+-]+)$`)
		for _, l := range strings.Split(strings.TrimSpace(body), "\n") {
			if !line.MatchString(l) {
				t.Errorf("not the text format: %q", l)
			}
		}
	})
}
