// Package lessons is the catalog of a town: topics, lecturers with their
// weekly availability and blackout dates, the micro party lessons they are
// qualified to give, education films, and each month's featured lessons.
// Everyone of a town reads it; only the town's officials change it.
package lessons

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"weike/internal/tz"

	"gorm.io/gorm"

	"weike/internal/apperr"
	"weike/internal/db"
	"weike/org"
)

// Lesson statuses.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
	StatusRetired   = "retired"
)

// Duration bounds of a micro lesson, in minutes.
const (
	MinDuration = 10
	MaxDuration = 45
)

// Lesson is a micro party lesson (微党课) of the catalog.
type Lesson struct {
	ID              int64     `json:"id"`
	TownID          int64     `json:"town_id"`
	Title           string    `json:"title"`
	TopicID         int64     `json:"topic_id"`
	Topic           string    `json:"topic" gorm:"->;-:migration"`
	Summary         string    `json:"summary"`
	Outline         string    `json:"outline"`
	DurationMinutes int       `json:"duration_minutes"`
	Materials       string    `json:"-"`
	Status          string    `json:"status"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
	LecturerIDs     []int64   `json:"lecturer_ids" gorm:"-"`
	MaterialLinks   []string  `json:"materials" gorm:"-"`
	Featured        bool      `json:"featured" gorm:"-"`
}

// Topic is a theme of lessons; each town has the six of product.md and may add more.
type Topic struct {
	ID     int64  `json:"id"`
	TownID int64  `json:"town_id"`
	Name   string `json:"name"`
	NameEn string `json:"name_en"`
	Sort   int    `json:"sort"`
}

// DefaultTopics are the topics every town starts with.
var DefaultTopics = []Topic{
	{Name: "乡村振兴", NameEn: "Rural revitalisation"},
	{Name: "文旅融合", NameEn: "Culture and tourism"},
	{Name: "红色教育", NameEn: "Red history"},
	{Name: "基层治理", NameEn: "Grassroots governance"},
	{Name: "政策理论", NameEn: "Policy and theory"},
	{Name: "廉洁教育", NameEn: "Integrity"},
}

// Store is the catalog's one handle on the database.
type Store struct {
	db   *db.DB
	now  func() time.Time
	loc  *time.Location
	vers versions
}

// NewStore makes a store; now is the injected clock.
func NewStore(d *db.DB, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: d, now: func() time.Time { return now().UTC() }, loc: tz.Shanghai, vers: versions{v: map[int64]int64{}}}
}

// EnsureTopics gives a town the default topics it lacks (operator use).
func (s *Store) EnsureTopics(ctx context.Context, townID int64) (err error) {
	defer apperr.Wrap(&err, "lessons: ensure topics")
	return s.catalogTx(ctx, townID, func(tx *gorm.DB) error {
		for i, t := range DefaultTopics {
			var n int64
			if err := tx.Model(&Topic{}).Where("town_id = ? AND name = ?", townID, t.Name).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			t.TownID, t.Sort = townID, i+1
			if err := tx.Create(&t).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// Topics lists the topics of the actor's towns.
func (s *Store) Topics(ctx context.Context, act org.Actor) (_ []Topic, err error) {
	defer apperr.Wrap(&err, "lessons: topics")
	var ts []Topic
	err = s.db.R.WithContext(ctx).Where("town_id IN ?", act.Towns).Order("town_id, sort, id").Find(&ts).Error
	return ts, err
}

// CreateTopic adds a topic to the official's town.
func (s *Store) CreateTopic(ctx context.Context, act org.Actor, name, nameEn string) (_ *Topic, err error) {
	defer apperr.Wrap(&err, "lessons: create topic")
	if err := act.RequireOfficial(); err != nil {
		return nil, err
	}
	name, nameEn = strings.TrimSpace(name), strings.TrimSpace(nameEn)
	var fs apperr.FieldSet
	if n := utf8.RuneCountInString(name); n == 0 || n > 20 {
		fs.Add("name", "field.required")
	}
	if utf8.RuneCountInString(nameEn) > 60 {
		fs.Add("name_en", "field.too_long")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	t := &Topic{TownID: act.TownID, Name: name, NameEn: nameEn, Sort: 100}
	if err := s.catalogTx(ctx, act.TownID, func(tx *gorm.DB) error { return tx.Create(t).Error }); err != nil {
		if db.IsUniqueViolation(err) {
			return nil, apperr.New(apperr.Conflict, "topic.name_taken").With("name", name).Field("name", "topic.name_taken")
		}
		return nil, err
	}
	return t, nil
}

// LessonFilter narrows and orders a lesson list.
type LessonFilter struct {
	TownID      int64  // a county viewer's pick
	Topic       string // a topic id or name
	LecturerID  int64
	MinDuration int
	MaxDuration int
	Featured    bool // in this month's plan
	Q           string
	Status      string // officials only; others always see published lessons
	Sort        string // "title", "duration", "-duration", "newest" (default: topic then id)
	Page        int
	PerPage     int
}

// Page is one page of a list.
type Page[T any] struct {
	Items   []T   `json:"items"`
	Total   int64 `json:"total"`
	Page    int   `json:"page"`
	PerPage int   `json:"per_page"`
}

// Month returns the YYYY-MM of t in the towns' time zone.
func (s *Store) Month(t time.Time) string { return t.In(s.loc).Format("2006-01") }

// Lessons lists the catalog as the actor may see it.
func (s *Store) Lessons(ctx context.Context, act org.Actor, f LessonFilter) (_ *Page[Lesson], err error) {
	defer apperr.Wrap(&err, "lessons: lessons")
	if f.PerPage <= 0 || f.PerPage > 100 {
		f.PerPage = 20
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	towns := act.ScopeTowns(f.TownID)
	q := s.db.R.WithContext(ctx).Table("lessons").Where("lessons.town_id IN ?", towns)
	if act.Role == org.RoleOfficial || act.Role == org.RoleCounty {
		if f.Status != "" {
			q = q.Where("lessons.status = ?", f.Status)
		}
	} else {
		q = q.Where("lessons.status = ?", StatusPublished)
	}
	if t := strings.TrimSpace(f.Topic); t != "" {
		if id, err := strconv.ParseInt(t, 10, 64); err == nil {
			q = q.Where("lessons.topic_id = ?", id)
		} else {
			q = q.Where("lessons.topic_id IN (?)", s.db.R.Table("topics").Select("id").Where("name = ? AND town_id IN ?", t, towns))
		}
	}
	if f.LecturerID != 0 {
		q = q.Where("lessons.id IN (?)", s.db.R.Table("lesson_lecturers").Select("lesson_id").Where("lecturer_id = ?", f.LecturerID))
	}
	if f.MinDuration > 0 {
		q = q.Where("lessons.duration_minutes >= ?", f.MinDuration)
	}
	if f.MaxDuration > 0 {
		q = q.Where("lessons.duration_minutes <= ?", f.MaxDuration)
	}
	if f.Featured {
		q = q.Where("lessons.id IN (?)", s.db.R.Table("plan_lessons").Select("lesson_id").Where("month = ? AND town_id IN ?", s.Month(s.now()), towns))
	}
	if qs := strings.TrimSpace(f.Q); qs != "" {
		// What people type is a title word, a topic or a lecturer's name
		// ("红色教育", "黄春梅"): the box finds what the filters find.
		// Topics and lecturers only of the towns in scope.
		like := db.Like(qs)
		topics := s.db.R.Table("topics").Select("id").
			Where(`town_id IN ? AND (name LIKE ? ESCAPE '\' OR name_en LIKE ? ESCAPE '\')`, towns, like, like)
		taught := s.db.R.Table("lesson_lecturers").Select("lesson_lecturers.lesson_id").
			Joins("JOIN lecturers ON lecturers.id = lesson_lecturers.lecturer_id").
			Where(`lecturers.town_id IN ? AND lecturers.name LIKE ? ESCAPE '\'`, towns, like)
		q = q.Where(`(lessons.title LIKE ? ESCAPE '\' OR lessons.summary LIKE ? ESCAPE '\' OR lessons.topic_id IN (?) OR lessons.id IN (?))`,
			like, like, topics, taught)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, err
	}
	switch f.Sort {
	case "title":
		q = q.Order("lessons.title, lessons.id")
	case "duration":
		q = q.Order("lessons.duration_minutes, lessons.id")
	case "-duration":
		q = q.Order("lessons.duration_minutes DESC, lessons.id")
	case "newest":
		q = q.Order("lessons.created_at DESC, lessons.id DESC")
	default:
		q = q.Order("topics.sort, lessons.topic_id, lessons.id")
	}
	var items []Lesson
	err = q.Select("lessons.*, topics.name AS topic").Joins("JOIN topics ON topics.id = lessons.topic_id").
		Limit(f.PerPage).Offset((f.Page - 1) * f.PerPage).Scan(&items).Error
	if err != nil {
		return nil, err
	}
	if err := s.fillLessons(ctx, items); err != nil {
		return nil, err
	}
	if items == nil {
		items = []Lesson{}
	}
	return &Page[Lesson]{Items: items, Total: total, Page: f.Page, PerPage: f.PerPage}, nil
}

func (s *Store) fillLessons(ctx context.Context, items []Lesson) error {
	if len(items) == 0 {
		return nil
	}
	ids := make([]int64, len(items))
	idx := make(map[int64]int, len(items))
	for i, l := range items {
		ids[i] = l.ID
		idx[l.ID] = i
		items[i].LecturerIDs = []int64{}
		items[i].MaterialLinks = splitLines(l.Materials)
	}
	var links []struct{ LessonID, LecturerID int64 }
	if err := s.db.R.WithContext(ctx).Table("lesson_lecturers").Where("lesson_id IN ?", ids).Order("lesson_id, lecturer_id").Scan(&links).Error; err != nil {
		return err
	}
	for _, l := range links {
		i := idx[l.LessonID]
		items[i].LecturerIDs = append(items[i].LecturerIDs, l.LecturerID)
	}
	var featured []int64
	if err := s.db.R.WithContext(ctx).Table("plan_lessons").Where("lesson_id IN ? AND month = ?", ids, s.Month(s.now())).Pluck("lesson_id", &featured).Error; err != nil {
		return err
	}
	for _, id := range featured {
		items[idx[id]].Featured = true
	}
	return nil
}

func splitLines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Lesson returns one lesson; non-officials see only published ones.
func (s *Store) Lesson(ctx context.Context, act org.Actor, id int64) (_ *Lesson, err error) {
	defer apperr.Wrap(&err, "lessons: lesson %d", id)
	var ls []Lesson
	q := s.db.R.WithContext(ctx).Table("lessons").Select("lessons.*, topics.name AS topic").
		Joins("JOIN topics ON topics.id = lessons.topic_id").
		Where("lessons.id = ? AND lessons.town_id IN ?", id, act.Towns)
	if act.Role != org.RoleOfficial && act.Role != org.RoleCounty {
		q = q.Where("lessons.status = ?", StatusPublished)
	}
	if err := q.Limit(1).Scan(&ls).Error; err != nil {
		return nil, err
	}
	if len(ls) == 0 {
		return nil, apperr.NotFoundf("lesson")
	}
	if err := s.fillLessons(ctx, ls); err != nil {
		return nil, err
	}
	return &ls[0], nil
}

// LessonInput is what an official sets on a lesson.
type LessonInput struct {
	Title           string   `json:"title"`
	TopicID         int64    `json:"topic_id"`
	Topic           string   `json:"topic"` // a name, when topic_id is not given
	Summary         string   `json:"summary"`
	Outline         string   `json:"outline"`
	DurationMinutes int      `json:"duration_minutes"`
	Materials       []string `json:"materials"`
	Status          string   `json:"status"`
	LecturerIDs     []int64  `json:"lecturer_ids"`
}

// Validate checks what can be checked without the database.
func (in *LessonInput) Validate() error {
	var fs apperr.FieldSet
	in.Title = strings.TrimSpace(in.Title)
	in.Summary = strings.TrimSpace(in.Summary)
	in.Outline = strings.TrimSpace(in.Outline)
	in.Topic = strings.TrimSpace(in.Topic)
	if in.Status == "" {
		in.Status = StatusDraft
	}
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		fs.Add("title", "field.required")
	case n > 80:
		fs.Add("title", "field.too_long")
	}
	if in.TopicID == 0 && in.Topic == "" {
		fs.Add("topic_id", "field.required")
	}
	if utf8.RuneCountInString(in.Summary) > 500 {
		fs.Add("summary", "field.too_long")
	}
	if utf8.RuneCountInString(in.Outline) > 5000 {
		fs.Add("outline", "field.too_long")
	}
	if in.DurationMinutes < MinDuration || in.DurationMinutes > MaxDuration {
		fs.Add("duration_minutes", "field.duration")
	}
	switch in.Status {
	case StatusDraft, StatusPublished, StatusRetired:
	default:
		fs.Add("status", "field.lesson_status")
	}
	if len(in.Materials) > 10 {
		fs.Add("materials", "field.too_many")
	}
	var mats []string
	for _, m := range in.Materials {
		m = strings.TrimSpace(m)
		if m == "" {
			continue
		}
		if !IsLink(m) {
			fs.Add("materials", "field.link")
		}
		mats = append(mats, m)
	}
	in.Materials = mats
	if len(in.LecturerIDs) > 500 {
		fs.Add("lecturer_ids", "field.too_many")
	}
	return fs.Err()
}

// IsLink reports whether s may be stored and shown as a link: an http(s)
// URL with a host, or a path on this site. "//host/x" is not a path: a
// browser takes it to another host, so it would pass a site-relative check
// and lead away; nor is "/\\host/x", which some browsers read the same way.
func IsLink(s string) bool {
	if strings.ContainsAny(s, " \t\r\n<>\"\\") || utf8.RuneCountInString(s) > 500 {
		return false
	}
	if strings.HasPrefix(s, "/") {
		return !strings.HasPrefix(s, "//")
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}

// CreateLesson adds a lesson to the official's town.
func (s *Store) CreateLesson(ctx context.Context, act org.Actor, in LessonInput) (_ *Lesson, err error) {
	defer apperr.Wrap(&err, "lessons: create lesson")
	if err := act.RequireOfficial(); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var id int64
	err = s.catalogTx(ctx, act.TownID, func(tx *gorm.DB) error {
		l, err := s.createLessonTx(tx, act.TownID, in)
		if err != nil {
			return err
		}
		id = l.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Lesson(ctx, act, id)
}

// createLessonTx writes a validated lesson inside tx; imports share it.
func (s *Store) createLessonTx(tx *gorm.DB, townID int64, in LessonInput) (*Lesson, error) {
	topicID, err := resolveTopic(tx, townID, in.TopicID, in.Topic)
	if err != nil {
		return nil, err
	}
	if err := checkLecturers(tx, townID, in.LecturerIDs); err != nil {
		return nil, err
	}
	now := s.now()
	l := &Lesson{TownID: townID, Title: in.Title, TopicID: topicID, Summary: in.Summary, Outline: in.Outline,
		DurationMinutes: in.DurationMinutes, Materials: strings.Join(in.Materials, "\n"), Status: in.Status,
		CreatedAt: now, UpdatedAt: now}
	if err := tx.Omit("Topic").Create(l).Error; err != nil {
		return nil, lessonWriteErr(err, in.Title)
	}
	return l, setLecturers(tx, l.ID, in.LecturerIDs)
}

func lessonWriteErr(err error, title string) error {
	if db.IsUniqueViolation(err) {
		return apperr.New(apperr.Conflict, "lesson.title_taken").With("title", title).Field("title", "lesson.title_taken")
	}
	return err
}

func resolveTopic(tx *gorm.DB, townID, id int64, name string) (int64, error) {
	var t Topic
	q := tx.Where("town_id = ?", townID)
	if id != 0 {
		q = q.Where("id = ?", id)
	} else {
		q = q.Where("name = ?", name)
	}
	if err := db.First(q, &t, apperr.New(apperr.Invalid, "validation").Field("topic_id", "field.topic_unknown")); err != nil {
		return 0, err
	}
	return t.ID, nil
}

func checkLecturers(tx *gorm.DB, townID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	uniq := map[int64]bool{}
	for _, id := range ids {
		uniq[id] = true
	}
	var n int64
	if err := tx.Table("lecturers").Where("id IN ? AND town_id = ?", ids, townID).Count(&n).Error; err != nil {
		return err
	}
	if int(n) != len(uniq) {
		return apperr.New(apperr.Invalid, "validation").Field("lecturer_ids", "field.lecturer_unknown")
	}
	return nil
}

func setLecturers(tx *gorm.DB, lessonID int64, ids []int64) error {
	if err := tx.Exec("DELETE FROM lesson_lecturers WHERE lesson_id = ?", lessonID).Error; err != nil {
		return err
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if err := tx.Exec("INSERT INTO lesson_lecturers (lesson_id, lecturer_id) VALUES (?, ?)", lessonID, id).Error; err != nil {
			return err
		}
	}
	return nil
}

// UpdateLesson changes a lesson of the official's town; retiring is a status.
func (s *Store) UpdateLesson(ctx context.Context, act org.Actor, id int64, in LessonInput) (_ *Lesson, err error) {
	defer apperr.Wrap(&err, "lessons: update lesson %d", id)
	if err := in.Validate(); err != nil {
		return nil, err
	}
	err = s.catalogTx(ctx, act.TownID, func(tx *gorm.DB) error {
		var l Lesson
		if err := org.LoadScoped(tx.Omit("Topic"), act, id, &l, "lesson"); err != nil {
			return err
		}
		if err := act.ManageTown(l.TownID, "lesson"); err != nil {
			return err
		}
		topicID, err := resolveTopic(tx, l.TownID, in.TopicID, in.Topic)
		if err != nil {
			return err
		}
		if err := checkLecturers(tx, l.TownID, in.LecturerIDs); err != nil {
			return err
		}
		err = tx.Table("lessons").Where("id = ?", id).Updates(map[string]any{
			"title": in.Title, "topic_id": topicID, "summary": in.Summary, "outline": in.Outline,
			"duration_minutes": in.DurationMinutes, "materials": strings.Join(in.Materials, "\n"),
			"status": in.Status, "updated_at": s.now(),
		}).Error
		if err != nil {
			return lessonWriteErr(err, in.Title)
		}
		return setLecturers(tx, id, in.LecturerIDs)
	})
	if err != nil {
		return nil, err
	}
	return s.Lesson(ctx, act, id)
}

// Input is the input that would set the lesson as it is: what a partial
// change (PATCH) starts from.
func (l *Lesson) Input() LessonInput {
	return LessonInput{Title: l.Title, TopicID: l.TopicID, Summary: l.Summary, Outline: l.Outline,
		DurationMinutes: l.DurationMinutes, Materials: l.MaterialLinks, Status: l.Status, LecturerIDs: l.LecturerIDs}
}
