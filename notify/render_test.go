package notify

import "testing"

// TestRender renders every text of an event in both languages from the catalog.
func TestRender(t *testing.T) {
	params := map[string]any{"lesson": "红色家书", "lecturer": "王老师", "branch": "龙王庙村", "n": 48}
	for _, c := range []struct{ lang, title, body string }{
		{"zh-CN", "点单已过期：红色家书", "龙王庙村 的点单（讲师王老师）48 小时内无人答复，已过期，请改派讲师或取消。"},
		{"en", "Order expired: 红色家书", "The order of 龙王庙村 (lecturer 王老师) had no answer within 48 hours and expired; reassign it or cancel it."},
	} {
		title, body := Render("order.expired", c.lang, params)
		if title != c.title || body != c.body {
			t.Errorf("%s: got %q / %q, want %q / %q", c.lang, title, body, c.title, c.body)
		}
	}
	params["n"] = 1
	if _, body := Render("order.expired", "en", params); body != "The order of 龙王庙村 (lecturer 王老师) had no answer within 1 hour and expired; reassign it or cancel it." {
		t.Errorf("one hour: %q", body)
	}
	for text := range texts {
		for _, lang := range []string{"zh-CN", "en"} {
			if title, body := Render(text, lang, params); title == texts[text].title || body == texts[text].body {
				t.Errorf("%s in %s: the catalog lacks its messages", text, lang)
			}
		}
	}
	if title, body := Render("no.such.kind", "en", nil); title != "no.such.kind" || body != "" {
		t.Errorf("unknown kind renders %q / %q", title, body)
	}
}
