package letters

import (
	"context"
	"strings"
	"time"

	"weike/booking"
	"weike/internal/apperr"
	"weike/internal/i18n"
	"weike/internal/tz"
	"weike/notify"
	"weike/org"
	"weike/themeday"
)

// Message kinds of the coverage reminders.
const (
	KindCoverageSecretary = "coverage.secretary" // what the branch still lacks this month
	KindCoverageOfficial  = "coverage.official"  // the town's digest
)

// CoverageMonth is the month a coverage-reminders run at `at` reminds of:
// the month it runs in, while there is still time to act.
func CoverageMonth(at time.Time, loc *time.Location) string { return at.In(loc).Format("2006-01") }

// lacking is what one branch still lacks in a month.
type lacking struct {
	branchID               int64
	name                   string
	lesson, film, practice bool
}

func (l lacking) any() bool { return l.lesson || l.film || l.practice }

func (l lacking) list() i18n.List {
	var out i18n.List
	if l.lesson {
		out = append(out, i18n.Key("letter.missing.lesson"))
	}
	if l.film {
		out = append(out, i18n.Key("letter.missing.film"))
	}
	if l.practice {
		out = append(out, i18n.Key("letter.missing.practice"))
	}
	return out
}

// CoverageLetters builds a town's coverage reminders for month: to each
// secretary whose branch still lacks the lesson, the film or the practice
// of the month, one letter saying which, with links to order a lesson,
// record a viewing, record a practice; to each official one digest, how
// many branches lack what, with a link to the month's dispatch draft. A
// lesson confirmed for later in the month is not lacking: it is coming.
func (s *Store) CoverageLetters(ctx context.Context, townID int64, month, baseURL string) (_ []notify.Letter, err error) {
	defer apperr.Wrap(&err, "letters: coverage letters")
	town, loc, err := s.loadTown(ctx, townID)
	if err != nil {
		return nil, err
	}
	from, to, err := tz.MonthRange(month, loc)
	if err != nil {
		return nil, err
	}
	cov, err := s.themeday.Coverage(ctx, org.Actor{Role: org.RoleOfficial, TownID: townID, Towns: []int64{townID}}, month, themeday.CoverageFilter{TownID: townID})
	if err != nil {
		return nil, err
	}
	coming, err := s.orderRows(ctx, "orders.town_id = ? AND orders.status = ? AND orders.start_at >= ? AND orders.start_at < ?", townID, booking.Confirmed, from, to)
	if err != nil {
		return nil, err
	}
	booked := map[int64]bool{}
	for _, r := range coming {
		booked[r.BranchID] = true
	}
	var gaps []lacking
	byBranch := map[int64]lacking{}
	n := struct{ lesson, film, practice int }{}
	for _, b := range cov.Branches {
		l := lacking{branchID: b.BranchID, name: b.Name, lesson: !b.Lesson && !booked[b.BranchID], film: !b.Film, practice: !b.Practice}
		if !l.any() {
			continue
		}
		gaps = append(gaps, l)
		byBranch[l.branchID] = l
		if l.lesson {
			n.lesson++
		}
		if l.film {
			n.film++
		}
		if l.practice {
			n.practice++
		}
	}
	people, err := s.people(ctx, townID)
	if err != nil {
		return nil, err
	}
	base := strings.TrimRight(baseURL, "/")
	m := i18n.Month(month)
	var out []notify.Letter
	add := func(kind string, accountID int64, d doc) {
		out = append(out, notify.Letter{TownID: townID, Kind: kind, Period: month, AccountID: accountID,
			Subject: d.Title, Text: d.text(), HTML: d.html(), Markdown: d.markdown(), Link: d.Link})
	}
	for _, p := range people {
		switch {
		case p.Role == org.RoleSecretary && p.BranchID != nil:
			if l, ok := byBranch[*p.BranchID]; ok {
				add(KindCoverageSecretary, p.ID, secretaryReminder(p.Lang, base, m, l))
			}
		case p.Role == org.RoleOfficial:
			d := doc{lang: p.Lang, Link: base + "/plans/" + month + "/dispatch"}
			d.Title = i18n.T(p.Lang, "letter.coverage_due.official_title", "town", town.Name, "month", m, "n", len(gaps))
			d.Intro = i18n.T(p.Lang, "letter.coverage_due.official_intro", "month", m)
			counts := section{Title: i18n.T(p.Lang, "letter.coverage_due.counts"), Items: []item{{Text: i18n.T(p.Lang, "letter.coverage_due.counts_line",
				"n", len(cov.Branches), "lesson", n.lesson, "film", n.film, "practice", n.practice)}}}
			list := section{Title: i18n.T(p.Lang, "letter.coverage.gaps"), Empty: i18n.T(p.Lang, "letter.coverage.gaps_none")}
			for _, g := range gaps {
				list.Items = append(list.Items, item{Text: i18n.T(p.Lang, "letter.coverage.gap", "branch", g.name, "missing", g.list())})
			}
			draft := section{Title: i18n.T(p.Lang, "letter.coverage_due.draft"), Items: []item{{
				Text: i18n.T(p.Lang, "letter.coverage_due.draft_item", "month", m), Link: d.Link}}}
			d.Sections = []section{counts, list, draft}
			add(KindCoverageOfficial, p.ID, d)
		}
	}
	return out, nil
}

// secretaryReminder tells a secretary what her branch lacks this month and
// where to do each.
func secretaryReminder(lang, base string, month i18n.Month, l lacking) doc {
	d := doc{lang: lang, Link: base + "/this-month"}
	d.Title = i18n.T(lang, "letter.coverage_due.title", "month", month, "branch", l.name, "missing", l.list())
	d.Intro = i18n.T(lang, "letter.coverage_due.intro", "month", month, "branch", l.name, "missing", l.list())
	todo := section{Title: i18n.T(lang, "letter.coverage_due.todo")}
	if l.lesson {
		todo.Items = append(todo.Items, item{Text: i18n.T(lang, "letter.coverage_due.order"), Sub: i18n.T(lang, "letter.coverage_due.order_sub"),
			Link: base + "/lessons?featured=1"})
	}
	if l.film {
		todo.Items = append(todo.Items, item{Text: i18n.T(lang, "letter.coverage_due.viewing"), Link: base + "/viewings/new"})
	}
	if l.practice {
		todo.Items = append(todo.Items, item{Text: i18n.T(lang, "letter.coverage_due.practice"), Link: base + "/practices/new"})
	}
	d.Sections = []section{todo}
	return d
}
