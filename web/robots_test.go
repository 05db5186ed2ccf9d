package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"weike/notify"
)

// robotReceiver is a group robot on this machine: it takes what comes to
// /ok and refuses, as WeCom does, what comes to /bad.
type robotReceiver struct {
	*httptest.Server
	mu  sync.Mutex
	got []string
}

func newRobotReceiver(t *testing.T) *robotReceiver {
	r := &robotReceiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, string(b))
		r.mu.Unlock()
		if req.URL.Path == "/bad" {
			w.Write([]byte(`{"errcode":93000,"errmsg":"invalid webhook url"}`))
			return
		}
		w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *robotReceiver) received() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got...)
}

var robotID = regexp.MustCompile(`action="/messages/robots/(\d+)/test"`)

// TestRobotTestMessage: the messages page explains group robots in plain
// words, and "send a test message" posts through the robot and says what
// came of it; the API does the same for the robot's town only.
func TestRobotTestMessage(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		// This server may post to robots on this machine (the operator's
		// --robot-hosts).
		e.S.Notify = notify.NewStore(e.W.DB, func() time.Time { return e.W.Now }, notify.WithRobotHosts([]string{"127.0.0.1"}))
		rcv := newRobotReceiver(t)
		off := signIn(t, e, "ch-official")
		page := pageText(t, off, "/messages", 200)
		wantIn(t, "messages page", page, "群机器人是企业微信群或钉钉群里的一个“机器人”成员", "怎样得到机器人地址？",
			"https://qyapi.weixin.qq.com/", "https://oapi.dingtalk.com/", "以 SEC 开头", "清除已保存的加签密钥", "还没有设置群机器人")
		lackIn(t, "messages page", page, "退避", "Webhook 地址（留空则删除）", "填 - 清除", "backoff")

		// Saved without an address: a slip, not a removal.
		res := off.post("/messages/robots", url.Values{"url": {""}, "kind": {"wecom"}})
		if res.Code != http.StatusUnprocessableEntity || !strings.Contains(res.Body.String(), "必填") {
			t.Fatalf("empty address: %d", res.Code)
		}
		if res := off.post("/messages/robots", url.Values{"url": {rcv.URL + "/ok?key=SECRETKEY"}, "kind": {"wecom"}}); res.Code != http.StatusSeeOther {
			t.Fatalf("save: %d %s", res.Code, res.Body)
		}
		m := robotID.FindStringSubmatch(pageText(t, off, "/messages", 200))
		if m == nil {
			t.Fatal("no test button beside the robot")
		}
		testPath := "/messages/robots/" + m[1] + "/test"
		res = off.post(testPath, nil)
		if res.Code != http.StatusOK {
			t.Fatalf("test: %d", res.Code)
		}
		wantIn(t, "test sent", res.Body.String(), "测试消息已发出，机器人收下了")
		if got := rcv.received(); len(got) != 1 || !strings.Contains(got[0], "微课测试消息") {
			t.Fatalf("the robot received %q", got)
		}

		// The robot now refuses: the page says why in plain words, and
		// quotes the robot, never its key.
		if res := off.post("/messages/robots", url.Values{"url": {rcv.URL + "/bad?key=SECRETKEY"}, "kind": {"wecom"}}); res.Code != http.StatusSeeOther {
			t.Fatalf("save: %d", res.Code)
		}
		pageText(t, off, "/messages", 200)
		res = off.post(testPath, nil)
		body := res.Body.String()
		wantIn(t, "test refused", body, "测试消息没有发出去", "机器人地址里的钥匙不对", "93000 invalid webhook url", `role="alert"`)
		lackIn(t, "test refused", body, "SECRETKEY")

		// The API: the town's officials, in their language.
		var out struct {
			OK                       bool
			Problem, Message, Detail string
		}
		api := "/api/v1/robots/" + m[1] + "/test"
		res = e.as("ch-official", http.MethodPost, api, nil, "Accept-Language", "en")
		if res.Code != http.StatusOK {
			t.Fatalf("API: %d %s", res.Code, res.Body)
		}
		if err := json.Unmarshal(res.Body.Bytes(), &out); err != nil || out.OK || out.Problem != notify.TestBadKey ||
			!strings.Contains(out.Message, "The key in the robot's address is wrong") || !strings.Contains(out.Detail, "93000") {
			t.Fatalf("API answer: %+v %v", out, err)
		}
		if res := e.as("qh-official", http.MethodPost, api, nil); res.Code != http.StatusNotFound {
			t.Errorf("another town's official: %d", res.Code)
		}
		if res := e.as("ch-secretary", http.MethodPost, api, nil); res.Code != http.StatusForbidden {
			t.Errorf("a secretary: %d", res.Code)
		}
		if n := len(rcv.received()); n != 3 {
			t.Errorf("the robot received %d messages, want 3", n)
		}

		// A DingTalk robot's secret is removed with its own checkbox.
		ding := url.Values{"url": {rcv.URL + "/ok?access_token=T"}, "kind": {"dingtalk"}, "secret": {"SEC42"}}
		if res := off.post("/messages/robots", ding); res.Code != http.StatusSeeOther {
			t.Fatalf("dingtalk: %d", res.Code)
		}
		wantIn(t, "signed", pageText(t, off, "/messages", 200), "已加签")
		ding.Del("secret")
		ding.Set("clear_secret", "1")
		if res := off.post("/messages/robots", ding); res.Code != http.StatusSeeOther {
			t.Fatalf("clear secret: %d", res.Code)
		}
		lackIn(t, "unsigned", pageText(t, off, "/messages", 200), "已加签")

		// And the robot with its own button.
		if res := off.post("/messages/robots/"+m[1]+"/delete", nil); res.Code != http.StatusSeeOther {
			t.Fatalf("delete: %d", res.Code)
		}
		wantIn(t, "deleted", pageText(t, off, "/messages?done=robot_deleted", 200), "已删除群机器人", "还没有设置群机器人")
		if res := off.post(testPath, nil); res.Code != http.StatusNotFound {
			t.Errorf("testing a removed robot: %d", res.Code)
		}
	})
}
