package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"weike/lessons"
	"weike/org"
	"weike/themeday"
)

// The theme day's records: member lessons, the lists of viewings and
// practices, a record's change history, and what their forms share. A viewing's own code is in
// pages_viewings.go, a practice's in pages_practices.go.

// ---- record lists ----

type recordsView struct {
	pager     // the list is long: 50 a page
	Viewings  []themeday.Viewing
	Practices []practiceItem
	Branches  []choice
	Wide      bool // officials and county viewers filter by branch
	CanAdd    bool
}

// recordsPerPage is how many records, viewings, practices or member
// lessons, a list page shows.
const recordsPerPage = 50

// recordsPage renders a page of a list of records, viewings or practices,
// by month and, for officials and county viewers, by branch; list puts the
// page of records the filter finds into the view and returns their total.
func (s *Server) recordsPage(c echo.Context, page, path, title string, list func(act org.Actor, f themeday.RecordFilter, v *recordsView) (int64, error)) error {
	act := actor(c)
	f := themeday.RecordFilter{PerPage: recordsPerPage}
	month, errs := listMonth(c)
	f.Month = month
	var err error
	if f.BranchID, err = queryID(c, "branch_id"); err != nil {
		return err
	}
	if f.Page, err = queryInt(c, "page"); err != nil {
		return err
	}
	v := recordsView{Wide: act.Role != org.RoleSecretary, CanAdd: act.Role == org.RoleSecretary || act.Role == org.RoleOfficial}
	if v.Wide {
		bs, err := s.Org.Branches(c.Request().Context(), act, org.BranchFilter{})
		if err != nil {
			return err
		}
		for _, b := range bs {
			v.Branches = append(v.Branches, choice{Value: strconv.FormatInt(b.ID, 10), Label: b.Name})
		}
	}
	total, err := list(act, f, &v)
	if err != nil {
		return err
	}
	v.pager = pagerOf(c, path, total, max(f.Page, 1), recordsPerPage)
	return s.renderStatus(c, listStatus(errs), page, pageData{Title: title, Data: v, Form: queryForm(c, "month", "branch_id"), Errors: errs})
}

func (s *Server) viewingsPage(c echo.Context) error {
	return s.recordsPage(c, "viewings", "/viewings", T(langOf(c), "td.viewings.title"), func(act org.Actor, f themeday.RecordFilter, v *recordsView) (int64, error) {
		p, err := s.ThemeDay.ViewingPage(c.Request().Context(), act, f)
		if err != nil {
			return 0, err
		}
		v.Viewings = p.Items
		return p.Total, nil
	})
}

func (s *Server) practicesPage(c echo.Context) error {
	lang := langOf(c)
	return s.recordsPage(c, "practices", "/practices", T(lang, "td.practices.title"), func(act org.Actor, f themeday.RecordFilter, v *recordsView) (int64, error) {
		p, err := s.ThemeDay.PracticePage(c.Request().Context(), act, f)
		if err != nil {
			return 0, err
		}
		for _, it := range p.Items {
			v.Practices = append(v.Practices, practiceItem{Practice: it, TypeLabel: practiceTypeLabel(lang, it.Type)})
		}
		return p.Total, nil
	})
}

// ---- member lessons ----

type memberItem struct {
	themeday.MemberLesson
	Branch string
}

type memberLessonsView struct {
	pager  // the list is long: 50 a page
	Items  []memberItem
	CanAdd bool
}

func (s *Server) memberLessonsPage(c echo.Context) error {
	act := actor(c)
	f := themeday.MemberLessonFilter{PerPage: recordsPerPage}
	month, errs := listMonth(c)
	f.Month = month
	var err error
	if f.Page, err = queryInt(c, "page"); err != nil {
		return err
	}
	p, err := s.ThemeDay.MemberLessonPage(c.Request().Context(), act, f)
	if err != nil {
		return err
	}
	names, err := s.branchNames(c, act)
	if err != nil {
		return err
	}
	topics, err := s.Lessons.Topics(c.Request().Context(), act)
	if err != nil {
		return err
	}
	labels := topicLabels(langOf(c), topics)
	v := memberLessonsView{pager: pagerOf(c, "/member-lessons", p.Total, p.Page, p.PerPage),
		CanAdd: act.Role == org.RoleSecretary || act.Role == org.RoleOfficial}
	for _, m := range p.Items {
		m.Topic = labelOr(labels, m.Topic)
		v.Items = append(v.Items, memberItem{MemberLesson: m, Branch: names[m.BranchID]})
	}
	return s.renderStatus(c, listStatus(errs), "member_lessons", pageData{Title: T(langOf(c), "op.member.title"), Data: v,
		Form: queryForm(c, "month"), Errors: errs, Flash: savedFlash(c)})
}

type memberFormView struct {
	Branches []choice // officials pick the branch
	Topics   []choice
}

// memberLessonForm is the form of a member lesson (党员自学课). One is
// recorded, never edited, so the form has no edit routes.
func (s *Server) memberLessonForm() *recordForm[themeday.MemberLesson, themeday.NewMemberLesson] {
	return &recordForm[themeday.MemberLesson, themeday.NewMemberLesson]{s: s, page: "member_lesson_form",
		titles: [2]string{"op.member.new"},
		fields: []string{"branch_id", "title", "topic", "speaker", "date", "attendees"},
		blank:  func(echo.Context) map[string]string { return map[string]string{"date": s.today()} },
		view: func(c echo.Context, _ formState[themeday.MemberLesson, themeday.NewMemberLesson]) (any, error) {
			act := actor(c)
			lang := langOf(c)
			var v memberFormView
			var err error
			if v.Branches, err = s.recordBranches(c, act); err != nil {
				return nil, err
			}
			topics, err := s.Lessons.Topics(c.Request().Context(), act)
			if err != nil {
				return nil, err
			}
			labels := topicLabels(lang, topics)
			for _, t := range topics {
				if t.TownID == act.TownID {
					v.Topics = append(v.Topics, choice{Value: t.Name, Label: labels[t.Name]})
				}
			}
			return v, nil
		},
		read: func(_ echo.Context, _ int64, form map[string]string, bad fieldCodes) (themeday.NewMemberLesson, error) {
			return themeday.NewMemberLesson{BranchID: int64(bad.intField(form, "branch_id")), Title: form["title"], Topic: form["topic"],
				Speaker: form["speaker"], Date: form["date"], Attendees: bad.intField(form, "attendees")}, nil
		},
		create: s.ThemeDay.RecordMemberLesson,
		shown:  func(*themeday.MemberLesson) string { return "/member-lessons?saved=1" },
	}
}

// ---- change history ----

type fieldChangeView struct {
	Label  string
	Before string
	After  string
}

type changeView struct {
	Who    string
	At     time.Time
	Fields []fieldChangeView
}

var (
	viewingFieldOrder  = []string{"film_title", "film_id", "date", "attendees", "notes"}
	practiceFieldOrder = []string{"type", "date", "participants", "opinions", "service_items", "notes"}
)

// changeViews puts a record's change log into words: field names in the
// reader's language, days and types the way the pages show them.
func changeViews(lang string, cs []themeday.Change, order []string, films map[string]string, notesKey string) []changeView {
	value := func(field, v string) string {
		if v == "" {
			if field == "film_id" {
				return T(lang, "td.film.other")
			}
			return "—"
		}
		switch field {
		case "date":
			return fmtDay(lang, v)
		case "type":
			return practiceTypeLabel(lang, v)
		case "film_id":
			if t, ok := films[v]; ok {
				return t
			}
		}
		return v
	}
	out := make([]changeView, 0, len(cs))
	for i := len(cs) - 1; i >= 0; i-- { // newest first
		ch := cs[i]
		cv := changeView{Who: ch.Who, At: ch.At}
		if cv.Who == "" {
			cv.Who = T(lang, "td.change.someone")
		}
		for _, f := range order {
			if d, ok := ch.Fields[f]; ok {
				label := T(lang, "td.field."+f)
				if f == "notes" {
					label = T(lang, notesKey)
				}
				cv.Fields = append(cv.Fields, fieldChangeView{Label: label, Before: value(f, d[0]), After: value(f, d[1])})
			}
		}
		out = append(out, cv)
	}
	return out
}

// recordBranches lists the branches an official may record for.
func (s *Server) recordBranches(c echo.Context, act org.Actor) ([]choice, error) {
	if act.Role != org.RoleOfficial {
		return nil, nil
	}
	bs, err := s.Org.Branches(c.Request().Context(), act, org.BranchFilter{TownID: act.TownID, ActiveOnly: true})
	if err != nil {
		return nil, err
	}
	out := make([]choice, 0, len(bs))
	for _, b := range bs {
		out = append(out, choice{Value: strconv.FormatInt(b.ID, 10), Label: b.Name})
	}
	return out, nil
}

func (s *Server) ownBranchName(c echo.Context, act org.Actor) string {
	if act.Role != org.RoleSecretary {
		return ""
	}
	if b, err := s.Org.Branch(c.Request().Context(), act, act.BranchID); err == nil {
		return b.Name
	}
	return ""
}

// tdFormView is a viewing's or a practice's form besides its fields.
type tdFormView struct {
	ID         int64
	Action     string
	Back       string
	Branches   []choice // officials pick the branch of a new record
	BranchName string   // the fixed branch otherwise
	Today      string
	FilmGroups []filmGroup
	Types      []choice
}

// tdFormData is what a viewing's and a practice's form show alike: where
// it posts, where "cancel" leads, and the branch. list is the kind's list
// (/viewings), id the record's (0 for a new one), branch its branch's name.
func (s *Server) tdFormData(c echo.Context, list string, id int64, branch string) (tdFormView, error) {
	v := tdFormView{ID: id, Today: s.today(), Action: list + "/new", Back: list}
	if id != 0 {
		v.BranchName = branch
		v.Action, v.Back = fmt.Sprintf("%s/%d/edit", list, id), fmt.Sprintf("%s/%d", list, id)
		return v, nil
	}
	act := actor(c)
	var err error
	if v.Branches, err = s.recordBranches(c, act); err != nil {
		return v, err
	}
	v.BranchName = s.ownBranchName(c, act)
	if act.Role == org.RoleSecretary {
		v.Back = "/this-month"
	}
	return v, nil
}

// validMonth reports whether m is a month the plans know (2000–2100).
func validMonth(m string) bool {
	_, err := lessons.ParseMonth(m)
	return err == nil
}

// formMonth is the month a record form is about: its date's, else (a date
// the form will refuse, too old or unreadable) this month.
func (s *Server) formMonth(day string) string {
	if t, err := time.Parse("2006-01-02", strings.TrimSpace(day)); err == nil {
		if m := t.Format("2006-01"); validMonth(m) {
			return m
		}
	}
	return s.thisMonth()
}
