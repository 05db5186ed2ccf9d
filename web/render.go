package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"weike/lessons"
	"weike/org"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// assets serves the embedded static files under checksummed URLs, so a page
// can tell browsers to cache them for a year and still get a new file the
// moment it changes.
type assets struct {
	sums map[string]string // "app.css" → short sha256
}

func loadAssets() (*assets, error) {
	a := &assets{sums: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		h := sha256.Sum256(b)
		a.sums[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(h[:])[:12]
		return nil
	})
	return a, err
}

// url returns the checksummed URL of a static file.
func (a *assets) url(name string) string {
	if sum, ok := a.sums[name]; ok {
		return "/static/" + name + "?v=" + sum
	}
	return "/static/" + name
}

func (s *Server) serveStatic(c echo.Context) error {
	name := path.Clean(c.Param("*"))
	if strings.HasPrefix(name, ".") || strings.Contains(name, "..") {
		return echo.ErrNotFound
	}
	b, err := staticFS.ReadFile("static/" + name)
	if err != nil {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	if c.QueryParam("v") != "" {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct != "" && compressible(ct) {
		h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
		if coding := acceptedCoding(c.Request().Header.Get(echo.HeaderAcceptEncoding)); coding != "" && len(b) >= minCompress {
			h.Set(echo.HeaderContentEncoding, coding)
			return c.Blob(http.StatusOK, ct, compressedStatic(coding, name, b))
		}
	}
	http.ServeContent(c.Response(), c.Request(), name, time.Time{}, bytes.NewReader(b))
	return nil
}

// pageData is what every page template receives.
type pageData struct {
	Title  string
	Lang   string
	Actor  *org.Actor
	CSRF   string
	Path   string
	Query  string
	Demo   bool
	Flash  string
	Unread int64             // the signed-in user's unread inbox messages, for the menu
	Errors map[string]string // a form's field problems, translated
	Form   map[string]string // a form's input, kept when it is shown again
	Data   any
}

// renderer parses each page together with the layout, so that every page
// defines its own "content" block without clashing with the others.
type renderer struct {
	s     *Server
	pages map[string]*template.Template
}

func newRenderer(s *Server) (*renderer, error) {
	r := &renderer{s: s, pages: map[string]*template.Template{}}
	entries, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		name := strings.TrimSuffix(path.Base(e), ".html")
		if name == "layout" || strings.HasPrefix(name, "_") {
			continue
		}
		partials, _ := fs.Glob(templateFS, "templates/_*.html")
		files := append([]string{"templates/layout.html"}, partials...)
		files = append(files, e)
		t, err := template.New("layout.html").Funcs(r.funcs()).ParseFS(templateFS, files...)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		r.pages[name] = t
	}
	return r, nil
}

func (r *renderer) funcs() template.FuncMap {
	return template.FuncMap{
		// T takes the page's language first: {{T $.Lang "nav.lessons"}}.
		"T":        T,
		"asset":    r.s.assets.url,
		"datetime": func(lang string, t time.Time) string { return fmtDateTime(lang, t) },
		"date":     func(lang string, t time.Time) string { return fmtDate(lang, t) },
		"day":      func(lang, d string) string { return fmtDay(lang, d) },
		"hhmm":     func(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) },
		// link is a stored link when it may be one, else "": a link that
		// got in before the rules were tightened (//evil.example) is not
		// given an href.
		"link": func(s string) string {
			if lessons.IsLink(s) {
				return s
			}
			return ""
		},
		"add": func(a, b int) int { return a + b },
		"seq": func(n int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = i + 1
			}
			return out
		},
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
		"lines": func(s string) []string {
			var out []string
			for _, l := range strings.Split(s, "\n") {
				if l = strings.TrimSpace(l); l != "" {
					out = append(out, l)
				}
			}
			return out
		},
		"has": func(ids []int64, id int64) bool {
			for _, x := range ids {
				if x == id {
					return true
				}
			}
			return false
		},
		"deref": func(p *int64) int64 {
			if p == nil {
				return 0
			}
			return *p
		},
	}
}

// Render implements echo.Renderer.
func (r *renderer) Render(w io.Writer, name string, data any, c echo.Context) error {
	t, ok := r.pages[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		return err
	}
	_, err := buf.WriteTo(w)
	return err
}

// render fills the common page data and renders a page with status 200.
func (s *Server) render(c echo.Context, name string, pd pageData) error {
	return s.renderStatus(c, http.StatusOK, name, pd)
}

func (s *Server) renderStatus(c echo.Context, status int, name string, pd pageData) error {
	pd.Lang = langOf(c)
	if a, ok := actorOf(c); ok {
		pd.Actor = &a
		if s.Notify != nil {
			// The menu's count is a nicety: a failed count never fails the page.
			pd.Unread, _ = s.Notify.Unread(c.Request().Context(), a)
		}
	}
	if tok, ok := c.Get(ctxCSRF).(string); ok {
		pd.CSRF = tok
	}
	pd.Path = c.Request().URL.Path
	pd.Query = c.Request().URL.RawQuery
	pd.Demo = s.Demo != nil
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Render(status, name, pd)
}
