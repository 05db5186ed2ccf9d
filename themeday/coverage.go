package themeday

import (
	"context"
	"time"

	"weike/booking"
	"weike/internal/apperr"
	"weike/internal/tz"
	"weike/org"
)

// Coverage is the heart of the monthly theme day: for a month and a branch,
// lesson ✓ if a delivered order or a member lesson falls in it, film ✓ if a
// viewing does, practice ✓ if a practice does.

// Cell is one branch in one month.
type Cell struct {
	Month    string `json:"month"`
	Lesson   bool   `json:"lesson"`
	Film     bool   `json:"film"`
	Practice bool   `json:"practice"`
}

// All reports whether the branch did all three.
func (c Cell) All() bool { return c.Lesson && c.Film && c.Practice }

// Rates are shares of active branches, from 0 to 1.
type Rates struct {
	Lesson   float64 `json:"lesson"`
	Film     float64 `json:"film"`
	Practice float64 `json:"practice"`
	All      float64 `json:"all"`
}

// BranchMonth is a branch's marks for one month, with the records behind them.
type BranchMonth struct {
	BranchID int64   `json:"branch_id"`
	TownID   int64   `json:"town_id"`
	Name     string  `json:"name"`
	Kind     string  `json:"kind"`
	Lesson   bool    `json:"lesson"`
	Film     bool    `json:"film"`
	Practice bool    `json:"practice"`
	Records  Records `json:"records"`
}

// Records are the ids behind a branch's marks.
type Records struct {
	Orders        []int64 `json:"orders"`
	MemberLessons []int64 `json:"member_lessons"`
	Viewings      []int64 `json:"viewings"`
	Practices     []int64 `json:"practices"`
}

// MonthCoverage is the coverage of a month.
type MonthCoverage struct {
	Month    string        `json:"month"`
	Branches []BranchMonth `json:"branches"`
	Rates    Rates         `json:"rates"`
}

// CoverageFilter picks the branches and months.
type CoverageFilter struct {
	TownID int64  // a county viewer's pick; zero: every readable town
	Kind   string // village, community, other; empty: all
}

// check normalises the filter: "all" is no kind; an unknown kind is the
// caller's mistake, not an empty town.
func (f *CoverageFilter) check() error {
	switch f.Kind {
	case "", org.KindVillage, org.KindCommunity, org.KindOther:
	case "all":
		f.Kind = ""
	default:
		return apperr.New(apperr.BadRequest, "bad_request").Field("kind", "field.branch_kind")
	}
	return nil
}

type branchRow struct {
	ID     int64
	TownID int64
	Name   string
	Kind   string
}

func (s *Store) activeBranches(ctx context.Context, act org.Actor, f CoverageFilter) ([]branchRow, error) {
	q := s.db.R.WithContext(ctx).Table("branches").Select("id, town_id, name, kind").
		Where("town_id IN ? AND active = ?", act.ScopeTowns(f.TownID), true)
	if act.Role == org.RoleSecretary {
		q = q.Where("id = ?", act.BranchID)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	var bs []branchRow
	err := q.Order("town_id, id").Scan(&bs).Error
	return bs, err
}

type markRow struct {
	BranchID int64
	Month    string
	ID       int64
}

// marks reads the records that count, by branch and month, for months in
// [from, to]. Each query is a range scan of a (town_id, month, …) index.
func (s *Store) marks(ctx context.Context, towns []int64, from, to string, ids bool) (map[string][]markRow, error) {
	sel := "branch_id, month, COUNT(*) AS id"
	group := "branch_id, month"
	if ids {
		sel, group = "branch_id, month, id", ""
	}
	queries := map[string]string{
		"lesson":   "SELECT " + sel + " FROM orders WHERE town_id IN ? AND month >= ? AND month <= ? AND status IN ('delivered', 'reviewed')",
		"member":   "SELECT " + sel + " FROM member_lessons WHERE town_id IN ? AND month >= ? AND month <= ?",
		"film":     "SELECT " + sel + " FROM viewings WHERE town_id IN ? AND month >= ? AND month <= ?",
		"practice": "SELECT " + sel + " FROM practices WHERE town_id IN ? AND month >= ? AND month <= ?",
	}
	out := map[string][]markRow{}
	for k, q := range queries {
		if group != "" {
			q += " GROUP BY " + group
		} else {
			q += " ORDER BY id"
		}
		var rows []markRow
		if err := s.db.R.WithContext(ctx).Raw(q, towns, from, to).Scan(&rows).Error; err != nil {
			return nil, err
		}
		out[k] = rows
	}
	return out, nil
}

// The marks of a matrix cell, as bits.
const (
	markLesson   = 1
	markFilm     = 2
	markPractice = 4
)

type cellMarks struct {
	branchID int64
	month    string
	bits     int64
}

// matrixMarks reads which marks each branch has in each month of [from,
// to], folded into bits per branch and month. Each of the four queries is a
// grouped scan of a covering (town_id, month, …) index, and rows are
// scanned without reflection: a county's matrix is 600 branches × 12
// months, and reading the grouped lists into structs through GORM was most
// of its time (see docs/benchmarks.md).
func (s *Store) matrixMarks(ctx context.Context, towns []int64, from, to string) ([]cellMarks, error) {
	queries := []struct {
		bit int64
		q   string
	}{
		{markLesson, "SELECT branch_id, month FROM orders WHERE town_id IN ? AND month >= ? AND month <= ? AND status IN ('delivered', 'reviewed') GROUP BY branch_id, month"},
		{markLesson, "SELECT branch_id, month FROM member_lessons WHERE town_id IN ? AND month >= ? AND month <= ? GROUP BY branch_id, month"},
		{markFilm, "SELECT branch_id, month FROM viewings WHERE town_id IN ? AND month >= ? AND month <= ? GROUP BY branch_id, month"},
		{markPractice, "SELECT branch_id, month FROM practices WHERE town_id IN ? AND month >= ? AND month <= ? GROUP BY branch_id, month"},
	}
	type key struct {
		branch int64
		month  string
	}
	idx := map[key]int{}
	var out []cellMarks
	for _, q := range queries {
		rows, err := s.db.R.WithContext(ctx).Raw(q.q, towns, from, to).Rows()
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k key
			if err := rows.Scan(&k.branch, &k.month); err != nil {
				rows.Close()
				return nil, err
			}
			i, ok := idx[k]
			if !ok {
				i = len(out)
				idx[k] = i
				out = append(out, cellMarks{branchID: k.branch, month: k.month})
			}
			out[i].bits |= q.bit
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func checkMonth(m string) error {
	if _, err := time.Parse("2006-01", m); err != nil {
		return apperr.New(apperr.BadRequest, "bad_request").Field("month", "field.month")
	}
	return nil
}

// Coverage reports one month for every active branch the actor may see.
func (s *Store) Coverage(ctx context.Context, act org.Actor, month string, f CoverageFilter) (_ *MonthCoverage, err error) {
	defer apperr.Wrap(&err, "themeday: coverage")
	if err := f.check(); err != nil {
		return nil, err
	}
	if err := checkMonth(month); err != nil {
		return nil, err
	}
	bs, err := s.activeBranches(ctx, act, f)
	if err != nil {
		return nil, err
	}
	mc := &MonthCoverage{Month: month, Branches: make([]BranchMonth, 0, len(bs))}
	marks, err := s.marks(ctx, act.ScopeTowns(f.TownID), month, month, true)
	if err != nil {
		return nil, err
	}
	idx := map[int64]int{}
	for i, b := range bs {
		idx[b.ID] = i
		mc.Branches = append(mc.Branches, BranchMonth{BranchID: b.ID, TownID: b.TownID, Name: b.Name, Kind: b.Kind,
			Records: Records{Orders: []int64{}, MemberLessons: []int64{}, Viewings: []int64{}, Practices: []int64{}}})
	}
	for k, rows := range marks {
		for _, r := range rows {
			i, ok := idx[r.BranchID]
			if !ok {
				continue
			}
			b := &mc.Branches[i]
			switch k {
			case "lesson":
				b.Lesson, b.Records.Orders = true, append(b.Records.Orders, r.ID)
			case "member":
				b.Lesson, b.Records.MemberLessons = true, append(b.Records.MemberLessons, r.ID)
			case "film":
				b.Film, b.Records.Viewings = true, append(b.Records.Viewings, r.ID)
			case "practice":
				b.Practice, b.Records.Practices = true, append(b.Records.Practices, r.ID)
			}
		}
	}
	var cells []Cell
	for _, b := range mc.Branches {
		cells = append(cells, Cell{Lesson: b.Lesson, Film: b.Film, Practice: b.Practice})
	}
	mc.Rates = rates(cells)
	return mc, nil
}

func rates(cells []Cell) Rates {
	var r Rates
	if len(cells) == 0 {
		return r
	}
	for _, c := range cells {
		if c.Lesson {
			r.Lesson++
		}
		if c.Film {
			r.Film++
		}
		if c.Practice {
			r.Practice++
		}
		if c.All() {
			r.All++
		}
	}
	n := float64(len(cells))
	r.Lesson, r.Film, r.Practice, r.All = r.Lesson/n, r.Film/n, r.Practice/n, r.All/n
	return r
}

// MatrixBranch is a branch's row of the matrix.
type MatrixBranch struct {
	BranchID int64  `json:"branch_id"`
	TownID   int64  `json:"town_id"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Cells    []Cell `json:"cells"`
}

// MonthRates is one point of the trend.
type MonthRates struct {
	Month string `json:"month"`
	Rates
	// InProgress marks this month (in Asia/Shanghai): not over, so its
	// rates are not final and are read as "so far".
	InProgress bool `json:"in_progress,omitempty"`
}

// Matrix is the branch × month view over a range of months.
type Matrix struct {
	From     string         `json:"from"`
	To       string         `json:"to"`
	Months   []string       `json:"months"`
	Branches []MatrixBranch `json:"branches"`
	Trend    []MonthRates   `json:"trend"`
}

// MaxMonths bounds a range, so one request cannot ask for centuries.
const MaxMonths = 120

// months lists YYYY-MM from from to to, inclusive.
func months(from, to string) ([]string, error) {
	f, err1 := time.Parse("2006-01", from)
	t, err2 := time.Parse("2006-01", to)
	if err1 != nil || err2 != nil {
		return nil, apperr.New(apperr.BadRequest, "bad_request").Field("month", "field.month")
	}
	if t.Before(f) {
		return nil, apperr.New(apperr.Invalid, "validation").Field("to", "coverage.range_order")
	}
	var out []string
	for m := f; !m.After(t); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
		if len(out) > MaxMonths {
			return nil, apperr.New(apperr.Invalid, "validation").Field("to", "coverage.range_long")
		}
	}
	return out, nil
}

// Matrix reports every active branch's marks for each month in [from, to],
// and the trend of the rates.
func (s *Store) Matrix(ctx context.Context, act org.Actor, from, to string, f CoverageFilter) (_ *Matrix, err error) {
	defer apperr.Wrap(&err, "themeday: matrix")
	if err := f.check(); err != nil {
		return nil, err
	}
	ms, err := months(from, to)
	if err != nil {
		return nil, err
	}
	bs, err := s.activeBranches(ctx, act, f)
	if err != nil {
		return nil, err
	}
	marks, err := s.matrixMarks(ctx, act.ScopeTowns(f.TownID), from, to)
	if err != nil {
		return nil, err
	}
	col := make(map[string]int, len(ms))
	for i, m := range ms {
		col[m] = i
	}
	mx := &Matrix{From: from, To: to, Months: ms, Branches: make([]MatrixBranch, len(bs)), Trend: make([]MonthRates, len(ms))}
	row := make(map[int64]int, len(bs))
	for i, b := range bs {
		row[b.ID] = i
		cells := make([]Cell, len(ms))
		for j, m := range ms {
			cells[j].Month = m
		}
		mx.Branches[i] = MatrixBranch{BranchID: b.ID, TownID: b.TownID, Name: b.Name, Kind: b.Kind, Cells: cells}
	}
	for _, r := range marks {
		i, ok := row[r.branchID]
		j, ok2 := col[r.month]
		if !ok || !ok2 {
			continue
		}
		c := &mx.Branches[i].Cells[j]
		c.Lesson, c.Film, c.Practice = r.bits&markLesson != 0, r.bits&markFilm != 0, r.bits&markPractice != 0
	}
	current := s.now().In(tz.Shanghai).Format("2006-01")
	for j, m := range ms {
		column := make([]Cell, len(bs))
		for i := range bs {
			column[i] = mx.Branches[i].Cells[j]
		}
		mx.Trend[j] = MonthRates{Month: m, Rates: rates(column), InProgress: m == current}
	}
	return mx, nil
}

// Totals are the running figures in the article's own terms.
type Totals struct {
	From                 string         `json:"from"`
	To                   string         `json:"to"`
	Orders               int64          `json:"orders"`                 // 点单
	DeliveredLessons     int64          `json:"delivered_lessons"`      // 微党课巡讲
	MemberLessons        int64          `json:"member_lessons"`         // 支部自讲
	LecturingPersonTimes int64          `json:"lecturing_person_times"` // 上台讲微党课人次
	FilmViewings         int64          `json:"film_viewings"`          // 观看教育片场次
	ViewingAttendance    int64          `json:"viewing_attendance"`     // 观看人次
	Practices            int64          `json:"practices"`              // 微实践活动
	Participants         int64          `json:"participants"`           // 参与党员人次
	Opinions             int64          `json:"opinions"`               // 收集社情民意
	ServiceItems         int64          `json:"service_items"`          // 办理为民服务事项
	Branches             int64          `json:"branches"`               // 在册支部
	BranchesReached      int64          `json:"branches_reached"`       // 巡讲进支部
	Topics               []TopicCount   `json:"topics"`
	Lecturers            []LecturerLoad `json:"lecturers"`
}

// TopicCount is how many lessons of a topic were given.
type TopicCount struct {
	Topic string `json:"topic"`
	N     int64  `json:"n"`
}

// LecturerLoad is a lecturer's lessons in the range.
type LecturerLoad struct {
	LecturerID int64  `json:"lecturer_id"`
	Name       string `json:"name"`
	Delivered  int64  `json:"delivered"`
	Confirmed  int64  `json:"confirmed"`
}

// Totals sums the range [from, to] (months, inclusive).
func (s *Store) Totals(ctx context.Context, act org.Actor, from, to string, f CoverageFilter) (_ *Totals, err error) {
	defer apperr.Wrap(&err, "themeday: totals")
	if err := f.check(); err != nil {
		return nil, err
	}
	if _, err := months(from, to); err != nil {
		return nil, err
	}
	towns := act.ScopeTowns(f.TownID)
	t := &Totals{From: from, To: to, Topics: []TopicCount{}, Lecturers: []LecturerLoad{}}
	r := s.db.R.WithContext(ctx)
	branchFilter := ""
	args := func(a ...any) []any { return a }
	if f.Kind != "" {
		branchFilter = " AND branch_id IN (SELECT id FROM branches WHERE kind = '" + kindSQL(f.Kind) + "')"
	}
	steps := []struct {
		q    string
		args []any
		dst  any
	}{
		{"SELECT COUNT(*) FROM orders WHERE town_id IN ? AND month >= ? AND month <= ? AND status IN ('delivered', 'reviewed')" + branchFilter, args(towns, from, to), &t.DeliveredLessons},
		{"SELECT COUNT(*) FROM member_lessons WHERE town_id IN ? AND month >= ? AND month <= ?" + branchFilter, args(towns, from, to), &t.MemberLessons},
		{"SELECT COUNT(*) FROM viewings WHERE town_id IN ? AND month >= ? AND month <= ?" + branchFilter, args(towns, from, to), &t.FilmViewings},
		{"SELECT COALESCE(SUM(attendees), 0) FROM viewings WHERE town_id IN ? AND month >= ? AND month <= ?" + branchFilter, args(towns, from, to), &t.ViewingAttendance},
		{"SELECT COUNT(*) FROM practices WHERE town_id IN ? AND month >= ? AND month <= ?" + branchFilter, args(towns, from, to), &t.Practices},
		{"SELECT COALESCE(SUM(participants), 0) FROM practices WHERE town_id IN ? AND month >= ? AND month <= ?" + branchFilter, args(towns, from, to), &t.Participants},
		{"SELECT COALESCE(SUM(opinions), 0) FROM practices WHERE town_id IN ? AND month >= ? AND month <= ?" + branchFilter, args(towns, from, to), &t.Opinions},
		{"SELECT COALESCE(SUM(service_items), 0) FROM practices WHERE town_id IN ? AND month >= ? AND month <= ?" + branchFilter, args(towns, from, to), &t.ServiceItems},
		{"SELECT COUNT(*) FROM branches WHERE town_id IN ? AND active = ?" + kindFilter(f.Kind), args(towns, true), &t.Branches},
		{"SELECT COUNT(DISTINCT branch_id) FROM orders WHERE town_id IN ? AND month >= ? AND month <= ? AND status IN ('delivered', 'reviewed')" + branchFilter, args(towns, from, to), &t.BranchesReached},
	}
	for _, st := range steps {
		if err := r.Raw(st.q, st.args...).Scan(st.dst).Error; err != nil {
			return nil, err
		}
	}
	// The orders of the period by booking's own rule, the one the export's
	// order sheet lists them by: the count and the rows agree.
	p, err := s.book.List(ctx, act, booking.OrderFilter{From: from, To: to, TownID: f.TownID, BranchKind: f.Kind, PerPage: 1})
	if err != nil {
		return nil, err
	}
	t.Orders = p.Total
	// Each delivered lesson has one lecturer on the stage; each member
	// lesson one member: both are lecturing person-times (上台讲微党课人次).
	t.LecturingPersonTimes = t.DeliveredLessons + t.MemberLessons
	err = r.Raw(`SELECT topic, SUM(n) AS n FROM (
			SELECT topics.name AS topic, COUNT(*) AS n FROM orders JOIN lessons ON lessons.id = orders.lesson_id
				JOIN topics ON topics.id = lessons.topic_id
			WHERE orders.town_id IN ? AND orders.month >= ? AND orders.month <= ? AND orders.status IN ('delivered', 'reviewed')`+
		prefixed(branchFilter, "orders.")+` GROUP BY topics.name
			UNION ALL
			SELECT topic, COUNT(*) AS n FROM member_lessons WHERE town_id IN ? AND month >= ? AND month <= ? AND topic <> ''`+branchFilter+`
			GROUP BY topic) AS t GROUP BY topic ORDER BY n DESC, topic`, towns, from, to, towns, from, to).Scan(&t.Topics).Error
	if err != nil {
		return nil, err
	}
	err = r.Raw(`SELECT lecturers.id AS lecturer_id, lecturers.name AS name,
			COUNT(CASE WHEN orders.status IN ('delivered', 'reviewed') THEN 1 END) AS delivered,
			COUNT(CASE WHEN orders.status = 'confirmed' THEN 1 END) AS confirmed
		FROM orders JOIN lecturers ON lecturers.id = orders.lecturer_id
		WHERE orders.town_id IN ? AND orders.month >= ? AND orders.month <= ? AND orders.status IN ('confirmed', 'delivered', 'reviewed')`+
		prefixed(branchFilter, "orders.")+`
		GROUP BY lecturers.id, lecturers.name ORDER BY delivered DESC, confirmed DESC, lecturers.id`, towns, from, to).Scan(&t.Lecturers).Error
	if err != nil {
		return nil, err
	}
	return t, nil
}

// kindSQL passes only the known branch kinds into SQL text.
func kindSQL(k string) string {
	switch k {
	case org.KindVillage, org.KindCommunity, org.KindOther:
		return k
	}
	return "none"
}

func kindFilter(k string) string {
	if k == "" {
		return ""
	}
	return " AND kind = '" + kindSQL(k) + "'"
}

func prefixed(filter, table string) string {
	if filter == "" {
		return ""
	}
	return " AND " + table + filter[len(" AND "):]
}

// TownSummary is a town's line in the county viewer's table.
type TownSummary struct {
	TownID   int64   `json:"town_id"`
	Name     string  `json:"name"`
	Branches int     `json:"branches"`
	Rates    Rates   `json:"rates"`
	Totals   *Totals `json:"totals"`
}

// TownsSummary reports each readable town's coverage of a month and its
// totals since January of that year, for the county viewer's table.
func (s *Store) TownsSummary(ctx context.Context, act org.Actor, month string) (_ []TownSummary, err error) {
	defer apperr.Wrap(&err, "themeday: towns summary")
	if err := checkMonth(month); err != nil {
		return nil, err
	}
	var towns []struct {
		ID   int64
		Name string
	}
	if err := s.db.R.WithContext(ctx).Table("towns").Select("id, name").Where("id IN ?", act.Towns).Order("id").Scan(&towns).Error; err != nil {
		return nil, err
	}
	out := []TownSummary{}
	for _, tw := range towns {
		c, err := s.Coverage(ctx, act, month, CoverageFilter{TownID: tw.ID})
		if err != nil {
			return nil, err
		}
		tot, err := s.Totals(ctx, act, month[:4]+"-01", month, CoverageFilter{TownID: tw.ID})
		if err != nil {
			return nil, err
		}
		out = append(out, TownSummary{TownID: tw.ID, Name: tw.Name, Branches: len(c.Branches), Rates: c.Rates, Totals: tot})
	}
	return out, nil
}

// CompactMatrix is the matrix as the API sends it: the months once, and
// each branch's cells as one character per month, the digit of a bitmask
// (1 lesson, 2 film, 4 practice: "7" is a month with all three, "0" one
// with none). The county's 600 branches over a year weighed 495 kB with a
// month and three booleans in every cell; this is a tenth of that.
type CompactMatrix struct {
	From     string          `json:"from"`
	To       string          `json:"to"`
	Months   []string        `json:"months"`
	Legend   map[string]int  `json:"legend"`
	Branches []CompactBranch `json:"branches"`
	Trend    []MonthRates    `json:"trend"`
}

// CompactBranch is a branch's row of the compact matrix.
type CompactBranch struct {
	BranchID int64  `json:"branch_id"`
	TownID   int64  `json:"town_id"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Cells    string `json:"cells"`
}

// Compact is the matrix in its compact form.
func (m *Matrix) Compact() *CompactMatrix {
	out := &CompactMatrix{From: m.From, To: m.To, Months: m.Months, Trend: m.Trend,
		Legend:   map[string]int{"lesson": markLesson, "film": markFilm, "practice": markPractice},
		Branches: make([]CompactBranch, len(m.Branches))}
	for i, b := range m.Branches {
		cells := make([]byte, len(b.Cells))
		for j, c := range b.Cells {
			var bits int
			if c.Lesson {
				bits |= markLesson
			}
			if c.Film {
				bits |= markFilm
			}
			if c.Practice {
				bits |= markPractice
			}
			cells[j] = byte('0' + bits)
		}
		out.Branches[i] = CompactBranch{BranchID: b.BranchID, TownID: b.TownID, Name: b.Name, Kind: b.Kind, Cells: string(cells)}
	}
	return out
}
