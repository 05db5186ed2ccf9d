package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"testing"
)

// TestCreateAnswersAsRead: an order's creation answers from what it holds,
// without reading the order back; the answer must be what reading the
// order gives (names, times, history and all), or clients would see two
// versions of one order.
func TestCreateAnswersAsRead(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		for _, tc := range []struct {
			name  string
			slots []string
		}{
			{"one time", []string{matrixSat1400}},
			{"two times, the last before the answer deadline", []string{matrixWed2000, matrixWed1900}},
		} {
			res := e.as("ch-secretary", http.MethodPost, "/api/v1/orders", orderBody(e.W.A, 0, 0, tc.slots...))
			if res.Code != http.StatusCreated {
				t.Fatalf("%s: create: %d %s", tc.name, res.Code, res.Body)
			}
			var created map[string]any
			mustJSON(t, res, &created)
			read := e.as("ch-secretary", http.MethodGet, fmt.Sprintf("/api/v1/orders/%v", created["id"]), nil)
			var got map[string]any
			mustJSON(t, read, &got)
			if !reflect.DeepEqual(created, got) {
				a, _ := json.MarshalIndent(created, "", " ")
				b, _ := json.MarshalIndent(got, "", " ")
				t.Errorf("%s: the creation's answer differs from the order read back:\n%s\nread:\n%s", tc.name, a, b)
			}
			if created["lecturer_name"] == "" || created["branch_name"] == "" || created["lesson_title"] == "" {
				t.Errorf("%s: names missing: %v", tc.name, created)
			}
			// Cancel it, so that the next case's times are free again.
			if res := e.as("ch-secretary", http.MethodPost, fmt.Sprintf("/api/v1/orders/%v/cancel", created["id"]), map[string]string{"reason": "测试"}); res.Code != 200 {
				t.Fatalf("cancel: %d %s", res.Code, res.Body)
			}
		}
	})
}
