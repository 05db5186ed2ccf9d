package dispatch

import (
	"testing"

	"weike/internal/db/dbtest"
)

// TestMain drops the Postgres template database the tests copy from.
func TestMain(m *testing.M) { dbtest.Main(m) }
