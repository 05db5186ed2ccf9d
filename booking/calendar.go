package booking

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	ical "github.com/emersion/go-ical"
	"gorm.io/gorm/clause"

	"weike/internal/apperr"
	"weike/internal/db"
	"weike/internal/i18n"
	"weike/org"
)

// Feed is a private calendar subscription: whoever has its token can read
// the owner's lessons, so the token is long and random, and the owner can
// only get it by signing in.
type Feed struct {
	ID        int64     `json:"-"`
	TownID    int64     `json:"-"`
	Kind      string    `json:"kind"` // "lecturer" or "branch"
	OwnerID   int64     `json:"owner_id"`
	Token     string    `json:"-"`
	CreatedAt time.Time `json:"-"`
	Name      string    `json:"name" gorm:"-"`
}

// TableName keeps the schema's name.
func (Feed) TableName() string { return "calendar_feeds" }

// CalendarFeeds returns the actor's feeds, creating them on first use: a
// lecturer's own agenda, a secretary's branch.
func (s *Store) CalendarFeeds(ctx context.Context, act org.Actor) (_ []Feed, err error) {
	defer apperr.Wrap(&err, "booking: calendar feeds")
	var want []Feed
	switch act.Role {
	case org.RoleLecturer:
		want = append(want, Feed{Kind: FeedLecturer, OwnerID: act.LecturerID, TownID: act.TownID})
	case org.RoleSecretary:
		want = append(want, Feed{Kind: FeedBranch, OwnerID: act.BranchID, TownID: act.TownID})
	}
	out := []Feed{}
	for _, f := range want {
		tok := make([]byte, 24)
		if _, err := rand.Read(tok); err != nil {
			return nil, err
		}
		f.Token, f.CreatedAt = base64.RawURLEncoding.EncodeToString(tok), s.now()
		if err := s.db.W.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "kind"}, {Name: "owner_id"}}, DoNothing: true}).Create(&f).Error; err != nil {
			return nil, err
		}
		var got Feed
		if err := s.db.W.WithContext(ctx).Where("kind = ? AND owner_id = ?", f.Kind, f.OwnerID).First(&got).Error; err != nil {
			return nil, err
		}
		if got.Name, err = s.ownerName(ctx, got); err != nil {
			return nil, err
		}
		out = append(out, got)
	}
	return out, nil
}

// Feed kinds: whose lessons a feed holds.
const (
	FeedLecturer = "lecturer"
	FeedBranch   = "branch"
)

// RotateCalendarFeed gives the actor's feed of kind a new token and
// returns it: the old link answers 404 from then on, so a link that leaked
// (names, courtyard addresses, notes) can be taken back.
func (s *Store) RotateCalendarFeed(ctx context.Context, act org.Actor, kind string) (_ *Feed, err error) {
	defer apperr.Wrap(&err, "booking: rotate calendar feed")
	var owner int64
	switch {
	case kind == FeedLecturer && act.Role == org.RoleLecturer:
		owner = act.LecturerID
	case kind == FeedBranch && act.Role == org.RoleSecretary:
		owner = act.BranchID
	default:
		return nil, apperr.NotFoundf("calendar")
	}
	if _, err := s.CalendarFeeds(ctx, act); err != nil { // the feed exists from here on
		return nil, err
	}
	tok := make([]byte, 24)
	if _, err := rand.Read(tok); err != nil {
		return nil, err
	}
	token := base64.RawURLEncoding.EncodeToString(tok)
	if err := s.db.W.WithContext(ctx).Table("calendar_feeds").Where("kind = ? AND owner_id = ?", kind, owner).
		Updates(map[string]any{"token": token, "created_at": s.now()}).Error; err != nil {
		return nil, err
	}
	f := &Feed{Kind: kind, OwnerID: owner, TownID: act.TownID, Token: token, CreatedAt: s.now()}
	if f.Name, err = s.ownerName(ctx, *f); err != nil {
		return nil, err
	}
	return f, nil
}

// ownerActive reports whether a feed's lecturer or branch is still active:
// a deactivated one's feed is gone, whoever holds its link.
func (s *Store) ownerActive(ctx context.Context, f Feed) (bool, error) {
	table := "lecturers"
	if f.Kind == FeedBranch {
		table = "branches"
	}
	var n int64
	err := s.db.R.WithContext(ctx).Table(table).Where("id = ? AND active = ?", f.OwnerID, true).Count(&n).Error
	return n > 0, err
}

func (s *Store) ownerName(ctx context.Context, f Feed) (string, error) {
	var name string
	table := "lecturers"
	if f.Kind == FeedBranch {
		table = "branches"
	}
	err := s.db.R.WithContext(ctx).Table(table).Select("name").Where("id = ?", f.OwnerID).Scan(&name).Error
	return name, err
}

// CalendarEvent is an order as a calendar shows it: the facts only. The
// words around them, the summary and the labels of the description, come
// from the catalog in the calendar's language when it is written.
type CalendarEvent struct {
	OrderID    int64
	Start, End time.Time
	Cancelled  bool
	// Sequence rises on every change of the order, and Stamp is when it
	// last changed: calendar apps keep the newest version of an event.
	Sequence      int
	Stamp         time.Time
	Lesson        string
	Lecturer      string
	LecturerPhone string
	Branch        string
	Courtyard     string
	Address       string
	Audience      int
	Note          string
}

// Calendar is a calendar file's content: whose lessons they are, in which
// zone and language, and the lessons. The private feeds and the .ics of
// the monthly schedule are both one.
type Calendar struct {
	// Owner names whose lessons these are: a lecturer or a branch.
	Owner string
	// Month is the month the calendar covers, when it covers one (the
	// monthly schedule's); a feed runs on.
	Month i18n.Month
	// Zone is the town's: times are written in it, with its VTIMEZONE.
	Zone *time.Location
	// Lang is the owner's language.
	Lang   string
	Events []CalendarEvent
	// At is when the calendar was read; with no event in it, the zone is
	// described as it stands then.
	At time.Time
}

// FeedCalendar reads the calendar behind a token: the owner's confirmed and
// given lessons, and the cancelled ones that had been confirmed (so calendar
// apps remove them), from half a year back on, in the owner's language.
func (s *Store) FeedCalendar(ctx context.Context, token string) (_ *Calendar, err error) {
	defer apperr.Wrap(&err, "booking: feed calendar")
	if token == "" || len(token) > 100 {
		return nil, apperr.NotFoundf("calendar")
	}
	var f Feed
	if err := db.First(s.db.R.WithContext(ctx).Where("token = ?", token), &f, apperr.NotFoundf("calendar")); err != nil {
		return nil, err
	}
	if active, err := s.ownerActive(ctx, f); err != nil || !active {
		if err == nil {
			err = apperr.NotFoundf("calendar")
		}
		return nil, err
	}
	_, loc, err := s.loadTown(s.db.R.WithContext(ctx), f.TownID)
	if err != nil {
		return nil, err
	}
	col := "orders.lecturer_id"
	if f.Kind == FeedBranch {
		col = "orders.branch_id"
	}
	var rows []struct {
		Order
		LessonTitle   string
		LecturerName  string
		LecturerPhone string
		BranchName    string
		CourtName     string
		CourtAddress  string
	}
	err = s.db.R.WithContext(ctx).Table("orders").
		Select(`orders.*, lessons.title AS lesson_title, lecturers.name AS lecturer_name, lecturers.phone AS lecturer_phone,
			branches.name AS branch_name, courtyards.name AS court_name, courtyards.address AS court_address`).
		Joins("JOIN lessons ON lessons.id = orders.lesson_id").
		Joins("JOIN lecturers ON lecturers.id = orders.lecturer_id").
		Joins("JOIN branches ON branches.id = orders.branch_id").
		Joins("JOIN courtyards ON courtyards.id = orders.courtyard_id").
		Where(col+" = ? AND orders.start_at IS NOT NULL AND orders.status IN ?", f.OwnerID, []Status{Confirmed, Delivered, Reviewed, Cancelled}).
		Where("orders.start_at >= ?", s.now().AddDate(0, -6, 0)).
		Order("orders.start_at").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	cal := &Calendar{Zone: loc, At: s.now()}
	if cal.Owner, err = s.ownerName(ctx, f); err != nil {
		return nil, err
	}
	if cal.Lang, err = s.ownerLang(ctx, f); err != nil {
		return nil, err
	}
	for _, r := range rows {
		cal.Events = append(cal.Events, CalendarEvent{OrderID: r.ID, Start: *r.StartAt, End: *r.EndAt,
			Cancelled: r.Status == Cancelled, Sequence: r.Sequence, Stamp: r.UpdatedAt,
			Lesson: r.LessonTitle, Lecturer: r.LecturerName, LecturerPhone: r.LecturerPhone, Branch: r.BranchName,
			Courtyard: r.CourtName, Address: r.CourtAddress, Audience: r.Audience, Note: r.Note})
	}
	return cal, nil
}

// ownerLang is the language of a feed's owner: the lecturer's account, or
// the branch secretary's (the first, when a branch has several); Chinese
// when the owner has no account.
func (s *Store) ownerLang(ctx context.Context, f Feed) (string, error) {
	col, role := "lecturer_id", org.RoleLecturer
	if f.Kind == FeedBranch {
		col, role = "branch_id", org.RoleSecretary
	}
	var langs []string
	err := s.db.R.WithContext(ctx).Table("accounts").Where(col+" = ? AND role = ? AND active = ?", f.OwnerID, role, true).
		Order("id").Limit(1).Pluck("lang", &langs).Error
	if err != nil || len(langs) == 0 || langs[0] == "" {
		return i18n.ZH, err
	}
	return langs[0], nil
}

// ICS writes a calendar as iCalendar (RFC 5545) with go-ical: times in the
// town's zone (DTSTART;TZID=…) described by a VTIMEZONE made from the tz
// database, a stable UID per order with its SEQUENCE, DTSTAMP and
// LAST-MODIFIED from the order's last change, cancelled orders as
// STATUS:CANCELLED so calendar apps drop them, and the words in the owner's
// language. Lines are folded at 75 octets, which go-ical leaves to its
// callers.
func ICS(c *Calendar) ([]byte, error) {
	loc := c.Zone
	if loc == nil {
		loc = i18n.Zone
	}
	cal := ical.NewCalendar()
	raw(cal.Props, ical.PropVersion, "2.0")
	raw(cal.Props, ical.PropProductID, "-//weike//weike 1.0//ZH")
	raw(cal.Props, ical.PropCalendarScale, "GREGORIAN")
	raw(cal.Props, ical.PropMethod, "PUBLISH")
	name := i18n.T(c.Lang, "ics.name", "owner", c.Owner)
	if c.Month != "" {
		name = i18n.T(c.Lang, "ics.name_month", "owner", c.Owner, "month", c.Month)
	}
	text(cal.Props, "X-WR-CALNAME", name)
	raw(cal.Props, "X-WR-TIMEZONE", loc.String())
	from, to := c.At, c.At
	for i, e := range c.Events {
		if i == 0 || e.Start.Before(from) {
			from = e.Start
		}
		if i == 0 || e.End.After(to) {
			to = e.End
		}
	}
	cal.Children = append(cal.Children, vtimezone(loc, from, to))
	for _, e := range c.Events {
		ev := ical.NewComponent(ical.CompEvent)
		raw(ev.Props, ical.PropUID, fmt.Sprintf("order-%d@weike", e.OrderID))
		ev.Props.SetDateTime(ical.PropDateTimeStamp, e.Stamp.UTC())
		ev.Props.SetDateTime(ical.PropLastModified, e.Stamp.UTC())
		ev.Props.SetDateTime(ical.PropDateTimeStart, e.Start.In(loc))
		ev.Props.SetDateTime(ical.PropDateTimeEnd, e.End.In(loc))
		text(ev.Props, ical.PropSummary, i18n.T(c.Lang, "ics.summary", "lesson", e.Lesson, "branch", e.Branch))
		if where := strings.TrimSpace(e.Courtyard + " " + e.Address); where != "" {
			text(ev.Props, ical.PropLocation, where)
		}
		text(ev.Props, ical.PropDescription, description(c.Lang, e))
		status := ical.EventConfirmed
		if e.Cancelled {
			status = ical.EventCancelled
		}
		raw(ev.Props, ical.PropStatus, string(status))
		raw(ev.Props, ical.PropSequence, strconv.Itoa(e.Sequence))
		cal.Children = append(cal.Children, ev)
	}
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, fmt.Errorf("booking: write calendar: %w", err)
	}
	return fold(buf.Bytes()), nil
}

// description is what a calendar app shows under the event: who, where,
// how many, and the branch's note.
func description(lang string, e CalendarEvent) string {
	lines := []string{
		i18n.T(lang, "ics.lecturer", "name", e.Lecturer, "phone", e.LecturerPhone),
		i18n.T(lang, "ics.branch", "name", e.Branch),
		i18n.T(lang, "ics.courtyard", "name", e.Courtyard, "address", e.Address),
		i18n.T(lang, "ics.audience", "n", e.Audience),
	}
	if e.Note != "" {
		lines = append(lines, i18n.T(lang, "ics.note", "note", e.Note))
	}
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, "\n")
}

// raw sets a property whose value needs no escaping: a number, a name, a
// fixed keyword.
func raw(props ical.Props, name, value string) {
	p := ical.NewProp(name)
	p.Value = value
	props.Set(p)
}

// text sets a text property. A line break of any kind becomes \n (go-ical
// escapes LF only, and refuses a CR, which a browser's textarea sends), and
// no VALUE=TEXT parameter is written for the X- properties, whose type
// go-ical does not know.
func text(props ical.Props, name, value string) {
	value = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(value)
	p := ical.NewProp(name)
	p.SetText(value)
	p.Params.Del(ical.ParamValue)
	props.Set(p)
}

// vtimezone describes loc over [from, to] from the tz database: the
// observance in force at from, then each change of offset until to. A zone
// without daylight saving (Asia/Shanghai, +0800 since 1991) is one STANDARD
// observance; one with it gets its changes over the calendar's span, which
// RFC 5545 allows in place of rules.
func vtimezone(loc *time.Location, from, to time.Time) *ical.Component {
	tz := ical.NewComponent(ical.CompTimezone)
	raw(tz.Props, ical.PropTimezoneID, loc.String())
	t := from.In(loc)
	// A zone changes its offset at most a few times a year; the bound only
	// keeps a nonsensical span from writing without end.
	for range 64 {
		name, offset := t.Zone()
		start, end := t.ZoneBounds()
		before := offset
		onset := "19700101T000000"
		if !start.IsZero() {
			_, before = start.Add(-time.Second).In(loc).Zone()
			// The onset is written in the local time it interrupts.
			onset = start.In(time.FixedZone("", before)).Format("20060102T150405")
		}
		kind := ical.CompTimezoneStandard
		if t.IsDST() {
			kind = ical.CompTimezoneDaylight
		}
		obs := ical.NewComponent(kind)
		raw(obs.Props, ical.PropDateTimeStart, onset)
		raw(obs.Props, ical.PropTimezoneOffsetFrom, utcOffset(before))
		raw(obs.Props, ical.PropTimezoneOffsetTo, utcOffset(offset))
		if name != "" {
			text(obs.Props, ical.PropTimezoneName, name)
		}
		tz.Children = append(tz.Children, obs)
		if end.IsZero() || !end.Before(to) {
			break
		}
		t = end.In(loc)
	}
	return tz
}

// utcOffset writes seconds east of UTC as RFC 5545 does: +0800, -0330.
func utcOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	out := fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec%3600/60)
	if sec%60 != 0 {
		out += fmt.Sprintf("%02d", sec%60)
	}
	return out
}

// fold breaks each content line longer than 75 octets into pieces that
// never split a UTF-8 sequence, continuation lines starting with a space
// (RFC 5545 §3.1). A content line holds no CR or LF of its own: go-ical
// escapes them.
func fold(ics []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(ics) + len(ics)/64)
	for _, line := range strings.SplitAfter(string(ics), "\r\n") {
		if line == "" {
			continue
		}
		line = strings.TrimSuffix(line, "\r\n")
		limit := 75
		for len(line) > limit {
			cut := limit
			for cut > 0 && !utf8.RuneStart(line[cut]) {
				cut--
			}
			b.WriteString(line[:cut])
			b.WriteString("\r\n ")
			line = line[cut:]
			limit = 74 // the leading space counts
		}
		b.WriteString(line)
		b.WriteString("\r\n")
	}
	return b.Bytes()
}
