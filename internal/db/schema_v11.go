package db

// schemaV11: a version of each town's orders, raised at the end of every
// transaction that writes an order or its audit trail, under which order
// lists are kept in memory: a list costs one primary-key read while the
// town's orders stay as they were, on any instance.
const schemaV11 = `
ALTER TABLE towns ADD COLUMN orders_version BIGINT NOT NULL DEFAULT 0;
`
