package web

import (
	"context"
	"fmt"
	"strconv"

	"github.com/labstack/echo/v4"

	"weike/lessons"
	"weike/org"
)

// Branches (党支部) and their courtyards (屋场): the list, a branch's page,
// the branch and courtyard forms.

type branchesView struct {
	Items   []org.Branch
	Kinds   []choice
	Towns   []choice
	CanEdit bool
}

func branchKinds(lang string) []choice {
	out := []choice{}
	for _, k := range []string{org.KindVillage, org.KindCommunity, org.KindOther} {
		out = append(out, choice{Value: k, Label: T(lang, "cat.kind."+k)})
	}
	return out
}

func (s *Server) branchesPage(c echo.Context) error {
	lang := langOf(c)
	return s.catalogList(c, "branches", T(lang, "nav.branches"), []string{"q", "kind", "town_id"}, func(act org.Actor, townID int64, towns []choice) (any, error) {
		bs, err := s.Org.Branches(c.Request().Context(), act, org.BranchFilter{TownID: townID, Kind: c.QueryParam("kind"), Q: c.QueryParam("q")})
		return branchesView{Items: bs, Kinds: branchKinds(lang), Towns: towns, CanEdit: keepsCatalog(act)}, err
	})
}

type courtyardItem struct {
	org.Courtyard
	MapURL string
}

type branchPageView struct {
	B          *org.Branch
	Courtyards []courtyardItem
	Lecturers  []lessons.Lecturer
	CanEdit    bool
}

// amapURL links a point on Amap's public marker page: a plain link, so the
// page itself loads nothing from another site.
func amapURL(c org.Courtyard) string {
	if c.Lat == nil || c.Lng == nil {
		return ""
	}
	return "https://uri.amap.com/marker?position=" + strconv.FormatFloat(*c.Lng, 'f', -1, 64) + "," + strconv.FormatFloat(*c.Lat, 'f', -1, 64)
}

func (s *Server) branchPage(c echo.Context) error {
	b, err := pathRecord(c, s.Org.Branch)
	if err != nil {
		return err
	}
	act := actor(c)
	ctx := c.Request().Context()
	v := branchPageView{B: b, CanEdit: act.IsOfficialOf(b.TownID)}
	for _, cy := range b.Courtyards {
		v.Courtyards = append(v.Courtyards, courtyardItem{Courtyard: cy, MapURL: amapURL(cy)})
	}
	lecs, err := s.Lessons.Lecturers(ctx, act, lessons.LecturerFilter{TownID: b.TownID})
	if err != nil {
		return err
	}
	for _, l := range lecs {
		if l.BranchID != nil && *l.BranchID == b.ID {
			v.Lecturers = append(v.Lecturers, l)
		}
	}
	return s.render(c, "branch", pageData{Title: b.Name, Data: v, Flash: savedFlash(c)})
}

// ---- the branch form ----

type branchFormView struct {
	ID    int64
	Kinds []choice
}

func (s *Server) branchForm() *recordForm[org.Branch, org.BranchInput] {
	return &recordForm[org.Branch, org.BranchInput]{s: s, page: "branch_form",
		titles: [2]string{"cat.branch.new", "cat.branch.edit"},
		fields: []string{"name", "kind", "member_count", "secretary_name", "phone", "active"},
		blank:  defaults(map[string]string{"kind": org.KindVillage, "active": "1"}),
		load:   s.Org.Branch,
		fill: func(_ string, b *org.Branch) map[string]string {
			form := map[string]string{"name": b.Name, "kind": b.Kind, "member_count": strconv.Itoa(b.MemberCount),
				"secretary_name": b.SecretaryName, "phone": b.Phone}
			if b.Active {
				form["active"] = "1"
			}
			return form
		},
		view: func(c echo.Context, f formState[org.Branch, org.BranchInput]) (any, error) {
			return branchFormView{ID: f.ID, Kinds: branchKinds(langOf(c))}, nil
		},
		read: func(_ echo.Context, _ int64, form map[string]string, bad fieldCodes) (org.BranchInput, error) {
			active := form["active"] == "1"
			return org.BranchInput{Name: form["name"], Kind: form["kind"], MemberCount: bad.intField(form, "member_count"),
				SecretaryName: form["secretary_name"], Phone: form["phone"], Active: &active}, nil
		},
		create: s.Org.CreateBranch,
		update: s.Org.UpdateBranch,
		shown:  func(b *org.Branch) string { return fmt.Sprintf("/branches/%d?saved=1", b.ID) },
	}
}

// ---- the courtyard form ----

type courtyardFormView struct {
	ID     int64
	Branch *org.Branch
	Action string
}

// courtyardPost is a posted courtyard form with the branch a new courtyard
// goes under, which its URL names.
type courtyardPost struct {
	branchID int64
	org.CourtyardInput
}

// courtyardForm is a courtyard's form. A new courtyard's URL names its
// branch (/branches/:id/courtyards/new), an edit's the courtyard; either
// way the form shows the branch, which the caller must be able to see.
func (s *Server) courtyardForm() *recordForm[org.Courtyard, courtyardPost] {
	return &recordForm[org.Courtyard, courtyardPost]{s: s, page: "courtyard_form",
		titles:    [2]string{"cat.courtyard.new", "cat.courtyard.edit"},
		fields:    []string{"name", "address", "lat", "lng", "active"},
		blank:     defaults(map[string]string{"active": "1"}),
		load:      s.Org.Courtyard,
		loadFirst: true,
		fill: func(_ string, cy *org.Courtyard) map[string]string {
			form := map[string]string{"name": cy.Name, "address": cy.Address}
			if cy.Lat != nil && cy.Lng != nil {
				form["lat"] = strconv.FormatFloat(*cy.Lat, 'f', -1, 64)
				form["lng"] = strconv.FormatFloat(*cy.Lng, 'f', -1, 64)
			}
			if cy.Active {
				form["active"] = "1"
			}
			return form
		},
		view: func(c echo.Context, f formState[org.Courtyard, courtyardPost]) (any, error) {
			var b *org.Branch
			var err error
			if f.Rec != nil {
				b, err = s.Org.Branch(c.Request().Context(), actor(c), f.Rec.BranchID)
			} else {
				b, err = pathRecord(c, s.Org.Branch)
			}
			if err != nil {
				return nil, err
			}
			v := courtyardFormView{ID: f.ID, Branch: b, Action: fmt.Sprintf("/branches/%d/courtyards/new", b.ID)}
			if f.ID != 0 {
				v.Action = fmt.Sprintf("/courtyards/%d/edit", f.ID)
			}
			return v, nil
		},
		read: func(c echo.Context, id int64, form map[string]string, bad fieldCodes) (courtyardPost, error) {
			var p courtyardPost
			if id == 0 {
				b, err := pathRecord(c, s.Org.Branch)
				if err != nil {
					return p, err
				}
				p.branchID = b.ID
			}
			active := form["active"] == "1"
			p.CourtyardInput = org.CourtyardInput{Name: form["name"], Address: form["address"], Lat: bad.floatField(form, "lat"),
				Lng: bad.floatField(form, "lng"), Active: &active}
			return p, nil
		},
		create: func(ctx context.Context, act org.Actor, p courtyardPost) (*org.Courtyard, error) {
			return s.Org.CreateCourtyard(ctx, act, p.branchID, p.CourtyardInput)
		},
		update: func(ctx context.Context, act org.Actor, id int64, p courtyardPost) (*org.Courtyard, error) {
			return s.Org.UpdateCourtyard(ctx, act, id, p.CourtyardInput)
		},
		shown: func(cy *org.Courtyard) string { return fmt.Sprintf("/branches/%d?saved=1", cy.BranchID) },
	}
}
