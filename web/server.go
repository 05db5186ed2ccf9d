// Package web is weike's HTTP face: an Echo server with server-rendered
// pages for phones and desktops and a JSON API under /api/v1. It knows the
// domain packages' stores and nothing of SQL; every route and its permission
// is listed in routes.go, and errors.go maps domain errors to HTTP once.
package web

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/sync/singleflight"

	"weike/booking"
	"weike/dispatch"
	"weike/lessons"
	"weike/notify"
	"weike/org"
	"weike/themeday"
)

// DemoAccount is one of the demo's ready-made accounts.
type DemoAccount struct {
	Login      string `json:"login"`
	Role       string `json:"role"`
	Name       string `json:"name"`
	Town       string `json:"town"`
	County     string `json:"county"`
	BranchID   *int64 `json:"branch_id,omitempty"`
	LecturerID *int64 `json:"lecturer_id,omitempty"`
}

// Demo describes the demo when weike runs with --demo.
type Demo struct {
	Password string        `json:"password"`
	Accounts []DemoAccount `json:"accounts"`
}

// Deps is everything the web layer needs, injected by cmd/weike.
type Deps struct {
	Org      *org.Store
	Lessons  *lessons.Store
	Booking  *booking.Store
	ThemeDay *themeday.Store
	Notify   *notify.Store
	// Dispatch drafts and dispatches the towns' months (派单); nil: made
	// from the stores above.
	Dispatch *dispatch.Store
	// BaseURL is weike's public URL, for links given out (calendar feeds);
	// empty means the request's own origin.
	BaseURL string
	// Ready reports whether the database answers (for /readyz).
	Ready   func(context.Context) error
	Log     *slog.Logger
	Now     func() time.Time
	Version string
	// Demo is non-nil only in demo mode.
	Demo *Demo
	// TrustedProxies are CIDRs whose X-Forwarded-For is believed; empty means
	// the peer address is the client (no header can spoof the rate limit).
	TrustedProxies []*net.IPNet
	// SecureCookies marks cookies Secure (behind HTTPS).
	SecureCookies bool
}

// Server holds the Echo instance and the dependencies of its handlers.
type Server struct {
	Deps
	e      *echo.Echo
	log    *slog.Logger
	assets *assets
	pages  *renderer
	// answers holds the catalog's answers and the matrix (catalogcache.go).
	answers *answerCache
	flight  singleflight.Group
	// writes counts the writes this instance has served: answers kept for
	// a while (the matrix) are filed under it, so a write here is seen at once.
	writes     atomic.Int64
	viewBuilds atomic.Int64 // how often a coverage view was built (a test counts)
}

// New builds the server with all its routes.
func New(d Deps) (*Server, error) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Dispatch == nil {
		d.Dispatch = dispatch.NewStore(d.Now, d.Org, d.Lessons, d.Booking, d.ThemeDay)
	}
	s := &Server{Deps: d, log: d.Log, answers: newAnswerCache()}
	var err error
	if s.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if s.pages, err = newRenderer(s); err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.Renderer = s.pages
	e.IPExtractor = s.ipExtractor()
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{
		RequestIDHandler: func(c echo.Context, id string) { c.Set(ctxRequestID, id) },
	}))
	e.Use(compress) // outside logRequests, so that error pages are compressed too
	e.Use(s.logRequests)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		s.log.Error("panic", slog.String("request_id", requestID(c)), slog.Any("err", err), slog.String("stack", string(stack)))
		return err
	}}))
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:         "0",
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		ReferrerPolicy:        "same-origin",
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
	}))
	e.Use(middleware.BodyLimit("8M"))
	e.Use(noStoreAPI)
	e.Use(rejectBadText)
	e.Use(s.loadActor)
	e.Use(s.countWrites)
	s.e = e
	s.routes()
	return s, nil
}

// noStoreAPI marks every answer under /api as not to be stored by any cache:
// they hold a person's data (names, phones, courtyard addresses), and a
// shared cache or a phone's disk is no place for them. A handler that
// answers with a validator may say otherwise for its own answer.
func noStoreAPI(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if isAPI(c) {
			c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		}
		return next(c)
	}
}

// Echo exposes the router (tests drive it with httptest).
func (s *Server) Echo() *echo.Echo { return s.e }

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.e.ServeHTTP(w, r) }

func (s *Server) ipExtractor() echo.IPExtractor {
	if len(s.TrustedProxies) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range s.TrustedProxies {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

const (
	ctxRequestID = "request_id"
	ctxActor     = "actor"
	ctxLang      = "lang"
	ctxAPIAuth   = "api_auth"
)

func requestID(c echo.Context) string {
	if id, ok := c.Get(ctxRequestID).(string); ok {
		return id
	}
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

type loggerKey struct{}

// logRequests puts a logger carrying the request id into the request's
// context, so every line a request logs names it, and logs the request.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		id := requestID(c)
		l := s.log.With(slog.String("request_id", id))
		r := c.Request()
		c.SetRequest(r.WithContext(context.WithValue(r.Context(), loggerKey{}, l)))
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		if strings.HasPrefix(r.URL.Path, "/static/") && status < 400 {
			return nil
		}
		l.Info("request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", status), slog.Duration("took", time.Since(start)), slog.String("ip", c.RealIP()))
		return nil
	}
}

// Start serves on addr until ctx is cancelled, then shuts down gracefully,
// letting requests in flight finish for up to 15 seconds.
func (s *Server) Start(ctx context.Context, addr string) error {
	srv := &http.Server{Addr: addr, Handler: s.e, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 60 * time.Second, WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// countWrites raises s.writes after every request that may have written.
func (s *Server) countWrites(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			s.writes.Add(1)
		}
		return err
	}
}
