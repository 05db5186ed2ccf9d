package web

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"weike/internal/db/dbtest"
)

// TestJSONBodiesStrict walks every operation of the API document that takes
// a JSON body and sends it a key twice, a key in capitals and a body with
// no Content-Type: each is refused (400 with the key named in fields, 415),
// never taken.
func TestJSONBodiesStrict(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t))
	param := regexp.MustCompile(`\{[a-z_]+\}`)
	values := map[string]string{"{id}": "1", "{kind}": "lessons", "{month}": "2026-12", "{token}": "x"}
	type op struct{ method, path, field string }
	var ops []op
	for path, item := range docDeref(docRoot()["paths"]) {
		for method, o := range docDeref(item) {
			body := docDeref(docDeref(docDeref(docDeref(o)["requestBody"])["content"])["application/json"])
			if body == nil {
				continue
			}
			props := docDeref(docDeref(body["schema"])["properties"])
			names := make([]string, 0, len(props))
			for n := range props {
				names = append(names, n)
			}
			sort.Strings(names)
			if len(names) == 0 {
				t.Errorf("%s %s: a JSON body without properties", method, path)
				continue
			}
			p := param.ReplaceAllStringFunc(path, func(s string) string { return values[s] })
			ops = append(ops, op{strings.ToUpper(method), "/api/v1" + p, names[0]})
		}
	}
	if len(ops) < 10 {
		t.Fatalf("only %d JSON operations found", len(ops))
	}
	bodies := []struct {
		name, body string
		noType     bool
		status     int
		field      func(string) string
	}{
		{"a key twice", `{"%s": 1, "%s": 2}`, false, http.StatusBadRequest, func(f string) string { return `"` + f + `":"` }},
		{"a key in capitals", `{"%S": 1}`, false, http.StatusBadRequest, func(f string) string { return `"` + strings.ToUpper(f) + `":"` }},
		{"no content type", `{"%s": 1}`, true, http.StatusUnsupportedMediaType, nil},
	}
	for _, o := range ops {
		for _, b := range bodies {
			body := strings.ReplaceAll(strings.ReplaceAll(b.body, "%s", o.field), "%S", strings.ToUpper(o.field))
			got := map[int]bool{}
			for _, login := range []string{"ch-official", "ch-secretary", "ch-lecturer"} {
				var res = e.do(o.method, o.path, e.token(login), []byte(body), "Content-Type", "application/json")
				if b.noType {
					res = e.doRaw(o.method, o.path, e.token(login), body)
				}
				got[res.Code] = true
				if res.Code < 400 || res.Code >= 500 {
					t.Errorf("%s %s, %s, as %s: %d %.200s", o.method, o.path, b.name, login, res.Code, res.Body)
				}
				if res.Code == b.status && b.field != nil && !strings.Contains(res.Body.String(), b.field(o.field)) {
					t.Errorf("%s %s, %s: the error does not name the key: %.300s", o.method, o.path, b.name, res.Body)
				}
			}
			if !got[b.status] {
				t.Errorf("%s %s, %s: no caller got %d (got %v)", o.method, o.path, b.name, b.status, got)
			}
		}
	}
}

// doRaw sends body with no Content-Type at all.
func (e *env) doRaw(method, path, token, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Del("Content-Type")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	e.S.ServeHTTP(rec, req)
	return rec
}
