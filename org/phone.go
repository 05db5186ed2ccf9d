package org

// ValidPhone says whether s reads as a telephone number people can dial: a
// mobile (13800138000), a landline with its area code (0731-84000000), with
// an optional + country code, spaces, dashes or brackets between digits,
// and 5 to 15 digits in all. Empty is valid (no number given). One home
// for the rule: branches' and lecturers' numbers, typed or imported.
func ValidPhone(s string) bool {
	if s == "" {
		return true
	}
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '(' || r == ')':
		default:
			return false
		}
	}
	return digits >= 5 && digits <= 15
}
