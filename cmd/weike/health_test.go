package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHealthcheck: the container's check passes only when /readyz answers
// 200, and fails when it answers otherwise or nothing listens.
func TestHealthcheck(t *testing.T) {
	t.Parallel()
	serve := func(code int) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/readyz" {
				http.NotFound(w, r)
				return
			}
			w.WriteHeader(code)
		}))
		t.Cleanup(srv.Close)
		return strings.TrimPrefix(srv.URL, "http://")
	}
	cases := []struct {
		name, addr string
		ok         bool
	}{
		{"ready", serve(http.StatusOK), true},
		{"database down", serve(http.StatusServiceUnavailable), false},
		{"nothing listening", freeAddr(t), false},
	}
	for _, c := range cases {
		var out bytes.Buffer
		err := run(context.Background(), []string{"healthcheck", "--addr", c.addr}, envOf(nil), &out, io.Discard)
		if (err == nil) != c.ok {
			t.Errorf("%s: err %v, want ok=%v", c.name, err, c.ok)
		}
	}
	for in, want := range map[string]string{":8080": "127.0.0.1:8080", "0.0.0.0:9": "127.0.0.1:9", "[::]:9": "127.0.0.1:9", "10.0.0.5:80": "10.0.0.5:80"} {
		if got := localAddr(in); got != want {
			t.Errorf("localAddr(%q) = %q, want %q", in, got, want)
		}
	}
}
