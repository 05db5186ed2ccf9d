package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"weike/themeday"
)

var (
	sheetRow    = regexp.MustCompile(`<input type="hidden" name="row" value="(\d+)">`)
	sheetChoice = regexp.MustCompile(`<select name="choice_(\d+)"[^>]*>((?:<option[^>]*>[^<]*</option>)*)</select>`)
	optionValue = regexp.MustCompile(`<option value="([^"]+)"( selected)?>([^<]*)</option>`)
)

// sheetForm reads the dispatch page's form as a browser would send it:
// each row, its selected choice, ticked; and every choice it offers.
func sheetForm(t *testing.T, body string) (url.Values, map[string][]string) {
	t.Helper()
	form := url.Values{}
	choices := map[string][]string{}
	for _, m := range sheetRow.FindAllStringSubmatch(body, -1) {
		form.Add("row", m[1])
		form.Set("keep_"+m[1], "1")
	}
	for _, m := range sheetChoice.FindAllStringSubmatch(body, -1) {
		for _, o := range optionValue.FindAllStringSubmatch(m[2], -1) {
			choices[m[1]] = append(choices[m[1]], o[1])
			if o[2] != "" {
				form.Set("choice_"+m[1], o[1])
			}
		}
	}
	if len(form["row"]) == 0 || len(choices) != len(form["row"]) {
		t.Fatalf("no rows or choices in the sheet:\n%s", body)
	}
	return form, choices
}

// TestDispatchPage: the official opens next month's draft, changes a row to
// another choice, removes one, checks, and dispatches the rest; the county
// viewer reads the page without a form; others are turned away.
func TestDispatchPage(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		a := e.W.A
		b := signIn(t, e, "ch-official")
		res := b.get("/")
		mustContain(t, res, `href="/plans/2026-12/dispatch"`, "下月派单")
		res = b.get("/plans")
		mustContain(t, res, `href="/plans/2026-12/dispatch"`, "派单草案")

		res = b.get("/plans/2026-12/dispatch")
		if res.Code != http.StatusOK {
			t.Fatalf("dispatch page: %d %s", res.Code, res.Body)
		}
		mustContain(t, res, "2026年12月派单", a.Branches[0].Name, a.Branches[1].Name, a.Branches[2].Name,
			"近6个月未上过该主题", "本月第1堂", "一键派单", "按修改重新检查", "3 个支部待安排，已安排 3 个", "12月2日 周三")
		form, choices := sheetForm(t, res.Body.String())

		// Change 春华山村's row to its last choice, and remove 金鼎山社区's.
		second, third := fmt.Sprint(a.Branches[1].ID), fmt.Sprint(a.Branches[2].ID)
		if len(choices[second]) < 2 {
			t.Fatalf("春华山村 has %d choices", len(choices[second]))
		}
		changed := choices[second][len(choices[second])-1]
		form.Set("choice_"+second, changed)
		form.Del("keep_" + third)
		form.Set("op", "check")
		res = b.post("/plans/2026-12/dispatch", form)
		if res.Code != http.StatusOK {
			t.Fatalf("check: %d %s", res.Code, res.Body)
		}
		mustContain(t, res, "已移除的行", "重新生成草案")
		mustLack(t, res, `class="failed`)
		form2, _ := sheetForm(t, res.Body.String())
		if form2.Get("choice_"+second) != changed {
			t.Fatalf("the changed row came back as %q, want %q", form2.Get("choice_"+second), changed)
		}
		// The removed row is shown unticked.
		mustContain(t, res, fmt.Sprintf(`name="keep_%s" value="1"><span`, third))

		form.Set("op", "dispatch")
		res = b.post("/plans/2026-12/dispatch", form)
		if res.Code != http.StatusOK {
			t.Fatalf("dispatch: %d %s", res.Code, res.Body)
		}
		mustContain(t, res, "已派出 2 堂微党课", a.Branches[0].Name, a.Branches[1].Name, "回到派单页")
		// Dispatching the same form again creates nothing new.
		res = b.post("/plans/2026-12/dispatch", form)
		mustContain(t, res, "已派出 2 堂微党课")
		list := e.as("ch-official", http.MethodGet, "/api/v1/orders?status=requested", nil)
		mustContain(t, list, `"total":2`)
		// What is left: 金鼎山社区 alone.
		res = b.get("/plans/2026-12/dispatch")
		mustContain(t, res, "1 个支部待安排，已安排 1 个", a.Branches[2].Name)
		mustLack(t, res, ">"+a.Branches[0].Name+"<")

		// Nothing ticked: nothing dispatched, said so.
		form, _ = sheetForm(t, res.Body.String())
		for k := range form {
			if strings.HasPrefix(k, "keep_") {
				form.Del(k)
			}
		}
		form.Set("op", "dispatch")
		res = b.post("/plans/2026-12/dispatch", form)
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("dispatching nothing: %d", res.Code)
		}
		mustContain(t, res, "没有勾选任何一行")

		// In English.
		b.get("/lang/en")
		res = b.get("/plans/2027-01/dispatch")
		mustContain(t, res, "Dispatch for January 2027", "Topic not heard in the last 6 months", "Check my changes")

		// The county viewer reads, without a form.
		cv := signIn(t, e, "cs-county")
		res = cv.get(fmt.Sprintf("/plans/2026-12/dispatch?town_id=%d", a.Town.ID))
		if res.Code != http.StatusOK {
			t.Fatalf("county viewer: %d", res.Code)
		}
		mustContain(t, res, "县级只读", a.Branches[2].Name)
		mustLack(t, res, `name="row"`, `id="dispatch-all"`)

		for _, login := range []string{"ch-secretary", "ch-lecturer"} {
			if res := signIn(t, e, login).get("/plans/2026-12/dispatch"); res.Code != http.StatusForbidden {
				t.Errorf("%s: %d, want 403", login, res.Code)
			}
		}
		if res := signIn(t, e, "qh-official").get("/plans/2026-12/dispatch"); res.Code != http.StatusOK {
			t.Errorf("qh-official sees her own town: %d", res.Code)
		}
	})
}

// TestEnglishPagesNameTopicsInEnglish: a topic is a row of the catalog with
// a name in each language; English pages show its English name wherever a
// topic stands, and lists read with English separators.
func TestEnglishPagesNameTopicsInEnglish(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		b := signIn(t, e, "ch-official")
		b.get("/lang/en?next=/")
		res := b.get("/plans/2026-12/dispatch")
		mustContain(t, res, `<span class="tag grey">Red history</span>`)
		mustLack(t, res, `<span class="tag grey">红色教育</span>`)
		if _, err := e.W.ThemeDay.RecordMemberLesson(context.Background(), e.W.A.Official, themeday.NewMemberLesson{BranchID: e.W.A.Branches[0].ID,
			Title: "我的入党故事", Topic: "红色教育", Speaker: "老党员李", Date: "2026-11-25", Attendees: 20}); err != nil {
			t.Fatal(err)
		}
		mustContain(t, b.get("/member-lessons"), "Red history")
		mustLack(t, b.get("/member-lessons"), ">红色教育<")
		imp := b.get("/import").Body.String()
		if strings.Contains(imp, "*、") || strings.Contains(imp, "</span>、") {
			t.Error("the import page joins English column names with 、")
		}
	})
}
