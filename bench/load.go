package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"weike/internal/tz"

	"weike/internal/db"
)

// loadOpts are the load driver's settings.
type loadOpts struct {
	dsn        string
	label      string
	clients    int
	duration   time.Duration
	warmup     time.Duration
	profile    string // scenario whose server CPU profile is written
	profileOut string
	logFile    string
}

func (o *loadOpts) flags(fs *flag.FlagSet) {
	fs.IntVar(&o.clients, "clients", 32, "concurrent clients")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "measured time of each scenario")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured time before it")
	fs.StringVar(&o.profile, "profile", "", "write the server's CPU profile during this scenario")
	fs.StringVar(&o.profileOut, "profile-out", "cpu.pprof", "where --profile writes")
	fs.StringVar(&o.logFile, "server-log", "", "the server's request log (default: discarded)")
}

func cmdLoad(ctx context.Context, args []string, out, errw io.Writer) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	o := &loadOpts{}
	fs.StringVar(&o.dsn, "db", "", "the generated database")
	o.flags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.dsn == "" {
		return errors.New("--db is required")
	}
	o.label = dialectOf(o.dsn)
	res, err := runLoad(ctx, o, errw)
	if err != nil {
		return err
	}
	printTable(out, res)
	return nil
}

func dialectOf(dsn string) string {
	if db.IsPostgres(dsn) {
		return "postgres"
	}
	return "sqlite"
}

// ---- what the clients need to know of the generated world ----

type orderOption struct {
	lesson, lecturer int64
	dur              int
	windows          [][3]int // weekday, start, end minute (local)
}

type secretary struct {
	login         string
	branch, town  int64
	courtyard     int64
	topics        []int64
	options       []orderOption
	token         string
	officialToken string
}

type lecturerClient struct {
	login   string
	pending []int64
	token   string
}

type benchWorld struct {
	secs        []*secretary
	lecs        []*lecturerClient
	officials   []string // one per secretary's town, by client
	county      string
	countyToken string
	month       string // last complete month
	from, to    string // the matrix's twelve months
	loc         *time.Location
}

func loadWorld(ctx context.Context, d *db.DB, clients int) (*benchWorld, error) {
	w := &benchWorld{}
	w.loc = tz.Shanghai
	r := d.R.WithContext(ctx)
	var branches []struct{ ID, TownID, Court int64 }
	if err := r.Raw(`SELECT b.id, b.town_id, MIN(c.id) AS court FROM branches b JOIN courtyards c ON c.branch_id = b.id
		WHERE b.id IN (SELECT branch_id FROM accounts WHERE role = 'secretary') GROUP BY b.id, b.town_id ORDER BY b.id`).Scan(&branches).Error; err != nil {
		return nil, err
	}
	if len(branches) == 0 {
		return nil, errors.New("no branches: run `bench gen` first")
	}
	// Spread the clients over the branches (and so the towns).
	step := max(1, len(branches)/clients)
	for i := 0; i < clients && i*step < len(branches); i++ {
		b := branches[i*step]
		s := &secretary{login: secretaryLogin(b.ID), branch: b.ID, town: b.TownID, courtyard: b.Court}
		if err := r.Raw("SELECT id FROM topics WHERE town_id = ? ORDER BY id", b.TownID).Scan(&s.topics).Error; err != nil {
			return nil, err
		}
		var opts []struct {
			Lesson, Lecturer int64
			Dur              int
		}
		if err := r.Raw(`SELECT ll.lesson_id AS lesson, ll.lecturer_id AS lecturer, l.duration_minutes AS dur
			FROM lesson_lecturers ll JOIN lessons l ON l.id = ll.lesson_id
			WHERE l.town_id = ? AND l.status = 'published' ORDER BY ll.lesson_id, ll.lecturer_id`, b.TownID).Scan(&opts).Error; err != nil {
			return nil, err
		}
		wins := map[int64][][3]int{}
		var ws []struct{ LecturerID, Weekday, StartMinute, EndMinute int }
		if err := r.Raw(`SELECT lecturer_id, weekday, start_minute, end_minute FROM lecturer_availabilities
			WHERE lecturer_id IN (SELECT id FROM lecturers WHERE town_id = ?)`, b.TownID).Scan(&ws).Error; err != nil {
			return nil, err
		}
		for _, x := range ws {
			wins[int64(x.LecturerID)] = append(wins[int64(x.LecturerID)], [3]int{x.Weekday, x.StartMinute, x.EndMinute})
		}
		for _, o := range opts {
			if len(wins[o.Lecturer]) > 0 {
				s.options = append(s.options, orderOption{o.Lesson, o.Lecturer, o.Dur, wins[o.Lecturer]})
			}
		}
		if len(s.options) == 0 {
			return nil, fmt.Errorf("branch %d: no lesson to order", b.ID)
		}
		w.secs = append(w.secs, s)
		w.officials = append(w.officials, officialLogin(b.TownID))
	}
	// Every lecturer with orders waiting: the accept clients take them in
	// turn, so the load does not run dry.
	var lecs []struct{ LecturerID int64 }
	if err := r.Raw(`SELECT lecturer_id FROM orders WHERE status = 'requested' GROUP BY lecturer_id ORDER BY lecturer_id`).Scan(&lecs).Error; err != nil {
		return nil, err
	}
	for _, l := range lecs {
		lc := &lecturerClient{login: lecturerLogin(l.LecturerID)}
		if err := r.Raw("SELECT id FROM orders WHERE lecturer_id = ? AND status = 'requested' ORDER BY id", l.LecturerID).Scan(&lc.pending).Error; err != nil {
			return nil, err
		}
		w.lecs = append(w.lecs, lc)
	}
	var county int64
	if err := r.Raw("SELECT MIN(id) FROM counties").Scan(&county).Error; err != nil {
		return nil, err
	}
	w.county = countyLogin(county)
	now := time.Now().In(w.loc)
	cur := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, w.loc)
	w.month = cur.AddDate(0, -1, 0).Format("2006-01")
	w.from, w.to = cur.AddDate(0, -11, 0).Format("2006-01"), cur.Format("2006-01")
	return w, nil
}

// slotFor picks a time the option's lecturer is available, between 3 and 85
// days ahead (inside the lead time and horizon), on the half hour.
func (w *benchWorld) slotFor(o orderOption, r *rand.Rand) time.Time {
	now := time.Now().In(w.loc)
	day0 := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, w.loc)
	for {
		day := day0.AddDate(0, 0, 3+r.IntN(83))
		for _, win := range o.windows {
			if win[0] != int(day.Weekday()) {
				continue
			}
			first := (win[1] + 29) / 30 * 30
			n := (win[2] - o.dur - first) / 30
			if n < 0 {
				continue
			}
			return day.Add(time.Duration(first+30*r.IntN(n+1)) * time.Minute)
		}
	}
}

// newOrder is a secretary's order with two preferred times.
func (w *benchWorld) newOrder(s *secretary, r *rand.Rand) (orderOption, []time.Time) {
	o := s.options[r.IntN(len(s.options))]
	a := w.slotFor(o, r)
	b := w.slotFor(o, r)
	for b.Equal(a) {
		b = w.slotFor(o, r)
	}
	return o, []time.Time{a, b}
}

// ---- running a scenario ----

// request is one request a client sends; ok false means the client has no
// more work (the accept load ran out of pending orders).
type request struct {
	method, path, token string
	body                []byte
	ok                  bool
}

type scenario struct {
	name string
	want int // the status that counts as success
	next func(client int, r *rand.Rand) request
}

type result struct {
	db, name      string
	n, failed     int64
	statuses      map[int]int64
	secs          float64
	p50, p95, p99 time.Duration
	bytes         float64 // mean response body size
	reqBytes      float64
	peakMB        float64
	ceilHTTP      float64 // requests/s of the HTTP ceiling at the same size
	ceilStore     float64 // transactions/s of the storage ceiling (writes)
	note          string
}

func (r *result) rps() float64 { return float64(r.n) / r.secs }

var transport = &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: 90 * time.Second, DisableCompression: true}
var client = &http.Client{Transport: transport, Timeout: 60 * time.Second}

// drive runs sc with n clients against base for warmup+duration and
// measures the part after the warm-up. pid, when set, is sampled for memory.
func drive(ctx context.Context, base string, sc scenario, n int, warmup, duration time.Duration, pid int, during func()) *result {
	res := &result{name: sc.name, statuses: map[int]int64{}}
	start := time.Now()
	measureFrom, end := start.Add(warmup), start.Add(warmup+duration)
	type local struct {
		last           time.Time
		lat            []time.Duration
		statuses       map[int]int64
		failed         int64
		bytes, reqByte int64
	}
	locals := make([]local, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			l := &locals[i]
			l.statuses = map[int]int64{}
			rnd := rand.New(rand.NewPCG(uint64(i)+1, 42))
			buf := make([]byte, 32<<10)
			for {
				t0 := time.Now()
				if !t0.Before(end) || ctx.Err() != nil {
					return
				}
				rq := sc.next(i, rnd)
				if !rq.ok {
					return
				}
				req, _ := http.NewRequestWithContext(ctx, rq.method, base+rq.path, bytes.NewReader(rq.body))
				if rq.body != nil {
					req.Header.Set("Content-Type", "application/json")
				}
				if rq.token != "" {
					req.Header.Set("Authorization", "Bearer "+rq.token)
				}
				resp, err := client.Do(req)
				code, size := -1, int64(0)
				if err == nil {
					for {
						k, err := resp.Body.Read(buf)
						size += int64(k)
						if err != nil {
							break
						}
					}
					resp.Body.Close()
					code = resp.StatusCode
				}
				took := time.Since(t0)
				if t0.Before(measureFrom) {
					continue
				}
				l.lat = append(l.lat, took)
				l.last = time.Now()
				l.statuses[code]++
				l.bytes += size
				l.reqByte += int64(len(rq.body))
				if code != sc.want {
					l.failed++
				}
			}
		}(i)
	}
	var peak <-chan int64
	stopRSS := make(chan struct{})
	if pid != 0 {
		peak = sampleRSS(pid, stopRSS)
	}
	if during != nil {
		go func() {
			time.Sleep(time.Until(measureFrom))
			during()
		}()
	}
	wg.Wait()
	close(stopRSS)
	if peak != nil {
		res.peakMB = float64(<-peak) / 1024
	}
	// Clients that ran out of work (accept) end the measurement early.
	var last time.Time
	for _, l := range locals {
		if l.last.After(last) {
			last = l.last
		}
	}
	res.secs = min(last.Sub(measureFrom), duration).Seconds()
	if res.secs <= 0 {
		res.secs = duration.Seconds()
	}
	var all []time.Duration
	var bytesSum, reqSum int64
	for _, l := range locals {
		all = append(all, l.lat...)
		for k, v := range l.statuses {
			res.statuses[k] += v
		}
		res.failed += l.failed
		bytesSum += l.bytes
		reqSum += l.reqByte
	}
	res.n = int64(len(all))
	if res.n > 0 {
		sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
		pct := func(p float64) time.Duration { return all[min(len(all)-1, int(p*float64(len(all))))] }
		res.p50, res.p95, res.p99 = pct(0.50), pct(0.95), pct(0.99)
		res.bytes = float64(bytesSum) / float64(res.n)
		res.reqBytes = float64(reqSum) / float64(res.n)
	}
	return res
}

// signIn gets a session token through the API, as a phone would.
func signIn(base, login string) (string, error) {
	body, _ := json.Marshal(map[string]string{"login": login, "password": BenchPassword})
	res, err := client.Post(base+"/api/v1/session", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var s struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&s); err != nil || res.StatusCode != 200 {
		return "", fmt.Errorf("sign in %s: %d %v", login, res.StatusCode, err)
	}
	return s.Token, nil
}

// scenarios builds the six scenarios over the world.
func (w *benchWorld) scenarios(clients int) []scenario {
	get := func(path, token string) request { return request{method: "GET", path: path, token: token, ok: true} }
	var mu sync.Mutex
	nextPending := make([]int, len(w.lecs))
	nextLecturer := make([]int, clients)
	return []scenario{
		{name: "catalog", want: 200, next: func(i int, r *rand.Rand) request {
			s := w.secs[i%len(w.secs)]
			return get("/api/v1/lessons?topic="+strconv.FormatInt(s.topics[r.IntN(len(s.topics))], 10), s.token)
		}},
		{name: "my-orders", want: 200, next: func(i int, r *rand.Rand) request {
			s := w.secs[i%len(w.secs)]
			return get("/api/v1/orders", s.token)
		}},
		{name: "coverage-month", want: 200, next: func(i int, r *rand.Rand) request {
			return get("/api/v1/coverage?month="+w.month, w.secs[i%len(w.secs)].officialToken)
		}},
		{name: "matrix", want: 200, next: func(i int, r *rand.Rand) request {
			return get("/api/v1/coverage/matrix?from="+w.from+"&to="+w.to, w.countyToken)
		}},
		{name: "order-create", want: 201, next: func(i int, r *rand.Rand) request {
			s := w.secs[i%len(w.secs)]
			o, slots := w.newOrder(s, r)
			ss := make([]string, len(slots))
			for k, t := range slots {
				ss[k] = t.Format(time.RFC3339)
			}
			b, _ := json.Marshal(map[string]any{"lesson_id": o.lesson, "lecturer_id": o.lecturer, "courtyard_id": s.courtyard,
				"slots": ss, "audience": 30, "note": "请提前一天联系"})
			return request{method: "POST", path: "/api/v1/orders", token: s.token, body: b, ok: true}
		}},
		{name: "accept", want: 200, next: func(i int, r *rand.Rand) request {
			// Client i serves lecturers i, i+n, i+2n… one after the other.
			mu.Lock()
			defer mu.Unlock()
			for {
				li := i + nextLecturer[i]*clients
				if li >= len(w.lecs) {
					return request{}
				}
				l := w.lecs[li]
				if k := nextPending[li]; k < len(l.pending) {
					nextPending[li]++
					return request{method: "POST", path: "/api/v1/orders/" + strconv.FormatInt(l.pending[k], 10) + "/accept",
						token: l.token, body: []byte(`{"slot":0}`), ok: true}
				}
				nextLecturer[i]++
			}
		}},
	}
}

// runLoad starts weike on o.dsn, runs every scenario with its ceilings,
// and returns the results.
func runLoad(ctx context.Context, o *loadOpts, log io.Writer) ([]*result, error) {
	d, err := db.Open(o.dsn)
	if err != nil {
		return nil, err
	}
	w, err := loadWorld(ctx, d, o.clients)
	d.Close()
	if err != nil {
		return nil, err
	}
	args := []string{"--db", o.dsn}
	if o.logFile != "" {
		args = append(args, "--log", o.logFile)
	}
	srv, err := startChild("server", args...)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	ceil, err := startChild("ceiling")
	if err != nil {
		return nil, err
	}
	defer ceil.stop()
	fmt.Fprintf(log, "[%s] signing in %d secretaries, %d lecturers, the officials and the county viewer\n", o.label, len(w.secs), len(w.lecs))
	official := map[string]string{}
	for i, s := range w.secs {
		if s.token, err = signIn(srv.base, s.login); err != nil {
			return nil, err
		}
		lg := w.officials[i]
		if official[lg] == "" {
			if official[lg], err = signIn(srv.base, lg); err != nil {
				return nil, err
			}
		}
		s.officialToken = official[lg]
	}
	// Lecturers sign in four at a time: bcrypt makes each take a while.
	var wg sync.WaitGroup
	errs := make(chan error, len(w.lecs))
	sem := make(chan struct{}, 4)
	for _, l := range w.lecs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			var err error
			if l.token, err = signIn(srv.base, l.login); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	if w.countyToken, err = signIn(srv.base, w.county); err != nil {
		return nil, err
	}

	var out []*result
	pid := srv.cmd.Process.Pid
	for _, sc := range w.scenarios(o.clients) {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		var during func()
		if sc.name == o.profile {
			during = func() { saveProfile(srv.pprof, o.duration, o.profileOut, log) }
		}
		if sc.name == "order-create" {
			// The storage ceiling first, while the server is idle: the same
			// transaction through database/sql, on the same database.
			st, err := storageCeiling(ctx, o.dsn, w, o.clients, o.warmup, o.duration)
			if err != nil {
				return out, fmt.Errorf("storage ceiling: %w", err)
			}
			fmt.Fprintf(log, "[%s] storage ceiling (check-then-insert via database/sql): %.0f tx/s, p99 %s\n", o.label, st.rps(), st.p99)
			out = append(out, st)
		}
		r := drive(ctx, srv.base, sc, o.clients, o.warmup, o.duration, pid, during)
		r.db = o.label
		// The HTTP ceiling: the same client, the same method and sizes.
		method := "GET"
		var body []byte
		if r.reqBytes > 0 {
			method, body = "POST", fixedJSON(int(r.reqBytes))
		}
		size := int(r.bytes)
		hc := drive(ctx, ceil.base, scenario{name: "http-ceiling", want: 200, next: func(int, *rand.Rand) request {
			return request{method: method, path: "/fixed?size=" + strconv.Itoa(size), token: "x", body: body, ok: true}
		}}, o.clients, o.warmup/2, o.duration/2, 0, nil)
		r.ceilHTTP = hc.rps()
		if sc.name == "order-create" || sc.name == "accept" {
			for _, x := range out {
				if x.name == "storage-ceiling" {
					r.ceilStore = x.rps()
				}
			}
		}
		fmt.Fprintf(log, "[%s] %-15s %7.0f req/s  p50 %-9s p95 %-9s p99 %-9s  %5.0f MB  (HTTP ceiling %.0f req/s at %d B)  statuses %v\n",
			o.label, r.name, r.rps(), r.p50.Round(10*time.Microsecond), r.p95.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond),
			r.peakMB, r.ceilHTTP, size, r.statuses)
		out = append(out, r)
		if sc.name == "matrix" {
			// The goal is a latency of one request, not of a queue of 32.
			one := drive(ctx, srv.base, sc, 1, o.warmup/2, o.duration/2, pid, nil)
			one.db, one.name = o.label, "matrix, 1 client"
			fmt.Fprintf(log, "[%s] %-15s %7.0f req/s  p50 %-9s p95 %-9s p99 %s\n", o.label, one.name, one.rps(),
				one.p50.Round(10*time.Microsecond), one.p95.Round(10*time.Microsecond), one.p99.Round(10*time.Microsecond))
			out = append(out, one)
		}
	}
	hwm := float64(rssKB(pid, "VmHWM")) / 1024
	fmt.Fprintf(log, "[%s] server peak resident memory over the whole run: %.0f MB\n", o.label, hwm)
	out = append(out, &result{db: o.label, name: "server-peak", peakMB: hwm})
	return out, nil
}

func saveProfile(pprofAddr string, d time.Duration, file string, log io.Writer) {
	res, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", pprofAddr, max(1, int(d.Seconds()))))
	if err != nil {
		fmt.Fprintln(log, "profile:", err)
		return
	}
	defer res.Body.Close()
	f, err := os.Create(file)
	if err != nil {
		fmt.Fprintln(log, "profile:", err)
		return
	}
	defer f.Close()
	_, _ = io.Copy(f, res.Body)
	fmt.Fprintf(log, "server CPU profile written to %s (go tool pprof -top %s)\n", file, file)
}

// printTable writes the results as a Markdown table, each figure beside its
// ceiling.
func printTable(w io.Writer, rs []*result) {
	fmt.Fprintln(w, "| db | scenario | req/s | p50 ms | p95 ms | p99 ms | peak MB | body B | HTTP ceiling req/s | % of HTTP ceiling | storage ceiling tx/s | % of storage ceiling | non-2xx |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) }
	for _, r := range rs {
		if r.name == "server-peak" {
			fmt.Fprintf(w, "| %s | server peak RSS, whole run | | | | | %.0f | | | | | | |\n", r.db, r.peakMB)
			continue
		}
		pctH, pctS, ceilS, ceilH := "", "", "", ""
		if r.ceilHTTP > 0 {
			ceilH = fmt.Sprintf("%.0f", r.ceilHTTP)
			pctH = fmt.Sprintf("%.0f%%", 100*r.rps()/r.ceilHTTP)
		}
		if r.ceilStore > 0 {
			ceilS = fmt.Sprintf("%.0f", r.ceilStore)
			pctS = fmt.Sprintf("%.0f%%", 100*r.rps()/r.ceilStore)
		}
		peak := ""
		if r.peakMB > 0 {
			peak = fmt.Sprintf("%.0f", r.peakMB)
		}
		var bad []string
		for code, n := range r.statuses {
			if n > 0 && (code < 200 || code > 299) {
				bad = append(bad, fmt.Sprintf("%d×%d", n, code))
			}
		}
		sort.Strings(bad)
		note := strings.Join(bad, " ")
		if r.note != "" {
			note = strings.TrimSpace(note + " " + r.note)
		}
		fmt.Fprintf(w, "| %s | %s | %.0f | %s | %s | %s | %s | %.0f | %s | %s | %s | %s | %s |\n", r.db, r.name, r.rps(),
			ms(r.p50), ms(r.p95), ms(r.p99), peak, r.bytes, ceilH, pctH, ceilS, pctS, note)
	}
}
