package letters

import (
	"bytes"
	"context"
	"fmt"
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

// lessonRow is an order with the names a message shows.
type lessonRow struct {
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

func (s *Store) lessonRows(ctx context.Context, where string, args ...any) ([]lessonRow, error) {
	var rows []lessonRow
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
func calendarOf(owner, month, lang string, loc *time.Location, at time.Time, rows []lessonRow) *booking.Calendar {
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
	confirmed, err := s.lessonRows(ctx, "orders.town_id = ? AND orders.status = ? AND orders.start_at >= ? AND orders.start_at < ?", townID, booking.Confirmed, from, to)
	if err != nil {
		return nil, err
	}
	pending, err := s.lessonRows(ctx, "orders.town_id = ? AND orders.status IN ?", townID, []booking.Status{booking.Requested, booking.Proposed})
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
	m := monthly{town: town, loc: loc, month: month, prev: prev, base: strings.TrimRight(baseURL, "/"), plan: plan, names: names,
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
	add(KindMonthlyTown, 0, &notify.RobotTarget{Name: town.Name}, m.townRobot(), nil)
	for _, b := range branches {
		add(KindMonthlyBranch, 0, &notify.RobotTarget{BranchID: b.ID, Name: b.Name}, m.secretary("zh-CN", b.ID, b.Name), nil)
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
		rows, err := s.lessonRows(ctx, "orders.town_id = ? AND orders.status = ? AND orders.start_at >= ? AND orders.start_at < ?",
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
		byLecturer, byBranch := map[int64][]lessonRow{}, map[int64][]lessonRow{}
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
			add(KindReminderRobot, 0, &notify.RobotTarget{BranchID: id, Name: rs[0].BranchName}, reminder("zh-CN", base, loc, rs, false))
		}
	}
	return out, nil
}

func reminder(lang, base string, loc *time.Location, rows []lessonRow, lecturer bool) doc {
	en := isEn(lang)
	first := rows[0].StartAt.In(loc)
	d := doc{en: en, Link: base + "/orders/" + strconv.FormatInt(rows[0].ID, 10)}
	d.Title = tr(en, "【微党课】明天的课："+dateText(false, first), "[weike] Tomorrow's lesson: "+dateText(true, first))
	if lecturer {
		d.Intro = tr(en, "您明天有以下微党课，请提前安排行程：", "You give these lessons tomorrow; plan your journey:")
	} else {
		d.Intro = tr(en, "本支部明天有以下微党课，请做好场地和人员准备：", "Your branch has these lessons tomorrow; prepare the place and the audience:")
	}
	sec := section{Title: tr(en, "明天的课", "Tomorrow")}
	for _, r := range rows {
		sec.Items = append(sec.Items, item{
			Text: fmt.Sprintf("%s 《%s》", timeRange(en, r, loc), r.LessonTitle),
			Sub: tr(en, fmt.Sprintf("讲师 %s %s · %s · %s %s", r.LecturerName, r.LecturerPhone, r.BranchName, r.CourtName, r.CourtAddress),
				fmt.Sprintf("lecturer %s %s · %s · %s %s", r.LecturerName, r.LecturerPhone, r.BranchName, r.CourtName, r.CourtAddress)),
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
	month, prev string
	base        string
	plan        *lessons.Plan
	names       map[int64]string
	cov         *themeday.MonthCoverage
	confirmed   []lessonRow
	pending     []lessonRow
}

func (m *monthly) monthText(en bool, month string) string {
	t, _ := time.Parse("2006-01", month)
	if en {
		return t.Format("January 2006")
	}
	return fmt.Sprintf("%d年%d月", t.Year(), int(t.Month()))
}

func (m *monthly) featured(en bool) section {
	sec := section{Title: tr(en, m.monthText(false, m.month)+"精选微党课", "Featured lessons of "+m.monthText(true, m.month)), Empty: tr(en, "精选课尚未发布。", "The featured lessons are not published yet.")}
	for _, l := range m.plan.Lessons {
		var who []string
		for _, id := range l.LecturerIDs {
			if n := m.names[id]; n != "" {
				who = append(who, n)
			}
		}
		sub := fmt.Sprintf("%s · %d %s", l.Topic, l.DurationMinutes, tr(en, "分钟", "min"))
		if len(who) > 0 {
			sub += tr(en, " · 讲师 ", " · lecturers ") + strings.Join(who, tr(en, "、", ", "))
		}
		sec.Items = append(sec.Items, item{Text: "《" + l.Title + "》", Sub: sub, Link: m.base + "/lessons/" + strconv.FormatInt(l.ID, 10)})
	}
	return sec
}

func (m *monthly) films(en bool) section {
	sec := section{Title: tr(en, m.monthText(false, m.month)+"教育片清单", "Films of "+m.monthText(true, m.month)), Empty: tr(en, "教育片清单尚未发布。", "The film list is not published yet.")}
	for _, f := range m.plan.Films {
		link := f.PlanLink
		if link == "" {
			link = f.Link
		}
		sub := f.Category
		if f.DurationMinutes > 0 {
			sub += fmt.Sprintf(" · %d %s", f.DurationMinutes, tr(en, "分钟", "min"))
		}
		if f.PreviewDate != "" {
			if t, err := time.Parse("2006-01-02", f.PreviewDate); err == nil {
				sub += tr(en, " · 预告 ", " · preview ") + dateText(en, t)
			}
		}
		sec.Items = append(sec.Items, item{Text: "《" + strings.Trim(f.Title, "《》") + "》", Sub: sub, Link: link})
	}
	return sec
}

func (m *monthly) secretary(lang string, branchID int64, branch string) doc {
	en := isEn(lang)
	d := doc{en: en, Link: m.base + "/"}
	d.Title = tr(en, fmt.Sprintf("【微党课】%s%s课程安排 · %s", m.town.Name, m.monthText(false, m.month), branch),
		fmt.Sprintf("[weike] %s schedule for %s · %s", m.monthText(true, m.month), m.town.Name, branch))
	d.Intro = tr(en, fmt.Sprintf("%s书记：下月“一月一课一片一实践”安排如下。", branch),
		fmt.Sprintf("To the secretary of %s: next month's lesson, film and practice plan.", branch))
	mine := section{Title: tr(en, "本支部已确认的课", "Your confirmed lessons"), Empty: tr(en, "下月还没有确认的课，欢迎从精选课中点单。", "No confirmed lesson yet; order one of the featured lessons.")}
	for _, r := range m.confirmed {
		if r.BranchID != branchID {
			continue
		}
		mine.Items = append(mine.Items, item{Text: fmt.Sprintf("%s 《%s》", timeRange(en, r, m.loc), r.LessonTitle),
			Sub: tr(en, "讲师 ", "lecturer ") + r.LecturerName + " · " + r.CourtName, Link: m.base + "/orders/" + strconv.FormatInt(r.ID, 10)})
	}
	d.Sections = []section{m.featured(en), m.films(en), mine, m.gapsOf(en, branchID)}
	return d
}

func (m *monthly) gapsOf(en bool, branchID int64) section {
	sec := section{Title: tr(en, "上月完成情况", "Last month")}
	for _, b := range m.cov.Branches {
		if b.BranchID != branchID {
			continue
		}
		if missing := missingOf(en, b); len(missing) > 0 {
			sec.Items = append(sec.Items, item{Text: tr(en, m.monthText(false, m.prev)+"本支部尚缺：", "Missing in "+m.monthText(true, m.prev)+": ") + strings.Join(missing, tr(en, "、", ", "))})
		} else {
			sec.Items = append(sec.Items, item{Text: tr(en, m.monthText(false, m.prev)+"课、片、实践均已完成。", "Lesson, film and practice were all done in "+m.monthText(true, m.prev)+".")})
		}
	}
	return sec
}

func missingOf(en bool, b themeday.BranchMonth) []string {
	var out []string
	if !b.Lesson {
		out = append(out, tr(en, "微党课", "lesson"))
	}
	if !b.Film {
		out = append(out, tr(en, "教育片", "film"))
	}
	if !b.Practice {
		out = append(out, tr(en, "微实践", "practice"))
	}
	return out
}

func (m *monthly) lecturer(lang string, lecturerID int64) (doc, []lessonRow) {
	en := isEn(lang)
	name := m.names[lecturerID]
	d := doc{en: en, Link: m.base + "/"}
	d.Title = tr(en, fmt.Sprintf("【微党课】%s %s讲课安排", name, m.monthText(false, m.month)),
		fmt.Sprintf("[weike] %s's lessons in %s", name, m.monthText(true, m.month)))
	d.Intro = tr(en, name+"老师：下月讲课安排如下，附件为日历文件（.ics），可导入手机日历。",
		"Your lessons next month; the attached .ics adds them to your phone's calendar.")
	agenda := section{Title: tr(en, "已确认的课", "Confirmed lessons"), Empty: tr(en, "下月暂无已确认的课。", "No confirmed lesson next month.")}
	var mine []lessonRow
	for _, r := range m.confirmed {
		if r.LecturerID != lecturerID {
			continue
		}
		mine = append(mine, r)
		agenda.Items = append(agenda.Items, item{Text: fmt.Sprintf("%s 《%s》", timeRange(en, r, m.loc), r.LessonTitle),
			Sub: r.BranchName + " · " + r.CourtName + " " + r.CourtAddress, Link: m.base + "/orders/" + strconv.FormatInt(r.ID, 10)})
	}
	waiting := section{Title: tr(en, "待您答复的点单", "Orders waiting for your answer"), Empty: tr(en, "没有待答复的点单。", "No order is waiting.")}
	for _, r := range m.pending {
		if r.LecturerID != lecturerID {
			continue
		}
		sub := tr(en, "请在 ", "answer by ") + dateTimeText(en, r.AnswerBy.In(m.loc)) + tr(en, " 前答复", "")
		if r.Status == booking.Proposed {
			sub = tr(en, "您已提议新时间，等待支部确认", "you proposed another time; the branch has to answer")
		}
		waiting.Items = append(waiting.Items, item{Text: r.BranchName + " 《" + r.LessonTitle + "》", Sub: sub, Link: m.base + "/orders/" + strconv.FormatInt(r.ID, 10)})
	}
	d.Sections = []section{agenda, waiting}
	return d, mine
}

func (m *monthly) coverage(en bool) []section {
	r := m.cov.Rates
	n := len(m.cov.Branches)
	sum := section{Title: tr(en, m.monthText(false, m.prev)+"覆盖情况", "Coverage in "+m.monthText(true, m.prev))}
	pct := func(v float64) string { return strconv.Itoa(int(v*100+0.5)) + "%" }
	sum.Items = []item{
		{Text: tr(en, fmt.Sprintf("%d 个支部：微党课 %s，教育片 %s，微实践 %s，三项全部完成 %s", n, pct(r.Lesson), pct(r.Film), pct(r.Practice), pct(r.All)),
			fmt.Sprintf("%d branches: lesson %s, film %s, practice %s, all three %s", n, pct(r.Lesson), pct(r.Film), pct(r.Practice), pct(r.All)))},
	}
	gaps := section{Title: tr(en, "未完成的支部", "Branches with gaps"), Empty: tr(en, "所有支部均已完成。", "Every branch did all three.")}
	for _, b := range m.cov.Branches {
		if missing := missingOf(en, b); len(missing) > 0 {
			gaps.Items = append(gaps.Items, item{Text: b.Name + tr(en, "：缺", ": no ") + strings.Join(missing, tr(en, "、", ", "))})
		}
	}
	return []section{sum, gaps}
}

func (m *monthly) official(lang string) doc {
	en := isEn(lang)
	d := doc{en: en, Link: m.base + "/coverage?month=" + m.prev}
	d.Title = tr(en, fmt.Sprintf("【微党课】%s %s覆盖情况与%s安排", m.town.Name, m.monthText(false, m.prev), m.monthText(false, m.month)),
		fmt.Sprintf("[weike] %s: coverage of %s, plan of %s", m.town.Name, m.monthText(true, m.prev), m.monthText(true, m.month)))
	d.Intro = tr(en, "上月覆盖情况和缺口如下，下月安排已发送给各支部书记和讲师。",
		"Last month's coverage and its gaps; next month's schedule went to every secretary and lecturer.")
	d.Sections = m.coverage(en)
	plan := section{Title: tr(en, m.monthText(false, m.month)+"安排", "Plan of "+m.monthText(true, m.month))}
	plan.Items = append(plan.Items, item{Text: tr(en, fmt.Sprintf("精选课 %d 节，教育片 %d 部，已确认的课 %d 节，待答复的点单 %d 个", len(m.plan.Lessons), len(m.plan.Films), len(m.confirmed), len(m.pending)),
		fmt.Sprintf("%d featured lessons, %d films, %d confirmed lessons, %d orders waiting for an answer", len(m.plan.Lessons), len(m.plan.Films), len(m.confirmed), len(m.pending)))})
	if m.plan.PublishedAt == nil {
		plan.Items = append(plan.Items, item{Text: tr(en, "注意：下月精选课和教育片清单尚未发布。", "Note: next month's featured lessons and films are not published.")})
	}
	d.Sections = append(d.Sections, plan)
	return d
}

func (m *monthly) townRobot() doc {
	d := doc{Link: m.base + "/"}
	d.Title = fmt.Sprintf("【微党课】%s%s课程安排", m.town.Name, m.monthText(false, m.month))
	d.Intro = "各支部：下月“一月一课一片一实践”安排如下，欢迎点单。"
	all := section{Title: "已确认的课", Empty: "下月还没有确认的课。"}
	for _, r := range m.confirmed {
		all.Items = append(all.Items, item{Text: fmt.Sprintf("%s %s 《%s》", timeRange(false, r, m.loc), r.BranchName, r.LessonTitle), Sub: "讲师 " + r.LecturerName})
	}
	d.Sections = append([]section{m.featured(false), m.films(false), all}, m.coverage(false)...)
	return d
}

// doc is a message's structure, rendered to text, HTML and markdown.
type doc struct {
	en       bool
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

func (d doc) footer() string {
	return tr(d.en, "此消息由微课系统发送，请勿直接回复。", "Sent by weike; please do not reply.")
}

func (d doc) text() string {
	var b strings.Builder
	b.WriteString(d.Intro + "\n")
	for _, s := range d.Sections {
		b.WriteString("\n【" + s.Title + "】\n")
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
		b.WriteString("\n" + tr(d.en, "打开微课：", "Open weike: ") + d.Link + "\n")
	}
	b.WriteString("\n" + d.footer() + "\n")
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
		b.WriteString("\n[" + tr(d.en, "打开微课", "Open weike") + "](" + d.Link + ")\n")
	}
	return b.String()
}

func mdEscape(s string) string {
	return strings.NewReplacer("[", "［", "]", "］", "*", "＊", "\n", " ").Replace(s)
}

// mailTemplate is the e-mail's HTML: one column, large type, no images and
// no external styles, so it reads on a phone in any mail app.
var mailTemplate = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html lang="{{if .En}}en{{else}}zh-CN{{end}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.D.Title}}</title></head>
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
	if err := mailTemplate.Execute(&b, map[string]any{"D": d, "En": d.en, "Open": tr(d.en, "打开微课", "Open weike"), "Footer": d.footer()}); err != nil {
		return "<pre>" + template.HTMLEscapeString(d.text()) + "</pre>"
	}
	return b.String()
}

func isEn(lang string) bool { return strings.HasPrefix(lang, "en") }

func tr(en bool, zh, english string) string {
	if en {
		return english
	}
	return zh
}

var weekdaysZh = []string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

func dateText(en bool, t time.Time) string {
	if en {
		return t.Format("Mon 2 Jan")
	}
	return fmt.Sprintf("%d月%d日 %s", int(t.Month()), t.Day(), weekdaysZh[t.Weekday()])
}

func dateTimeText(en bool, t time.Time) string { return dateText(en, t) + " " + t.Format("15:04") }

func timeRange(en bool, r lessonRow, loc *time.Location) string {
	if r.StartAt == nil {
		return ""
	}
	s := dateTimeText(en, r.StartAt.In(loc))
	if r.EndAt != nil {
		s += "–" + r.EndAt.In(loc).Format("15:04")
	}
	return s
}
