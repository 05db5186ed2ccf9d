package web

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"weike/org"
)

// The JSON API's plain endpoints are one store method each: bind the body,
// call the method with the caller, answer with what it returns. These
// adapters let routes.go name the store method itself.

// createJSON answers 201 with what fn made from the JSON body.
func createJSON[T, R any](fn func(context.Context, org.Actor, T) (R, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		var in T
		if err := bindJSON(c, &in); err != nil {
			return err
		}
		out, err := fn(c.Request().Context(), actor(c), in)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, out)
	}
}

// withIDJSON binds the body for the record named by :id and answers status
// with fn's result (200 for an update, 201 for something made under it).
func withIDJSON[T, R any](status int, fn func(context.Context, org.Actor, int64, T) (R, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		var in T
		if err := bindJSON(c, &in); err != nil {
			return err
		}
		out, err := fn(c.Request().Context(), actor(c), id, in)
		if err != nil {
			return err
		}
		return c.JSON(status, out)
	}
}

// getJSON answers 200 with the record named by :id.
func getJSON[R any](fn func(context.Context, org.Actor, int64) (R, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		out, err := pathRecord(c, fn)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, out)
	}
}
