package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

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

// documented returns the document's operations in the form of apiRoutes.
func (d openAPIDoc) documented(t *testing.T) map[string]bool {
	t.Helper()
	if len(d.Servers) != 1 || d.Servers[0].URL != "/api/v1" {
		t.Fatalf("servers: want exactly /api/v1, got %+v", d.Servers)
	}
	out := map[string]bool{}
	for p, item := range d.Paths {
		for k := range item {
			if slices.Contains(openAPIMethods, k) {
				out[strings.ToUpper(k)+" /api/v1"+p] = true
			}
		}
	}
	return out
}

func TestOpenAPIServed(t *testing.T) {
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
	s := newEnv(t, dbtest.SQLite(t)).S
	routes := apiRoutes(s)
	if len(routes) < 20 {
		t.Fatalf("only %d API routes found: is the route walk broken? %v", len(routes), routes)
	}
	doc := loadOpenAPI(t).documented(t)
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
		"FreeDay", "Film", "FilmInput", "Branch", "BranchInput", "Courtyard", "CourtyardInput", "Account", "Me", "Token", "Error"} {
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
			if public != slices.Contains([]string{"POST /session", "GET /demo", "GET /openapi.json"}, where) {
				t.Errorf("%s: security override present=%v; only sign-in, demo and the document are public", where, public)
			}
			if _, has401 := resps["401"]; !public && !has401 {
				t.Errorf("%s: a bearer-only operation documents no 401", where)
			}
		}
	}
}
