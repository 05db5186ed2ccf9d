package dispatch

import (
	"context"
	"math"
	"slices"
	"sort"
	"time"

	"weike/booking"
	"weike/internal/tz"
	"weike/lessons"
	"weike/org"
)

// historyMonths is how far back a branch's topics are remembered: a topic
// heard in the six months before the draft's month costs more.
const historyMonths = 6

// grid is what proposed starts are rounded up to: 09:15, not 09:07.
const grid = 15 * time.Minute

// margin keeps the first proposals an hour clear of the lead time, so that
// a draft dispatched some minutes after it was drawn still keeps it.
const margin = time.Hour

type point struct{ lat, lng float64 }

type court struct {
	id    int64
	name  string
	at    point
	known bool // the courtyard has coordinates; else it stands at the town's median
}

type branch struct {
	id     int64
	name   string
	courts []court // active ones, by id
	// covered: the branch has its lesson of the month already (a live
	// order with a time in it, or a member lesson).
	covered bool
	// What it heard in the months before: topics of the lessons it had,
	// the topics its member lessons named, the lessons themselves.
	topics     map[int64]bool
	topicNames map[string]bool
	lessons    map[int64]bool
}

type lesson struct {
	id        int64
	title     string
	topicID   int64
	topic     string
	minutes   int
	published bool
	featured  bool
}

// span is [from, to).
type span struct{ from, to time.Time }

func (a span) overlaps(b span) bool { return a.from.Before(b.to) && b.from.Before(a.to) }

// busy is the time one of a lecturer's live orders may take, buffer
// included: [start, end + travel buffer).
type busy struct {
	span
	order int64
}

// session is a stretch of a lecturer's free time on one day, inside one
// weekly window: a lesson starting at start fits when it and the travel
// buffer after it last no longer than minutes. Sessions of a lecturer do
// not overlap, so lessons at the starts of two of them are never closer
// than the buffer.
type session struct {
	start   time.Time
	minutes int
}

type lecturer struct {
	id        int64
	name      string
	home      point
	homeKnown bool
	capacity  int   // monthly
	used      int   // her live orders with a time in the month
	lessons   []int // indexes into world.lessons of the published lessons she gives
	busy      []busy
	sessions  []session
}

func (l *lecturer) free() int { return max(0, l.capacity-l.used) }

// world is what a town's draft of a month is made from, read once through
// the domain stores.
type world struct {
	town     org.Town
	loc      *time.Location
	month    string
	from, to time.Time // the month, UTC
	now      time.Time
	earliest time.Time // lead time (and margin) from now
	latest   time.Time // the horizon
	buffer   time.Duration

	branches   []*branch // active, by id
	byBranch   map[int64]*branch
	lecturers  []*lecturer // active, by id
	byLecturer map[int64]*lecturer
	lessons    []*lesson // every lesson of the town, by id; proposals use published ones
	byLesson   map[int64]int
	median     point
	// orders are the live orders around the month, for Dispatch to tell a
	// row dispatched before from one in its way.
	orders []booking.Order
}

// gather reads the town's month through the stores, as act reads it.
func (s *Store) gather(ctx context.Context, act org.Actor, townID int64, month string) (*world, error) {
	rd := act.Narrowed(townID)
	town, err := s.orgs.Town(ctx, rd, townID)
	if err != nil {
		return nil, err
	}
	w := &world{town: *town, loc: tz.Load(town.Timezone), now: s.now()}
	if month == "" {
		month = NextMonth(w.now, w.loc)
	}
	if _, err := lessons.ParseMonth(month); err != nil {
		return nil, err
	}
	w.month = month
	w.from, w.to, _ = tz.MonthRange(month, w.loc)
	w.buffer = time.Duration(town.TravelBufferMinutes) * time.Minute
	w.earliest = w.now.Add(time.Duration(town.LeadTimeHours)*time.Hour + margin)
	w.latest = w.now.AddDate(0, 0, town.HorizonDays)

	if err := s.gatherCatalog(ctx, rd, w); err != nil {
		return nil, err
	}
	bs, err := s.orgs.Branches(ctx, rd, org.BranchFilter{TownID: townID, ActiveOnly: true})
	if err != nil {
		return nil, err
	}
	w.byBranch = map[int64]*branch{}
	var lats, lngs []float64
	for _, b := range bs {
		br := &branch{id: b.ID, name: b.Name, topics: map[int64]bool{}, topicNames: map[string]bool{}, lessons: map[int64]bool{}}
		for _, c := range b.Courtyards {
			if !c.Active {
				continue
			}
			ct := court{id: c.ID, name: c.Name}
			if c.Lat != nil && c.Lng != nil {
				ct.at, ct.known = point{*c.Lat, *c.Lng}, true
				lats, lngs = append(lats, *c.Lat), append(lngs, *c.Lng)
			}
			br.courts = append(br.courts, ct)
		}
		w.branches = append(w.branches, br)
		w.byBranch[b.ID] = br
	}
	w.median = point{median(lats), median(lngs)}
	for _, br := range w.branches {
		for i := range br.courts {
			if !br.courts[i].known {
				br.courts[i].at = w.median
			}
		}
	}

	ls, err := s.catalog.Lecturers(ctx, rd, lessons.LecturerFilter{TownID: townID, ActiveOnly: true})
	if err != nil {
		return nil, err
	}
	w.byLecturer = map[int64]*lecturer{}
	windows := map[int64][]lessons.Window{}
	blackouts := map[int64]map[string]bool{}
	for _, l := range ls {
		lc := &lecturer{id: l.ID, name: l.Name, capacity: l.MonthlyCapacity, home: w.median}
		if l.BranchID != nil {
			if b := w.byBranch[*l.BranchID]; b != nil {
				for _, c := range b.courts {
					if c.known {
						lc.home, lc.homeKnown = c.at, true
						break
					}
				}
			}
		}
		for _, id := range l.LessonIDs {
			if i, ok := w.byLesson[id]; ok && w.lessons[i].published {
				lc.lessons = append(lc.lessons, i)
			}
		}
		windows[l.ID] = l.Availability
		blackouts[l.ID] = map[string]bool{}
		for _, b := range l.Blackouts {
			blackouts[l.ID][b.Day] = true
		}
		w.lecturers = append(w.lecturers, lc)
		w.byLecturer[l.ID] = lc
	}

	if err := s.gatherOrders(ctx, rd, w); err != nil {
		return nil, err
	}
	for _, l := range w.lecturers {
		l.sessions = w.sessions(l, windows[l.id], blackouts[l.id])
	}
	return w, nil
}

// gatherCatalog reads every lesson of the town (history names retired ones
// too) and the month's featured lessons.
func (s *Store) gatherCatalog(ctx context.Context, rd org.Actor, w *world) error {
	w.byLesson = map[int64]int{}
	for page := 1; ; page++ {
		p, err := s.catalog.Lessons(ctx, rd, lessons.LessonFilter{TownID: w.town.ID, Page: page, PerPage: 100, Sort: "newest"})
		if err != nil {
			return err
		}
		for _, l := range p.Items {
			w.lessons = append(w.lessons, &lesson{id: l.ID, title: l.Title, topicID: l.TopicID, topic: l.Topic,
				minutes: l.DurationMinutes, published: l.Status == lessons.StatusPublished})
		}
		if int64(page*p.PerPage) >= p.Total || len(p.Items) == 0 {
			break
		}
	}
	sort.Slice(w.lessons, func(i, j int) bool { return w.lessons[i].id < w.lessons[j].id })
	for i, l := range w.lessons {
		w.byLesson[l.id] = i
	}
	plan, err := s.catalog.Plan(ctx, rd, w.month, w.town.ID)
	if err != nil {
		return err
	}
	for _, l := range plan.Lessons {
		if i, ok := w.byLesson[l.ID]; ok {
			w.lessons[i].featured = true
		}
	}
	return nil
}

// gatherOrders reads the live orders around the month (what covers a
// branch, what fills a lecturer's month and her hours), the branches'
// lessons of the months before, and the member lessons.
func (s *Store) gatherOrders(ctx context.Context, rd org.Actor, w *world) error {
	os, err := s.book.LiveOrders(ctx, rd, w.town.ID, w.from.AddDate(0, 0, -1), w.to.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	w.orders = os
	for _, o := range os {
		times := o.Times()
		inMonth := false
		for _, t := range times {
			inMonth = inMonth || (!t.Before(w.from) && t.Before(w.to))
		}
		if b := w.byBranch[o.BranchID]; b != nil && inMonth {
			b.covered = true
		}
		l := w.byLecturer[o.LecturerID]
		if l == nil {
			continue
		}
		if inMonth {
			l.used++
		}
		d := time.Duration(o.DurationMinutes)*time.Minute + w.buffer
		for _, t := range times {
			l.busy = append(l.busy, busy{span{t, t.Add(d)}, o.ID})
		}
	}
	for _, l := range w.lecturers {
		sort.Slice(l.busy, func(i, j int) bool { return l.busy[i].from.Before(l.busy[j].from) })
	}

	since := w.from.In(w.loc).AddDate(0, -historyMonths, 0).UTC()
	past, err := s.book.LiveOrders(ctx, rd, w.town.ID, since, w.from)
	if err != nil {
		return err
	}
	for _, o := range past {
		b := w.byBranch[o.BranchID]
		i, ok := w.byLesson[o.LessonID]
		if b == nil || !ok || !slices.Contains(booking.OccupyingStatuses(), o.Status) {
			continue
		}
		b.lessons[o.LessonID] = true
		b.topics[w.lessons[i].topicID] = true
	}
	m := w.from.In(w.loc)
	for k := 0; k <= historyMonths; k++ {
		month := m.AddDate(0, -k, 0).Format("2006-01")
		ms, err := s.themeday.MemberLessons(ctx, rd, month)
		if err != nil {
			return err
		}
		for _, ml := range ms {
			b := w.byBranch[ml.BranchID]
			if b == nil {
				continue
			}
			if k == 0 {
				b.covered = true
			} else if ml.Topic != "" {
				b.topicNames[ml.Topic] = true
			}
		}
	}
	return nil
}

// sessions are a lecturer's free stretches in the month: each weekly
// window on each day she has no blackout, less what her earlier windows of
// the day cover (windows may overlap), less her live orders' times with
// the buffer, from the lead time to the horizon.
func (w *world) sessions(l *lecturer, windows []lessons.Window, blackout map[string]bool) []session {
	var out []session
	first := w.from.In(w.loc)
	for day := first; day.Before(w.to); day = day.AddDate(0, 0, 1) {
		if blackout[day.Format("2006-01-02")] {
			continue
		}
		ws := make([]lessons.Window, 0, 2)
		for _, win := range windows {
			if win.Weekday == int(day.Weekday()) {
				ws = append(ws, win)
			}
		}
		sort.Slice(ws, func(i, j int) bool { return ws[i].StartMinute < ws[j].StartMinute })
		covered := 0
		for _, win := range ws {
			a := max(win.StartMinute, covered)
			covered = max(covered, win.EndMinute)
			if a >= win.EndMinute {
				continue
			}
			piece := span{day.Add(time.Duration(a) * time.Minute).UTC(), day.Add(time.Duration(win.EndMinute) * time.Minute).UTC()}
			for _, seg := range subtract(piece, l.busy) {
				start := roundUp(maxTime(seg.from, w.earliest))
				if !start.Before(seg.to) || start.After(w.latest) || start.Before(w.from) || !start.Before(w.to) {
					continue
				}
				out = append(out, session{start: start, minutes: int(seg.to.Sub(start) / time.Minute)})
			}
		}
	}
	return out
}

// subtract cuts the busy spans (sorted by start) out of piece.
func subtract(piece span, bs []busy) []span {
	out := []span{piece}
	for _, b := range bs {
		if !b.to.After(piece.from) || !b.from.Before(piece.to) {
			continue
		}
		var next []span
		for _, s := range out {
			if !s.overlaps(b.span) {
				next = append(next, s)
				continue
			}
			if s.from.Before(b.from) {
				next = append(next, span{s.from, b.from})
			}
			if b.to.Before(s.to) {
				next = append(next, span{b.to, s.to})
			}
		}
		out = next
	}
	return out
}

func roundUp(t time.Time) time.Time {
	r := t.Truncate(grid)
	if r.Before(t) {
		r = r.Add(grid)
	}
	return r
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// median of vs; zero when there are none.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// km is the great-circle distance between two points.
func km(a, b point) float64 {
	const r = 6371.0
	rad := func(d float64) float64 { return d * math.Pi / 180 }
	dlat, dlng := rad(b.lat-a.lat), rad(b.lng-a.lng)
	h := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(rad(a.lat))*math.Cos(rad(b.lat))*math.Sin(dlng/2)*math.Sin(dlng/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}
