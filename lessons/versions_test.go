package lessons

import (
	"regexp"
	"testing"

	"weike/internal/db/dbtest"
)

// TestCatalogWritesRaiseTheVersion: every write of the catalog goes
// through catalogTx, which raises the town's catalog version; a write
// beside it would leave the answers cached under the old version standing
// (web/catalogcache.go). So no file here but versions.go opens a
// transaction or writes on the writer handle itself.
func TestCatalogWritesRaiseTheVersion(t *testing.T) {
	t.Parallel()
	dbtest.OnlyWritesThrough(t, regexp.MustCompile(`s\.db\.(Tx|W)\b`), "versions.go", "so the catalog's cached answers would not change")
}
