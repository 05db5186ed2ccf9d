package db

// schemaV10: a message that could not be sent keeps, beside the mail
// server's or the robot's own words (last_error, for whoever fixes
// delivery), what went wrong as a catalog key (problem), so that the
// officials' messages page says it in their language and tells them what
// to do.
const schemaV10 = `
ALTER TABLE outbox ADD COLUMN problem TEXT NOT NULL DEFAULT '';
`
