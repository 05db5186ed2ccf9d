package web

import (
	"encoding/json"
	"html"
	"net/http"
	"strings"
	"testing"
)

// TestTrendMarksMonthInProgress: this month (the fixture's November) is
// marked "in progress" wherever the trend shows it — the table, the
// matrix's header, the chart, the API, the workbook — and no other month
// is, so a month's low figures so far do not read as a fall.
func TestTrendMarksMonthInProgress(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		dashWorld(t, e)
		e.W.Now = mustTime("2026-11-30T10:00:00+08:00") // back in November
		off := signIn(t, e, "ch-official")
		res := off.get("/dashboard?from=2026-01&to=2026-12")
		if res.Code != http.StatusOK {
			t.Fatalf("dashboard: %d", res.Code)
		}
		page := html.UnescapeString(res.Body.String())
		wantIn(t, "dashboard", page,
			`<tr><th scope="row">2026-11 <span class="dash-progress">进行中</span></th>`,
			`<th scope="col">2026-11 <span class="dash-progress">进行中</span></th>`,
			`<tr><th scope="row">2026-12</th>`, `<tr><th scope="row">2026-10</th>`,
			"本月还没有结束")
		if n := strings.Count(page, `class="dash-progress"`); n != 2 {
			t.Errorf("%d months marked in progress, want 2 marks (table and matrix) of one month", n)
		}
		var chart struct{ Months []string }
		if m := dashData.FindStringSubmatch(res.Body.String()); m == nil || json.Unmarshal([]byte(m[1]), &chart) != nil {
			t.Fatal("no chart data")
		}
		if len(chart.Months) != 12 || chart.Months[10] != "2026-11\n进行中" || chart.Months[11] != "2026-12" || chart.Months[9] != "2026-10" {
			t.Errorf("chart months: %q", chart.Months)
		}

		var mx struct {
			Trend []struct {
				Month      string
				InProgress *bool `json:"in_progress"`
			}
		}
		res = e.as("ch-official", http.MethodGet, "/api/v1/coverage/matrix?from=2026-10&to=2026-12", nil)
		mustJSON(t, res, &mx)
		checkDocumented(t, "GET /api/v1/coverage/matrix", res)
		for _, tr := range mx.Trend {
			if (tr.InProgress != nil && *tr.InProgress) != (tr.Month == "2026-11") {
				t.Errorf("API trend %s: in_progress %v", tr.Month, tr.InProgress)
			}
		}

		res = e.as("ch-official", http.MethodGet, "/api/v1/exports/coverage.xlsx?from=2026-10&to=2026-12", nil)
		cells := xlsxCells(t, res.Body.Bytes(), "覆盖矩阵")
		if cells["D1"].Value != "2026年10月" || cells["E1"].Value != "2026年11月（进行中）" || cells["F1"].Value != "2026年12月" {
			t.Errorf("workbook months: %q %q %q", cells["D1"].Value, cells["E1"].Value, cells["F1"].Value)
		}
		// The CSV's columns stay plain months, for programs.
		res = e.as("ch-official", http.MethodGet, "/api/v1/exports/coverage.csv?from=2026-10&to=2026-12", nil)
		if head := strings.Join(csvRows(t, res)[0], ","); head != "镇,支部,类型,2026年10月,2026年11月,2026年12月" {
			t.Errorf("CSV header %q", head)
		}

		off.get("/lang/en?next=/dashboard")
		wantIn(t, "English", pageText(t, off, "/dashboard?from=2026-10&to=2026-12", 200),
			`2026-11 <span class="dash-progress">in progress</span>`, "these are the figures so far")
	})
}
