package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestOfficialHome: the official's home opens on coverage, the monthly
// plan and imports, then lists what needs her — declined or expired
// orders, orders near their answer deadline, proposals the branch has not
// answered, and late in the month the branches with nothing yet — each a
// link to where she acts, and only her town's.
func TestOfficialHome(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		a := e.W.A
		// 30 November, 10:00: three orders of 龙王庙村.
		waiting, code, body := e.order(t, "ch-secretary", 0, sat1400)
		if code != http.StatusCreated {
			t.Fatalf("order: %d %s", code, body)
		}
		declined, _, _ := e.order(t, "ch-secretary", 0, sat1500)
		proposed, _, _ := e.order(t, "ch-secretary", 0, "2026-12-12T14:00:00+08:00")
		for _, s := range []struct {
			path string
			body map[string]string
		}{
			{fmt.Sprintf("/api/v1/orders/%d/decline", declined.ID), map[string]string{"reason": "那天要去长沙"}},
			{fmt.Sprintf("/api/v1/orders/%d/propose", proposed.ID), map[string]string{"start": "2026-12-09T19:30:00+08:00"}},
		} {
			if res := e.as("ch-lecturer", http.MethodPost, s.path, s.body); res.Code != http.StatusOK {
				t.Fatalf("%s: %d %s", s.path, res.Code, res.Body)
			}
		}

		off := signIn(t, e, "ch-official")
		page := pageText(t, off, "/", 200)
		// Coverage, the plan due next and imports come first.
		order := []string{`href="/dashboard"`, `href="/plans/2026-12"`, `href="/import"`, "需要您处理", `href="/orders">`}
		at := -1
		for _, w := range order {
			i := strings.Index(page[strings.Index(page, "<main"):], w)
			if i < 0 {
				t.Fatalf("the home lacks %s:\n%s", w, page)
			}
			if i < at {
				t.Errorf("%s comes before what should precede it (%v)", w, order)
			}
			at = i
		}
		wantIn(t, "official home", page, "2026年11月三项全覆盖 0%", "2026年12月计划未发布",
			"讲师婉拒或超时未答复的点单（1）", fmt.Sprintf(`<a href="/orders/%d"><strong>龙王庙村</strong>`, declined.ID), "原因：那天要去长沙",
			"讲师提议改期、支部还没答复（1）", fmt.Sprintf(`<a href="/orders/%d"><strong>龙王庙村</strong>`, proposed.ID),
			// Late in November: the branches with nothing, each one tap
			// from its secretary's phone. 龙王庙村's orders are all for
			// December lessons: they do nothing for November.
			"2026年11月还没有任何活动的支部（3）",
			fmt.Sprintf(`<a href="/branches/%d"><strong>龙王庙村</strong>`, a.Branches[0].ID),
			fmt.Sprintf(`<a href="/branches/%d"><strong>春华山村</strong>`, a.Branches[1].ID),
			fmt.Sprintf(`<a href="/branches/%d"><strong>金鼎山社区</strong>`, a.Branches[2].ID))
		lackIn(t, "official home", page, "快到答复期限", fmt.Sprintf(`href="/orders/%d"`, waiting.ID), "目前没有需要您处理的事")

		// 2 December, noon: the waiting order's answer is due within a
		// day; the month is young, so no branch is behind yet.
		e.W.Now = mustTime("2026-12-02T12:00:00+08:00")
		page = pageText(t, off, "/", 200)
		wantIn(t, "a day before the deadline", page, "快到答复期限、讲师还没答复的点单（1）",
			fmt.Sprintf(`<a href="/orders/%d"><strong>龙王庙村</strong>`, waiting.ID), "答复期限 2026年12月3日 周四 10:00",
			"2027年1月计划未发布", "讲师婉拒或超时未答复的点单（1）")
		lackIn(t, "early in the month", page, "还没有任何活动的支部")

		// Another town's official sees none of it.
		qh := pageText(t, signIn(t, e, "qh-official"), "/", 200)
		wantIn(t, "漆河镇", qh, "需要您处理", "目前没有需要您处理的事")
		lackIn(t, "漆河镇", qh, "龙王庙村", fmt.Sprintf(`href="/orders/%d"`, declined.ID))
		// The other roles keep their own home.
		for _, login := range []string{"ch-secretary", "ch-lecturer", "cs-county"} {
			lackIn(t, login, pageText(t, signIn(t, e, login), "/", 200), "需要您处理")
		}
		// In English.
		off.get("/lang/en?next=/")
		wantIn(t, "English", pageText(t, off, "/", 200), "Needs your attention", "Order near its answer deadline, not answered yet (1)",
			"Reason: 那天要去长沙")

		// Late in December the same orders are on the way for the month
		// (one waiting for its answer, one proposed): 龙王庙村 is not idle.
		e.W.Now = mustTime("2026-12-21T09:00:00+08:00")
		off = signIn(t, e, "ch-official") // afresh: the session of 30 November has lapsed
		page = pageText(t, off, "/", 200)
		wantIn(t, "late in December", page, "2026年12月还没有任何活动的支部（2）",
			fmt.Sprintf(`<a href="/branches/%d"><strong>春华山村</strong>`, a.Branches[1].ID))
		lackIn(t, "late in December", page, fmt.Sprintf(`<a href="/branches/%d">`, a.Branches[0].ID))
	})
}
