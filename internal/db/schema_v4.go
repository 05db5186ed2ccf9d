package db

// schemaV4: messages and jobs. The outbox holds every message before it is
// sent, one row per recipient and channel under the unique key (kind,
// recipient, period, channel), so however often a job runs, and on however
// many instances, a message is stored, and so sent, once. job_runs keeps
// every run of a cron job; the one run that did a period holds its claim
// ('done'), and the unique key over (job, town_id, period, claim) lets only
// one run hold it while failed runs (claim NULL, and NULLs never collide)
// are kept beside it. Accounts choose their channels; towns and branches
// may have a group robot (WeCom or DingTalk webhook).
const schemaV4 = `
ALTER TABLE accounts ADD COLUMN channels TEXT NOT NULL DEFAULT 'inbox,email';
CREATE TABLE robots (
  id {{id}},
  town_id {{ref}} NOT NULL REFERENCES towns(id),
  branch_id {{ref}} NOT NULL DEFAULT 0,
  kind TEXT NOT NULL DEFAULT 'wecom',
  url TEXT NOT NULL,
  secret TEXT NOT NULL DEFAULT '',
  updated_at {{ts}} NOT NULL,
  UNIQUE (town_id, branch_id),
  CHECK (kind IN ('wecom', 'dingtalk'))
);
CREATE TABLE outbox (
  id {{id}},
  town_id {{ref}} REFERENCES towns(id),
  kind TEXT NOT NULL,
  recipient TEXT NOT NULL,
  account_id {{ref}} REFERENCES accounts(id) ON DELETE CASCADE,
  recipient_name TEXT NOT NULL DEFAULT '',
  period TEXT NOT NULL,
  channel TEXT NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL,
  body_text TEXT NOT NULL DEFAULT '',
  body_html TEXT NOT NULL DEFAULT '',
  body_markdown TEXT NOT NULL DEFAULT '',
  link TEXT NOT NULL DEFAULT '',
  attachment_name TEXT NOT NULL DEFAULT '',
  attachment TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at {{ts}} NOT NULL,
  lease_until {{ts}},
  last_error TEXT NOT NULL DEFAULT '',
  created_at {{ts}} NOT NULL,
  sent_at {{ts}},
  updated_at {{ts}} NOT NULL,
  UNIQUE (kind, recipient, period, channel),
  CHECK (channel IN ('inbox', 'email', 'webhook')),
  CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped'))
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_town ON outbox (town_id, id);
CREATE TABLE job_runs (
  id {{id}},
  job TEXT NOT NULL,
  town_id {{ref}} NOT NULL DEFAULT 0,
  period TEXT NOT NULL,
  claim TEXT,
  status TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT '',
  started_at {{ts}} NOT NULL,
  ended_at {{ts}},
  result TEXT NOT NULL DEFAULT '',
  counts TEXT NOT NULL DEFAULT '',
  UNIQUE (job, town_id, period, claim),
  CHECK (claim IS NULL OR claim = 'done'),
  CHECK (status IN ('ok', 'failed'))
);
CREATE INDEX job_runs_job ON job_runs (job, started_at);
`
