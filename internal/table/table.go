// Package table prints the operator commands' tables (weike cron list, the
// dry run of a job) in aligned columns. text/tabwriter counts runes, so a
// Chinese town name, two columns wide on a terminal, pushed every column
// after it out of line; this package measures display width instead.
package table

import (
	"fmt"
	"io"
	"strings"

	"github.com/mattn/go-runewidth"
)

// Table collects rows and writes them aligned.
type Table struct {
	w    io.Writer
	rows [][]string
}

// New starts a table that Flush writes to w.
func New(w io.Writer) *Table { return &Table{w: w} }

// Row adds a row of cells.
func (t *Table) Row(cells ...string) { t.rows = append(t.rows, cells) }

// Flush writes the rows, each column padded to its widest cell plus two
// spaces; the last cell of a row is not padded.
func (t *Table) Flush() error {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], runewidth.StringWidth(c))
		}
	}
	var b strings.Builder
	for _, r := range t.rows {
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-runewidth.StringWidth(c)+2))
			}
		}
		b.WriteString("\n")
	}
	t.rows = nil
	_, err := fmt.Fprint(t.w, strings.TrimRight(b.String(), " "))
	return err
}
