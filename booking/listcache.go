package booking

import (
	"cmp"
	"container/list"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"weike/lessons"
	"weike/org"
)

// An order list (a secretary's "my orders", a lecturer's agenda) is read on
// every visit, and a branch's or a lecturer's orders change a few times a
// week. So their lists are kept in memory under the version of their
// orders (order_versions), which every transaction that writes one of
// their orders or its audit trail raises before it commits (Store.tx;
// touch marks whose orders changed). The version lives in the database and
// is read on every list, so a kept list is exact on any number of
// instances and beside any other process: one primary-key read instead of
// a count, a page of rows and their names. The names an order shows come
// from the catalog, whose version is in the key too, and from branches and
// courtyards, whose renames a kept list shows within listTTL. The lists of
// officials and county viewers, over whole towns, are read as they are:
// a version of a town would be one row every order of the town writes.

const (
	// listCacheOrders bounds the orders all kept lists hold together.
	listCacheOrders = 20000
	// listTTL bounds how long a kept list may show an old branch or
	// courtyard name.
	listTTL = 30 * time.Second
)

// Whose orders a version counts.
const (
	scopeBranch   = "branch"
	scopeLecturer = "lecturer"
)

// owner is whose orders changed: a branch or a lecturer.
type owner struct {
	scope string
	id    int64
}

// touchedKey marks the context of a transaction made by Store.tx.
type touchedKey struct{}

// touched are the owners whose orders a transaction wrote.
type touched map[owner]bool

// tx runs fn in a write transaction, then raises the version of every
// branch's and lecturer's orders fn touched, in the same transaction: the
// lists kept under the old versions are never served again once it
// commits. The versions are taken last and in one order, so that two
// transactions never wait on each other in a circle. Every write of
// booking goes through it (TestOrderWritesRaiseTheVersion).
func (s *Store) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	t := touched{}
	return s.db.Tx(context.WithValue(ctx, touchedKey{}, t), func(tx *gorm.DB) error {
		if err := fn(tx); err != nil {
			return err
		}
		owners := make([]owner, 0, len(t))
		for o := range t {
			owners = append(owners, o)
		}
		slices.SortFunc(owners, func(a, b owner) int {
			if c := strings.Compare(a.scope, b.scope); c != 0 {
				return c
			}
			return cmp.Compare(a.id, b.id)
		})
		for _, o := range owners {
			if err := tx.Exec(`INSERT INTO order_versions (scope, owner_id, version) VALUES (?, ?, 1)
				ON CONFLICT (scope, owner_id) DO UPDATE SET version = order_versions.version + 1`, o.scope, o.id).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// errUntouched is a write of an order outside Store.tx: a programming
// error, which the tests of every move would meet.
var errUntouched = errors.New("booking: an order written outside Store.tx; its lists would not see it")

// touch marks the branch and the lecturer of an order written in tx, whose
// versions Store.tx raises before it commits.
func touch(tx *gorm.DB, o *Order) error {
	t, ok := tx.Statement.Context.Value(touchedKey{}).(touched)
	if !ok {
		return errUntouched
	}
	t[owner{scopeBranch, o.BranchID}] = true
	t[owner{scopeLecturer, o.LecturerID}] = true
	return nil
}

// listKey names a list: who asks (what they may see), what they ask for,
// and the versions of the orders and the catalog it is built from; "" for
// a list that is not kept. It is read before the list is built, so a list
// is never older than the versions it is kept under.
func (s *Store) listKey(ctx context.Context, act org.Actor, f OrderFilter) (string, error) {
	var own owner
	switch {
	case act.Role == org.RoleSecretary && act.BranchID != 0:
		own = owner{scopeBranch, act.BranchID}
	case act.Role == org.RoleLecturer && act.LecturerID != 0:
		own = owner{scopeLecturer, act.LecturerID}
	default:
		return "", nil
	}
	var vs []int64
	if err := s.db.R.WithContext(ctx).Table("order_versions").Where("scope = ? AND owner_id = ?", own.scope, own.id).
		Limit(1).Pluck("version", &vs).Error; err != nil {
		return "", err
	}
	v := int64(0)
	if len(vs) == 1 {
		v = vs[0]
	}
	towns := slices.Clone(act.ScopeTowns(f.TownID))
	slices.Sort(towns)
	cat, err := s.catalog.CatalogVersion(ctx, towns)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s|%d|%d|%d|%v#%+v#%s:%d#%s", act.Role, act.TownID, act.BranchID, act.LecturerID, towns, f, own.scope, v, cat), nil
}

// listCache is a bounded LRU of order lists.
type listCache struct {
	mu     sync.Mutex
	items  map[string]*list.Element
	lru    *list.List
	orders int
}

type keptList struct {
	key   string
	page  *lessons.Page[Order]
	built time.Time
}

func newListCache() *listCache {
	return &listCache{items: map[string]*list.Element{}, lru: list.New()}
}

// get returns a copy of the kept list (its callers may change their page,
// not the orders' shared lists of times and photos), or nil.
func (c *listCache) get(key string, now time.Time) *lessons.Page[Order] {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil
	}
	k := el.Value.(*keptList)
	if now.Sub(k.built) > listTTL || now.Before(k.built) {
		c.remove(el)
		return nil
	}
	c.lru.MoveToFront(el)
	return copyPage(k.page)
}

func (c *listCache) put(key string, p *lessons.Page[Order], now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.remove(el)
	}
	c.items[key] = c.lru.PushFront(&keptList{key: key, page: copyPage(p), built: now})
	c.orders += len(p.Items) + 1
	for c.orders > listCacheOrders {
		c.remove(c.lru.Back())
	}
}

func (c *listCache) remove(el *list.Element) {
	k := el.Value.(*keptList)
	c.lru.Remove(el)
	delete(c.items, k.key)
	c.orders -= len(k.page.Items) + 1
}

func copyPage(p *lessons.Page[Order]) *lessons.Page[Order] {
	out := *p
	out.Items = slices.Clone(p.Items)
	return &out
}
