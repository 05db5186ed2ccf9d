package db

// schemaV11: a version of each town's orders, raised at the end of every
// transaction that writes an order or its audit trail, under which order
// lists are kept in memory: a list costs one primary-key read while the
// town's orders stay as they were, on any instance. And the orders that
// wait for an answer, by what makes a double tap the same order: a new
// order looks there for its twin, and a branch may have a hundred orders
// waiting.
const schemaV11 = `
ALTER TABLE towns ADD COLUMN orders_version BIGINT NOT NULL DEFAULT 0;
CREATE INDEX orders_requested ON orders (branch_id, lesson_id, lecturer_id, courtyard_id) WHERE status = 'requested';
`
