package db

import "context"

// MigrateTo exposes single-step migration to the tests.
func MigrateTo(ctx context.Context, d *DB, v int) ([]int, error) { return d.migrateTo(ctx, v) }
