package letters

import (
	"bytes"
	"context"
	"html/template"
	"sort"
	"strconv"
	"strings"
	"time"

	"weike/internal/apperr"
	"weike/internal/i18n"
	"weike/internal/tz"

	"weike/booking"
	"weike/lessons"
	"weike/notify"
	"weike/org"
	"weike/themeday"
)

// Message kinds of the schedule and the reminders.
const (
	KindMonthlySecretary = "monthly.secretary"
	KindMonthlyLecturer  = "monthly.lecturer"
	KindMonthlyOfficial  = "monthly.official"
	KindMonthlyTown      = "monthly.town"   // the town's group robot
	KindMonthlyBranch    = "monthly.branch" // a branch's group robot
	KindReminderLecturer = "reminder.lecturer"
	KindReminderBranch   = "reminder.secretary"
	KindReminderRobot    = "reminder.branch"
)

// ScheduleMonth is the month a monthly-schedule run at `at` covers: a run in
// the first week of a month (a town that sends on the 1st) covers that
// month, any later run the next one.
func ScheduleMonth(at time.Time, loc *time.Location) string {
	t := at.In(loc)
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
	if t.Day() <= 7 {
		return first.Format("2006-01")
	}
	return first.AddDate(0, 1, 0).Format("2006-01")
}

// ReminderDay is the day a daily-reminders run at `at` reminds of: the next
// local day.
func ReminderDay(at time.Time, loc *time.Location) string {
	t := at.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc).Format("2006-01-02")
}

// Shanghai is the zone schedules are computed in unless a town has its own.
func (s *Store) Shanghai() *time.Location { return tz.Shanghai }

// Towns lists every town, each with its own monthly schedule and zone.
func (s *Store) Towns(ctx context.Context) (_ []org.Town, err error) {
	defer apperr.Wrap(&err, "letters: towns")
	var ts []org.Town
	err = s.db.R.WithContext(ctx).Table("towns").Order("id").Find(&ts).Error
	return ts, err
}

// TownLoc returns a town's zone.
func (s *Store) TownLoc(ctx context.Context, townID int64) (_ *time.Location, err error) {
	defer apperr.Wrap(&err, "letters: town loc")
	_, loc, err := s.loadTown(ctx, townID)
	return loc, err
}

type person struct {
	ID         int64
	Name       string
	Lang       string
	Role       org.Role
	BranchID   *int64
	LecturerID *int64
}

func (s *Store) people(ctx context.Context, townID int64) ([]person, error) {
	var ps []person
	err := s.db.R.WithContext(ctx).Table("accounts").Select("id, name, lang, role, branch_id, lecturer_id").
		Where("town_id = ? AND active = ? AND role IN ?", townID, true, []org.Role{org.RoleOfficial, org.RoleSecretary, org.RoleLecturer}).
		Order("id").Scan(&ps).Error
	return ps, err
}

// orderRow is an order with the names of its lesson, lecturer, branch and
// courtyard, as the letters and their calendars show it.
type orderRow struct {
	ID            int64
	Status        booking.Status
	BranchID      int64
	LecturerID    int64
	LessonID      int64
	StartAt       *time.Time
	EndAt         *time.Time
	ProposedAt    *time.Time
	AnswerBy      time.Time
	Audience      int
	Note          string
	Sequence      int
	UpdatedAt     time.Time
	Slots         string
	LessonTitle   string
	LecturerName  string
	LecturerPhone string
	BranchName    string
	CourtName     string
	CourtAddress  string
}

func (s *Store) orderRows(ctx context.Context, where string, args ...any) ([]orderRow, error) {
	var rows []orderRow
	err := s.db.R.WithContext(ctx).Table("orders").
		Select(`orders.id, orders.status, orders.branch_id, orders.lecturer_id, orders.lesson_id, orders.start_at, orders.end_at,
			orders.proposed_at, orders.answer_by, orders.audience, orders.note, orders.sequence, orders.updated_at, orders.slots,
			lessons.title AS lesson_title, lecturers.name AS lecturer_name, lecturers.phone AS lecturer_phone,
			branches.name AS branch_name, courtyards.name AS court_name, courtyards.address AS court_address`).
		Joins("JOIN lessons ON lessons.id = orders.lesson_id").
		Joins("JOIN lecturers ON lecturers.id = orders.lecturer_id").
		Joins("JOIN branches ON branches.id = orders.branch_id").
		Joins("JOIN courtyards ON courtyards.id = orders.courtyard_id").
		Where(where, args...).Order("orders.start_at, orders.id").Scan(&rows).Error
	return rows, err
}

// calendarOf is a lecturer's lessons of a month as the calendar the
// monthly schedule attaches, in the lecturer's language.
func calendarOf(owner, month, lang string, loc *time.Location, at time.Time, rows []orderRow) *booking.Calendar {
	cal := &booking.Calendar{Owner: owner, Month: i18n.Month(month), Zone: loc, Lang: lang, At: at}
	for _, r := range rows {
		cal.Events = append(cal.Events, booking.CalendarEvent{OrderID: r.ID, Start: *r.StartAt, End: *r.EndAt,
			Sequence: r.Sequence, Stamp: r.UpdatedAt, Lesson: r.LessonTitle, Lecturer: r.LecturerName,
			LecturerPhone: r.LecturerPhone, Branch: r.BranchName, Courtyard: r.CourtName, Address: r.CourtAddress,
			Audience: r.Audience, Note: r.Note})
	}
	return cal
}

// MonthlyLetters builds a town's monthly schedule for month: to each
// secretary the featured lessons, the film list with its preview dates and
// links, the branch's confirmed lessons and what the branch missed last
// month; to each lecturer their agenda and pending orders with an .ics; to
// each official last month's coverage and its gaps; and to the town's and
// branches' group robots the town's and the branch's schedule.
func (s *Store) MonthlyLetters(ctx context.Context, townID int64, month, baseURL string) (_ []notify.Letter, err error) {
	defer apperr.Wrap(&err, "letters: monthly letters")
	town, loc, err := s.loadTown(ctx, townID)
	if err != nil {
		return nil, err
	}
	from, to, err := tz.MonthRange(month, loc)
	if err != nil {
		return nil, err
	}
	prev := from.In(loc).AddDate(0, -1, 0).Format("2006-01")
	// The jobs read as the town's own system: a secretary's view of the plan
	// (published lessons only), an official's of coverage.
	reader := org.Actor{Role: org.RoleSecretary, TownID: townID, Towns: []int64{townID}}
	plan, err := s.catalog.Plan(ctx, reader, month, townID)
	if err != nil {
		return nil, err
	}
	names, err := s.lecturerNames(ctx, townID)
	if err != nil {
		return nil, err
	}
	cov, err := s.themeday.Coverage(ctx, org.Actor{Role: org.RoleOfficial, TownID: townID, Towns: []int64{townID}}, prev, themeday.CoverageFilter{TownID: townID})
	if err != nil {
		return nil, err
	}
	confirmed, err := s.orderRows(ctx, "orders.town_id = ? AND orders.status = ? AND orders.start_at >= ? AND orders.start_at < ?", townID, booking.Confirmed, from, to)
	if err != nil {
		return nil, err
	}
	pending, err := s.orderRows(ctx, "orders.town_id = ? AND orders.status IN ?", townID, []booking.Status{booking.Requested, booking.Proposed})
	if err != nil {
		return nil, err
	}
	people, err := s.people(ctx, townID)
	if err != nil {
		return nil, err
	}
	var branches []struct {
		ID   int64
		Name string
	}
	if err := s.db.R.WithContext(ctx).Table("branches").Select("id, name").Where("town_id = ? AND active = ?", townID, true).Order("id").Scan(&branches).Error; err != nil {
		return nil, err
	}
	m := monthly{town: town, loc: loc, month: i18n.Month(month), prev: i18n.Month(prev), base: strings.TrimRight(baseURL, "/"), plan: plan, names: names,
		cov: cov, confirmed: confirmed, pending: pending}
	var out []notify.Letter
	add := func(kind string, accountID int64, robot *notify.RobotTarget, d doc, att *notify.Attachment) {
		out = append(out, notify.Letter{TownID: townID, Kind: kind, Period: month, AccountID: accountID, Robot: robot,
			Subject: d.Title, Text: d.text(), HTML: d.html(), Markdown: d.markdown(), Link: d.Link, Attachment: att})
	}
	for _, p := range people {
		switch {
		case p.Role == org.RoleSecretary && p.BranchID != nil:
			add(KindMonthlySecretary, p.ID, nil, m.secretary(p.Lang, *p.BranchID, branchName(branches, *p.BranchID)), nil)
		case p.Role == org.RoleLecturer && p.LecturerID != nil:
			d, rows := m.lecturer(p.Lang, *p.LecturerID)
			ics, err := booking.ICS(calendarOf(names[*p.LecturerID], month, p.Lang, loc, s.now(), rows))
			if err != nil {
				return nil, err
			}
			add(KindMonthlyLecturer, p.ID, nil, d, &notify.Attachment{Name: "weike-" + month + ".ics", Data: ics})
		case p.Role == org.RoleOfficial:
			add(KindMonthlyOfficial, p.ID, nil, m.official(p.Lang), nil)
		}
	}
	add(KindMonthlyTown, 0, &notify.RobotTarget{Name: town.Name}, m.townRobot(robotLang), nil)
	for _, b := range branches {
		add(KindMonthlyBranch, 0, &notify.RobotTarget{BranchID: b.ID, Name: b.Name}, m.secretary(robotLang, b.ID, b.Name), nil)
	}
	return out, nil
}

func branchName(bs []struct {
	ID   int64
	Name string
}, id int64) string {
	for _, b := range bs {
		if b.ID == id {
			return b.Name
		}
	}
	return ""
}

func (s *Store) lecturerNames(ctx context.Context, townID int64) (map[int64]string, error) {
	var rows []struct {
		ID   int64
		Name string
	}
	if err := s.db.R.WithContext(ctx).Table("lecturers").Select("id, name").Where("town_id = ?", townID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	m := map[int64]string{}
	for _, r := range rows {
		m[r.ID] = r.Name
	}
	return m, nil
}

// ReminderLetters builds the reminders of day's (YYYY-MM-DD, local)
// confirmed lessons in every town: to the lecturer, to the branch's
// secretaries and to the branch's group robot.
func (s *Store) ReminderLetters(ctx context.Context, day, baseURL string) (_ []notify.Letter, err error) {
	defer apperr.Wrap(&err, "letters: reminder letters")
	towns, err := s.Towns(ctx)
	if err != nil {
		return nil, err
	}
	base := strings.TrimRight(baseURL, "/")
	var out []notify.Letter
	for _, t := range towns {
		loc := tz.Load(t.Timezone)
		d, err := time.ParseInLocation("2006-01-02", day, loc)
		if err != nil {
			return nil, err
		}
		rows, err := s.orderRows(ctx, "orders.town_id = ? AND orders.status = ? AND orders.start_at >= ? AND orders.start_at < ?",
			t.ID, booking.Confirmed, d.UTC(), d.AddDate(0, 0, 1).UTC())
		if err != nil || len(rows) == 0 {
			if err != nil {
				return nil, err
			}
			continue
		}
		people, err := s.people(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		byLecturer, byBranch := map[int64][]orderRow{}, map[int64][]orderRow{}
		for _, r := range rows {
			byLecturer[r.LecturerID] = append(byLecturer[r.LecturerID], r)
			byBranch[r.BranchID] = append(byBranch[r.BranchID], r)
		}
		add := func(kind string, accountID int64, robot *notify.RobotTarget, dc doc) {
			out = append(out, notify.Letter{TownID: t.ID, Kind: kind, Period: day, AccountID: accountID, Robot: robot,
				Subject: dc.Title, Text: dc.text(), HTML: dc.html(), Markdown: dc.markdown(), Link: dc.Link})
		}
		for _, p := range people {
			switch {
			case p.Role == org.RoleLecturer && p.LecturerID != nil && len(byLecturer[*p.LecturerID]) > 0:
				add(KindReminderLecturer, p.ID, nil, reminder(p.Lang, base, loc, byLecturer[*p.LecturerID], true))
			case p.Role == org.RoleSecretary && p.BranchID != nil && len(byBranch[*p.BranchID]) > 0:
				add(KindReminderBranch, p.ID, nil, reminder(p.Lang, base, loc, byBranch[*p.BranchID], false))
			}
		}
		ids := make([]int64, 0, len(byBranch))
		for id := range byBranch {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		for _, id := range ids {
			rs := byBranch[id]
			add(KindReminderRobot, 0, &notify.RobotTarget{BranchID: id, Name: rs[0].BranchName}, reminder(robotLang, base, loc, rs, false))
		}
	}
	return out, nil
}

// robotLang is the language of what group robots post: a group has no one
// language, and the towns' groups read Chinese.
const robotLang = i18n.ZH

func reminder(lang, base string, loc *time.Location, rows []orderRow, lecturer bool) doc {
	first := rows[0].StartAt.In(loc)
	d := doc{lang: lang, Link: base + "/orders/" + strconv.FormatInt(rows[0].ID, 10)}
	d.Title = i18n.T(lang, "letter.reminder.title", "day", dayIn(first))
	d.Intro = i18n.T(lang, "letter.reminder.intro_branch")
	if lecturer {
		d.Intro = i18n.T(lang, "letter.reminder.intro_lecturer")
	}
	sec := section{Title: i18n.T(lang, "letter.reminder.tomorrow")}
	for _, r := range rows {
		sec.Items = append(sec.Items, item{
			Text: lessonLine(lang, r, loc),
			Sub: i18n.T(lang, "letter.reminder.sub", "lecturer", r.LecturerName, "phone", r.LecturerPhone, "branch", r.BranchName,
				"courtyard", r.CourtName, "address", r.CourtAddress),
			Link: base + "/orders/" + strconv.FormatInt(r.ID, 10),
		})
	}
	d.Sections = []section{sec}
	return d
}

// monthly holds what one town's monthly schedule is made of.
type monthly struct {
	town        org.Town
	loc         *time.Location
	month, prev i18n.Month
	base        string
	plan        *lessons.Plan
	names       map[int64]string
	cov         *themeday.MonthCoverage
	confirmed   []orderRow
	pending     []orderRow
}

func (m *monthly) featured(lang string) section {
	sec := section{Title: i18n.T(lang, "letter.featured", "month", m.month), Empty: i18n.T(lang, "letter.featured.none")}
	for _, l := range m.plan.Lessons {
		var who i18n.List
		for _, id := range l.LecturerIDs {
			if n := m.names[id]; n != "" {
				who = append(who, n)
			}
		}
		sub := i18n.T(lang, "letter.featured.sub", "topic", l.Topic, "n", l.DurationMinutes)
		if len(who) > 0 {
			sub = i18n.T(lang, "letter.featured.sub_by", "topic", l.Topic, "n", l.DurationMinutes, "lecturers", who)
		}
		sec.Items = append(sec.Items, item{Text: i18n.T(lang, "letter.title", "title", l.Title), Sub: sub,
			Link: m.base + "/lessons/" + strconv.FormatInt(l.ID, 10)})
	}
	return sec
}

func (m *monthly) films(lang string) section {
	sec := section{Title: i18n.T(lang, "letter.films", "month", m.month), Empty: i18n.T(lang, "letter.films.none")}
	for _, f := range m.plan.Films {
		link := f.PlanLink
		if link == "" {
			link = f.Link
		}
		// The facts that are known, one after another: the category (a
		// stored value the catalog names), the length, the preview day.
		var facts []string
		if f.Category != "" {
			facts = append(facts, i18n.Format(lang, filmCategory(f.Category)))
		}
		if f.DurationMinutes > 0 {
			facts = append(facts, i18n.T(lang, "letter.minutes", "n", f.DurationMinutes))
		}
		if f.PreviewDate != "" {
			if _, err := time.Parse("2006-01-02", f.PreviewDate); err == nil {
				// A screening before the month says so: a bare November
				// date in December's list reads as a mistake.
				key := "letter.films.preview"
				if f.PreviewDate[:7] < string(m.month) {
					key = "letter.films.preview_before"
				}
				facts = append(facts, i18n.T(lang, key, "day", i18n.Day(f.PreviewDate)))
			}
		}
		sec.Items = append(sec.Items, item{Text: i18n.T(lang, "letter.title", "title", unquoted(f.Title)),
			Sub: strings.Join(facts, " · "), Link: link})
	}
	return sec
}

// unquoted is a film's title without the 《》 some are stored in, which
// the letter's own quotes replace; a title that only contains them keeps
// them.
func unquoted(title string) string {
	if inner, ok := strings.CutPrefix(title, "《"); ok {
		if inner, ok := strings.CutSuffix(inner, "》"); ok {
			return inner
		}
	}
	return title
}

// filmCategory is a film's category as the catalog names it, or as it is
// stored when the catalog does not know it (an older category).
func filmCategory(c string) any {
	if k := "cat.film_cat." + c; i18n.Has(k) {
		return i18n.Key(k)
	}
	return c
}

func (m *monthly) secretary(lang string, branchID int64, branch string) doc {
	d := doc{lang: lang, Link: m.base + "/"}
	d.Title = i18n.T(lang, "letter.secretary.title", "town", m.town.Name, "month", m.month, "branch", branch)
	d.Intro = i18n.T(lang, "letter.secretary.intro", "branch", branch)
	mine := section{Title: i18n.T(lang, "letter.secretary.mine"), Empty: i18n.T(lang, "letter.secretary.mine_none")}
	for _, r := range m.confirmed {
		if r.BranchID != branchID {
			continue
		}
		mine.Items = append(mine.Items, item{Text: lessonLine(lang, r, m.loc),
			Sub:  i18n.T(lang, "letter.secretary.mine_sub", "lecturer", r.LecturerName, "courtyard", r.CourtName),
			Link: m.base + "/orders/" + strconv.FormatInt(r.ID, 10)})
	}
	d.Sections = []section{m.featured(lang), m.films(lang), mine, m.gapsOf(lang, branchID)}
	return d
}

func (m *monthly) gapsOf(lang string, branchID int64) section {
	sec := section{Title: i18n.T(lang, "letter.last_month")}
	for _, b := range m.cov.Branches {
		if b.BranchID != branchID {
			continue
		}
		if missing := missingOf(b); len(missing) > 0 {
			sec.Items = append(sec.Items, item{Text: i18n.T(lang, "letter.last_month.missing", "month", m.prev, "missing", missing)})
		} else {
			sec.Items = append(sec.Items, item{Text: i18n.T(lang, "letter.last_month.done", "month", m.prev)})
		}
	}
	return sec
}

// missingOf lists what a branch did not do in a month.
func missingOf(b themeday.BranchMonth) i18n.List {
	var out i18n.List
	if !b.Lesson {
		out = append(out, i18n.Key("letter.missing.lesson"))
	}
	if !b.Film {
		out = append(out, i18n.Key("letter.missing.film"))
	}
	if !b.Practice {
		out = append(out, i18n.Key("letter.missing.practice"))
	}
	return out
}

func (m *monthly) lecturer(lang string, lecturerID int64) (doc, []orderRow) {
	name := m.names[lecturerID]
	d := doc{lang: lang, Link: m.base + "/"}
	d.Title = i18n.T(lang, "letter.lecturer.title", "name", name, "month", m.month)
	d.Intro = i18n.T(lang, "letter.lecturer.intro", "name", name)
	agenda := section{Title: i18n.T(lang, "letter.confirmed"), Empty: i18n.T(lang, "letter.lecturer.confirmed_none")}
	var mine []orderRow
	for _, r := range m.confirmed {
		if r.LecturerID != lecturerID {
			continue
		}
		mine = append(mine, r)
		agenda.Items = append(agenda.Items, item{Text: lessonLine(lang, r, m.loc),
			Sub:  i18n.T(lang, "letter.place", "branch", r.BranchName, "courtyard", r.CourtName, "address", r.CourtAddress),
			Link: m.base + "/orders/" + strconv.FormatInt(r.ID, 10)})
	}
	waiting := section{Title: i18n.T(lang, "letter.lecturer.waiting"), Empty: i18n.T(lang, "letter.lecturer.waiting_none")}
	for _, r := range m.pending {
		if r.LecturerID != lecturerID {
			continue
		}
		sub := i18n.T(lang, "letter.lecturer.answer_by", "at", r.AnswerBy.In(m.loc))
		if r.Status == booking.Proposed {
			sub = i18n.T(lang, "letter.lecturer.proposed")
		}
		waiting.Items = append(waiting.Items, item{Text: i18n.T(lang, "letter.lecturer.waiting_item", "branch", r.BranchName, "lesson", r.LessonTitle),
			Sub: sub, Link: m.base + "/orders/" + strconv.FormatInt(r.ID, 10)})
	}
	d.Sections = []section{agenda, waiting}
	return d, mine
}

func (m *monthly) coverage(lang string) []section {
	r := m.cov.Rates
	pct := func(v float64) string { return strconv.Itoa(int(v*100+0.5)) + "%" }
	sum := section{Title: i18n.T(lang, "letter.coverage", "month", m.prev), Items: []item{{Text: i18n.T(lang, "letter.coverage.rates",
		"n", len(m.cov.Branches), "lesson", pct(r.Lesson), "film", pct(r.Film), "practice", pct(r.Practice), "all", pct(r.All))}}}
	gaps := section{Title: i18n.T(lang, "letter.coverage.gaps"), Empty: i18n.T(lang, "letter.coverage.gaps_none")}
	for _, b := range m.cov.Branches {
		if missing := missingOf(b); len(missing) > 0 {
			gaps.Items = append(gaps.Items, item{Text: i18n.T(lang, "letter.coverage.gap", "branch", b.Name, "missing", missing)})
		}
	}
	return []section{sum, gaps}
}

func (m *monthly) official(lang string) doc {
	d := doc{lang: lang, Link: m.base + "/coverage?month=" + string(m.prev)}
	d.Title = i18n.T(lang, "letter.official.title", "town", m.town.Name, "prev", m.prev, "month", m.month)
	d.Intro = i18n.T(lang, "letter.official.intro")
	d.Sections = m.coverage(lang)
	plan := section{Title: i18n.T(lang, "letter.official.plan", "month", m.month)}
	plan.Items = append(plan.Items, item{Text: i18n.T(lang, "letter.official.counts",
		"featured", i18n.T(lang, "letter.official.n_featured", "n", len(m.plan.Lessons)),
		"films", i18n.T(lang, "letter.official.n_films", "n", len(m.plan.Films)),
		"confirmed", i18n.T(lang, "letter.official.n_confirmed", "n", len(m.confirmed)),
		"pending", i18n.T(lang, "letter.official.n_pending", "n", len(m.pending)))})
	if m.plan.PublishedAt == nil {
		plan.Items = append(plan.Items, item{Text: i18n.T(lang, "letter.official.unpublished")})
	}
	d.Sections = append(d.Sections, plan)
	return d
}

func (m *monthly) townRobot(lang string) doc {
	d := doc{lang: lang, Link: m.base + "/"}
	d.Title = i18n.T(lang, "letter.town.title", "town", m.town.Name, "month", m.month)
	d.Intro = i18n.T(lang, "letter.town.intro")
	all := section{Title: i18n.T(lang, "letter.confirmed"), Empty: i18n.T(lang, "letter.town.confirmed_none")}
	for _, r := range m.confirmed {
		all.Items = append(all.Items, item{Text: i18n.T(lang, "letter.town.item", "when", when(lang, r, m.loc), "branch", r.BranchName, "lesson", r.LessonTitle),
			Sub: i18n.T(lang, "letter.by", "lecturer", r.LecturerName)})
	}
	d.Sections = append([]section{m.featured(lang), m.films(lang), all}, m.coverage(lang)...)
	return d
}

// doc is a message's structure, rendered to text, HTML and markdown; every
// word in it is already in the recipient's language.
type doc struct {
	lang     string
	Title    string
	Intro    string
	Sections []section
	Link     string
}

type section struct {
	Title string
	Items []item
	Empty string
}

type item struct {
	Text, Sub, Link string
}

func (d doc) text() string {
	var b strings.Builder
	b.WriteString(d.Intro + "\n")
	for _, s := range d.Sections {
		b.WriteString("\n" + i18n.T(d.lang, "letter.section", "title", s.Title) + "\n")
		if len(s.Items) == 0 && s.Empty != "" {
			b.WriteString(s.Empty + "\n")
		}
		for _, it := range s.Items {
			b.WriteString("· " + it.Text + "\n")
			if it.Sub != "" {
				b.WriteString("  " + it.Sub + "\n")
			}
			if it.Link != "" {
				b.WriteString("  " + it.Link + "\n")
			}
		}
	}
	if d.Link != "" {
		b.WriteString("\n" + i18n.T(d.lang, "letter.open_at", "link", d.Link) + "\n")
	}
	b.WriteString("\n" + i18n.T(d.lang, "letter.footer") + "\n")
	return b.String()
}

func (d doc) markdown() string {
	var b strings.Builder
	b.WriteString("### " + mdEscape(d.Title) + "\n" + mdEscape(d.Intro) + "\n")
	for _, s := range d.Sections {
		b.WriteString("\n**" + mdEscape(s.Title) + "**\n")
		if len(s.Items) == 0 && s.Empty != "" {
			b.WriteString("> " + mdEscape(s.Empty) + "\n")
		}
		for _, it := range s.Items {
			t := mdEscape(it.Text)
			if it.Link != "" {
				t = "[" + t + "](" + it.Link + ")"
			}
			b.WriteString("- " + t)
			if it.Sub != "" {
				b.WriteString("  \n  " + mdEscape(it.Sub))
			}
			b.WriteString("\n")
		}
	}
	if d.Link != "" {
		b.WriteString("\n[" + i18n.T(d.lang, "letter.open") + "](" + d.Link + ")\n")
	}
	return b.String()
}

func mdEscape(s string) string {
	return strings.NewReplacer("[", "［", "]", "］", "*", "＊", "\n", " ").Replace(s)
}

// mailTemplate is the e-mail's HTML: one column, large type, no images and
// no external styles, so it reads on a phone in any mail app.
var mailTemplate = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.D.Title}}</title></head>
<body style="margin:0;padding:0;background:#f4f4f4;">
<div style="max-width:600px;margin:0 auto;padding:16px;background:#ffffff;font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;font-size:16px;line-height:1.6;color:#222;">
<h1 style="font-size:20px;line-height:1.4;color:#b0191e;margin:0 0 12px;">{{.D.Title}}</h1>
<p style="margin:0 0 12px;">{{.D.Intro}}</p>
{{range .D.Sections}}<h2 style="font-size:17px;margin:20px 0 8px;padding-left:8px;border-left:4px solid #b0191e;">{{.Title}}</h2>
{{if .Items}}<ul style="margin:0;padding-left:20px;">{{range .Items}}<li style="margin:0 0 10px;">{{if .Link}}<a href="{{.Link}}" style="color:#0b57d0;">{{.Text}}</a>{{else}}{{.Text}}{{end}}{{if .Sub}}<br><span style="color:#666;font-size:14px;">{{.Sub}}</span>{{end}}</li>{{end}}</ul>
{{else if .Empty}}<p style="color:#666;margin:0;">{{.Empty}}</p>{{end}}
{{end}}{{if .D.Link}}<p style="margin:24px 0;"><a href="{{.D.Link}}" style="display:inline-block;padding:10px 18px;background:#b0191e;color:#fff;text-decoration:none;border-radius:4px;">{{.Open}}</a></p>{{end}}
<p style="color:#999;font-size:13px;margin-top:24px;">{{.Footer}}</p>
</div></body></html>
`))

func (d doc) html() string {
	var b bytes.Buffer
	if err := mailTemplate.Execute(&b, map[string]any{"D": d, "Lang": i18n.Normalize(d.lang),
		"Open": i18n.T(d.lang, "letter.open"), "Footer": i18n.T(d.lang, "letter.footer")}); err != nil {
		return "<pre>" + template.HTMLEscapeString(d.text()) + "</pre>"
	}
	return b.String()
}

// dayIn is the day t falls on in its own zone (a town's).
func dayIn(t time.Time) i18n.Day { return i18n.Day(t.Format("2006-01-02")) }

// when is when a lesson is, in the town's zone: 12月5日 周六 14:00–14:20.
func when(lang string, r orderRow, loc *time.Location) string {
	if r.StartAt == nil {
		return ""
	}
	if r.EndAt == nil {
		return i18n.Format(lang, r.StartAt.In(loc))
	}
	return i18n.T(lang, "letter.when", "start", r.StartAt.In(loc), "end", i18n.ClockOf(r.EndAt.In(loc)))
}

// lessonLine is a lesson as a list shows it: when, and which.
func lessonLine(lang string, r orderRow, loc *time.Location) string {
	return i18n.T(lang, "letter.lesson", "when", when(lang, r, loc), "lesson", r.LessonTitle)
}
