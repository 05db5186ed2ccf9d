package booking

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ical "github.com/emersion/go-ical"
)

func TestICSFoldsLongChineseLines(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("屋场微党课等你来，春华稻花香；", 12)
	start := time.Date(2026, 12, 5, 6, 0, 0, 0, time.UTC)
	cal := &Calendar{Name: "微党课 · 黄春梅", Timezone: "Asia/Shanghai", Events: []CalendarEvent{{
		UID: "order-7@weike", Start: start, End: start.Add(30 * time.Minute), Summary: long,
		Location: "抛砖屋场, 龙王庙村", Description: "第一行\n第二行; 还有\\反斜杠", Sequence: 3, Stamp: start,
	}}}
	out := ICS(cal)
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line of %d octets: %q", len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("a fold split a character: %q", line)
		}
	}
	parsed, err := ical.NewDecoder(bytes.NewReader(out)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	evs := parsed.Events()
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	ev := evs[0]
	if got, _ := ev.Props.Text(ical.PropSummary); got != long {
		t.Errorf("summary came back as %q", got)
	}
	if got, _ := ev.Props.Text(ical.PropDescription); got != "第一行\n第二行; 还有\\反斜杠" {
		t.Errorf("description came back as %q", got)
	}
	if got, _ := ev.Props.Text(ical.PropLocation); got != "抛砖屋场, 龙王庙村" {
		t.Errorf("location came back as %q", got)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	st, err := ev.DateTimeStart(loc)
	if err != nil || !st.Equal(start) {
		t.Errorf("start %v %v, want %v", st, err, start)
	}
	if ev.Props.Get(ical.PropSequence).Value != "3" {
		t.Errorf("sequence %v", ev.Props.Get(ical.PropSequence))
	}
}
