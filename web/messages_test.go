package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"

	"weike/notify"
)

// postLetter puts a pending e-mail (and its inbox copy) for login in the
// outbox and returns the e-mail's row id (0 when the key was taken).
func postLetter(t *testing.T, e *env, login, period string) int64 {
	t.Helper()
	a, err := e.W.Org.AccountByLogin(context.Background(), login)
	if err != nil {
		t.Fatal(err)
	}
	// Another row may have chosen inbox only for this account.
	act, err := e.W.Org.ActorFor(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.W.Notify.SetChannels(context.Background(), act, []string{"inbox", "email"}); err != nil {
		t.Fatal(err)
	}
	var q notify.Queued
	err = e.W.DB.Tx(context.Background(), func(tx *gorm.DB) error {
		q, err = e.W.Notify.EnqueueTx(tx, []notify.Letter{{TownID: *a.TownID, Kind: "monthly.official", Period: period, AccountID: a.ID,
			Subject: "测试消息 " + period, Text: "正文", HTML: "<p>正文</p>", Markdown: "正文"}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range q.Rows {
		if o.Channel == notify.ChannelEmail {
			return o.ID
		}
	}
	return 0 // the key was taken already
}

// messageRows are the access matrix's rows of the messages API.
func messageRows(e *env) []accessRow {
	var retryID int64
	retry := func(t *testing.T, e *env, _ string) request {
		if retryID == 0 {
			retryID = postLetter(t, e, "ch-official", "2026-12")
		}
		return request{path: "/api/v1/messages/" + strconv.FormatInt(retryID, 10) + "/retry"}
	}
	listed := func(t *testing.T, e *env, _ string) request {
		if retryID == 0 {
			retryID = postLetter(t, e, "ch-official", "2026-12")
		}
		return request{path: "/api/v1/messages"}
	}
	return []accessRow{
		{route: "GET /api/v1/me/channels", want: signedIn(200), req: fixed("/api/v1/me/channels", nil)},
		{route: "PUT /api/v1/me/channels", want: signedIn(200), req: fixed("/api/v1/me/channels", map[string]any{"channels": []string{"inbox"}})},
		{route: "GET /api/v1/messages", want: statuses(403, "ch-official", 200, "qh-official", 200), list: true, mayBeEmpty: true, req: listed},
		{route: "POST /api/v1/messages/{id}/retry", want: statuses(403, "ch-official", 200, "qh-official", 404), req: retry},
	}
}

func TestChannelsAPI(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		var got notify.ChannelPrefs
		mustJSON(t, e.as("ch-secretary", http.MethodGet, "/api/v1/me/channels", nil), &got)
		if strings.Join(got.Channels, ",") != "inbox,email" || got.Email == "" {
			t.Fatalf("default channels: %+v", got)
		}
		cases := []struct {
			name string
			body any
			code int
			want string
		}{
			{"e-mail only", map[string]any{"channels": []string{"email"}}, 200, "email"},
			{"both, any order, once each", map[string]any{"channels": []string{"email", "inbox", "email"}}, 200, "inbox,email"},
			{"none", map[string]any{"channels": []string{}}, 422, ""},
			{"unknown", map[string]any{"channels": []string{"sms"}}, 422, ""},
			{"not a list", `{"channels": "inbox"}`, 400, ""},
			{"unknown field", `{"channels": ["inbox"], "x": 1}`, 400, ""},
		}
		for _, c := range cases {
			res := e.as("ch-secretary", http.MethodPut, "/api/v1/me/channels", c.body)
			if res.Code != c.code {
				t.Errorf("%s: %d %s", c.name, res.Code, res.Body)
				continue
			}
			if c.code == 200 {
				mustJSON(t, res, &got)
				if strings.Join(got.Channels, ",") != c.want {
					t.Errorf("%s: %v, want %s", c.name, got.Channels, c.want)
				}
			}
		}
		// The county viewer's account has no address: no e-mail for it.
		res := e.as("cs-county", http.MethodPut, "/api/v1/me/channels", map[string]any{"channels": []string{"email"}})
		if res.Code != http.StatusUnprocessableEntity || !strings.Contains(res.Body.String(), "channels") {
			t.Errorf("e-mail without an address: %d %s", res.Code, res.Body)
		}
	})
}

func TestMessagesAPIAndRetry(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		id := postLetter(t, e, "ch-official", "2026-12")
		if again := postLetter(t, e, "ch-official", "2026-12"); again != 0 {
			t.Fatalf("the same key again made row %d", again)
		}
		var page struct {
			Items []notify.Outgoing
			Total int64
		}
		mustJSON(t, e.as("ch-official", http.MethodGet, "/api/v1/messages", nil), &page)
		if page.Total != 2 { // one inbox row (sent) and one e-mail (pending)
			t.Fatalf("total %d, want 2: %+v", page.Total, page.Items)
		}
		mustJSON(t, e.as("ch-official", http.MethodGet, "/api/v1/messages?status=pending&channel=email&kind=monthly", nil), &page)
		if page.Total != 1 || page.Items[0].ID != id {
			t.Fatalf("filtered: %+v", page)
		}
		for _, bad := range []string{"?status=lost", "?channel=fax", "?page=x"} {
			if res := e.as("ch-official", http.MethodGet, "/api/v1/messages"+bad, nil); res.Code != http.StatusBadRequest {
				t.Errorf("%s: %d", bad, res.Code)
			}
		}
		// No SMTP in this server: the retry cannot send and says so.
		var o notify.Outgoing
		res := e.as("ch-official", http.MethodPost, "/api/v1/messages/"+strconv.FormatInt(id, 10)+"/retry", nil)
		mustJSON(t, res, &o)
		if res.Code != 200 || o.Status != notify.StatusSkipped || o.LastError == "" {
			t.Fatalf("retry: %d %+v", res.Code, o)
		}
		mustJSON(t, e.as("ch-official", http.MethodGet, "/api/v1/messages?channel=inbox", nil), &page)
		if page.Total != 1 || page.Items[0].Status != notify.StatusSent {
			t.Fatalf("inbox row: %+v", page)
		}
		if res := e.as("ch-official", http.MethodPost, "/api/v1/messages/"+strconv.FormatInt(page.Items[0].ID, 10)+"/retry", nil); res.Code != http.StatusConflict {
			t.Errorf("retrying a sent message: %d %s", res.Code, res.Body)
		}
	})
}

func TestMessagesPage(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		id := postLetter(t, e, "ch-official", "2026-12")
		c := signIn(t, e, "ch-official")
		page := func(b *browser, path string, code int) string {
			t.Helper()
			res := b.get(path)
			if res.Code != code {
				t.Fatalf("GET %s: %d, want %d", path, res.Code, code)
			}
			if m := untranslatedMsg.FindString(res.Body.String()); m != "" {
				t.Errorf("GET %s: untranslated %q", path, m)
			}
			return res.Body.String()
		}
		post := func(b *browser, path string, form url.Values, code int) string {
			t.Helper()
			res := b.post(path, form)
			if res.Code != code {
				t.Fatalf("POST %s: %d, want %d: %.400s", path, res.Code, code, res.Body)
			}
			return res.Body.String()
		}
		body := page(c, "/messages", http.StatusOK)
		for _, want := range []string{"测试消息 2026-12", "待发送", "立即重试", "群机器人", "月度安排·组织委员"} {
			if !strings.Contains(body, want) {
				t.Errorf("messages page lacks %q", want)
			}
		}
		post(c, "/messages/"+strconv.FormatInt(id, 10)+"/retry", url.Values{}, http.StatusSeeOther)
		body = page(c, "/messages?done=retried&st=skipped", http.StatusOK)
		// Why, in plain words and what to do, then the server's own words.
		if !strings.Contains(body, "未发送") || !strings.Contains(body, "微课还没有设置邮件服务器") || !strings.Contains(body, "WEIKE_SMTP_ADDR") {
			t.Error("the retried message is not shown as not sent, with why")
		}
		c.get("/lang/en?next=/messages")
		if body = page(c, "/messages?st=skipped", http.StatusOK); !strings.Contains(body, "weike has no mail server set") {
			t.Error("the reason is not in English on an English page")
		}
		c.get("/lang/zh?next=/messages")
		page(c, "/messages?status=failed&channel=email&kind=monthly", http.StatusOK)
		// A robot for the town, then a bad one.
		page(c, "/messages", http.StatusOK)
		post(c, "/messages/robots", url.Values{"url": {"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET"}, "kind": {"wecom"}}, http.StatusSeeOther)
		body = page(c, "/messages", http.StatusOK)
		if !strings.Contains(body, "qyapi.weixin.qq.com") || strings.Contains(body, "SECRET") {
			t.Error("the robot is not listed, or its key is shown")
		}
		body = post(c, "/messages/robots", url.Values{"url": {"ftp://x"}, "kind": {"wecom"}}, http.StatusUnprocessableEntity)
		if !strings.Contains(body, "https://") {
			t.Error("a bad robot URL is not explained")
		}
		// Not for secretaries.
		s := signIn(t, e, "ch-secretary")
		if res := s.get("/messages"); res.Code != http.StatusForbidden {
			t.Errorf("secretary on /messages: %d", res.Code)
		}
		// The account page's channels.
		body = page(s, "/account", http.StatusOK)
		if !strings.Contains(body, `name="channels" value="email" checked`) {
			t.Error("account page has no channel choice")
		}
		post(s, "/account/channels", url.Values{"channels": {"inbox"}}, http.StatusSeeOther)
		body = page(s, "/account?channels=1", http.StatusOK)
		if strings.Contains(body, `value="email" checked`) {
			t.Error("e-mail still chosen")
		}
		body = post(s, "/account/channels", url.Values{}, http.StatusUnprocessableEntity)
		if !strings.Contains(body, "至少选择一种") {
			t.Error("choosing no channel is not explained")
		}
	})
}

var untranslatedMsg = regexp.MustCompile(`\bmsg\.[a-z_.]+[a-z]`)
