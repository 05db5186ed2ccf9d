package db

// schemaV9: every move of an order tells the people it concerns. Each
// account may turn event kinds off (muted, a comma-separated list of
// kinds); a group robot's message to one person @-mentions her phone
// (outbox.mention); a town keeps quiet hours, during which e-mails and
// robot messages wait for the morning, and the time of its officials'
// daily digest, all as local "HH:MM"; a lecturer's proposal of another
// time may carry a note to the branch.
const schemaV9 = `
ALTER TABLE accounts ADD COLUMN muted TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN mention TEXT NOT NULL DEFAULT '';
ALTER TABLE towns ADD COLUMN quiet_from TEXT NOT NULL DEFAULT '21:00';
ALTER TABLE towns ADD COLUMN quiet_until TEXT NOT NULL DEFAULT '07:30';
ALTER TABLE towns ADD COLUMN digest_at TEXT NOT NULL DEFAULT '08:00';
ALTER TABLE orders ADD COLUMN proposal_note TEXT NOT NULL DEFAULT '';
`
