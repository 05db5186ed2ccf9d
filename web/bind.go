package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"weike/internal/apperr"
	"weike/org"
)

// bindJSON reads a JSON body strictly: a JSON content type, valid UTF-8, no
// unknown fields, no key twice, keys in their documented letter case, one
// value. Every failure is a 400 or 415 that names the problem, never a 500.
func bindJSON(c echo.Context, v any) error {
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	if err := strictNames(body, v); err != nil {
		return err
	}
	return decodeJSON(body, v)
}

// readJSONBody reads a request's JSON body: a JSON content type (any
// +json type too, such as a merge patch's), valid UTF-8, no escaped NUL.
func readJSONBody(c echo.Context) ([]byte, error) {
	r := c.Request()
	ct := r.Header.Get(echo.HeaderContentType)
	if ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != echo.MIMEApplicationJSON && !strings.HasSuffix(mt, "+json")) {
			return nil, echo.NewHTTPError(415)
		}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return nil, he // the body limit's 413
		}
		return nil, apperr.New(apperr.BadRequest, "bad_request")
	}
	if !utf8.Valid(body) {
		return nil, apperr.New(apperr.BadRequest, "bad_json")
	}
	if hasEscapedNUL(body) {
		return nil, apperr.New(apperr.BadRequest, "bad_text")
	}
	if ct == "" && len(strings.TrimSpace(string(body))) > 0 {
		// A body must say what it is: a form posted to the API by a
		// careless client would otherwise be read as JSON by luck.
		return nil, echo.NewHTTPError(415)
	}
	return body, nil
}

// decodeJSON decodes one JSON value into v, refusing unknown fields, and
// says what is wrong in a 400.
func decodeJSON(body []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		e := apperr.New(apperr.BadRequest, "bad_json")
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			e.Field(te.Field, "field.type")
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			e.WithDetail("offset", se.Offset)
		}
		if strings.HasPrefix(err.Error(), "json: unknown field ") {
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			e.Field(name, "field.unknown")
		}
		return e
	}
	if dec.More() {
		return apperr.New(apperr.BadRequest, "bad_json")
	}
	return nil
}

// pathID reads the :id parameter as a positive integer; anything else is a 404.
func pathID(c echo.Context) (int64, error) {
	return parseID(c.Param("id"))
}

// pathRecord runs a store's method, as the caller, on the record the URL's
// :id names: a getter, or a move that returns the record (a retry).
func pathRecord[R any](c echo.Context, get func(context.Context, org.Actor, int64) (R, error)) (R, error) {
	id, err := pathID(c)
	if err != nil {
		var none R
		return none, err
	}
	return get(c.Request().Context(), actor(c), id)
}

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "not_found")
	}
	return id, nil
}

// queryInt reads an optional integer query parameter; a bad one is a 400
// naming the parameter.
func queryInt(c echo.Context, name string) (int, error) {
	v := strings.TrimSpace(c.QueryParam(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 1_000_000_000 {
		return 0, apperr.New(apperr.BadRequest, "bad_request").Field(name, "field.number")
	}
	return n, nil
}

func queryID(c echo.Context, name string) (int64, error) {
	v := strings.TrimSpace(c.QueryParam(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, apperr.New(apperr.BadRequest, "bad_request").Field(name, "field.number")
	}
	return n, nil
}
