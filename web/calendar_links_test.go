package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"weike/internal/db/dbtest"
)

// TestCalendarLinksRevocable: a feed's owner can make a new link, after
// which the old one answers 404 (in the API and on the agenda page); a
// deactivated lecturer's or branch's feed answers 404 whatever its link;
// HEAD answers like GET, without a body.
func TestCalendarLinksRevocable(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t))
	link := func(login string) string {
		res := e.as(login, http.MethodGet, "/api/v1/calendar-links", nil)
		var out struct{ Items []calendarLink }
		mustJSON(t, res, &out)
		if len(out.Items) != 1 {
			t.Fatalf("%s has %d links", login, len(out.Items))
		}
		u, err := url.Parse(out.Items[0].URL)
		if err != nil {
			t.Fatal(err)
		}
		return u.Path
	}
	feed := func(method, path string) int { return e.do(method, path, "", nil).Code }

	old := link("ch-lecturer")
	if code := feed(http.MethodGet, old); code != http.StatusOK {
		t.Fatalf("feed: %d", code)
	}
	head := e.do(http.MethodHead, old, "", nil)
	if head.Code != http.StatusOK || head.Body.Len() != 0 || !strings.HasPrefix(head.Header().Get("Content-Type"), "text/calendar") {
		t.Fatalf("HEAD: %d, %d bytes, %q", head.Code, head.Body.Len(), head.Header().Get("Content-Type"))
	}
	// Only the owner's kind: a secretary cannot rotate a lecturer's feed.
	if res := e.as("ch-secretary", http.MethodPost, "/api/v1/calendar-links/lecturer/rotate", nil); res.Code != http.StatusNotFound {
		t.Fatalf("a secretary rotating a lecturer feed: %d", res.Code)
	}
	res := e.as("ch-lecturer", http.MethodPost, "/api/v1/calendar-links/lecturer/rotate", nil)
	var rotated calendarLink
	mustJSON(t, res, &rotated)
	if res.Code != http.StatusOK || !strings.Contains(rotated.URL, "/calendar/") || strings.HasSuffix(rotated.URL, old) {
		t.Fatalf("rotate: %d %+v", res.Code, rotated)
	}
	fresh := link("ch-lecturer")
	if fresh == old || feed(http.MethodGet, old) != http.StatusNotFound || feed(http.MethodHead, old) != http.StatusNotFound ||
		feed(http.MethodGet, fresh) != http.StatusOK {
		t.Fatalf("after rotating: old %d, new %d", feed(http.MethodGet, old), feed(http.MethodGet, fresh))
	}
	// The agenda page's button does the same for a secretary's branch feed.
	b := signIn(t, e, "ch-secretary")
	branchOld := link("ch-secretary")
	b.get("/agenda")
	if res := b.post("/agenda/calendar/branch/rotate", nil); res.Code != http.StatusSeeOther {
		t.Fatalf("agenda rotate: %d", res.Code)
	}
	mustContain(t, b.get("/agenda?rotated=1"), "已换成新链接")
	if feed(http.MethodGet, branchOld) != http.StatusNotFound {
		t.Fatalf("the branch's old link still works")
	}
	// A deactivated lecturer's feed is gone.
	if err := e.W.DB.W.Exec("UPDATE lecturers SET active = ? WHERE id = ?", false, e.W.A.Lecturers[0].ID).Error; err != nil {
		t.Fatal(err)
	}
	if code := feed(http.MethodGet, fresh); code != http.StatusNotFound {
		t.Fatalf("a deactivated lecturer's feed: %d", code)
	}
}
