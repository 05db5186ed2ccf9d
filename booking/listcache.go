package booking

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"weike/lessons"
	"weike/org"
)

// An order list (a secretary's "my orders", a lecturer's agenda, a town's
// orders) is read on every visit, and a town's orders change a few times a
// day. So lists are kept in memory under the version of the towns' orders
// (towns.orders_version), which every transaction that writes an order or
// its audit trail raises before it commits (Store.tx; touch marks the
// town). The version lives in the database and is read on every list, so
// a kept list is exact on any number of instances and beside any other
// process: one primary-key read instead of a count, a page of rows and
// their names. The names an order shows come from the catalog, whose
// version is in the key too, and from branches and courtyards, whose
// renames a kept list shows within listTTL.

const (
	// listCacheOrders bounds the orders all kept lists hold together.
	listCacheOrders = 20000
	// listTTL bounds how long a kept list may show an old branch or
	// courtyard name.
	listTTL = 30 * time.Second
)

// touchedKey marks the context of a transaction made by Store.tx.
type touchedKey struct{}

// touched are the towns whose orders a transaction wrote.
type touched map[int64]bool

// tx runs fn in a write transaction, then raises the orders version of
// every town fn touched, in the same transaction: the lists kept under the
// old version are never served again once it commits. Every write of
// booking goes through it (TestOrderWritesRaiseTheVersion).
func (s *Store) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	t := touched{}
	return s.db.Tx(context.WithValue(ctx, touchedKey{}, t), func(tx *gorm.DB) error {
		if err := fn(tx); err != nil {
			return err
		}
		towns := make([]int64, 0, len(t))
		for id := range t {
			towns = append(towns, id)
		}
		// In one order, so that two transactions never wait on each
		// other's towns.
		slices.Sort(towns)
		for _, id := range towns {
			if err := tx.Exec("UPDATE towns SET orders_version = orders_version + 1 WHERE id = ?", id).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// errUntouched is a write of an order outside Store.tx: a programming
// error, which the tests of every move would meet.
var errUntouched = errors.New("booking: an order written outside Store.tx; its town's lists would not see it")

// touch marks the town of an order written in tx, whose version Store.tx
// raises before it commits.
func touch(tx *gorm.DB, townID int64) error {
	t, ok := tx.Statement.Context.Value(touchedKey{}).(touched)
	if !ok {
		return errUntouched
	}
	t[townID] = true
	return nil
}

// listKey names a list: who asks (what they may see), what they ask for,
// and the versions of the towns' orders and catalogs it is built from. It
// is read before the list is built, so a list is never older than the
// versions it is kept under.
func (s *Store) listKey(ctx context.Context, act org.Actor, f OrderFilter) (string, error) {
	towns := slices.Clone(act.ScopeTowns(f.TownID))
	slices.Sort(towns)
	var rows []struct{ ID, OrdersVersion int64 }
	if err := s.db.R.WithContext(ctx).Table("towns").Select("id, orders_version").Where("id IN ?", towns).
		Order("id").Scan(&rows).Error; err != nil {
		return "", err
	}
	cat, err := s.catalog.CatalogVersion(ctx, towns)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%d|%d|%d|%v#%+v#", act.Role, act.TownID, act.BranchID, act.LecturerID, towns, f)
	for _, r := range rows {
		b.WriteString(strconv.FormatInt(r.ID, 10) + ":" + strconv.FormatInt(r.OrdersVersion, 10) + ",")
	}
	b.WriteString("#" + cat)
	return b.String(), nil
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
