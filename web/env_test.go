package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"weike/fixture"
	"weike/internal/db"
	"weike/internal/db/dbtest"
)

// env is a test's running weike: the fixture world behind the real router.
type env struct {
	t      testing.TB
	W      *fixture.World
	S      *Server
	tokens map[string]string
}

func newEnv(t testing.TB, d *db.DB) *env {
	t.Helper()
	w := fixture.New(t, d)
	s, err := New(Deps{Org: w.Org, Lessons: w.Lessons, Booking: w.Booking, ThemeDay: w.ThemeDay, Notify: w.Notify, Ready: d.Ping, Now: func() time.Time { return w.Now },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, W: w, S: s, tokens: map[string]string{}}
}

// eachDB runs fn on SQLite and, when configured, Postgres, each with a fresh env.
func eachDB(t *testing.T, fn func(t *testing.T, e *env)) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) { fn(t, newEnv(t, d)) })
}

// token gives login a session from the store and caches its bearer token.
// Only the tests of sign-in itself go through the password check: bcrypt
// is slow by design and would be most of the suite's time.
func (e *env) token(login string) string {
	e.t.Helper()
	if login == "" {
		return ""
	}
	if tok, ok := e.tokens[login]; ok {
		return tok
	}
	tok := e.session(login)
	e.tokens[login] = tok
	return tok
}

// session starts a new session for login straight through the store.
func (e *env) session(login string) string {
	e.t.Helper()
	ctx := context.Background()
	acc, err := e.W.Org.AccountByLogin(ctx, login)
	if err != nil {
		e.t.Fatalf("account %s: %v", login, err)
	}
	tok, err := e.W.Org.CreateSession(ctx, acc.ID)
	if err != nil {
		e.t.Fatalf("session of %s: %v", login, err)
	}
	return tok
}

// do sends a request through the real router; body is JSON-encoded unless
// it is a string or []byte, sent as is.
func (e *env) do(method, path, token string, body any, headers ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	e.S.ServeHTTP(rec, req)
	return rec
}

// as is do with the token of a login.
func (e *env) as(login, method, path string, body any, headers ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.do(method, path, e.token(login), body, headers...)
}

func mustJSON(t testing.TB, res *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(res.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %q: %v", res.Body.String(), err)
	}
}
