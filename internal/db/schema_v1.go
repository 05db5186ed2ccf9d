package db

// schemaV1: counties, towns and their settings, branches and courtyards,
// accounts, sessions, API tokens, sign-in failures; topics, lecturers with
// availability and blackouts, lessons and who may give them, films, and the
// monthly featured lessons.
const schemaV1 = `
CREATE TABLE counties (
  id {{id}},
  name TEXT NOT NULL UNIQUE,
  created_at {{ts}} NOT NULL
);
CREATE TABLE towns (
  id {{id}},
  county_id {{ref}} NOT NULL REFERENCES counties(id),
  name TEXT NOT NULL,
  timezone TEXT NOT NULL DEFAULT 'Asia/Shanghai',
  travel_buffer_minutes INTEGER NOT NULL DEFAULT 30,
  lead_time_hours INTEGER NOT NULL DEFAULT 48,
  horizon_days INTEGER NOT NULL DEFAULT 90,
  answer_deadline_hours INTEGER NOT NULL DEFAULT 72,
  points_delivered INTEGER NOT NULL DEFAULT 10,
  points_five_star INTEGER NOT NULL DEFAULT 2,
  schedule_spec TEXT NOT NULL DEFAULT '0 9 25 * *',
  created_at {{ts}} NOT NULL,
  UNIQUE (county_id, name)
);
CREATE TABLE branches (
  id {{id}},
  town_id {{ref}} NOT NULL REFERENCES towns(id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL DEFAULT 'village',
  member_count INTEGER NOT NULL DEFAULT 0,
  secretary_name TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  active {{bool}} NOT NULL DEFAULT TRUE,
  created_at {{ts}} NOT NULL,
  updated_at {{ts}} NOT NULL,
  UNIQUE (town_id, name)
);
CREATE INDEX branches_town ON branches (town_id, active);
CREATE TABLE courtyards (
  id {{id}},
  town_id {{ref}} NOT NULL REFERENCES towns(id),
  branch_id {{ref}} NOT NULL REFERENCES branches(id),
  name TEXT NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  lat {{float}},
  lng {{float}},
  active {{bool}} NOT NULL DEFAULT TRUE,
  created_at {{ts}} NOT NULL,
  updated_at {{ts}} NOT NULL,
  UNIQUE (branch_id, name)
);
CREATE INDEX courtyards_town ON courtyards (town_id);
CREATE TABLE topics (
  id {{id}},
  town_id {{ref}} NOT NULL REFERENCES towns(id),
  name TEXT NOT NULL,
  name_en TEXT NOT NULL DEFAULT '',
  sort INTEGER NOT NULL DEFAULT 0,
  UNIQUE (town_id, name)
);
CREATE TABLE lecturers (
  id {{id}},
  town_id {{ref}} NOT NULL REFERENCES towns(id),
  name TEXT NOT NULL,
  phone TEXT NOT NULL DEFAULT '',
  branch_id {{ref}} REFERENCES branches(id),
  bio TEXT NOT NULL DEFAULT '',
  topics TEXT NOT NULL DEFAULT '',
  monthly_capacity INTEGER NOT NULL DEFAULT 4,
  active {{bool}} NOT NULL DEFAULT TRUE,
  created_at {{ts}} NOT NULL,
  updated_at {{ts}} NOT NULL
);
CREATE INDEX lecturers_town ON lecturers (town_id, active);
CREATE TABLE lecturer_availabilities (
  id {{id}},
  lecturer_id {{ref}} NOT NULL REFERENCES lecturers(id) ON DELETE CASCADE,
  weekday INTEGER NOT NULL,
  start_minute INTEGER NOT NULL,
  end_minute INTEGER NOT NULL,
  CHECK (weekday BETWEEN 0 AND 6),
  CHECK (start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute)
);
CREATE INDEX lecturer_availabilities_lecturer ON lecturer_availabilities (lecturer_id);
CREATE TABLE lecturer_blackouts (
  id {{id}},
  lecturer_id {{ref}} NOT NULL REFERENCES lecturers(id) ON DELETE CASCADE,
  day TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  UNIQUE (lecturer_id, day)
);
CREATE TABLE lessons (
  id {{id}},
  town_id {{ref}} NOT NULL REFERENCES towns(id),
  title TEXT NOT NULL,
  topic_id {{ref}} NOT NULL REFERENCES topics(id),
  summary TEXT NOT NULL DEFAULT '',
  outline TEXT NOT NULL DEFAULT '',
  duration_minutes INTEGER NOT NULL,
  materials TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'draft',
  created_at {{ts}} NOT NULL,
  updated_at {{ts}} NOT NULL,
  CHECK (duration_minutes BETWEEN 10 AND 45),
  CHECK (status IN ('draft', 'published', 'retired')),
  UNIQUE (town_id, title)
);
CREATE INDEX lessons_town ON lessons (town_id, status, topic_id);
CREATE TABLE lesson_lecturers (
  lesson_id {{ref}} NOT NULL REFERENCES lessons(id) ON DELETE CASCADE,
  lecturer_id {{ref}} NOT NULL REFERENCES lecturers(id) ON DELETE CASCADE,
  PRIMARY KEY (lesson_id, lecturer_id)
);
CREATE INDEX lesson_lecturers_lecturer ON lesson_lecturers (lecturer_id);
CREATE TABLE films (
  id {{id}},
  town_id {{ref}} NOT NULL REFERENCES towns(id),
  title TEXT NOT NULL,
  category TEXT NOT NULL,
  duration_minutes INTEGER NOT NULL DEFAULT 0,
  link TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'published',
  created_at {{ts}} NOT NULL,
  updated_at {{ts}} NOT NULL,
  UNIQUE (town_id, title)
);
CREATE TABLE plan_lessons (
  town_id {{ref}} NOT NULL REFERENCES towns(id),
  month TEXT NOT NULL,
  lesson_id {{ref}} NOT NULL REFERENCES lessons(id) ON DELETE CASCADE,
  sort INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (town_id, month, lesson_id)
);
CREATE TABLE accounts (
  id {{id}},
  login TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL,
  county_id {{ref}} NOT NULL REFERENCES counties(id),
  town_id {{ref}} REFERENCES towns(id),
  branch_id {{ref}} REFERENCES branches(id),
  lecturer_id {{ref}} REFERENCES lecturers(id),
  email TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  lang TEXT NOT NULL DEFAULT 'zh-CN',
  active {{bool}} NOT NULL DEFAULT TRUE,
  created_at {{ts}} NOT NULL,
  CHECK (role IN ('official', 'secretary', 'lecturer', 'county'))
);
CREATE INDEX accounts_town ON accounts (town_id, role);
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  account_id {{ref}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at {{ts}} NOT NULL,
  expires_at {{ts}} NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);
CREATE TABLE api_tokens (
  id {{id}},
  account_id {{ref}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL DEFAULT '',
  token_hash TEXT NOT NULL UNIQUE,
  created_at {{ts}} NOT NULL,
  last_used_at {{ts}},
  revoked_at {{ts}}
);
CREATE TABLE login_failures (
  id {{id}},
  key TEXT NOT NULL,
  at {{ts}} NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);
`
