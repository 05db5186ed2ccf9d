package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// importUpload posts a file to the import API as login.
func (e *env) importUpload(login, kind, filename string, content []byte, headers ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	body, ctype := multipartFile(e.t.(*testing.T), filename, string(content))
	return e.as(login, http.MethodPost, "/api/v1/imports/"+kind, body, append([]string{"Content-Type", ctype}, headers...)...)
}

// importCount is how many records of a kind login sees through the API.
func (e *env) importCount(login, kind string) int {
	e.t.Helper()
	path := "/api/v1/" + kind
	if kind == "lessons" {
		path += "?per_page=100"
	}
	res := e.as(login, http.MethodGet, path, nil)
	if res.Code != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, res.Code, res.Body)
	}
	var list struct{ Total int }
	mustJSON(e.t, res, &list)
	return list.Total
}

// importNames lists the names or titles login sees of a kind.
func (e *env) importNames(login, kind string) string {
	e.t.Helper()
	res := e.as(login, http.MethodGet, "/api/v1/"+kind+"?per_page=100", nil)
	var list struct {
		Items []struct{ Name, Title string }
	}
	mustJSON(e.t, res, &list)
	var names []string
	for _, it := range list.Items {
		names = append(names, it.Name+it.Title)
	}
	return strings.Join(names, ",")
}

type importRows struct {
	Error struct {
		Code    string
		Message string
		Fields  struct {
			Rows []struct {
				Row     int
				Column  string
				Message string
			}
		}
	}
}

func toGBK(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// toXLSX writes CSV text as a one-sheet workbook, numbers as numbers, the
// way a sheet typed into Excel stores them.
func toXLSX(t *testing.T, text string) []byte {
	t.Helper()
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	for i, rec := range recs {
		row := make([]any, len(rec))
		for j, v := range rec {
			var n int
			if _, err := fmt.Sscanf(v, "%d", &n); err == nil && fmt.Sprint(n) == v && len(v) < 6 {
				row[j] = n
			} else {
				row[j] = v
			}
		}
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const (
	importBranchesCSV = "名称,类型,党员人数,书记,电话,屋场\n" +
		"东山村,村,52,刘一,13800000001,东山一组屋场、东山二组屋场\n" +
		"西湖社区,社区,130,陈二,13800000002,\n" +
		"农机合作社,其他,8,,,\n"
	importLecturersCSV = "姓名,电话,所属支部,简介,擅长主题,每月上限,可讲时段,不可讲日期\n" +
		"周讲师,13900000001,龙王庙村,老党员,红色教育,6,周六 14:00-18:00；周三 19:00-21:00,2026-12-05、2026-12-12\n" +
		"吴讲师,13900000002,,驻村第一书记,乡村振兴,,Sat 9:00-11:00,\n"
	importLessonsCSV = "标题,主题,时长(分钟),简介,提纲,讲师,状态,资料链接\n" +
		"党史中的屋场故事,红色教育,30,讲身边的党史,\"一、\n二、\",王ch、李ch,已发布,https://example.test/a\n" +
		"一亩田里的振兴账,乡村振兴,25,,,王ch,,\n" +
		"小微权力清单,基层治理,20,,,,草稿,\n"
)

func TestImportEachKind(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		cases := []struct {
			kind, file string
			data       []byte
			n          int
			see        []string
		}{
			{"branches", "支部.csv", []byte("\uFEFF" + importBranchesCSV), 3, []string{"东山村", "西湖社区", "农机合作社"}},
			{"lecturers", "讲师.csv", toGBK(t, importLecturersCSV), 2, []string{"周讲师", "吴讲师"}},
			{"lessons", "微党课.xlsx", toXLSX(t, importLessonsCSV), 3, []string{"党史中的屋场故事", "一亩田里的振兴账", "小微权力清单"}},
		}
		for _, c := range cases {
			t.Run(c.kind, func(t *testing.T) {
				before := e.importCount("ch-official", c.kind)
				res := e.importUpload("ch-official", c.kind, c.file, c.data)
				if res.Code != http.StatusOK {
					t.Fatalf("import: %d %s", res.Code, res.Body)
				}
				var out struct {
					Kind     string
					Imported int
				}
				mustJSON(t, res, &out)
				if out.Kind != c.kind || out.Imported != c.n {
					t.Fatalf("result %+v", out)
				}
				if after := e.importCount("ch-official", c.kind); after != before+c.n {
					t.Fatalf("%s: %d before, %d after", c.kind, before, after)
				}
				names := e.importNames("ch-official", c.kind)
				for _, n := range c.see {
					if !strings.Contains(names, n) {
						t.Fatalf("%q not listed: %s", n, names)
					}
				}
				if strings.Contains(e.importNames("qh-official", c.kind), c.see[0]) {
					t.Fatalf("漆河镇 sees 春华镇's imported %s", c.kind)
				}
			})
		}

		// What was imported is whole: courtyards, availability, lecturers of lessons.
		var bs struct {
			Items []struct {
				Name, Kind  string
				MemberCount int `json:"member_count"`
				Courtyards  []struct{ Name string }
			}
		}
		mustJSON(t, e.as("ch-official", http.MethodGet, "/api/v1/branches?q=东山村", nil), &bs)
		if len(bs.Items) != 1 || bs.Items[0].Kind != "village" || bs.Items[0].MemberCount != 52 || len(bs.Items[0].Courtyards) != 2 {
			t.Fatalf("imported branch: %+v", bs)
		}
		var ls struct {
			Items []struct {
				Name         string
				BranchID     *int64 `json:"branch_id"`
				Availability []struct {
					Weekday     int
					StartMinute int `json:"start_minute"`
				}
				Blackouts []struct{ Day string }
			}
		}
		mustJSON(t, e.as("ch-official", http.MethodGet, "/api/v1/lecturers?q=周讲师", nil), &ls)
		if len(ls.Items) != 1 || ls.Items[0].BranchID == nil || *ls.Items[0].BranchID != e.W.A.Branches[0].ID ||
			len(ls.Items[0].Availability) != 2 || len(ls.Items[0].Blackouts) != 2 || ls.Items[0].Blackouts[0].Day != "2026-12-05" {
			t.Fatalf("imported lecturer: %+v", ls)
		}
		var lessonsList struct {
			Items []struct {
				Status          string
				DurationMinutes int     `json:"duration_minutes"`
				LecturerIDs     []int64 `json:"lecturer_ids"`
				Materials       []string
			}
		}
		mustJSON(t, e.as("ch-official", http.MethodGet, "/api/v1/lessons?q=党史中的屋场故事", nil), &lessonsList)
		if l := lessonsList.Items; len(l) != 1 || l[0].Status != "published" || l[0].DurationMinutes != 30 || len(l[0].LecturerIDs) != 2 || len(l[0].Materials) != 1 {
			t.Fatalf("imported lesson: %+v", l)
		}
	})
}

func TestImportBadRowImportsNothing(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		cases := []struct {
			name, kind, login, file string
			data                    []byte
			lang                    string
			row                     int
			column, message         string
		}{
			{"lesson too long, csv", "lessons", "ch-official", "l.csv",
				[]byte("标题,主题,时长(分钟)\n新课甲,红色教育,30\n新课乙,红色教育,60\n新课丙,乡村振兴,20\n"), "", 3, "时长(分钟)", "时长应在 10–45 分钟之间"},
			{"lesson too long, xlsx, in English", "lessons", "ch-official", "l.xlsx",
				toXLSX(t, "标题,主题,时长(分钟)\n新课甲,红色教育,30\n新课乙,红色教育,60\n"), "en", 3, "时长(分钟)", "Lessons last 10 to 45 minutes"},
			{"branch kind", "branches", "ch-official", "b.csv",
				[]byte("名称,类型\n新村甲,村\n新村乙,村\n新村丙,城市\n"), "", 4, "类型", "类型应为 村、社区 或 其他"},
			{"branch repeated in the file", "branches", "ch-official", "b.csv",
				toGBK(t, "名称,类型\n新村甲,村\n新村甲,村\n"), "", 3, "名称", "与第 2 行重复"},
			{"branch that exists", "branches", "ch-official", "b.csv",
				[]byte("name,kind\n新村甲,village\n龙王庙村,village\n"), "", 3, "name", "支部“龙王庙村”已存在"},
			{"漆河镇 cannot name 春华镇's branch", "lecturers", "qh-official", "l.csv",
				[]byte("姓名,所属支部\n新讲师甲,漆河村\n新讲师乙,龙王庙村\n"), "", 3, "所属支部", "本镇没有支部“龙王庙村”"},
			{"漆河镇 cannot name 春华镇's lecturer", "lessons", "qh-official", "l.csv",
				[]byte("标题,主题,时长(分钟),讲师\n新课甲,红色教育,30,王qh\n新课乙,红色教育,30,王ch\n"), "", 3, "讲师", "本镇没有讲师“王ch”"},
			{"lecturer window", "lecturers", "ch-official", "l.csv",
				[]byte("姓名,可讲时段\n新讲师甲,周六 14:00-18:00\n新讲师乙,周六下午\n"), "", 3, "可讲时段", "时段格式应为 周六 14:00-17:00，开始早于结束"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := e.importCount(c.login, c.kind)
				res := e.importUpload(c.login, c.kind, c.file, c.data, "Accept-Language", c.lang)
				if res.Code != http.StatusUnprocessableEntity {
					t.Fatalf("status %d: %s", res.Code, res.Body)
				}
				var body importRows
				mustJSON(t, res, &body)
				rows := body.Error.Fields.Rows
				if body.Error.Code != "import.rows" || len(rows) != 1 {
					t.Fatalf("want one row problem: %s", res.Body)
				}
				if r := rows[0]; r.Row != c.row || r.Column != c.column || r.Message != c.message {
					t.Fatalf("row problem %+v, want %d %s %q", r, c.row, c.column, c.message)
				}
				if after := e.importCount(c.login, c.kind); after != before {
					t.Fatalf("a refused file changed %s: %d → %d", c.kind, before, after)
				}
			})
		}
	})
}

func TestImportOfficialsOnly(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		for _, login := range []string{"ch-secretary", "ch-lecturer", "cs-county"} {
			before := e.importCount("ch-official", "branches")
			res := e.importUpload(login, "branches", "b.csv", []byte(importBranchesCSV))
			if res.Code != http.StatusForbidden {
				t.Fatalf("%s: %d %s", login, res.Code, res.Body)
			}
			if e.importCount("ch-official", "branches") != before {
				t.Fatalf("%s imported branches", login)
			}
		}
		res := e.do(http.MethodPost, "/api/v1/imports/branches", "", nil)
		if res.Code != http.StatusUnauthorized {
			t.Fatalf("anonymous: %d", res.Code)
		}
	})
}

func TestImportUnreadableFiles(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		cases := []struct {
			name, file string
			data       []byte
			status     int
			code       string
		}{
			{"empty", "b.csv", nil, 400, "import.empty"},
			{"old xls", "b.xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), 400, "import.xls"},
			{"word document", "b.docx", []byte("PK\x03\x04 not a workbook"), 400, "import.unreadable"},
			{"pdf", "b.pdf", []byte("%PDF-1.7"), 400, "import.format"},
			{"missing column", "b.csv", []byte("类型,党员人数\n村,3\n"), 400, "import.missing_columns"},
			{"too large", "b.csv", append([]byte("名称\n"), bytes.Repeat([]byte("甲村\n"), 5<<20/7+1)...), 413, "import.too_large"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := e.importUpload("ch-official", "branches", c.file, c.data)
				if res.Code != c.status {
					t.Fatalf("status %d, want %d: %.300s", res.Code, c.status, res.Body)
				}
				body := apiErrorOf(t, res)
				if body.Code != c.code || body.Message == "" || body.Message == c.code {
					t.Fatalf("error %+v", body)
				}
			})
		}
	})
}

// TestImportTemplatesRoundTrip downloads each template, fills in a row below
// the example and imports it: the example row and the new row both land.
func TestImportTemplatesRoundTrip(t *testing.T) {
	t.Parallel()
	fill := map[string][]string{
		"branches":  {"模板村", "社区", "12", "周三", "13700000000", "模板屋场"},
		"lecturers": {"模板讲师", "13700000001", "春华山村", "", "廉洁教育", "2", "周日 9:00-11:00", ""},
		"lessons":   {"模板课", "廉洁教育", "15", "", "", "李ch", "", ""},
	}
	eachDB(t, func(t *testing.T, e *env) {
		for _, kind := range []string{"branches", "lecturers", "lessons"} {
			for _, format := range []string{"xlsx", "csv"} {
				t.Run(kind+"."+format, func(t *testing.T) {
					res := e.as("ch-secretary", http.MethodGet, "/api/v1/imports/"+kind+"/template."+format, nil)
					if res.Code != http.StatusOK || !strings.Contains(res.Header().Get("Content-Disposition"), "attachment") {
						t.Fatalf("template: %d %v", res.Code, res.Header())
					}
					row := append([]string(nil), fill[kind]...)
					row[0] += format // a new name for each round
					var data []byte
					if format == "csv" {
						if !bytes.HasPrefix(res.Body.Bytes(), []byte("\xEF\xBB\xBF")) {
							t.Fatal("csv template without BOM")
						}
						var buf bytes.Buffer
						cw := csv.NewWriter(&buf)
						_ = cw.Write(row)
						cw.Flush()
						data = append(res.Body.Bytes(), buf.Bytes()...)
					} else {
						f, err := excelize.OpenReader(bytes.NewReader(res.Body.Bytes()))
						if err != nil {
							t.Fatal(err)
						}
						sheet := f.GetSheetList()[0]
						head, _ := f.GetRows(sheet)
						if len(head) != 2 || len(head[0]) != len(row) {
							t.Fatalf("template rows %q", head)
						}
						cells := make([]any, len(row))
						for i, v := range row {
							cells[i] = v
						}
						if err := f.SetSheetRow(sheet, "A3", &cells); err != nil {
							t.Fatal(err)
						}
						var buf bytes.Buffer
						if err := f.Write(&buf); err != nil {
							t.Fatal(err)
						}
						data = buf.Bytes()
					}
					login := "ch-official"
					if format == "csv" {
						// The example row was imported by the xlsx round: it is
						// now a duplicate, reported as such, and nothing lands.
						res := e.importUpload(login, kind, "t.csv", data)
						var body importRows
						mustJSON(t, res, &body)
						if res.Code != http.StatusUnprocessableEntity || len(body.Error.Fields.Rows) != 1 || body.Error.Fields.Rows[0].Row != 2 {
							t.Fatalf("re-importing the example: %d %s", res.Code, res.Body)
						}
						// Without the example row the filled template imports.
						recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")))).ReadAll()
						if err != nil || len(recs) != 3 {
							t.Fatalf("csv template read back: %v %q", err, recs)
						}
						var buf bytes.Buffer
						cw := csv.NewWriter(&buf)
						_ = cw.WriteAll([][]string{recs[0], recs[2]})
						data = buf.Bytes()
					}
					before := e.importCount(login, kind)
					res = e.importUpload(login, kind, "t."+format, data)
					if res.Code != http.StatusOK {
						t.Fatalf("import filled template: %d %s", res.Code, res.Body)
					}
					want := 1
					if format == "xlsx" {
						want = 2
					}
					if after := e.importCount(login, kind); after != before+want {
						t.Fatalf("%d → %d, want %d more", before, after, want)
					}
				})
			}
		}
	})
}

// importPost sends a file to the import page with the client's cookies and
// CSRF token, as the page's form does.
func importPost(t *testing.T, b *browser, kind, filename string, content []byte) *httptest.ResponseRecorder {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("_csrf", b.csrf); err != nil {
		t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(content)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/import/"+kind, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for _, c := range b.jar {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	rec := httptest.NewRecorder()
	b.e.S.ServeHTTP(rec, req)
	return rec
}

func TestImportPage(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		b := signIn(t, e, "ch-official")
		res := b.get("/import")
		if res.Code != http.StatusOK {
			t.Fatalf("import page: %d %s", res.Code, res.Body)
		}
		mustContain(t, res, `action="/import/branches"`, `action="/import/lecturers"`, `action="/import/lessons"`,
			`enctype="multipart/form-data"`, `name="_csrf"`, `href="/import/lessons/template.xlsx"`, `href="/import/branches/template.csv"`)
		mustLack(t, res, "import.")

		for _, f := range []string{"template.xlsx", "template.csv"} {
			if res := b.get("/import/lessons/" + f); res.Code != http.StatusOK || res.Body.Len() == 0 {
				t.Fatalf("page template %s: %d", f, res.Code)
			}
		}

		before := e.importCount("ch-official", "lessons")
		res = importPost(t, b, "lessons", "l.csv", []byte("标题,主题,时长(分钟)\n新课甲,红色教育,30\n新课乙,红色教育,60\n"))
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("bad file: %d %s", res.Code, res.Body)
		}
		mustContain(t, res, "<td>3</td><td>时长(分钟)</td><td>时长应在 10–45 分钟之间</td>", "未导入任何数据")
		if e.importCount("ch-official", "lessons") != before {
			t.Fatal("the page imported part of a bad file")
		}

		res = importPost(t, b, "lessons", "l.csv", []byte("标题,主题,时长(分钟)\n新课甲,红色教育,30\n新课乙,红色教育,40\n"))
		if res.Code != http.StatusOK {
			t.Fatalf("good file: %d %s", res.Code, res.Body)
		}
		mustContain(t, res, "已导入 2 条")
		if e.importCount("ch-official", "lessons") != before+2 {
			t.Fatal("the page did not import")
		}

		res = importPost(t, b, "branches", "b.pdf", []byte("%PDF"))
		if res.Code != http.StatusBadRequest {
			t.Fatalf("pdf: %d", res.Code)
		}
		mustContain(t, res, "只支持 .xlsx 或 .csv 文件")

		// Without the CSRF token the form is refused.
		b.csrf = "wrong"
		if res := importPost(t, b, "lessons", "l.csv", []byte("标题,主题,时长(分钟)\n新课丙,红色教育,30\n")); res.Code != http.StatusForbidden {
			t.Fatalf("bad csrf: %d", res.Code)
		}

		s := signIn(t, e, "ch-secretary")
		if res := s.get("/import"); res.Code != http.StatusForbidden {
			t.Fatalf("secretary's import page: %d", res.Code)
		}
		s.get("/")
		if res := importPost(t, s, "lessons", "l.csv", []byte("标题,主题,时长(分钟)\n新课丁,红色教育,30\n")); res.Code != http.StatusForbidden {
			t.Fatalf("secretary's upload: %d", res.Code)
		}
	})
}
