// Package i18n is weike's one message catalog: every user-facing string of
// the pages, the API's errors and the notifications, in Chinese (zh-CN, the
// default) and English. It exists so that no package keeps its own table of
// translations: the domain returns message keys and typed parameters, and
// whoever shows them to a person (web, notify) renders them here in that
// person's language.
//
// The messages live in one TOML file per language (locales/*.toml, go-i18n's
// format), embedded in the binary. A message fills {{.name}} placeholders
// from parameters given as alternating name, value pairs; values are
// rendered by type (see Format), so a time, a day, a month, a weekday or a
// status reads the way the language writes it. A message that counts
// something has CLDR plural forms (one, other), picked by the parameter n.
//
// This package imports no domain package, so that all of them may use it.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// The languages weike speaks, as pages, cookies and accounts name them.
const (
	ZH = "zh-CN" // the default
	EN = "en"
)

//go:embed locales/*.toml
var localeFS embed.FS

// message sets of one language: index 0 is Chinese, 1 English.
const (
	zh = iota
	en
	nLangs
)

// fileLang maps a locale file's name (without .toml) to its language index.
var fileLang = map[string]int{"zh": zh, "en": en}

// catalog is the loaded message files. Messages without placeholders are
// kept as plain strings too, because most calls are labels and go-i18n's
// Localize matches languages on every call.
type catalog struct {
	loc    [nLangs]*goi18n.Localizer
	fixed  [nLangs]map[string]string
	msgs   [nLangs]map[string]*goi18n.Message
	plural map[string]bool
}

var cat = mustLoad(localeFS)

func mustLoad(fsys fs.FS) *catalog {
	c, err := load(fsys)
	if err != nil {
		panic("i18n: " + err.Error())
	}
	return c
}

func load(fsys fs.FS) (*catalog, error) {
	b := goi18n.NewBundle(language.Chinese)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &catalog{plural: map[string]bool{}}
	names, err := fs.Glob(fsys, "locales/*.toml")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		li, ok := fileLang[strings.TrimSuffix(path.Base(name), ".toml")]
		if !ok {
			return nil, fmt.Errorf("%s: not a language weike speaks", name)
		}
		buf, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		mf, err := b.ParseMessageFileBytes(buf, name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		c.msgs[li] = map[string]*goi18n.Message{}
		c.fixed[li] = map[string]string{}
		for _, m := range mf.Messages {
			c.msgs[li][m.ID] = m
			if m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != "" {
				c.plural[m.ID] = true
			}
		}
	}
	for li, tag := range [nLangs]string{"zh", "en"} {
		if c.msgs[li] == nil {
			return nil, fmt.Errorf("locales/%s.toml is missing", tag)
		}
		c.loc[li] = goi18n.NewLocalizer(b, tag)
	}
	for li := range c.msgs {
		for id, m := range c.msgs[li] {
			if !c.plural[id] && !strings.Contains(m.Other, "{{") {
				c.fixed[li][id] = m.Other
			}
		}
	}
	return c, nil
}

// langIndex picks the message set for a language name; anything that is
// not English is read as Chinese, the default.
func langIndex(lang string) int {
	if lang == EN || strings.HasPrefix(strings.ToLower(lang), "en") {
		return en
	}
	return zh
}

// Normalize names the language T speaks for lang, as weike names its
// languages (an HTML lang attribute, a cookie): EN for any English, ZH for
// anything else.
func Normalize(lang string) string {
	if langIndex(lang) == en {
		return EN
	}
	return ZH
}

// T renders the message key in lang. params are alternating name, value
// pairs that fill the message's {{.name}} placeholders; each value is
// rendered by Format in the same language. A message with plural forms
// picks its form by the parameter n (an integer, or digits in a string).
//
// A key missing from the catalog renders as the key itself, which the tests
// catch, rather than as an empty string a reader would not notice.
func T(lang, key string, params ...any) string {
	li := langIndex(lang)
	if s, ok := cat.fixed[li][key]; ok {
		return s
	}
	data := make(map[string]string, len(params)/2)
	var count any
	for i := 0; i+1 < len(params); i += 2 {
		name := fmt.Sprint(params[i])
		data[name] = Format(lang, params[i+1])
		if name == "n" {
			count = pluralCount(params[i+1])
		}
	}
	lc := &goi18n.LocalizeConfig{MessageID: key, TemplateData: data}
	if cat.plural[key] && count != nil {
		lc.PluralCount = count
	}
	s, err := cat.loc[li].Localize(lc)
	if err != nil && s == "" {
		return key
	}
	return s
}

// Has reports whether the catalog has a message for key, for labels that
// fall back to the raw value when there is none (e.g. a practice type
// typed freely through the API).
func Has(key string) bool {
	_, ok := cat.msgs[zh][key]
	return ok
}

// Keys lists every message key of the catalog, sorted, for the checks that
// the catalog and the code agree.
func Keys() []string {
	seen := map[string]bool{}
	var out []string
	for li := range cat.msgs {
		for id := range cat.msgs[li] {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	sort.Strings(out)
	return out
}

// pluralCount turns a count parameter into what go-i18n's plural rules
// read: an int64, or a string of digits as given; nil when it is neither,
// and the message then shows its "other" form.
func pluralCount(v any) any {
	switch n := v.(type) {
	case int:
		return int64(n)
	case int8:
		return int64(n)
	case int16:
		return int64(n)
	case int32:
		return int64(n)
	case int64:
		return n
	case uint:
		return int64(n)
	case uint8:
		return int64(n)
	case uint16:
		return int64(n)
	case uint32:
		return int64(n)
	case uint64:
		return int64(n)
	case string:
		return n
	}
	return nil
}

// supported are the tags Match chooses from, each with the language it
// stands for; the first is the default. Traditional Chinese is listed so
// that a reader who puts zh-TW before English gets Chinese: the matcher
// rates Simplified Chinese only a weak match for it, weaker than English.
var supported = []struct {
	tag  language.Tag
	lang string
}{
	{language.MustParse(ZH), ZH},
	{language.English, EN},
	{language.MustParse("zh-Hant"), ZH},
}

var matcher = func() language.Matcher {
	tags := make([]language.Tag, len(supported))
	for i, s := range supported {
		tags[i] = s.tag
	}
	return language.NewMatcher(tags)
}()

// Match picks the language weike speaks that suits an Accept-Language
// header best, honouring its q-values (so "en;q=0.9, zh;q=0.8" is English
// and "zh-TW" or "en-GB" find their cousin); Chinese when the header names
// nothing weike speaks.
func Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return ZH
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return ZH
	}
	return supported[i].lang
}
