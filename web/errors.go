package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"weike/internal/apperr"
)

// statusOf is the one mapping from a domain error's kind to HTTP.
func statusOf(k apperr.Kind) int {
	switch k {
	case apperr.Invalid:
		return http.StatusUnprocessableEntity
	case apperr.BadRequest:
		return http.StatusBadRequest
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.TooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// apiError is the JSON shape of every 4xx and 5xx under /api.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Fields  map[string]any `json:"fields,omitempty"`
}

// publicError is an error reduced to what a user may see: a status, a code,
// a translated message and translated field problems.
type publicError struct {
	Status  int
	Code    string
	Message string
	Fields  map[string]any
}

// toPublic converts any error to what the user sees. Unknown errors become a
// 500 whose message names only the request id; their text goes to the log.
func (s *Server) toPublic(c echo.Context, err error) publicError {
	lang := langOf(c)
	if ae, ok := apperr.As(err); ok {
		msg, fields := translate(lang, ae)
		pe := publicError{Status: statusOf(ae.Kind), Code: ae.Code, Message: msg}
		if len(fields) > 0 || len(ae.Detail) > 0 {
			pe.Fields = map[string]any{}
			for f, m := range fields {
				pe.Fields[f] = m
			}
			for k, v := range ae.Detail {
				pe.Fields[k] = v
			}
		}
		return pe
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code := "bad_request"
		switch he.Code {
		case http.StatusNotFound:
			code = "not_found"
		case http.StatusMethodNotAllowed:
			code = "method_not_allowed"
		case http.StatusRequestEntityTooLarge:
			code = "body_too_large"
		case http.StatusUnsupportedMediaType:
			code = "unsupported_media"
		case http.StatusForbidden:
			code = "csrf"
			if m, ok := he.Message.(string); ok && !strings.Contains(strings.ToLower(m), "csrf") {
				code = "forbidden"
			}
		case http.StatusUnauthorized:
			code = "auth.required"
		case http.StatusTooManyRequests:
			code = "too_many"
		case http.StatusBadRequest:
			code = "bad_request"
		default:
			if he.Code >= 500 {
				return s.internal(c, err)
			}
		}
		return publicError{Status: he.Code, Code: code, Message: T(lang, code)}
	}
	return s.internal(c, err)
}

// translate renders a domain error's message and field problems in lang.
// The domain gives its parameters their types (times, days, months,
// statuses, counts under n), and the catalog writes each the way lang does.
func translate(lang string, ae *apperr.Error) (string, map[string]string) {
	params := make([]any, 0, 2*len(ae.Params))
	for k, v := range ae.Params {
		params = append(params, k, v)
	}
	fields := make(map[string]string, len(ae.Fields))
	for f, code := range ae.Fields {
		fields[f] = T(lang, code, params...)
	}
	return T(lang, ae.Code, params...), fields
}

// formProblem turns a rule broken by a form's input (422) or a clash (409)
// into the messages a page shows next to the form: "_" for the whole form,
// and one per field, numbered fields ("slots.1") folded into their field.
// Any other error is not the form's to show.
func formProblem(c echo.Context, err error) (int, map[string]string, bool) {
	ae, ok := apperr.As(err)
	if !ok || (ae.Kind != apperr.Invalid && ae.Kind != apperr.Conflict) {
		return 0, nil, false
	}
	msg, fields := translate(langOf(c), ae)
	msgs := map[string]string{"_": msg}
	for f, m := range fields {
		if i := strings.IndexByte(f, '.'); i > 0 {
			f = f[:i]
		}
		if _, dup := msgs[f]; !dup {
			msgs[f] = m
		}
	}
	return statusOf(ae.Kind), msgs, true
}

func (s *Server) internal(c echo.Context, err error) publicError {
	id := requestID(c)
	s.log.ErrorContext(c.Request().Context(), "request failed", slog.String("request_id", id),
		slog.String("method", c.Request().Method), slog.String("path", c.Request().URL.Path), slog.Any("err", err))
	return publicError{Status: http.StatusInternalServerError, Code: "internal", Message: T(langOf(c), "internal", "id", id)}
}

// handleError is Echo's HTTPErrorHandler: JSON under /api, a page elsewhere.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	pe := s.toPublic(c, err)
	retryAfter(c, pe)
	if pe.Status == http.StatusUnauthorized && !isAPI(c) {
		// A lost or expired session brings the user back to sign-in, then
		// to where they were.
		_ = c.Redirect(http.StatusSeeOther, loginURL(c))
		return
	}
	var werr error
	if isAPI(c) || c.Request().Method == http.MethodHead {
		if c.Request().Method == http.MethodHead {
			werr = c.NoContent(pe.Status)
		} else {
			werr = c.JSON(pe.Status, apiError{Error: apiErrorBody{Code: pe.Code, Message: pe.Message, Fields: pe.Fields}})
		}
	} else {
		werr = s.renderStatus(c, pe.Status, "error", pageData{Title: T(langOf(c), "page.error"), Data: pe})
	}
	if werr != nil {
		s.log.Error("writing error response", slog.Any("err", werr))
	}
}

// retryAfter tells a throttled client (429) when to try again, in the
// Retry-After header, as the domain error's detail says.
func retryAfter(c echo.Context, pe publicError) {
	if pe.Status != http.StatusTooManyRequests {
		return
	}
	if secs, ok := pe.Fields["retry_after"].(int); ok && secs > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	}
}

func isAPI(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/api/") }
