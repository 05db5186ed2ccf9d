package i18n

import (
	"regexp"
	"sort"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/BurntSushi/toml"
)

// rawLocale is one locale file as TOML reads it: key → a string, or a table
// of plural forms.
func rawLocale(t *testing.T, lang string) map[string]any {
	t.Helper()
	buf, err := localeFS.ReadFile("locales/" + lang + ".toml")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := toml.Unmarshal(buf, &m); err != nil {
		t.Fatalf("%s.toml: %v", lang, err)
	}
	return m
}

// forms are a message's texts by plural form ("other" alone for a plain one).
func forms(t *testing.T, lang, key string, v any) map[string]string {
	t.Helper()
	switch v := v.(type) {
	case string:
		return map[string]string{"other": v}
	case map[string]any:
		out := map[string]string{}
		for f, s := range v {
			str, ok := s.(string)
			if !ok || (f != "one" && f != "other") {
				t.Errorf("%s.toml %q: form %q is not a string of one or other", lang, key, f)
				continue
			}
			out[f] = str
		}
		return out
	}
	t.Errorf("%s.toml %q: neither a string nor a table of plural forms", lang, key)
	return nil
}

var (
	placeholder = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)
	action      = regexp.MustCompile(`\{\{.*?\}\}`)
)

// fields are the placeholders of all of a message's forms.
func fields(fs map[string]string) []string {
	seen := map[string]bool{}
	for _, s := range fs {
		for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
			seen[m[1]] = true
		}
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// TestLocalesAgree holds the two locale files to one shape: the same keys,
// the same placeholders in each message, plural forms where the other
// language has them, and no template action but a placeholder.
func TestLocalesAgree(t *testing.T) {
	zhm, enm := rawLocale(t, "zh"), rawLocale(t, "en")
	for _, c := range []struct {
		lang  string
		m     map[string]any
		other map[string]any
	}{{"zh", zhm, enm}, {"en", enm, zhm}} {
		for key := range c.m {
			if _, ok := c.other[key]; !ok {
				t.Errorf("%q is in %s.toml and not in the other file", key, c.lang)
			}
		}
	}
	for key, zv := range zhm {
		ev, ok := enm[key]
		if !ok {
			continue
		}
		zf, ef := forms(t, "zh", key, zv), forms(t, "en", key, ev)
		if a, b := strings.Join(fields(zf), ","), strings.Join(fields(ef), ","); a != b {
			t.Errorf("%q: placeholders differ: zh has {%s}, en has {%s}", key, a, b)
		}
		_, zPlural := zv.(map[string]any)
		_, ePlural := ev.(map[string]any)
		if zPlural != ePlural {
			t.Errorf("%q: plural in one language only", key)
		}
		if ePlural && (ef["one"] == "" || ef["other"] == "") {
			t.Errorf("%q: an English plural needs both one and other", key)
		}
		if zPlural && (zf["other"] == "" || zf["one"] != "") {
			t.Errorf("%q: Chinese has one plural form, other", key)
		}
		for lang, fs := range map[string]map[string]string{"zh": zf, "en": ef} {
			for _, f := range fields(fs) {
				if f == "n" && !ePlural {
					t.Errorf("%s %q shows a count n without plural forms", lang, key)
				}
			}
			for form, s := range fs {
				if ePlural && form == "other" && !strings.Contains(s, "{{.n}}") {
					t.Errorf("%s %q has plural forms but does not show its count n", lang, key)
				}
				if s == "" {
					t.Errorf("%s %q (%s) is empty", lang, key, form)
				}
				for _, a := range action.FindAllString(s, -1) {
					if !placeholder.MatchString(a) {
						t.Errorf("%s %q: %s is more than a placeholder", lang, key, a)
					}
				}
				if _, err := template.New(key).Parse(s); err != nil {
					t.Errorf("%s %q: %v", lang, key, err)
				}
			}
		}
	}
}

// TestLoaded checks that go-i18n read every key of both files, and that a
// key it does not know shows itself.
func TestLoaded(t *testing.T) {
	n := len(rawLocale(t, "zh"))
	for li := range cat.msgs {
		if len(cat.msgs[li]) != n {
			t.Errorf("language %d: %d messages loaded, want %d", li, len(cat.msgs[li]), n)
		}
	}
	if len(Keys()) != n {
		t.Errorf("Keys() has %d keys, want %d", len(Keys()), n)
	}
	if got := T(EN, "no.such.key"); got != "no.such.key" {
		t.Errorf("missing key renders %q", got)
	}
	if Has("no.such.key") || !Has("status.expired") {
		t.Error("Has disagrees with the catalog")
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"en": EN, "en-GB": EN, "EN-us": EN, "zh-CN": ZH, "zh": ZH, "": ZH, "fr": ZH} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestT(t *testing.T) {
	for _, c := range []struct {
		lang, key string
		params    []any
		want      string
	}{
		{ZH, "nav.home", nil, "首页"},
		{EN, "nav.home", nil, "Home"},
		{"en-GB", "nav.home", nil, "Home"},
		{"", "nav.home", nil, "首页"},
		{ZH, "account.login_taken", []any{"login", "wang"}, "登录名“wang”已被使用"},
		{EN, "account.login_taken", []any{"login", "<b>"}, "The login “<b>” is taken"}, // html/template escapes, not the catalog
		{EN, "internal", []any{"id", 42}, "Something went wrong on our side; please try again (reference 42)"},
		{ZH, "order.wrong_status", []any{"status", Key("status.expired")}, "点单现在是“已过期”，不能执行此操作"},
		{EN, "order.wrong_status", []any{"status", Key("status.expired")}, "The order is “Expired” and cannot do this"},
		{EN, "order.wrong_status", []any{"status", "odd"}, "The order is “odd” and cannot do this"},
	} {
		if got := T(c.lang, c.key, c.params...); got != c.want {
			t.Errorf("T(%q, %q, %v) = %q, want %q", c.lang, c.key, c.params, got, c.want)
		}
	}
}

func TestFormat(t *testing.T) {
	at := time.Date(2026, 12, 5, 6, 30, 0, 0, time.UTC) // 14:30 in Shanghai, a Saturday
	urumqi, err := time.LoadLocation("Asia/Urumqi")     // UTC+6
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang string
		got  string
		want string
	}{
		{ZH, DateTime(ZH, at), "2026年12月5日 周六 14:30"},
		{EN, DateTime(EN, at), "Sat 5 Dec 2026 14:30"},
		{ZH, Date(ZH, at), "2026年12月5日 周六"},
		{EN, Date(EN, at), "Sat 5 Dec 2026"},
		{ZH, Format(ZH, at), "12月5日 周六 14:30"},
		{EN, Format(EN, at), "Sat 5 Dec 14:30"},
		{ZH, Format(ZH, Day("2027-01-03")), "1月3日 周日"},
		{EN, Format(EN, Day("2027-01-03")), "Sun 3 Jan"},
		{EN, Format(EN, DayOf(time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC))), "Fri 1 Jan"}, // already 2027 in Shanghai
		{EN, Format(EN, Day("someday")), "someday"},
		{ZH, Format(ZH, Month("2026-09")), "2026年9月"},
		{EN, Format(EN, Month("2026-09")), "September 2026"},
		{EN, Format(EN, Month("2026-13")), "2026-13"},
		{ZH, ShortMonth(ZH, "2026-09"), "2026年9月"},
		{EN, ShortMonth(EN, "2026-09"), "Sep 2026"},
		{ZH, Format(ZH, time.Wednesday), "周三"},
		{EN, Format(EN, time.Wednesday), "Wed"},
		{EN, Format(EN, Key("role.official")), "Official"},
		{EN, Format(EN, 3), "3"},
		{EN, Format(EN, int64(-7)), "-7"},
		// A time put in a town's zone reads there; a stored (UTC) one in Zone.
		{ZH, Format(ZH, at.In(urumqi)), "12月5日 周六 12:30"},
		{EN, DateTime(EN, at.In(urumqi)), "Sat 5 Dec 2026 12:30"},
		{EN, Format(EN, at.In(time.Local)), "Sat 5 Dec 14:30"},
		{EN, Format(EN, ClockOf(at)), "14:30"},
		{EN, Format(EN, ClockOf(at.In(urumqi))), "12:30"},
		{ZH, Format(ZH, Clock(9*60+5)), "09:05"},
		{ZH, Format(ZH, Window{time.Saturday, 14 * 60, 18 * 60}), "周六 14:00-18:00"},
		{EN, Format(EN, Window{time.Saturday, 14 * 60, 18 * 60}), "Sat 14:00–18:00"},
		{ZH, Format(ZH, List{Window{time.Saturday, 840, 1080}, Window{time.Wednesday, 1140, 1260}}), "周六 14:00-18:00、周三 19:00-21:00"},
		{EN, Format(EN, List{Window{time.Saturday, 840, 1080}, Window{time.Wednesday, 1140, 1260}}), "Sat 14:00–18:00, Wed 19:00–21:00"},
		{EN, Format(EN, List{"王", Key("role.official"), 3}), "王, Official, 3"},
		{ZH, Format(ZH, List{}), "—"},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.lang, c.got, c.want)
		}
	}
}

func TestMatch(t *testing.T) {
	for header, want := range map[string]string{
		"":                          ZH,
		"*":                         ZH,
		"zh-CN,zh;q=0.9":            ZH,
		"zh":                        ZH,
		"zh-TW":                     ZH,
		"zh-HK, en;q=0.5":           ZH, // Chinese first, even the traditional kind
		"fr":                        ZH, // nothing weike speaks: the default
		"en":                        EN,
		"en-GB":                     EN,
		"en-US,en;q=0.9":            EN,
		"en;q=0.9, zh;q=0.8":        EN,
		"zh;q=0.8, en;q=0.9":        EN, // q-values, not order, decide
		"en;q=0.2, zh-CN":           ZH,
		"fr, en;q=0.1":              EN,
		"de-DE,de;q=0.9,en;q=0.8":   EN,
		"ja, zh-TW;q=0.8, en;q=0.5": ZH,
		"garbage;;q=x":              ZH,
	} {
		if got := Match(header); got != want {
			t.Errorf("Match(%q) = %q, want %q", header, got, want)
		}
	}
}

// TestPlural picks the CLDR form by n, however the count is given.
func TestPlural(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    any
		want string
	}{
		{EN, 1, "1 courtyard"},
		{EN, 0, "0 courtyards"},
		{EN, 2, "2 courtyards"},
		{EN, int64(1), "1 courtyard"},
		{EN, uint8(1), "1 courtyard"},
		{EN, "1", "1 courtyard"}, // digits, as booking still sends them
		{EN, "21", "21 courtyards"},
		{EN, 1.5, "1.5 courtyards"}, // not a count go-i18n takes: the other form
		{ZH, 1, "1 个屋场"},
		{ZH, 3, "3 个屋场"},
	} {
		if got := T(c.lang, "cat.courtyard_count", "n", c.n); got != c.want {
			t.Errorf("%s n=%v: %q, want %q", c.lang, c.n, got, c.want)
		}
	}
	// A parameter left out shows, as a key left out does, and n's absence
	// picks the other form.
	if got := T(EN, "cat.courtyard_count"); got != "<no value> courtyards" {
		t.Errorf("without n: %q", got)
	}
	// Two counts in one line are two plural messages, one inside the other.
	got := T(EN, "td.plans.counts", "lessons", T(EN, "td.plans.lessons_n", "n", 1), "films", T(EN, "td.plans.films_n", "n", 2))
	if got != "1 featured lesson · 2 films" {
		t.Errorf("nested: %q", got)
	}
}
