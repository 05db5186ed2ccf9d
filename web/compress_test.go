package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

func decode(t *testing.T, coding string, body []byte) []byte {
	t.Helper()
	var r io.Reader
	switch coding {
	case "br":
		r = brotli.NewReader(bytes.NewReader(body))
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	default:
		return body
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decode %s: %v", coding, err)
	}
	return b
}

// TestCompression: pages, JSON, scripts and styles go out in the coding the
// client prefers (brotli, then gzip, by q-value), identical once decoded;
// tiny bodies and compressed types (xlsx) go out as they are; every
// compressible answer varies on Accept-Encoding.
func TestCompression(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		b := signIn(t, e, "ch-official")
		get := func(path, ae string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			if ae != "" {
				req.Header.Set("Accept-Encoding", ae)
			}
			for _, c := range b.jar {
				req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
			}
			if strings.HasPrefix(path, "/api/") {
				req.Header.Set("Authorization", "Bearer "+e.token("ch-official"))
			}
			rec := httptest.NewRecorder()
			e.S.ServeHTTP(rec, req)
			return rec
		}
		cases := []struct {
			path, ae, want string
			vary           bool
		}{
			{"/lessons", "gzip, deflate, br", "br", true},
			{"/lessons", "gzip", "gzip", true},
			{"/lessons", "br;q=0, gzip", "gzip", true},
			{"/lessons", "gzip;q=0.5, br;q=0.4", "gzip", true},
			{"/lessons", "*", "br", true},
			{"/lessons", "identity", "", true},
			{"/lessons", "", "", true},
			{"/api/v1/lessons", "gzip, br", "br", true},
			{"/api/v1/openapi.json", "gzip", "gzip", true},
			{"/static/app.css", "gzip, br", "br", true},
			{"/static/vendor/echarts-custom-5.6.0.min.js", "br", "br", true},
			{"/static/dashboard.js", "gzip", "gzip", true},
			{"/healthz", "gzip, br", "", false},
			{"/dashboard/export.xlsx?from=2026-01&to=2026-12", "gzip, br", "", false},
		}
		for _, c := range cases {
			plain := get(c.path, "")
			res := get(c.path, c.ae)
			if res.Code != http.StatusOK || plain.Code != http.StatusOK {
				t.Errorf("%s: %d / %d", c.path, res.Code, plain.Code)
				continue
			}
			if got := res.Header().Get("Content-Encoding"); got != c.want {
				t.Errorf("%s with %q: Content-Encoding %q, want %q", c.path, c.ae, got, c.want)
			}
			if vary := strings.Contains(strings.Join(res.Header().Values("Vary"), ","), "Accept-Encoding"); vary != c.vary {
				t.Errorf("%s: Vary %q", c.path, res.Header().Values("Vary"))
			}
			got := decode(t, c.want, res.Body.Bytes())
			// Pages carry a fresh CSRF token each time: compare the rest.
			if !bytes.Equal(stripCSRF(got), stripCSRF(plain.Body.Bytes())) {
				t.Errorf("%s with %q: decoded body differs (%d vs %d bytes)", c.path, c.ae, len(got), plain.Body.Len())
			}
			if c.want != "" && res.Body.Len() >= plain.Body.Len() {
				t.Errorf("%s: compressed %d ≥ plain %d bytes", c.path, res.Body.Len(), plain.Body.Len())
			}
		}
	})
}

func stripCSRF(b []byte) []byte { return csrfField.ReplaceAll(b, []byte(`name="_csrf" value=""`)) }
