package themeday_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"weike/themeday"

	"github.com/thedatashed/xlsxreader"

	"weike/booking"
	"weike/fixture"
	"weike/internal/apperr"
	"weike/internal/db"
	"weike/internal/db/dbtest"
	"weike/org"
)

// exportWorld is the fixture with December's records: 龙王庙村 has a lesson
// given and reviewed, a viewing and a practice; 春华山村 a member lesson;
// 漆河镇 (another county) a viewing that no export of 春华镇 may show.
func exportWorld(t *testing.T, d *db.DB) (*fixture.World, int64) {
	t.Helper()
	ctx := context.Background()
	w := fixture.New(t, d)
	a := w.A
	sec, lec := a.Actors["secretary"], a.Actors["lecturer"]
	o, _, err := w.Booking.Create(ctx, sec, booking.NewOrder{LessonID: a.Lessons[0].ID, LecturerID: a.Lecturers[0].ID,
		CourtyardID: a.Courtyards[0].ID, Slots: []string{"2026-12-05T14:00:00+08:00"}, Audience: 30})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Booking.Accept(ctx, lec, o.ID, 0); err != nil {
		t.Fatal(err)
	}
	w.Now = time.Date(2026, 12, 13, 4, 0, 0, 0, time.UTC)
	if _, err := w.Booking.Deliver(ctx, lec, o.ID, booking.Delivery{Attendees: 28, Minutes: 25}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Booking.Review(ctx, sec, o.ID, 5, "生动"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ThemeDay.CreateViewing(ctx, sec, themeday.ViewingInput{FilmID: a.Films[0].ID, Date: "2026-12-06", Attendees: 25, Notes: "观后感：农为邦本"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ThemeDay.CreatePractice(ctx, sec, themeday.PracticeInput{Type: "义诊", Date: "2026-12-12", Participants: 12, Opinions: 4, ServiceItems: 9}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ThemeDay.RecordMemberLesson(ctx, a.Official, themeday.NewMemberLesson{BranchID: a.Branches[1].ID, Title: "我的入党故事",
		Topic: "红色教育", Speaker: "老党员李", Date: "2026-12-10", Attendees: 20}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ThemeDay.CreateViewing(ctx, w.B.Actors["secretary"], themeday.ViewingInput{FilmID: w.B.Films[0].ID, Date: "2026-12-04", Attendees: 9}); err != nil {
		t.Fatal(err)
	}
	return w, o.ID
}

// sheetRows reads a sheet with an xlsx reader that is not the writer's.
func sheetRows(t *testing.T, x *xlsxreader.XlsxFile, sheet string) map[string]xlsxreader.Cell {
	t.Helper()
	cells := map[string]xlsxreader.Cell{}
	for row := range x.ReadRows(sheet) {
		if row.Error != nil {
			t.Fatalf("%s: %v", sheet, row.Error)
		}
		for _, c := range row.Cells {
			cells[c.Column+itoa(c.Row)] = c
		}
	}
	return cells
}

var itoa = strconv.Itoa

// workbook is the official's export of the months from..to, as written and
// as read back by a reader that is not the writer's.
func workbook(t *testing.T, w *fixture.World, from, to string) ([]byte, *xlsxreader.XlsxFile) {
	t.Helper()
	x, err := w.ThemeDay.Export(context.Background(), w.A.Official, from, to, themeday.CoverageFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := x.WriteXLSX(&buf); err != nil {
		t.Fatal(err)
	}
	xf, err := xlsxreader.NewReader(buf.Bytes())
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	return buf.Bytes(), xf
}

// TestExportUnconfirmedTime: an order whose time is not agreed yet shows
// the branch's first wish in the orders sheet, marked as such.
func TestExportUnconfirmedTime(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w, _ := exportWorld(t, d)
		a := w.A
		o, _, err := w.Booking.Create(ctx, a.Actors["secretary"], booking.NewOrder{LessonID: a.Lessons[0].ID, LecturerID: a.Lecturers[0].ID,
			CourtyardID: a.Courtyards[0].ID, Slots: []string{"2026-12-26T14:00:00+08:00"}, Audience: 20})
		if err != nil {
			t.Fatal(err)
		}
		_, xf := workbook(t, w, "2026-12", "2026-12")
		ord := sheetRows(t, xf, themeday.SheetOrders)
		if ord["A2"].Value == itoa(int(o.ID)) || ord["C2"].Value != "14:00" {
			t.Errorf("the delivered order's row: %q %q", ord["A2"].Value, ord["C2"].Value)
		}
		if ord["A3"].Value != itoa(int(o.ID)) || ord["C3"].Value != "14:00（首选时间，未确定）" || ord["I3"].Value != "待接单" {
			t.Errorf("the requested order's row: %q %q %q", ord["A3"].Value, ord["C3"].Value, ord["I3"].Value)
		}
	})
}

func TestExportWorkbook(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w, orderID := exportWorld(t, d)
		raw, xf := workbook(t, w, "2026-11", "2026-12")
		if got := strings.Join(xf.Sheets, ","); got != "覆盖矩阵,汇总,点单,观看记录,微实践" {
			t.Fatalf("sheets: %s", got)
		}
		text := func(cells map[string]xlsxreader.Cell, ref string) string { return cells[ref].Value }

		m := sheetRows(t, xf, themeday.SheetMatrix)
		for ref, want := range map[string]string{"A1": "镇", "B1": "支部", "C1": "类型", "D1": "2026年11月", "E1": "2026年12月（进行中）",
			"A2": "春华镇", "B2": "龙王庙村", "C2": "村", "D2": "课· 片· 实·", "E2": "课✓ 片✓ 实✓",
			"B3": "春华山村", "E3": "课✓ 片· 实·", "B4": "金鼎山社区", "C4": "社区", "E4": "课· 片· 实·", "B9": "三项全覆盖率"} {
			if got := text(m, ref); got != want {
				t.Errorf("matrix %s = %q, want %q", ref, got, want)
			}
		}
		if c := m["E9"]; c.Type != xlsxreader.TypeNumerical || !strings.HasPrefix(c.Value, "0.333") {
			t.Errorf("December's all-three rate: %+v", c)
		}
		if _, ok := m["A5"]; ok {
			t.Errorf("漆河镇 or a fourth branch in 春华镇's matrix: %+v", m["A5"])
		}

		tot := sheetRows(t, xf, themeday.SheetTotals)
		labels := map[string]string{}
		for r := 2; r < 20; r++ {
			labels[text(tot, "A"+itoa(r))] = text(tot, "B"+itoa(r))
		}
		for label, want := range map[string]string{"点单": "1", "巡讲微党课": "1", "上台讲微党课人次": "2", "观看教育片场次": "1",
			"收集社情民意": "4", "办理为民服务事项": "9", "巡讲进支部": "1/3"} {
			if labels[label] != want {
				t.Errorf("totals %s = %q, want %q (%v)", label, labels[label], want, labels)
			}
		}
		if text(tot, "D1") != "专题" || text(tot, "D2") != "红色教育" || text(tot, "E2") != "2" {
			t.Errorf("topics: %q %q %q", text(tot, "D1"), text(tot, "D2"), text(tot, "E2"))
		}

		ord := sheetRows(t, xf, themeday.SheetOrders)
		for ref, want := range map[string]string{"A1": "编号", "B1": "日期", "E1": "支部", "G1": "微党课", "I1": "状态", "L1": "评分",
			"A2": itoa(int(orderID)), "C2": "14:00", "E2": "龙王庙村", "F2": "龙王庙村屋场", "G2": "ch红色家书里的初心", "H2": "王ch",
			"I2": "已评价", "J2": "30", "K2": "28", "L2": "5"} {
			if got := text(ord, ref); got != want {
				t.Errorf("orders %s = %q, want %q", ref, got, want)
			}
		}
		if c := ord["B2"]; c.Type != xlsxreader.TypeDateTime || c.Value != "2026-12-05" {
			t.Errorf("the order's day is not a date cell: %+v", c)
		}

		vw := sheetRows(t, xf, themeday.SheetViewings)
		if text(vw, "E1") != "教育片" || text(vw, "D2") != "龙王庙村" || text(vw, "E2") != "ch《抛砖屋场》" || text(vw, "F2") != "25" {
			t.Errorf("viewings: %v", vw)
		}
		if c := vw["B2"]; c.Type != xlsxreader.TypeDateTime || c.Value != "2026-12-06" {
			t.Errorf("the viewing's day: %+v", c)
		}
		if _, ok := vw["A3"]; ok {
			t.Errorf("another county's viewing exported: %+v", vw["D3"])
		}
		pr := sheetRows(t, xf, themeday.SheetPractices)
		if text(pr, "G1") != "收集社情民意" || text(pr, "E2") != "义诊" || text(pr, "G2") != "4" || text(pr, "H2") != "9" {
			t.Errorf("practices: %v", pr)
		}

		// Frozen header rows and set widths, read from the sheets' XML.
		zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
		if err != nil {
			t.Fatal(err)
		}
		frozen := regexp.MustCompile(`<pane [^>]*ySplit="1"[^>]*state="frozen"|<pane [^>]*state="frozen"[^>]*ySplit="1"`)
		col := regexp.MustCompile(`<col [^>]*>`)
		custom, width := regexp.MustCompile(`customWidth="(1|true)"`), regexp.MustCompile(` width="[0-9.]+"`)
		sheets := 0
		for _, f := range zr.File {
			if !strings.HasPrefix(f.Name, "xl/worksheets/sheet") {
				continue
			}
			sheets++
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			if !frozen.Match(b) {
				t.Errorf("%s: no frozen header row", f.Name)
			}
			cols := col.FindAll(b, -1)
			for _, c := range cols {
				if !custom.Match(c) || !width.Match(c) {
					t.Errorf("%s: a column without its width: %s", f.Name, c)
				}
			}
			if len(cols) < 3 {
				t.Errorf("%s: widths for %d columns", f.Name, len(cols))
			}
		}
		if sheets != 5 {
			t.Errorf("%d worksheets", sheets)
		}
	})
}

func TestExportCSVAndFilters(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w, _ := exportWorld(t, d)
		x, err := w.ThemeDay.Export(ctx, w.County, "2026-12", "2026-12", themeday.CoverageFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := x.WriteCSV(&buf); err != nil {
			t.Fatal(err)
		}
		raw, ok := bytes.CutPrefix(buf.Bytes(), []byte("\xEF\xBB\xBF"))
		if !ok {
			t.Fatalf("no byte-order mark: % x", buf.Bytes()[:8])
		}
		recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{{"镇", "支部", "类型", "2026年12月"}, {"春华镇", "龙王庙村", "村", "课✓ 片✓ 实✓"},
			{"春华镇", "春华山村", "村", "课✓ 片· 实·"}, {"春华镇", "金鼎山社区", "社区", "课· 片· 实·"}}
		if len(recs) != len(want) {
			t.Fatalf("csv rows: %q", recs)
		}
		for i := range want {
			if strings.Join(recs[i], "|") != strings.Join(want[i], "|") {
				t.Errorf("row %d: %q, want %q", i, recs[i], want[i])
			}
		}

		// The kind filter narrows every sheet to the same branches.
		x, err = w.ThemeDay.Export(ctx, w.A.Official, "2026-12", "2026-12", themeday.CoverageFilter{Kind: org.KindCommunity})
		if err != nil {
			t.Fatal(err)
		}
		if len(x.Matrix.Branches) != 1 || x.Matrix.Branches[0].Name != "金鼎山社区" || len(x.Orders) != 0 || len(x.Viewings) != 0 || len(x.Practices) != 0 {
			t.Errorf("community only: %+v orders %d viewings %d practices %d", x.Matrix.Branches, len(x.Orders), len(x.Viewings), len(x.Practices))
		}

		// Who may export, and bad ranges.
		for _, c := range []struct {
			name     string
			act      org.Actor
			from, to string
			kind     apperr.Kind
		}{
			{"secretary", w.A.Actors["secretary"], "2026-12", "2026-12", apperr.Forbidden},
			{"lecturer", w.A.Actors["lecturer"], "2026-12", "2026-12", apperr.Forbidden},
			{"backwards", w.A.Official, "2026-12", "2026-01", apperr.Invalid},
			{"not a month", w.A.Official, "2026-13", "2026-12", apperr.BadRequest},
		} {
			_, err := w.ThemeDay.Export(ctx, c.act, c.from, c.to, themeday.CoverageFilter{})
			if e, ok := apperr.As(err); !ok || e.Kind != c.kind {
				t.Errorf("%s: %v, want kind %v", c.name, err, c.kind)
			}
		}

		// 漆河镇's official sees 漆河镇 only.
		x, err = w.ThemeDay.Export(ctx, w.B.Official, "2026-12", "2026-12", themeday.CoverageFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(x.Matrix.Branches) != 2 || len(x.Orders) != 0 || len(x.Viewings) != 1 || x.Viewings[0].BranchName != "漆河村" {
			t.Errorf("漆河镇: %+v %+v", x.Matrix.Branches, x.Viewings)
		}
	})
}
