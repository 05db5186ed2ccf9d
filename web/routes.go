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
	s.metricsRoutes(e) // GET /metrics (Prometheus), and the request counter it reports
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
	in.POST("/lessons", createJSON(s.Lessons.CreateLesson), official)
	in.GET("/lessons/:id", getJSON(s.Lessons.Lesson))
	in.PUT("/lessons/:id", withIDJSON(http.StatusOK, s.Lessons.UpdateLesson), official)
	in.GET("/lecturers", s.apiLecturers)
	in.POST("/lecturers", createJSON(s.Lessons.CreateLecturer), official)
	in.GET("/lecturers/:id", s.apiLecturer)
	in.PUT("/lecturers/:id", withIDJSON(http.StatusOK, s.Lessons.UpdateLecturer), official)
	in.GET("/films", s.apiFilms)
	in.POST("/films", createJSON(s.Lessons.CreateFilm), official)
	in.GET("/films/:id", getJSON(s.Lessons.Film))
	in.PUT("/films/:id", withIDJSON(http.StatusOK, s.Lessons.UpdateFilm), official)
	in.GET("/branches", s.apiBranches)
	in.POST("/branches", createJSON(s.Org.CreateBranch), official)
	in.GET("/branches/:id", getJSON(s.Org.Branch))
	in.PUT("/branches/:id", withIDJSON(http.StatusOK, s.Org.UpdateBranch), official)
	in.POST("/branches/:id/courtyards", withIDJSON(http.StatusCreated, s.Org.CreateCourtyard), official)
	in.PUT("/courtyards/:id", withIDJSON(http.StatusOK, s.Org.UpdateCourtyard), official)
	secretary := requireRole(org.RoleSecretary)
	in.GET("/lessons/:id/slots", s.apiFreeSlots)
	in.POST("/orders", s.apiCreateOrder, secretary)
	in.GET("/orders", s.apiOrders)
	in.GET("/orders/:id", getJSON(s.Booking.Get))
	s.orderActions(in) // POST /orders/:id/<action> for each booking.AllActions(): accept, respond, deliver, …
	in.POST("/member-lessons", createJSON(s.ThemeDay.RecordMemberLesson), requireRole(org.RoleSecretary, org.RoleOfficial))
	in.GET("/member-lessons", s.apiMemberLessons)
	in.GET("/points", s.apiPoints)
	in.GET("/calendar-links", s.apiCalendarLinks)
	in.GET("/inbox", s.apiInbox)
	in.POST("/inbox/:id/read", s.apiInboxRead)
	in.GET("/me/channels", s.apiChannels)
	in.PUT("/me/channels", s.apiPutChannels)
	in.GET("/messages", s.apiMessages, official)
	in.POST("/messages/:id/retry", s.apiRetryMessage, official)
	in.GET("/town/settings", s.apiTownSettings, official)
	in.PUT("/town/settings", s.apiUpdateTownSettings, official)
	watchers := requireRole(org.RoleOfficial, org.RoleCounty)
	recorders := requireRole(org.RoleSecretary, org.RoleOfficial)
	in.GET("/plans/:month", s.apiPlan)
	in.PUT("/plans/:month", s.apiPutPlan, official)
	in.GET("/viewings", s.apiViewings)
	in.POST("/viewings", createJSON(s.ThemeDay.CreateViewing), recorders)
	in.GET("/viewings/:id", getJSON(s.ThemeDay.Viewing))
	in.PUT("/viewings/:id", withIDJSON(http.StatusOK, s.ThemeDay.UpdateViewing), recorders)
	in.GET("/practices", s.apiPractices)
	in.POST("/practices", createJSON(s.ThemeDay.CreatePractice), recorders)
	in.GET("/practices/:id", getJSON(s.ThemeDay.Practice))
	in.PUT("/practices/:id", withIDJSON(http.StatusOK, s.ThemeDay.UpdatePractice), recorders)
	in.GET("/coverage", s.apiCoverage, watchers)
	in.GET("/coverage/matrix", s.apiMatrix, watchers)
	in.GET("/coverage/towns", s.apiTownsSummary, watchers)
	in.GET("/totals", s.apiTotals, watchers)
	in.GET("/exports/coverage.xlsx", s.apiExportXLSX, watchers)
	in.GET("/exports/coverage.csv", s.apiExportCSV, watchers)
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
	s.messagePageRoutes(pin, official)
	s.themeDayPageRoutes(pin, official)
	s.dashboardPageRoutes(pin)
}
