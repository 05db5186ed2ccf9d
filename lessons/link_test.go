package lessons_test

import (
	"testing"

	"weike/lessons"
)

// TestIsLink: only http(s) URLs with a host and paths on this site are
// links; a protocol-relative "//host" leads to another site and is not.
func TestIsLink(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"https://www.12371.cn/x":     true,
		"http://example.test/a?b=c":  true,
		"/static/films/paozhuan.mp4": true,
		"/films/3":                   true,
		"//evil.example/x":           false,
		"///evil.example/x":          false,
		"/\\evil.example/x":          false,
		"https:///x":                 false,
		"https://user@evil.example/": false,
		"javascript:alert(1)":        false,
		"ftp://example.test/x":       false,
		"example.test/x":             false,
		"https://example.test/a b":   false,
		"https://example.test/<x>":   false,
		"":                           false,
	}
	for in, want := range cases {
		if got := lessons.IsLink(in); got != want {
			t.Errorf("IsLink(%q) = %v, want %v", in, got, want)
		}
	}
}
