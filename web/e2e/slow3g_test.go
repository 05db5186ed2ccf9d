package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"weike/booking"
	"weike/lessons"
)

// slow3G is the network the pages are made for: a phone in a village on
// a weak signal, 400 ms to the server and 400 kbit/s each way.
var slow3G = network.Conditions{Latency: 400, DownloadThroughput: 400_000 / 8, UploadThroughput: 400_000 / 8,
	ConnectionType: network.ConnectionTypeCellular3g}

// Budgets of a first visit on the phone (cache off), page and everything
// it loads: the dashboard carries its charts.
const (
	pageBudget      = 40 << 10
	dashboardBudget = 250 << 10
)

// pageFigure is one page's first visit on slow 3G.
type pageFigure struct {
	role, path string
	bytes      float64
	loadMS     float64 // navigation start to the load event's end
	chartsMS   float64 // navigation start to the charts drawn (dashboard)
}

// TestSlow3G opens every role's pages on a phone over an emulated slow 3G
// network (Chromium's network emulation), the cache off, and holds each
// to its budget of bytes over the wire: 250 KB for the dashboard, 40 KB
// for every other page. The time to the load event is measured and
// logged, not checked: speed goals live in docs/benchmarks.md, whose
// figures come from this test with WEIKE_SLOW3G_REPORT=FILE.
func TestSlow3G(t *testing.T) {
	needBrowser(t)
	a := newApp(t)
	lessonID, orderID := secretarysLessonAndOrder(t, a)
	var (
		mu      sync.Mutex
		figures []pageFigure
	)
	t.Run("roles", func(t *testing.T) {
		for _, r := range []struct {
			login string
			pages []string
		}{
			{"", []string{"/login"}},
			{"secretary", []string{"/", "/lessons", fmt.Sprintf("/lessons/%d", lessonID), fmt.Sprintf("/lessons/%d/order", lessonID),
				"/orders", fmt.Sprintf("/orders/%d", orderID), "/this-month", "/films", "/inbox", "/account"}},
			{"lecturer", []string{"/", "/agenda", "/points", "/orders"}},
			{"official", []string{"/", "/orders", "/dashboard", "/plans", "/branches"}},
			{"county", []string{"/", "/county", "/dashboard"}},
		} {
			name := r.login
			if name == "" {
				name = "anonymous"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				tb := openTab(t, a, phone)
				if r.login != "" {
					tb.signIn(r.login, demoPassword)
				}
				call(tb, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true})
				cond := slow3G
				call(tb, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
					MatchedNetworkConditions: []*network.Conditions{&cond}})
				for _, p := range r.pages {
					from := tb.mark()
					if st := tb.open(p); st != 200 {
						t.Errorf("%s answers %d", p, st)
						continue
					}
					chartsMS := 0.0
					if p == "/dashboard" {
						// The charts come after the load event: wait for
						// them, so that their bytes count and their time
						// is known.
						tb.step("wait for the charts", chromedp.WaitVisible(chromedp.CSS("#chart-trend canvas")))
						chartsMS = eval[float64](tb, `performance.now()`)
					}
					var total float64
					var parts []string
					for _, q := range tb.requests(from) {
						total += q.bytes
						parts = append(parts, fmt.Sprintf("%s %.1f KB", strings.TrimPrefix(q.url, a.URL), q.bytes/1024))
					}
					load := eval[float64](tb, `(() => { const n = performance.getEntriesByType("navigation")[0]; return n ? n.loadEventEnd : -1 })()`)
					t.Logf("%-24s %6.1f KB %6.0f ms, charts %6.0f ms (%s)", p, total/1024, load, chartsMS, strings.Join(parts, ", "))
					budget := float64(pageBudget)
					if p == "/dashboard" {
						budget = dashboardBudget
					}
					if total > budget {
						t.Errorf("%s as %s: %.1f KB over the wire on a first visit, budget %.0f KB: %s", p, name, total/1024, budget/1024, strings.Join(parts, ", "))
					}
					if total == 0 {
						t.Errorf("%s: no bytes recorded", p)
					}
					mu.Lock()
					figures = append(figures, pageFigure{role: name, path: p, bytes: total, loadMS: load, chartsMS: chartsMS})
					mu.Unlock()
				}
			})
		}
	})
	if out := os.Getenv("WEIKE_SLOW3G_REPORT"); out != "" {
		var b strings.Builder
		b.WriteString("| role | page | KB over the wire | load event, ms | charts drawn, ms |\n|---|---|---:|---:|---:|\n")
		for _, f := range figures {
			charts := ""
			if f.chartsMS > 0 {
				charts = fmt.Sprintf("%.0f", f.chartsMS)
			}
			fmt.Fprintf(&b, "| %s | `%s` | %.1f | %.0f | %s |\n", f.role, f.path, f.bytes/1024, f.loadMS, charts)
		}
		if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
}

// secretarysLessonAndOrder are the demo's lesson of the journeys and the
// secretary's newest order: pages every page check opens.
func secretarysLessonAndOrder(t *testing.T, a *app) (int64, int64) {
	t.Helper()
	ctx := context.Background()
	sec := a.actor(t, "secretary")
	found, err := a.Lessons.Lessons(ctx, sec, lessons.LessonFilter{Q: lessonTitle})
	if err != nil || len(found.Items) != 1 {
		t.Fatalf("find %s: %v", lessonTitle, err)
	}
	mine, err := a.Booking.List(ctx, sec, booking.OrderFilter{PerPage: 1})
	if err != nil || len(mine.Items) == 0 {
		t.Fatalf("the secretary's orders: %v", err)
	}
	return found.Items[0].ID, mine.Items[0].ID
}
