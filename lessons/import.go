package lessons

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"weike/internal/apperr"

	"gorm.io/gorm"

	"weike/internal/sheet"
	"weike/org"
)

// LecturerSheet is the sheet of lecturers an official imports.
var LecturerSheet = sheet.Schema{
	ID: "lecturers",
	Columns: []sheet.Column{
		{Key: "name", Aliases: []string{"讲师", "讲师姓名"}, Required: true},
		{Key: "phone", Aliases: []string{"联系电话", "手机", "手机号"}},
		{Key: "branch", Aliases: []string{"支部"}},
		{Key: "bio", Aliases: []string{"个人简介", "讲师简介"}},
		{Key: "topics", Aliases: []string{"擅长", "主题"}},
		{Key: "monthly_capacity", Aliases: []string{"每月场次上限", "月上限", "capacity"}},
		{Key: "availability", Aliases: []string{"时段", "可用时段"}},
		{Key: "blackouts", Aliases: []string{"不可用日期", "请假日期"}},
	},
}

// LessonSheet is the sheet of lessons an official imports.
var LessonSheet = sheet.Schema{
	ID: "lessons",
	Columns: []sheet.Column{
		{Key: "title", Aliases: []string{"课程名称", "课题", "微党课标题", "名称"}, Required: true},
		{Key: "topic", Aliases: []string{"课程主题"}, Required: true},
		{Key: "duration_minutes", Aliases: []string{"时长", "时长(分)", "分钟", "duration"}, Required: true},
		{Key: "summary", Aliases: []string{"摘要", "课程简介"}},
		{Key: "outline", Aliases: []string{"大纲", "课程提纲"}},
		{Key: "lecturers", Aliases: []string{"授课讲师"}},
		{Key: "status"},
		{Key: "materials", Aliases: []string{"资料", "链接"}},
	},
}

var lessonStatuses = map[string]string{
	"草稿": StatusDraft, "draft": StatusDraft,
	"已发布": StatusPublished, "发布": StatusPublished, "published": StatusPublished,
	"已停用": StatusRetired, "停用": StatusRetired, "retired": StatusRetired,
}

// ParseLessonStatus reads a status written in Chinese or English; "" is
// published, since an imported catalog is usually the one in use.
func ParseLessonStatus(s string) (string, bool) {
	return sheet.Word(lessonStatuses, s, StatusPublished)
}

var weekdayWords = map[string]int{
	"sun": 0, "sunday": 0, "mon": 1, "monday": 1, "tue": 2, "tues": 2, "tuesday": 2,
	"wed": 3, "wednesday": 3, "thu": 4, "thur": 4, "thurs": 4, "thursday": 4,
	"fri": 5, "friday": 5, "sat": 6, "saturday": 6,
}

var zhDays = map[rune]int{'日': 0, '天': 0, '一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6}

var timeRange = regexp.MustCompile(`^(\d{1,2})[:：](\d{2})\s*[-–—~～至到]\s*(\d{1,2})[:：](\d{2})`)

// ParseWindows reads weekly availability such as "周六 14:00-18:00；周三
// 19:00-21:00", "Sat 14:00-18:00" or "周六、周日 9:00-11:30、14:00-17:00":
// each time range applies to the days written before it. Ranges are not
// checked here beyond their shape; LecturerInput.Validate checks them.
func ParseWindows(s string) ([]Window, bool) {
	var out []Window
	var days []int
	afterRange := false
	rest := s
	for {
		rest = strings.TrimLeftFunc(rest, func(r rune) bool {
			return unicode.IsSpace(r) || strings.ContainsRune("、,，;；/和每", r)
		})
		if rest == "" {
			break
		}
		if m := timeRange.FindStringSubmatch(rest); m != nil {
			if len(days) == 0 {
				return nil, false
			}
			h1, _ := strconv.Atoi(m[1])
			m1, _ := strconv.Atoi(m[2])
			h2, _ := strconv.Atoi(m[3])
			m2, _ := strconv.Atoi(m[4])
			if m1 > 59 || m2 > 59 {
				return nil, false
			}
			for _, d := range days {
				out = append(out, Window{Weekday: d, StartMinute: h1*60 + m1, EndMinute: h2*60 + m2})
			}
			afterRange = true
			rest = rest[len(m[0]):]
			continue
		}
		d, n := weekdayAt(rest)
		if n == 0 {
			return nil, false
		}
		if afterRange {
			days, afterRange = nil, false
		}
		days = append(days, d)
		rest = rest[n:]
	}
	if len(days) > 0 && !afterRange {
		return nil, false // a day without a time
	}
	return out, true
}

// weekdayAt reads a weekday at the start of s: 周六, 星期六, 礼拜六, Sat or
// Saturday. It returns the byte length read, zero if there is none.
func weekdayAt(s string) (int, int) {
	for _, p := range []string{"星期", "礼拜", "周"} {
		if after, ok := strings.CutPrefix(s, p); ok {
			r, size := utf8.DecodeRuneInString(after)
			if d, ok := zhDays[r]; ok && size > 0 {
				return d, len(p) + size
			}
			return 0, 0
		}
	}
	n := 0
	for n < len(s) && (s[n] >= 'a' && s[n] <= 'z' || s[n] >= 'A' && s[n] <= 'Z') {
		n++
	}
	d, ok := weekdayWords[strings.ToLower(s[:n])]
	if n == 0 || !ok {
		return 0, 0
	}
	if n < len(s) && s[n] == '.' {
		n++
	}
	return d, n
}

var dayPattern = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$`)

// ParseDays reads dates such as "2026-12-05、2026/12/12；2026年12月19日" as
// blackouts; LecturerInput.Validate checks that each is a real day.
func ParseDays(s string) ([]Blackout, bool) {
	var out []Blackout
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("、,，;；", r)
	}) {
		m := dayPattern.FindStringSubmatch(f)
		if m == nil {
			return nil, false
		}
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		out = append(out, Blackout{Day: fmt.Sprintf("%04d-%02d-%02d", y, mo, d)})
	}
	return out, true
}

// lecturerColumns maps LecturerInput's fields to the sheet's columns.
var lecturerColumns = map[string]string{"branch_id": "branch"}

// ImportLecturers creates the lecturers of a sheet in the official's town.
// A lecturer's branch is a branch name of that town. Nothing is written if
// any row is bad; the error lists every problem with its row number.
func (s *Store) ImportLecturers(ctx context.Context, act org.Actor, t *sheet.Table) (_ int, err error) {
	defer apperr.Wrap(&err, "lessons: import lecturers")
	if err := act.RequireOfficial(); err != nil {
		return 0, err
	}
	rs, err := LecturerSheet.Records(t)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.catalogTx(ctx, act.TownID, func(tx *gorm.DB) error {
		var branches []struct {
			ID   int64
			Name string
		}
		if err := tx.Table("branches").Select("id, name").Where("town_id = ?", act.TownID).Scan(&branches).Error; err != nil {
			return err
		}
		branchID := map[string]int64{}
		for _, b := range branches {
			branchID[b.Name] = b.ID
		}
		var names []string
		if err := tx.Table("lecturers").Where("town_id = ?", act.TownID).Pluck("name", &names).Error; err != nil {
			return err
		}
		today := s.today()
		n, err = sheet.Import[LecturerInput]{
			Schema: LecturerSheet, Validate: func(in *LecturerInput) error { return in.validate(today) }, Columns: lecturerColumns,
			Parse:  func(r sheet.Record, p *sheet.Problems) LecturerInput { return parseLecturer(r, p, branchID) },
			Unique: func(in *LecturerInput) string { return in.Name }, UniqueColumn: "name",
			Taken: sheet.Set(names), TakenCode: "import.lecturer_exists", TakenParam: "name",
		}.Write(rs, func(in LecturerInput) error {
			_, err := s.createLecturerTx(tx, act.TownID, in)
			return err
		})
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// lessonColumns maps LessonInput's fields to the sheet's columns.
var lessonColumns = map[string]string{"topic_id": "topic", "lecturer_ids": "lecturers"}

// ImportLessons creates the lessons of a sheet in the official's town. The
// topic is a topic name of the town and lecturers are lecturer names of the
// town. Nothing is written if any row is bad; the error lists every problem
// with its row number.
func (s *Store) ImportLessons(ctx context.Context, act org.Actor, t *sheet.Table) (_ int, err error) {
	defer apperr.Wrap(&err, "lessons: import lessons")
	if err := act.RequireOfficial(); err != nil {
		return 0, err
	}
	rs, err := LessonSheet.Records(t)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.catalogTx(ctx, act.TownID, func(tx *gorm.DB) error {
		var topics []Topic
		if err := tx.Where("town_id = ?", act.TownID).Find(&topics).Error; err != nil {
			return err
		}
		topicID := map[string]int64{}
		for _, t := range topics {
			topicID[t.Name] = t.ID
			if t.NameEn != "" {
				topicID[strings.ToLower(t.NameEn)] = t.ID
			}
		}
		var lecs []struct {
			ID   int64
			Name string
		}
		if err := tx.Table("lecturers").Select("id, name").Where("town_id = ?", act.TownID).Scan(&lecs).Error; err != nil {
			return err
		}
		lecturerIDs := map[string][]int64{}
		for _, l := range lecs {
			lecturerIDs[l.Name] = append(lecturerIDs[l.Name], l.ID)
		}
		var titles []string
		if err := tx.Table("lessons").Where("town_id = ?", act.TownID).Pluck("title", &titles).Error; err != nil {
			return err
		}
		n, err = sheet.Import[LessonInput]{
			Schema: LessonSheet, Validate: (*LessonInput).Validate, Columns: lessonColumns,
			Parse:  func(r sheet.Record, p *sheet.Problems) LessonInput { return parseLesson(r, p, topicID, lecturerIDs) },
			Unique: func(in *LessonInput) string { return in.Title }, UniqueColumn: "title",
			Taken: sheet.Set(titles), TakenCode: "lesson.title_taken", TakenParam: "title",
		}.Write(rs, func(in LessonInput) error {
			_, err := s.createLessonTx(tx, act.TownID, in)
			return err
		})
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// durationOf reads minutes, allowing a unit after the number ("30分钟").
func durationOf(s string) (int, bool) {
	s = strings.TrimSpace(strings.ToLower(s))
	for _, u := range []string{"分钟", "分", "minutes", "mins", "min"} {
		if v, ok := strings.CutSuffix(s, u); ok {
			s = strings.TrimSpace(v)
			break
		}
	}
	return sheet.Int(s)
}

// parseLecturer reads a lecturer; branchID names the town's branches.
func parseLecturer(r sheet.Record, p *sheet.Problems, branchID map[string]int64) LecturerInput {
	in := LecturerInput{Name: r.Get("name"), Phone: r.Get("phone"), Bio: r.Get("bio"), Topics: r.Get("topics")}
	if b := r.Get("branch"); b != "" {
		if id, ok := branchID[b]; ok {
			in.BranchID = &id
		} else {
			p.Add(r.Row, "branch", "import.branch_unknown", "name", b)
		}
	}
	if v := r.Get("monthly_capacity"); v != "" {
		if c, ok := sheet.Int(v); !ok {
			p.Add(r.Row, "monthly_capacity", "field.number")
		} else if c < 1 {
			p.Add(r.Row, "monthly_capacity", "field.range")
		} else {
			in.MonthlyCapacity = c
		}
	}
	if ws, ok := ParseWindows(r.Get("availability")); ok {
		in.Availability = ws
	} else {
		p.Add(r.Row, "availability", "field.window")
	}
	if bs, ok := ParseDays(r.Get("blackouts")); ok {
		in.Blackouts = bs
	} else {
		p.Add(r.Row, "blackouts", "field.date")
	}
	return in
}

// parseLesson reads a lesson; topicID names the town's topics (in Chinese,
// and in lower-case English), lecturerIDs its lecturers (a name may be
// shared).
func parseLesson(r sheet.Record, p *sheet.Problems, topicID map[string]int64, lecturerIDs map[string][]int64) LessonInput {
	in := LessonInput{Title: r.Get("title"), Summary: r.Get("summary"), Outline: r.Get("outline"),
		Materials: sheet.SplitList(strings.Join(strings.Fields(r.Get("materials")), "\n"))}
	if tp := r.Get("topic"); tp != "" {
		id, ok := topicID[tp]
		if !ok {
			id, ok = topicID[strings.ToLower(tp)]
		}
		if ok {
			in.TopicID = id
		} else {
			p.Add(r.Row, "topic", "import.topic_unknown", "name", tp)
		}
	}
	if d, ok := durationOf(r.Get("duration_minutes")); ok {
		in.DurationMinutes = d
	} else if r.Get("duration_minutes") != "" {
		p.Add(r.Row, "duration_minutes", "field.number")
	}
	if st, ok := ParseLessonStatus(r.Get("status")); ok {
		in.Status = st
	} else {
		p.Add(r.Row, "status", "field.lesson_status")
	}
	for _, name := range sheet.SplitList(r.Get("lecturers")) {
		switch ids := lecturerIDs[name]; len(ids) {
		case 0:
			p.Add(r.Row, "lecturers", "import.lecturer_unknown", "name", name)
		case 1:
			in.LecturerIDs = append(in.LecturerIDs, ids[0])
		default:
			p.Add(r.Row, "lecturers", "import.lecturer_ambiguous", "name", name)
		}
	}
	return in
}
