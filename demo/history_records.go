package demo

import (
	"context"
	"math"

	"weike/themeday"
)

// The history's theme-day records: member lessons, film viewings and
// practices, month by month.

var (
	surnames   = []rune("李王张刘陈杨黄周吴胡罗彭汤易谭邓曾廖龚许谢蒋毛孙朱何郭袁余姚黎贺文")
	givenNames = []string{"建国", "国华", "桂英", "秀兰", "志明", "海军", "春生", "冬梅", "小平", "红英", "德胜", "玉兰", "卫国",
		"家旺", "翠华", "明亮", "少华", "和平", "伟", "敏", "勇", "静", "芳", "强", "丽", "军辉", "建军", "新民", "福生", "金凤",
		"满秀", "再兴", "湘平", "立新", "爱华", "春梅", "铁牛", "永红"}
)

// speakerPool makes the members of a branch who give its lessons: a few
// regulars and, in bigger branches, more occasional speakers.
func (h *historian) speakerPool(members int) []string {
	n := 4 + members/12
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		name := string(surnames[h.r.IntN(len(surnames))]) + givenNames[h.r.IntN(len(givenNames))]
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

// memberTitles are lessons members give in their own branch, by topic.
var memberTitles = map[string][]string{
	"乡村振兴": {"我家的稻田账", "合作社分红那一天", "从打工仔到种粮大户", "我们组的路修通了", "一粒种子的故事"},
	"文旅融合": {"屋场里来了游客", "我家的农家乐", "讲讲村里的老屋场"},
	"红色教育": {"我入党时的誓言", "爷爷讲的抛砖屋场", "重温入党誓词", "读一封红色家书", "老兵说长征"},
	"基层治理": {"我当片长这一年", "屋场会上的一件事", "民情日记里的小事", "垃圾分类我带头", "防汛值守的一个晚上"},
	"政策理论": {"学习二十届三中全会精神的体会", "医保政策我来讲", "惠农补贴怎么领", "养老保险算笔账"},
	"廉洁教育": {"我家的家训", "人情往来的分寸", "村务公开我来监督"},
}

var memberTopics = []string{"乡村振兴", "文旅融合", "红色教育", "基层治理", "政策理论", "廉洁教育"}

// writeMemberLessons tops lecturing person-times up to the plan with the
// branches' own lessons: at least one in each month a branch had lessons but
// no delivered order, the rest in proportion to members.
func (h *historian) writeMemberLessons(ctx context.Context) error {
	delivered := 0
	for i := range h.branches {
		for m := 0; m < complete; m++ {
			delivered += h.cells[i][m].delivered
		}
	}
	type slotRef struct{ i, m int }
	var refs []slotRef
	var ws []float64
	need := make(map[slotRef]int)
	base := 0
	for i, b := range h.branches {
		for m := range h.months {
			c := h.cells[i][m]
			if !c.lesson {
				continue
			}
			w := float64(b.MemberCount) * h.share(m)
			if c.delivered > 0 {
				w *= 0.5
			} else {
				need[slotRef{i, m}] = 1
				if m < complete {
					base++
				}
			}
			if summer(h.season(m)) {
				w *= 0.7
			}
			refs = append(refs, slotRef{i, m})
			ws = append(ws, w)
		}
	}
	// The twelve months add up to the plan; the current month gets as many
	// for its weight as the year had.
	var yearW, curW []float64
	for k, r := range refs {
		if r.m < complete {
			yearW = append(yearW, ws[k])
		} else {
			curW = append(curW, ws[k])
		}
	}
	extra := max(h.plan.PersonTimes-delivered-base, 0)
	split := largestRemainder(extra, yearW)
	if y := sum(yearW); y > 0 {
		split = append(split, largestRemainder(int(math.Round(float64(extra)*sum(curW)/y)), curW)...)
	}
	var ins []themeday.NewMemberLesson
	var yi, ci int
	for _, r := range refs {
		b := h.branches[r.i]
		k := yi
		if r.m < complete {
			yi++
		} else {
			k = len(yearW) + ci
			ci++
		}
		for n := need[r] + split[k]; n > 0; n-- {
			topic := memberTopics[h.r.IntN(len(memberTopics))]
			if summer(h.season(r.m)) && h.r.IntN(3) == 0 {
				topic = "基层治理"
			}
			// The first speakers of a branch's pool are its regulars.
			sp := b.speakers[min(h.r.IntN(len(b.speakers)), h.r.IntN(len(b.speakers)))]
			ins = append(ins, themeday.NewMemberLesson{BranchID: b.ID, Title: h.pick(memberTitles[topic]), Topic: topic,
				Speaker: sp, Date: h.day(r.m).Format("2006-01-02"), Attendees: 8 + b.MemberCount*(12+h.r.IntN(20))/100})
		}
	}
	_, err := h.st.ThemeDay.RecordMemberLessons(ctx, h.off, ins)
	return err
}

// filmWeight favours red history around 清明, 七一 and 国庆, warning films at
// the year's end, the town's own films all year.
func filmWeight(category string, month int) float64 {
	switch category {
	case "红色历史":
		if month == 4 || month == 6 || month == 7 || month == 9 {
			return 3
		}
	case "警示教育":
		if month == 12 || month == 1 {
			return 3
		}
	case "本土":
		return 1.5
	}
	return 1
}

var (
	offCatalogFilms = []string{"榜样8", "信仰的力量", "山河岁月"}
	viewingNotes    = map[string][]string{
		"": {
			"观看《{film}》后，党员们围坐在屋场里交流感受，大家表示要学以致用，带头把村里的事办好。",
			"组织党员在屋场微阵地集中观看《{film}》，会后每人写了一句话观后感，贴在支部公示栏。",
			"结合本月主题党日观看，大家找差距、谈感受，支部书记作了小结。",
			"行动不便的老党员由网格员上门用手机播放，确保一个不落。",
			"{name}说：看完心里热乎乎的，作为农村党员，应该带头发展特色产业，为乡村振兴出把力。",
		},
		"红色历史": {
			"老党员{name}说：“看了这部片子，想起了当年修水库的日子，党员就是要吃苦在前。”",
			"观看后重温入党誓词，年轻党员{name}分享了自己的入党初心。",
			"片子讲的是先辈的信仰，大家说红色家底不能忘，要讲给孩子们听。",
		},
		"警示教育": {
			"观看后开展讨论：身边的“微腐败”怎样防？大家一致认为要把村务公开做细。",
			"{name}发言：小节不守，大节难保，人情往来也要有分寸。",
			"村“两委”成员全部参加，观后签订了廉洁承诺书。",
		},
		"政策理论": {
			"片中的事例给了大家很大启发，{name}说：农为邦本，本固邦宁，我们要坚持城乡融合发展。",
			"观看后围绕进一步全面深化改革谈体会，大家提出了两条发展村集体经济的建议。",
		},
		"本土": {
			"看到片子里熟悉的屋场和乡亲，大家很有亲切感，{name}说这就是我们自己的故事。",
			"观看本土教育片，党员们说身边人讲身边事，最能打动人。",
		},
	}
)

func (h *historian) writeViewings(ctx context.Context) error {
	var ins []themeday.ViewingInput
	for i, b := range h.branches {
		for m := range h.months {
			if !h.cells[i][m].film {
				continue
			}
			n := int(h.plan.ViewingsPerMonth)
			if h.r.Float64() < h.plan.ViewingsPerMonth-float64(n) {
				n++
			}
			for ; n > 0; n-- {
				in := themeday.ViewingInput{BranchID: b.ID, Date: h.day(m).Format("2006-01-02"),
					Attendees: 6 + b.MemberCount*(30+h.r.IntN(35))/100}
				category := ""
				if h.r.Float64() < 0.07 || len(h.films) == 0 {
					in.FilmTitle = h.pick(offCatalogFilms)
				} else {
					ws := make([]float64, len(h.films))
					for k, f := range h.films {
						ws[k] = filmWeight(f.Category, h.season(m))
					}
					f := h.films[h.weighted(ws)]
					in.FilmID, in.FilmTitle, category = f.ID, f.Title, f.Category
				}
				notes := viewingNotes[""]
				if own := viewingNotes[category]; len(own) > 0 && h.r.IntN(2) == 0 {
					notes = own
				}
				in.Notes = fill(h.pick(notes), "{film}", in.FilmTitle, "{name}", b.speakers[h.r.IntN(len(b.speakers))])
				if in.FilmID != 0 {
					in.FilmTitle = ""
				}
				ins = append(ins, in)
			}
		}
	}
	_, err := h.st.ThemeDay.RecordViewings(ctx, h.off, ins)
	return err
}

// practiceSeason weighs the practice types of themeday.PracticeTypes by
// calendar month.
func practiceSeason(typ string, month int) float64 {
	switch typ {
	case "走访慰问":
		if month == 1 || month == 2 || month == 12 || month == 10 {
			return 4 // before Spring Festival; 重阳 in October
		}
	case "助农春耕":
		if month >= 3 && month <= 5 {
			return 5
		}
		return 0
	case "助农秋收":
		if month >= 9 && month <= 10 {
			return 5
		}
		return 0
	case "抗洪防汛":
		if summer(month) || month == 6 {
			return 9
		}
		if month == 5 {
			return 2
		}
		return 0
	case "义诊", "义剪", "义修":
		if month == 3 {
			return 2.5 // 学雷锋
		}
		return 0.7
	case "环境整治":
		if month == 4 || month == 11 || month == 1 {
			return 2
		}
	case "文明劝导":
		if month == 2 || month == 4 {
			return 2.5 // 烟花爆竹, 文明祭扫
		}
		return 0.5
	case "其他":
		return 0.2
	}
	return 1
}

// opinionsOf and servicesOf are how many opinions and service items a
// practice of a type typically yields, before scaling to the plan.
var (
	opinionsOf = map[string]float64{"民情走访": 8, "走访慰问": 5, "政策宣讲": 4, "送学上门": 3, "便民服务": 3, "文明劝导": 2,
		"抗洪防汛": 2, "助农春耕": 2, "助农秋收": 2, "环境整治": 2, "义诊": 2, "义剪": 1, "义修": 2, "其他": 2}
	servicesOf = map[string]float64{"便民服务": 10, "义修": 9, "义诊": 9, "义剪": 8, "助农春耕": 7, "助农秋收": 7, "走访慰问": 6,
		"抗洪防汛": 6, "环境整治": 5, "民情走访": 4, "送学上门": 3, "政策宣讲": 2, "文明劝导": 2, "其他": 2}
	practiceNotes = map[string]string{
		"走访慰问": "党员分组走访困难党员、留守老人和儿童，送去米油和慰问金，逐户记下需求。",
		"送学上门": "为年老体弱、行动不便的党员送学上门，读文件、讲政策，顺带帮着修了电灯。",
		"环境整治": "党员带头清理房前屋后和沟渠垃圾，拆除乱搭乱建，评出“美丽屋场”。",
		"文明劝导": "党员志愿者上路口、进屋场开展文明劝导，宣传移风易俗和安全用火。",
		"便民服务": "在党群服务中心摆摊设点，代办社保认证、医保缴费，帮老人用手机。",
		"抗洪防汛": "汛期党员突击队分班巡堤查险，清理排水沟，转移安置低洼处独居老人。",
		"义诊":   "联合镇卫生院党员医生义诊，量血压、测血糖，为慢病老人建健康档案。",
		"义剪":   "党员理发师进屋场义剪，老人孩子排起了长队。",
		"义修":   "党员电工、农机手义修电器和农机具，顺带检查线路安全。",
		"助农春耕": "党员带头帮缺劳力的农户育秧、机插，协调农资统一配送。",
		"助农秋收": "党员组织收割机帮缺劳力的农户抢收，联系烘干和收购。",
		"民情走访": "结合“三长制”，片长、组长带党员逐户走访，收集急难愁盼问题，建台账跟进办理。",
		"政策宣讲": "党员进屋场宣讲惠农补贴、医保和养老政策，当场解答乡亲们的问题。",
		"其他":   "支部结对共建单位党员来村开展志愿服务，帮学校整理图书室。",
	}
)

func (h *historian) writePractices(ctx context.Context) error {
	type planned struct {
		in  themeday.PracticeInput
		m   int
		opW float64
		svW float64
	}
	var ps []planned
	for i, b := range h.branches {
		for m := range h.months {
			if !h.cells[i][m].practice {
				continue
			}
			season := h.season(m)
			n := 1
			if h.r.Float64() < 0.2 || (summer(season) && h.r.Float64() < 0.6) {
				n++
			}
			for ; n > 0; n-- {
				ws := make([]float64, len(themeday.PracticeTypes))
				for k, t := range themeday.PracticeTypes {
					ws[k] = practiceSeason(t, season)
				}
				typ := themeday.PracticeTypes[h.weighted(ws)]
				jitter := 0.6 + 0.8*h.r.Float64()
				size := math.Sqrt(float64(b.MemberCount) / 70)
				ps = append(ps, planned{in: themeday.PracticeInput{BranchID: b.ID, Type: typ, Date: h.day(m).Format("2006-01-02"),
					Participants: 5 + b.MemberCount*(8+h.r.IntN(15))/100, Notes: practiceNotes[typ]},
					m: m, opW: opinionsOf[typ] * jitter * size, svW: servicesOf[typ] * (0.6 + 0.8*h.r.Float64()) * size})
			}
		}
	}
	// The twelve months add up to the plan exactly; the current month gets
	// as many per practice as the year had.
	var opW, svW, curOp, curSv []float64
	var yearOp, yearSv float64
	for _, p := range ps {
		if p.m < complete {
			opW, svW = append(opW, p.opW), append(svW, p.svW)
			yearOp, yearSv = yearOp+p.opW, yearSv+p.svW
		} else {
			curOp, curSv = append(curOp, p.opW), append(curSv, p.svW)
		}
	}
	ops := largestRemainder(h.plan.Opinions, opW)
	svs := largestRemainder(h.plan.Services, svW)
	if yearOp > 0 && yearSv > 0 {
		ops = append(ops, largestRemainder(int(math.Round(float64(h.plan.Opinions)*sum(curOp)/yearOp)), curOp)...)
		svs = append(svs, largestRemainder(int(math.Round(float64(h.plan.Services)*sum(curSv)/yearSv)), curSv)...)
	}
	// ops and svs list the year's practices first, then the current month's.
	var yi, ci int
	ins := make([]themeday.PracticeInput, 0, len(ps))
	for _, p := range ps {
		k := yi
		if p.m < complete {
			yi++
		} else {
			k = len(opW) + ci
			ci++
		}
		if k < len(ops) {
			p.in.Opinions = ops[k]
		}
		if k < len(svs) {
			p.in.ServiceItems = svs[k]
		}
		ins = append(ins, p.in)
	}
	_, err := h.st.ThemeDay.RecordPractices(ctx, h.off, ins)
	return err
}
