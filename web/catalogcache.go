package web

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/labstack/echo/v4"

	"weike/internal/tz"
	"weike/org"
)

// The catalog (lessons, topics, lecturers, films, plans) is read on every
// visit and written a few times a month. Its answers are kept in memory
// under the catalog version of the caller's towns (lessons.CatalogVersion,
// raised by every catalog write in its own transaction), the caller's
// scope and the day, with their compressed forms, and carry an ETag made
// of the same: a phone that sends it back gets 304 and no body, and a
// cached answer costs no query at all.

const (
	answerCacheMax   = 4096
	answerCacheBytes = 64 << 20
)

// cachedAnswer is one answer and its compressed forms, made when first asked.
type cachedAnswer struct {
	key, etag string
	body      []byte
	built     time.Time
	once      [2]sync.Once
	enc       [2][]byte // brotli, gzip
}

func (a *cachedAnswer) size() int { return len(a.key) + len(a.body) + len(a.enc[0]) + len(a.enc[1]) }

// encoded returns the body in coding ("" for none).
func (a *cachedAnswer) encoded(coding string) []byte {
	if len(a.body) < minCompress {
		return a.body
	}
	i := 1
	if coding == codingBrotli {
		i = 0
	} else if coding != codingGzip {
		return a.body
	}
	a.once[i].Do(func() {
		var b bytes.Buffer
		if i == 0 {
			w := brotli.NewWriterLevel(&b, 6)
			_, _ = w.Write(a.body)
			_ = w.Close()
		} else {
			w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
			_, _ = w.Write(a.body)
			_ = w.Close()
		}
		a.enc[i] = b.Bytes()
	})
	return a.enc[i]
}

// answerCache is a bounded LRU of answers.
type answerCache struct {
	mu    sync.Mutex
	items map[string]*list.Element
	lru   *list.List
	bytes int
}

func newAnswerCache() *answerCache {
	return &answerCache{items: map[string]*list.Element{}, lru: list.New()}
}

func (c *answerCache) get(key string) *cachedAnswer {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil
	}
	c.lru.MoveToFront(el)
	return el.Value.(*cachedAnswer)
}

func (c *answerCache) put(a *cachedAnswer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[a.key]; ok {
		c.bytes -= el.Value.(*cachedAnswer).size()
		c.lru.Remove(el)
	}
	// Compressed forms count for what they will weigh (about a third).
	c.items[a.key] = c.lru.PushFront(a)
	c.bytes += a.size() + len(a.body)/2
	for c.lru.Len() > answerCacheMax || c.bytes > answerCacheBytes {
		el := c.lru.Back()
		old := el.Value.(*cachedAnswer)
		c.lru.Remove(el)
		delete(c.items, old.key)
		c.bytes -= old.size() + len(old.body)/2
	}
}

// scopeKey names what of the caller an answer may depend on: the role
// (officials see drafts) and the towns, branch and lecturer it is scoped to.
func scopeKey(a org.Actor) string {
	towns := slices.Clone(a.Towns)
	slices.Sort(towns)
	var b strings.Builder
	b.WriteString(string(a.Role))
	for _, v := range []int64{a.TownID, a.BranchID, a.LecturerID} {
		b.WriteString("|" + strconv.FormatInt(v, 10))
	}
	for _, t := range towns {
		b.WriteString("," + strconv.FormatInt(t, 10))
	}
	return b.String()
}

// catalogCached serves a catalog read from the answer cache. store says
// whether the client may keep the answer (no for answers with phone
// numbers: they stay off a phone's disk, and are still served from memory).
func (s *Server) catalogCached(store bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				return next(c)
			}
			act := actor(c)
			ver, err := s.Lessons.CatalogVersion(r.Context(), act.Towns)
			if err != nil {
				return err
			}
			day := s.Now().In(tz.Shanghai).Format("2006-01-02")
			key := r.URL.Path + "?" + r.URL.RawQuery + "#" + scopeKey(act) + "#" + ver + "#" + day
			a := s.answers.get(key)
			if a == nil {
				rec := &recorder{header: http.Header{}}
				res := c.Response()
				w := res.Writer
				res.Writer = rec
				err := next(c)
				res.Writer, res.Committed, res.Size = w, false, 0
				if err != nil {
					// Nothing was written for an error: Echo answers it.
					return err
				}
				if rec.status != http.StatusOK {
					// Not an answer to keep: pass it on as it was.
					for k, v := range rec.header {
						res.Header()[k] = v
					}
					return c.Blob(rec.status, rec.header.Get(echo.HeaderContentType), rec.body.Bytes())
				}
				sum := sha256.Sum256([]byte(key))
				a = &cachedAnswer{key: key, etag: `W/"` + hex.EncodeToString(sum[:12]) + `"`, body: bytes.Clone(rec.body.Bytes())}
				s.answers.put(a)
			}
			return serveAnswer(c, a, store)
		}
	}
}

// serveAnswer writes a kept answer: 304 when the client has it, else its
// body in the coding the client takes.
func serveAnswer(c echo.Context, a *cachedAnswer, store bool) error {
	r := c.Request()
	h := c.Response().Header()
	h.Set("ETag", a.etag)
	if store {
		h.Set(echo.HeaderCacheControl, "private, no-cache")
	}
	if etagMatches(r.Header.Get("If-None-Match"), a.etag) {
		return c.NoContent(http.StatusNotModified)
	}
	h.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	body := a.body
	if len(a.body) >= minCompress {
		h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
		if coding := acceptedCoding(r.Header.Get(echo.HeaderAcceptEncoding)); coding != "" {
			body = a.encoded(coding)
			h.Set(echo.HeaderContentEncoding, coding)
		}
	}
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	c.Response().WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	_, err := c.Response().Write(body)
	return err
}

// etagMatches is If-None-Match's weak comparison.
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}

// recorder keeps an answer in memory instead of sending it.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(p)
}
