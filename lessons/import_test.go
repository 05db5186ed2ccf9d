package lessons_test

import (
	"context"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"weike/fixture"
	"weike/internal/apperr"
	"weike/internal/db"
	"weike/internal/db/dbtest"
	"weike/internal/sheet"
	"weike/lessons"
	"weike/org"
)

func TestParseWindows(t *testing.T) {
	t.Parallel()
	w := func(d, s, e int) lessons.Window { return lessons.Window{Weekday: d, StartMinute: s, EndMinute: e} }
	cases := []struct {
		in   string
		want []lessons.Window
		ok   bool
	}{
		{"", nil, true},
		{"周六 14:00-18:00；周三 19:00-21:00", []lessons.Window{w(6, 840, 1080), w(3, 1140, 1260)}, true},
		{"Sat 14:00-18:00; wed. 19:00–21:00", []lessons.Window{w(6, 840, 1080), w(3, 1140, 1260)}, true},
		{"星期日 9:00~11:30", []lessons.Window{w(0, 540, 690)}, true},
		{"每周六、周日 9:00-11:00、14:00-17:00", []lessons.Window{w(6, 540, 660), w(0, 540, 660), w(6, 840, 1020), w(0, 840, 1020)}, true},
		{"周六14：00至18：00\n礼拜一 8:00-9:00", []lessons.Window{w(6, 840, 1080), w(1, 480, 540)}, true},
		{"Saturday 14:00-18:00", []lessons.Window{w(6, 840, 1080)}, true},
		{"周六", nil, false},
		{"14:00-18:00", nil, false},
		{"周八 14:00-18:00", nil, false},
		{"周六 下午", nil, false},
		{"Sat 14:70-18:00", nil, false},
		{"Someday 14:00-18:00", nil, false},
	}
	for _, c := range cases {
		got, ok := lessons.ParseWindows(c.in)
		if ok != c.ok || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseWindows(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestParseDays(t *testing.T) {
	t.Parallel()
	got, ok := lessons.ParseDays("2026-12-05、2026/12/6；2026年12月7日 2026.1.2")
	want := []lessons.Blackout{{Day: "2026-12-05"}, {Day: "2026-12-06"}, {Day: "2026-12-07"}, {Day: "2026-01-02"}}
	if !ok || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v %v", got, ok)
	}
	for _, in := range []string{"12/05/2026", "明天", "2026-12"} {
		if _, ok := lessons.ParseDays(in); ok {
			t.Errorf("ParseDays(%q) accepted", in)
		}
	}
}

func table(t *testing.T, csv string) *sheet.Table {
	t.Helper()
	tb, err := sheet.Read("a.csv", []byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// rowCodes renders the row errors of an import as "row column code" lines.
func rowCodes(t *testing.T, err error) string {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != apperr.Invalid || ae.Code != "import.rows" {
		t.Fatalf("want import.rows, got %v", err)
	}
	var b strings.Builder
	for _, r := range ae.Detail["rows"].([]sheet.RowError) {
		b.WriteString(strings.TrimSpace(strings.Join([]string{strconv.Itoa(r.Row), r.Column, r.Code, param(r, "name") + param(r, "row") + param(r, "title")}, " ")))
		b.WriteString("\n")
	}
	return b.String()
}

func TestImportLecturersAndLessons(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := fixture.New(t, d)
		ctx := context.Background()
		off := w.A.Official
		count := func() (int, int) {
			ls, err := w.Lessons.Lecturers(ctx, off, lessons.LecturerFilter{})
			if err != nil {
				t.Fatal(err)
			}
			p, err := w.Lessons.Lessons(ctx, off, lessons.LessonFilter{PerPage: 100})
			if err != nil {
				t.Fatal(err)
			}
			return len(ls), int(p.Total)
		}
		lec0, les0 := count()

		bad := "姓名,电话,所属支部,每月上限,可讲时段,不可讲日期\n" +
			"赵新,13900000001,龙王庙村,4,周六 14:00-18:00,2026-12-05\n" +
			"钱新,139号,漆河村,0,周六 下午,2026-13-40\n" + // bad phone; another town's branch; bad capacity, window, date
			"赵新,13900000001,,,,\n" + // repeats row 2
			"王ch,13900000003,,,,\n" // exists already
		_, err := w.Lessons.ImportLecturers(ctx, off, table(t, bad))
		want := "3 电话 field.phone\n3 所属支部 import.branch_unknown 漆河村\n3 每月上限 field.range\n3 可讲时段 field.window\n3 不可讲日期 field.date\n" +
			"4 姓名 import.duplicate_row 2\n5 姓名 import.lecturer_exists 王ch\n"
		if got := rowCodes(t, err); got != want {
			t.Fatalf("row errors:\n%s\nwant:\n%s", got, want)
		}
		if l, _ := count(); l != lec0 {
			t.Fatalf("a refused file wrote lecturers: %d → %d", lec0, l)
		}

		good := "姓名,电话,所属支部,简介,擅长主题,每月上限,可讲时段,不可讲日期\n" +
			"赵新,13900000001,龙王庙村,退休教师,红色教育,6,周六 14:00-18:00；周三 19:00-21:00,2026-12-05、2026-12-12\n" +
			"钱新,13900000002,,,,,Sun 9:00-11:00,\n"
		n, err := w.Lessons.ImportLecturers(ctx, off, table(t, good))
		if err != nil || n != 2 {
			t.Fatalf("import: %d %v", n, err)
		}
		ls, _ := w.Lessons.Lecturers(ctx, off, lessons.LecturerFilter{Q: "赵新"})
		if len(ls) != 1 || ls[0].BranchID == nil || *ls[0].BranchID != w.A.Branches[0].ID || ls[0].MonthlyCapacity != 6 ||
			len(ls[0].Availability) != 2 || len(ls[0].Blackouts) != 2 {
			t.Fatalf("imported lecturer: %+v", ls)
		}

		lessonsCSV := "标题,主题,时长(分钟),讲师,状态,资料链接\n" +
			"新课一,红色教育,30分钟,赵新、钱新,,https://example.test/a\n" +
			"新课二,Policy and theory,15,,草稿,\n"
		n, err = w.Lessons.ImportLessons(ctx, off, table(t, lessonsCSV))
		if err != nil || n != 2 {
			t.Fatalf("import lessons: %d %v", n, err)
		}
		p, _ := w.Lessons.Lessons(ctx, off, lessons.LessonFilter{Q: "新课一"})
		if p.Total != 1 || p.Items[0].Status != lessons.StatusPublished || len(p.Items[0].LecturerIDs) != 2 ||
			p.Items[0].Topic != "红色教育" || p.Items[0].DurationMinutes != 30 {
			t.Fatalf("imported lesson: %+v", p.Items)
		}

		badLessons := "标题,主题,时长(分钟),讲师,状态,资料链接\n" +
			"新课三,红色教育,50,王qh,发布了,ftp://x\n" + // 漆河镇's lecturer is unknown here
			"新课一,无此主题,abc,,,\n" +
			",红色教育,20,,,\n"
		_, err = w.Lessons.ImportLessons(ctx, off, table(t, badLessons))
		// Errors of a row come in column order.
		want = "2 时长(分钟) field.duration\n2 讲师 import.lecturer_unknown 王qh\n2 状态 field.lesson_status\n2 资料链接 field.link\n" +
			"3 标题 lesson.title_taken 新课一\n3 主题 import.topic_unknown 无此主题\n3 时长(分钟) field.number\n" +
			"4 标题 field.required\n"
		if got := rowCodes(t, err); got != want {
			t.Fatalf("row errors:\n%s\nwant:\n%s", got, want)
		}
		if l, s := count(); l != lec0+2 || s != les0+2 {
			t.Fatalf("counts %d %d, want %d %d", l, s, lec0+2, les0+2)
		}

		// Only an official may import, and only into their own town.
		if _, err := w.Lessons.ImportLessons(ctx, w.A.Actors[string(org.RoleSecretary)], table(t, lessonsCSV)); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("secretary: %v", err)
		}
		if _, err := w.Lessons.ImportLessons(ctx, w.County, table(t, lessonsCSV)); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("county: %v", err)
		}
	})
}

// param is a row error's text parameter, "" when it has none.
func param(r sheet.RowError, name string) string {
	s, _ := r.Params[name].(string)
	return s
}
