package org_test

import (
	"testing"

	"weike/org"
)

func TestValidPhone(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"", true}, {"13800138000", true}, {"0731-84000000", true}, {"(0731) 8400 0000", true}, {"+86 138 0013 8000", true},
		{"abc123", false}, {"1234", false}, {"138-0013-8000 转 2", false}, {"86+13800138000", false}, {"1234567890123456", false},
	} {
		if got := org.ValidPhone(c.in); got != c.ok {
			t.Errorf("ValidPhone(%q) = %v, want %v", c.in, got, c.ok)
		}
	}
}
