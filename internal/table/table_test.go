package table

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"
)

// TestAlignsWideText: the column after a Chinese name starts at the same
// display column on every row.
func TestAlignsWideText(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	tb := New(&buf)
	tb.Row("JOB", "TOWN", "NEXT")
	tb.Row("monthly-schedule", "春华镇", "2026-12-25 09:00")
	tb.Row("retry", "Qihe", "2026-12-01 20:30")
	tb.Row("daily-reminders", "", "2026-12-01 18:00")
	if err := tb.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	col := -1
	for _, l := range lines {
		i := strings.LastIndex(l, "  ")
		at := runewidth.StringWidth(l[:i+2])
		if col >= 0 && at != col {
			t.Fatalf("third column at %d and at %d:\n%s", col, at, buf.String())
		}
		col = at
	}
}
