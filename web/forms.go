package web

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"weike/internal/apperr"
	"weike/org"
)

// recordForm is the new-and-edit form of one kind of record: a lesson, a
// lecturer, a film, a branch, a courtyard, a viewing, a practice, a member
// lesson (made, never edited: it has no load, fill or update). Every kind
// goes the same way. GET shows the form, blank or filled from the record.
// POST reads it, hands it to the store, and either redirects (303) to where
// the saved record is shown or shows the form again with the user's input
// and what was wrong, under the status the problem has (422, 409). A kind
// gives only what differs; R is its record, In the store's input.
type recordForm[R, In any] struct {
	s      *Server
	page   string    // the template
	titles [2]string // catalog keys of the page's title: a new record's, an edit's
	fields []string  // the form's fields, kept as typed when it is shown again
	// blank is a new record's form.
	blank func(c echo.Context) map[string]string
	// load finds the record an edit form is about.
	load func(ctx context.Context, act org.Actor, id int64) (*R, error)
	// mayEdit, when set, refuses (403) a record the caller may read but not
	// change, before its form is shown or read.
	mayEdit func(act org.Actor, rec *R) bool
	// loadFirst makes a posted edit load the record before reading the form,
	// so that a record the caller may not change is refused first and the
	// form shown again has it (a courtyard's branch, a record's history).
	loadFirst bool
	// fill writes a record into its form.
	fill func(lang string, rec *R) map[string]string
	// view is the page's Data: the choices the form offers.
	view func(c echo.Context, f formState[R, In]) (any, error)
	// read turns the posted form into the store's input for the record id
	// (0 for a new one); what it cannot read goes into bad, as field problems.
	read   func(c echo.Context, id int64, form map[string]string, bad fieldCodes) (In, error)
	create func(ctx context.Context, act org.Actor, in In) (*R, error)
	update func(ctx context.Context, act org.Actor, id int64, in In) (*R, error)
	// shown is where a saved record is shown.
	shown func(rec *R) string
}

// formState is a record form about to be shown.
type formState[R, In any] struct {
	ID   int64             // the record's, 0 for a new one
	Rec  *R                // the record, when the page has loaded it
	In   *In               // the input, when a posted form is shown again
	Form map[string]string // the fields as they will show
}

// newPage is GET …/new: the blank form.
func (f *recordForm[R, In]) newPage(c echo.Context) error {
	return f.show(c, http.StatusOK, formState[R, In]{Form: f.blank(c)}, nil)
}

// editPage is GET …/:id/edit: the form filled from the record.
func (f *recordForm[R, In]) editPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	rec, err := f.editable(c, id)
	if err != nil {
		return err
	}
	return f.show(c, http.StatusOK, formState[R, In]{ID: id, Rec: rec, Form: f.fill(langOf(c), rec)}, nil)
}

// postNew is POST …/new: make the record.
func (f *recordForm[R, In]) postNew(c echo.Context) error {
	return f.post(c, formState[R, In]{})
}

// postEdit is POST …/:id/edit: change the record.
func (f *recordForm[R, In]) postEdit(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	st := formState[R, In]{ID: id}
	if f.loadFirst {
		if st.Rec, err = f.editable(c, id); err != nil {
			return err
		}
	}
	return f.post(c, st)
}

// editable loads the record an edit form is about: one the caller may not
// see is not found, one they may see but not change forbidden.
func (f *recordForm[R, In]) editable(c echo.Context, id int64) (*R, error) {
	act := actor(c)
	rec, err := f.load(c.Request().Context(), act, id)
	if err != nil {
		return nil, err
	}
	if f.mayEdit != nil && !f.mayEdit(act, rec) {
		return nil, apperr.New(apperr.Forbidden, "forbidden")
	}
	return rec, nil
}

func (f *recordForm[R, In]) post(c echo.Context, st formState[R, In]) error {
	act := actor(c)
	ctx := c.Request().Context()
	st.Form = formOf(c, f.fields...)
	bad := fieldCodes{}
	in, err := f.read(c, st.ID, st.Form, bad)
	if err != nil {
		return err
	}
	// An input that can validate itself adds its own problems to those read
	// found, so that the user sees them all at once; the store validates
	// again either way.
	err = bad.check(func() error {
		if v, ok := any(&in).(interface{ Validate() error }); ok {
			return v.Validate()
		}
		return nil
	})
	var saved *R
	if err == nil {
		if st.ID == 0 {
			saved, err = f.create(ctx, act, in)
		} else {
			saved, err = f.update(ctx, act, st.ID, in)
		}
	}
	if err != nil {
		if status, errs, ok := formProblem(c, err); ok {
			st.In = &in
			return f.show(c, status, st, errs)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, f.shown(saved))
}

func (f *recordForm[R, In]) show(c echo.Context, status int, st formState[R, In], errs map[string]string) error {
	v, err := f.view(c, st)
	if err != nil {
		return err
	}
	title := f.titles[0]
	if st.ID != 0 {
		title = f.titles[1]
	}
	return f.s.renderStatus(c, status, f.page, pageData{Title: T(langOf(c), title), Form: st.Form, Errors: errs, Data: v})
}

// ---- reading forms ----

// choice is one option of a select or a checkbox list.
type choice struct {
	Value string
	Label string
	ID    int64 // for checkbox lists of records
}

// savedFlash is the message shown after a form redirected with ?saved=1.
// A query parameter keeps it stateless: reloading shows it again, harmlessly.
func savedFlash(c echo.Context) string {
	if c.QueryParam("saved") == "1" {
		return T(langOf(c), "cat.saved")
	}
	return ""
}

// formOf keeps the named form fields as the user typed them.
func formOf(c echo.Context, names ...string) map[string]string {
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[n] = c.FormValue(n)
	}
	return m
}

// queryForm keeps the named query parameters (a list's filters).
func queryForm(c echo.Context, names ...string) map[string]string {
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[n] = c.QueryParam(n)
	}
	return m
}

// fieldCodes collects problems found while reading a form, before the store
// sees it: message keys by field, the first problem of a field winning.
type fieldCodes map[string]string

func (f fieldCodes) add(field, code string) {
	if _, ok := f[field]; !ok {
		f[field] = code
	}
}

// intField reads an optional whole number; text that is not one is a field
// problem rather than a zero that the store would misreport.
func (f fieldCodes) intField(form map[string]string, name string) int {
	v := strings.TrimSpace(form[name])
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	var ne *strconv.NumError
	switch {
	case err != nil && !(errors.As(err, &ne) && ne.Err == strconv.ErrRange):
		f.add(name, "field.number")
		return 0
	case err != nil || n < -1_000_000_000 || n > 1_000_000_000:
		// A number, but none any field of weike could hold.
		f.add(name, "field.range")
		return 0
	}
	return int(n)
}

// reqIntField is intField for a number the form must have.
func (f fieldCodes) reqIntField(form map[string]string, name string) int {
	if strings.TrimSpace(form[name]) == "" {
		f.add(name, "field.required")
		return 0
	}
	return f.intField(form, name)
}

func (f fieldCodes) floatField(form map[string]string, name string) *float64 {
	v := strings.TrimSpace(strings.ReplaceAll(form[name], "，", "."))
	if v == "" {
		return nil
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		f.add(name, "field.number")
		return nil
	}
	return &x
}

// idsField reads repeated id values (checkboxes).
func (f fieldCodes) idsField(c echo.Context, name string) []int64 {
	fp, err := c.FormParams()
	if err != nil {
		return nil
	}
	ids := []int64{}
	for _, v := range fp[name] {
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || id <= 0 {
			f.add(name, "field.number")
			continue
		}
		ids = append(ids, id)
	}
	return ids
}

// check returns the problems found while reading the form together with
// those the input's own Validate finds, as one validation error; nil when
// reading went well (the store then validates as usual).
func (f fieldCodes) check(validate func() error) error {
	if len(f) == 0 {
		return nil
	}
	e := apperr.New(apperr.Invalid, "validation")
	for k, v := range f {
		e.Field(k, v)
	}
	if ve, ok := apperr.As(validate()); ok {
		for k, v := range ve.Fields {
			if _, dup := e.Fields[k]; !dup {
				e.Field(k, v)
			}
		}
	}
	return e
}

// formLines splits text into its non-blank, trimmed lines.
func formLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// pager is where a list is among its pages, with links to its neighbours.
type pager struct {
	Total            int64
	Page, Pages      int
	PrevURL, NextURL string
}

// pagerOf places page, of perPage items out of total, at path; the links
// keep the request's other query parameters (a list's filters).
func pagerOf(c echo.Context, path string, total int64, page, perPage int) pager {
	p := pager{Total: total, Page: page, Pages: int((total + int64(perPage) - 1) / int64(perPage))}
	q := c.Request().URL.Query()
	if p.Page > 1 {
		p.PrevURL = withPage(path, q, p.Page-1)
	}
	if p.Page < p.Pages {
		p.NextURL = withPage(path, q, p.Page+1)
	}
	return p
}

// withPage returns path with the query q, its page replaced by n.
func withPage(path string, q url.Values, n int) string {
	v := url.Values{}
	for k, vs := range q {
		if k == "page" || k == "saved" {
			continue
		}
		for _, x := range vs {
			if x != "" {
				v.Add(k, x)
			}
		}
	}
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// defaults is a blank form that starts with the values of m, a copy each
// time: the form is the page's own to change.
func defaults(m map[string]string) func(echo.Context) map[string]string {
	return func(echo.Context) map[string]string { return maps.Clone(m) }
}
