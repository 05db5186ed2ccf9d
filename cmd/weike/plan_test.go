package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanDraft: `weike plan draft` prints each town's draft as a table, or
// JSON, with the solver's time; --town narrows it; nothing is written.
func TestPlanDraft(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "weike.db")
	s := seedDemo(t, dsn)
	env := map[string]string{"WEIKE_DB": dsn, "WEIKE_LOG_LEVEL": "error"}

	out := cli(t, env, "plan", "draft", "--month", s.month)
	for _, want := range []string{"春华镇 " + s.month + ":", "漆河镇 " + s.month + ":", "placed", "solver", "START", "LECTURER", "WHY",
		"近6个月未上过该主题", "本月第1堂", "龙王庙村"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	out = cli(t, env, "plan", "draft", "--month", s.month, "--town", "漆河镇", "--json", "--lang", "en")
	var drafts []struct {
		Town  string
		Month string
		Items []struct {
			Branch  string
			Reasons []string
		}
		Unplaced []struct{ Branch, Reason string }
		Stats    struct {
			Branches, Placed int
			SolverMS         float64 `json:"solver_ms"`
		}
	}
	if err := json.Unmarshal([]byte(out), &drafts); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(drafts) != 1 || drafts[0].Town != "漆河镇" || drafts[0].Month != s.month {
		t.Fatalf("drafts %+v", drafts)
	}
	d := drafts[0]
	if len(d.Items) == 0 || d.Stats.Placed != len(d.Items) || d.Stats.Branches != len(d.Items)+len(d.Unplaced) || d.Stats.SolverMS <= 0 {
		t.Fatalf("draft %+v", d)
	}
	if r := strings.Join(d.Items[0].Reasons, "; "); !strings.Contains(r, "km") || !strings.Contains(r, "this month") {
		t.Errorf("reasons in English: %s", r)
	}

	// Nothing was written: the month still has everything to place.
	var second []struct {
		Items    []struct{ Branch, Lesson, Lecturer, Start string }
		Unplaced []struct{ Branch string }
	}
	if err := json.Unmarshal([]byte(cli(t, env, "plan", "draft", "--month", s.month, "--town", "漆河镇", "--json")), &second); err != nil {
		t.Fatal(err)
	}
	if len(second) != 1 || len(second[0].Items) != len(d.Items) || len(second[0].Unplaced) != len(d.Unplaced) {
		t.Errorf("a second draft differs: %+v", second)
	}

	var buf, errw bytes.Buffer
	if err := run(context.Background(), []string{"plan", "draft", "--town", "无此镇"}, envOf(env), &buf, &errw); err == nil ||
		!strings.Contains(err.Error(), "无此镇") {
		t.Errorf("an unknown town: %v", err)
	}
	if err := run(context.Background(), []string{"plan", "draft", "--month", "2027-13"}, envOf(env), &buf, &errw); err == nil {
		t.Error("a bad month was taken")
	}
}
