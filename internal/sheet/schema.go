package sheet

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"

	"weike/internal/apperr"
	"weike/internal/i18n"
)

// Column is one column a domain package expects. Its header, its hint and
// its cell of the template's example row are the catalog's (see Schema):
// a domain package names columns, it does not word them.
type Column struct {
	Key string // English name: accepted as a header and used in code
	// Aliases are other headers people write for it, accepted when read
	// and never shown: spellings, not text.
	Aliases  []string
	Required bool // the header must have it
}

// Schema describes the sheet of one kind of record. ID names its messages:
// sheet.<ID> is the sheet's name, sheet.<ID>.<key> a column's header,
// sheet.<ID>.<key>.hint what to fill in, sheet.<ID>.example.<key> the
// column's cell of the template's example row (none: the cell is empty),
// which must import cleanly into any town.
type Schema struct {
	ID      string
	Columns []Column
}

// Templates and their headers are Chinese: the sheets are filled in and
// read by Chinese offices, whatever language the official's pages speak.
const fileLang = i18n.ZH

// Name is the sheet's name in lang.
func (s Schema) Name(lang string) string { return i18n.T(lang, "sheet."+s.ID) }

// Title is a column's header in lang.
func (s Schema) Title(lang, key string) string { return i18n.T(lang, "sheet."+s.ID+"."+key) }

// Hint says in lang what to write in a column.
func (s Schema) Hint(lang, key string) string { return i18n.T(lang, "sheet."+s.ID+"."+key+".hint") }

// Example is the template's example row in lang, a cell per column.
func (s Schema) Example(lang string) []string {
	out := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		if k := "sheet." + s.ID + ".example." + c.Key; i18n.Has(k) {
			out[i] = i18n.T(lang, k)
		}
	}
	return out
}

// Record is one data row, its cells keyed by column.
type Record struct {
	Row   int
	cells map[string]string
}

// Get returns the trimmed cell of a column ("" when the sheet lacks it).
func (r Record) Get(key string) string { return strings.TrimSpace(r.cells[key]) }

// Records are a table's data rows mapped onto a schema.
type Records struct {
	Items  []Record
	titles map[string]string // key → header as the file spells it
	order  map[string]int
}

// Has reports whether the file has the column.
func (rs *Records) Has(key string) bool { _, ok := rs.titles[key]; return ok }

// Title is a column's header as the file spells it, so that an error names
// the column the user sees; the template's title when the file lacks it.
func (rs *Records) Title(s Schema, key string) string {
	if t, ok := rs.titles[key]; ok {
		return t
	}
	for _, c := range s.Columns {
		if c.Key == key {
			return s.Title(fileLang, key)
		}
	}
	return key
}

// Records finds the header row among the first rows of t and maps the rows
// below it onto the schema's columns. Unknown columns are ignored.
func (s Schema) Records(t *Table) (*Records, error) {
	names := map[string]string{}
	order := map[string]int{}
	for i, c := range s.Columns {
		order[c.Key] = i
		// A header in either language is the column, and so is any alias.
		for _, n := range append([]string{c.Key, s.Title(i18n.ZH, c.Key), s.Title(i18n.EN, c.Key)}, c.Aliases...) {
			names[normHeader(n)] = c.Key
		}
	}
	best, bestHits := -1, 0
	for i := 0; i < len(t.Rows) && i < headerScan; i++ {
		hits := map[string]bool{}
		for _, cell := range t.Rows[i].Cells {
			if k, ok := names[normHeader(cell)]; ok {
				hits[k] = true
			}
		}
		if len(hits) > bestHits {
			best, bestHits = i, len(hits)
		}
		if len(missing(s, hits)) == 0 {
			best = i
			break
		}
	}
	if best < 0 {
		return nil, apperr.New(apperr.BadRequest, "import.no_header").With("columns", s.requiredTitles())
	}
	head := t.Rows[best]
	rs := &Records{titles: map[string]string{}, order: order}
	index := map[string]int{}
	for i, cell := range head.Cells {
		k, ok := names[normHeader(cell)]
		if !ok {
			continue
		}
		if _, dup := index[k]; dup {
			return nil, apperr.New(apperr.BadRequest, "import.duplicate_column").With("column", strings.TrimSpace(cell))
		}
		index[k] = i
		rs.titles[k] = strings.TrimSpace(cell)
	}
	hits := map[string]bool{}
	for k := range index {
		hits[k] = true
	}
	if m := missing(s, hits); len(m) > 0 {
		return nil, apperr.New(apperr.BadRequest, "import.missing_columns").With("columns", strings.Join(m, "、"))
	}
	data := t.Rows[best+1:]
	if len(data) > MaxRows {
		return nil, apperr.New(apperr.BadRequest, "import.too_many_rows").With("max", fmt.Sprint(MaxRows))
	}
	for _, row := range data {
		r := Record{Row: row.Num, cells: map[string]string{}}
		for k, i := range index {
			if i < len(row.Cells) {
				r.cells[k] = row.Cells[i]
			}
		}
		rs.Items = append(rs.Items, r)
	}
	return rs, nil
}

func missing(s Schema, hits map[string]bool) []string {
	var out []string
	for _, c := range s.Columns {
		if c.Required && !hits[c.Key] {
			out = append(out, s.Title(fileLang, c.Key))
		}
	}
	return out
}

func (s Schema) requiredTitles() string {
	return strings.Join(missing(s, nil), "、")
}

// MaxReported bounds the row errors one answer lists; the count of bad rows
// is always given in full.
const MaxReported = 200

// RowError is one problem of one row: the row number and the column as the
// user sees them, and the message key (translated by web) with its params.
type RowError struct {
	Row    int            `json:"row"`
	Column string         `json:"column"`
	Code   string         `json:"code"`
	Params map[string]any `json:"params,omitempty"`
	order  int
}

// Problems collects the row errors of an import.
type Problems struct {
	s    Schema
	rs   *Records
	list []RowError
	seen map[[2]any]bool
}

// Problems starts an empty collection for the records' rows.
func (rs *Records) Problems(s Schema) *Problems {
	return &Problems{s: s, rs: rs, seen: map[[2]any]bool{}}
}

// Add records a problem with a row's column; the first problem of a cell
// wins. params are name, value pairs for the message, values typed as for
// apperr.Error.With.
func (p *Problems) Add(row int, key, code string, params ...any) {
	k := [2]any{row, key}
	if p.seen[k] {
		return
	}
	p.seen[k] = true
	e := RowError{Row: row, Column: p.rs.Title(p.s, key), Code: code, order: p.rs.order[key]}
	for i := 0; i+1 < len(params); i += 2 {
		if e.Params == nil {
			e.Params = map[string]any{}
		}
		e.Params[fmt.Sprint(params[i])] = params[i+1]
	}
	p.list = append(p.list, e)
}

// Has reports whether a cell has a problem already.
func (p *Problems) Has(row int, key string) bool { return p.seen[[2]any{row, key}] }

// AddFields records the field problems of a validation error (an
// apperr.Error of kind Invalid) on a row, mapping field names to columns
// through columnOf (nil: the field is the column's key). It returns err
// unchanged when it is anything else.
func (p *Problems) AddFields(row int, err error, columnOf map[string]string) error {
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != apperr.Invalid || len(ae.Fields) == 0 {
		return err
	}
	params := make([]any, 0, 2*len(ae.Params))
	for k, v := range ae.Params {
		params = append(params, k, v)
	}
	for field, code := range ae.Fields {
		key := field
		if c, ok := columnOf[field]; ok {
			key = c
		}
		p.Add(row, key, code, params...)
	}
	return nil
}

// Len is the number of problems.
func (p *Problems) Len() int { return len(p.list) }

// Err is nil when no row had a problem; else an Invalid error "import.rows"
// whose detail "rows" lists the problems ([]RowError) in sheet order.
func (p *Problems) Err() error {
	if len(p.list) == 0 {
		return nil
	}
	sort.SliceStable(p.list, func(i, j int) bool {
		a, b := p.list[i], p.list[j]
		if a.Row != b.Row {
			return a.Row < b.Row
		}
		return a.order < b.order
	})
	rows := map[int]bool{}
	for _, e := range p.list {
		rows[e.Row] = true
	}
	list := p.list
	if len(list) > MaxReported {
		list = list[:MaxReported]
	}
	return apperr.New(apperr.Invalid, "import.rows").With("n", fmt.Sprint(len(rows))).
		WithDetail("rows", list).WithDetail("total", len(p.list))
}

// WriteCSV writes the template as CSV (see CSV).
func (s Schema) WriteCSV(w io.Writer) error {
	cw, err := NewCSV(w)
	if err != nil {
		return err
	}
	head := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		head[i] = s.Title(fileLang, c.Key)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	if err := cw.Write(s.Example(fileLang)); err != nil {
		return err
	}
	return cw.Flush()
}

// WriteXLSX writes the template as a workbook: the data sheet with the
// header and example row, its cells formatted as text so that Excel keeps
// phone numbers and dates as typed, and a sheet of notes.
func (s Schema) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	name, notesSheet := s.Name(fileLang), i18n.T(fileLang, "sheet.notes")
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return err
	}
	last, err := excelize.ColumnNumberToName(len(s.Columns))
	if err != nil {
		return err
	}
	textFmt := "@"
	text, err := f.NewStyle(&excelize.Style{CustomNumFmt: &textFmt})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FCE4D6"}}, CustomNumFmt: &textFmt})
	if err != nil {
		return err
	}
	if err := f.SetColStyle(name, "A:"+last, text); err != nil {
		return err
	}
	if err := f.SetColWidth(name, "A", last, 18); err != nil {
		return err
	}
	head := make([]any, len(s.Columns))
	for i, c := range s.Columns {
		head[i] = s.Title(fileLang, c.Key)
	}
	if err := f.SetSheetRow(name, "A1", &head); err != nil {
		return err
	}
	if err := f.SetCellStyle(name, "A1", last+"1", bold); err != nil {
		return err
	}
	example := s.Example(fileLang)
	ex := make([]any, len(example))
	for i, v := range example {
		ex[i] = v
	}
	if err := f.SetSheetRow(name, "A2", &ex); err != nil {
		return err
	}
	if _, err := f.NewSheet(notesSheet); err != nil {
		return err
	}
	notes := [][]any{{i18n.T(fileLang, "sheet.notes.column"), i18n.T(fileLang, "sheet.notes.key"),
		i18n.T(fileLang, "sheet.notes.required"), i18n.T(fileLang, "sheet.notes.hint")}}
	for _, c := range s.Columns {
		req := ""
		if c.Required {
			req = i18n.T(fileLang, "sheet.notes.yes")
		}
		notes = append(notes, []any{s.Title(fileLang, c.Key), c.Key, req, s.Hint(fileLang, c.Key)})
	}
	for i, r := range notes {
		if err := f.SetSheetRow(notesSheet, fmt.Sprintf("A%d", i+1), &r); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(notesSheet, "A1", "D1", bold); err != nil {
		return err
	}
	if err := f.SetColWidth(notesSheet, "A", "C", 16); err != nil {
		return err
	}
	if err := f.SetColWidth(notesSheet, "D", "D", 60); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}
