package demo

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"weike/fixture"
	"weike/internal/db"
	"weike/internal/db/dbtest"
	"weike/lessons"
	"weike/org"
)

const testPassword = "demo-pass-1"

func clock() time.Time { return time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC) }

func stores(d *db.DB) Stores {
	return Stores{Org: org.NewStore(d, clock, fixture.OrgOptions()...), Lessons: lessons.NewStore(d, clock), Now: clock}
}

// counts is every demo table's row count: two loads must leave it unchanged.
func counts(t *testing.T, d *db.DB) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, table := range []string{"counties", "towns", "topics", "branches", "courtyards", "lecturers",
		"lecturer_availabilities", "lecturer_blackouts", "lessons", "lesson_lecturers", "films", "accounts"} {
		var n int64
		if err := d.R.Table(table).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

// viewerOf is a read-only actor of one town, for looking at what was loaded.
func viewerOf(t *testing.T, st Stores, town string) (org.Actor, *org.Town) {
	t.Helper()
	tw, err := st.Org.TownByName(context.Background(), town)
	if err != nil {
		t.Fatalf("town %s: %v", town, err)
	}
	return org.Actor{Role: org.RoleCounty, CountyID: tw.CountyID, Towns: []int64{tw.ID}}, tw
}

func TestLoadTwiceAddsNothing(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := stores(d)
		first, err := Load(ctx, st, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		before := counts(t, d)
		second, err := Load(ctx, st, testPassword)
		if err != nil {
			t.Fatalf("second load: %v", err)
		}
		if after := counts(t, d); !maps.Equal(before, after) {
			t.Errorf("second load changed the counts:\nbefore %v\nafter  %v", before, after)
		}
		if !slices.Equal(logins(first), logins(second)) {
			t.Errorf("accounts differ between loads: %v vs %v", logins(first), logins(second))
		}
		if before["towns"] != 2 || before["counties"] != 2 {
			t.Errorf("towns %d, counties %d; want 2 and 2", before["towns"], before["counties"])
		}
	})
}

func TestChunhua(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := stores(d)
		if _, err := Load(ctx, st, testPassword); err != nil {
			t.Fatal(err)
		}
		act, town := viewerOf(t, st, "春华镇")
		county, err := st.Org.CountyByName(ctx, "长沙县")
		if err != nil || county.ID != town.CountyID {
			t.Fatalf("春华镇 not in 长沙县: %v", err)
		}

		branches, err := st.Org.Branches(ctx, act, org.BranchFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(branches) < 20 {
			t.Errorf("%d branches, want at least 20", len(branches))
		}
		byName := map[string]org.Branch{}
		for _, b := range branches {
			byName[b.Name] = b
			if n := len(b.Courtyards); n < 1 || n > 3 {
				t.Errorf("branch %s has %d courtyards, want 1-3", b.Name, n)
			}
			if b.MemberCount < 30 || b.MemberCount > 150 {
				t.Errorf("branch %s has %d members, want 30-150", b.Name, b.MemberCount)
			}
		}
		lwm, ok := byName["龙王庙村"]
		if !ok {
			t.Fatal("龙王庙村 missing")
		}
		sec, err := st.Org.AccountByLogin(ctx, "secretary")
		if err != nil || sec.BranchID == nil || *sec.BranchID != lwm.ID {
			t.Errorf("secretary is not 龙王庙村's: %+v %v", sec, err)
		}
		// Every branch has its secretary.
		for _, b := range chunhua.Branches {
			a, err := st.Org.AccountByLogin(ctx, b.Secretary.Login)
			if err != nil || a.Role != org.RoleSecretary || a.BranchID == nil || *a.BranchID != byName[b.Name].ID {
				t.Errorf("secretary %s of %s: %+v %v", b.Secretary.Login, b.Name, a, err)
			}
		}

		lecs, err := st.Lessons.Lecturers(ctx, act, lessons.LecturerFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(lecs) < 12 {
			t.Errorf("%d lecturers, want at least 12", len(lecs))
		}
		lecAccounts := map[int64]bool{}
		for _, s := range chunhua.Lecturers {
			a, err := st.Org.AccountByLogin(ctx, s.Login)
			if err != nil || a.Role != org.RoleLecturer || a.LecturerID == nil {
				t.Errorf("lecturer account %s: %+v %v", s.Login, a, err)
				continue
			}
			lecAccounts[*a.LecturerID] = true
		}
		for _, l := range lecs {
			if len(l.Availability) == 0 {
				t.Errorf("lecturer %s has no availability", l.Name)
			}
			if l.MonthlyCapacity < 3 || l.MonthlyCapacity > 6 {
				t.Errorf("lecturer %s has capacity %d", l.Name, l.MonthlyCapacity)
			}
			if l.BranchID == nil || l.Bio == "" || l.Topics == "" {
				t.Errorf("lecturer %s lacks home branch, bio or topics", l.Name)
			}
			if len(l.LessonIDs) == 0 {
				t.Errorf("lecturer %s is qualified for no lesson", l.Name)
			}
			if !lecAccounts[l.ID] {
				t.Errorf("lecturer %s has no account", l.Name)
			}
			for _, b := range l.Blackouts {
				if b.Day <= "2026-11-30" {
					t.Errorf("lecturer %s blackout %s is not ahead of the load", l.Name, b.Day)
				}
			}
		}

		page, err := st.Lessons.Lessons(ctx, act, lessons.LessonFilter{Status: lessons.StatusPublished, PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 35 {
			t.Errorf("%d published lessons, want 35", page.Total)
		}
		topics := map[string]bool{}
		for _, l := range page.Items {
			topics[l.Topic] = true
			if n := len(l.LecturerIDs); n < 2 || n > 4 {
				t.Errorf("lesson %s has %d lecturers, want 2-4", l.Title, n)
			}
			if l.DurationMinutes < 10 || l.DurationMinutes > 45 || l.Summary == "" {
				t.Errorf("lesson %s: duration %d, summary %q", l.Title, l.DurationMinutes, l.Summary)
			}
			if n := len(strings.Split(l.Outline, "\n")); n < 3 || n > 5 || !strings.HasPrefix(l.Outline, "1. ") {
				t.Errorf("lesson %s outline has %d points: %q", l.Title, n, l.Outline)
			}
		}
		for _, tp := range lessons.DefaultTopics {
			if !topics[tp.Name] {
				t.Errorf("topic %s has no lesson", tp.Name)
			}
		}

		films, err := st.Lessons.Films(ctx, act, lessons.FilmFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(films) < 8 {
			t.Errorf("%d films, want at least 8", len(films))
		}
		titles, cats := map[string]bool{}, map[string]bool{}
		for _, f := range films {
			titles[f.Title], cats[f.Category] = true, true
			// A link is a page somewhere else: weike keeps no film files,
			// and a local production without one says so on its page.
			if f.DurationMinutes == 0 || (f.Link == "" && f.Category != "本土") ||
				(f.Link != "" && !strings.HasPrefix(f.Link, "https://")) {
				t.Errorf("film %s: link %q, %d minutes", f.Title, f.Link, f.DurationMinutes)
			}
		}
		for _, want := range []string{"解码中部崛起——促进城乡融合", "抛砖屋场"} {
			if !titles[want] {
				t.Errorf("film 《%s》 missing", want)
			}
		}
		for _, c := range lessons.FilmCategories {
			if !cats[c] {
				t.Errorf("no film of category %s", c)
			}
		}
	})
}

func TestQiheIsItsOwnTenant(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := stores(d)
		if _, err := Load(ctx, st, testPassword); err != nil {
			t.Fatal(err)
		}
		qh, err := st.Org.TownByName(ctx, "漆河镇")
		if err != nil {
			t.Fatal(err)
		}
		ty, err := st.Org.CountyByName(ctx, "桃源县")
		if err != nil || qh.CountyID != ty.ID {
			t.Fatalf("漆河镇 not in 桃源县: %v", err)
		}
		a, err := st.Org.AccountByLogin(ctx, "taoyuan-county")
		if err != nil {
			t.Fatal(err)
		}
		viewer, err := st.Org.ActorFor(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(viewer.Towns, []int64{qh.ID}) {
			t.Errorf("桃源县 viewer reads towns %v, want only 漆河镇 %d", viewer.Towns, qh.ID)
		}
		page, err := st.Lessons.Lessons(ctx, viewer, lessons.LessonFilter{PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total < 5 || page.Total > 8 {
			t.Errorf("漆河镇 has %d lessons, want 5-8", page.Total)
		}
		for _, l := range page.Items {
			if l.TownID != qh.ID {
				t.Errorf("桃源县 viewer sees lesson %s of town %d", l.Title, l.TownID)
			}
		}
		lecs, err := st.Lessons.Lecturers(ctx, viewer, lessons.LecturerFilter{})
		if err != nil {
			t.Fatal(err)
		}
		films, err := st.Lessons.Films(ctx, viewer, lessons.FilmFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(lecs) < 2 || len(lecs) > 3 || len(films) < 2 || len(films) > 3 {
			t.Errorf("漆河镇 has %d lecturers and %d films, want 2-3 each", len(lecs), len(films))
		}
	})
}

func TestAccountsSignIn(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := stores(d)
		res, err := Load(ctx, st, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			login string
			role  org.Role
			town  string
		}{
			{"official", org.RoleOfficial, "春华镇"},
			{"secretary", org.RoleSecretary, "春华镇"},
			{"lecturer", org.RoleLecturer, "春华镇"},
			{"county", org.RoleCounty, ""},
			{"sec-chunhuashan", org.RoleSecretary, "春华镇"},
			{"lec-wuhui", org.RoleLecturer, "春华镇"},
			{"qh-official", org.RoleOfficial, "漆河镇"},
			{"qh-secretary", org.RoleSecretary, "漆河镇"},
			{"qh-lecturer", org.RoleLecturer, "漆河镇"},
			{"taoyuan-county", org.RoleCounty, ""},
		}
		if len(res.Accounts) != len(want) {
			t.Fatalf("%d accounts, want %d: %v", len(res.Accounts), len(want), logins(res))
		}
		for i, w := range want {
			got := res.Accounts[i]
			if got.Login != w.login || got.Role != w.role || got.Town != w.town || got.County == "" || got.Name == "" {
				t.Errorf("account %d = %+v, want %s %s in %q", i, got, w.login, w.role, w.town)
			}
			if (got.BranchID != nil) != (w.role == org.RoleSecretary) || (got.LecturerID != nil) != (w.role == org.RoleLecturer) {
				t.Errorf("account %s: branch %v, lecturer %v", got.Login, got.BranchID, got.LecturerID)
			}
			a, err := st.Org.Authenticate(ctx, got.Login, testPassword, "192.0.2.1")
			if err != nil {
				t.Errorf("sign in %s: %v", got.Login, err)
				continue
			}
			if a.Role != w.role || !strings.HasSuffix(a.Email, emailDomain) {
				t.Errorf("account %s: role %s, e-mail %s", a.Login, a.Role, a.Email)
			}
		}
	})
}

// A run killed half-way left a town with its official and part of a branch;
// the next run completes it without duplicating anything.
func TestLoadCompletesPartialTown(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := stores(d)
		c, err := st.Org.EnsureCounty(ctx, "长沙县")
		if err != nil {
			t.Fatal(err)
		}
		tw, _, err := st.Org.EnsureTown(ctx, c.ID, "春华镇")
		if err != nil {
			t.Fatal(err)
		}
		a, err := st.Org.CreateAccount(ctx, org.NewAccount{Login: "official", Password: testPassword, Name: "刘芳",
			Role: org.RoleOfficial, TownID: tw.ID, Email: "official" + emailDomain})
		if err != nil {
			t.Fatal(err)
		}
		off, err := st.Org.ActorFor(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		b, err := st.Org.CreateBranch(ctx, off, org.BranchInput{Name: "龙王庙村", MemberCount: 126})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Org.CreateCourtyard(ctx, off, b.ID, org.CourtyardInput{Name: "抛砖屋场"}); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(ctx, st, testPassword); err != nil {
			t.Fatal(err)
		}
		got, err := st.Org.Branch(ctx, off, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Courtyards) != 3 {
			t.Errorf("龙王庙村 has %d courtyards after completing, want 3", len(got.Courtyards))
		}
		bs, err := st.Org.Branches(ctx, off, org.BranchFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(bs) != len(chunhua.Branches) {
			t.Errorf("%d branches, want %d", len(bs), len(chunhua.Branches))
		}
	})
}

func TestLoadRefusesForeignAccounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T, st Stores, town *org.Town)
	}{
		{"a real account holds a demo login", func(t *testing.T, st Stores, town *org.Town) {
			_, err := st.Org.CreateAccount(context.Background(), org.NewAccount{Login: "secretary", Password: testPassword,
				Role: org.RoleOfficial, TownID: town.ID, Email: "boss@example.org"})
			if err != nil {
				t.Fatal(err)
			}
		}},
		{"a real town of the demo's name", func(t *testing.T, st Stores, town *org.Town) {
			ctx := context.Background()
			c, err := st.Org.EnsureCounty(ctx, "长沙县")
			if err != nil {
				t.Fatal(err)
			}
			tw, _, err := st.Org.EnsureTown(ctx, c.ID, "春华镇")
			if err != nil {
				t.Fatal(err)
			}
			a, err := st.Org.CreateAccount(ctx, org.NewAccount{Login: "chunhua-admin", Password: testPassword,
				Role: org.RoleOfficial, TownID: tw.ID})
			if err != nil {
				t.Fatal(err)
			}
			act, err := st.Org.ActorFor(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.Org.CreateBranch(ctx, act, org.BranchInput{Name: "某村", MemberCount: 50}); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				ctx := context.Background()
				st := stores(d)
				c, err := st.Org.EnsureCounty(ctx, "某县")
				if err != nil {
					t.Fatal(err)
				}
				other, _, err := st.Org.EnsureTown(ctx, c.ID, "某镇")
				if err != nil {
					t.Fatal(err)
				}
				tc.setup(t, st, other)
				before := counts(t, d)
				if _, err := Load(ctx, st, testPassword); err == nil {
					t.Fatal("Load succeeded over a database that is not a demo's")
				}
				a, err := st.Org.AccountByLogin(ctx, "secretary")
				if err == nil && a.Email != "boss@example.org" {
					t.Errorf("the demo touched or made %+v", a)
				}
				if after := counts(t, d); !maps.Equal(before, after) {
					t.Errorf("a refused load wrote:\nbefore %v\nafter  %v", before, after)
				}
			})
		})
	}
}

func logins(r *Result) []string {
	var out []string
	for _, a := range r.Accounts {
		out = append(out, a.Login)
	}
	return out
}
