package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"weike/fixture"
	"weike/internal/apperr"
	"weike/internal/db"
	"weike/internal/db/dbtest"
	"weike/notify"
)

// TestTestRobot: a test message goes through the robot's own sender
// (signed for DingTalk) and each way a robot can fail comes back as its
// problem, with the robot's words and never its key.
func TestTestRobot(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		var mu sync.Mutex
		got := map[string][]map[string]any{}
		answers := map[string]string{
			"/ok":       `{"errcode":0,"errmsg":"ok"}`,
			"/bad-key":  `{"errcode":93000,"errmsg":"invalid webhook url"}`,
			"/ding":     `{"errcode":0,"errmsg":"ok"}`,
			"/ding-bad": `{"errcode":310000,"errmsg":"sign not match"}`,
			"/busy":     `{"errcode":45009,"errmsg":"api freq out of limit"}`,
			"/other":    `{"errcode":40008,"errmsg":"invalid message type"}`,
		}
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/gone":
				http.NotFound(w, r)
				return
			case "/down":
				http.Error(w, "down", http.StatusInternalServerError)
				return
			}
			var m map[string]any
			b, _ := io.ReadAll(r.Body)
			_ = json.Unmarshal(b, &m)
			if strings.HasPrefix(r.URL.Path, "/ding") && (r.URL.Query().Get("sign") == "" || r.URL.Query().Get("timestamp") == "") {
				w.Write([]byte(`{"errcode":310000,"errmsg":"sign missing"}`))
				return
			}
			mu.Lock()
			got[r.URL.Path] = append(got[r.URL.Path], m)
			mu.Unlock()
			w.Write([]byte(answers[r.URL.Path]))
		}))
		t.Cleanup(rcv.Close)
		closed := httptest.NewServer(http.NotFoundHandler())
		closed.Close() // nobody listens there any more
		ctx := context.Background()
		w := fixture.New(t, d)
		s := notify.NewStore(d, func() time.Time { return w.Now }, notify.WithRobotHosts([]string{"127.0.0.1"}))
		put := func(branch int64, kind, path, secret string) int64 {
			t.Helper()
			r, err := s.PutRobot(ctx, w.A.Official, branch, kind, path+"?key=SECRETKEY", secret)
			if err != nil {
				t.Fatal(err)
			}
			return r.ID
		}
		cases := []struct {
			name, kind, url, secret string
			ok                      bool
			problem, detail         string
		}{
			{"a WeCom robot that takes it", notify.RobotWeCom, rcv.URL + "/ok", "", true, "", ""},
			{"a signed DingTalk robot", notify.RobotDingTalk, rcv.URL + "/ding", "SEC123", true, "", ""},
			{"a key WeCom does not know", notify.RobotWeCom, rcv.URL + "/bad-key", "", false, notify.TestBadKey, "93000 invalid webhook url"},
			{"DingTalk's security setting", notify.RobotDingTalk, rcv.URL + "/ding-bad", "SEC123", false, notify.TestSecurity, "310000 sign not match"},
			{"DingTalk signed without its secret", notify.RobotDingTalk, rcv.URL + "/ding-unsigned", "-", false, notify.TestSecurity, "sign missing"},
			{"too many messages", notify.RobotWeCom, rcv.URL + "/busy", "", false, notify.TestBusy, "45009"},
			{"another refusal", notify.RobotWeCom, rcv.URL + "/other", "", false, notify.TestRefused, "40008 invalid message type"},
			{"no such robot on the server", notify.RobotWeCom, rcv.URL + "/gone", "", false, notify.TestWrongAddress, "404"},
			{"the server fails", notify.RobotWeCom, rcv.URL + "/down", "", false, notify.TestHTTP, "500"},
			{"nobody listens", notify.RobotWeCom, closed.URL + "/send", "", false, notify.TestUnreachable, "127.0.0.1"},
		}
		for _, c := range cases {
			id := put(w.A.Branches[0].ID, c.kind, c.url, c.secret)
			res, err := s.TestRobot(ctx, w.A.Official, id)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if res.OK != c.ok || res.Problem != c.problem || !strings.Contains(res.Detail, c.detail) {
				t.Errorf("%s: %+v, want ok=%v %s %q", c.name, res, c.ok, c.problem, c.detail)
			}
			if strings.Contains(res.Detail, "SECRETKEY") {
				t.Errorf("%s: the robot's key is in the detail %q", c.name, res.Detail)
			}
		}
		mu.Lock()
		bodies := append(got["/ok"], got["/ding"]...)
		mu.Unlock()
		if len(bodies) != 2 {
			t.Fatalf("the receiver got %d test messages, want 2", len(bodies))
		}
		wecom, _ := json.Marshal(bodies[0])
		if !strings.Contains(string(wecom), "微课测试消息") || !strings.Contains(string(wecom), w.A.Branches[0].Name) {
			t.Errorf("the test message does not say what it is and whose it is: %s", wecom)
		}
		if md, _ := bodies[1]["markdown"].(map[string]any); md["title"] != "微课测试消息" {
			t.Errorf("DingTalk's test message: %v", bodies[1])
		}

		// A robot that got into the database pointing inward is not posted
		// to by a store that does not allow that host.
		guarded := notify.NewStore(d, func() time.Time { return w.Now })
		id := put(0, notify.RobotWeCom, rcv.URL+"/ok", "")
		if res, err := guarded.TestRobot(ctx, w.A.Official, id); err != nil || res.OK || res.Problem != notify.TestNotAllowed {
			t.Errorf("an inward robot: %+v %v", res, err)
		}

		// Only the town's officials test its robots.
		if _, err := s.TestRobot(ctx, w.B.Official, id); !isKind(err, apperr.NotFound) {
			t.Errorf("another town's official: %v", err)
		}
		if _, err := s.TestRobot(ctx, w.A.Actors["secretary"], id); !isKind(err, apperr.Forbidden) {
			t.Errorf("a secretary: %v", err)
		}
		if _, err := s.TestRobot(ctx, w.A.Official, id+1000); !isKind(err, apperr.NotFound) {
			t.Errorf("no such robot: %v", err)
		}
	})
}

func isKind(err error, k apperr.Kind) bool {
	e, ok := apperr.As(err)
	return ok && e.Kind == k
}
