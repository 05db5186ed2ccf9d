package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"weike/internal/db/dbtest"
)

// TestCatalogETag: catalog reads carry an ETag; sending it back gets 304
// and no body until a catalog write of the caller's town (or the day)
// changes it; a write of another town does not; answers with phone
// numbers are never stored by the client.
func TestCatalogETag(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		lesson := e.W.A.Lessons[0].ID
		film := e.W.A.Films[0].ID
		lecturer := e.W.A.Lecturers[0].ID
		month := e.W.Now.In(time.FixedZone("CST", 8*3600)).Format("2006-01")
		paths := []struct {
			path, cacheControl string
		}{
			{"/api/v1/lessons", "private, no-cache"},
			{"/api/v1/lessons?sort=title&per_page=5", "private, no-cache"},
			{fmt.Sprintf("/api/v1/lessons/%d", lesson), "private, no-cache"},
			{"/api/v1/topics", "private, no-cache"},
			{"/api/v1/films", "private, no-cache"},
			{fmt.Sprintf("/api/v1/films/%d", film), "private, no-cache"},
			{"/api/v1/plans/" + month, "private, no-cache"},
			{"/api/v1/lecturers", "no-store"},
		}
		etags := map[string]string{}
		for _, p := range paths {
			res := e.as("ch-secretary", "GET", p.path, nil)
			etag := res.Header().Get("ETag")
			if res.Code != 200 || etag == "" {
				t.Fatalf("%s: %d, ETag %q: %s", p.path, res.Code, etag, res.Body)
			}
			if got := res.Header().Get("Cache-Control"); got != p.cacheControl {
				t.Errorf("%s: Cache-Control %q, want %q", p.path, got, p.cacheControl)
			}
			again := e.as("ch-secretary", "GET", p.path, nil, "If-None-Match", etag)
			if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
				t.Errorf("%s with its ETag: %d, %d bytes; want 304 and none", p.path, again.Code, again.Body.Len())
			}
			etags[p.path] = etag
		}
		// Another role sees other answers (drafts): never the secretary's ETag.
		if res := e.as("ch-official", "GET", "/api/v1/lessons", nil, "If-None-Match", etags["/api/v1/lessons"]); res.Code != 200 {
			t.Errorf("official with the secretary's ETag: %d, want 200", res.Code)
		}
		// Another town's write changes nothing here.
		if res := e.as("qh-official", "POST", "/api/v1/topics", map[string]string{"name": "别镇新专题"}); res.Code != http.StatusCreated {
			t.Fatalf("qh topic: %d %s", res.Code, res.Body)
		}
		if res := e.as("ch-secretary", "GET", "/api/v1/lessons", nil, "If-None-Match", etags["/api/v1/lessons"]); res.Code != http.StatusNotModified {
			t.Errorf("after another town's write: %d, want 304", res.Code)
		}
		// This town's write changes every answer of the town.
		if res := e.as("ch-official", "PATCH", fmt.Sprintf("/api/v1/lessons/%d", lesson), map[string]string{"title": "缓存之后改过的课"}); res.Code != 200 {
			t.Fatalf("rename: %d %s", res.Code, res.Body)
		}
		for _, p := range paths {
			res := e.as("ch-secretary", "GET", p.path, nil, "If-None-Match", etags[p.path])
			if res.Code != 200 || res.Header().Get("ETag") == etags[p.path] {
				t.Errorf("%s after the town's write: %d, ETag %q (was %q)", p.path, res.Code, res.Header().Get("ETag"), etags[p.path])
			}
		}
		if res := e.as("ch-secretary", "GET", "/api/v1/lessons?sort=title&per_page=50", nil); !bytes.Contains(res.Body.Bytes(), []byte("缓存之后改过的课")) {
			t.Errorf("the list after the rename does not show it: %s", res.Body)
		}
		// One lecturer is read afresh: her free days follow every booking,
		// which the catalog's version does not.
		if res := e.as("ch-secretary", "GET", fmt.Sprintf("/api/v1/lecturers/%d", lecturer), nil); res.Code != 200 || res.Header().Get("ETag") != "" {
			t.Errorf("a lecturer: %d, ETag %q; want 200 and none", res.Code, res.Header().Get("ETag"))
		}
		// Errors are not cached: a lesson of another town stays 404.
		if res := e.as("qh-secretary", "GET", fmt.Sprintf("/api/v1/lessons/%d", lesson), nil); res.Code != http.StatusNotFound {
			t.Errorf("another town's lesson: %d", res.Code)
		}
	})
}

// TestCatalogCachedCompressed: the kept answer goes out compressed in the
// coding asked for and decodes to the same bytes as the plain one.
func TestCatalogCachedCompressed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t))
	plain := e.as("ch-secretary", "GET", "/api/v1/lessons?per_page=50", nil)
	if plain.Code != 200 || plain.Body.Len() < minCompress {
		t.Fatalf("plain: %d, %d bytes", plain.Code, plain.Body.Len())
	}
	for _, tc := range []struct {
		coding string
		decode func(io.Reader) (io.Reader, error)
	}{
		{"gzip", func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }},
		{"br", func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil }},
	} {
		for range 2 { // built, then from the cache
			res := e.as("ch-secretary", "GET", "/api/v1/lessons?per_page=50", nil, "Accept-Encoding", tc.coding)
			if res.Header().Get("Content-Encoding") != tc.coding || res.Header().Get("Vary") != "Accept-Encoding" {
				t.Fatalf("%s: Content-Encoding %q, Vary %q", tc.coding, res.Header().Get("Content-Encoding"), res.Header().Get("Vary"))
			}
			r, err := tc.decode(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(got, plain.Body.Bytes()) {
				t.Fatalf("%s: decoded %d bytes (%v), want the plain %d", tc.coding, len(got), err, plain.Body.Len())
			}
			if res.Body.Len() >= plain.Body.Len()/2 {
				t.Errorf("%s: %d bytes of %d", tc.coding, res.Body.Len(), plain.Body.Len())
			}
		}
	}
}

// TestMatrixBuiltOnce: county viewers asking for a coverage view together
// get one build between them; a write served here is in the next answer.
func TestMatrixBuiltOnce(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"/api/v1/coverage/matrix?from=2026-01&to=2026-12", "/api/v1/coverage?month=2026-11",
		"/api/v1/coverage/towns?month=2026-11", "/api/v1/totals?from=2026-01&to=2026-12"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			viewBuiltOnce(t, path)
		})
	}
}

func viewBuiltOnce(t *testing.T, path string) {
	eachDB(t, func(t *testing.T, e *env) {
		tok := e.token("cs-county")
		var wg sync.WaitGroup
		etags := make([]string, 32)
		for i := range etags {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req := httptest.NewRequest("GET", path, nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				rec := httptest.NewRecorder()
				e.S.ServeHTTP(rec, req)
				if rec.Code == 200 {
					etags[i] = rec.Header().Get("ETag")
				}
			}()
		}
		wg.Wait()
		for i, tag := range etags {
			if tag == "" || tag != etags[0] {
				t.Fatalf("viewer %d: ETag %q, viewer 0 %q", i, tag, etags[0])
			}
		}
		if n := e.S.viewBuilds.Load(); n != 1 {
			t.Errorf("32 viewers together: %d builds, want 1", n)
		}
		before := e.as("cs-county", "GET", path, nil)
		v := e.as("ch-secretary", "POST", "/api/v1/viewings", map[string]any{"film_id": e.W.A.Films[0].ID, "date": "2026-11-20", "attendees": 12})
		if v.Code != http.StatusCreated {
			t.Fatalf("record a viewing: %d %s", v.Code, v.Body)
		}
		after := e.as("cs-county", "GET", path, nil, "If-None-Match", before.Header().Get("ETag"))
		if after.Code != 200 || bytes.Equal(after.Body.Bytes(), before.Body.Bytes()) {
			t.Errorf("the matrix after a viewing was recorded here: %d, unchanged=%v", after.Code, bytes.Equal(after.Body.Bytes(), before.Body.Bytes()))
		}
	})
}
