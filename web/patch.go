package web

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"weike/internal/apperr"
	"weike/org"
)

// PUT replaces a whole resource: a field left out of its body is set to
// nothing, as the API document says. A client that means to change one
// field sends PATCH with a JSON merge patch (RFC 7386) instead: the members
// it names change (null clears one), every other field stays as it is.

// mergePatch applies patch to target as RFC 7386 says: an object merges
// member by member, null removes a member, anything else replaces.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = mergePatch(t[k], v)
	}
	return t
}

// patchJSON answers PATCH on the record :id names: the record as the input
// that would set it as it is, the merge patch over that, and the update
// with the result; 200 with the record as updated.
func patchJSON[R any, In any](get func(context.Context, org.Actor, int64) (R, error), input func(R) In,
	update func(context.Context, org.Actor, int64, In) (R, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		body, err := readJSONBody(c)
		if err != nil {
			return err
		}
		// The patch names the input's fields, strictly (no key twice, no
		// other letter case, no unknown key).
		if err := strictNames(body, new(In)); err != nil {
			return err
		}
		var patch map[string]any
		if err := json.Unmarshal(body, &patch); err != nil || patch == nil {
			return apperr.New(apperr.BadRequest, "bad_json")
		}
		ctx, act := c.Request().Context(), actor(c)
		cur, err := get(ctx, act, id)
		if err != nil {
			return err
		}
		base, err := json.Marshal(input(cur))
		if err != nil {
			return err
		}
		var doc map[string]any
		if err := json.Unmarshal(base, &doc); err != nil {
			return err
		}
		merged, err := json.Marshal(mergePatch(doc, patch))
		if err != nil {
			return err
		}
		var in In
		if err := decodeJSON(merged, &in); err != nil {
			return err
		}
		out, err := update(ctx, act, id, in)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, out)
	}
}
