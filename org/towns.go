package org

import (
	"context"
	"errors"
	"strings"

	"weike/internal/db"

	"github.com/robfig/cron/v3"
	"gorm.io/gorm"

	"weike/internal/apperr"
	"weike/internal/tz"
)

// EnsureCounty returns the county of that name, creating it when absent
// (operator use: demo, CLI).
func (s *Store) EnsureCounty(ctx context.Context, name string) (_ *County, err error) {
	defer apperr.Wrap(&err, "org: ensure county")
	var c County
	err = s.db.W.WithContext(ctx).Where("name = ?", name).First(&c).Error
	if err == nil {
		return &c, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, err
	}
	c = County{Name: strings.TrimSpace(name), CreatedAt: s.now()}
	if c.Name == "" {
		return nil, apperr.New(apperr.Invalid, "validation").Field("county", "field.required")
	}
	return &c, s.db.W.WithContext(ctx).Create(&c).Error
}

// EnsureTown returns the town of that name in the county, creating it with
// the default settings when absent (operator use). It reports whether it
// created it.
func (s *Store) EnsureTown(ctx context.Context, countyID int64, name string) (_ *Town, _ bool, err error) {
	defer apperr.Wrap(&err, "org: ensure town")
	var t Town
	err = s.db.W.WithContext(ctx).Where("county_id = ? AND name = ?", countyID, name).First(&t).Error
	if err == nil {
		return &t, false, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, false, err
	}
	t = Town{CountyID: countyID, Name: strings.TrimSpace(name), Timezone: "Asia/Shanghai",
		TravelBufferMinutes: 30, LeadTimeHours: 48, HorizonDays: 90, AnswerDeadlineHours: 72,
		PointsDelivered: 10, PointsFiveStar: 2, ScheduleSpec: DefaultScheduleSpec, ReminderSpec: DefaultReminderSpec,
		QuietFrom: DefaultQuietFrom, QuietUntil: DefaultQuietUntil, DigestAt: DefaultDigestAt, CreatedAt: s.now()}
	if t.Name == "" {
		return nil, false, apperr.New(apperr.Invalid, "validation").Field("town", "field.required")
	}
	// The county's viewers read one more town now.
	err = s.txInvalidating(ctx, "*", func(tx *gorm.DB) error {
		return tx.Create(&t).Error
	})
	return &t, true, err
}

// TownByName finds a town by name (operator use: `weike user add --town`).
func (s *Store) TownByName(ctx context.Context, name string) (_ *Town, err error) {
	defer apperr.Wrap(&err, "org: town by name")
	var ts []Town
	if err := s.db.R.WithContext(ctx).Where("name = ?", name).Limit(2).Find(&ts).Error; err != nil {
		return nil, err
	}
	switch len(ts) {
	case 0:
		return nil, apperr.NotFoundf("town")
	case 1:
		return &ts[0], nil
	}
	return nil, apperr.New(apperr.Invalid, "town.ambiguous").With("name", name)
}

// CountyByName finds a county by name (operator use).
func (s *Store) CountyByName(ctx context.Context, name string) (_ *County, err error) {
	defer apperr.Wrap(&err, "org: county by name")
	var c County
	if err := db.First(s.db.R.WithContext(ctx).Where("name = ?", name), &c, apperr.NotFoundf("county")); err != nil {
		return nil, err
	}
	return &c, nil
}

// Town returns a town the actor may read.
func (s *Store) Town(ctx context.Context, act Actor, id int64) (_ *Town, err error) {
	defer apperr.Wrap(&err, "org: town %d", id)
	if err := act.ReadTown(id, "town"); err != nil {
		return nil, err
	}
	var t Town
	if err := db.First(s.db.R.WithContext(ctx), &t, apperr.NotFoundf("town"), id); err != nil {
		return nil, err
	}
	return &t, nil
}

// Towns lists the towns the actor may read.
func (s *Store) Towns(ctx context.Context, act Actor) (_ []Town, err error) {
	defer apperr.Wrap(&err, "org: towns")
	var ts []Town
	err = s.db.R.WithContext(ctx).Where("id IN ?", act.Towns).Order("id").Find(&ts).Error
	return ts, err
}

// County returns the actor's county.
func (s *Store) County(ctx context.Context, act Actor) (_ *County, err error) {
	defer apperr.Wrap(&err, "org: county")
	var c County
	if err := s.db.R.WithContext(ctx).First(&c, act.CountyID).Error; err != nil {
		return nil, err
	}
	return &c, nil
}

// TownSettings are the rules an official tunes for the town.
type TownSettings struct {
	TravelBufferMinutes int    `json:"travel_buffer_minutes"`
	LeadTimeHours       int    `json:"lead_time_hours"`
	HorizonDays         int    `json:"horizon_days"`
	AnswerDeadlineHours int    `json:"answer_deadline_hours"`
	PointsDelivered     int    `json:"points_delivered"`
	PointsFiveStar      int    `json:"points_five_star"`
	ScheduleSpec        string `json:"schedule_spec"`
	// ReminderSpec is when the coverage reminders go out (empty: the default).
	ReminderSpec string `json:"reminder_spec"`
	// QuietFrom, QuietUntil and DigestAt are local times "HH:MM"; empty
	// means the default (21:00, 07:30, 08:00).
	QuietFrom  string `json:"quiet_from"`
	QuietUntil string `json:"quiet_until"`
	DigestAt   string `json:"digest_at"`
}

// The towns' default schedules: the monthly schedule on the 25th, the
// coverage reminders on the 20th, both at 09:00 in the town's zone.
const (
	DefaultScheduleSpec = "0 9 25 * *"
	DefaultReminderSpec = "0 9 20 * *"
)

// validSpec reports whether spec is a five-field cron schedule of sane length.
func validSpec(spec string) bool {
	_, err := cron.ParseStandard(spec)
	return err == nil && len(strings.Fields(spec)) == 5 && len(spec) <= 60
}

// The defaults of a town's messages: quiet from 21:00 to 07:30, the
// officials' digest at 08:00.
const (
	DefaultQuietFrom  = "21:00"
	DefaultQuietUntil = "07:30"
	DefaultDigestAt   = "08:00"
)

// Validate checks the settings' ranges.
func (in *TownSettings) Validate() error {
	var fs apperr.FieldSet
	in.ScheduleSpec = strings.TrimSpace(in.ScheduleSpec)
	check := func(field string, v, lo, hi int) {
		if v < lo || v > hi {
			fs.Add(field, "field.range")
		}
	}
	check("travel_buffer_minutes", in.TravelBufferMinutes, 0, 240)
	check("lead_time_hours", in.LeadTimeHours, 0, 24*30)
	check("horizon_days", in.HorizonDays, 1, 366)
	check("answer_deadline_hours", in.AnswerDeadlineHours, 1, 24*14)
	check("points_delivered", in.PointsDelivered, 0, 1000)
	check("points_five_star", in.PointsFiveStar, 0, 1000)
	in.ReminderSpec = strings.TrimSpace(in.ReminderSpec)
	if in.ScheduleSpec == "" {
		in.ScheduleSpec = DefaultScheduleSpec
	}
	for _, c := range []struct {
		field string
		v     *string
		def   string
	}{{"quiet_from", &in.QuietFrom, DefaultQuietFrom}, {"quiet_until", &in.QuietUntil, DefaultQuietUntil}, {"digest_at", &in.DigestAt, DefaultDigestAt}} {
		*c.v = strings.TrimSpace(*c.v)
		if *c.v == "" {
			*c.v = c.def
		}
		if _, err := tz.ParseClock(*c.v); err != nil {
			fs.Add(c.field, "field.clock")
		}
	}
	// Quiet hours from a time to the same time would be none or all day:
	// either way not what was meant.
	if in.QuietFrom == in.QuietUntil {
		fs.Add("quiet_until", "field.quiet_same")
	}
	if in.ReminderSpec == "" {
		in.ReminderSpec = DefaultReminderSpec
	}
	if !validSpec(in.ScheduleSpec) {
		fs.Add("schedule_spec", "field.cron")
	}
	if !validSpec(in.ReminderSpec) {
		fs.Add("reminder_spec", "field.cron")
	}
	return fs.Err()
}

// UpdateSettings changes the official's town's rules.
func (s *Store) UpdateSettings(ctx context.Context, act Actor, in TownSettings) (_ *Town, err error) {
	defer apperr.Wrap(&err, "org: update settings")
	if err := act.RequireOfficial(); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	err = s.db.W.WithContext(ctx).Table("towns").Where("id = ?", act.TownID).Updates(map[string]any{
		"travel_buffer_minutes": in.TravelBufferMinutes, "lead_time_hours": in.LeadTimeHours,
		"horizon_days": in.HorizonDays, "answer_deadline_hours": in.AnswerDeadlineHours,
		"points_delivered": in.PointsDelivered, "points_five_star": in.PointsFiveStar, "schedule_spec": in.ScheduleSpec,
		"quiet_from": in.QuietFrom, "quiet_until": in.QuietUntil, "digest_at": in.DigestAt,
		"reminder_spec": in.ReminderSpec,
	}).Error
	if err != nil {
		return nil, err
	}
	return s.Town(ctx, act, act.TownID)
}

// DemoLoaded reports whether the demo has finished loading the town; the
// demo is then left alone, whatever its officials changed since. An
// operator call: it takes no actor.
func (s *Store) DemoLoaded(ctx context.Context, townID int64) (_ bool, err error) {
	defer apperr.Wrap(&err, "org: demo loaded %d", townID)
	var n int64
	err = s.db.R.WithContext(ctx).Table("towns").Where("id = ? AND demo_loaded_at IS NOT NULL", townID).Count(&n).Error
	return n > 0, err
}

// MarkDemoLoaded records that the demo has finished loading the town.
func (s *Store) MarkDemoLoaded(ctx context.Context, townID int64) (err error) {
	defer apperr.Wrap(&err, "org: mark demo loaded %d", townID)
	return s.db.W.WithContext(ctx).Table("towns").Where("id = ? AND demo_loaded_at IS NULL", townID).
		Update("demo_loaded_at", s.now()).Error
}
