package dbtest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// OnlyWritesThrough fails the test at every line of the package in the
// current directory that matches direct (opening a transaction or writing
// on the writer handle itself), outside the file home and tests: a store
// whose writes must raise a version through one wrapper keeps them there.
func OnlyWritesThrough(t *testing.T, direct *regexp.Regexp, home, why string) {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == home {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if direct.MatchString(line) {
				t.Errorf("%s:%d writes around %s, %s: %s", f, i+1, home, why, strings.TrimSpace(line))
			}
		}
	}
}
