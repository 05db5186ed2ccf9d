package booking

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"weike/internal/apperr"
	"weike/internal/tz"
	"weike/org"
)

// Entry is one line of the append-only points ledger.
type Entry struct {
	ID         int64     `json:"id"`
	TownID     int64     `json:"-"`
	LecturerID int64     `json:"lecturer_id"`
	OrderID    *int64    `json:"order_id"`
	Kind       string    `json:"kind"`
	Points     int       `json:"points"`
	Note       string    `json:"note"`
	At         time.Time `json:"at"`
}

// TableName keeps the schema's name.
func (Entry) TableName() string { return "points_ledger" }

// credit writes points for an order once: the ledger's unique (order, kind)
// makes a retried transition harmless.
func (s *Store) credit(tx *gorm.DB, o *Order, kind string, points int) error {
	if points == 0 {
		return nil
	}
	id := o.ID
	e := Entry{TownID: o.TownID, LecturerID: o.LecturerID, OrderID: &id, Kind: kind, Points: points, At: s.now()}
	return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "order_id"}, {Name: "kind"}}, DoNothing: true}).Create(&e).Error
}

// Standing is a lecturer's points in a period.
type Standing struct {
	LecturerID int64  `json:"lecturer_id"`
	Name       string `json:"name"`
	Points     int    `json:"points"`
	Lessons    int    `json:"lessons"`
	Rank       int    `json:"rank"`
}

// PointsReport is a month's leaderboard of the town and, for a lecturer,
// their own ledger.
type PointsReport struct {
	Month       string     `json:"month"`
	Leaderboard []Standing `json:"leaderboard"`
	Mine        *Mine      `json:"mine,omitempty"`
}

// Mine is a lecturer's own points.
type Mine struct {
	Total   int     `json:"total"`
	Month   int     `json:"month"`
	Entries []Entry `json:"entries"`
}

// Points reports the town's leaderboard for a month (YYYY-MM; empty means
// the current one) and the caller's own ledger when they are a lecturer.
func (s *Store) Points(ctx context.Context, act org.Actor, month string, townID int64) (_ *PointsReport, err error) {
	defer apperr.Wrap(&err, "booking: points")
	loc := tz.Shanghai
	if month == "" {
		month = s.now().In(loc).Format("2006-01")
	}
	from, to, err := tz.MonthRange(month, loc)
	if err != nil {
		return nil, apperr.New(apperr.BadRequest, "bad_request").Field("month", "field.month")
	}
	towns := act.ScopeTowns(townID)
	r := &PointsReport{Month: month, Leaderboard: []Standing{}}
	err = s.db.R.WithContext(ctx).Raw(`SELECT lecturers.id AS lecturer_id, lecturers.name AS name,
			COALESCE(SUM(points_ledger.points), 0) AS points,
			COUNT(CASE WHEN points_ledger.kind = 'delivered' THEN 1 END) AS lessons
		FROM lecturers JOIN points_ledger ON points_ledger.lecturer_id = lecturers.id
		WHERE lecturers.town_id IN ? AND points_ledger.at >= ? AND points_ledger.at < ?
		GROUP BY lecturers.id, lecturers.name ORDER BY points DESC, lecturers.id`, towns, from, to).Scan(&r.Leaderboard).Error
	if err != nil {
		return nil, err
	}
	for i := range r.Leaderboard {
		r.Leaderboard[i].Rank = i + 1
		if i > 0 && r.Leaderboard[i].Points == r.Leaderboard[i-1].Points {
			r.Leaderboard[i].Rank = r.Leaderboard[i-1].Rank
		}
	}
	if act.Role == org.RoleLecturer {
		m := &Mine{Entries: []Entry{}}
		if err := s.db.R.WithContext(ctx).Where("lecturer_id = ?", act.LecturerID).Order("at DESC, id DESC").Limit(200).Find(&m.Entries).Error; err != nil {
			return nil, err
		}
		if err := s.db.R.WithContext(ctx).Model(&Entry{}).Where("lecturer_id = ?", act.LecturerID).Select("COALESCE(SUM(points), 0)").Scan(&m.Total).Error; err != nil {
			return nil, err
		}
		for _, e := range m.Entries {
			if !e.At.Before(from) && e.At.Before(to) {
				m.Month += e.Points
			}
		}
		r.Mine = m
	}
	return r, nil
}
