package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"weike/themeday"

	"github.com/labstack/echo/v4"

	"weike/internal/apperr"
	"weike/org"
)

// Exports of the coverage: the workbook and the matrix as CSV. The API
// routes (bearer token) and the dashboard's download links (session cookie)
// share these handlers; only the way in differs.

const (
	mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	mimeCSV  = "text/csv; charset=utf-8"
)

// dashFilter reads the filters of the dashboard and the exports: the month
// range (default the twelve months up to this one), the branch kind ("all"
// or empty for every kind) and, for county viewers, a town.
func (s *Server) dashFilter(c echo.Context) (from, to string, f themeday.CoverageFilter, err error) {
	from, to = s.monthRange(c)
	kind := strings.TrimSpace(c.QueryParam("kind"))
	switch kind {
	case "", "all":
		kind = ""
	case org.KindVillage, org.KindCommunity, org.KindOther:
	default:
		return "", "", f, apperr.New(apperr.BadRequest, "bad_request").Field("kind", "field.branch_kind")
	}
	f.Kind = kind
	f.TownID, err = queryID(c, "town_id")
	return from, to, f, err
}

// exportName is the file's name: 覆盖情况_2026-01_2026-12.xlsx.
func exportName(from, to, ext string) (utf8Name, ascii string) {
	return "覆盖情况_" + from + "_" + to + "." + ext, "coverage_" + from + "_" + to + "." + ext
}

// contentDisposition names a download: an ASCII fallback for old clients
// and the real name encoded as RFC 5987 (filename*=UTF-8”…) for the rest.
func contentDisposition(name, ascii string) string {
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, rfc5987(name))
}

// rfc5987 percent-encodes every byte outside RFC 5987's attr-char.
func rfc5987(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// export writes the coverage export in format ("xlsx" or "csv"). The file
// is built in memory before the first byte goes out, so a failure is a
// clean error response rather than half a download.
func (s *Server) export(c echo.Context, format string) error {
	from, to, f, err := s.dashFilter(c)
	if err != nil {
		return err
	}
	x, err := s.ThemeDay.Export(c.Request().Context(), actor(c), from, to, f)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	mime := mimeXLSX
	if format == "csv" {
		mime = mimeCSV
		err = x.WriteCSV(&buf)
	} else {
		err = x.WriteXLSX(&buf)
	}
	if err != nil {
		return err
	}
	name, ascii := exportName(from, to, format)
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, contentDisposition(name, ascii))
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, mime, buf.Bytes())
}

func (s *Server) apiExportXLSX(c echo.Context) error { return s.export(c, "xlsx") }

func (s *Server) apiExportCSV(c echo.Context) error { return s.export(c, "csv") }
