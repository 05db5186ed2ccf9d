package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"weike/docs"
	"weike/internal/apperr"
	"weike/org"
)

// routes lists every route and who may use it. The stores check again per
// record (town, branch, lecturer): a role gate here is the first line only.
func (s *Server) routes() {
	e := s.e
	official := requireRole(org.RoleOfficial)

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/static/*", s.serveStatic)
	// Private calendar feeds: the unguessable token is the credential, so
	// calendar apps can subscribe without signing in.
	e.GET("/calendar/:token", s.calendarFeed)

	// ---- JSON API: bearer tokens, no cookies, no CSRF ----
	api := e.Group("/api/v1")
	api.POST("/session", s.apiCreateSession)
	api.GET("/demo", s.apiDemo)
	api.GET("/openapi.json", func(c echo.Context) error { return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, docs.OpenAPI) })

	in := api.Group("", requireActor)
	in.DELETE("/session", s.apiDeleteSession)
	in.GET("/me", s.apiMe)
	in.GET("/tokens", s.apiTokens)
	in.POST("/tokens", s.apiCreateToken)
	in.DELETE("/tokens/:id", s.apiRevokeToken)

	in.GET("/towns", s.apiTowns)
	in.GET("/topics", s.apiTopics)
	in.POST("/topics", s.apiCreateTopic, official)
	in.GET("/lessons", s.apiLessons)
	in.POST("/lessons", s.apiCreateLesson, official)
	in.GET("/lessons/:id", s.apiLesson)
	in.PUT("/lessons/:id", s.apiUpdateLesson, official)
	in.GET("/lecturers", s.apiLecturers)
	in.POST("/lecturers", s.apiCreateLecturer, official)
	in.GET("/lecturers/:id", s.apiLecturer)
	in.PUT("/lecturers/:id", s.apiUpdateLecturer, official)
	in.GET("/films", s.apiFilms)
	in.POST("/films", s.apiCreateFilm, official)
	in.GET("/films/:id", s.apiFilm)
	in.PUT("/films/:id", s.apiUpdateFilm, official)
	in.GET("/branches", s.apiBranches)
	in.POST("/branches", s.apiCreateBranch, official)
	in.GET("/branches/:id", s.apiBranch)
	in.PUT("/branches/:id", s.apiUpdateBranch, official)
	in.POST("/branches/:id/courtyards", s.apiCreateCourtyard, official)
	in.PUT("/courtyards/:id", s.apiUpdateCourtyard, official)
	secretary := requireRole(org.RoleSecretary)
	in.GET("/lessons/:id/slots", s.apiFreeSlots)
	in.POST("/orders", s.apiCreateOrder, secretary)
	in.GET("/orders", s.apiOrders)
	in.GET("/orders/:id", s.apiOrder)
	s.orderActions(in)
	in.POST("/member-lessons", s.apiCreateMemberLesson, requireRole(org.RoleSecretary, org.RoleOfficial))
	in.GET("/member-lessons", s.apiMemberLessons)
	in.GET("/points", s.apiPoints)
	in.GET("/calendar-links", s.apiCalendarLinks)
	in.GET("/inbox", s.apiInbox)
	in.POST("/inbox/:id/read", s.apiInboxRead)
	in.GET("/town/settings", s.apiTownSettings, official)
	in.PUT("/town/settings", s.apiUpdateTownSettings, official)
	watchers := requireRole(org.RoleOfficial, org.RoleCounty)
	recorders := requireRole(org.RoleSecretary, org.RoleOfficial)
	in.GET("/plans/:month", s.apiPlan)
	in.PUT("/plans/:month", s.apiPutPlan, official)
	in.GET("/viewings", s.apiViewings)
	in.POST("/viewings", s.apiCreateViewing, recorders)
	in.GET("/viewings/:id", s.apiViewing)
	in.PUT("/viewings/:id", s.apiUpdateViewing, recorders)
	in.GET("/practices", s.apiPractices)
	in.POST("/practices", s.apiCreatePractice, recorders)
	in.GET("/practices/:id", s.apiPractice)
	in.PUT("/practices/:id", s.apiUpdatePractice, recorders)
	in.GET("/coverage", s.apiCoverage, watchers)
	in.GET("/coverage/matrix", s.apiMatrix, watchers)
	in.GET("/coverage/towns", s.apiTownsSummary, watchers)
	in.GET("/totals", s.apiTotals, watchers)
	s.importAPIRoutes(in, official)
	api.Any("/*", func(c echo.Context) error { return apperr.New(apperr.NotFound, "not_found") })

	// ---- pages: session cookie, CSRF token on every form ----
	csrf := middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:_csrf,header:X-CSRF-Token",
		CookieName:     "weike_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   s.SecureCookies,
		CookieSameSite: http.SameSiteLaxMode,
		ErrorHandler:   func(err error, c echo.Context) error { return apperr.New(apperr.Forbidden, "csrf") },
	})
	p := e.Group("", csrf)
	p.GET("/login", s.loginPage)
	p.POST("/login", s.login)
	p.POST("/logout", s.logout)
	p.GET("/lang/:lang", s.setLang)

	pin := p.Group("", requireActor)
	pin.GET("", s.home)
	pin.GET("/", s.home)
	s.catalogPageRoutes(pin, official)
	s.importPageRoutes(pin, official)
	s.orderPageRoutes(pin, official)
}
