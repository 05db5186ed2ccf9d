package lessons

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCatalogWritesRaiseTheVersion: every write of the catalog goes
// through catalogTx, which raises the town's catalog version; a write
// beside it would leave the answers cached under the old version standing
// (web/catalogcache.go). So no file here but versions.go opens a
// transaction or writes on the writer handle itself.
func TestCatalogWritesRaiseTheVersion(t *testing.T) {
	t.Parallel()
	direct := regexp.MustCompile(`s\.db\.(Tx|W)\b`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "versions.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if direct.MatchString(line) {
				t.Errorf("%s:%d writes around catalogTx, so the catalog's cached answers would not change: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}
