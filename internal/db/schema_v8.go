package db

// schemaV8: the town's dispatch (派单) and its reminders. An order the town
// dispatched from the monthly draft names the official who dispatched it
// (NULL: the branch ordered it itself); a town may send the coverage
// reminders on its own schedule, like its monthly schedule.
const schemaV8 = `
ALTER TABLE orders ADD COLUMN dispatched_by {{ref}} REFERENCES accounts(id);
ALTER TABLE towns ADD COLUMN reminder_spec TEXT NOT NULL DEFAULT '0 9 20 * *';
`
