// Package apperr holds the typed errors that the domain packages (org, lessons,
// booking, notify) return and that web maps to HTTP in one place.
//
// An error carries a Kind (what HTTP status it becomes), a Code (the key of its
// user-facing message in the catalog, internal/i18n, so the domain never
// decides a language), typed parameters for that message and optional
// per-field problems for forms. The internal text of a
// wrapped cause is never shown to users.
package apperr

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Kind says what class of failure an error is; web maps each to one status.
type Kind int

// The kinds of domain error.
const (
	Invalid      Kind = iota + 1 // 422: the input breaks a rule
	BadRequest                   // 400: the input cannot be read at all
	NotFound                     // 404: absent, or not the caller's to see
	Forbidden                    // 403: visible, but not the caller's to change
	Conflict                     // 409: collides with existing state
	Unauthorized                 // 401: who the caller is is unknown
	TooMany                      // 429: slow down
)

// Error is a domain error with a user-safe message key.
type Error struct {
	Kind Kind
	// Code is the message key, e.g. "lesson.not_found"; web translates it.
	Code string
	// Params fill the placeholders of the message. Give values their type
	// (time.Time, i18n.Day, i18n.Month, i18n.Key, an int count under "n")
	// and the catalog writes them the way the reader's language does.
	Params map[string]any
	// Fields maps an input field to the message key of its problem.
	Fields map[string]string
	// Detail travels to the client as-is in error.fields (e.g. a clashing order's id).
	Detail map[string]any
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Code)
	if len(e.Params) > 0 {
		keys := make([]string, 0, len(e.Params))
		for k := range e.Params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, " %s=%v", k, e.Params[k])
		}
	}
	if len(e.Fields) > 0 {
		fmt.Fprintf(&b, " fields=%v", e.Fields)
	}
	return b.String()
}

// New makes an error of a kind with a message key.
func New(kind Kind, code string) *Error { return &Error{Kind: kind, Code: code} }

// With adds a message parameter and returns the error for chaining.
func (e *Error) With(key string, value any) *Error {
	if e.Params == nil {
		e.Params = map[string]any{}
	}
	e.Params[key] = value
	return e
}

// Field adds a per-field problem.
func (e *Error) Field(field, code string) *Error {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	e.Fields[field] = code
	return e
}

// WithDetail adds machine-readable detail for API clients.
func (e *Error) WithDetail(key string, v any) *Error {
	if e.Detail == nil {
		e.Detail = map[string]any{}
	}
	e.Detail[key] = v
	return e
}

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Is reports whether err is a domain error of the given kind.
func Is(err error, kind Kind) bool {
	e, ok := As(err)
	return ok && e.Kind == kind
}

// NotFoundf is the common "no such thing (or not yours to see)" error.
func NotFoundf(what string) *Error { return New(NotFound, what+".not_found") }

// Fields collects per-field validation problems and returns nil when there are none.
type FieldSet struct {
	fields map[string]string
	params map[string]any
}

// With adds a parameter that the fields' messages read ("the windows of
// {{.days}} overlap"); the error Err returns carries it.
func (f *FieldSet) With(key string, value any) {
	if f.params == nil {
		f.params = map[string]any{}
	}
	f.params[key] = value
}

// Add records a problem with a field; the first problem of a field wins.
func (f *FieldSet) Add(field, code string) {
	if f.fields == nil {
		f.fields = map[string]string{}
	}
	if _, ok := f.fields[field]; !ok {
		f.fields[field] = code
	}
}

// Err returns a validation error when any field had a problem, else nil.
func (f *FieldSet) Err() error {
	if len(f.fields) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Code: "validation", Fields: f.fields, Params: f.params}
}

// Indexed prefixes a validation error's fields with the index of the item
// of a batch it is about ("3.date"), so one error names the row to fix.
func Indexed(err error, i int) error {
	e, ok := As(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = make(map[string]string, len(e.Fields))
	for f, code := range e.Fields {
		out.Fields[strconv.Itoa(i)+"."+f] = code
	}
	return &out
}

// Wrap names the use case an unexpected error happened in ("booking:
// accept order 42: …"), so that a database error reaches the log saying
// what was being done. A domain error passes unchanged: its message key is
// what the user sees. Stores call it deferred, on their named result:
//
//	defer apperr.Wrap(&err, "booking: accept order %d", id)
func Wrap(err *error, format string, args ...any) {
	if *err == nil {
		return
	}
	if _, ok := As(*err); ok {
		return
	}
	*err = fmt.Errorf(format+": %w", append(args, *err)...)
}
