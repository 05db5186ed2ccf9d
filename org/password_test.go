package org_test

import (
	"context"
	"testing"
	"time"

	"weike/fixture"
	"weike/internal/apperr"
	"weike/internal/db"
	"weike/internal/db/dbtest"
	"weike/org"
)

// TestChangePassword: an account changes its own password after giving the
// current one; its other sessions end at once, cached or not, the one the
// change is made from stays, and the old password no longer signs in.
// Wrong current passwords are throttled like sign-ins.
func TestChangePassword(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := fixture.New(t, d)
		ctx := context.Background()
		now := w.Now
		s := org.NewStore(d, func() time.Time { return now }, fixture.OrgOptions()...)
		act := w.A.Actors["lecturer"]
		here, err := s.CreateSession(ctx, act.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		there, err := s.CreateSession(ctx, act.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.CreateSession(ctx, w.A.Actors["secretary"].AccountID)
		if err != nil {
			t.Fatal(err)
		}
		// All three are in the identity cache.
		for _, tok := range []string{here, there, other} {
			if _, _, err := s.SessionActor(ctx, tok); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			name, current, next, field, code string
		}{
			{"a short one", fixture.Password, "short", "new_password", "field.password_short"},
			{"the same", fixture.Password, fixture.Password, "new_password", "field.password_same"},
			{"no current", "", "a-new-password", "current_password", "field.required"},
			{"a wrong current", "wrong-password", "a-new-password", "current_password", "auth.wrong_password"},
		} {
			e, ok := apperr.As(s.ChangePassword(ctx, act, c.current, c.next, here))
			if !ok || e.Kind != apperr.Invalid || e.Fields[c.field] != c.code {
				t.Errorf("%s: %v, want %s on %s", c.name, e, c.code, c.field)
			}
		}
		if err := s.ChangePassword(ctx, act, fixture.Password, "a-new-password", here); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionActor(ctx, here); err != nil {
			t.Errorf("the session the change was made from: %v", err)
		}
		if _, _, err := s.SessionActor(ctx, there); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("another session of the account, cached before: %v, want signed out", err)
		}
		if _, _, err := s.SessionActor(ctx, other); err != nil {
			t.Errorf("another account's session: %v", err)
		}
		login := w.A.Logins["lecturer"]
		if _, err := s.Authenticate(ctx, login, fixture.Password, "127.0.0.1"); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("the old password: %v", err)
		}
		if _, err := s.Authenticate(ctx, login, "a-new-password", "127.0.0.1"); err != nil {
			t.Errorf("the new password: %v", err)
		}
		// Guessing the current password: five tries, then waits.
		for i := 0; i < org.PasswordFreeFailures; i++ {
			if err := s.ChangePassword(ctx, act, "guess", "another-password", here); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("guess %d: %v", i+1, err)
			}
		}
		if err := s.ChangePassword(ctx, act, "a-new-password", "another-password", here); !apperr.Is(err, apperr.TooMany) {
			t.Fatalf("after five wrong guesses, even the right one: %v, want a wait", err)
		}
		now = now.Add(time.Minute)
		if err := s.ChangePassword(ctx, act, "a-new-password", "another-password", ""); err != nil {
			t.Fatalf("after the wait: %v", err)
		}
		// Made without a session (an API token): every session ends.
		if _, _, err := s.SessionActor(ctx, here); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("a session after a change made with a token: %v", err)
		}
	})
}
