package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"weike/internal/db"
)

// TestBackupLiveAndRestore copies the demo database while secretaries place
// orders, checks that the copy is whole, then serves the copy (the restore)
// and finds through the API exactly the orders the copy holds.
func TestBackupLiveAndRestore(t *testing.T) {
	dir := t.TempDir()
	live, copyPath := filepath.Join(dir, "live.db"), filepath.Join(dir, "copy.db")
	logins := []string{"secretary", "sec-chunhuashan", "sec-jindingshan"}
	var before, after int
	var demoOrders int64
	serveOnce(t, live, func(base string) {
		plans := planOrders(t, base, logins)
		demoOrders = countOrders(t, live)
		stop := make(chan struct{})
		acks := make(chan ack, 4096)
		wg := writeLoad(plans, 2, stop, acks)
		got := 0
		wait := func(n int) {
			deadline := time.After(30 * time.Second)
			for got < n {
				select {
				case <-acks:
					got++
				case <-deadline:
					t.Fatalf("the load stalled at %d orders", got)
				}
			}
		}
		wait(20)
		before = got // acknowledged before the backup began: the copy must hold them
		var out bytes.Buffer
		if err := run(context.Background(), []string{"backup", "--db", live, copyPath}, envOf(nil), &out, io.Discard); err != nil {
			t.Fatalf("backup under load: %v", err)
		}
		if !strings.Contains(out.String(), "integrity ok") {
			t.Errorf("backup said %q", out.String())
		}
		wait(before + 10) // and the service went on writing
		close(stop)
		wg.Wait()
		after = got + len(acks)
	})
	n := checkOrdersWhole(t, copyPath)
	if made := n - demoOrders; made < int64(before) || made > int64(after) {
		t.Fatalf("the copy holds %d new orders; %d were acknowledged before the backup, %d by the end", made, before, after)
	}

	// Restore: weike serves the copy, and each branch's orders through the
	// API are the copy's rows.
	c, err := db.Open(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	want, wantTown := map[int64]int64{}, map[int64]int64{}
	var rows []struct{ BranchID, TownID, N int64 }
	c.R.Raw("SELECT branch_id, town_id, COUNT(*) AS n FROM orders GROUP BY branch_id, town_id").Scan(&rows)
	for _, r := range rows {
		want[r.BranchID] += r.N
		wantTown[r.TownID] += r.N
	}
	c.Close()
	serveOnce(t, copyPath, func(base string) {
		for _, login := range append(logins, "official", "qh-official") {
			cl := signIn(t, base, login)
			var me struct {
				BranchID int64 `json:"branch_id"`
				Town     struct{ ID int64 }
			}
			cl.call("GET", "/api/v1/me", nil, &me)
			var page struct{ Total int64 }
			if code := cl.call("GET", "/api/v1/orders", nil, &page); code != 200 {
				t.Fatalf("orders on the restored copy: %d", code)
			}
			exp := want[me.BranchID]
			if me.BranchID == 0 {
				exp = wantTown[me.Town.ID]
			}
			if page.Total != exp || exp == 0 {
				t.Errorf("%s sees %d orders on the restored copy; the copy holds %d", login, page.Total, exp)
			}
		}
	})
}

func TestBackupRefusals(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	live := filepath.Join(dir, "w.db")
	if err := run(ctx, []string{"migrate", "--db", live}, envOf(nil), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(dir, "taken.db")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no file", []string{"backup", "--db", live}, "usage"},
		{"target exists", []string{"backup", "--db", live, existing}, "exists"},
		{"no database", []string{"backup", "--db", filepath.Join(dir, "typo.db"), filepath.Join(dir, "x.db")}, "no database"},
		{"postgres", []string{"backup", "--db", "postgres://weike:s3cret@db.internal/weike", filepath.Join(dir, "x.dump")}, "pg_dump"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := run(ctx, tc.args, envOf(nil), io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("the password was printed: %v", err)
			}
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Error("an existing file was overwritten")
	}
	if _, err := os.Stat(filepath.Join(dir, "typo.db")); err == nil {
		t.Error("a mistyped database path was created")
	}
	// A backup of an idle database is a database at the same version.
	out := filepath.Join(dir, "idle.db")
	if err := run(ctx, []string{"backup", "--db", live, out}, envOf(nil), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.CheckVersion(ctx); err != nil {
		t.Fatalf("the copy: %v", err)
	}
}
