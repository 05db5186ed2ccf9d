package booking

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm/clause"

	"weike/internal/apperr"
	"weike/internal/db"
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
		want = append(want, Feed{Kind: "lecturer", OwnerID: act.LecturerID, TownID: act.TownID})
	case org.RoleSecretary:
		want = append(want, Feed{Kind: "branch", OwnerID: act.BranchID, TownID: act.TownID})
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

func (s *Store) ownerName(ctx context.Context, f Feed) (string, error) {
	var name string
	table := "lecturers"
	if f.Kind == "branch" {
		table = "branches"
	}
	err := s.db.R.WithContext(ctx).Table(table).Select("name").Where("id = ?", f.OwnerID).Scan(&name).Error
	return name, err
}

// CalendarEvent is a lesson as a calendar shows it.
type CalendarEvent struct {
	UID         string
	Start, End  time.Time
	Summary     string
	Location    string
	Description string
	Cancelled   bool
	Sequence    int
	Stamp       time.Time
}

// Calendar is a feed's content.
type Calendar struct {
	Name     string
	Timezone string
	Events   []CalendarEvent
}

// FeedCalendar reads the calendar behind a token: the owner's confirmed and
// given lessons, and the cancelled ones that had been confirmed (so calendar
// apps remove them), from half a year back on.
func (s *Store) FeedCalendar(ctx context.Context, token string) (_ *Calendar, err error) {
	defer apperr.Wrap(&err, "booking: feed calendar")
	if token == "" || len(token) > 100 {
		return nil, apperr.NotFoundf("calendar")
	}
	var f Feed
	if err := db.First(s.db.R.WithContext(ctx).Where("token = ?", token), &f, apperr.NotFoundf("calendar")); err != nil {
		return nil, err
	}
	town, loc, err := s.loadTown(s.db.R.WithContext(ctx), f.TownID)
	if err != nil {
		return nil, err
	}
	col := "orders.lecturer_id"
	if f.Kind == "branch" {
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
	owner, err := s.ownerName(ctx, f)
	if err != nil {
		return nil, err
	}
	cal := &Calendar{Name: "微党课 · " + owner, Timezone: loc.String()}
	for _, r := range rows {
		desc := fmt.Sprintf("讲师：%s %s\n支部：%s\n屋场：%s %s\n预计人数：%d", r.LecturerName, r.LecturerPhone, r.BranchName, r.CourtName, r.CourtAddress, r.Audience)
		if r.Note != "" {
			desc += "\n备注：" + r.Note
		}
		cal.Events = append(cal.Events, CalendarEvent{
			UID:   fmt.Sprintf("order-%d@weike", r.ID),
			Start: r.StartAt.UTC(), End: r.EndAt.UTC(),
			Summary:     fmt.Sprintf("微党课《%s》· %s", r.LessonTitle, r.BranchName),
			Location:    strings.TrimSpace(r.CourtName + " " + r.CourtAddress),
			Description: desc, Cancelled: r.Status == Cancelled, Sequence: r.Sequence, Stamp: r.UpdatedAt.UTC(),
		})
	}
	_ = town
	return cal, nil
}

// ICS renders a calendar as iCalendar (RFC 5545): CRLF lines folded at 75
// octets without splitting a character, times in the town's zone with a
// VTIMEZONE, a stable UID per order and its SEQUENCE raised on every change.
func ICS(c *Calendar) []byte {
	var b strings.Builder
	line := func(s string) { fold(&b, s) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//weike//weike 1.0//ZH")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + escapeText(c.Name))
	line("X-WR-TIMEZONE:" + c.Timezone)
	line("BEGIN:VTIMEZONE")
	line("TZID:" + c.Timezone)
	line("BEGIN:STANDARD")
	line("DTSTART:19700101T000000")
	line("TZOFFSETFROM:+0800")
	line("TZOFFSETTO:+0800")
	line("TZNAME:CST")
	line("END:STANDARD")
	line("END:VTIMEZONE")
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	for _, e := range c.Events {
		line("BEGIN:VEVENT")
		line("UID:" + e.UID)
		line("DTSTAMP:" + e.Stamp.UTC().Format("20060102T150405Z"))
		line("LAST-MODIFIED:" + e.Stamp.UTC().Format("20060102T150405Z"))
		line("DTSTART;TZID=" + c.Timezone + ":" + e.Start.In(loc).Format("20060102T150405"))
		line("DTEND;TZID=" + c.Timezone + ":" + e.End.In(loc).Format("20060102T150405"))
		line("SUMMARY:" + escapeText(e.Summary))
		if e.Location != "" {
			line("LOCATION:" + escapeText(e.Location))
		}
		line("DESCRIPTION:" + escapeText(e.Description))
		if e.Cancelled {
			line("STATUS:CANCELLED")
		} else {
			line("STATUS:CONFIRMED")
		}
		line(fmt.Sprintf("SEQUENCE:%d", e.Sequence))
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return []byte(b.String())
}

func escapeText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// fold writes one content line, breaking it into 75-octet pieces that never
// split a UTF-8 sequence; continuation lines start with a space.
func fold(b *strings.Builder, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}
