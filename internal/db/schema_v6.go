package db

// schemaV6: when the demo finished loading a town. The demo used to look
// every record up by its name before making it, so a lesson an official
// had renamed in the demo was made again at the next start; a town whose
// load has finished is now left alone.
const schemaV6 = `
ALTER TABLE towns ADD COLUMN demo_loaded_at {{ts}};
`
