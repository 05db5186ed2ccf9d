package org

import (
	"context"
	"math"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"weike/internal/apperr"
	"weike/internal/db"
)

// BranchInput is what an official sets on a branch.
type BranchInput struct {
	Name          string `json:"name"`
	Kind          string `json:"kind"`
	MemberCount   int    `json:"member_count"`
	SecretaryName string `json:"secretary_name"`
	Phone         string `json:"phone"`
	Active        *bool  `json:"active"`
}

// Validate checks the input and normalises it.
func (in *BranchInput) Validate() error {
	var fs apperr.FieldSet
	in.Name = strings.TrimSpace(in.Name)
	in.SecretaryName = strings.TrimSpace(in.SecretaryName)
	in.Phone = strings.TrimSpace(in.Phone)
	if in.Kind == "" {
		in.Kind = KindVillage
	}
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		fs.Add("name", "field.required")
	case n > 60:
		fs.Add("name", "field.too_long")
	}
	switch in.Kind {
	case KindVillage, KindCommunity, KindOther:
	default:
		fs.Add("kind", "field.branch_kind")
	}
	if in.MemberCount < 0 || in.MemberCount > 100000 {
		fs.Add("member_count", "field.range")
	}
	if utf8.RuneCountInString(in.SecretaryName) > 40 {
		fs.Add("secretary_name", "field.too_long")
	}
	if utf8.RuneCountInString(in.Phone) > 30 {
		fs.Add("phone", "field.too_long")
	}
	if !ValidPhone(in.Phone) {
		fs.Add("phone", "field.phone")
	}
	return fs.Err()
}

// BranchFilter narrows a branch list.
type BranchFilter struct {
	TownID     int64 // a county viewer's pick; zero means all readable towns
	Kind       string
	Q          string
	ActiveOnly bool
}

// Branches lists the branches the actor may read, with their courtyards.
func (s *Store) Branches(ctx context.Context, act Actor, f BranchFilter) (_ []Branch, err error) {
	defer apperr.Wrap(&err, "org: branches")
	q := s.db.R.WithContext(ctx).Where("town_id IN ?", act.ScopeTowns(f.TownID))
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.ActiveOnly {
		q = q.Where("active = ?", true)
	}
	if f.Q = strings.TrimSpace(f.Q); f.Q != "" {
		q = q.Where(`name LIKE ? ESCAPE '\'`, db.Like(f.Q))
	}
	var bs []Branch
	if err := q.Order("town_id, id").Find(&bs).Error; err != nil {
		return nil, err
	}
	if len(bs) == 0 {
		return bs, nil
	}
	ids := make([]int64, len(bs))
	for i, b := range bs {
		ids[i] = b.ID
	}
	var cs []Courtyard
	if err := s.db.R.WithContext(ctx).Where("branch_id IN ?", ids).Order("id").Find(&cs).Error; err != nil {
		return nil, err
	}
	idx := make(map[int64]int, len(bs))
	for i, b := range bs {
		idx[b.ID] = i
	}
	for _, c := range cs {
		i := idx[c.BranchID]
		bs[i].Courtyards = append(bs[i].Courtyards, c)
	}
	return bs, nil
}

// Branch returns one branch with its courtyards.
func (s *Store) Branch(ctx context.Context, act Actor, id int64) (_ *Branch, err error) {
	defer apperr.Wrap(&err, "org: branch %d", id)
	var b Branch
	if err := LoadScoped(s.db.R.WithContext(ctx), act, id, &b, "branch"); err != nil {
		return nil, err
	}
	if err := s.db.R.WithContext(ctx).Where("branch_id = ?", b.ID).Order("id").Find(&b.Courtyards).Error; err != nil {
		return nil, err
	}
	return &b, nil
}

// CreateBranch adds a branch to the official's town.
func (s *Store) CreateBranch(ctx context.Context, act Actor, in BranchInput) (_ *Branch, err error) {
	defer apperr.Wrap(&err, "org: create branch")
	if err := act.RequireOfficial(); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	b := &Branch{TownID: act.TownID, CreatedAt: s.now(), UpdatedAt: s.now(), Active: true}
	in.apply(b)
	if err := s.db.W.WithContext(ctx).Create(b).Error; err != nil {
		return nil, branchWriteErr(err, in.Name)
	}
	return b, nil
}

func (in BranchInput) apply(b *Branch) {
	b.Name, b.Kind, b.MemberCount, b.SecretaryName, b.Phone = in.Name, in.Kind, in.MemberCount, in.SecretaryName, in.Phone
	if in.Active != nil {
		b.Active = *in.Active
	}
}

func branchWriteErr(err error, name string) error {
	if db.IsUniqueViolation(err) {
		return apperr.New(apperr.Conflict, "branch.name_taken").With("name", name).Field("name", "branch.name_taken")
	}
	return err
}

// UpdateBranch changes a branch of the official's town.
func (s *Store) UpdateBranch(ctx context.Context, act Actor, id int64, in BranchInput) (_ *Branch, err error) {
	defer apperr.Wrap(&err, "org: update branch %d", id)
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var b Branch
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := LoadScoped(tx, act, id, &b, "branch"); err != nil {
			return err
		}
		if err := act.ManageTown(b.TownID, "branch"); err != nil {
			return err
		}
		in.apply(&b)
		b.UpdatedAt = s.now()
		if err := tx.Save(&b).Error; err != nil {
			return branchWriteErr(err, in.Name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Branch(ctx, act, id)
}

// CourtyardInput is what an official sets on a courtyard.
type CourtyardInput struct {
	Name    string   `json:"name"`
	Address string   `json:"address"`
	Lat     *float64 `json:"lat"`
	Lng     *float64 `json:"lng"`
	Active  *bool    `json:"active"`
}

// Validate checks the input and normalises it.
func (in *CourtyardInput) Validate() error {
	var fs apperr.FieldSet
	in.Name = strings.TrimSpace(in.Name)
	in.Address = strings.TrimSpace(in.Address)
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		fs.Add("name", "field.required")
	case n > 60:
		fs.Add("name", "field.too_long")
	}
	if utf8.RuneCountInString(in.Address) > 200 {
		fs.Add("address", "field.too_long")
	}
	if (in.Lat == nil) != (in.Lng == nil) {
		fs.Add("lat", "field.coordinates_pair")
	}
	if in.Lat != nil && (math.IsNaN(*in.Lat) || *in.Lat < -90 || *in.Lat > 90) {
		fs.Add("lat", "field.range")
	}
	if in.Lng != nil && (math.IsNaN(*in.Lng) || *in.Lng < -180 || *in.Lng > 180) {
		fs.Add("lng", "field.range")
	}
	return fs.Err()
}

// CreateCourtyard adds a courtyard to a branch of the official's town.
func (s *Store) CreateCourtyard(ctx context.Context, act Actor, branchID int64, in CourtyardInput) (_ *Courtyard, err error) {
	defer apperr.Wrap(&err, "org: create courtyard")
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var c Courtyard
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		var b Branch
		if err := LoadScoped(tx, act, branchID, &b, "branch"); err != nil {
			return err
		}
		if err := act.ManageTown(b.TownID, "branch"); err != nil {
			return err
		}
		now := s.now()
		c = Courtyard{TownID: b.TownID, BranchID: b.ID, Name: in.Name, Address: in.Address, Lat: in.Lat, Lng: in.Lng,
			Active: in.Active == nil || *in.Active, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&c).Error; err != nil {
			if db.IsUniqueViolation(err) {
				return apperr.New(apperr.Conflict, "courtyard.name_taken").With("name", in.Name).Field("name", "courtyard.name_taken")
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// UpdateCourtyard changes a courtyard of the official's town.
func (s *Store) UpdateCourtyard(ctx context.Context, act Actor, id int64, in CourtyardInput) (_ *Courtyard, err error) {
	defer apperr.Wrap(&err, "org: update courtyard %d", id)
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var c Courtyard
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := LoadScoped(tx, act, id, &c, "courtyard"); err != nil {
			return err
		}
		if err := act.ManageTown(c.TownID, "courtyard"); err != nil {
			return err
		}
		c.Name, c.Address, c.Lat, c.Lng = in.Name, in.Address, in.Lat, in.Lng
		if in.Active != nil {
			c.Active = *in.Active
		}
		c.UpdatedAt = s.now()
		if err := tx.Save(&c).Error; err != nil {
			if db.IsUniqueViolation(err) {
				return apperr.New(apperr.Conflict, "courtyard.name_taken").With("name", in.Name).Field("name", "courtyard.name_taken")
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// Courtyard returns one courtyard the actor may read.
func (s *Store) Courtyard(ctx context.Context, act Actor, id int64) (_ *Courtyard, err error) {
	defer apperr.Wrap(&err, "org: courtyard %d", id)
	var c Courtyard
	if err := LoadScoped(s.db.R.WithContext(ctx), act, id, &c, "courtyard"); err != nil {
		return nil, err
	}
	return &c, nil
}

// Input is the input that would set the branch as it is: what a partial
// change (PATCH) starts from.
func (b *Branch) Input() BranchInput {
	active := b.Active
	return BranchInput{Name: b.Name, Kind: b.Kind, MemberCount: b.MemberCount, SecretaryName: b.SecretaryName,
		Phone: b.Phone, Active: &active}
}

// Input is the input that would set the courtyard as it is: what a partial
// change (PATCH) starts from.
func (c *Courtyard) Input() CourtyardInput {
	active := c.Active
	return CourtyardInput{Name: c.Name, Address: c.Address, Lat: c.Lat, Lng: c.Lng, Active: &active}
}
