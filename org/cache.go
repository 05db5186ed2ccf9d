package org

import (
	"container/list"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"weike/internal/db"
)

// Every request names its caller by a session or an API token, and reading
// the account and its towns was a quarter of the CPU of a catalog list. So
// callers are kept in a bounded in-process cache for a short while. A
// sign-out, a revoked token or a changed account takes effect at once on
// the instance that made the change; on Postgres the change also sends a
// notification (pg_notify, delivered when its transaction commits) that
// every other instance's listener acts on within moments. An entry lives
// identityTTL at most, so a change made by other means (an operator's SQL)
// is seen soon too. SQLite serves one instance, which its own changes
// reach at once.

const (
	identityTTL     = 30 * time.Second
	identityMax     = 10000
	identityChannel = "weike_identity"
)

// identity is a cached caller.
type identity struct {
	acc     Account
	act     Actor
	expires time.Time // the session's own end (zero: a token's)
	cached  time.Time
}

type identityCache struct {
	mu        sync.Mutex
	items     map[string]*list.Element // key → element holding *cacheEntry
	lru       *list.List
	byAccount map[int64]map[string]bool
}

type cacheEntry struct {
	key string
	id  identity
}

func newIdentityCache() *identityCache {
	return &identityCache{items: map[string]*list.Element{}, lru: list.New(), byAccount: map[int64]map[string]bool{}}
}

func (c *identityCache) get(key string, now time.Time) (identity, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return identity{}, false
	}
	e := el.Value.(*cacheEntry)
	if now.Sub(e.id.cached) > identityTTL || (!e.id.expires.IsZero() && !now.Before(e.id.expires)) {
		c.removeLocked(el)
		return identity{}, false
	}
	c.lru.MoveToFront(el)
	return e.id, true
}

func (c *identityCache) put(key string, id identity) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.removeLocked(el)
	}
	c.items[key] = c.lru.PushFront(&cacheEntry{key: key, id: id})
	if c.byAccount[id.acc.ID] == nil {
		c.byAccount[id.acc.ID] = map[string]bool{}
	}
	c.byAccount[id.acc.ID][key] = true
	for c.lru.Len() > identityMax {
		c.removeLocked(c.lru.Back())
	}
}

func (c *identityCache) removeLocked(el *list.Element) {
	e := el.Value.(*cacheEntry)
	c.lru.Remove(el)
	delete(c.items, e.key)
	if keys := c.byAccount[e.id.acc.ID]; keys != nil {
		delete(keys, e.key)
		if len(keys) == 0 {
			delete(c.byAccount, e.id.acc.ID)
		}
	}
}

func (c *identityCache) dropKey(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.removeLocked(el)
	}
}

func (c *identityCache) dropAccount(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for key := range c.byAccount[id] {
		if el, ok := c.items[key]; ok {
			c.removeLocked(el)
		}
	}
}

func (c *identityCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items, c.byAccount = map[string]*list.Element{}, map[int64]map[string]bool{}
	c.lru.Init()
}

// apply acts on an invalidation message: "k:<key>" one session or token,
// "a:<id>" every entry of an account, "*" everything.
func (c *identityCache) apply(msg string) {
	switch {
	case msg == "*":
		c.clear()
	case strings.HasPrefix(msg, "k:"):
		c.dropKey(strings.TrimPrefix(msg, "k:"))
	case strings.HasPrefix(msg, "a:"):
		if id, err := strconv.ParseInt(strings.TrimPrefix(msg, "a:"), 10, 64); err == nil {
			c.dropAccount(id)
		}
	}
}

// invalidate drops msg's entries here and, on Postgres, tells the other
// instances when tx commits.
func (s *Store) invalidate(tx *gorm.DB, msg string) error {
	s.ids.apply(msg)
	return s.db.Notify(tx, identityChannel, msg)
}

// txInvalidating runs fn in a transaction that invalidates msg. The local
// entries are dropped once more after the commit: a request that read the
// old rows while the transaction ran may have cached them meanwhile.
func (s *Store) txInvalidating(ctx context.Context, msg string, fn func(tx *gorm.DB) error) error {
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := fn(tx); err != nil {
			return err
		}
		return s.invalidate(tx, msg)
	})
	s.ids.apply(msg)
	return err
}

// ListenInvalidations applies the other instances' invalidations to this
// instance's cache until ctx ends (Postgres only; on SQLite it returns at
// once), emptying the cache whenever it (re)connects, since a message may
// have been missed meanwhile. ready, when not nil, is called each time it
// is listening.
func (s *Store) ListenInvalidations(ctx context.Context, dsn string, log *slog.Logger, ready func()) {
	if s.db.Dialect != db.Postgres {
		return
	}
	db.Listen(ctx, dsn, []string{identityChannel}, log, func(_, payload string) { s.ids.apply(payload) }, s.ids.clear, ready)
}
