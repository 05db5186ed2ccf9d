package lessons_test

import (
	"context"
	"testing"
	"time"

	"weike/fixture"
	"weike/internal/apperr"
	"weike/internal/db"
	"weike/internal/db/dbtest"
	"weike/internal/i18n"
	"weike/lessons"
)

// TestHoursRules: every way a lecturer's hours are written (her own form,
// the lecturer form, new and changed, the import) refuses two windows of a
// day that overlap, naming the day, and a day off already past; a day off
// she has already, though past, may stay. Windows that only touch are two
// windows.
func TestHoursRules(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		a := w.A
		off, lec := a.Official, a.Actors["lecturer"]
		own := a.Lecturers[0]
		win := func(day time.Weekday, from, to int) lessons.Window {
			return lessons.Window{Weekday: int(day), StartMinute: from * 60, EndMinute: to * 60}
		}
		// The fixture's clock is Monday 2026-11-30 10:00.
		overlap := []lessons.Window{win(time.Saturday, 9, 11), win(time.Wednesday, 19, 21), win(time.Wednesday, 20, 22)}
		past := []lessons.Blackout{{Day: "2026-12-24"}, {Day: "2026-11-01"}}

		// A day off kept from before stays, though past: the forms hand
		// back what she has.
		if err := d.W.Exec("INSERT INTO lecturer_blackouts (lecturer_id, day, reason) VALUES (?, '2026-11-02', '')", own.ID).Error; err != nil {
			t.Fatal(err)
		}
		writes := []struct {
			name  string
			write func(ws []lessons.Window, bs []lessons.Blackout) error
		}{
			{"her own hours", func(ws []lessons.Window, bs []lessons.Blackout) error {
				_, err := w.Lessons.UpdateHours(ctx, lec, own.ID, lessons.HoursInput{Availability: ws, Blackouts: bs})
				return err
			}},
			{"a lecturer changed", func(ws []lessons.Window, bs []lessons.Blackout) error {
				l, err := w.Lessons.Lecturer(ctx, off, own.ID)
				if err != nil {
					t.Fatal(err)
				}
				in := l.Input()
				in.Availability, in.Blackouts = ws, bs
				_, err = w.Lessons.UpdateLecturer(ctx, off, own.ID, in)
				return err
			}},
			{"a new lecturer", func(ws []lessons.Window, bs []lessons.Blackout) error {
				_, err := w.Lessons.CreateLecturer(ctx, off, lessons.LecturerInput{Name: "新讲师", Availability: ws, Blackouts: bs})
				return err
			}},
		}
		cases := []struct {
			name  string
			ws    []lessons.Window
			bs    []lessons.Blackout
			field string
			code  string
			param string
			value any
		}{
			{"overlapping windows", overlap, nil, "availability", "field.window_overlap", "days", i18n.List{time.Wednesday}},
			{"overlapping on two days", append(overlap, win(time.Monday, 8, 12), win(time.Monday, 9, 10)), nil,
				"availability", "field.window_overlap", "days", i18n.List{time.Monday, time.Wednesday}},
			{"the same window twice", []lessons.Window{win(time.Sunday, 9, 11), win(time.Sunday, 9, 11)}, nil,
				"availability", "field.window_overlap", "days", i18n.List{time.Sunday}},
			{"a past day off", nil, past, "blackouts", "field.day_off_past", "day", i18n.Day("2026-11-01")},
			{"yesterday", nil, []lessons.Blackout{{Day: "2026-11-29"}}, "blackouts", "field.day_off_past", "day", i18n.Day("2026-11-29")},
			{"windows that touch, today off", []lessons.Window{win(time.Wednesday, 19, 20), win(time.Wednesday, 20, 21)},
				[]lessons.Blackout{{Day: "2026-11-30"}}, "", "", "", nil},
		}
		// Her own past day off stays when her hours are saved again.
		kept := []lessons.Blackout{{Day: "2026-11-02"}, {Day: "2026-12-24"}}
		for _, wr := range writes[:2] {
			if err := wr.write(nil, kept); err != nil {
				t.Errorf("%s keeping her past day off: %v", wr.name, err)
			}
		}
		for _, wr := range writes {
			for _, c := range cases {
				err := wr.write(c.ws, c.bs)
				if c.code == "" {
					if err != nil {
						t.Errorf("%s, %s: %v", wr.name, c.name, err)
					}
					continue
				}
				e, ok := apperr.As(err)
				if !ok || e.Code != "validation" || e.Fields[c.field] != c.code {
					t.Errorf("%s, %s: %v, want %s: %s", wr.name, c.name, err, c.field, c.code)
					continue
				}
				if got := i18n.Format(i18n.ZH, e.Params[c.param]); got != i18n.Format(i18n.ZH, c.value) {
					t.Errorf("%s, %s: %s reads %q, want %q", wr.name, c.name, c.param, got, i18n.Format(i18n.ZH, c.value))
				}
			}
		}
		if zh := i18n.T(i18n.ZH, "field.window_overlap", "days", i18n.List{time.Wednesday}); zh != "周三的时段有重叠，请合并或分开" {
			t.Errorf("the overlap reads %q", zh)
		}

		// The import, row by row.
		csv := "姓名,可讲时段,不可讲日期\n" +
			"孙新,周三 19:00-21:00；周三 20:00-22:00,\n" +
			"李新,周六 14:00-18:00,2026-11-01\n"
		_, err := w.Lessons.ImportLecturers(ctx, off, table(t, csv))
		if got, want := rowCodes(t, err), "2 可讲时段 field.window_overlap\n3 不可讲日期 field.day_off_past\n"; got != want {
			t.Errorf("import row errors:\n%s\nwant:\n%s", got, want)
		}
	})
}
