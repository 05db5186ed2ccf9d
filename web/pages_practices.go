package web

import (
	"fmt"
	"strconv"

	"github.com/labstack/echo/v4"

	"weike/org"
	"weike/themeday"
)

// Practice activities (实践): a practice's page with its history, and its form.

type practicePageView struct {
	P         *themeday.Practice
	TypeLabel string
	CanEdit   bool
	History   []changeView
}

func (s *Server) practicePage(c echo.Context) error {
	rec, err := pathRecord(c, s.ThemeDay.Practice)
	if err != nil {
		return err
	}
	act := actor(c)
	lang := langOf(c)
	v := practicePageView{P: rec, TypeLabel: practiceTypeLabel(lang, rec.Type), CanEdit: themeday.MayEditRecord(act, rec.TownID, rec.BranchID),
		History: changeViews(lang, rec.Changes, practiceFieldOrder, nil, "td.field.practice_notes")}
	return s.render(c, "practice", pageData{Title: T(lang, "td.practice.title"), Data: v, Flash: savedFlash(c)})
}

func (s *Server) practiceForm() *recordForm[themeday.Practice, themeday.PracticeInput] {
	return &recordForm[themeday.Practice, themeday.PracticeInput]{s: s, page: "practice_form",
		titles: [2]string{"td.practice.new", "td.practice.edit"},
		fields: []string{"branch_id", "type", "date", "participants", "opinions", "service_items", "notes"},
		blank: func(echo.Context) map[string]string {
			return map[string]string{"date": s.today(), "opinions": "0", "service_items": "0"}
		},
		load: s.ThemeDay.Practice,
		mayEdit: func(act org.Actor, p *themeday.Practice) bool {
			return themeday.MayEditRecord(act, p.TownID, p.BranchID)
		},
		loadFirst: true,
		fill: func(_ string, rec *themeday.Practice) map[string]string {
			return map[string]string{"type": rec.Type, "date": rec.Day, "participants": strconv.Itoa(rec.Participants),
				"opinions": strconv.Itoa(rec.Opinions), "service_items": strconv.Itoa(rec.ServiceItems), "notes": rec.Notes}
		},
		view: func(c echo.Context, f formState[themeday.Practice, themeday.PracticeInput]) (any, error) {
			branch := ""
			if f.Rec != nil {
				branch = f.Rec.BranchName
			}
			v, err := s.tdFormData(c, "/practices", f.ID, branch)
			v.Types = practiceTypes(langOf(c), f.Form["type"])
			return v, err
		},
		read: func(_ echo.Context, id int64, form map[string]string, bad fieldCodes) (themeday.PracticeInput, error) {
			in := themeday.PracticeInput{Type: form["type"], Date: form["date"],
				Participants: bad.intField(form, "participants"), Opinions: bad.intField(form, "opinions"),
				ServiceItems: bad.intField(form, "service_items"), Notes: form["notes"]}
			if id == 0 { // a practice's branch is set when it is made
				in.BranchID = int64(bad.intField(form, "branch_id"))
			}
			return in, nil
		},
		create: s.ThemeDay.CreatePractice,
		update: s.ThemeDay.UpdatePractice,
		shown:  func(p *themeday.Practice) string { return fmt.Sprintf("/practices/%d?saved=1", p.ID) },
	}
}
