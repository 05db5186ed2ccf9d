package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"weike/dispatch"
	"weike/internal/i18n"
	"weike/internal/table"
	"weike/internal/tz"
	"weike/lessons"
	"weike/org"
)

// planItemJSON is a proposal as `weike plan draft --json` prints it: the
// API's fields with the names beside the ids.
type planItemJSON struct {
	BranchID    int64         `json:"branch_id"`
	Branch      string        `json:"branch"`
	CourtyardID int64         `json:"courtyard_id"`
	Courtyard   string        `json:"courtyard"`
	LessonID    int64         `json:"lesson_id"`
	Lesson      string        `json:"lesson"`
	LecturerID  int64         `json:"lecturer_id"`
	Lecturer    string        `json:"lecturer"`
	Start       time.Time     `json:"start"`
	Cost        dispatch.Cost `json:"cost"`
	Reasons     []string      `json:"reasons"`
}

type planUnplacedJSON struct {
	BranchID int64  `json:"branch_id"`
	Branch   string `json:"branch"`
	Reason   string `json:"reason"`
}

type planDraftJSON struct {
	Town     string             `json:"town"`
	TownID   int64              `json:"town_id"`
	Month    string             `json:"month"`
	Items    []planItemJSON     `json:"items"`
	Unplaced []planUnplacedJSON `json:"unplaced"`
	Stats    dispatch.Stats     `json:"stats"`
	// TookMS is the whole draft's time: reading the town and solving.
	TookMS float64 `json:"took_ms"`
}

// cmdPlanDraft prints the dispatch draft (派单草案) of every town, or one, for
// a month: what an official would see on the dispatch page, for operators
// and scripts. Nothing is written.
func cmdPlanDraft(ctx context.Context, args []string, env func(string) string, out, errw io.Writer) error {
	var month, town, lang string
	var asJSON bool
	cfg, _, err := parseConfig("plan draft", args, env, func(fs *flag.FlagSet) {
		fs.StringVar(&month, "month", "", "the month to draft, YYYY-MM (default: next month in each town's zone)")
		fs.StringVar(&town, "town", "", "only this town (default: every town)")
		fs.StringVar(&lang, "lang", i18n.ZH, "the language of the reasons: zh-CN or en")
		fs.BoolVar(&asJSON, "json", false, "print JSON instead of tables")
	})
	if err != nil {
		return err
	}
	if month != "" {
		if _, err := lessons.ParseMonth(month); err != nil {
			return fmt.Errorf("--month %q: want YYYY-MM", month)
		}
	}
	log := newLogger(cfg, errw)
	d, err := openDB(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	st, err := newStores(d, cfg, log, time.Now)
	if err != nil {
		return err
	}
	planner := dispatch.NewStore(time.Now, st.orgs, st.cat, st.book, st.themeday)
	towns, err := st.letters.Towns(ctx)
	if err != nil {
		return err
	}
	var drafts []planDraftJSON
	found := false
	for _, t := range towns {
		if town != "" && t.Name != town {
			continue
		}
		found = true
		// The operator reads as the town's own system does.
		act := org.Actor{Role: org.RoleOfficial, TownID: t.ID, Towns: []int64{t.ID}}
		started := time.Now()
		dr, err := planner.Draft(ctx, act, month, dispatch.DraftInput{})
		if err != nil {
			return fmt.Errorf("%s: %w", t.Name, err)
		}
		took := time.Since(started)
		pd := planDraftJSON{Town: t.Name, TownID: t.ID, Month: dr.Month, Items: []planItemJSON{}, Unplaced: []planUnplacedJSON{},
			Stats: dr.Stats, TookMS: float64(took.Microseconds()) / 1000}
		for _, it := range dr.Items {
			var reasons []string
			for _, n := range it.Reasons {
				reasons = append(reasons, i18n.T(lang, n.Key, n.Params...))
			}
			pd.Items = append(pd.Items, planItemJSON{BranchID: it.BranchID, Branch: it.Branch, CourtyardID: it.CourtyardID,
				Courtyard: it.Courtyard, LessonID: it.LessonID, Lesson: it.Lesson, LecturerID: it.LecturerID, Lecturer: it.Lecturer,
				Start: it.Start, Cost: it.Cost, Reasons: reasons})
		}
		for _, u := range dr.Unplaced {
			pd.Unplaced = append(pd.Unplaced, planUnplacedJSON{BranchID: u.BranchID, Branch: u.Branch,
				Reason: i18n.T(lang, u.Reason.Key, u.Reason.Params...)})
		}
		drafts = append(drafts, pd)
		if !asJSON {
			if err := printDraft(out, pd, tz.Load(t.Timezone)); err != nil {
				return err
			}
		}
	}
	if town != "" && !found {
		return fmt.Errorf("no town %q", town)
	}
	if asJSON {
		if drafts == nil {
			drafts = []planDraftJSON{}
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(drafts)
	}
	return nil
}

func printDraft(out io.Writer, pd planDraftJSON, loc *time.Location) error {
	fmt.Fprintf(out, "%s %s: %d branches without a lesson, %d placed, %d unplaced; solver %.1f ms, draft %.1f ms\n",
		pd.Town, pd.Month, pd.Stats.Branches, pd.Stats.Placed, len(pd.Unplaced), pd.Stats.SolverMS, pd.TookMS)
	tw := table.New(out)
	if len(pd.Items) > 0 {
		tw.Row("  START", "BRANCH", "COURTYARD", "LESSON", "LECTURER", "TOPIC", "KM", "LOAD", "WHY")
		for _, it := range pd.Items {
			tw.Row("  "+it.Start.In(loc).Format("2006-01-02 15:04"), it.Branch, it.Courtyard, it.Lesson, it.Lecturer,
				strconv.FormatInt(it.Cost.Topic, 10), strconv.FormatFloat(it.Cost.TravelKM, 'f', 1, 64), strconv.Itoa(it.Cost.Load),
				strings.Join(it.Reasons, "; "))
		}
	}
	for _, u := range pd.Unplaced {
		tw.Row("  (unplaced)", u.Branch, u.Reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(out)
	return err
}
