package org_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"weike/fixture"
	"weike/internal/apperr"
	"weike/internal/db"
	"weike/internal/db/dbtest"
	"weike/org"
)

func TestSignInRateLimit(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := fixture.New(t, d)
		ctx := context.Background()
		now := w.Now
		s := org.NewStore(d, func() time.Time { return now }, fixture.OrgOptions()...)
		type try struct {
			what, login, password, ip string
			want                      apperr.Kind // 0: signed in
			retry                     int         // seconds, for TooMany
		}
		wrong := func(ip string) try {
			return try{"a wrong password", "ch-official", "wrong", ip, apperr.Unauthorized, 0}
		}
		steps := []struct {
			tries   []try
			advance time.Duration
		}{
			// Five wrong passwords from one address cost nothing yet.
			{tries: []try{wrong("127.0.0.1"), wrong("127.0.0.1"), wrong("127.0.0.1"), wrong("127.0.0.1"), wrong("127.0.0.1")}},
			{tries: []try{
				// The pair now waits, right password or not...
				{"the pair, right password", "ch-official", fixture.Password, "127.0.0.1", apperr.TooMany, 30},
				// ...but the owner on her own phone is not refused,
				{"the owner from another address", "ch-official", fixture.Password, "127.0.0.2", 0, 0},
				// nor is another login from the first address.
				{"another login, same address", "ch-secretary", fixture.Password, "127.0.0.1", 0, 0},
			}},
			// After the wait, one more failure doubles it.
			{advance: 31 * time.Second, tries: []try{wrong("127.0.0.1"),
				{"the pair after a sixth failure", "ch-official", fixture.Password, "127.0.0.1", apperr.TooMany, 60}}},
			{advance: 61 * time.Second, tries: []try{
				{"the pair after its wait", "ch-official", fixture.Password, "127.0.0.1", 0, 0},
				// A success forgets the pair's failures.
				wrong("127.0.0.1"),
				{"the pair's first failure after a success", "ch-official", fixture.Password, "127.0.0.1", 0, 0},
			}},
		}
		for _, st := range steps {
			now = now.Add(st.advance)
			for _, tr := range st.tries {
				_, err := s.Authenticate(ctx, tr.login, tr.password, tr.ip)
				if tr.want == 0 {
					if err != nil {
						t.Fatalf("%s: %v", tr.what, err)
					}
					continue
				}
				if !apperr.Is(err, tr.want) {
					t.Fatalf("%s: %v, want kind %d", tr.what, err, tr.want)
				}
				if tr.retry > 0 {
					ae, _ := apperr.As(err)
					if got := ae.Detail["retry_after"]; got != tr.retry {
						t.Fatalf("%s: retry_after %v, want %d", tr.what, got, tr.retry)
					}
				}
			}
		}
		// One address guessing many logins is slowed down as a whole, and
		// no one else is.
		for i := range org.AddressFreeFailures {
			if _, err := s.Authenticate(ctx, fmt.Sprintf("nobody-%d", i), "x", "10.9.9.9"); !apperr.Is(err, apperr.Unauthorized) {
				t.Fatalf("guess %d: %v", i, err)
			}
		}
		if _, err := s.Authenticate(ctx, "ch-lecturer", fixture.Password, "10.9.9.9"); !apperr.Is(err, apperr.TooMany) {
			t.Fatalf("the guessing address: %v", err)
		}
		if _, err := s.Authenticate(ctx, "ch-lecturer", fixture.Password, "10.9.9.10"); err != nil {
			t.Fatalf("a neighbour of the guessing address: %v", err)
		}
	})
}

// TestUnknownLoginTakesAsLong: refusing a login that does not exist takes
// as long as refusing a wrong password of one that does (both compare a
// bcrypt hash), so the answer's time does not tell which logins exist.
func TestUnknownLoginTakesAsLong(t *testing.T) {
	t.Parallel()
	d := dbtest.SQLite(t)
	w := fixture.New(t, d)
	ctx := context.Background()
	// A cost high enough that the hash, not the database, is the time.
	s := org.NewStore(d, nil, org.WithBcryptCost(8))
	if _, err := s.CreateAccount(ctx, org.NewAccount{Login: "timed", Password: "a-good-password", Role: org.RoleOfficial, TownID: w.A.Town.ID}); err != nil {
		t.Fatal(err)
	}
	// The two are timed in turns, so that whatever else the machine does
	// weighs on both alike.
	timeOne := func(login, addr string) time.Duration {
		start := time.Now()
		if _, err := s.Authenticate(ctx, login, "wrong-password", addr); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("%s: %v", login, err)
		}
		return time.Since(start)
	}
	// Timed in pairs, back to back, so that whatever else the machine does
	// weighs on both alike; the median of the pairs' ratios is what is held
	// to 1.5.
	var ratios []float64
	var ks, us []time.Duration
	for i := range 21 {
		// A new address each time: throttling must not be what is timed.
		k := timeOne("timed", fmt.Sprintf("10.1.0.%d", i))
		u := timeOne("no-such-login", fmt.Sprintf("10.2.0.%d", i))
		ks, us = append(ks, k), append(us, u)
		ratios = append(ratios, float64(k)/float64(u))
	}
	slices.Sort(ks)
	slices.Sort(us)
	slices.Sort(ratios)
	known, unknown := ks[len(ks)/2], us[len(us)/2]
	ratio := ratios[len(ratios)/2]
	if ratio > 1.5 || ratio < 1/1.5 {
		t.Fatalf("a wrong password takes %v, an unknown login %v (medians): %.2f× apart pair by pair", known, unknown, ratio)
	}
}

func TestSessionsAndTokens(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := fixture.New(t, d)
		ctx := context.Background()
		now := w.Now
		s := org.NewStore(d, func() time.Time { return now })
		acc, err := s.Authenticate(ctx, "ch-secretary", fixture.Password, "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		tok, err := s.CreateSession(ctx, acc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.SessionAccount(ctx, tok); err != nil || got.ID != acc.ID {
			t.Fatalf("session: %v %v", got, err)
		}
		now = now.Add(org.SessionTTL + time.Second)
		if _, err := s.SessionAccount(ctx, tok); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("expired session: %v", err)
		}
		act := w.A.Actors["secretary"]
		other := w.A.Actors["official"]
		tk, secret, err := s.CreateToken(ctx, act, "phone")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.TokenAccount(ctx, secret); err != nil || got.ID != act.AccountID {
			t.Fatalf("token: %v %v", got, err)
		}
		if err := s.RevokeToken(ctx, other, tk.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another account revoked the token: %v", err)
		}
		if err := s.RevokeToken(ctx, act, tk.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenAccount(ctx, secret); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("revoked token still works: %v", err)
		}
	})
}

func TestTownScoping(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := fixture.New(t, d)
		ctx := context.Background()
		cases := []struct {
			name   string
			actor  org.Actor
			branch int64
			want   apperr.Kind // 0: readable
		}{
			{"secretary reads own town", w.A.Actors["secretary"], w.B.Branches[0].ID, apperr.NotFound},
			{"secretary reads own branch", w.A.Actors["secretary"], w.A.Branches[1].ID, 0},
			{"county reads its towns", w.County, w.A.Branches[0].ID, 0},
			{"county not other county", w.County, w.B.Branches[0].ID, apperr.NotFound},
			{"official of B not A", w.B.Official, w.A.Branches[0].ID, apperr.NotFound},
		}
		for _, c := range cases {
			_, err := w.Org.Branch(ctx, c.actor, c.branch)
			if (c.want == 0) != (err == nil) || (c.want != 0 && !apperr.Is(err, c.want)) {
				t.Errorf("%s: %v", c.name, err)
			}
		}
		// Writing: a county viewer may read but not change; another town's official sees nothing.
		_, err := w.Org.UpdateBranch(ctx, w.County, w.A.Branches[0].ID, org.BranchInput{Name: "x"})
		if !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("county update: %v", err)
		}
		_, err = w.Org.UpdateBranch(ctx, w.B.Official, w.A.Branches[0].ID, org.BranchInput{Name: "x"})
		if !apperr.Is(err, apperr.NotFound) {
			t.Errorf("other official update: %v", err)
		}
		bs, err := w.Org.Branches(ctx, w.County, org.BranchFilter{})
		if err != nil || len(bs) != len(w.A.Branches) {
			t.Errorf("county branches: %d %v", len(bs), err)
		}
	})
}

// TestPasswordsAtProductionCost: a store made without options hashes at
// BcryptCost (≥ 10); only an explicit test option lowers it, and a cost
// out of bcrypt's range is ignored.
func TestPasswordsAtProductionCost(t *testing.T) {
	t.Parallel()
	if org.BcryptCost < 10 {
		t.Fatalf("BcryptCost is %d, production needs at least 10", org.BcryptCost)
	}
	cases := []struct {
		name string
		opts []org.Option
		want int
	}{
		{"production", nil, org.BcryptCost},
		{"tests", []org.Option{org.WithBcryptCost(bcrypt.MinCost)}, bcrypt.MinCost},
		{"too low is ignored", []org.Option{org.WithBcryptCost(1)}, org.BcryptCost},
		{"too high is ignored", []org.Option{org.WithBcryptCost(99)}, org.BcryptCost},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := org.NewStore(nil, nil, c.opts...).HashPassword("a-password")
			if err != nil {
				t.Fatal(err)
			}
			if got, err := bcrypt.Cost([]byte(h)); err != nil || got != c.want {
				t.Fatalf("cost %d (%v), want %d", got, err, c.want)
			}
		})
	}
}

func TestMonthlySchedule(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		spec string
		day  int
		at   string
		ok   bool
	}{
		{"0 9 25 * *", 25, "09:00", true},
		{"30 8 1 * *", 1, "08:30", true},
		{"5 23 28 * *", 28, "23:05", true},
		{"0 9 31 * *", 0, "", false}, // not every month has it
		{"0 9 * * 1", 0, "", false},
		{"0 9 25 1 *", 0, "", false},
		{"*/5 9 25 * *", 0, "", false},
		{"0 24 25 * *", 0, "", false},
		{"", 0, "", false},
	} {
		day, at, ok := org.MonthlyAt(c.spec)
		if day != c.day || at != c.at || ok != c.ok {
			t.Errorf("MonthlyAt(%q) = %d %q %v", c.spec, day, at, ok)
		}
		if ok {
			spec, err := org.MonthlySpec(strconv.Itoa(day), at)
			if err != nil || spec != strings.Join(strings.Fields(c.spec), " ") {
				t.Errorf("MonthlySpec(%d, %q) = %q %v, want %q", day, at, spec, err, c.spec)
			}
		}
	}
	for _, c := range []struct{ day, at, bad string }{
		{"0", "09:00", "schedule_day"}, {"29", "09:00", "schedule_day"}, {"x", "09:00", "schedule_day"},
		{"25", "9", "schedule_time"}, {"25", "09:60", "schedule_time"}, {"25", "09:00:30", "schedule_time"},
		{"25", "-1:00", "schedule_time"}, {"25", "", "schedule_time"}, {"25", "009:00", "schedule_time"},
	} {
		_, err := org.MonthlySpec(c.day, c.at)
		e, ok := apperr.As(err)
		if !ok || e.Fields[c.bad] == "" {
			t.Errorf("MonthlySpec(%q, %q): %v, want a problem with %s", c.day, c.at, err, c.bad)
		}
	}
}
