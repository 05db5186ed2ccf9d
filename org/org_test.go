package org_test

import (
	"context"
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
		s := org.NewStore(d, func() time.Time { return now })
		for i := 0; i < org.SignInLimit; i++ {
			if _, err := s.Authenticate(ctx, "ch-official", "wrong", "10.0.0.1"); !apperr.Is(err, apperr.Unauthorized) {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		// Past the limit even the right password is refused, from any address.
		if _, err := s.Authenticate(ctx, "ch-official", fixture.Password, "10.0.0.2"); !apperr.Is(err, apperr.TooMany) {
			t.Fatalf("after limit: %v", err)
		}
		// Other accounts from another address are unaffected.
		if _, err := s.Authenticate(ctx, "ch-secretary", fixture.Password, "10.0.0.3"); err != nil {
			t.Fatalf("other account: %v", err)
		}
		// The address that failed is limited for other accounts too.
		if _, err := s.Authenticate(ctx, "ch-secretary", fixture.Password, "10.0.0.1"); !apperr.Is(err, apperr.TooMany) {
			t.Fatalf("same address: %v", err)
		}
		now = now.Add(org.SignInWindow + time.Minute)
		if _, err := s.Authenticate(ctx, "ch-official", fixture.Password, "10.0.0.2"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
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
