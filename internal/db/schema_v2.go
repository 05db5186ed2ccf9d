package db

// schemaV2: orders (点单) and their audit trail, the points ledger, member
// lessons, private calendar feeds and the in-app inbox.
//
// An order holds the time it occupies once confirmed: [start_at, end_at) for
// the branch and [start_at, block_end_at) for the lecturer, where
// block_end_at = end_at + the town's travel buffer. Two such ranges of one
// lecturer overlap exactly when the lessons are closer than the buffer, so
// one range check enforces "no lesson within [start − buffer, end + buffer)".
const schemaV2 = `
CREATE TABLE orders (
  id {{id}},
  town_id {{ref}} NOT NULL REFERENCES towns(id),
  branch_id {{ref}} NOT NULL REFERENCES branches(id),
  courtyard_id {{ref}} NOT NULL REFERENCES courtyards(id),
  lesson_id {{ref}} NOT NULL REFERENCES lessons(id),
  lecturer_id {{ref}} NOT NULL REFERENCES lecturers(id),
  status TEXT NOT NULL,
  slots TEXT NOT NULL,
  duration_minutes INTEGER NOT NULL,
  start_at {{ts}},
  end_at {{ts}},
  block_end_at {{ts}},
  proposed_at {{ts}},
  audience INTEGER NOT NULL DEFAULT 0,
  note TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  answer_by {{ts}} NOT NULL,
  attendees INTEGER,
  delivered_minutes INTEGER,
  delivery_summary TEXT NOT NULL DEFAULT '',
  photo_links TEXT NOT NULL DEFAULT '',
  delivered_at {{ts}},
  stars INTEGER,
  review_comment TEXT NOT NULL DEFAULT '',
  reviewed_at {{ts}},
  requested_by {{ref}} REFERENCES accounts(id),
  sequence INTEGER NOT NULL DEFAULT 0,
  created_at {{ts}} NOT NULL,
  updated_at {{ts}} NOT NULL,
  CHECK (status IN ('requested', 'proposed', 'confirmed', 'delivered', 'reviewed', 'declined', 'expired', 'cancelled')),
  CHECK (stars IS NULL OR stars BETWEEN 1 AND 5),
  CHECK (start_at IS NULL OR (end_at > start_at AND block_end_at >= end_at))
);
CREATE INDEX orders_town_status ON orders (town_id, status, start_at);
CREATE INDEX orders_branch ON orders (branch_id, start_at);
CREATE INDEX orders_lecturer ON orders (lecturer_id, start_at);
CREATE INDEX orders_answer_by ON orders (status, answer_by);
CREATE TABLE order_events (
  id {{id}},
  order_id {{ref}} NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  town_id {{ref}} NOT NULL REFERENCES towns(id),
  account_id {{ref}} REFERENCES accounts(id),
  role TEXT NOT NULL DEFAULT '',
  from_status TEXT NOT NULL DEFAULT '',
  to_status TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  at {{ts}} NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, id);
CREATE TABLE points_ledger (
  id {{id}},
  town_id {{ref}} NOT NULL REFERENCES towns(id),
  lecturer_id {{ref}} NOT NULL REFERENCES lecturers(id),
  order_id {{ref}} REFERENCES orders(id),
  kind TEXT NOT NULL,
  points INTEGER NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  at {{ts}} NOT NULL,
  UNIQUE (order_id, kind)
);
CREATE INDEX points_ledger_lecturer ON points_ledger (lecturer_id, at);
CREATE INDEX points_ledger_town ON points_ledger (town_id, at);
CREATE TABLE member_lessons (
  id {{id}},
  town_id {{ref}} NOT NULL REFERENCES towns(id),
  branch_id {{ref}} NOT NULL REFERENCES branches(id),
  title TEXT NOT NULL,
  topic TEXT NOT NULL DEFAULT '',
  speaker TEXT NOT NULL,
  day TEXT NOT NULL,
  attendees INTEGER NOT NULL DEFAULT 0,
  created_by {{ref}} REFERENCES accounts(id),
  created_at {{ts}} NOT NULL
);
CREATE INDEX member_lessons_branch ON member_lessons (branch_id, day);
CREATE INDEX member_lessons_town ON member_lessons (town_id, day);
CREATE TABLE calendar_feeds (
  id {{id}},
  town_id {{ref}} NOT NULL REFERENCES towns(id),
  kind TEXT NOT NULL,
  owner_id {{ref}} NOT NULL,
  token TEXT NOT NULL UNIQUE,
  created_at {{ts}} NOT NULL,
  UNIQUE (kind, owner_id),
  CHECK (kind IN ('lecturer', 'branch'))
);
CREATE TABLE inbox_messages (
  id {{id}},
  account_id {{ref}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  town_id {{ref}} REFERENCES towns(id),
  kind TEXT NOT NULL,
  dedupe_key TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  link TEXT NOT NULL DEFAULT '',
  created_at {{ts}} NOT NULL,
  read_at {{ts}}
);
CREATE INDEX inbox_messages_account ON inbox_messages (account_id, read_at, id);
`

// schemaV2SQLite: SQLite checks overlaps inside the writer's IMMEDIATE
// transaction (booking does the check and the write there); the ledger is
// made append-only by triggers.
const schemaV2SQLite = `
CREATE TRIGGER points_ledger_no_update BEFORE UPDATE ON points_ledger BEGIN SELECT RAISE(ABORT, 'points_ledger is append-only'); END;
CREATE TRIGGER points_ledger_no_delete BEFORE DELETE ON points_ledger BEGIN SELECT RAISE(ABORT, 'points_ledger is append-only'); END;
CREATE TRIGGER order_events_no_update BEFORE UPDATE ON order_events BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;
`

// schemaV2Postgres: exclusion constraints make a double booking impossible
// whatever the application does; their violation is SQLSTATE 23P01.
const schemaV2Postgres = `
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE orders ADD CONSTRAINT orders_lecturer_no_overlap EXCLUDE USING gist (lecturer_id WITH =, tstzrange(start_at, block_end_at, '[)') WITH &&) WHERE (status IN ('confirmed', 'delivered', 'reviewed'));
ALTER TABLE orders ADD CONSTRAINT orders_branch_no_overlap EXCLUDE USING gist (branch_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&) WHERE (status IN ('confirmed', 'delivered', 'reviewed'));
CREATE FUNCTION weike_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
CREATE TRIGGER points_ledger_append_only BEFORE UPDATE OR DELETE ON points_ledger FOR EACH ROW EXECUTE FUNCTION weike_append_only();
CREATE TRIGGER order_events_no_update BEFORE UPDATE ON order_events FOR EACH ROW EXECUTE FUNCTION weike_append_only();
`
