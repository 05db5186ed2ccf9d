package org

import (
	"context"

	"weike/internal/apperr"

	"gorm.io/gorm"

	"weike/internal/sheet"
)

// BranchSheet is the sheet of branches an official imports.
var BranchSheet = sheet.Schema{
	ID: "branches",
	Columns: []sheet.Column{
		{Key: "name", Aliases: []string{"支部名称", "支部", "党支部"}, Required: true},
		{Key: "kind", Aliases: []string{"支部类型"}},
		{Key: "member_count", Aliases: []string{"党员数", "members"}},
		{Key: "secretary_name", Aliases: []string{"支部书记", "书记姓名", "secretary"}},
		{Key: "phone", Aliases: []string{"联系电话", "手机", "手机号"}},
		{Key: "courtyards", Aliases: []string{"屋场名称"}},
	},
}

var branchKinds = map[string]string{
	"村": KindVillage, "行政村": KindVillage, "village": KindVillage,
	"社区": KindCommunity, "community": KindCommunity,
	"其他": KindOther, "其它": KindOther, "other": KindOther,
}

// ParseBranchKind reads a branch kind written in Chinese or English; "" is
// the default (village).
func ParseBranchKind(s string) (string, bool) { return sheet.Word(branchKinds, s, KindVillage) }

type branchRow struct {
	in         BranchInput
	courtyards []string
}

// parseBranchRow reads a branch and the courtyards to create with it.
func parseBranchRow(r sheet.Record, p *sheet.Problems) branchRow {
	br := branchRow{in: BranchInput{Name: r.Get("name"), SecretaryName: r.Get("secretary_name"), Phone: r.Get("phone")}}
	if k, ok := ParseBranchKind(r.Get("kind")); ok {
		br.in.Kind = k
	} else {
		p.Add(r.Row, "kind", "field.branch_kind")
	}
	if v := r.Get("member_count"); v != "" {
		if m, ok := sheet.Int(v); ok {
			br.in.MemberCount = m
		} else {
			p.Add(r.Row, "member_count", "field.number")
		}
	}
	seen := map[string]bool{}
	for _, c := range sheet.SplitList(r.Get("courtyards")) {
		ci := CourtyardInput{Name: c}
		// A courtyard's Validate returns field problems only.
		_ = p.AddFields(r.Row, ci.Validate(), map[string]string{"name": "courtyards"})
		if seen[ci.Name] {
			p.Add(r.Row, "courtyards", "courtyard.name_taken", "name", ci.Name)
		}
		seen[ci.Name] = true
		br.courtyards = append(br.courtyards, ci.Name)
	}
	return br
}

// ImportBranches creates the branches of a sheet, with their courtyards, in
// the official's town. Every row is checked first; if any row is bad the
// error lists each problem with its row number and nothing is written.
// Otherwise all rows are written in one transaction.
func (s *Store) ImportBranches(ctx context.Context, act Actor, t *sheet.Table) (_ int, err error) {
	defer apperr.Wrap(&err, "org: import branches")
	if err := act.RequireOfficial(); err != nil {
		return 0, err
	}
	rs, err := BranchSheet.Records(t)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		// Existing names are read in the writing transaction, so no other
		// request can add a clashing branch between the check and the write.
		var names []string
		if err := tx.Model(&Branch{}).Where("town_id = ?", act.TownID).Pluck("name", &names).Error; err != nil {
			return err
		}
		now := s.now()
		n, err = sheet.Import[branchRow]{
			Schema: BranchSheet, Parse: parseBranchRow,
			Validate: func(br *branchRow) error { return br.in.Validate() },
			Unique:   func(br *branchRow) string { return br.in.Name }, UniqueColumn: "name",
			Taken: sheet.Set(names), TakenCode: "branch.name_taken", TakenParam: "name",
		}.Write(rs, func(br branchRow) error {
			b := &Branch{TownID: act.TownID, Active: true, CreatedAt: now, UpdatedAt: now}
			br.in.apply(b)
			if err := tx.Create(b).Error; err != nil {
				return branchWriteErr(err, br.in.Name)
			}
			for _, name := range br.courtyards {
				c := &Courtyard{TownID: act.TownID, BranchID: b.ID, Name: name, Active: true, CreatedAt: now, UpdatedAt: now}
				if err := tx.Create(c).Error; err != nil {
					return err
				}
			}
			return nil
		})
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
