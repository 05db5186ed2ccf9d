package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"weike/docs"
	"weike/internal/db/dbtest"
)

// openAPIMethods are the operation keys of an OpenAPI path item.
var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// apiRoutes returns every route registered under /api/v1 as "METHOD
// /api/v1/path/{param}", leaving out the catch-all that answers unknown
// paths and Echo's internal pseudo-methods (echo_route_not_found…).
func apiRoutes(s *Server) map[string]bool {
	std := map[string]bool{}
	for _, m := range openAPIMethods {
		std[strings.ToUpper(m)] = true
	}
	param := regexp.MustCompile(`:([A-Za-z0-9_]+)`)
	out := map[string]bool{}
	for _, r := range s.Echo().Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") || r.Path == "/api/v1/*" || !std[r.Method] {
			continue
		}
		out[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
	}
	return out
}

type openAPIDoc struct {
	OpenAPI    string                                `json:"openapi"`
	Servers    []struct{ URL string }                `json:"servers"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components map[string]map[string]json.RawMessage `json:"components"`
}

func loadOpenAPI(t *testing.T) openAPIDoc {
	t.Helper()
	var d openAPIDoc
	dec := json.NewDecoder(bytes.NewReader(docs.OpenAPI))
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("docs/openapi.json is not valid JSON: %v", err)
	}
	return d
}

// documented returns the document's operations under /api/v1 in the form
// of apiRoutes, and apart from them those of path items that declare their
// own server (the calendar feed, outside the API), with their full path.
func (d openAPIDoc) documented(t *testing.T) (api, outside map[string]bool) {
	t.Helper()
	if len(d.Servers) != 1 || d.Servers[0].URL != "/api/v1" {
		t.Fatalf("servers: want exactly /api/v1, got %+v", d.Servers)
	}
	api, outside = map[string]bool{}, map[string]bool{}
	for p, item := range d.Paths {
		prefix, into := "/api/v1", api
		if raw, ok := item["servers"]; ok {
			var servers []struct{ URL string }
			if err := json.Unmarshal(raw, &servers); err != nil || len(servers) != 1 || servers[0].URL != "/" {
				t.Fatalf("%s: a path's own servers must be exactly [/], got %s", p, raw)
			}
			prefix, into = "", outside
		}
		for k := range item {
			if slices.Contains(openAPIMethods, k) {
				into[strings.ToUpper(k)+" "+prefix+p] = true
			}
		}
	}
	return api, outside
}

// nonAPIRoutes returns the routes outside /api/v1 in the form of apiRoutes.
func nonAPIRoutes(s *Server) map[string]bool {
	param := regexp.MustCompile(`:([A-Za-z0-9_]+)`)
	out := map[string]bool{}
	for _, r := range s.Echo().Routes() {
		if !strings.HasPrefix(r.Path, "/api/") {
			out[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
		}
	}
	return out
}

func TestOpenAPIServed(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		for _, login := range []string{"", "ch-secretary"} {
			res := e.as(login, http.MethodGet, "/api/v1/openapi.json", nil)
			if res.Code != http.StatusOK {
				t.Fatalf("%q: status %d", login, res.Code)
			}
			if ct := res.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("content type %q", ct)
			}
			if !bytes.Equal(res.Body.Bytes(), docs.OpenAPI) {
				t.Fatal("served document differs from docs/openapi.json")
			}
			var d struct {
				OpenAPI string `json:"openapi"`
				Info    struct{ Title, Version string }
				Paths   map[string]any
			}
			mustJSON(t, res, &d)
			if d.OpenAPI != "3.1.0" || d.Info.Title == "" || d.Info.Version == "" || len(d.Paths) == 0 {
				t.Fatalf("document head: %+v", d)
			}
		}
	})
}

// TestOpenAPIMatchesRouter keeps the document and the router in step: a new
// route fails here until it is documented, and a documented operation that
// no longer exists fails too.
func TestOpenAPIMatchesRouter(t *testing.T) {
	t.Parallel()
	s := newEnv(t, dbtest.SQLite(t)).S
	routes := apiRoutes(s)
	if len(routes) < 20 {
		t.Fatalf("only %d API routes found: is the route walk broken? %v", len(routes), routes)
	}
	doc, outside := loadOpenAPI(t).documented(t)
	// Outside the API only the calendar feed is documented; the comparison
	// above stays with /api/v1, but what is documented must exist.
	pages := nonAPIRoutes(s)
	for r := range outside {
		// The feed's route takes the whole "<token>.ics" as its parameter.
		if !pages[strings.Replace(r, "{token}.ics", "{token}", 1)] {
			t.Errorf("docs/openapi.json documents %s outside /api/v1, which the router does not have", r)
		}
	}
	if !outside["GET /calendar/{token}.ics"] || len(outside) != 1 {
		t.Errorf("outside /api/v1 the document should describe the calendar feed only: %v", outside)
	}
	var undocumented, stale []string
	for r := range routes {
		if !doc[r] {
			undocumented = append(undocumented, r)
		}
	}
	for r := range doc {
		if !routes[r] {
			stale = append(stale, r)
		}
	}
	sort.Strings(undocumented)
	sort.Strings(stale)
	if len(undocumented) > 0 {
		t.Errorf("routes missing from docs/openapi.json:\n  %s", strings.Join(undocumented, "\n  "))
	}
	if len(stale) > 0 {
		t.Errorf("docs/openapi.json documents operations the router does not have:\n  %s", strings.Join(stale, "\n  "))
	}
}

// TestOpenAPIWellFormed checks what a hand-written document gets wrong
// most: dangling $refs, undeclared path parameters, missing responses,
// duplicate operation ids and error responses that are not the Error shape.
func TestOpenAPIWellFormed(t *testing.T) {
	t.Parallel()
	var raw any
	if err := json.Unmarshal(docs.OpenAPI, &raw); err != nil {
		t.Fatal(err)
	}
	resolve := func(ref string) (any, bool) {
		p, ok := strings.CutPrefix(ref, "#/")
		if !ok {
			return nil, false
		}
		cur := raw
		for _, part := range strings.Split(p, "/") {
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = m[part]; !ok {
				return nil, false
			}
		}
		return cur, true
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				if _, ok := resolve(ref); !ok {
					t.Errorf("%s: $ref %q does not resolve", path, ref)
				}
			}
			for k, c := range x {
				walk(path+"/"+k, c)
			}
		case []any:
			for _, c := range x {
				walk(path+"[]", c)
			}
		}
	}
	walk("#", raw)

	deref := func(v any) map[string]any {
		m, _ := v.(map[string]any)
		if ref, ok := m["$ref"].(string); ok {
			r, _ := resolve(ref)
			m, _ = r.(map[string]any)
		}
		return m
	}
	root := raw.(map[string]any)
	if sec, _ := root["security"].([]any); len(sec) == 0 {
		t.Error("no global security requirement")
	}
	schemes := deref(root["components"])["securitySchemes"].(map[string]any)
	if b := deref(schemes["bearer"]); b["type"] != "http" || b["scheme"] != "bearer" {
		t.Errorf("bearer scheme: %v", b)
	}
	for _, name := range []string{"Lesson", "LessonPage", "LessonInput", "Lecturer", "LecturerInput", "Window", "Blackout",
		"FreeDay", "Film", "FilmInput", "Branch", "BranchInput", "Courtyard", "CourtyardInput", "Account", "Me", "Token", "Error",
		"Order", "OrderPage", "OrderInput", "OrderStatus", "Event", "Slot", "MemberLesson", "MemberLessonInput", "PointsReport",
		"Standing", "Mine", "Entry", "CalendarLink", "InboxMessage", "Inbox", "Town", "TownSettings", "ClashError",
		"Plan", "PlanFilm", "PlanInput", "Viewing", "ViewingInput", "ViewingList", "Practice", "PracticeInput", "PracticeList", "Change",
		"Coverage", "CoverageMatrix", "TownsCoverage", "Rates", "Totals"} {
		if _, ok := resolve("#/components/schemas/" + name); !ok {
			t.Errorf("schema %s missing", name)
		}
	}
	pathParam := regexp.MustCompile(`\{([^}]+)\}`)
	opIDs := map[string]string{}
	for p, itemV := range root["paths"].(map[string]any) {
		item := itemV.(map[string]any)
		declared := func(op map[string]any) map[string]bool {
			out := map[string]bool{}
			for _, src := range []any{item["parameters"], op["parameters"]} {
				ps, _ := src.([]any)
				for _, pv := range ps {
					if pm := deref(pv); pm["in"] == "path" {
						out[pm["name"].(string)] = true
					}
				}
			}
			return out
		}
		for _, m := range openAPIMethods {
			opV, ok := item[m]
			if !ok {
				continue
			}
			op := opV.(map[string]any)
			where := strings.ToUpper(m) + " " + p
			id, _ := op["operationId"].(string)
			if id == "" {
				t.Errorf("%s: no operationId", where)
			} else if prev, dup := opIDs[id]; dup {
				t.Errorf("%s: operationId %q also used by %s", where, id, prev)
			}
			opIDs[id] = where
			decl := declared(op)
			for _, mm := range pathParam.FindAllStringSubmatch(p, -1) {
				if !decl[mm[1]] {
					t.Errorf("%s: path parameter %q not declared", where, mm[1])
				}
			}
			resps, _ := op["responses"].(map[string]any)
			ok2xx := false
			for code, rv := range resps {
				if strings.HasPrefix(code, "2") {
					ok2xx = true
				}
				if !strings.HasPrefix(code, "4") {
					continue
				}
				r := deref(rv)
				schema := deref(deref(deref(r["content"])["application/json"])["schema"])
				props, _ := schema["properties"].(map[string]any)
				if _, ok := props["error"]; !ok {
					t.Errorf("%s: %s response is not the error shape", where, code)
				}
			}
			if !ok2xx {
				t.Errorf("%s: no success response", where)
			}
			_, public := op["security"]
			if public != slices.Contains([]string{"POST /session", "GET /demo", "GET /openapi.json", "GET /calendar/{token}.ics"}, where) {
				t.Errorf("%s: security override present=%v; only sign-in, demo, the document and the calendar feed are public", where, public)
			}
			if _, has401 := resps["401"]; !public && !has401 {
				t.Errorf("%s: a bearer-only operation documents no 401", where)
			}
		}
	}
}

// docRoot is the document decoded once, for checking responses against it.
var docRoot = sync.OnceValue(func() map[string]any {
	var raw map[string]any
	if err := json.Unmarshal(docs.OpenAPI, &raw); err != nil {
		panic(err)
	}
	return raw
})

// docResolve follows a local $ref ("#/components/…").
func docResolve(ref string) (map[string]any, bool) {
	p, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, false
	}
	var cur any = docRoot()
	for _, part := range strings.Split(p, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	m, ok := cur.(map[string]any)
	return m, ok
}

func docDeref(v any) map[string]any {
	m, _ := v.(map[string]any)
	for m != nil {
		ref, ok := m["$ref"].(string)
		if !ok {
			break
		}
		m, _ = docResolve(ref)
	}
	return m
}

// checkDocumented fails unless the document lists the response's status for
// route ("METHOD /api/v1/path/{param}"); a JSON success body must also
// match the documented schema. Errors are checked by apiErrorOf.
func checkDocumented(t *testing.T, route string, res *httptest.ResponseRecorder) {
	t.Helper()
	method, path, _ := strings.Cut(route, " ")
	path = strings.TrimPrefix(path, "/api/v1")
	op := docDeref(docDeref(docDeref(docRoot()["paths"])[path])[strings.ToLower(method)])
	if op == nil {
		t.Errorf("%s: not in docs/openapi.json", route)
		return
	}
	resp := docDeref(docDeref(op["responses"])[strconv.Itoa(res.Code)])
	if resp == nil {
		t.Errorf("%s: status %d is not documented: %.300s", route, res.Code, res.Body)
		return
	}
	if res.Code >= 300 || !strings.HasPrefix(res.Header().Get("Content-Type"), "application/json") {
		return
	}
	schema := docDeref(docDeref(docDeref(resp["content"])["application/json"])["schema"])
	if schema == nil {
		t.Errorf("%s: %d answers JSON, the document says no body", route, res.Code)
		return
	}
	var v any
	if err := json.Unmarshal(res.Body.Bytes(), &v); err != nil {
		t.Errorf("%s: %v", route, err)
		return
	}
	for _, p := range schemaProblems("$", schema, v) {
		t.Errorf("%s %d: body does not match docs/openapi.json: %s", route, res.Code, p)
	}
}

// schemaProblems checks v against the parts of JSON Schema the document
// uses: $ref, anyOf, const, type, enum, properties, required,
// additionalProperties false, items, minimum/maximum, minItems/maxItems and
// the date and date-time formats.
func schemaProblems(at string, schema map[string]any, v any) []string {
	schema = docDeref(schema)
	if schema == nil {
		return []string{at + ": schema does not resolve"}
	}
	var out []string
	bad := func(format string, args ...any) { out = append(out, at+": "+fmt.Sprintf(format, args...)) }
	if alts, ok := schema["anyOf"].([]any); ok {
		matched := false
		for _, a := range alts {
			m, _ := a.(map[string]any)
			if len(schemaProblems(at, m, v)) == 0 {
				matched = true
				break
			}
		}
		if !matched {
			bad("%v matches none of anyOf", v)
		}
	}
	if c, ok := schema["const"]; ok && c != v {
		bad("%v, want const %v", v, c)
	}
	if enum, ok := schema["enum"].([]any); ok && !slices.Contains(enum, v) {
		bad("%v is not one of %v", v, enum)
	}
	var types []string
	switch ty := schema["type"].(type) {
	case string:
		types = []string{ty}
	case []any:
		for _, x := range ty {
			types = append(types, x.(string))
		}
	}
	if len(types) > 0 {
		got := ""
		switch x := v.(type) {
		case nil:
			got = "null"
		case bool:
			got = "boolean"
		case string:
			got = "string"
		case float64:
			got = "number"
			if x == math.Trunc(x) && slices.Contains(types, "integer") {
				got = "integer"
			}
		case []any:
			got = "array"
		case map[string]any:
			got = "object"
		}
		if !slices.Contains(types, got) && !(got == "integer" && slices.Contains(types, "number")) {
			bad("%s %.80s, want %v", got, fmt.Sprint(v), types)
			return out
		}
	}
	switch x := v.(type) {
	case string:
		switch schema["format"] {
		case "date-time":
			if _, err := time.Parse(time.RFC3339, x); err != nil {
				bad("%q is not a date-time", x)
			}
		case "date":
			if _, err := time.Parse(time.DateOnly, x); err != nil {
				bad("%q is not a date", x)
			}
		}
	case float64:
		if lo, ok := schema["minimum"].(float64); ok && x < lo {
			bad("%v below minimum %v", x, lo)
		}
		if hi, ok := schema["maximum"].(float64); ok && x > hi {
			bad("%v above maximum %v", x, hi)
		}
	case []any:
		if lo, ok := schema["minItems"].(float64); ok && float64(len(x)) < lo {
			bad("%d items, want at least %v", len(x), lo)
		}
		if hi, ok := schema["maxItems"].(float64); ok && float64(len(x)) > hi {
			bad("%d items, want at most %v", len(x), hi)
		}
		if items, ok := schema["items"].(map[string]any); ok {
			for i, it := range x {
				out = append(out, schemaProblems(fmt.Sprintf("%s[%d]", at, i), items, it)...)
			}
		}
	case map[string]any:
		props, _ := schema["properties"].(map[string]any)
		required, _ := schema["required"].([]any)
		for _, r := range required {
			if _, ok := x[r.(string)]; !ok {
				bad("required %q missing", r)
			}
		}
		for k, pv := range x {
			ps, ok := props[k].(map[string]any)
			if !ok {
				if schema["additionalProperties"] == false {
					bad("%q is not documented", k)
				}
				continue
			}
			out = append(out, schemaProblems(at+"."+k, ps, pv)...)
		}
	}
	return out
}

// TestSchemaProblemsCatchesDrift: the checker behind checkDocumented finds
// a missing, an undocumented, a mistyped and an out-of-range field, and
// passes a body that fits.
func TestSchemaProblemsCatchesDrift(t *testing.T) {
	t.Parallel()
	order := map[string]any{"$ref": "#/components/schemas/Order"}
	good := `{"id":1,"town_id":1,"branch_id":1,"courtyard_id":1,"lesson_id":1,"lecturer_id":1,"status":"confirmed",
		"slots":["2026-12-05T06:00:00Z"],"duration_minutes":20,"start":"2026-12-05T06:00:00Z","audience":30,"note":"",
		"answer_by":"2026-12-03T02:00:00Z","sequence":1,"created_at":"2026-11-30T02:00:00Z","updated_at":"2026-11-30T02:00:00Z",
		"lesson_title":"t","lecturer_name":"l","branch_name":"b","courtyard_name":"c","photo_links":[],
		"history":[{"id":1,"order_id":1,"account_id":null,"role":"system","from":"","to":"requested","at":"2026-11-30T02:00:00Z","actor_name":""}]}`
	var v map[string]any
	if err := json.Unmarshal([]byte(good), &v); err != nil {
		t.Fatal(err)
	}
	if ps := schemaProblems("$", order, v); len(ps) != 0 {
		t.Fatalf("a fitting order: %v", ps)
	}
	delete(v, "status")
	v["bogus"], v["stars"], v["start"], v["sequence"] = 1.0, 9.0, "yesterday", "1" // as JSON decodes
	v["history"].([]any)[0].(map[string]any)["to"] = "lost"
	got := strings.Join(schemaProblems("$", order, v), "\n")
	for _, want := range []string{`required "status"`, `"bogus" is not documented`, "$.stars: 9 above maximum", `$.start: "yesterday" is not a date-time`,
		"$.sequence: string", "$.history[0].to: lost is not one of"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
}
