package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"weike/internal/apperr"
	"weike/internal/i18n"
	"weike/internal/sheet"
	"weike/lessons"
	"weike/org"
)

// Imports: an official uploads an .xlsx or .csv of branches, lecturers or
// lessons; a file with any bad row imports nothing and every bad row is
// reported with its row number, column and reason.

// importKind is one kind of sheet that can be imported.
type importKind struct {
	Key    string
	Schema sheet.Schema
	run    func(s *Server, ctx context.Context, act org.Actor, t *sheet.Table) (int, error)
}

var importKinds = []importKind{
	{Key: "branches", Schema: org.BranchSheet, run: func(s *Server, ctx context.Context, act org.Actor, t *sheet.Table) (int, error) {
		return s.Org.ImportBranches(ctx, act, t)
	}},
	{Key: "lecturers", Schema: lessons.LecturerSheet, run: func(s *Server, ctx context.Context, act org.Actor, t *sheet.Table) (int, error) {
		return s.Lessons.ImportLecturers(ctx, act, t)
	}},
	{Key: "lessons", Schema: lessons.LessonSheet, run: func(s *Server, ctx context.Context, act org.Actor, t *sheet.Table) (int, error) {
		return s.Lessons.ImportLessons(ctx, act, t)
	}},
}

func importKindOf(c echo.Context) (importKind, error) {
	for _, k := range importKinds {
		if k.Key == c.Param("kind") {
			return k, nil
		}
	}
	return importKind{}, apperr.New(apperr.NotFound, "not_found")
}

// errTooLarge is an upload over sheet.MaxBytes; it has no domain kind, so
// both handlers answer it with 413 themselves.
var errTooLarge = errors.New("import file too large")

// runImport reads the uploaded file and imports it.
func (s *Server) runImport(c echo.Context, k importKind) (int, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return 0, he // the body limit's 413
		}
		return 0, apperr.New(apperr.BadRequest, "import.no_file")
	}
	if fh.Size > sheet.MaxBytes {
		return 0, errTooLarge
	}
	f, err := fh.Open()
	if err != nil {
		return 0, apperr.New(apperr.BadRequest, "import.unreadable")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, sheet.MaxBytes+1))
	if err != nil {
		return 0, apperr.New(apperr.BadRequest, "import.unreadable")
	}
	if len(data) > sheet.MaxBytes {
		return 0, errTooLarge
	}
	t, err := sheet.Read(fh.Filename, data)
	if err != nil {
		return 0, err
	}
	return k.run(s, c.Request().Context(), actor(c), t)
}

// rowProblem is a row error as the user reads it.
type rowProblem struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

// translateRows replaces the row errors of an "import.rows" error by their
// translation, in place, and returns them; ok is false for other errors.
func translateRows(lang string, err error) ([]rowProblem, bool) {
	ae, ok := apperr.As(err)
	if !ok || ae.Code != "import.rows" {
		return nil, false
	}
	list, _ := ae.Detail["rows"].([]sheet.RowError)
	out := make([]rowProblem, len(list))
	for i, r := range list {
		params := make([]any, 0, 2*len(r.Params))
		for k, v := range r.Params {
			params = append(params, k, v)
		}
		out[i] = rowProblem{Row: r.Row, Column: r.Column, Message: T(lang, r.Code, params...)}
	}
	ae.Detail["rows"] = out
	return out, true
}

type importResult struct {
	Kind     string `json:"kind"`
	Imported int    `json:"imported"`
}

func (s *Server) apiImport(c echo.Context) error {
	k, err := importKindOf(c)
	if err != nil {
		return err
	}
	n, err := s.runImport(c, k)
	if errors.Is(err, errTooLarge) {
		return c.JSON(http.StatusRequestEntityTooLarge, apiError{Error: apiErrorBody{Code: "import.too_large",
			Message: T(langOf(c), "import.too_large")}})
	}
	if err != nil {
		translateRows(langOf(c), err)
		return err
	}
	return c.JSON(http.StatusOK, importResult{Kind: k.Key, Imported: n})
}

func (s *Server) importTemplate(format string) echo.HandlerFunc {
	return func(c echo.Context) error {
		k, err := importKindOf(c)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		ctype := "text/csv; charset=utf-8"
		if format == sheet.FormatXLSX {
			ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
			err = k.Schema.WriteXLSX(&buf)
		} else {
			err = k.Schema.WriteCSV(&buf)
		}
		if err != nil {
			return err
		}
		ascii := "weike-" + k.Key + "-template." + format
		zh := T(i18n.ZH, "sheet.template_file", "name", k.Schema.Name(i18n.ZH)) + "." + format
		c.Response().Header().Set(echo.HeaderContentDisposition,
			`attachment; filename="`+ascii+`"; filename*=UTF-8''`+url.PathEscape(zh))
		return c.Blob(http.StatusOK, ctype, buf.Bytes())
	}
}

// importView is what import.html shows.
type importView struct {
	Kinds []importKindView
	// Kind is the kind just uploaded, Imported how many were imported.
	Kind     string
	Imported int
	Error    string       // a file that could not be read
	Rows     []rowProblem // the bad rows of a refused file
	Total    int          // all problems, when Rows was cut short
}

type importKindView struct {
	Key     string
	Columns []importColumnView
}

type importColumnView struct {
	Title    string
	Required bool
	Hint     string
}

func (s *Server) importData(lang string) *importView {
	v := &importView{}
	for _, k := range importKinds {
		kv := importKindView{Key: k.Key}
		for _, col := range k.Schema.Columns {
			kv.Columns = append(kv.Columns, importColumnView{Title: k.Schema.Title(lang, col.Key), Required: col.Required,
				Hint: k.Schema.Hint(lang, col.Key)})
		}
		v.Kinds = append(v.Kinds, kv)
	}
	return v
}

func (s *Server) importPage(c echo.Context) error {
	return s.render(c, "import", pageData{Title: T(langOf(c), "import.title"), Data: s.importData(langOf(c))})
}

func (s *Server) importSubmit(c echo.Context) error {
	k, err := importKindOf(c)
	if err != nil {
		return err
	}
	lang := langOf(c)
	v := s.importData(langOf(c))
	v.Kind = k.Key
	pd := pageData{Title: T(lang, "import.title"), Data: v}
	n, err := s.runImport(c, k)
	if err == nil {
		v.Imported = n
		pd.Flash = T(lang, "import.done", "n", n, "kind", T(lang, "import.kind."+k.Key))
		return s.render(c, "import", pd)
	}
	if errors.Is(err, errTooLarge) {
		v.Error = T(lang, "import.too_large")
		return s.renderStatus(c, http.StatusRequestEntityTooLarge, "import", pd)
	}
	if rows, ok := translateRows(lang, err); ok {
		v.Rows = rows
		ae, _ := apperr.As(err)
		v.Error = T(lang, ae.Code, "n", ae.Params["n"])
		if total, _ := ae.Detail["total"].(int); total > len(rows) {
			v.Total = total
		}
		return s.renderStatus(c, http.StatusUnprocessableEntity, "import", pd)
	}
	if ae, ok := apperr.As(err); ok && ae.Kind == apperr.BadRequest {
		v.Error = s.toPublic(c, err).Message
		return s.renderStatus(c, http.StatusBadRequest, "import", pd)
	}
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge {
		v.Error = T(lang, "import.too_large")
		return s.renderStatus(c, http.StatusRequestEntityTooLarge, "import", pd)
	}
	return err
}
