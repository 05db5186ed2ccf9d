package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/thedatashed/xlsxreader"

	"weike/org"
)

// TestExportTotalsAgreeWithRows: every figure of the export's summary
// sheet that counts records equals the rows of the record sheet it sums,
// for any range, kind and caller. The summary once counted the orders
// placed in the range while the order sheet listed the lessons of the
// range, so an order placed on 30 November for 5 December was a row of
// December's sheet and missing from its count.
func TestExportTotalsAgreeWithRows(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		dashWorld(t, e) // placed 30 November, given 5 December
		a := e.W.A
		// An order placed in December, not answered: it has no time yet
		// and belongs to the month it was placed in.
		if _, code, body := e.order(t, "ch-secretary", 0, "2026-12-19T14:00:00+08:00"); code != http.StatusCreated {
			t.Fatalf("order: %d %s", code, body)
		}
		// A viewing by a community that is then merged away: its past
		// stays in the totals and in the rows.
		if res := e.as("ch-official", http.MethodPost, "/api/v1/viewings", map[string]any{"branch_id": a.Branches[2].ID,
			"film_id": a.Films[0].ID, "date": "2026-12-08", "attendees": 7}); res.Code != http.StatusCreated {
			t.Fatalf("viewing: %d %s", res.Code, res.Body)
		}
		off := false
		if _, err := e.W.Org.UpdateBranch(context.Background(), a.Official, a.Branches[2].ID, org.BranchInput{
			Name: a.Branches[2].Name, Kind: a.Branches[2].Kind, MemberCount: 40, Active: &off}); err != nil {
			t.Fatal(err)
		}

		num := func(c xlsxreader.Cell) int {
			n, err := strconv.Atoi(c.Value)
			if err != nil && c.Value != "" {
				t.Fatalf("not a number: %+v", c)
			}
			return n
		}
		for _, c := range []struct {
			login, query string
			orders       int // rows expected, so the test cannot pass on two empty sheets
		}{
			{"ch-official", "from=2026-12&to=2026-12", 2},
			{"ch-official", "from=2026-11&to=2026-11", 0},
			{"ch-official", "from=2026-11&to=2026-12", 2},
			{"ch-official", "from=2026-01&to=2026-12", 2},
			{"ch-official", "from=2026-12&to=2027-01", 2},
			{"ch-official", "from=2026-12&to=2026-12&kind=community", 0},
			{"ch-official", "from=2026-12&to=2026-12&kind=village", 2},
			{"cs-county", "from=2026-12&to=2026-12", 2},
			{"qh-official", "from=2026-12&to=2026-12", 0},
		} {
			name := c.login + " " + c.query
			res := e.as(c.login, http.MethodGet, "/api/v1/exports/coverage.xlsx?"+c.query, nil)
			if res.Code != http.StatusOK {
				t.Fatalf("%s: %d %s", name, res.Code, res.Body)
			}
			body := res.Body.Bytes()
			totals := map[string]int{}
			summary := xlsxCells(t, body, "汇总")
			for ref, cell := range summary {
				if v := summary["B"+ref[1:]].Value; ref[0] == 'A' && ref != "A1" {
					if n, err := strconv.Atoi(v); err == nil {
						totals[cell.Value] = n
					}
				}
			}
			sum := func(sheet string, col byte, where func(map[string]xlsxreader.Cell, string) bool) (rows, total int) {
				cells := xlsxCells(t, body, sheet)
				for r := 2; ; r++ {
					row := strconv.Itoa(r)
					if cells["A"+row].Value == "" {
						return rows, total
					}
					if where == nil || where(cells, row) {
						rows++
						if col != 0 {
							total += num(cells[string(col)+row])
						}
					}
				}
			}
			orders, _ := sum("点单", 0, nil)
			given, _ := sum("点单", 0, func(cells map[string]xlsxreader.Cell, row string) bool {
				st := cells["I"+row].Value
				return st == "已开讲" || st == "已评价"
			})
			viewings, viewers := sum("观看记录", 'F', nil)
			practices, participants := sum("微实践", 'F', nil)
			_, opinions := sum("微实践", 'G', nil)
			_, services := sum("微实践", 'H', nil)
			for _, chk := range []struct {
				label     string
				rows, sum int
			}{
				{"点单", orders, totals["点单"]},
				{"巡讲微党课", given, totals["巡讲微党课"]},
				{"观看教育片场次", viewings, totals["观看教育片场次"]},
				{"观看教育片人次", viewers, totals["观看教育片人次"]},
				{"微实践活动", practices, totals["微实践活动"]},
				{"参与党员人次", participants, totals["参与党员人次"]},
				{"收集社情民意", opinions, totals["收集社情民意"]},
				{"办理为民服务事项", services, totals["办理为民服务事项"]},
			} {
				if chk.rows != chk.sum {
					t.Errorf("%s: the summary says %s %d, the sheets hold %d", name, chk.label, chk.sum, chk.rows)
				}
			}
			if orders != c.orders {
				t.Errorf("%s: %d order rows, want %d", name, orders, c.orders)
			}
			// The dashboard shows the summary's figure.
			if c.login == "ch-official" {
				b := signIn(t, e, c.login)
				wantIn(t, name, pageText(t, b, "/dashboard?"+c.query, 200),
					fmt.Sprintf(`<span class="dash-label">点单</span><strong>%d</strong>`, totals["点单"]))
			}
		}
	})
}
