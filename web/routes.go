package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"weike/booking"
	"weike/docs"
	"weike/internal/apperr"
	"weike/internal/sheet"
	"weike/lessons"
	"weike/org"
)

// routes lists every route and who may use it. The stores check again per
// record (town, branch, lecturer): a role gate here is the first line only.
func (s *Server) routes() {
	e := s.e
	// The role gates, API and pages alike.
	official := requireRole(org.RoleOfficial)
	secretary := requireRole(org.RoleSecretary)
	recorders := requireRole(org.RoleSecretary, org.RoleOfficial)               // who records member lessons, viewings, practices
	watchers := requireRole(org.RoleOfficial, org.RoleCounty)                   // who watches coverage
	readers := requireRole(org.RoleSecretary, org.RoleOfficial, org.RoleCounty) // who reads the theme day's records
	hoursKeepers := requireRole(org.RoleLecturer, org.RoleOfficial)             // who may change a lecturer's hours (the store: only her own)

	counter := newHTTPMetrics()
	e.Pre(counter.middleware) // every request, by route pattern, for /metrics
	e.GET("/healthz", s.healthz)
	e.GET("/metrics", s.serveMetrics(counter)) // Prometheus, for this machine and private networks only
	e.GET("/readyz", s.readyz)
	e.GET("/static/*", s.serveStatic)
	// Private calendar feeds: the unguessable token is the credential, so
	// calendar apps can subscribe without signing in.
	e.GET("/calendar/:token", s.calendarFeed)
	e.HEAD("/calendar/:token", s.calendarFeed) // calendar apps ask whether it changed

	// ---- JSON API: bearer tokens, no cookies, no CSRF ----
	api := e.Group("/api/v1")
	api.POST("/session", s.apiCreateSession)
	api.GET("/demo", s.apiDemo)
	api.GET("/openapi.json", func(c echo.Context) error { return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, docs.OpenAPI) })

	in := api.Group("", requireActor)
	// Catalog reads answer from memory under the catalog's version, with an
	// ETag (catalogcache.go); answers holding phone numbers stay off the
	// client's disk.
	revalidated, fromMemory := s.catalogCached(true), s.catalogCached(false)
	in.DELETE("/session", s.apiDeleteSession)
	in.GET("/me", s.apiMe)
	in.PUT("/me/password", s.apiChangePassword)
	in.GET("/tokens", s.apiTokens)
	in.POST("/tokens", s.apiCreateToken)
	in.DELETE("/tokens/:id", s.apiRevokeToken)

	in.GET("/towns", s.apiTowns)
	in.GET("/topics", s.apiTopics, revalidated)
	in.POST("/topics", s.apiCreateTopic, official)
	in.GET("/lessons", s.apiLessons, revalidated)
	in.POST("/lessons", createJSON(s.Lessons.CreateLesson), official)
	in.GET("/lessons/:id", getJSON(s.Lessons.Lesson), revalidated)
	in.PUT("/lessons/:id", withIDJSON(http.StatusOK, s.Lessons.UpdateLesson), official)
	in.PATCH("/lessons/:id", patchJSON(s.Lessons.Lesson, (*lessons.Lesson).Input, s.Lessons.UpdateLesson), official)
	in.GET("/lecturers", s.apiLecturers, fromMemory)
	in.POST("/lecturers", createJSON(s.Lessons.CreateLecturer), official)
	// Not kept: a lecturer's free days follow every booking, not the catalog.
	in.GET("/lecturers/:id", s.apiLecturer)
	in.PUT("/lecturers/:id", withIDJSON(http.StatusOK, s.Lessons.UpdateLecturer), official)
	in.PATCH("/lecturers/:id", patchJSON(s.Lessons.Lecturer, (*lessons.Lecturer).Input, s.Lessons.UpdateLecturer), official)
	// A lecturer keeps her own hours; officials of her town may too.
	in.PUT("/lecturers/:id/hours", withIDJSON(http.StatusOK, s.Lessons.UpdateHours), hoursKeepers)
	in.GET("/films", s.apiFilms, revalidated)
	in.POST("/films", createJSON(s.Lessons.CreateFilm), official)
	in.GET("/films/:id", getJSON(s.Lessons.Film), revalidated)
	in.PUT("/films/:id", withIDJSON(http.StatusOK, s.Lessons.UpdateFilm), official)
	in.PATCH("/films/:id", patchJSON(s.Lessons.Film, (*lessons.Film).Input, s.Lessons.UpdateFilm), official)
	in.GET("/branches", s.apiBranches)
	in.POST("/branches", createJSON(s.Org.CreateBranch), official)
	in.GET("/branches/:id", getJSON(s.Org.Branch))
	in.PUT("/branches/:id", withIDJSON(http.StatusOK, s.Org.UpdateBranch), official)
	in.PATCH("/branches/:id", patchJSON(s.Org.Branch, (*org.Branch).Input, s.Org.UpdateBranch), official)
	in.POST("/branches/:id/courtyards", withIDJSON(http.StatusCreated, s.Org.CreateCourtyard), official)
	in.PUT("/courtyards/:id", withIDJSON(http.StatusOK, s.Org.UpdateCourtyard), official)
	in.PATCH("/courtyards/:id", patchJSON(s.Org.Courtyard, (*org.Courtyard).Input, s.Org.UpdateCourtyard), official)
	in.GET("/lessons/:id/slots", s.apiFreeSlots)
	in.POST("/orders", s.apiCreateOrder, secretary)
	in.GET("/orders", s.apiOrders)
	in.GET("/orders/:id", getJSON(s.Booking.Get))
	// One route per move of the order's state machine (booking/actions.go):
	// accept, respond, deliver, … The store decides who may make it.
	for _, a := range booking.AllActions() {
		in.POST("/orders/:id/"+string(a.Name), s.apiOrderAction(a.Name))
	}
	in.POST("/member-lessons", createJSON(s.ThemeDay.RecordMemberLesson), recorders)
	in.GET("/member-lessons", s.apiMemberLessons)
	in.GET("/points", s.apiPoints)
	in.GET("/calendar-links", s.apiCalendarLinks)
	in.POST("/calendar-links/:kind/rotate", s.apiRotateCalendarLink)
	in.GET("/inbox", s.apiInbox)
	in.POST("/inbox/:id/read", s.apiInboxRead)
	in.GET("/me/channels", s.apiChannels)
	in.PUT("/me/channels", s.apiPutChannels)
	in.GET("/me/events", s.apiEventPrefs)
	in.PUT("/me/events", s.apiPutEventPrefs)
	in.GET("/messages", s.apiMessages, official)
	in.POST("/messages/:id/retry", s.apiRetryMessage, official)
	in.GET("/robots", s.apiRobots, official)
	in.POST("/robots", s.apiPutRobot, official)
	in.DELETE("/robots/:id", s.apiDeleteRobot, official)
	in.POST("/robots/:id/test", s.apiTestRobot, official)
	in.GET("/town/settings", s.apiTownSettings, official)
	in.PUT("/town/settings", s.apiUpdateTownSettings, official)
	in.GET("/plans/:month", s.apiPlan, revalidated)
	in.PUT("/plans/:month", s.apiPutPlan, official)
	// The town's dispatch (派单): the month's draft, read by the town's
	// officials and the county's viewers; dispatching it, by officials.
	in.POST("/plans/:month/draft", s.apiDraft, watchers)
	in.POST("/plans/:month/dispatch", s.apiDispatch, official)
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
	in.POST("/imports/:kind", s.apiImport, official)
	in.GET("/imports/:kind/template.xlsx", s.importTemplate(sheet.FormatXLSX))
	in.GET("/imports/:kind/template.csv", s.importTemplate(sheet.FormatCSV))
	api.Any("/*", func(c echo.Context) error { return apperr.New(apperr.NotFound, "not_found") })

	// ---- pages: session cookie, CSRF token on every form ----
	p := e.Group("", s.csrf)
	p.GET("/login", s.loginPage)
	p.POST("/login", s.login)
	p.POST("/logout", s.logout)
	p.GET("/lang/:lang", s.setLang)

	// A form posts back to its own URL and redirects (303) when saved, so a
	// rejected form is shown again where the user was, with their input, and
	// nothing needs JavaScript; a double tap does no harm.
	pin := p.Group("", requireActor)
	pin.GET("", s.home)
	pin.GET("/", s.home)
	// Who the user is, their language and channels, their API tokens. County
	// viewers manage their own tokens too: a token reads no more than its
	// account may.
	pin.GET("/account", s.accountPage)
	pin.POST("/account/tokens", s.accountCreateToken)
	pin.POST("/account/tokens/:id/revoke", s.accountRevokeToken)
	pin.POST("/account/channels", s.accountChannels)
	pin.POST("/account/events", s.accountEvents)
	pin.POST("/account/lang", s.accountLang)
	pin.POST("/account/password", s.accountPassword)
	pin.GET("/inbox", s.inboxPage)
	pin.POST("/inbox/:id/read", s.inboxRead)

	// The catalog. Each kind's new and edit forms go one way (recordForm).
	lesson, lecturer, film := s.lessonForm(), s.lecturerForm(), s.filmForm()
	branch, courtyard := s.branchForm(), s.courtyardForm()
	pin.GET("/lessons", s.lessonsPage)
	pin.GET("/lessons/new", lesson.newPage, official)
	pin.POST("/lessons/new", lesson.postNew, official)
	pin.GET("/lessons/:id", s.lessonPage)
	pin.GET("/lessons/:id/edit", lesson.editPage, official)
	pin.POST("/lessons/:id/edit", lesson.postEdit, official)
	pin.GET("/lecturers", s.lecturersPage)
	pin.GET("/lecturers/new", lecturer.newPage, official)
	pin.POST("/lecturers/new", lecturer.postNew, official)
	pin.GET("/lecturers/:id", s.lecturerPage)
	pin.GET("/lecturers/:id/edit", lecturer.editPage, official)
	pin.POST("/lecturers/:id/edit", lecturer.postEdit, official)
	pin.GET("/lecturers/:id/hours", s.hoursPage, hoursKeepers)
	pin.POST("/lecturers/:id/hours", s.hoursSave, hoursKeepers)
	pin.GET("/films", s.filmsPage)
	pin.GET("/films/new", film.newPage, official)
	pin.POST("/films/new", film.postNew, official)
	pin.GET("/films/:id", s.filmPage)
	pin.GET("/films/:id/edit", film.editPage, official)
	pin.POST("/films/:id/edit", film.postEdit, official)
	pin.GET("/branches", s.branchesPage)
	pin.GET("/branches/new", branch.newPage, official)
	pin.POST("/branches/new", branch.postNew, official)
	pin.GET("/branches/:id", s.branchPage)
	pin.GET("/branches/:id/edit", branch.editPage, official)
	pin.POST("/branches/:id/edit", branch.postEdit, official)
	pin.GET("/branches/:id/courtyards/new", courtyard.newPage, official)
	pin.POST("/branches/:id/courtyards/new", courtyard.postNew, official)
	pin.GET("/courtyards/:id/edit", courtyard.editPage, official)
	pin.POST("/courtyards/:id/edit", courtyard.postEdit, official)
	pin.GET("/import", s.importPage, official)
	pin.POST("/import/:kind", s.importSubmit, official)
	// The page's own template links: the API's take bearer tokens only.
	pin.GET("/import/:kind/template.xlsx", s.importTemplate(sheet.FormatXLSX), official)
	pin.GET("/import/:kind/template.csv", s.importTemplate(sheet.FormatCSV), official)

	// Ordering (点单): the secretary's order form, the order lists and one
	// order's page with a form for each move the caller may make now.
	pin.GET("/lessons/:id/order", s.orderNewPage, secretary)
	pin.POST("/lessons/:id/order", s.orderCreate, secretary)
	pin.GET("/orders", s.ordersPage)
	pin.GET("/orders/:id", s.orderPage)
	for _, a := range booking.AllActions() {
		pin.POST("/orders/:id/"+string(a.Name), s.orderAction(a))
	}
	pin.GET("/agenda", s.agendaPage, requireRole(org.RoleLecturer, org.RoleSecretary))
	pin.POST("/agenda/calendar/:kind/rotate", s.agendaRotateCalendar, requireRole(org.RoleLecturer, org.RoleSecretary))
	pin.GET("/points", s.pointsPage, requireRole(org.RoleLecturer, org.RoleOfficial, org.RoleCounty))
	pin.GET("/settings", s.settingsPage, official)
	pin.POST("/settings", s.settingsSave, official)
	// What was sent, when, to whom and how it went; "retry now"; the town's
	// group robots.
	pin.GET("/messages", s.messagesPage, official)
	pin.POST("/messages/:id/retry", s.messageRetry, official)
	pin.POST("/messages/robots", s.messageRobot, official)
	pin.POST("/messages/robots/:id/test", s.messageRobotTest, official)
	pin.POST("/messages/robots/:id/delete", s.messageRobotDelete, official)

	// The monthly theme day (一月一课一片一实践): the official's plans, the
	// secretary's month, member lessons, film viewings and practices with
	// their change history.
	pin.GET("/plans", s.plansPage, watchers)
	pin.GET("/plans/:month", s.planPage, watchers)
	pin.GET("/plans/:month/edit", s.planEditPage, official)
	pin.POST("/plans/:month/edit", s.planSave, official)
	// The dispatch page (派单): the month's draft, changed row by row and
	// dispatched in one go by the town's official; county viewers read it.
	pin.GET("/plans/:month/dispatch", s.dispatchPage, watchers)
	pin.POST("/plans/:month/dispatch", s.dispatchPost, official)
	pin.GET("/this-month", s.thisMonthPage, secretary)
	pin.GET("/member-lessons", s.memberLessonsPage)
	memberLesson := s.memberLessonForm()
	pin.GET("/member-lessons/new", memberLesson.newPage, recorders)
	pin.POST("/member-lessons/new", memberLesson.postNew, recorders)
	viewing, practice := s.viewingForm(), s.practiceForm()
	pin.GET("/viewings", s.viewingsPage, readers)
	pin.GET("/viewings/new", viewing.newPage, recorders)
	pin.POST("/viewings/new", viewing.postNew, recorders)
	pin.GET("/viewings/:id", s.viewingPage, readers)
	pin.GET("/viewings/:id/edit", viewing.editPage, recorders)
	pin.POST("/viewings/:id/edit", viewing.postEdit, recorders)
	pin.GET("/practices", s.practicesPage, readers)
	pin.GET("/practices/new", practice.newPage, recorders)
	pin.POST("/practices/new", practice.postNew, recorders)
	pin.GET("/practices/:id", s.practicePage, readers)
	pin.GET("/practices/:id/edit", practice.editPage, recorders)
	pin.POST("/practices/:id/edit", practice.postEdit, recorders)

	// Coverage: the dashboard with its charts and downloads, the records
	// behind one cell of the matrix, the county's table of towns.
	pin.GET("/dashboard", s.dashboardPage, watchers)
	pin.GET("/dashboard/export.xlsx", func(c echo.Context) error { return s.export(c, "xlsx") }, watchers)
	pin.GET("/dashboard/export.csv", func(c echo.Context) error { return s.export(c, "csv") }, watchers)
	pin.GET("/coverage/cell", s.coverageCellPage, watchers)
	pin.GET("/county", s.countyPage, requireRole(org.RoleCounty))
}
