package demo

import (
	"context"
	"fmt"
	"time"

	"weike/internal/tz"

	"weike/lessons"
)

// seedPlans publishes a monthly plan — four featured lessons and two or
// three films with preview dates — for each month of the history, this
// month and next, so the monthly schedule and the secretaries' "this month"
// page have something to show. A month that already has a plan keeps it.
func (l *loader) seedPlans(ctx context.Context, ts *townSeed) error {
	acc, err := l.st.Org.AccountByLogin(ctx, ts.Official.Login)
	if err != nil {
		return err
	}
	off, err := l.st.Org.ActorFor(ctx, acc)
	if err != nil {
		return err
	}
	page, err := l.st.Lessons.Lessons(ctx, off, lessons.LessonFilter{Status: lessons.StatusPublished, PerPage: 100})
	if err != nil {
		return err
	}
	films, err := l.st.Lessons.Films(ctx, off, lessons.FilmFilter{})
	if err != nil {
		return err
	}
	if len(page.Items) < lessons.MinFeatured || len(films) == 0 {
		return nil
	}
	now := l.now().In(shanghai())
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, shanghai())
	for i := -complete; i <= 1; i++ {
		m := first.AddDate(0, i, 0)
		month := m.Format("2006-01")
		p, err := l.st.Lessons.Plan(ctx, off, month, 0)
		if err != nil {
			return err
		}
		if p.PublishedAt != nil {
			continue
		}
		// Walk the catalog a month at a time, so that every lesson is
		// featured now and then and neighbouring months differ.
		k := int(m.Year())*12 + int(m.Month())
		in := lessons.PlanInput{Note: fmt.Sprintf("%d月主题党日：一月一课一片一实践", int(m.Month()))}
		n := len(page.Items)
		stride := 7
		for gcd(stride, n) != 1 {
			stride--
		}
		for j := 0; j < 4 && j < n; j++ {
			in.LessonIDs = append(in.LessonIDs, page.Items[(k*4+j*stride)%n].ID)
		}
		for j := 0; j < 2+k%2 && j < len(films); j++ {
			f := films[(k*3+j)%len(films)]
			preview := m.AddDate(0, 0, -3+7*j)
			in.Films = append(in.Films, lessons.PlanFilmInput{FilmID: f.ID, PreviewDate: preview.Format("2006-01-02")})
		}
		if _, err := l.st.Lessons.PutPlan(ctx, off, month, dedupeFilms(in)); err != nil {
			return fmt.Errorf("plan %s: %w", month, err)
		}
	}
	return nil
}

func dedupeFilms(in lessons.PlanInput) lessons.PlanInput {
	seen := map[int64]bool{}
	var fs []lessons.PlanFilmInput
	for _, f := range in.Films {
		if !seen[f.FilmID] {
			seen[f.FilmID] = true
			fs = append(fs, f)
		}
	}
	in.Films = fs
	seenL := map[int64]bool{}
	var ls []int64
	for _, id := range in.LessonIDs {
		if !seenL[id] {
			seenL[id] = true
			ls = append(ls, id)
		}
	}
	in.LessonIDs = ls
	return in
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// shanghai is the zone of every date the operator reads.
func shanghai() *time.Location { return tz.Shanghai }
