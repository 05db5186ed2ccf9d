package db

// schemaV11: a version of each branch's and each lecturer's orders, raised
// at the end of every transaction that writes one of their orders or its
// audit trail, under which their order lists are kept in memory: a list
// costs one primary-key read while those orders stay as they were, on any
// instance. A row of its own for each (not a column of branches or
// lecturers, whose rows some moves lock early): a transaction takes these
// last, in one order, so two never wait on each other in a circle. And the
// orders that wait for an answer, by what makes a double tap the same
// order: a new order looks there for its twin, and a branch may have a
// hundred orders waiting.
const schemaV11 = `
CREATE TABLE order_versions (
  scope TEXT NOT NULL,
  owner_id BIGINT NOT NULL,
  version BIGINT NOT NULL,
  PRIMARY KEY (scope, owner_id)
);
CREATE INDEX orders_requested ON orders (branch_id, lesson_id, lecturer_id, courtyard_id) WHERE status = 'requested';
`
