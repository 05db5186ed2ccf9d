package sheet

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"

	"weike/internal/apperr"
	"weike/internal/i18n"
)

// testSchema borrows the lessons sheet's messages (sheet.lessons.*) for
// three of its columns, with an alias of its own.
var testSchema = Schema{
	ID: "lessons",
	Columns: []Column{
		{Key: "title", Aliases: []string{"支部名称"}, Required: true},
		{Key: "duration_minutes", Required: true},
		{Key: "summary"},
	},
}

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func utf16le(t *testing.T, s string) []byte {
	t.Helper()
	b, err := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func xlsx(t *testing.T, rows map[string][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	for cell, vals := range rows {
		if err := f.SetSheetRow("Sheet1", cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type rec struct {
	Row        int
	Name, Dur  string
	Note       string
	HasNoteCol bool
}

func TestReadAndMap(t *testing.T) {
	t.Parallel()
	const plain = "标题,时长(分钟),简介\n龙王庙村,30,\n春华山村,25,好\n"
	want := []rec{{2, "龙王庙村", "30", "", true}, {3, "春华山村", "25", "好", true}}
	cases := []struct {
		name, file string
		data       []byte
		want       []rec
	}{
		{"utf-8 csv", "a.csv", []byte(plain), want},
		{"utf-8 csv with BOM", "a.csv", append([]byte("\xEF\xBB\xBF"), plain...), want},
		{"GBK csv as Chinese Excel saves it", "a.csv", gbk(t, plain), want},
		{"CRLF line ends", "a.csv", []byte(strings.ReplaceAll(plain, "\n", "\r\n")), want},
		{"UTF-16 tab-separated (Excel Unicode text)", "a.txt", utf16le(t, strings.ReplaceAll(plain, ",", "\t")), want},
		{"English headers, other order, extra column", "a.csv",
			[]byte("Extra,DURATION_MINUTES,title\nx,30,龙王庙村\n"), []rec{{2, "龙王庙村", "30", "", false}}},
		{"title row and blank row before the header; row numbers as in the sheet", "a.csv",
			[]byte("春华镇名单,,\n,,\n标题,时长（分钟）,简介\n龙王庙村,30,\n,,\n春华山村,25,好\n"),
			[]rec{{4, "龙王庙村", "30", "", true}, {6, "春华山村", "25", "好", true}}},
		{"quoted cell over two lines is one row", "a.csv",
			[]byte("标题,时长(分钟),简介\n\"龙王庙村\",30,\"一\n二\"\n春华山村,25,\n"),
			[]rec{{2, "龙王庙村", "30", "一\n二", true}, {3, "春华山村", "25", "", true}}},
		{"short rows", "a.csv", []byte("支部名称,*时长(分钟)*,简介\n龙王庙村,30\n"), []rec{{2, "龙王庙村", "30", "", true}}},
		{"xlsx with numbers and a gap", "a.xlsx", xlsx(t, map[string][]any{
			"A1": {"标题", "时长(分钟)", "简介"}, "A2": {"龙王庙村", 30, nil}, "A4": {"春华山村", 25.0, "好"},
		}), []rec{{2, "龙王庙村", "30", "", true}, {4, "春华山村", "25", "好", true}}},
		{"xlsx misnamed .xls", "a.xls", xlsx(t, map[string][]any{
			"A1": {"标题", "时长(分钟)"}, "A2": {"龙王庙村", "30"},
		}), []rec{{2, "龙王庙村", "30", "", false}}},
		{"xlsx whatever its name", "upload", xlsx(t, map[string][]any{
			"B3": {"标题", "时长(分钟)"}, "B4": {"龙王庙村", "30"},
		}), []rec{{4, "龙王庙村", "30", "", false}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tb, err := Read(c.file, c.data)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			rs, err := testSchema.Records(tb)
			if err != nil {
				t.Fatalf("records: %v", err)
			}
			var got []rec
			for _, r := range rs.Items {
				got = append(got, rec{r.Row, r.Get("title"), r.Get("duration_minutes"), r.Get("summary"), rs.Has("summary")})
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestReadRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, file string
		data       []byte
		code       string
	}{
		{"empty", "a.csv", nil, "import.empty"},
		{"only blank cells", "a.csv", []byte(",,\n , \n"), "import.empty"},
		{"old xls", "a.xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"), "import.xls"},
		{"pdf", "a.pdf", []byte("%PDF-1.4"), "import.format"},
		{"broken zip", "a.xlsx", []byte("PK\x03\x04garbage"), "import.unreadable"},
		{"binary", "a.csv", []byte("a,b\x00c\n"), "import.unreadable"},
		{"too large", "a.csv", bytes.Repeat([]byte("a"), MaxBytes+1), "import.too_large"},
		{"too many rows", "a.csv", []byte("标题\n" + strings.Repeat("x\n", MaxRows+headerScan+1)), "import.too_many_rows"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read(c.file, c.data)
			ae, ok := apperr.As(err)
			if !ok || ae.Kind != apperr.BadRequest || ae.Code != c.code {
				t.Fatalf("got %v, want %s", err, c.code)
			}
		})
	}
}

func TestHeaderProblems(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, csv, code string
	}{
		{"no header", "龙王庙村,30\n春华山村,25\n", "import.no_header"},
		{"missing required", "标题,简介\n龙王庙村,x\n", "import.missing_columns"},
		{"duplicate column", "标题,title,时长(分钟)\n龙王庙村,x,30\n", "import.duplicate_column"},
		{"too many data rows", "标题,时长(分钟)\n" + strings.Repeat("x,30\n", MaxRows+1), "import.too_many_rows"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tb, err := Read("a.csv", []byte(c.csv))
			if err != nil {
				t.Fatal(err)
			}
			_, err = testSchema.Records(tb)
			ae, ok := apperr.As(err)
			if !ok || ae.Kind != apperr.BadRequest || ae.Code != c.code {
				t.Fatalf("got %v, want %s", err, c.code)
			}
		})
	}
	tb, _ := Read("a.csv", []byte("标题,简介\nx,y\n"))
	_, err := testSchema.Records(tb)
	if ae, _ := apperr.As(err); ae == nil || ae.Params["columns"] != "时长(分钟)" {
		t.Fatalf("missing columns named: %v", err)
	}
}

func TestProblems(t *testing.T) {
	t.Parallel()
	tb, err := Read("a.csv", []byte("标题,时长（分钟）\na,1\nb,2\nc,3\n"))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := testSchema.Records(tb)
	if err != nil {
		t.Fatal(err)
	}
	p := rs.Problems(testSchema)
	if p.Err() != nil {
		t.Fatal("no problems yet")
	}
	p.Add(4, "duration_minutes", "field.duration")
	p.Add(2, "duration_minutes", "field.duration")
	p.Add(2, "title", "field.required")
	p.Add(2, "title", "field.too_long") // the first problem of a cell wins
	p.Add(3, "summary", "x", "k", "v")
	err = p.Err()
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != apperr.Invalid || ae.Code != "import.rows" || ae.Params["n"] != "3" {
		t.Fatalf("err %v", err)
	}
	got := ae.Detail["rows"].([]RowError)
	want := []RowError{
		{Row: 2, Column: "标题", Code: "field.required"},
		{Row: 2, Column: "时长（分钟）", Code: "field.duration", order: 1},
		{Row: 3, Column: "简介", Code: "x", Params: map[string]any{"k": "v"}, order: 2},
		{Row: 4, Column: "时长（分钟）", Code: "field.duration", order: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

func TestTemplatesReadBack(t *testing.T) {
	t.Parallel()
	for _, format := range []string{FormatXLSX, FormatCSV} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			var err error
			if format == FormatXLSX {
				err = testSchema.WriteXLSX(&buf)
			} else {
				err = testSchema.WriteCSV(&buf)
				if !bytes.HasPrefix(buf.Bytes(), []byte("\xEF\xBB\xBF标题,")) {
					t.Fatalf("csv template lacks BOM and header: %q", buf.String())
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			tb, err := Read("template."+format, buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if tb.Format != format {
				t.Fatalf("format %s", tb.Format)
			}
			rs, err := testSchema.Records(tb)
			if err != nil {
				t.Fatal(err)
			}
			if len(rs.Items) != 1 || rs.Items[0].Row != 2 {
				t.Fatalf("items %+v", rs.Items)
			}
			r := rs.Items[0]
			if got := []string{r.Get("title"), r.Get("duration_minutes"), r.Get("summary")}; !reflect.DeepEqual(got, testSchema.Example(i18n.ZH)) {
				t.Fatalf("example read back as %q", got)
			}
		})
	}
}

func TestCells(t *testing.T) {
	t.Parallel()
	ints := map[string]int{"45": 45, " 45 ": 45, "45.0": 45, "４５": 45, "0": 0, "-3": -3}
	for in, want := range ints {
		if got, ok := Int(in); !ok || got != want {
			t.Errorf("Int(%q) = %d, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "4.5", "abc", "45人", "99999999999"} {
		if _, ok := Int(in); ok {
			t.Errorf("Int(%q) accepted", in)
		}
	}
	got := SplitList(" 一组屋场、二组屋场;三组屋场；\n四组屋场 ;; ")
	if want := []string{"一组屋场", "二组屋场", "三组屋场", "四组屋场"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("SplitList: %q", got)
	}
}

// FuzzRead feeds Read arbitrary bytes: it must never panic, and whatever it
// accepts must be a table of non-empty rows in sheet order.
func FuzzRead(f *testing.F) {
	f.Add("a.csv", []byte("标题,时长(分钟)\n龙王庙村,30\n"))
	f.Add("a.csv", []byte("\xEF\xBB\xBF标题,类型\r\n\"龙王\"\"庙\"\"村\",村\r\n"))
	f.Add("a.csv", []byte("\xc3\xfb\xb3\xc6,\xc0\xe0\xd0\xcd\n\xb4\xe5,1\n")) // GBK
	f.Add("a.csv", []byte("\"unterminated,\n,,\n\t\t\n"))
	f.Add("", []byte("\xFF\xFEa\x00,\x00b\x00"))
	f.Add("a.xlsx", []byte("PK\x03\x04\x14\x00"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		tb, err := Read(name, data)
		if err != nil {
			if _, ok := apperr.As(err); !ok {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		last := 0
		for _, r := range tb.Rows {
			if r.Num <= last || len(r.Cells) > MaxCols {
				t.Fatalf("row %d after %d, %d cells", r.Num, last, len(r.Cells))
			}
			last = r.Num
		}
		_, _ = testSchema.Records(tb)
	})
}
