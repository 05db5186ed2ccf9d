package web

import (
	"bytes"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"weike/internal/apperr"
)

// rejectBadText refuses, with a 400, text that no database column should
// hold: a NUL byte (Postgres rejects it in text, SQLite would cut strings
// at it) or invalid UTF-8, in the query string or in form fields. JSON
// bodies are checked in bindJSON.
func rejectBadText(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if !cleanValues(r.URL.Query()) || !cleanText(r.URL.Path) {
			return apperr.New(apperr.BadRequest, "bad_text")
		}
		if r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch {
			mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
			switch mt {
			case echo.MIMEApplicationForm:
				if err := r.ParseForm(); err != nil {
					return apperr.New(apperr.BadRequest, "bad_request")
				}
				if !cleanValues(r.PostForm) {
					return apperr.New(apperr.BadRequest, "bad_text")
				}
			case echo.MIMEMultipartForm:
				if err := r.ParseMultipartForm(8 << 20); err != nil {
					if strings.Contains(err.Error(), "too large") {
						return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
					}
					return apperr.New(apperr.BadRequest, "bad_request")
				}
				if r.MultipartForm != nil && !cleanValues(r.MultipartForm.Value) {
					return apperr.New(apperr.BadRequest, "bad_text")
				}
			}
		}
		return next(c)
	}
}

func cleanValues(vs map[string][]string) bool {
	for k, list := range vs {
		if !cleanText(k) {
			return false
		}
		for _, v := range list {
			if !cleanText(v) {
				return false
			}
		}
	}
	return true
}

func cleanText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// hasEscapedNUL finds a \u0000 escape in a JSON body.
func hasEscapedNUL(body []byte) bool {
	return bytes.Contains(bytes.ToLower(body), []byte(`\u0000`))
}
