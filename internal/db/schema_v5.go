package db

// schemaV5: the lists people open most — a secretary's "my orders" and a
// lecturer's — are newest first; indexes in that order let them read one
// page from the end of the index instead of sorting the branch's or
// lecturer's whole history (the bench's "my orders" scenario).
const schemaV5 = `
CREATE INDEX orders_branch_newest ON orders (branch_id, id);
CREATE INDEX orders_lecturer_newest ON orders (lecturer_id, id);
`
