package themeday

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/xuri/excelize/v2"

	"weike/booking"
	"weike/internal/apperr"
	"weike/internal/i18n"
	"weike/internal/sheet"
	"weike/internal/tz"
	"weike/org"
)

// An export is what officials and county viewers take to their meetings:
// the coverage matrix, the totals and the records behind them, as a
// workbook with Chinese headers or as a CSV of the matrix. The labels come
// from the catalog (export.*, and the pages' words for statuses and branch
// kinds) and are Chinese whatever the user's language, because the sheets
// go into Chinese reports; the domain only writes bytes and knows nothing
// of HTTP.

// exportLang is the language of every export, whoever downloads it: the
// county's reports are Chinese.
const exportLang = i18n.ZH

// label renders a catalog message in the export's language.
func label(key string, params ...any) string { return i18n.T(exportLang, key, params...) }

// Export is everything an export holds, read once for an actor.
type Export struct {
	From, To  string
	Matrix    *Matrix
	Totals    *Totals
	Orders    []booking.Order
	Viewings  []Viewing
	Practices []Practice
	// TownNames names the towns of the rows, for county viewers who see
	// several.
	TownNames map[int64]string
	loc       *time.Location
}

// maxExportRecords bounds each record sheet, so one export cannot hold the
// database; the limit of the record lists.
const maxExportRecords = 5000

// Export reads the matrix, the totals and the orders, viewings and
// practices of [from, to] that the actor may see, narrowed by f. Only
// officials (their town) and county viewers (their county's towns) export.
func (s *Store) Export(ctx context.Context, act org.Actor, from, to string, f CoverageFilter) (_ *Export, err error) {
	defer apperr.Wrap(&err, "themeday: export")
	if act.Role != org.RoleOfficial && act.Role != org.RoleCounty {
		return nil, apperr.New(apperr.Forbidden, "forbidden")
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	mx, err := s.Matrix(ctx, act, from, to, f)
	if err != nil {
		return nil, err
	}
	tot, err := s.Totals(ctx, act, from, to, f)
	if err != nil {
		return nil, err
	}
	x := &Export{From: from, To: to, Matrix: mx, Totals: tot, TownNames: map[int64]string{}, loc: tz.Shanghai}
	// The record sheets hold every record of the period that the totals
	// count, so each total agrees with the rows it sums: the branches of
	// the kind asked for, active or not (a branch merged into another
	// keeps its past), while the matrix shows the active ones.
	keep := func(int64) bool { return true }
	if f.Kind != "" {
		var ids []int64
		if err := s.db.R.WithContext(ctx).Table("branches").Where("town_id IN ? AND kind = ?", act.ScopeTowns(f.TownID), f.Kind).
			Pluck("id", &ids).Error; err != nil {
			return nil, err
		}
		kind := make(map[int64]bool, len(ids))
		for _, id := range ids {
			kind[id] = true
		}
		keep = func(id int64) bool { return kind[id] }
	}
	for page := 1; len(x.Orders) < maxExportRecords; page++ {
		p, err := s.book.List(ctx, act, booking.OrderFilter{From: from, To: to, TownID: f.TownID, BranchKind: f.Kind, Page: page, PerPage: 200})
		if err != nil {
			return nil, err
		}
		x.Orders = append(x.Orders, p.Items...)
		if int64(page*p.PerPage) >= p.Total {
			break
		}
	}
	if len(x.Orders) > maxExportRecords {
		x.Orders = x.Orders[:maxExportRecords]
	}
	sort.Slice(x.Orders, func(i, j int) bool {
		a, b := orderTime(x.Orders[i]), orderTime(x.Orders[j])
		if !a.Equal(b) {
			return a.Before(b)
		}
		return x.Orders[i].ID < x.Orders[j].ID
	})
	rf := RecordFilter{TownID: f.TownID, From: from, To: to, Limit: maxExportRecords}
	vs, err := s.Viewings(ctx, act, rf)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		if keep(v.BranchID) {
			x.Viewings = append(x.Viewings, v)
		}
	}
	ps, err := s.Practices(ctx, act, rf)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if keep(p.BranchID) {
			x.Practices = append(x.Practices, p)
		}
	}
	// The lists come newest first; a report reads oldest first.
	sort.SliceStable(x.Viewings, func(i, j int) bool { return x.Viewings[i].Day < x.Viewings[j].Day })
	sort.SliceStable(x.Practices, func(i, j int) bool { return x.Practices[i].Day < x.Practices[j].Day })
	var towns []struct {
		ID   int64
		Name string
	}
	if err := s.db.R.WithContext(ctx).Table("towns").Select("id, name").Where("id IN ?", act.ScopeTowns(f.TownID)).Scan(&towns).Error; err != nil {
		return nil, err
	}
	for _, t := range towns {
		x.TownNames[t.ID] = t.Name
	}
	return x, nil
}

// orderTime is when an order's lesson is (or would be): the confirmed
// start, else the first preferred time.
func orderTime(o booking.Order) time.Time {
	if o.StartAt != nil {
		return *o.StartAt
	}
	if len(o.Slots) > 0 {
		return o.Slots[0]
	}
	return o.CreatedAt
}

// dateSample sizes a date column: the cell holds a number, its text is
// the formatted day.
var dateSample = []string{"", "2026-12-31"}

// Sheet names of the workbook, in order.
var (
	SheetMatrix    = label("export.sheet.matrix")
	SheetTotals    = label("export.sheet.totals")
	SheetOrders    = label("export.sheet.orders")
	SheetViewings  = label("export.sheet.viewings")
	SheetPractices = label("export.sheet.practices")
)

// KindLabel is a branch kind as the pages say it.
func KindLabel(kind string) string { return label("cat.kind." + kind) }

// StatusLabel is an order status as the pages say it.
func StatusLabel(st booking.Status) string { return label("status." + string(st)) }

// CellText is a matrix cell as text that needs no colour to be read:
// "课✓ 片✓ 实·".
func CellText(c Cell) string {
	mark := func(ok bool) i18n.Key {
		if ok {
			return i18n.Key("export.mark.done")
		}
		return i18n.Key("export.mark.not_done")
	}
	return label("export.cell", "lesson", mark(c.Lesson), "film", mark(c.Film), "practice", mark(c.Practice))
}

// matrixHeader is the matrix's header row (town, branch, kind, months).
// matrixHeader names the matrix's columns; marked adds "in progress" to
// this month's, for people (the workbook) rather than programs (the CSV,
// whose columns stay plain months).
func (x *Export) matrixHeader(marked bool) []string {
	h := []string{label("export.col.town"), label("export.col.branch"), label("export.col.kind")}
	for j, m := range x.Matrix.Months {
		// A month column keeps its two digits (2026年01月), so the
		// columns line up.
		name := label("export.month", "year", m[:4], "month", m[5:])
		if marked && x.Matrix.Trend[j].InProgress {
			name = label("export.month_in_progress", "month", name)
		}
		h = append(h, name)
	}
	return h
}

// WriteCSV writes the matrix, one row per branch and one column per month,
// as UTF-8 with a byte-order mark: without it Excel on Windows reads the
// file as the local code page and shows the Chinese as mojibake.
func (x *Export) WriteCSV(w io.Writer) (err error) {
	defer apperr.Wrap(&err, "themeday: write csv")
	bw := bufio.NewWriter(w)
	// Branch names are typed by users: every cell goes through sheet.CSV,
	// which writes a formula-like cell as text.
	cw, err := sheet.NewCSV(bw)
	if err != nil {
		return err
	}
	if err := cw.Write(x.matrixHeader(false)); err != nil {
		return err
	}
	for _, b := range x.Matrix.Branches {
		row := []string{x.TownNames[b.TownID], b.Name, KindLabel(b.Kind)}
		for _, c := range b.Cells {
			row = append(row, CellText(c))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	if err := cw.Flush(); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteXLSX writes the workbook: a sheet each for the matrix, the totals,
// the orders, the viewings and the practices, each with a frozen header
// row, columns sized to their contents and dates as date cells.
func (x *Export) WriteXLSX(w io.Writer) (err error) {
	defer apperr.Wrap(&err, "themeday: write xlsx")
	f := excelize.NewFile()
	defer f.Close()
	b := &book{f: f}
	b.styles()
	x.matrixSheet(b)
	x.totalsSheet(b)
	x.ordersSheet(b)
	x.viewingsSheet(b)
	x.practicesSheet(b)
	if b.err != nil {
		return b.err
	}
	if err := f.DeleteSheet("Sheet1"); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	f.SetDocProps(&excelize.DocProperties{Title: label("export.title", "from", x.From, "to", x.To), Creator: "weike", Language: exportLang})
	_, err = f.WriteTo(w)
	return err
}

// book wraps the excelize file and keeps the first error, so the sheet
// builders read as a list of cells rather than a list of error checks.
type book struct {
	f                       *excelize.File
	err                     error
	header, date, pct, wrap int
	full, some, none        int
}

func (b *book) check(err error) {
	if b.err == nil && err != nil {
		b.err = err
	}
}

func (b *book) style(s *excelize.Style) int {
	id, err := b.f.NewStyle(s)
	b.check(err)
	return id
}

func (b *book) styles() {
	border := []excelize.Border{{Type: "left", Color: "D0D7DE", Style: 1}, {Type: "right", Color: "D0D7DE", Style: 1},
		{Type: "top", Color: "D0D7DE", Style: 1}, {Type: "bottom", Color: "D0D7DE", Style: 1}}
	dateFmt := "yyyy-mm-dd"
	pctFmt := "0%"
	b.header = b.style(&excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F3F4F6"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	b.date = b.style(&excelize.Style{CustomNumFmt: &dateFmt})
	b.pct = b.style(&excelize.Style{CustomNumFmt: &pctFmt})
	b.wrap = b.style(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	cell := func(fill, font string) int {
		return b.style(&excelize.Style{Border: border, Font: &excelize.Font{Color: font},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fill}},
			Alignment: &excelize.Alignment{Horizontal: "center"}})
	}
	// The same colours as the dashboard, dark text on light fills.
	b.full, b.some, b.none = cell("E9F5EC", "0F5323"), cell("FFF4D6", "6B4A00"), cell("EEF0F2", "3D444D")
}

// sheet adds a sheet with a header row, frozen so it stays in view.
func (b *book) sheet(name string, header []string, freezeCols int) {
	_, err := b.f.NewSheet(name)
	b.check(err)
	for i, h := range header {
		b.set(name, i+1, 1, h)
	}
	if len(header) > 0 {
		last, _ := excelize.CoordinatesToCellName(len(header), 1)
		b.check(b.f.SetCellStyle(name, "A1", last, b.header))
	}
	top, _ := excelize.CoordinatesToCellName(freezeCols+1, 2)
	pane := "bottomLeft"
	if freezeCols > 0 {
		pane = "bottomRight"
	}
	b.check(b.f.SetPanes(name, &excelize.Panes{Freeze: true, XSplit: freezeCols, YSplit: 1, TopLeftCell: top, ActivePane: pane}))
}

func (b *book) set(sheet string, col, row int, v any) {
	cell, err := excelize.CoordinatesToCellName(col, row)
	b.check(err)
	b.check(b.f.SetCellValue(sheet, cell, v))
}

func (b *book) styleCell(sheet string, col, row, style int) {
	cell, _ := excelize.CoordinatesToCellName(col, row)
	b.check(b.f.SetCellStyle(sheet, cell, cell, style))
}

// day sets a date cell from a YYYY-MM-DD local day. The serial number is
// built from midnight UTC so that no time zone shifts the day.
func (b *book) day(sheet string, col, row int, d string) {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		b.set(sheet, col, row, d)
		return
	}
	b.set(sheet, col, row, t)
	b.styleCell(sheet, col, row, b.date)
}

// widths sizes each column to its longest text, counting a Chinese
// character as two, between a floor and a ceiling.
func (b *book) widths(sheet string, rows [][]string) {
	w := map[int]float64{}
	for _, r := range rows {
		for i, s := range r {
			if n := displayWidth(s); n > w[i] {
				w[i] = n
			}
		}
	}
	for i, n := range w {
		n += 2
		if n < 8 {
			n = 8
		}
		if n > 60 {
			n = 60
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		b.check(b.f.SetColWidth(sheet, col, col, n))
	}
}

func displayWidth(s string) float64 {
	var n float64
	for _, r := range s {
		// CJK and full-width forms take two columns.
		if r >= 0x2E80 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func (x *Export) matrixSheet(b *book) {
	name := SheetMatrix
	head := x.matrixHeader(true)
	b.sheet(name, head, 3)
	rows := [][]string{head}
	for i, br := range x.Matrix.Branches {
		r := i + 2
		text := []string{x.TownNames[br.TownID], br.Name, KindLabel(br.Kind)}
		for j, v := range text {
			b.set(name, j+1, r, v)
		}
		for j, c := range br.Cells {
			t := CellText(c)
			text = append(text, t)
			b.set(name, j+4, r, t)
			style := b.none
			switch {
			case c.All():
				style = b.full
			case c.Lesson || c.Film || c.Practice:
				style = b.some
			}
			b.styleCell(name, j+4, r, style)
		}
		rows = append(rows, text)
	}
	// The month's rates under the branches: the trend in numbers.
	r := len(x.Matrix.Branches) + 3
	labels := []string{label("export.rate.lesson"), label("export.rate.film"), label("export.rate.practice"), label("export.rate.all")}
	for k, label := range labels {
		b.set(name, 2, r+k, label)
		rows = append(rows, []string{"", label})
		for j, t := range x.Matrix.Trend {
			v := [...]float64{t.Lesson, t.Film, t.Practice, t.All}[k]
			b.set(name, j+4, r+k, v)
			b.styleCell(name, j+4, r+k, b.pct)
		}
	}
	b.widths(name, rows)
}

func (x *Export) totalsSheet(b *book) {
	name := SheetTotals
	t := x.Totals
	head := []string{label("export.col.item"), label("export.col.value"), "", label("export.col.topic"), label("export.col.count"), "",
		label("export.col.lecturer"), label("export.col.delivered"), label("export.col.confirmed")}
	b.sheet(name, head, 0)
	reached := fmt.Sprintf("%d/%d", t.BranchesReached, t.Branches)
	items := []struct {
		label string
		v     any
	}{
		{label("export.total.range"), label("export.range", "from", x.From, "to", x.To)},
		{label("export.total.orders"), t.Orders},
		{label("export.total.delivered"), t.DeliveredLessons},
		{label("export.total.member_lessons"), t.MemberLessons},
		{label("export.total.person_times"), t.LecturingPersonTimes},
		{label("export.total.viewings"), t.FilmViewings},
		{label("export.total.attendance"), t.ViewingAttendance},
		{label("export.total.practices"), t.Practices},
		{label("export.total.participants"), t.Participants},
		{label("export.total.opinions"), t.Opinions},
		{label("export.total.services"), t.ServiceItems},
		{label("export.total.branches"), t.Branches},
		{label("export.total.reached"), reached},
	}
	rows := [][]string{head}
	for i, it := range items {
		b.set(name, 1, i+2, it.label)
		b.set(name, 2, i+2, it.v)
		rows = append(rows, []string{it.label, fmt.Sprint(it.v)})
	}
	for i, tc := range t.Topics {
		b.set(name, 4, i+2, tc.Topic)
		b.set(name, 5, i+2, tc.N)
		rows = append(rows, []string{"", "", "", tc.Topic})
	}
	for i, l := range t.Lecturers {
		b.set(name, 7, i+2, l.Name)
		b.set(name, 8, i+2, l.Delivered)
		b.set(name, 9, i+2, l.Confirmed)
		rows = append(rows, []string{"", "", "", "", "", "", l.Name})
	}
	b.widths(name, rows)
	b.check(b.f.SetColWidth(name, "C", "C", 3))
	b.check(b.f.SetColWidth(name, "F", "F", 3))
}

func (x *Export) ordersSheet(b *book) {
	name := SheetOrders
	head := []string{label("export.col.id"), label("export.col.date"), label("export.col.time"), label("export.col.town"),
		label("export.col.branch"), label("export.col.courtyard"), label("export.col.lesson"), label("export.col.lecturer"),
		label("export.col.status"), label("export.col.audience"), label("export.col.attendees"), label("export.col.stars")}
	b.sheet(name, head, 0)
	rows := [][]string{head, dateSample}
	for i, o := range x.Orders {
		r := i + 2
		at := orderTime(o).In(x.loc)
		b.set(name, 1, r, o.ID)
		b.day(name, 2, r, at.Format("2006-01-02"))
		// A time not yet agreed is the branch's first wish, and says so:
		// a county reading the sheet must not take it for a fixed lesson.
		clock := at.Format("15:04")
		if o.StartAt == nil {
			clock = label("export.time_unconfirmed", "time", clock)
		}
		b.set(name, 3, r, clock)
		text := []string{"", "", clock, x.TownNames[o.TownID], o.BranchName, o.CourtyardName, o.LessonTitle, o.LecturerName, StatusLabel(o.Status)}
		for j := 3; j < len(text); j++ {
			b.set(name, j+1, r, text[j])
		}
		b.set(name, 10, r, o.Audience)
		if o.Attendees != nil {
			b.set(name, 11, r, *o.Attendees)
		}
		if o.Stars != nil {
			b.set(name, 12, r, *o.Stars)
		}
		rows = append(rows, text)
	}
	b.widths(name, rows)
}

func (x *Export) viewingsSheet(b *book) {
	name := SheetViewings
	head := []string{label("export.col.id"), label("export.col.date"), label("export.col.town"), label("export.col.branch"),
		label("export.col.film"), label("export.col.viewers"), label("export.col.viewing_notes")}
	b.sheet(name, head, 0)
	rows := [][]string{head, dateSample}
	for i, v := range x.Viewings {
		r := i + 2
		b.set(name, 1, r, v.ID)
		b.day(name, 2, r, v.Day)
		b.set(name, 3, r, x.TownNames[v.TownID])
		b.set(name, 4, r, v.BranchName)
		b.set(name, 5, r, v.FilmTitle)
		b.set(name, 6, r, v.Attendees)
		b.set(name, 7, r, v.Notes)
		b.styleCell(name, 7, r, b.wrap)
		rows = append(rows, []string{"", "", x.TownNames[v.TownID], v.BranchName, v.FilmTitle, "", v.Notes})
	}
	b.widths(name, rows)
}

func (x *Export) practicesSheet(b *book) {
	name := SheetPractices
	head := []string{label("export.col.id"), label("export.col.date"), label("export.col.town"), label("export.col.branch"),
		label("export.col.type"), label("export.col.participants"), label("export.total.opinions"), label("export.total.services"),
		label("export.col.notes")}
	b.sheet(name, head, 0)
	rows := [][]string{head, dateSample}
	for i, p := range x.Practices {
		r := i + 2
		b.set(name, 1, r, p.ID)
		b.day(name, 2, r, p.Day)
		b.set(name, 3, r, x.TownNames[p.TownID])
		b.set(name, 4, r, p.BranchName)
		b.set(name, 5, r, p.Type)
		b.set(name, 6, r, p.Participants)
		b.set(name, 7, r, p.Opinions)
		b.set(name, 8, r, p.ServiceItems)
		b.set(name, 9, r, p.Notes)
		b.styleCell(name, 9, r, b.wrap)
		rows = append(rows, []string{"", "", x.TownNames[p.TownID], p.BranchName, p.Type, "", "", "", p.Notes})
	}
	b.widths(name, rows)
}
