package letters

import (
	"context"
	"strconv"
	"strings"
	"time"

	"weike/booking"
	"weike/internal/apperr"
	"weike/internal/i18n"
	"weike/notify"
	"weike/org"
)

// digestMax is how many orders one section of the digest lists; the rest
// are counted, and the link opens them all.
const digestMax = 20

// DigestDay is the day a digest run at `at` is for: the town's local day.
func DigestDay(at time.Time, loc *time.Location) string { return at.In(loc).Format("2006-01-02") }

// DigestLetters builds a town's officials' digest for day: the orders
// placed in the past day, and what needs them — orders declined or
// expired that can still be given to another lecturer, orders whose
// answer deadline is within a day, proposed times the branch has not
// answered. Nothing is sent on a day when all of it is empty.
func (s *Store) DigestLetters(ctx context.Context, townID int64, day, baseURL string) (_ []notify.Letter, err error) {
	defer apperr.Wrap(&err, "letters: digest letters")
	town, loc, err := s.loadTown(ctx, townID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	fresh, err := s.orderRowsCreated(ctx, townID, now.Add(-24*time.Hour))
	if err != nil {
		return nil, err
	}
	failed, err := s.orderRows(ctx, "orders.town_id = ? AND orders.status IN ?", townID, []booking.Status{booking.Declined, booking.Expired})
	if err != nil {
		return nil, err
	}
	var reassignable []orderRow
	for _, r := range failed {
		if hasOpenSlot(r, now) {
			reassignable = append(reassignable, r)
		}
	}
	near, err := s.orderRows(ctx, "orders.town_id = ? AND orders.status = ? AND orders.answer_by > ? AND orders.answer_by <= ?",
		townID, booking.Requested, now, now.Add(24*time.Hour))
	if err != nil {
		return nil, err
	}
	proposals, err := s.orderRows(ctx, "orders.town_id = ? AND orders.status = ?", townID, booking.Proposed)
	if err != nil {
		return nil, err
	}
	if len(fresh)+len(reassignable)+len(near)+len(proposals) == 0 {
		return nil, nil
	}
	people, err := s.people(ctx, townID)
	if err != nil {
		return nil, err
	}
	base := strings.TrimRight(baseURL, "/")
	var out []notify.Letter
	for _, p := range people {
		if p.Role != org.RoleOfficial {
			continue
		}
		lang := p.Lang
		d := doc{lang: lang, Link: base + "/orders"}
		d.Title = i18n.T(lang, "letter.digest.title", "town", town.Name, "day", i18n.Day(day))
		d.Intro = i18n.T(lang, "letter.digest.intro")
		line := func(r orderRow) string {
			return i18n.T(lang, "letter.digest.item", "branch", r.BranchName, "lesson", r.LessonTitle, "lecturer", r.LecturerName)
		}
		link := func(r orderRow) string { return base + "/orders/" + strconv.FormatInt(r.ID, 10) }
		add := func(title string, rows []orderRow, sub func(r orderRow) string) {
			if len(rows) == 0 {
				return
			}
			sec := section{Title: i18n.T(lang, title, "n", len(rows))}
			for i, r := range rows {
				if i == digestMax {
					sec.Items = append(sec.Items, item{Text: i18n.T(lang, "letter.digest.more", "n", len(rows)-digestMax), Link: d.Link})
					break
				}
				sec.Items = append(sec.Items, item{Text: line(r), Sub: sub(r), Link: link(r)})
			}
			d.Sections = append(d.Sections, sec)
		}
		add("letter.digest.failed", reassignable, func(r orderRow) string {
			return i18n.T(lang, "letter.digest.failed_sub", "status", i18n.Key("status."+string(r.Status)), "reason", r.Reason)
		})
		add("letter.digest.near", near, func(r orderRow) string {
			return i18n.T(lang, "letter.digest.near_sub", "at", r.AnswerBy.In(loc))
		})
		add("letter.digest.proposals", proposals, func(r orderRow) string {
			if r.ProposedAt == nil {
				return ""
			}
			return i18n.T(lang, "letter.digest.proposal_sub", "at", r.ProposedAt.In(loc))
		})
		add("letter.digest.new", fresh, func(r orderRow) string {
			return i18n.T(lang, "letter.digest.new_sub", "status", i18n.Key("status."+string(r.Status)))
		})
		out = append(out, notify.Letter{TownID: townID, Kind: notify.KindDigest, Period: day, AccountID: p.ID,
			Subject: d.Title, Text: d.text(), Inbox: d.inboxText(), HTML: d.html(), Markdown: d.markdown(), Link: d.Link, Path: pathOf(d.Link, base)})
	}
	return out, nil
}

func (s *Store) orderRowsCreated(ctx context.Context, townID int64, since time.Time) ([]orderRow, error) {
	return s.orderRows(ctx, "orders.town_id = ? AND orders.created_at >= ?", townID, since)
}

// hasOpenSlot reports whether one of an order's preferred times is still
// ahead: whether it can be given to another lecturer.
func hasOpenSlot(r orderRow, now time.Time) bool {
	o := booking.Order{SlotsJSON: r.Slots}
	return len(o.OpenSlots(now)) > 0
}
