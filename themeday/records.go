package themeday

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"weike/internal/apperr"
	"weike/internal/tz"
	"weike/lessons"
	"weike/org"
)

// PracticeTypes are the kinds of practice activity (微实践) of product.md.
var PracticeTypes = []string{"走访慰问", "送学上门", "环境整治", "文明劝导", "便民服务", "抗洪防汛", "义诊", "义剪", "义修",
	"助农春耕", "助农秋收", "民情走访", "政策宣讲", "其他"}

// Viewing is a branch watching an education film (观看记录).
type Viewing struct {
	ID        int64     `json:"id"`
	TownID    int64     `json:"town_id"`
	BranchID  int64     `json:"branch_id"`
	FilmID    *int64    `json:"film_id"`
	FilmTitle string    `json:"film_title"`
	Day       string    `json:"date"`
	Month     string    `json:"-"`
	Attendees int       `json:"attendees"`
	Notes     string    `json:"notes"`
	CreatedBy *int64    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedBy *int64    `json:"updated_by"`
	UpdatedAt time.Time `json:"updated_at"`
	// Filled by reads.
	BranchName string   `json:"branch_name" gorm:"-"`
	Changes    []Change `json:"changes,omitempty" gorm:"-"`
}

// Practice is a branch's service activity (微实践).
type Practice struct {
	ID           int64     `json:"id"`
	TownID       int64     `json:"town_id"`
	BranchID     int64     `json:"branch_id"`
	Type         string    `json:"type"`
	Day          string    `json:"date"`
	Month        string    `json:"-"`
	Participants int       `json:"participants"`
	Opinions     int       `json:"opinions"`
	ServiceItems int       `json:"service_items"`
	Notes        string    `json:"notes"`
	CreatedBy    *int64    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedBy    *int64    `json:"updated_by"`
	UpdatedAt    time.Time `json:"updated_at"`
	BranchName   string    `json:"branch_name" gorm:"-"`
	Changes      []Change  `json:"changes,omitempty" gorm:"-"`
}

// Change is one edit of a viewing or practice: who, when, and each field's
// value before and after.
type Change struct {
	ID        int64                `json:"id"`
	TownID    int64                `json:"-"`
	Kind      string               `json:"-"`
	RecordID  int64                `json:"-"`
	AccountID *int64               `json:"account_id"`
	At        time.Time            `json:"at"`
	Raw       string               `json:"-" gorm:"column:changes"`
	Fields    map[string][2]string `json:"fields" gorm:"-"`
	Who       string               `json:"who" gorm:"-"`
}

// TableName keeps the schema's name.
func (Change) TableName() string { return "record_changes" }

// ViewingInput is what a secretary (or official) records.
type ViewingInput struct {
	BranchID  int64  `json:"branch_id"`
	FilmID    int64  `json:"film_id"`
	FilmTitle string `json:"film_title"` // a film not in the catalog
	Date      string `json:"date"`
	Attendees int    `json:"attendees"`
	Notes     string `json:"notes"`
}

// PracticeInput is what a secretary (or official) records.
type PracticeInput struct {
	BranchID     int64  `json:"branch_id"`
	Type         string `json:"type"`
	Date         string `json:"date"`
	Participants int    `json:"participants"`
	Opinions     int    `json:"opinions"`
	ServiceItems int    `json:"service_items"`
	Notes        string `json:"notes"`
}

// recordBranch decides which branch a record is for: a secretary's own
// (naming another is forbidden), any branch of the town for an official.
func recordBranch(act org.Actor, want int64) (int64, error) {
	switch act.Role {
	case org.RoleSecretary:
		if want != 0 && want != act.BranchID {
			return 0, apperr.New(apperr.Forbidden, "record.own_branch_only")
		}
		return act.BranchID, nil
	case org.RoleOfficial:
		if want == 0 {
			return 0, apperr.New(apperr.Invalid, "validation").Field("branch_id", "field.required")
		}
		return want, nil
	}
	if act.Role == org.RoleCounty {
		return 0, apperr.New(apperr.Forbidden, "forbidden.read_only")
	}
	return 0, apperr.New(apperr.Forbidden, "forbidden")
}

// checkDay reads a past or present local day.
func (s *Store) checkDay(fs *apperr.FieldSet, v string) (string, string) {
	loc := tz.Shanghai
	d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(v), loc)
	if err != nil {
		fs.Add("date", "field.date")
		return "", ""
	}
	if d.Year() < 2000 {
		fs.Add("date", "field.date_too_old")
		return "", ""
	}
	if d.After(s.now().In(loc)) {
		fs.Add("date", "member.date_future")
	}
	return d.Format("2006-01-02"), d.Format("2006-01")
}

func (s *Store) checkViewing(tx *gorm.DB, townID int64, in *ViewingInput) (*Viewing, error) {
	var fs apperr.FieldSet
	v := &Viewing{}
	v.Day, v.Month = s.checkDay(&fs, in.Date)
	in.Notes, in.FilmTitle = strings.TrimSpace(in.Notes), strings.TrimSpace(in.FilmTitle)
	if in.Attendees < 1 || in.Attendees > 10000 {
		fs.Add("attendees", "field.range")
	}
	if utf8.RuneCountInString(in.Notes) > 2000 {
		fs.Add("notes", "field.too_long")
	}
	if in.FilmID == 0 && in.FilmTitle == "" {
		fs.Add("film_id", "field.required")
	}
	if utf8.RuneCountInString(in.FilmTitle) > 80 {
		fs.Add("film_title", "field.too_long")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	if in.FilmID != 0 {
		var title string
		if err := tx.Table("films").Select("title").Where("id = ? AND town_id = ?", in.FilmID, townID).Scan(&title).Error; err != nil {
			return nil, err
		}
		if title == "" {
			return nil, apperr.New(apperr.Invalid, "validation").Field("film_id", "field.film_unknown")
		}
		id := in.FilmID
		v.FilmID, v.FilmTitle = &id, title
	} else {
		v.FilmTitle = in.FilmTitle
	}
	v.Attendees, v.Notes = in.Attendees, in.Notes
	return v, nil
}

func (s *Store) checkPractice(in *PracticeInput) (*Practice, error) {
	var fs apperr.FieldSet
	p := &Practice{}
	p.Day, p.Month = s.checkDay(&fs, in.Date)
	in.Type, in.Notes = strings.TrimSpace(in.Type), strings.TrimSpace(in.Notes)
	if n := utf8.RuneCountInString(in.Type); n == 0 || n > 20 {
		fs.Add("type", "field.required")
	}
	if in.Participants < 1 || in.Participants > 10000 {
		fs.Add("participants", "field.range")
	}
	if in.Opinions < 0 || in.Opinions > 10000 {
		fs.Add("opinions", "field.range")
	}
	if in.ServiceItems < 0 || in.ServiceItems > 10000 {
		fs.Add("service_items", "field.range")
	}
	if utf8.RuneCountInString(in.Notes) > 2000 {
		fs.Add("notes", "field.too_long")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	p.Type, p.Participants, p.Opinions, p.ServiceItems, p.Notes = in.Type, in.Participants, in.Opinions, in.ServiceItems, in.Notes
	return p, nil
}

func (s *Store) branchOfTown(tx *gorm.DB, act org.Actor, branchID int64) (int64, error) {
	var townID int64
	if err := tx.Table("branches").Where("id = ? AND town_id IN ?", branchID, act.Towns).Pluck("town_id", &townID).Error; err != nil {
		return 0, err
	}
	if townID == 0 {
		return 0, apperr.New(apperr.Invalid, "validation").Field("branch_id", "field.branch_unknown")
	}
	if act.Role == org.RoleOfficial && townID != act.TownID {
		return 0, apperr.New(apperr.Invalid, "validation").Field("branch_id", "field.branch_unknown")
	}
	return townID, nil
}

// CreateViewing records a film viewing.
func (s *Store) CreateViewing(ctx context.Context, act org.Actor, in ViewingInput) (_ *Viewing, err error) {
	defer apperr.Wrap(&err, "themeday: create viewing")
	branch, err := recordBranch(act, in.BranchID)
	if err != nil {
		return nil, err
	}
	var v *Viewing
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		town, err := s.branchOfTown(tx, act, branch)
		if err != nil {
			return err
		}
		if v, err = s.checkViewing(tx, town, &in); err != nil {
			return err
		}
		id, now := act.AccountID, s.now()
		v.TownID, v.BranchID, v.CreatedBy, v.UpdatedBy, v.CreatedAt, v.UpdatedAt = town, branch, &id, &id, now, now
		return tx.Create(v).Error
	})
	if err != nil {
		return nil, err
	}
	return s.Viewing(ctx, act, v.ID)
}

// CreatePractice records a practice activity.
func (s *Store) CreatePractice(ctx context.Context, act org.Actor, in PracticeInput) (_ *Practice, err error) {
	defer apperr.Wrap(&err, "themeday: create practice")
	branch, err := recordBranch(act, in.BranchID)
	if err != nil {
		return nil, err
	}
	p, err := s.checkPractice(&in)
	if err != nil {
		return nil, err
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		town, err := s.branchOfTown(tx, act, branch)
		if err != nil {
			return err
		}
		id, now := act.AccountID, s.now()
		p.TownID, p.BranchID, p.CreatedBy, p.UpdatedBy, p.CreatedAt, p.UpdatedAt = town, branch, &id, &id, now, now
		return tx.Create(p).Error
	})
	if err != nil {
		return nil, err
	}
	return s.Practice(ctx, act, p.ID)
}

// MayEditRecord reports whether act may change a viewing or practice of
// branch in town: the branch's secretary or an official of the town. The
// pages ask it to offer the edit form; the store asks it again on saving.
func MayEditRecord(act org.Actor, townID, branchID int64) bool {
	return act.Role == org.RoleSecretary && act.BranchID == branchID || act.IsOfficialOf(townID)
}

// mayEdit is MayEditRecord as the store's refusal.
func mayEdit(act org.Actor, townID, branchID int64) error {
	if MayEditRecord(act, townID, branchID) {
		return nil
	}
	if act.Role == org.RoleCounty {
		return apperr.New(apperr.Forbidden, "forbidden.read_only")
	}
	return apperr.New(apperr.Forbidden, "forbidden")
}

// mayRead: the branch's secretary, the town's officials and lecturers, the county.
func mayRead(act org.Actor, townID, branchID int64) bool {
	if !act.CanRead(townID) {
		return false
	}
	return act.Role != org.RoleSecretary || act.BranchID == branchID
}

// diff lists the fields whose values differ, as strings.
func diff(before, after map[string]any) map[string][2]string {
	out := map[string][2]string{}
	for k, a := range after {
		b := before[k]
		as, bs := toString(a), toString(b)
		if as != bs {
			out[k] = [2]string{bs, as}
		}
	}
	return out
}

func toString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case *int64:
		if x == nil {
			return ""
		}
		return toString(*x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (s *Store) logChange(tx *gorm.DB, act org.Actor, townID int64, kind string, id int64, fields map[string][2]string) error {
	if len(fields) == 0 {
		return nil
	}
	raw, _ := json.Marshal(fields)
	acc := act.AccountID
	return tx.Create(&Change{TownID: townID, Kind: kind, RecordID: id, AccountID: &acc, At: s.now(), Raw: string(raw)}).Error
}

// UpdateViewing changes a viewing and logs what changed.
func (s *Store) UpdateViewing(ctx context.Context, act org.Actor, id int64, in ViewingInput) (_ *Viewing, err error) {
	defer apperr.Wrap(&err, "themeday: update viewing %d", id)
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		var cur Viewing
		if err := org.LoadScoped(tx, act, id, &cur, "viewing"); err != nil {
			return err
		}
		if !mayRead(act, cur.TownID, cur.BranchID) {
			return apperr.NotFoundf("viewing")
		}
		if err := mayEdit(act, cur.TownID, cur.BranchID); err != nil {
			return err
		}
		if in.BranchID != 0 && in.BranchID != cur.BranchID {
			return apperr.New(apperr.Invalid, "validation").Field("branch_id", "record.branch_fixed")
		}
		nv, err := s.checkViewing(tx, cur.TownID, &in)
		if err != nil {
			return err
		}
		before := map[string]any{"film_id": cur.FilmID, "film_title": cur.FilmTitle, "date": cur.Day, "attendees": cur.Attendees, "notes": cur.Notes}
		after := map[string]any{"film_id": nv.FilmID, "film_title": nv.FilmTitle, "date": nv.Day, "attendees": nv.Attendees, "notes": nv.Notes}
		acc := act.AccountID
		if err := tx.Model(&Viewing{}).Where("id = ?", id).Updates(map[string]any{"film_id": nv.FilmID, "film_title": nv.FilmTitle,
			"day": nv.Day, "month": nv.Month, "attendees": nv.Attendees, "notes": nv.Notes, "updated_by": &acc, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		return s.logChange(tx, act, cur.TownID, "viewing", id, diff(before, after))
	})
	if err != nil {
		return nil, err
	}
	return s.Viewing(ctx, act, id)
}

// UpdatePractice changes a practice and logs what changed.
func (s *Store) UpdatePractice(ctx context.Context, act org.Actor, id int64, in PracticeInput) (_ *Practice, err error) {
	defer apperr.Wrap(&err, "themeday: update practice %d", id)
	np, err := s.checkPractice(&in)
	if err != nil {
		return nil, err
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		var cur Practice
		if err := org.LoadScoped(tx, act, id, &cur, "practice"); err != nil {
			return err
		}
		if !mayRead(act, cur.TownID, cur.BranchID) {
			return apperr.NotFoundf("practice")
		}
		if err := mayEdit(act, cur.TownID, cur.BranchID); err != nil {
			return err
		}
		if in.BranchID != 0 && in.BranchID != cur.BranchID {
			return apperr.New(apperr.Invalid, "validation").Field("branch_id", "record.branch_fixed")
		}
		before := map[string]any{"type": cur.Type, "date": cur.Day, "participants": cur.Participants, "opinions": cur.Opinions,
			"service_items": cur.ServiceItems, "notes": cur.Notes}
		after := map[string]any{"type": np.Type, "date": np.Day, "participants": np.Participants, "opinions": np.Opinions,
			"service_items": np.ServiceItems, "notes": np.Notes}
		acc := act.AccountID
		if err := tx.Model(&Practice{}).Where("id = ?", id).Updates(map[string]any{"type": np.Type, "day": np.Day, "month": np.Month,
			"participants": np.Participants, "opinions": np.Opinions, "service_items": np.ServiceItems, "notes": np.Notes,
			"updated_by": &acc, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		return s.logChange(tx, act, cur.TownID, "practice", id, diff(before, after))
	})
	if err != nil {
		return nil, err
	}
	return s.Practice(ctx, act, id)
}

func (s *Store) changes(ctx context.Context, kind string, id int64) ([]Change, error) {
	cs := []Change{}
	if err := s.db.R.WithContext(ctx).Where("kind = ? AND record_id = ?", kind, id).Order("id").Find(&cs).Error; err != nil {
		return nil, err
	}
	for i := range cs {
		if err := json.Unmarshal([]byte(cs[i].Raw), &cs[i].Fields); err != nil {
			return nil, fmt.Errorf("change %d: %w", cs[i].ID, err)
		}
		if cs[i].AccountID != nil {
			if err := s.db.R.WithContext(ctx).Table("accounts").Select("name").Where("id = ?", *cs[i].AccountID).Scan(&cs[i].Who).Error; err != nil {
				return nil, err
			}
		}
	}
	return cs, nil
}

// Viewing returns one viewing with its change log.
func (s *Store) Viewing(ctx context.Context, act org.Actor, id int64) (_ *Viewing, err error) {
	defer apperr.Wrap(&err, "themeday: viewing %d", id)
	var v Viewing
	if err := org.LoadScoped(s.db.R.WithContext(ctx), act, id, &v, "viewing"); err != nil {
		return nil, err
	}
	if !mayRead(act, v.TownID, v.BranchID) {
		return nil, apperr.NotFoundf("viewing")
	}
	if err := s.db.R.WithContext(ctx).Table("branches").Select("name").Where("id = ?", v.BranchID).Scan(&v.BranchName).Error; err != nil {
		return nil, err
	}
	v.Changes, err = s.changes(ctx, "viewing", id)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Practice returns one practice with its change log.
func (s *Store) Practice(ctx context.Context, act org.Actor, id int64) (_ *Practice, err error) {
	defer apperr.Wrap(&err, "themeday: practice %d", id)
	var p Practice
	if err := org.LoadScoped(s.db.R.WithContext(ctx), act, id, &p, "practice"); err != nil {
		return nil, err
	}
	if !mayRead(act, p.TownID, p.BranchID) {
		return nil, apperr.NotFoundf("practice")
	}
	if err := s.db.R.WithContext(ctx).Table("branches").Select("name").Where("id = ?", p.BranchID).Scan(&p.BranchName).Error; err != nil {
		return nil, err
	}
	p.Changes, err = s.changes(ctx, "practice", id)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// RecordFilter narrows viewing and practice lists.
type RecordFilter struct {
	TownID   int64
	BranchID int64
	Month    string // YYYY-MM
	From, To string // YYYY-MM, inclusive
	// Limit caps Viewings and Practices (500 when unset or over 5000).
	Limit int
	// Page (1-based) and PerPage place ViewingPage and PracticePage among
	// the matches (PerPage 50 when unset or over MaxRecordsPerPage).
	Page, PerPage int
}

// MaxRecordsPerPage is the largest page of viewings, practices or member
// lessons: the API's default, so that a client that never pages still gets
// the first 500 as before, and now the true total.
const MaxRecordsPerPage = 500

// perPage settles a page's place: page 1 and perPage def when unset or out of range.
func perPage(page, per, def int) (int, int) {
	if per <= 0 || per > MaxRecordsPerPage {
		per = def
	}
	if page <= 0 {
		page = 1
	}
	return page, per
}

// recordScope is the records act may see that f matches, unordered.
func (s *Store) recordScope(ctx context.Context, act org.Actor, f RecordFilter) (*gorm.DB, error) {
	q := s.db.R.WithContext(ctx).Where("town_id IN ?", act.ScopeTowns(f.TownID))
	if act.Role == org.RoleSecretary {
		q = q.Where("branch_id = ?", act.BranchID)
	}
	if f.BranchID != 0 {
		q = q.Where("branch_id = ?", f.BranchID)
	}
	for _, m := range []string{f.Month, f.From, f.To} {
		if m != "" {
			if _, err := time.Parse("2006-01", m); err != nil {
				return nil, apperr.New(apperr.BadRequest, "bad_request").Field("month", "field.month")
			}
		}
	}
	if f.Month != "" {
		q = q.Where("month = ?", f.Month)
	}
	if f.From != "" {
		q = q.Where("month >= ?", f.From)
	}
	if f.To != "" {
		q = q.Where("month <= ?", f.To)
	}
	return q, nil
}

func (s *Store) recordQuery(ctx context.Context, act org.Actor, f RecordFilter) (*gorm.DB, error) {
	q, err := s.recordScope(ctx, act, f)
	if err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 5000 {
		f.Limit = 500
	}
	return q.Order("day DESC, id DESC").Limit(f.Limit), nil
}

// recordPage finds one page of the records (model *Viewing or *Practice)
// that f matches, newest first, and how many match in all.
func recordPage[T any](s *Store, ctx context.Context, act org.Actor, f RecordFilter, name func(*T, map[int64]string)) (*lessons.Page[T], error) {
	page, per := perPage(f.Page, f.PerPage, 50)
	q, err := s.recordScope(ctx, act, f)
	if err != nil {
		return nil, err
	}
	p := &lessons.Page[T]{Items: []T{}, Page: page, PerPage: per}
	if err := q.Session(&gorm.Session{}).Model(new(T)).Count(&p.Total).Error; err != nil {
		return nil, err
	}
	if err := q.Order("day DESC, id DESC").Offset((page - 1) * per).Limit(per).Find(&p.Items).Error; err != nil {
		return nil, err
	}
	names, err := s.branchNames(ctx, act)
	for i := range p.Items {
		name(&p.Items[i], names)
	}
	return p, err
}

// Viewings lists the viewings the actor may see, at most f.Limit.
func (s *Store) Viewings(ctx context.Context, act org.Actor, f RecordFilter) (_ []Viewing, err error) {
	defer apperr.Wrap(&err, "themeday: viewings")
	q, err := s.recordQuery(ctx, act, f)
	if err != nil {
		return nil, err
	}
	vs := []Viewing{}
	if err := q.Find(&vs).Error; err != nil {
		return nil, err
	}
	names, err := s.branchNames(ctx, act)
	for i := range vs {
		vs[i].BranchName = names[vs[i].BranchID]
	}
	return vs, err
}

// ViewingPage is one page of the viewings the actor may see, with their total.
func (s *Store) ViewingPage(ctx context.Context, act org.Actor, f RecordFilter) (_ *lessons.Page[Viewing], err error) {
	defer apperr.Wrap(&err, "themeday: viewing page")
	return recordPage(s, ctx, act, f, func(v *Viewing, names map[int64]string) { v.BranchName = names[v.BranchID] })
}

// Practices lists the practices the actor may see, at most f.Limit.
func (s *Store) Practices(ctx context.Context, act org.Actor, f RecordFilter) (_ []Practice, err error) {
	defer apperr.Wrap(&err, "themeday: practices")
	q, err := s.recordQuery(ctx, act, f)
	if err != nil {
		return nil, err
	}
	ps := []Practice{}
	if err := q.Find(&ps).Error; err != nil {
		return nil, err
	}
	names, err := s.branchNames(ctx, act)
	for i := range ps {
		ps[i].BranchName = names[ps[i].BranchID]
	}
	return ps, err
}

// PracticePage is one page of the practices the actor may see, with their total.
func (s *Store) PracticePage(ctx context.Context, act org.Actor, f RecordFilter) (_ *lessons.Page[Practice], err error) {
	defer apperr.Wrap(&err, "themeday: practice page")
	return recordPage(s, ctx, act, f, func(p *Practice, names map[int64]string) { p.BranchName = names[p.BranchID] })
}

func (s *Store) branchNames(ctx context.Context, act org.Actor) (map[int64]string, error) {
	var rows []struct {
		ID   int64
		Name string
	}
	err := s.db.R.WithContext(ctx).Table("branches").Select("id, name").Where("town_id IN ?", act.Towns).Scan(&rows).Error
	m := make(map[int64]string, len(rows))
	for _, r := range rows {
		m[r.ID] = r.Name
	}
	return m, err
}
