package lessons

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"gorm.io/gorm"

	"weike/internal/apperr"
	"weike/internal/db"
)

// A town's catalog changes a few times a month and is read on every visit,
// so answers built from it are cached under its version (towns.
// catalog_version). Every catalog write raises the version in its own
// transaction; this instance forgets its copy of the version when the
// transaction commits, and the other instances when the notification
// (sent inside the transaction, so only on commit) reaches them. Versions
// are kept in memory so that a cached answer costs no query at all.

const catalogChannel = "weike_catalog"

// versions is this instance's copy of the towns' catalog versions.
type versions struct {
	mu  sync.Mutex
	v   map[int64]int64
	gen uint64 // raised by every forget: a read begun before it must not store
}

func (vs *versions) get(town int64) (int64, uint64, bool) {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	v, ok := vs.v[town]
	return v, vs.gen, ok
}

func (vs *versions) put(town, v int64, gen uint64) {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	if vs.gen == gen {
		vs.v[town] = v
	}
}

func (vs *versions) forget(town int64) {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	vs.gen++
	if town == 0 {
		clear(vs.v)
		return
	}
	delete(vs.v, town)
}

// CatalogVersion names the state of the towns' catalogs (in the order
// given) and the month, whose featured lessons the answers mark: a string
// that changes whenever an answer built from them may change. The caller
// reads it before building the answer, so the answer is never older than
// the version it is filed under.
func (s *Store) CatalogVersion(ctx context.Context, towns []int64) (_ string, err error) {
	defer apperr.Wrap(&err, "lessons: catalog version")
	known := make(map[int64]int64, len(towns))
	var missing []int64
	var gen uint64
	for _, t := range towns {
		v, g, ok := s.vers.get(t)
		if ok {
			known[t] = v
		} else {
			missing, gen = append(missing, t), g
		}
	}
	if len(missing) > 0 {
		var rows []struct{ ID, CatalogVersion int64 }
		if err := s.db.R.WithContext(ctx).Table("towns").Select("id, catalog_version").Where("id IN ?", missing).Scan(&rows).Error; err != nil {
			return "", err
		}
		for _, r := range rows {
			known[r.ID] = r.CatalogVersion
			s.vers.put(r.ID, r.CatalogVersion, gen)
		}
	}
	var b strings.Builder
	b.WriteString(s.Month(s.now()))
	for _, t := range towns {
		b.WriteString("." + strconv.FormatInt(t, 10) + ":" + strconv.FormatInt(known[t], 10))
	}
	return b.String(), nil
}

// catalogTx runs fn in a transaction that raises the town's catalog
// version, and forgets the version here once it has committed (or failed:
// forgetting costs one query).
func (s *Store) catalogTx(ctx context.Context, town int64, fn func(tx *gorm.DB) error) error {
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := fn(tx); err != nil {
			return err
		}
		return s.bumpCatalog(tx, town)
	})
	s.vers.forget(town)
	return err
}

// bumpCatalog raises the town's catalog version inside tx.
func (s *Store) bumpCatalog(tx *gorm.DB, town int64) error {
	if err := tx.Exec("UPDATE towns SET catalog_version = catalog_version + 1 WHERE id = ?", town).Error; err != nil {
		return err
	}
	return s.db.Notify(tx, catalogChannel, strconv.FormatInt(town, 10))
}

// ListenCatalog hears the other instances' catalog writes until ctx ends
// (Postgres only; on SQLite one instance serves and returns at once).
func (s *Store) ListenCatalog(ctx context.Context, dsn string, log *slog.Logger, ready func()) {
	if s.db.Dialect != db.Postgres {
		return
	}
	db.Listen(ctx, dsn, []string{catalogChannel}, log, func(_, payload string) {
		if t, err := strconv.ParseInt(payload, 10, 64); err == nil {
			s.vers.forget(t)
		}
	}, func() { s.vers.forget(0) }, ready)
}
