package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"weike/internal/tz"

	"weike/themeday"

	"weike/booking"
	"weike/internal/db"
	"weike/org"
)

// Scale is the size of a generated world.
type Scale struct {
	Name              string
	Counties          int
	TownsPerCounty    int
	BranchesPerTown   int
	LecturersPerTown  int
	LessonsPerTown    int
	Months            int // of history, ending with the current month
	PendingPerLecMon  int // requested orders per lecturer and future month, for the accept load
	PendingMonths     int
	LecturerCapacity  int
	DeliveredPerLecMo [2]int // delivered lessons per lecturer and month: uniform in [lo, hi]
}

// Scales: county is issue 7's (20 towns, 600 branches, 300 lecturers, 1,000
// lessons, three years); province is ten counties of it; quick is a tenth of a
// county, for the one-minute run.
var scales = map[string]Scale{
	"quick":    {"quick", 1, 2, 30, 15, 50, 36, 12, 6, 12, [2]int{3, 9}},
	"county":   {"county", 1, 20, 30, 15, 50, 36, 12, 6, 12, [2]int{3, 9}},
	"province": {"province", 10, 20, 30, 15, 50, 36, 12, 6, 12, [2]int{3, 9}},
}

// BenchPassword is every generated account's password.
const BenchPassword = "bench-pass-1"

// Logins of the generated accounts, by index: the load driver signs in with them.
func officialLogin(town int64) string    { return "t" + strconv.FormatInt(town, 10) + "-official" }
func secretaryLogin(branch int64) string { return "b" + strconv.FormatInt(branch, 10) + "-sec" }
func lecturerLogin(lec int64) string     { return "l" + strconv.FormatInt(lec, 10) + "-lec" }
func countyLogin(county int64) string    { return "c" + strconv.FormatInt(county, 10) + "-county" }

var practiceTypes = themeday.PracticeTypes

// batch collects rows of one table and writes them as multi-row INSERTs.
type batch struct {
	g     *gen
	table string
	cols  []string
	rows  [][]any
	total int64
}

func (g *gen) table(name string, cols ...string) *batch {
	b := &batch{g: g, table: name, cols: cols}
	g.batches = append(g.batches, b)
	return b
}

func (b *batch) add(vals ...any) {
	if len(vals) != len(b.cols) {
		panic(fmt.Sprintf("%s: %d values for %d columns", b.table, len(vals), len(b.cols)))
	}
	b.rows = append(b.rows, vals)
	if len(b.rows)*len(b.cols) >= 15000 {
		b.flush()
	}
}

// flush writes the batch, after the tables made before it: those are the
// ones its foreign keys point to.
func (b *batch) flush() {
	for _, p := range b.g.batches {
		if p == b {
			break
		}
		p.write()
	}
	b.write()
}

func (b *batch) write() {
	if len(b.rows) == 0 || b.g.err != nil {
		return
	}
	var sb strings.Builder
	sb.WriteString("INSERT INTO " + b.table + " (" + strings.Join(b.cols, ", ") + ") VALUES ")
	args := make([]any, 0, len(b.rows)*len(b.cols))
	n := 1
	for i, r := range b.rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('(')
		for j := range r {
			if j > 0 {
				sb.WriteString(", ")
			}
			if b.g.pg {
				sb.WriteString("$" + strconv.Itoa(n))
			} else {
				sb.WriteByte('?')
			}
			n++
		}
		sb.WriteByte(')')
		args = append(args, r...)
	}
	if _, err := b.g.tx.Exec(sb.String(), args...); err != nil {
		b.g.err = fmt.Errorf("insert into %s: %w", b.table, err)
	}
	b.total += int64(len(b.rows))
	b.rows = b.rows[:0]
}

type gen struct {
	sc  Scale
	rnd *rand.Rand
	// geo draws where courtyards are and where lecturers live, apart from
	// rnd, so that the rest of the world is what it was before places had
	// coordinates.
	geo     *rand.Rand
	now     time.Time
	loc     *time.Location
	pg      bool
	tx      *sql.Tx
	err     error
	batches []*batch
}

type lecturerGen struct {
	id, town int64
	lessons  []int64
	windows  [][3]int // weekday, start minute, end minute
}

// generate fills an empty, migrated database with a world of the given
// scale. The same seed and clock give the same rows.
func generate(ctx context.Context, d *db.DB, sc Scale, seed uint64, now time.Time, log io.Writer) error {
	var n int64
	if err := d.R.Raw("SELECT COUNT(*) FROM towns").Scan(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("the database already has %d towns: generate into an empty one", n)
	}
	sqlDB, err := d.W.DB()
	if err != nil {
		return err
	}
	// The bench signs in at production cost: its figures are real ones.
	hash, err := org.NewStore(d, nil).HashPassword(BenchPassword)
	if err != nil {
		return err
	}
	loc := tz.Shanghai
	g := &gen{sc: sc, rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), geo: rand.New(rand.NewPCG(seed, 0x67656f)),
		now: now.UTC(), loc: loc, pg: d.Dialect == db.Postgres}
	start := time.Now()
	tx, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	g.tx = tx
	g.world(hash)
	for _, b := range g.batches {
		b.flush()
	}
	if g.err != nil {
		tx.Rollback()
		return g.err
	}
	if g.pg {
		// Rows came with their ids: move each sequence past them.
		for _, b := range g.batches {
			if b.cols[0] != "id" {
				continue
			}
			q := fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE((SELECT MAX(id) FROM %s), 0) + 1, false)", b.table, b.table)
			if _, err := tx.Exec(q); err != nil {
				tx.Rollback()
				return err
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if g.pg {
		_, _ = sqlDB.Exec("ANALYZE")
	} else {
		_, _ = sqlDB.Exec("ANALYZE")
		_, _ = sqlDB.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	}
	var total int64
	var parts []string
	sort.Slice(g.batches, func(i, j int) bool { return g.batches[i].total > g.batches[j].total })
	for _, b := range g.batches {
		total += b.total
		parts = append(parts, fmt.Sprintf("%s %d", b.table, b.total))
	}
	fmt.Fprintf(log, "generated %s scale (seed %d) in %s: %d rows (%s)\n", sc.Name, seed, time.Since(start).Round(time.Millisecond), total, strings.Join(parts, ", "))
	return nil
}

func (g *gen) pick(n int) int { return g.rnd.IntN(n) }

func (g *gen) world(hash string) {
	sc, now, r := g.sc, g.now, g.rnd
	counties := g.table("counties", "id", "name", "created_at")
	towns := g.table("towns", "id", "county_id", "name", "created_at")
	branches := g.table("branches", "id", "town_id", "name", "kind", "member_count", "secretary_name", "phone", "active", "created_at", "updated_at")
	courts := g.table("courtyards", "id", "town_id", "branch_id", "name", "address", "lat", "lng", "active", "created_at", "updated_at")
	topics := g.table("topics", "id", "town_id", "name", "name_en", "sort")
	lecturers := g.table("lecturers", "id", "town_id", "name", "phone", "bio", "topics", "monthly_capacity", "branch_id", "active", "created_at", "updated_at")
	windows := g.table("lecturer_availabilities", "id", "lecturer_id", "weekday", "start_minute", "end_minute")
	lessonsT := g.table("lessons", "id", "town_id", "title", "topic_id", "summary", "outline", "duration_minutes", "materials", "status", "created_at", "updated_at")
	lessonLecs := g.table("lesson_lecturers", "lesson_id", "lecturer_id")
	films := g.table("films", "id", "town_id", "title", "category", "duration_minutes", "link", "description", "status", "created_at", "updated_at")
	accounts := g.table("accounts", "id", "login", "password_hash", "name", "role", "county_id", "town_id", "branch_id", "lecturer_id", "lang", "active", "created_at")
	orders := g.table("orders", "id", "town_id", "branch_id", "courtyard_id", "lesson_id", "lecturer_id", "status", "slots", "duration_minutes",
		"start_at", "end_at", "block_end_at", "audience", "note", "reason", "answer_by", "attendees", "delivered_minutes", "delivery_summary",
		"delivered_at", "stars", "review_comment", "reviewed_at", "requested_by", "sequence", "created_at", "updated_at", "month")
	events := g.table("order_events", "id", "order_id", "town_id", "account_id", "role", "from_status", "to_status", "reason", "detail", "at")
	points := g.table("points_ledger", "id", "town_id", "lecturer_id", "order_id", "kind", "points", "note", "at")
	viewings := g.table("viewings", "id", "town_id", "branch_id", "film_id", "film_title", "day", "month", "attendees", "notes", "created_by", "created_at", "updated_by", "updated_at")
	practices := g.table("practices", "id", "town_id", "branch_id", "type", "day", "month", "participants", "opinions", "service_items", "notes", "created_by", "created_at", "updated_by", "updated_at")
	members := g.table("member_lessons", "id", "town_id", "branch_id", "title", "topic", "speaker", "day", "month", "attendees", "created_by", "created_at")

	created := now.AddDate(-4, 0, 0)
	ids := map[string]int64{}
	next := func(t string) int64 { ids[t]++; return ids[t] }
	topicNames := []string{"党史学习", "理论政策", "乡村振兴", "基层治理", "移风易俗", "法治宣传", "生态文明", "安全生产"}
	kinds := []string{org.KindVillage, org.KindVillage, org.KindVillage, org.KindVillage, org.KindVillage, org.KindVillage, org.KindVillage, org.KindVillage, org.KindCommunity, org.KindOther}
	durations := []int{15, 20, 20, 25, 30, 30, 30, 40, 45}
	dayParts := [][2]int{{8*60 + 30, 11*60 + 30}, {14 * 60, 17*60 + 30}, {19 * 60, 21 * 60}}
	// The months of history: the current month and the Months-1 before it.
	cur := time.Date(now.In(g.loc).Year(), now.In(g.loc).Month(), 1, 0, 0, 0, 0, g.loc)

	for c := 1; c <= sc.Counties; c++ {
		cid := next("counties")
		counties.add(cid, fmt.Sprintf("测试县%d", c), created)
		accounts.add(next("accounts"), countyLogin(cid), hash, fmt.Sprintf("县委组织部%d", c), string(org.RoleCounty), cid, nil, nil, nil, "zh-CN", true, created)
		for t := 1; t <= sc.TownsPerCounty; t++ {
			tid := next("towns")
			towns.add(tid, cid, fmt.Sprintf("第%d镇", tid), created)
			officialID := next("accounts")
			accounts.add(officialID, officialLogin(tid), hash, fmt.Sprintf("组织委员%d", tid), string(org.RoleOfficial), cid, tid, nil, nil, "zh-CN", true, created)
			var topicIDs []int64
			for i, name := range topicNames {
				id := next("topics")
				topicIDs = append(topicIDs, id)
				topics.add(id, tid, name, "", i)
			}
			type branchGen struct{ id, court, sec int64 }
			var bs []branchGen
			for b := 0; b < sc.BranchesPerTown; b++ {
				bid := next("branches")
				kind := kinds[g.pick(len(kinds))]
				branches.add(bid, tid, fmt.Sprintf("第%d村", bid), kind, 20+g.pick(130), fmt.Sprintf("书记%d", bid), "", true, created, created)
				var first int64
				for k := 0; k < 1+g.pick(3); k++ {
					id := next("courtyards")
					if first == 0 {
						first = id
					}
					// A town spans some 10 km; one courtyard in five has no coordinates.
					var lat, lng any
					if g.geo.IntN(5) > 0 {
						lat, lng = 28.0+0.1*float64(tid%10)+0.09*g.geo.Float64(), 113.0+0.1*float64(tid/10)+0.1*g.geo.Float64()
					}
					courts.add(id, tid, bid, fmt.Sprintf("屋场%d", id), "", lat, lng, true, created, created)
				}
				sec := next("accounts")
				accounts.add(sec, secretaryLogin(bid), hash, fmt.Sprintf("书记%d", bid), string(org.RoleSecretary), cid, tid, bid, nil, "zh-CN", true, created)
				bs = append(bs, branchGen{bid, first, sec})
			}
			var lecs []*lecturerGen
			lecAccount := map[int64]int64{}
			for l := 0; l < sc.LecturersPerTown; l++ {
				lid := next("lecturers")
				lecturers.add(lid, tid, fmt.Sprintf("讲师%d", lid), "", "", "", sc.LecturerCapacity, bs[g.geo.IntN(len(bs))].id, true, created, created)
				lg := &lecturerGen{id: lid, town: tid}
				// Two to four weekly windows on distinct days.
				days := r.Perm(7)[:2+g.pick(3)]
				for _, wd := range days {
					p := dayParts[g.pick(len(dayParts))]
					windows.add(next("lecturer_availabilities"), lid, wd, p[0], p[1])
					lg.windows = append(lg.windows, [3]int{wd, p[0], p[1]})
				}
				acc := next("accounts")
				lecAccount[lid] = acc
				accounts.add(acc, lecturerLogin(lid), hash, fmt.Sprintf("讲师%d", lid), string(org.RoleLecturer), cid, tid, nil, lid, "zh-CN", true, created)
				lecs = append(lecs, lg)
			}
			lessonDur := map[int64]int{}
			lessonTopic := map[int64]string{}
			for l := 0; l < sc.LessonsPerTown; l++ {
				id := next("lessons")
				status := "published"
				if x := g.pick(100); x < 7 {
					status = "draft"
				} else if x < 10 {
					status = "retired"
				}
				ti := g.pick(len(topicIDs))
				dur := durations[g.pick(len(durations))]
				lessonDur[id] = dur
				lessonTopic[id] = topicNames[ti]
				lessonsT.add(id, tid, fmt.Sprintf("微党课第%d讲：%s", id, topicNames[ti]), topicIDs[ti], "讲清一个道理，讲好一个故事。", "一、\n二、\n三、", dur, "", status, created, created)
				// One to three lecturers give it; a draft nobody yet.
				if status != "published" {
					continue
				}
				for _, k := range r.Perm(len(lecs))[:1+g.pick(3)] {
					lessonLecs.add(id, lecs[k].id)
					lecs[k].lessons = append(lecs[k].lessons, id)
				}
			}
			var filmIDs []int64
			for f := 0; f < 20; f++ {
				id := next("films")
				filmIDs = append(filmIDs, id)
				films.add(id, tid, fmt.Sprintf("教育片%d", id), "党史", 30+g.pick(60), "", "", "published", created, created)
			}

			// ---- history: orders and their events and points, month by month ----
			busyBranch := map[[2]int64]bool{} // (branch, day number)
			addOrder := func(lg *lecturerGen, b branchGen, lesson int64, status booking.Status, start time.Time, createdAt time.Time) int64 {
				oid := next("orders")
				dur := lessonDur[lesson]
				sj, _ := json.Marshal([]time.Time{start})
				var startAt, endAt, blockEnd, deliveredAt, reviewedAt, attendees, minutes, stars any
				// Every order is filed under the month of its lesson time,
				// booked or not (its one preferred time is start).
				month := start.In(g.loc).Format("2006-01")
				summary, comment := "", ""
				occupying := status == booking.Confirmed || status == booking.Delivered || status == booking.Reviewed
				if occupying {
					startAt, endAt, blockEnd = start, start.Add(time.Duration(dur)*time.Minute), start.Add(time.Duration(dur+30)*time.Minute)
				}
				// The order's events and points wait for the order's row: a
				// batch of events must never reach the database before it.
				var evs, pts [][]any
				ev := func(acc any, role string, from, to booking.Status, reason string, at time.Time) {
					evs = append(evs, []any{next("order_events"), oid, tid, acc, role, string(from), string(to), reason, "", at})
				}
				ev(b.sec, "secretary", "", booking.Requested, "", createdAt)
				updated := createdAt
				seq := 0
				switch status {
				case booking.Declined:
					updated = createdAt.Add(time.Duration(1+g.pick(48)) * time.Hour)
					ev(lecAccount[lg.id], "lecturer", booking.Requested, booking.Declined, "时间冲突", updated)
					seq = 1
				case booking.Expired:
					updated = createdAt.Add(72 * time.Hour)
					ev(nil, "system", booking.Requested, booking.Expired, "no answer", updated)
					seq = 1
				case booking.Cancelled:
					updated = createdAt.Add(time.Duration(1+g.pick(48)) * time.Hour)
					ev(b.sec, "secretary", booking.Requested, booking.Cancelled, "村里另有安排", updated)
					seq = 1
				}
				if occupying {
					updated = createdAt.Add(time.Duration(2+g.pick(40)) * time.Hour)
					ev(lecAccount[lg.id], "lecturer", booking.Requested, booking.Confirmed, "", updated)
					seq = 1
				}
				if status == booking.Delivered || status == booking.Reviewed {
					updated = start.Add(time.Duration(dur+60) * time.Minute)
					deliveredAt, attendees, minutes = updated, 15+g.pick(60), dur
					summary = "讲课顺利，群众反响好。"
					ev(lecAccount[lg.id], "lecturer", booking.Confirmed, booking.Delivered, "", updated)
					pts = append(pts, []any{next("points_ledger"), tid, lg.id, oid, "delivered", 10, "", updated})
					seq = 2
				}
				if status == booking.Reviewed {
					s := 3 + g.pick(3)
					stars = s
					comment = "讲得好"
					updated = updated.Add(time.Duration(6+g.pick(72)) * time.Hour)
					reviewedAt = updated
					ev(b.sec, "secretary", booking.Delivered, booking.Reviewed, "", updated)
					if s == 5 {
						pts = append(pts, []any{next("points_ledger"), tid, lg.id, oid, "five_star", 2, "", updated})
					}
					seq = 3
				}
				orders.add(oid, tid, b.id, b.court, lesson, lg.id, string(status), string(sj), dur, startAt, endAt, blockEnd, 20+g.pick(60), "",
					"", createdAt.Add(72*time.Hour), attendees, minutes, summary, deliveredAt, stars, comment, reviewedAt, b.sec, seq, createdAt, updated, month)
				for _, e := range evs {
					events.add(e...)
				}
				for _, p := range pts {
					points.add(p...)
				}
				return oid
			}
			// at is a local time on day of month m at a lecturer's usual hour.
			at := func(m time.Time, day int) time.Time {
				hours := []int{9, 10, 14, 15, 19}
				return time.Date(m.Year(), m.Month(), day, hours[g.pick(len(hours))], 30*g.pick(2), 0, 0, g.loc).UTC()
			}
			for mi := sc.Months - 1; mi >= 0; mi-- {
				m := cur.AddDate(0, -mi, 0)
				daysIn := m.AddDate(0, 1, -1).Day()
				for _, lg := range lecs {
					if len(lg.lessons) == 0 {
						continue
					}
					lo, hi := sc.DeliveredPerLecMo[0], sc.DeliveredPerLecMo[1]
					k := lo + g.pick(hi-lo+1)
					for _, d := range r.Perm(daysIn)[:min(k, daysIn)] {
						start := at(m, d+1)
						if !start.Before(now.Add(-2 * time.Hour)) {
							continue // the future is for the accept load
						}
						// A branch has one lesson a day at most: try a few.
						var b branchGen
						ok := false
						for try := 0; try < 5 && !ok; try++ {
							b = bs[g.pick(len(bs))]
							key := [2]int64{b.id, int64(start.Unix() / 86400)}
							if !busyBranch[key] {
								busyBranch[key], ok = true, true
							}
						}
						if !ok {
							continue
						}
						status := booking.Delivered
						if g.pick(100) < 45 {
							status = booking.Reviewed
						}
						lesson := lg.lessons[g.pick(len(lg.lessons))]
						addOrder(lg, b, lesson, status, start, start.Add(-time.Duration(3+g.pick(20))*24*time.Hour))
					}
					// About one order in four never happens.
					for x := 0; x < k/3; x++ {
						st := []booking.Status{booking.Declined, booking.Expired, booking.Cancelled}[g.pick(3)]
						start := at(m, 1+g.pick(daysIn))
						if start.After(now) {
							continue
						}
						addOrder(lg, bs[g.pick(len(bs))], lg.lessons[g.pick(len(lg.lessons))], st, start, start.Add(-time.Duration(5+g.pick(20))*24*time.Hour))
					}
				}
				// Films, practices and member lessons of each branch.
				for _, b := range bs {
					mon := m.Format("2006-01")
					day := func() (string, time.Time, bool) {
						t := time.Date(m.Year(), m.Month(), 1+g.pick(daysIn), 20, 0, 0, 0, g.loc)
						return t.Format("2006-01-02"), t.UTC(), t.Before(now)
					}
					for v := 0; v < []int{0, 1, 1, 1, 1, 2, 2, 2, 3, 1}[g.pick(10)]; v++ {
						if d, t, ok := day(); ok {
							f := filmIDs[g.pick(len(filmIDs))]
							viewings.add(next("viewings"), tid, b.id, f, fmt.Sprintf("教育片%d", f), d, mon, 10+g.pick(70), "", b.sec, t, b.sec, t)
						}
					}
					for p := 0; p < []int{0, 1, 1, 1, 1, 2, 2, 2, 3, 1}[g.pick(10)]; p++ {
						if d, t, ok := day(); ok {
							practices.add(next("practices"), tid, b.id, practiceTypes[g.pick(len(practiceTypes))], d, mon, 5+g.pick(40), g.pick(8), g.pick(6), "", b.sec, t, b.sec, t)
						}
					}
					if g.pick(2) == 0 {
						if d, t, ok := day(); ok {
							topic := topicNames[g.pick(len(topicNames))]
							members.add(next("member_lessons"), tid, b.id, "支部书记讲党课", topic, fmt.Sprintf("党员%d", g.pick(1000)), d, mon, 8+g.pick(40), b.sec, t)
						}
					}
				}
			}
			// ---- the future: requested orders waiting for the lecturer ----
			// PendingPerLecMon a month for PendingMonths months after this
			// one, on distinct days, so each lecturer can accept them all
			// within capacity and without a clash.
			for pm := 1; pm <= sc.PendingMonths; pm++ {
				m := cur.AddDate(0, pm, 0)
				daysIn := m.AddDate(0, 1, -1).Day()
				for _, lg := range lecs {
					if len(lg.lessons) == 0 {
						continue
					}
					for _, d := range r.Perm(daysIn)[:sc.PendingPerLecMon] {
						start := at(m, d+1)
						var b branchGen
						ok := false
						for try := 0; try < 20 && !ok; try++ {
							b = bs[g.pick(len(bs))]
							key := [2]int64{b.id, int64(start.Unix() / 86400)}
							if !busyBranch[key] {
								busyBranch[key], ok = true, true
							}
						}
						if ok {
							addOrder(lg, b, lg.lessons[g.pick(len(lg.lessons))], booking.Requested, start, now.Add(-time.Duration(1+g.pick(48))*time.Hour))
						}
					}
				}
			}
		}
	}
}
