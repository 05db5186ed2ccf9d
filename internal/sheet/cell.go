package sheet

import (
	"strconv"
	"strings"
)

// SplitList splits a cell that lists several values: people separate them
// with 、 or a semicolon (either width) or put one per line.
func SplitList(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool {
		return r == '、' || r == ';' || r == '；' || r == '\n' || r == '\r'
	})
	out := make([]string, 0, len(f))
	for _, v := range f {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Int reads a whole number from a cell. It accepts full-width digits, which
// Chinese input methods produce, and a zero fraction such as "45.0", which
// is how a number can come out of a spreadsheet.
func Int(s string) (int, bool) {
	s = strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + (r - '０')
		}
		if r == '．' {
			return '.'
		}
		return r
	}, strings.TrimSpace(s))
	if i := strings.IndexByte(s, '.'); i > 0 && strings.Trim(s[i+1:], "0") == "" {
		s = s[:i]
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < -1_000_000_000 || n > 1_000_000_000 {
		return 0, false
	}
	return n, true
}
