package org

import (
	"context"
	"strconv"
	"strings"

	"weike/internal/apperr"

	"gorm.io/gorm"

	"weike/internal/sheet"
)

// BranchSheet is the sheet of branches an official imports.
var BranchSheet = sheet.Schema{
	Name: "支部",
	Columns: []sheet.Column{
		{Key: "name", Title: "名称", Aliases: []string{"支部名称", "支部", "党支部"}, Required: true, Hint: "支部名称，本镇内不可重复"},
		{Key: "kind", Title: "类型", Aliases: []string{"支部类型"}, Hint: "村、社区 或 其他；不填为 村"},
		{Key: "member_count", Title: "党员人数", Aliases: []string{"党员数", "members"}, Hint: "整数，不填为 0"},
		{Key: "secretary_name", Title: "书记", Aliases: []string{"支部书记", "书记姓名", "secretary"}, Hint: "支部书记姓名"},
		{Key: "phone", Title: "电话", Aliases: []string{"联系电话", "手机", "手机号"}, Hint: "联系电话"},
		{Key: "courtyards", Title: "屋场", Aliases: []string{"屋场名称"}, Hint: "可选；可填多个屋场，用 、 或 ; 分隔，导入时一并建立"},
	},
	Example: []string{"示例村", "村", "45", "张三", "13800000000", "示例一组屋场、示例二组屋场"},
}

var branchKinds = map[string]string{
	"村": KindVillage, "行政村": KindVillage, "village": KindVillage,
	"社区": KindCommunity, "community": KindCommunity,
	"其他": KindOther, "其它": KindOther, "other": KindOther,
}

// ParseBranchKind reads a branch kind written in Chinese or English; "" is
// the default (village).
func ParseBranchKind(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return KindVillage, true
	}
	k, ok := branchKinds[s]
	return k, ok
}

type branchRow struct {
	row        int
	in         BranchInput
	courtyards []string
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
		taken := map[string]bool{}
		for _, nm := range names {
			taken[nm] = true
		}
		p := rs.Problems(BranchSheet)
		first := map[string]int{} // name → first row with it
		var rows []branchRow
		for _, r := range rs.Items {
			br := branchRow{row: r.Row, in: BranchInput{Name: r.Get("name"), SecretaryName: r.Get("secretary_name"), Phone: r.Get("phone")}}
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
			if err := p.AddFields(r.Row, br.in.Validate(), nil); err != nil {
				return err
			}
			if br.in.Name != "" {
				if prev, dup := first[br.in.Name]; dup {
					p.Add(r.Row, "name", "import.duplicate_row", "row", strconv.Itoa(prev))
				} else if taken[br.in.Name] {
					p.Add(r.Row, "name", "branch.name_taken", "name", br.in.Name)
				} else {
					first[br.in.Name] = r.Row
				}
			}
			seen := map[string]bool{}
			for _, c := range sheet.SplitList(r.Get("courtyards")) {
				ci := CourtyardInput{Name: c}
				if err := p.AddFields(r.Row, ci.Validate(), map[string]string{"name": "courtyards"}); err != nil {
					return err
				}
				if seen[ci.Name] {
					p.Add(r.Row, "courtyards", "courtyard.name_taken", "name", ci.Name)
				}
				seen[ci.Name] = true
				br.courtyards = append(br.courtyards, ci.Name)
			}
			rows = append(rows, br)
		}
		if err := p.Err(); err != nil {
			return err
		}
		now := s.now()
		for _, br := range rows {
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
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
