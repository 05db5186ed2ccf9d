// Package sheet reads the tables that town officials already keep, as .xlsx
// workbooks or .csv files (UTF-8 with or without a BOM, or GB18030 as Chinese
// Excel saves them), maps their header row onto known columns by Chinese or
// English name, and writes the downloadable templates. It knows nothing of
// branches or lessons: the domain packages describe their columns with a
// Schema and validate the records themselves.
//
// Errors are *apperr.Error values of kind BadRequest (the file cannot be read
// as a table) or Invalid (rows break rules, see Problems), so the domain
// packages can return them as they are.
package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"weike/internal/apperr"
)

// Limits of what Read accepts. MaxBytes is for callers to enforce while
// reading an upload; Read itself refuses larger inputs too.
const (
	MaxBytes = 5 << 20
	MaxRows  = 5000 // data rows of one file
	MaxCols  = 64   // cells kept per row; templates have at most ten columns
	// headerScan is how many non-empty rows may precede the header: sheets
	// often start with a title row such as "春华镇支部名单".
	headerScan = 10
	// unzipLimit bounds what a small .xlsx may inflate to (zip bombs).
	unzipLimit = 128 << 20
)

// Formats of a table.
const (
	FormatXLSX = "xlsx"
	FormatCSV  = "csv"
)

// Row is one non-empty row of a sheet.
type Row struct {
	// Num is the row number as the user sees it in Excel (1-based, counting
	// blank rows and the header).
	Num   int
	Cells []string
}

// Table is what Read found: the non-empty rows of the first sheet that has any.
type Table struct {
	Format string
	Rows   []Row
}

func unreadable() error { return apperr.New(apperr.BadRequest, "import.unreadable") }

// Read reads a table from the bytes of an uploaded file. The content decides
// the format (an .xlsx is a zip); the name only refuses what is plainly
// neither, such as a .pdf or an old binary .xls.
func Read(filename string, data []byte) (t *Table, err error) {
	if len(data) > MaxBytes {
		return nil, apperr.New(apperr.BadRequest, "import.too_large")
	}
	ext := strings.ToLower(path.Ext(strings.ReplaceAll(filename, `\`, "/")))
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		t, err = readXLSX(data) // whatever its name says
	case bytes.HasPrefix(data, []byte("\xD0\xCF\x11\xE0")) || ext == ".xls" || ext == ".et":
		return nil, apperr.New(apperr.BadRequest, "import.xls")
	case ext == "" || ext == ".csv" || ext == ".txt" || ext == ".tsv":
		t, err = readCSV(data)
	default:
		return nil, apperr.New(apperr.BadRequest, "import.format")
	}
	if err != nil {
		return nil, err
	}
	if len(t.Rows) == 0 {
		return nil, apperr.New(apperr.BadRequest, "import.empty")
	}
	return t, nil
}

// readXLSX reads the first worksheet that has a non-empty row.
func readXLSX(data []byte) (t *Table, err error) {
	// The workbook comes from anyone with an official's account; a crafted
	// one must not take the server down with a parser panic.
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, unreadable()
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    unzipLimit,
		UnzipXMLSizeLimit: 16 << 20,
		// Dates typed into Excel are numbers with a date style; shown as
		// ISO dates they parse the same as dates typed as text.
		ShortDatePattern: "yyyy-mm-dd",
		LongDatePattern:  "yyyy-mm-dd",
	})
	if err != nil {
		return nil, unreadable()
	}
	defer f.Close()
	for _, name := range f.GetSheetList() {
		rows, err := readSheet(f, name)
		if err != nil {
			return nil, err
		}
		if len(rows) > 0 {
			return &Table{Format: FormatXLSX, Rows: rows}, nil
		}
	}
	return &Table{Format: FormatXLSX}, nil
}

func readSheet(f *excelize.File, name string) ([]Row, error) {
	it, err := f.Rows(name)
	if err != nil {
		// A chart sheet or a broken part: not a table.
		return nil, nil
	}
	defer it.Close()
	var out []Row
	num := 0
	for it.Next() {
		num++
		cells, err := it.Columns()
		if err != nil {
			return nil, unreadable()
		}
		if r, ok := keep(num, cells); ok {
			if len(out) >= MaxRows+headerScan {
				return nil, apperr.New(apperr.BadRequest, "import.too_many_rows").With("max", fmt.Sprint(MaxRows))
			}
			out = append(out, r)
		}
	}
	if it.Error() != nil {
		return nil, unreadable()
	}
	return out, nil
}

// keep trims a row's cells to MaxCols and reports whether it has any content.
func keep(num int, cells []string) (Row, bool) {
	if len(cells) > MaxCols {
		cells = cells[:MaxCols]
	}
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return Row{Num: num, Cells: cells}, true
		}
	}
	return Row{}, false
}

var (
	bomUTF8    = []byte("\xEF\xBB\xBF")
	bomUTF16LE = []byte("\xFF\xFE")
	bomUTF16BE = []byte("\xFE\xFF")
)

// decodeText turns a text file's bytes into UTF-8: a UTF-8 or UTF-16 BOM
// decides; otherwise valid UTF-8 is taken as is and anything else is read as
// GB18030, the superset of the GBK that Chinese Windows Excel writes.
func decodeText(data []byte) ([]byte, error) {
	var dec transform.Transformer
	switch {
	case bytes.HasPrefix(data, bomUTF8):
		data = data[len(bomUTF8):]
	case bytes.HasPrefix(data, bomUTF16LE):
		dec = xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM).NewDecoder()
	case bytes.HasPrefix(data, bomUTF16BE):
		dec = xunicode.UTF16(xunicode.BigEndian, xunicode.ExpectBOM).NewDecoder()
	case !utf8.Valid(data):
		dec = simplifiedchinese.GB18030.NewDecoder()
	}
	if dec != nil {
		out, _, err := transform.Bytes(dec, data)
		if err != nil {
			return nil, err
		}
		data = out
	}
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		// A NUL never occurs in a text table: this is a binary file.
		return nil, errors.New("not text")
	}
	return data, nil
}

func readCSV(data []byte) (*Table, error) {
	text, err := decodeText(data)
	if err != nil {
		return nil, unreadable()
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma = sniffComma(text)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	t := &Table{Format: FormatCSV}
	// Excel numbers rows by record, not by physical line: a quoted cell
	// spanning lines is still one row.
	num := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, unreadable()
		}
		num++
		if row, ok := keep(num, rec); ok {
			if len(t.Rows) >= MaxRows+headerScan {
				return nil, apperr.New(apperr.BadRequest, "import.too_many_rows").With("max", fmt.Sprint(MaxRows))
			}
			t.Rows = append(t.Rows, row)
		}
	}
	return t, nil
}

// sniffComma picks tab for a tab-separated file (Excel's "Unicode text")
// and comma otherwise. Semicolons are never separators here: cells use them
// to list several values.
func sniffComma(text []byte) rune {
	line := text
	if i := bytes.IndexByte(text, '\n'); i >= 0 {
		line = text[:i]
	}
	if bytes.Count(line, []byte{'\t'}) > bytes.Count(line, []byte{','}) {
		return '\t'
	}
	return ','
}

// normHeader folds the spellings of a header cell that people produce:
// case, spaces, full-width brackets, and a "*" marking a required column.
func normHeader(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), r == '*', r == '＊', r == '\uFEFF':
			continue
		case r == '（':
			r = '('
		case r == '）':
			r = ')'
		case r == '_' || r == '-':
			r = '_'
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
