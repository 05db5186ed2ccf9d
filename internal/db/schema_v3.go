package db

import (
	"time"

	"weike/internal/tz"

	"gorm.io/gorm"
)

// schemaV3: the monthly theme day. Monthly plans with their featured lessons
// (plan_lessons, since v1) and film list; film viewings and practice
// activities of branches, with a log of who changed what; and a local month
// column (YYYY-MM, Asia/Shanghai) on every record coverage counts, so the
// branch × month matrix is a grouped index scan on either database.
const schemaV3 = `
ALTER TABLE orders ADD COLUMN month TEXT NOT NULL DEFAULT '';
CREATE INDEX orders_town_month ON orders (town_id, month, status, branch_id);
ALTER TABLE member_lessons ADD COLUMN month TEXT NOT NULL DEFAULT '';
UPDATE member_lessons SET month = substr(day, 1, 7);
CREATE INDEX member_lessons_town_month ON member_lessons (town_id, month, branch_id);
CREATE TABLE plans (
  town_id {{ref}} NOT NULL REFERENCES towns(id),
  month TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  published_at {{ts}},
  published_by {{ref}} REFERENCES accounts(id),
  updated_at {{ts}} NOT NULL,
  PRIMARY KEY (town_id, month)
);
CREATE TABLE plan_films (
  town_id {{ref}} NOT NULL REFERENCES towns(id),
  month TEXT NOT NULL,
  film_id {{ref}} NOT NULL REFERENCES films(id) ON DELETE CASCADE,
  preview_day TEXT NOT NULL DEFAULT '',
  link TEXT NOT NULL DEFAULT '',
  sort INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (town_id, month, film_id)
);
CREATE TABLE viewings (
  id {{id}},
  town_id {{ref}} NOT NULL REFERENCES towns(id),
  branch_id {{ref}} NOT NULL REFERENCES branches(id),
  film_id {{ref}} REFERENCES films(id),
  film_title TEXT NOT NULL,
  day TEXT NOT NULL,
  month TEXT NOT NULL,
  attendees INTEGER NOT NULL DEFAULT 0,
  notes TEXT NOT NULL DEFAULT '',
  created_by {{ref}} REFERENCES accounts(id),
  created_at {{ts}} NOT NULL,
  updated_by {{ref}} REFERENCES accounts(id),
  updated_at {{ts}} NOT NULL
);
CREATE INDEX viewings_town_month ON viewings (town_id, month, branch_id);
CREATE INDEX viewings_branch ON viewings (branch_id, day);
CREATE TABLE practices (
  id {{id}},
  town_id {{ref}} NOT NULL REFERENCES towns(id),
  branch_id {{ref}} NOT NULL REFERENCES branches(id),
  type TEXT NOT NULL,
  day TEXT NOT NULL,
  month TEXT NOT NULL,
  participants INTEGER NOT NULL DEFAULT 0,
  opinions INTEGER NOT NULL DEFAULT 0,
  service_items INTEGER NOT NULL DEFAULT 0,
  notes TEXT NOT NULL DEFAULT '',
  created_by {{ref}} REFERENCES accounts(id),
  created_at {{ts}} NOT NULL,
  updated_by {{ref}} REFERENCES accounts(id),
  updated_at {{ts}} NOT NULL,
  CHECK (participants >= 0 AND opinions >= 0 AND service_items >= 0)
);
CREATE INDEX practices_town_month ON practices (town_id, month, branch_id);
CREATE INDEX practices_branch ON practices (branch_id, day);
CREATE TABLE record_changes (
  id {{id}},
  town_id {{ref}} NOT NULL REFERENCES towns(id),
  kind TEXT NOT NULL,
  record_id {{ref}} NOT NULL,
  account_id {{ref}} REFERENCES accounts(id),
  at {{ts}} NOT NULL,
  changes TEXT NOT NULL
);
CREATE INDEX record_changes_record ON record_changes (kind, record_id, id);
`

// backfillOrderMonths gives orders that already hold a time the local month
// of their start.
func backfillOrderMonths(tx *gorm.DB, _ Dialect) error {
	loc := tz.Shanghai
	var rows []struct {
		ID      int64
		StartAt time.Time
	}
	if err := tx.Raw("SELECT id, start_at FROM orders WHERE start_at IS NOT NULL").Scan(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		if err := tx.Exec("UPDATE orders SET month = ? WHERE id = ?", r.StartAt.In(loc).Format("2006-01"), r.ID).Error; err != nil {
			return err
		}
	}
	return nil
}
