package booking

import (
	"context"
	"time"

	"gorm.io/gorm"

	"weike/internal/apperr"
	"weike/org"
)

// What needs an official: the orders of her town that wait on the town or
// are about to be lost. Her home page lists them; each is one tap from the
// order's page, where the move to make is offered.

// DueSoon is how close to its answer deadline a requested order is "near
// it": a day, so the official can still ring the lecturer.
const DueSoon = 24 * time.Hour

// AttentionList is one kind of order that needs the town: the first few
// and how many there are.
type AttentionList struct {
	Orders []Order `json:"orders"`
	Total  int64   `json:"total"`
}

// Attention is what needs an official now.
type Attention struct {
	// Stuck are declined or expired orders: reassign or cancel them.
	Stuck AttentionList `json:"stuck"`
	// DueSoon are requested orders whose lecturer has not answered and
	// whose answer deadline is within DueSoon.
	DueSoon AttentionList `json:"due_soon"`
	// Proposals are new times a lecturer proposed that the branch has not
	// answered.
	Proposals AttentionList `json:"proposals"`
}

// Empty reports whether nothing needs the official.
func (a *Attention) Empty() bool {
	return a.Stuck.Total == 0 && a.DueSoon.Total == 0 && a.Proposals.Total == 0
}

// NeedsAttention lists, for an official, the orders of her town that need
// the town, at most max of each kind: the stuck ones newest first, the
// rest by their deadline, soonest first.
func (s *Store) NeedsAttention(ctx context.Context, act org.Actor, max int) (_ *Attention, err error) {
	defer apperr.Wrap(&err, "booking: attention")
	if err := act.RequireOfficial(); err != nil {
		return nil, err
	}
	now := s.now()
	base := func() *gorm.DB {
		return s.db.R.WithContext(ctx).Model(&Order{}).Where("orders.town_id = ?", act.TownID)
	}
	a := &Attention{}
	for _, l := range []struct {
		dst   *AttentionList
		query *gorm.DB
		order string
	}{
		{&a.Stuck, base().Where("orders.status IN ?", []Status{Declined, Expired}), "orders.updated_at DESC, orders.id DESC"},
		{&a.DueSoon, base().Where("orders.status = ? AND orders.answer_by > ? AND orders.answer_by <= ?", Requested, now, now.Add(DueSoon)),
			"orders.answer_by, orders.id"},
		{&a.Proposals, base().Where("orders.status = ?", Proposed), "orders.answer_by, orders.id"},
	} {
		if err := l.query.Count(&l.dst.Total).Error; err != nil {
			return nil, err
		}
		os := []Order{}
		if err := l.query.Order(l.order).Limit(max).Find(&os).Error; err != nil {
			return nil, err
		}
		if err := s.fill(ctx, os); err != nil {
			return nil, err
		}
		l.dst.Orders = os
	}
	return a, nil
}
