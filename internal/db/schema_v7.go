package db

// schemaV7: a version of each town's catalog (lessons, topics, lecturers,
// films, plans), raised by every write to it in the write's own
// transaction. Read-mostly answers are cached under it and carry it in
// their ETag, so a phone that has the list revalidates without a body.
const schemaV7 = `
ALTER TABLE towns ADD COLUMN catalog_version BIGINT NOT NULL DEFAULT 0;
`
