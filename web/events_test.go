package web

import (
	"net/http"
	"testing"

	"weike/notify"
)

// eventPrefRows are the access matrix's rows of the event preferences:
// every signed-in account reads and sets its own.
func eventPrefRows(e *env) []accessRow {
	return []accessRow{
		{route: "GET /api/v1/me/events", want: signedIn(200), list: true, mayBeEmpty: true, req: fixed("/api/v1/me/events", nil)},
		{route: "PUT /api/v1/me/events", want: signedIn(200), list: true, mayBeEmpty: true, req: fixed("/api/v1/me/events", map[string]any{"off": []string{}})},
	}
}

func TestEventPrefsAPI(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		type list struct{ Items []notify.KindPref }
		prefs := func(login string) map[string]notify.KindPref {
			var l list
			mustJSON(t, e.as(login, http.MethodGet, "/api/v1/me/events", nil), &l)
			m := map[string]notify.KindPref{}
			for _, p := range l.Items {
				m[p.Kind] = p
			}
			return m
		}
		// Each role sees the kinds that reach it, all on at first; those
		// that ask for an answer are marked required.
		lec := prefs("ch-lecturer")
		if p := lec[notify.KindOrderRequested]; !p.On || !p.Required {
			t.Errorf("lecturer, new orders: %+v", p)
		}
		if p, ok := lec[notify.KindOrderProposalAnswered]; !ok || !p.On || p.Required {
			t.Errorf("lecturer, proposal answered: %+v", p)
		}
		if _, ok := lec[notify.KindOrderAccepted]; ok {
			t.Error("a lecturer is offered the secretary's kind order.accepted")
		}
		if len(prefs("cs-county")) != 0 {
			t.Error("the county viewer gets event messages")
		}
		cases := []struct {
			name, login string
			off         any
			code        int
		}{
			{"a secretary turns acceptances off", "ch-secretary", []string{notify.KindOrderAccepted, notify.KindOrderAccepted}, 200},
			{"not the proposals she answers", "ch-secretary", []string{notify.KindOrderProposed}, 422},
			{"nor a kind that is not hers", "ch-secretary", []string{notify.KindOrderRequested}, 422},
			{"nor an unknown one", "ch-secretary", []string{"order.nope"}, 422},
			{"a lecturer cannot turn new orders off", "ch-lecturer", []string{notify.KindOrderRequested}, 422},
			{"an official, the digest", "ch-official", []string{notify.KindDigest}, 422},
			{"an official, cancellations", "ch-official", []string{notify.KindOrderCancelled}, 200},
			{"not a list", "ch-official", `{"off": "order.cancelled"}`, 400},
		}
		for _, c := range cases {
			body := c.off
			if l, ok := c.off.([]string); ok {
				body = map[string]any{"off": l}
			}
			if res := e.as(c.login, http.MethodPut, "/api/v1/me/events", body); res.Code != c.code {
				t.Errorf("%s: %d %s", c.name, res.Code, res.Body)
			}
		}
		if p := prefs("ch-secretary")[notify.KindOrderAccepted]; p.On {
			t.Errorf("acceptances still on: %+v", p)
		}
		if p := prefs("ch-secretary")[notify.KindOrderProposed]; !p.On {
			t.Errorf("a refused change turned proposals off: %+v", p)
		}
	})
}
