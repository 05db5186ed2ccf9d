package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"weike/internal/db"
)

// ---- a write load through the API, shared by the crash and backup tests ----

// apiClient is one signed-in demo account.
type apiClient struct {
	t     *testing.T
	base  string
	token string
	login string
}

var loadHTTP = &http.Client{Timeout: 30 * time.Second}

func signIn(t *testing.T, base, login string) *apiClient {
	t.Helper()
	c := &apiClient{t: t, base: base, login: login}
	var s struct{ Token string }
	if code := c.call("POST", "/api/v1/session", map[string]string{"login": login, "password": "demo1234"}, &s); code != 200 {
		t.Fatalf("sign in %s: %d", login, code)
	}
	c.token = s.Token
	return c
}

// call sends a JSON request and decodes the answer into out; it returns the
// status, or -1 when the server did not answer at all.
func (c *apiClient) call(method, path string, body, out any) int {
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := loadHTTP.Do(req)
	if err != nil {
		return -1
	}
	defer res.Body.Close()
	if out != nil {
		_ = json.NewDecoder(res.Body).Decode(out)
	}
	return res.StatusCode
}

// orderPlan is a secretary with the orders she can place: each a distinct
// (lesson, lecturer, time) her branch may really order, from the free-slots
// endpoint, so every create of the load is a valid one.
type orderPlan struct {
	c        *apiClient
	branchID int64
	bodies   []map[string]any
}

func planOrders(t *testing.T, base string, logins []string) []*orderPlan {
	t.Helper()
	var plans []*orderPlan
	for _, login := range logins {
		c := signIn(t, base, login)
		var me struct {
			BranchID int64 `json:"branch_id"`
		}
		if code := c.call("GET", "/api/v1/me", nil, &me); code != 200 || me.BranchID == 0 {
			t.Fatalf("%s /me: %d %+v", login, code, me)
		}
		var br struct {
			Courtyards []struct{ ID int64 } `json:"courtyards"`
		}
		if code := c.call("GET", "/api/v1/branches/"+strconv.FormatInt(me.BranchID, 10), nil, &br); code != 200 || len(br.Courtyards) == 0 {
			t.Fatalf("%s branch: %d %+v", login, code, br)
		}
		var ls struct{ Items []struct{ ID int64 } }
		if code := c.call("GET", "/api/v1/lessons?per_page=100", nil, &ls); code != 200 || len(ls.Items) == 0 {
			t.Fatalf("%s lessons: %d", login, code)
		}
		p := &orderPlan{c: c, branchID: me.BranchID}
		for _, l := range ls.Items[:min(6, len(ls.Items))] {
			var sl struct {
				Items []struct {
					Start      time.Time `json:"start"`
					LecturerID int64     `json:"lecturer_id"`
				}
			}
			if code := c.call("GET", fmt.Sprintf("/api/v1/lessons/%d/slots", l.ID), nil, &sl); code != 200 {
				t.Fatalf("%s slots of %d: %d", login, l.ID, code)
			}
			for _, s := range sl.Items {
				p.bodies = append(p.bodies, map[string]any{"lesson_id": l.ID, "lecturer_id": s.LecturerID,
					"courtyard_id": br.Courtyards[0].ID, "slots": []string{s.Start.Format(time.RFC3339)}, "audience": 30})
			}
		}
		if len(p.bodies) == 0 {
			t.Fatalf("%s has no free slot to order", login)
		}
		plans = append(plans, p)
	}
	return plans
}

// ack is an order the server answered 201 for.
type ack struct {
	id    int64
	login string
}

// writeLoad creates orders from every plan concurrently until stop is
// closed or the plans run out, and reports each 201 on acks.
func writeLoad(plans []*orderPlan, workersPerPlan int, stop <-chan struct{}, acks chan<- ack) *sync.WaitGroup {
	var wg sync.WaitGroup
	for _, p := range plans {
		var mu sync.Mutex
		next := 0
		for range workersPerPlan {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					mu.Lock()
					if next >= len(p.bodies) {
						mu.Unlock()
						return
					}
					body := p.bodies[next]
					next++
					mu.Unlock()
					var o struct{ ID int64 }
					code := p.c.call("POST", "/api/v1/orders", body, &o)
					if code == -1 {
						return // the server is gone
					}
					if code == http.StatusCreated {
						select {
						case acks <- ack{o.ID, p.c.login}:
						case <-stop:
							return
						}
					}
				}
			}()
		}
	}
	return &wg
}

// checkOrdersWhole opens a SQLite file and checks SQLite's integrity check,
// the foreign keys, and that no order lacks the audit event written in the
// same transaction. It returns the number of orders.
func checkOrdersWhole(t *testing.T, path string) int64 {
	t.Helper()
	d, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var ic []string
	if err := d.R.Raw("PRAGMA integrity_check").Scan(&ic).Error; err != nil || len(ic) != 1 || ic[0] != "ok" {
		t.Fatalf("integrity_check: %v %v", ic, err)
	}
	var fk []map[string]any
	if err := d.R.Raw("PRAGMA foreign_key_check").Scan(&fk).Error; err != nil || len(fk) != 0 {
		t.Fatalf("foreign_key_check: %v %v", fk, err)
	}
	var orphans, orders int64
	d.R.Raw("SELECT COUNT(*) FROM orders WHERE NOT EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = orders.id AND e.to_status = 'requested')").Scan(&orphans)
	if orphans != 0 {
		t.Fatalf("%d orders without their 'requested' event: half-written", orphans)
	}
	d.R.Raw("SELECT COUNT(*) FROM orders").Scan(&orders)
	return orders
}

// countOrders counts the orders in a SQLite file (the demo comes with some).
func countOrders(t *testing.T, path string) int64 {
	t.Helper()
	d, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int64
	if err := d.R.Raw("SELECT COUNT(*) FROM orders").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// ---- the crash test ----

// buildWeike compiles this command once for tests that need a real process.
func buildWeike(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "weike")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startWeike runs `weike serve --demo` as a process and waits until it is ready.
func startWeike(t *testing.T, bin, dbPath string) (*exec.Cmd, string) {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve", "--demo", "--db", dbPath, "--addr", addr, "--log-level", "error")
	cmd.Env = append(os.Environ(), "WEIKE_DB=", "WEIKE_ADDR=")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	base := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return cmd, base
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("weike serve exited: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatal("weike serve did not become ready")
	return nil, ""
}

// TestCrashMidWrite kills the server with SIGKILL while secretaries are
// placing orders, restarts it, and checks that every order answered 201 is
// there with its audit event, and that nothing is half-written.
func TestCrashMidWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it twice")
	}
	bin := buildWeike(t)
	dbPath := filepath.Join(t.TempDir(), "crash.db")
	srv, base := startWeike(t, bin, dbPath)

	plans := planOrders(t, base, []string{"secretary", "sec-chunhuashan", "sec-jindingshan", "sec-jiumu"})
	demoOrders := countOrders(t, dbPath)
	stop := make(chan struct{})
	acks := make(chan ack, 1024)
	wg := writeLoad(plans, 3, stop, acks)

	// Kill in the middle: after a good number of acknowledged writes, with
	// twelve more in flight.
	var acked []ack
	for len(acked) < 60 {
		select {
		case a := <-acks:
			acked = append(acked, a)
		case <-time.After(30 * time.Second):
			t.Fatalf("the load stalled after %d orders", len(acked))
		}
	}
	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Collect the answers that raced the kill: a 201 that reached the
	// client before the process died counts as acknowledged too.
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	deadline := time.After(60 * time.Second)
collect:
	for {
		select {
		case a := <-acks:
			acked = append(acked, a)
		case <-done:
			break collect
		case <-deadline:
			close(stop)
			t.Fatal("the load did not stop after the kill")
		}
	}
	close(stop)
	for {
		select {
		case a := <-acks:
			acked = append(acked, a)
			continue
		default:
		}
		break
	}

	_, base = startWeike(t, bin, dbPath)
	clients := map[string]*apiClient{}
	for _, a := range acked {
		c := clients[a.login]
		if c == nil {
			c = signIn(t, base, a.login)
			clients[a.login] = c
		}
		var o struct {
			Status  string
			History []struct{ To string }
		}
		if code := c.call("GET", "/api/v1/orders/"+strconv.FormatInt(a.id, 10), nil, &o); code != 200 {
			t.Errorf("order %d was acknowledged, then lost in the crash: %d", a.id, code)
			continue
		}
		if o.Status != "requested" || len(o.History) == 0 || o.History[0].To != "requested" {
			t.Errorf("order %d came back as %+v", a.id, o)
		}
	}
	n := checkOrdersWhole(t, dbPath) - demoOrders
	if n < int64(len(acked)) {
		t.Fatalf("%d new orders in the database, %d acknowledged", n, len(acked))
	}
	t.Logf("%d orders acknowledged before the kill, %d new in the database after restart", len(acked), n)
}
