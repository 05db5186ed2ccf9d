package demo

import (
	"time"

	"weike/lessons"
	"weike/org"
)

// The demo's data, as plain typed values. 春华镇 follows the source article
// (docs/seed-article.zh.txt): its 35 "贴近式" courtyard lessons, local
// lecturers, 《抛砖屋场》 and the monthly "一月一课一片一实践". Names of
// people, phone numbers and most place names are invented.

// emailDomain marks demo accounts: an existing account with a demo login but
// another address is someone's real account, which Load must not touch.
const emailDomain = "@weike.demo"

// mainLogins are the accounts the sign-in page offers for one-click sign-in,
// in the order shown: 春华镇's roles first, then 漆河镇's.
var mainLogins = []string{
	"official", "secretary", "lecturer", "county",
	"sec-chunhuashan", "lec-wuhui",
	"qh-official", "qh-secretary", "qh-lecturer", "taoyuan-county",
}

type townSeed struct {
	County   string
	Town     string
	Official person
	Viewer   person // the county's read-only viewer
	// PhonePrefix makes the fictional numbers of secretaries.
	PhonePrefix string
	Branches    []branchSeed
	Lecturers   []lecturerSeed
	Lessons     []lessonSeed
	Films       []filmSeed
}

// person is an account's login and the name it shows.
type person struct {
	Login string
	Name  string
}

type branchSeed struct {
	Name       string
	Kind       string
	Members    int
	Secretary  person
	Courtyards []courtyardSeed
}

type courtyardSeed struct {
	Name    string
	Address string
	// Lat and Lng are optional; zero means the courtyard has no coordinates.
	Lat, Lng float64
}

type lecturerSeed struct {
	Name     string
	Login    string
	Phone    string
	Branch   string // home branch, by name
	Bio      string
	Topics   string
	Capacity int
	Windows  []lessons.Window
	// Blackouts are days counted from the day the demo is loaded, so that
	// they always lie ahead.
	Blackouts []blackoutSeed
}

type blackoutSeed struct {
	InDays int
	Reason string
}

type lessonSeed struct {
	Title     string
	Topic     string
	Summary   string
	Outline   []string // numbered when written
	Minutes   int
	Lecturers []string // by name
	Draft     bool
}

type filmSeed struct {
	Title       string
	Category    string
	Minutes     int
	Link        string
	Description string
}

func yard(name, address string) courtyardSeed { return courtyardSeed{Name: name, Address: address} }

func yardAt(name, address string, lat, lng float64) courtyardSeed {
	return courtyardSeed{Name: name, Address: address, Lat: lat, Lng: lng}
}

type seededLogin struct {
	login string
	role  org.Role
}

// accounts are the logins the seed makes, the official first.
func (ts *townSeed) accounts() []seededLogin {
	out := []seededLogin{{ts.Official.Login, org.RoleOfficial}, {ts.Viewer.Login, org.RoleCounty}}
	for _, b := range ts.Branches {
		out = append(out, seededLogin{b.Secretary.Login, org.RoleSecretary})
	}
	for _, l := range ts.Lecturers {
		out = append(out, seededLogin{l.Login, org.RoleLecturer})
	}
	return out
}

// win is a weekly window from "HH:MM" to "HH:MM".
func win(day time.Weekday, from, to string) lessons.Window {
	return lessons.Window{Weekday: int(day), StartMinute: minuteOf(from), EndMinute: minuteOf(to)}
}

func minuteOf(hhmm string) int {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		panic("demo: bad time " + hhmm)
	}
	return t.Hour()*60 + t.Minute()
}

// Windows shared by many lecturers.
var (
	satPM = win(time.Saturday, "14:00", "17:30")
	sunPM = win(time.Sunday, "14:30", "17:30")
)

func evening(day time.Weekday) lessons.Window { return win(day, "19:00", "21:00") }

var chunhua = townSeed{
	County:      "长沙县",
	Town:        "春华镇",
	Official:    person{"official", "刘芳"},
	Viewer:      person{"county", "钟建华"},
	PhonePrefix: "1397310",
	Branches: []branchSeed{
		{"龙王庙村", org.KindVillage, 126, person{"secretary", "李国平"}, []courtyardSeed{
			yardAt("抛砖屋场", "长沙县春华镇龙王庙村抛砖组", 28.2731, 113.2468),
			yardAt("大屋场", "长沙县春华镇龙王庙村大屋组", 28.2764, 113.2512),
			yardAt("新时代文明实践站", "长沙县春华镇龙王庙村村部二楼", 28.2748, 113.2490),
		}},
		{"春华山村", org.KindVillage, 98, person{"sec-chunhuashan", "陈卫红"}, []courtyardSeed{
			yardAt("村部礼堂", "长沙县春华镇春华山村村部", 28.2815, 113.2587),
			yardAt("山塘屋场", "长沙县春华镇春华山村山塘组", 28.2853, 113.2621),
		}},
		{"金鼎山社区", org.KindCommunity, 74, person{"sec-jindingshan", "王丽萍"}, []courtyardSeed{
			yardAt("新时代文明实践站", "长沙县春华镇金鼎山社区党群服务中心一楼", 28.2672, 113.2433),
			yard("金鼎广场", "长沙县春华镇金鼎山社区金鼎路18号"),
		}},
		{"九木村", org.KindVillage, 88, person{"sec-jiumu", "张铁军"}, []courtyardSeed{
			yardAt("九木大屋场", "长沙县春华镇九木村大屋组", 28.2904, 113.2359),
			yard("枫树湾屋场", "长沙县春华镇九木村枫树湾组"),
		}},
		{"龙华村", org.KindVillage, 105, person{"sec-longhua", "黄志勇"}, []courtyardSeed{
			yardAt("村部礼堂", "长沙县春华镇龙华村村部", 28.2588, 113.2641),
			yardAt("荷塘屋场", "长沙县春华镇龙华村荷塘组", 28.2561, 113.2679),
			yard("稻田课堂", "长沙县春华镇龙华村种业示范片"),
		}},
		{"大鱼村", org.KindVillage, 67, person{"sec-dayu", "周建新"}, []courtyardSeed{
			yardAt("鱼塘屋场", "长沙县春华镇大鱼村鱼塘组", 28.2466, 113.2395),
		}},
		{"李公庙村", org.KindVillage, 92, person{"sec-ligongmiao", "罗志明"}, []courtyardSeed{
			yardAt("李公庙屋场", "长沙县春华镇李公庙村庙前组", 28.3012, 113.2544),
			yard("村部礼堂", "长沙县春华镇李公庙村村部"),
		}},
		{"武塘村", org.KindVillage, 81, person{"sec-wutang", "胡爱民"}, []courtyardSeed{
			yardAt("武塘大屋场", "长沙县春华镇武塘村上塘组", 28.2397, 113.2563),
			yard("新时代文明实践站", "长沙县春华镇武塘村村部"),
		}},
		{"健康村", org.KindVillage, 59, person{"sec-jiankang", "杨桂香"}, []courtyardSeed{
			yardAt("彭家大屋", "长沙县春华镇健康村彭家组", 28.2622, 113.2298),
		}},
		{"石塘铺村", org.KindVillage, 113, person{"sec-shitangpu", "汤建国"}, []courtyardSeed{
			yardAt("石塘铺屋场", "长沙县春华镇石塘铺村铺里组", 28.2950, 113.2718),
			yard("老街屋场", "长沙县春华镇石塘铺村老街组"),
			yardAt("村部礼堂", "长沙县春华镇石塘铺村村部", 28.2937, 113.2702),
		}},
		{"赤马村", org.KindVillage, 72, person{"sec-chima", "许国强"}, []courtyardSeed{
			yardAt("赤马屋场", "长沙县春华镇赤马村马头组", 28.3079, 113.2395),
		}},
		{"长龙村", org.KindVillage, 64, person{"sec-changlong", "彭小军"}, []courtyardSeed{
			yard("长龙大屋场", "长沙县春华镇长龙村龙尾组"),
			yardAt("村部礼堂", "长沙县春华镇长龙村村部", 28.2501, 113.2785),
		}},
		{"花果村", org.KindVillage, 48, person{"sec-huaguo", "谢春兰"}, []courtyardSeed{
			yardAt("果园屋场", "长沙县春华镇花果村果园组", 28.2335, 113.2440),
		}},
		{"双冲村", org.KindVillage, 55, person{"sec-shuangchong", "邓志华"}, []courtyardSeed{
			yard("双冲屋场", "长沙县春华镇双冲村冲口组"),
			yardAt("新时代文明实践站", "长沙县春华镇双冲村村部", 28.3140, 113.2610),
		}},
		{"杨梓村", org.KindVillage, 77, person{"sec-yangzi", "杨明辉"}, []courtyardSeed{
			yardAt("杨家屋场", "长沙县春华镇杨梓村杨家组", 28.2777, 113.2188),
		}},
		{"新桥村", org.KindVillage, 61, person{"sec-xinqiao", "曾凡军"}, []courtyardSeed{
			yardAt("桥头屋场", "长沙县春华镇新桥村桥头组", 28.2690, 113.2802),
			yard("村部礼堂", "长沙县春华镇新桥村村部"),
		}},
		{"永安村", org.KindVillage, 84, person{"sec-yongan", "廖海波"}, []courtyardSeed{
			yardAt("永安大屋场", "长沙县春华镇永安村中屋组", 28.2860, 113.2815),
		}},
		{"高塘村", org.KindVillage, 53, person{"sec-gaotang", "龚秋菊"}, []courtyardSeed{
			yard("高塘屋场", "长沙县春华镇高塘村塘边组"),
		}},
		{"春华社区", org.KindCommunity, 46, person{"sec-chunhuasq", "韩雪梅"}, []courtyardSeed{
			yardAt("社区党群服务中心", "长沙县春华镇春华社区春华路66号", 28.2705, 113.2531),
			yard("邻里议事厅", "长沙县春华镇春华社区幸福小区3栋架空层"),
		}},
		{"稻香社区", org.KindCommunity, 38, person{"sec-daoxiang", "蒋红梅"}, []courtyardSeed{
			yardAt("新时代文明实践站", "长沙县春华镇稻香社区服务中心", 28.2648, 113.2574),
		}},
		{"新湖社区", org.KindCommunity, 42, person{"sec-xinhu", "毛建平"}, []courtyardSeed{
			yard("湖畔议事亭", "长沙县春华镇新湖社区湖滨路"),
			yardAt("社区礼堂", "长沙县春华镇新湖社区服务中心二楼", 28.2592, 113.2466),
		}},
		{"种业产业园联合党支部", org.KindOther, 34, person{"sec-zhongye", "孙立群"}, []courtyardSeed{
			yardAt("园区党员活动室", "长沙县春华镇种业产业园综合楼三楼", 28.2799, 113.2664),
		}},
	},
	Lecturers: []lecturerSeed{
		{Name: "黄春梅", Login: "lecturer", Phone: "13873100101", Branch: "龙王庙村",
			Bio:    "龙王庙村普通党员，在村里开了十年农家小店。把春华镇这些年的变化编成“从春华讲到秋实”的微党课，讲的都是乡亲们身边的事。",
			Topics: "乡村振兴、文旅融合", Capacity: 4,
			Windows:   []lessons.Window{satPM, sunPM, evening(time.Wednesday)},
			Blackouts: []blackoutSeed{{12, "外出参加县基层党校培训"}, {26, "家中有事"}}},
		{Name: "吴辉", Login: "lec-wuhui", Phone: "13873100102", Branch: "春华山村",
			Bio:    "春华山村党员、片长，“稻韵春华”微党课巡讲栏目的老听众，如今也上台讲。擅长用村里的账本讲政策、讲“三长制”。",
			Topics: "政策理论、基层治理、乡村振兴", Capacity: 5,
			Windows:   []lessons.Window{satPM, evening(time.Tuesday), evening(time.Thursday)},
			Blackouts: []blackoutSeed{{9, "带队外出学习"}}},
		{Name: "刘建国", Login: "lec-liujianguo", Phone: "13873100103", Branch: "九木村",
			Bio:    "退役军人党员，入伍十二年。常年义务讲解抛砖屋场和长沙县的红色故事，讲课不用稿子。",
			Topics: "红色教育", Capacity: 4,
			Windows: []lessons.Window{satPM, sunPM}},
		{Name: "陈秀英", Login: "lec-chenxiuying", Phone: "13873100104", Branch: "金鼎山社区",
			Bio:    "退休小学语文教师，党龄三十五年。喜欢用红色家书、好家风故事讲党史，也带社区花鼓戏队。",
			Topics: "红色教育、廉洁教育、政策理论", Capacity: 3,
			Windows:   []lessons.Window{evening(time.Monday), evening(time.Thursday), win(time.Saturday, "09:00", "11:30")},
			Blackouts: []blackoutSeed{{15, "到外地看望女儿"}, {16, "到外地看望女儿"}, {17, "到外地看望女儿"}}},
		{Name: "李志强", Login: "lec-lizhiqiang", Phone: "13873100105", Branch: "龙华村",
			Bio:    "龙华村种粮大户，流转稻田六百亩，和种业企业合作制种。讲课就在田埂上，讲一粒种子怎样变成好日子。",
			Topics: "乡村振兴", Capacity: 4,
			Windows:   []lessons.Window{sunPM, evening(time.Friday)},
			Blackouts: []blackoutSeed{{20, "晚稻收割"}, {21, "晚稻收割"}}},
		{Name: "周红霞", Login: "lec-zhouhongxia", Phone: "13873100106", Branch: "大鱼村",
			Bio:    "返乡创业青年党员，在大鱼村经营民宿和研学基地。讲文旅融合，也讲年轻人为什么愿意回村。",
			Topics: "文旅融合、乡村振兴", Capacity: 5,
			Windows: []lessons.Window{evening(time.Monday), evening(time.Wednesday), win(time.Sunday, "14:00", "18:00")}},
		{Name: "彭德志", Login: "lec-pengdezhi", Phone: "13873100107", Branch: "春华社区",
			Bio:    "镇纪委干部，长期联系村级“小微权力”监督。用身边的案例讲廉洁，讲得直白，也讲得透。",
			Topics: "廉洁教育、基层治理", Capacity: 3,
			Windows:   []lessons.Window{evening(time.Tuesday), win(time.Saturday, "15:00", "17:30")},
			Blackouts: []blackoutSeed{{7, "参加县纪委集中办案"}}},
		{Name: "谭美玲", Login: "lec-tanmeiling", Phone: "13873100108", Branch: "春华社区",
			Bio:    "春华社区党员、网格员，“三长制”里的组长。一本民情日记记了六年，讲的是怎样把群众的事办在家门口。",
			Topics: "基层治理", Capacity: 6,
			Windows: []lessons.Window{evening(time.Monday), evening(time.Wednesday), evening(time.Friday)}},
		{Name: "罗志明", Login: "lec-luozhiming", Phone: "13873100109", Branch: "李公庙村",
			Bio:    "李公庙村党支部书记，带领村里办起水稻合作社。讲屋场会议事、村务公开，也讲合作社怎么分红。",
			Topics: "基层治理、乡村振兴、廉洁教育", Capacity: 3,
			Windows:   []lessons.Window{satPM, evening(time.Thursday)},
			Blackouts: []blackoutSeed{{5, "村“两委”换届筹备会"}}},
		{Name: "汤正平", Login: "lec-tangzhengping", Phone: "13873100110", Branch: "石塘铺村",
			Bio:    "七十八岁的老党员，1968年入党。讲自己入党那一年的故事，讲老一辈共产党员怎样带头。",
			Topics: "红色教育", Capacity: 3,
			Windows: []lessons.Window{win(time.Tuesday, "09:00", "11:30"), win(time.Thursday, "09:00", "11:30"), satPM}},
		{Name: "易晓华", Login: "lec-yixiaohua", Phone: "13873100111", Branch: "金鼎山社区",
			Bio:    "镇基层党校专职教员。把党的二十届三中全会精神拆成一个个“屋场版”小问题，用乡亲们听得懂的话来讲。",
			Topics: "政策理论", Capacity: 6,
			Windows: []lessons.Window{evening(time.Tuesday), evening(time.Wednesday), satPM, sunPM}},
		{Name: "胡卫东", Login: "lec-huweidong", Phone: "13873100112", Branch: "武塘村",
			Bio:    "镇农业综合服务中心农技员，武塘村党员。常年跑田间，讲科学种田和惠农政策。",
			Topics: "乡村振兴、政策理论", Capacity: 4,
			Windows: []lessons.Window{evening(time.Monday), sunPM}},
		{Name: "张丽", Login: "lec-zhangli", Phone: "13873100113", Branch: "龙王庙村",
			Bio:    "选调生，驻龙王庙村工作三年。擅长做短视频和图文，把微党课讲成年轻人也爱听的样子。",
			Topics: "文旅融合、政策理论、乡村振兴", Capacity: 5,
			Windows:   []lessons.Window{evening(time.Tuesday), evening(time.Thursday), win(time.Saturday, "09:30", "12:00")},
			Blackouts: []blackoutSeed{{30, "参加市委党校青年干部班"}}},
		{Name: "许建军", Login: "lec-xujianjun", Phone: "13873100114", Branch: "赤马村",
			Bio:    "退役军人党员，镇党员应急突击队队长，参加过多次抗洪抢险。讲防汛、讲志愿服务。",
			Topics: "基层治理、红色教育", Capacity: 4,
			Windows: []lessons.Window{satPM, sunPM, evening(time.Friday)}},
	},
	Lessons: chunhuaLessons,
	Films: []filmSeed{
		{"解码中部崛起——促进城乡融合", "政策理论", 28, "https://www.xuexi.cn/lgpage/detail/index.html?id=1657281503461873401",
			"讲述中部地区推进城乡融合发展的实践。观影后党员们交流：农为邦本，本固邦宁，农村党员要带头发展特色产业。"},
		{"抛砖屋场", "本土", 22, "",
			"春华镇与省文化馆共同深挖抛砖屋场背后的故事，由本土党员出演并录制的情景剧，感受鱼水情深。"},
		{"稻韵春华", "本土", 12, "",
			"种业小镇一年四季的稻田与人，春华镇自拍的短片。"},
		{"从“春华”讲到“秋实”（微党课巡讲实录）", "本土", 18, "",
			"龙王庙村党员在屋场讲微党课的现场实录，可供各支部学习怎样讲好身边事。"},
		{"板仓烈火——杨开慧的故事", "红色历史", 40, "https://www.hxw.gov.cn/content/2023/09/01/13712345.html",
			"长沙县板仓走出的革命烈士杨开慧的一生，适合清明、七一前后观看。"},
		{"长征路上的共产党员", "红色历史", 35, "https://www.12371.cn/2021/06/15/VIDE1623745678901234.shtml",
			"以普通党员的视角重温长征路上的信仰与担当。"},
		{"党的二十届三中全会精神解读", "政策理论", 45, "https://www.12371.cn/2024/08/20/VIDE1724123456789012.shtml",
			"围绕进一步全面深化改革、城乡融合发展等内容的权威解读。"},
		{"警钟长鸣——身边的“微腐败”", "警示教育", 32, "https://www.12371.cn/2023/03/10/VIDE1678412345678901.shtml",
			"剖析多起村级“微腐败”案件，讲清“小官大贪”“蝇贪蚁腐”之害。"},
		{"蝇贪之害", "警示教育", 25, "https://www.hxw.gov.cn/content/2022/11/18/12398765.html",
			"湖南查处的侵害群众利益典型案例，适合与廉洁教育微党课一同观看。"},
		{"榜样的力量：种业追梦人", "政策理论", 30, "https://www.xuexi.cn/lgpage/detail/index.html?id=9876543210123456789",
			"讲述扎根田间的育种人和基层党员的奋斗故事。"},
	},
}

var chunhuaLessons = []lessonSeed{
	// 乡村振兴
	{Title: "从“春华”讲到“秋实”：春华镇乡村振兴这些年", Topic: "乡村振兴", Minutes: 25,
		Summary:   "龙王庙村党员用身边的变化，讲春华镇的产业升级、文旅融合和基层治理。春华稻花香，渐知秋实美，唯有下沉基层、深耕乡村，方能唱响丰收的赞歌。",
		Outline:   []string{"春华：一粒种子的起点——种业小镇从哪里来", "夏长：从种粮到制种育种的产业升级", "秋实：稻韵春华的丰收账本", "冬藏：党员带头，为来年蓄力"},
		Lecturers: []string{"黄春梅", "吴辉", "张丽"}},
	{Title: "一粒种子的振兴路：种业小镇里的党员担当", Topic: "乡村振兴", Minutes: 30,
		Summary:   "种子是农业的“芯片”。讲春华镇怎样从种粮大镇走向种业小镇，党员在土地流转、制种基地建设中怎样带头。",
		Outline:   []string{"为什么说种子是农业的“芯片”", "春华镇制种基地的由来", "党员带头流转土地、试种新品种", "我们支部还能做什么"},
		Lecturers: []string{"李志强", "胡卫东", "吴辉"}},
	{Title: "稻韵春华：一块稻田里的产业链", Topic: "乡村振兴", Minutes: 20,
		Summary:   "从育秧、机插到烘干、加工、品牌，一块稻田能串起多少就业岗位？用龙华村的账本算给大家听。",
		Outline:   []string{"一亩田的投入和产出", "从卖稻谷到卖大米、卖品牌", "合作社怎样带动小农户", "稻田里的新岗位"},
		Lecturers: []string{"李志强", "胡卫东"}},
	{Title: "种粮大户讲“藏粮于地、藏粮于技”", Topic: "乡村振兴", Minutes: 20,
		Summary:   "种粮大户讲高标准农田、良种良法和农机作业，讲为什么守住耕地红线就是守住饭碗。",
		Outline:   []string{"耕地红线和我们的责任田", "高标准农田建成以后", "良种良法：产量是怎样提上来的", "党员带头不撂荒"},
		Lecturers: []string{"李志强", "胡卫东", "罗志明"}},
	{Title: "抱团发展：党员带头办合作社", Topic: "乡村振兴", Minutes: 25,
		Summary:   "李公庙村水稻合作社从七户发展到一百多户，讲党员怎样带头入社、怎样公开分红、怎样让小农户不吃亏。",
		Outline:   []string{"单打独斗的难处", "合作社是怎样办起来的", "分红方案为什么要上屋场会", "下一步：从种到卖一条龙"},
		Lecturers: []string{"罗志明", "吴辉", "李志强"}},
	{Title: "农为邦本，本固邦宁：观《解码中部崛起》谈城乡融合", Topic: "乡村振兴", Minutes: 30,
		Summary:   "结合教育片《解码中部崛起——促进城乡融合》，讲城乡融合发展给春华带来的机会，讨论农村党员怎样带头发展特色产业。",
		Outline:   []string{"片中的三个事例", "城乡融合在春华：路通了、人来了、产业兴了", "农村党员带头发展特色产业", "观后交流：找差距、谈感受"},
		Lecturers: []string{"吴辉", "易晓华", "张丽"}},
	{Title: "留得住乡愁，引得回能人：返乡青年的创业故事", Topic: "乡村振兴", Minutes: 15,
		Summary:   "返乡青年党员讲自己为什么回村、回来后遇到的难处，以及村党支部给的帮助。",
		Outline:   []string{"城里打工十年，为什么回来", "第一年：差点做不下去", "支部帮了哪些忙", "给想回村的年轻人几句话"},
		Lecturers: []string{"周红霞", "张丽"}},
	{Title: "和美乡村从屋前屋后做起", Topic: "乡村振兴", Minutes: 15,
		Summary:   "讲人居环境整治中党员户的“门前三包”，讲垃圾分类、庭院美化怎样变成村里的新风景。",
		Outline:   []string{"党员户挂牌以后", "门前三包包什么", "垃圾分类的龙王庙村做法", "评比“美丽屋场”"},
		Lecturers: []string{"黄春梅", "谭美玲", "胡卫东"}},

	// 文旅融合
	{Title: "屋场也是风景：把抛砖屋场讲成文旅名片", Topic: "文旅融合", Minutes: 20,
		Summary:   "抛砖屋场的老故事拍成了情景剧，也吸引了游客。讲怎样把屋场的故事、风景和农产品串成一条游线。",
		Outline:   []string{"一个屋场的故事为什么能打动人", "从情景剧到研学线路", "村民怎样在文旅里增收", "讲好故事也要守好底线"},
		Lecturers: []string{"周红霞", "黄春梅", "张丽"}},
	{Title: "民宿里的乡村振兴：让游客住下来、留下来", Topic: "文旅融合", Minutes: 20,
		Summary:   "大鱼村民宿从一家到八家，讲党员带头规范经营、抱团揽客的做法。",
		Outline:   []string{"第一家民宿是怎样开起来的", "党员带头定规矩：价格公开、服务承诺", "游客留下来要靠什么", "民宿带动了哪些乡亲"},
		Lecturers: []string{"周红霞", "张丽"}},
	{Title: "稻田变景区：稻韵春华的农旅融合", Topic: "文旅融合", Minutes: 25,
		Summary:   "稻田画、插秧节、丰收节，讲种业小镇怎样让稻田既产粮食又产风景。",
		Outline:   []string{"稻田画是怎样种出来的", "插秧节和丰收节：村民唱主角", "农旅融合的账怎么算", "保住粮田是前提"},
		Lecturers: []string{"李志强", "周红霞", "胡卫东"}},
	{Title: "花鼓戏进屋场：老腔老调唱新事", Topic: "文旅融合", Minutes: 15,
		Summary:   "社区花鼓戏队把政策和好人好事编进唱段，讲怎样用乡亲们爱听的形式宣讲。",
		Outline:   []string{"长沙花鼓戏与春华人", "新编唱段是怎样写出来的", "送戏下乡进屋场", "现场学唱两句"},
		Lecturers: []string{"陈秀英", "周红霞"}},
	{Title: "研学游进村：讲好种业小镇的科普故事", Topic: "文旅融合", Minutes: 20,
		Summary:   "城里的孩子来春华认识一粒种子，讲研学线路怎样设计、党员讲解员怎样讲。",
		Outline:   []string{"研学游为什么选春华", "一条线路：育种基地、稻田、屋场", "党员当讲解员", "安全和服务的几条规矩"},
		Lecturers: []string{"张丽", "胡卫东", "周红霞"}},

	// 红色教育
	{Title: "抛砖屋场：鱼水情深的本土记忆", Topic: "红色教育", Minutes: 25,
		Summary:   "由本土党员出演的情景剧《抛砖屋场》背后，是一段党群鱼水情深的往事。讲故事的来历，也讲它今天的意义。",
		Outline:   []string{"老人们口中的抛砖屋场", "和省文化馆一起挖故事、排情景剧", "鱼水情深：党和群众心连心", "我们这一代党员怎样接续"},
		Lecturers: []string{"刘建国", "黄春梅", "汤正平"}},
	{Title: "红色家书里的初心", Topic: "红色教育", Minutes: 20,
		Summary:   "读几封革命先辈的家书，讲信仰、讲家国，讲一个普通党员今天的初心。",
		Outline:   []string{"一封写在就义前的家书", "家书里的家与国", "初心就在身边的小事里", "写给自己的一封“家书”"},
		Lecturers: []string{"陈秀英", "汤正平"}},
	{Title: "老党员讲党史：我入党的那一年", Topic: "红色教育", Minutes: 15,
		Summary:   "七十八岁的老党员讲自己1968年入党的经过，讲老一辈共产党员怎样吃苦在前。",
		Outline:   []string{"入党申请书写了三遍", "修水库的那个冬天", "党员就是要带头", "对年轻党员的嘱咐"},
		Lecturers: []string{"汤正平", "刘建国"}},
	{Title: "退役不褪色：老兵讲长征精神", Topic: "红色教育", Minutes: 20,
		Summary:   "退役军人党员讲长征故事，也讲长征精神在抗洪抢险、乡村振兴中的样子。",
		Outline:   []string{"长征路上的三个小故事", "什么是长征精神", "退役以后还是兵", "新的长征路就在脚下"},
		Lecturers: []string{"刘建国", "许建军"}},
	{Title: "家门口的红色足迹：开慧故里与徐特立故居", Topic: "红色教育", Minutes: 30,
		Summary:   "长沙县红色资源丰富。讲杨开慧、徐特立的故事，以及怎样组织党员就近开展红色教育。",
		Outline:   []string{"板仓：杨开慧的信仰与牺牲", "徐特立：“我的心是红的”", "长沙县的其他红色地标", "支部怎样就近组织学习"},
		Lecturers: []string{"陈秀英", "刘建国", "易晓华"}},
	{Title: "学雷锋，做身边的好党员", Topic: "红色教育", Minutes: 15,
		Summary:   "从雷锋日记讲到村里的志愿者，讲义诊、义剪、义修背后的党员。",
		Outline:   []string{"雷锋日记里的几句话", "春华镇的“活雷锋”", "党员志愿服务怎样常态化", "本月我们能做的一件事"},
		Lecturers: []string{"谭美玲", "许建军"}},

	// 基层治理
	{Title: "“三长制”怎么管：村（居）长、片长、组长各司何职", Topic: "基层治理", Minutes: 20,
		Summary:   "讲清“三长制”的分工和联系群众的方法，讲片长、组长怎样把社情民意收上来、把事情办下去。",
		Outline:   []string{"“三长制”是什么", "三个“长”各管什么", "民情怎样一级一级收上来", "办结以后怎样回复群众"},
		Lecturers: []string{"谭美玲", "罗志明", "吴辉"}},
	{Title: "屋场会上议村事：把群众的事办在家门口", Topic: "基层治理", Minutes: 20,
		Summary:   "屋场会是春华镇议事的老传统。讲一次屋场会怎样筹备、怎样议、议了怎样办。",
		Outline:   []string{"会前：议题从哪里来", "会中：让每个人都说话", "会后：办理和公开", "一次修路屋场会的全过程"},
		Lecturers: []string{"罗志明", "谭美玲", "黄春梅"}},
	{Title: "民情日记：党员怎样听民声", Topic: "基层治理", Minutes: 15,
		Summary:   "全镇已收集社情民意925件、办理为民服务事项1509件。网格员党员讲自己的民情日记，讲怎样听、怎样记、怎样跟进。",
		Outline:   []string{"一本民情日记记了什么", "走访时怎样听到真话", "小事马上办，难事接力办", "数字背后的一件件事"},
		Lecturers: []string{"谭美玲", "吴辉"}},
	{Title: "防汛不松劲：党员应急突击队", Topic: "基层治理", Minutes: 20,
		Summary:   "讲抗洪防汛中党员突击队的组建、演练和巡堤，讲汛期里党员为什么要站在最前面。",
		Outline:   []string{"一次抗洪抢险的回顾", "突击队怎样组建、怎样演练", "巡堤查险的要点", "汛期里的党员责任区"},
		Lecturers: []string{"许建军", "罗志明"}},
	{Title: "移风易俗树新风：红白喜事简办", Topic: "基层治理", Minutes: 15,
		Summary:   "讲村规民约里的红白喜事标准，讲党员怎样带头简办、怎样劝导。",
		Outline:   []string{"人情债压弯了腰", "村规民约定了哪些标准", "党员带头简办的故事", "文明劝导怎样做才不伤和气"},
		Lecturers: []string{"罗志明", "彭德志", "谭美玲"}},
	{Title: "网格里的温度：留守老人和儿童关爱清单", Topic: "基层治理", Minutes: 15,
		Summary:   "讲网格党员怎样摸清留守老人、留守儿童底数，怎样结对关爱、送温暖。",
		Outline:   []string{"一张关爱清单", "结对帮扶：一个党员联系几户", "和辖区企业一起送温暖", "让关爱不断线"},
		Lecturers: []string{"谭美玲", "张丽", "许建军"}},

	// 政策理论
	{Title: "党的二十届三中全会精神“屋场版”解读", Topic: "政策理论", Minutes: 30,
		Summary:   "用乡亲们听得懂的话讲党的二十届三中全会精神：进一步全面深化改革，和我们的日子有什么关系。",
		Outline:   []string{"全会开了什么会、定了什么事", "与农村最相关的几项改革", "对我们村意味着什么", "党员先学一步、学深一层"},
		Lecturers: []string{"易晓华", "吴辉", "陈秀英"}},
	{Title: "城乡融合发展：改革给农村带来什么", Topic: "政策理论", Minutes: 25,
		Summary:   "围绕健全城乡融合发展体制机制，讲户籍、土地、公共服务等方面的变化。",
		Outline:   []string{"什么是城乡融合发展", "进城和回乡都更方便了", "公共服务向农村延伸", "春华镇的机会在哪里"},
		Lecturers: []string{"易晓华", "吴辉", "罗志明"}},
	{Title: "土地承包再延长三十年：政策怎样落地", Topic: "政策理论", Minutes: 20,
		Summary:   "讲第二轮土地承包到期后再延长三十年试点的要点，讲农户最关心的几个问题。",
		Outline:   []string{"政策要点：大稳定、小调整", "确权证书怎样用", "流转土地的权益保障", "答乡亲们问"},
		Lecturers: []string{"罗志明", "易晓华"}},
	{Title: "以小切口讲大道理：学思想、强党性", Topic: "政策理论", Minutes: 20,
		Summary:   "以小故事讲好大道理、以小切口阐述大主题。讲普通党员怎样学理论、用理论。",
		Outline:   []string{"理论不是书本上的字", "一个小故事里的大道理", "学了怎样用到村里的事上", "人人都能上台讲"},
		Lecturers: []string{"易晓华", "陈秀英", "张丽"}},
	{Title: "惠农补贴一本账：种粮补贴、农机补贴怎样领", Topic: "政策理论", Minutes: 15,
		Summary:   "农技员把各项惠农补贴的标准、申领流程和注意事项讲清楚，防止漏领、冒领。",
		Outline:   []string{"今年有哪些补贴", "申领流程和时间", "常见的几个误区", "党员帮乡亲们把好关"},
		Lecturers: []string{"胡卫东", "李志强", "吴辉"}},

	// 廉洁教育
	{Title: "村级“小微权力”清单：权力晒在阳光下", Topic: "廉洁教育", Minutes: 20,
		Summary:   "讲村级小微权力清单和运行流程图，讲群众怎样监督、村干部怎样用权。",
		Outline:   []string{"什么是“小微权力”", "清单里有哪些事项", "一张流程图管住一件事", "群众监督的渠道"},
		Lecturers: []string{"彭德志", "罗志明"}},
	{Title: "家风正则民风淳：好家风故事会", Topic: "廉洁教育", Minutes: 15,
		Summary:   "讲几户春华人家的家训家风，讲家风和党风、民风的关系。",
		Outline:   []string{"一条传了三代的家训", "党员家庭的“廉内助”", "好家风怎样带出好民风", "晒晒我家的家训"},
		Lecturers: []string{"陈秀英", "彭德志", "黄春梅"}},
	{Title: "警钟长鸣：身边的“微腐败”案例剖析", Topic: "廉洁教育", Minutes: 25,
		Summary:   "剖析几起发生在群众身边的“微腐败”案例，讲清楚“小官大贪”是怎样一步步滑下去的。",
		Outline:   []string{"案例一：虚报冒领补贴", "案例二：工程项目里的“好处费”", "从小节到大错", "党员怎样守住底线"},
		Lecturers: []string{"彭德志", "易晓华"}},
	{Title: "酒桌上的规矩：中央八项规定精神在农村", Topic: "廉洁教育", Minutes: 15,
		Summary:   "讲中央八项规定精神在农村的具体要求，讲党员干部在人情往来中的分寸。",
		Outline:   []string{"八项规定管的是什么", "农村常见的几种违规吃喝", "人情往来的分寸", "一句话提醒"},
		Lecturers: []string{"彭德志", "罗志明", "许建军"}},
	{Title: "村务公开的“明白账”：集体资金怎样用", Topic: "廉洁教育", Minutes: 20,
		Summary:   "讲村集体资金、资产、资源的管理和公开，讲怎样让群众看得懂、信得过。",
		Outline:   []string{"村集体的钱从哪里来", "怎样花：“四议两公开”", "公开栏和手机上怎样看账", "发现问题找谁"},
		Lecturers: []string{"彭德志", "吴辉", "罗志明"}},

	// Drafts beyond the 35 published lessons: officials see them, nobody else.
	{Title: "数字乡村：手机成了新农具", Topic: "乡村振兴", Minutes: 20, Draft: true,
		Summary:   "讲农村党员怎样用手机直播卖货、查农技、办政务。（草稿，待审）",
		Outline:   []string{"手机里的新农具", "直播卖货的几条规矩", "网上办事少跑腿"},
		Lecturers: []string{"张丽", "胡卫东"}},
}

var qihe = townSeed{
	County:      "桃源县",
	Town:        "漆河镇",
	Official:    person{"qh-official", "覃建平"},
	Viewer:      person{"taoyuan-county", "宋立军"},
	PhonePrefix: "1397360",
	Branches: []branchSeed{
		{"漆河社区", org.KindCommunity, 96, person{"qh-secretary", "龚立新"}, []courtyardSeed{
			yardAt("新时代文明实践站", "桃源县漆河镇漆河社区服务中心", 28.7543, 111.3672),
			yard("河街屋场", "桃源县漆河镇漆河社区河街组"),
		}},
		{"新铺村", org.KindVillage, 72, person{"qh-sec-xinpu", "杨德胜"}, []courtyardSeed{
			yardAt("村部礼堂", "桃源县漆河镇新铺村村部", 28.7711, 111.3519),
		}},
		{"高家坪村", org.KindVillage, 58, person{"qh-sec-gaojiaping", "高志红"}, []courtyardSeed{
			yard("高家大屋场", "桃源县漆河镇高家坪村高家组"),
			yardAt("茶园屋场", "桃源县漆河镇高家坪村茶园组", 28.7398, 111.3830),
		}},
		{"桥湾村", org.KindVillage, 45, person{"qh-sec-qiaowan", "熊春华"}, []courtyardSeed{
			yard("桥湾屋场", "桃源县漆河镇桥湾村桥头组"),
		}},
	},
	Lecturers: []lecturerSeed{
		{Name: "覃小燕", Login: "qh-lecturer", Phone: "13873600201", Branch: "漆河社区",
			Bio:    "漆河社区年轻党员干部，在新时代文明实践站录制过“学思想、强党性、爱家乡”微党课视频。",
			Topics: "政策理论、文旅融合", Capacity: 4,
			Windows:   []lessons.Window{satPM, evening(time.Wednesday)},
			Blackouts: []blackoutSeed{{10, "县委党校培训"}}},
		{Name: "向国华", Login: "qh-lec-xiangguohua", Phone: "13873600202", Branch: "新铺村",
			Bio:    "新铺村老党员、种粮能手，常年带头春耕备耕、助农秋收。",
			Topics: "乡村振兴、红色教育", Capacity: 3,
			Windows: []lessons.Window{sunPM, evening(time.Monday)}},
		{Name: "胡春兰", Login: "qh-lec-huchunlan", Phone: "13873600203", Branch: "高家坪村",
			Bio:    "高家坪村党员、组长，熟悉“三长制”民情走访。",
			Topics: "基层治理、廉洁教育", Capacity: 3,
			Windows: []lessons.Window{satPM, evening(time.Thursday)}},
	},
	Lessons: []lessonSeed{
		{Title: "学思想：二十届三中全会精神漆河宣讲", Topic: "政策理论", Minutes: 30,
			Summary:   "党委书记带头领学，党员干部先学一步、学深一层。用漆河的事讲全会精神。",
			Outline:   []string{"全会精神要点", "和漆河有关的几项改革", "转化为基层治理的生动实践"},
			Lecturers: []string{"覃小燕", "向国华"}},
		{Title: "强党性：讲微党课纳入党员积分管理", Topic: "基层治理", Minutes: 20,
			Summary:   "把讲微党课纳入党员积分管理，推动人人上讲台。讲积分怎样记、怎样用。",
			Outline:   []string{"为什么要人人上讲台", "积分怎样记", "积分和评优挂钩", "第一次上台讲什么"},
			Lecturers: []string{"胡春兰", "覃小燕"}},
		{Title: "爱家乡：漆河的山水与乡愁", Topic: "文旅融合", Minutes: 15,
			Summary:   "讲漆河的山水、老街和人，讲年轻人为什么要热爱家乡、建设家乡。",
			Outline:   []string{"漆河老街的故事", "山水里的好资源", "我们能为家乡做什么"},
			Lecturers: []string{"覃小燕", "向国华"}},
		{Title: "春耕备耕里的党员身影", Topic: "乡村振兴", Minutes: 20,
			Summary:   "讲农村党员在春耕备耕、抗旱助耕中怎样带头，以实际行动承诺践诺。",
			Outline:   []string{"一份党员承诺书", "春耕备耕的几件实事", "抗旱助耕的经验", "把承诺写在田里"},
			Lecturers: []string{"向国华", "胡春兰"}},
		{Title: "村（居）片组邻“三长制”民情走访", Topic: "基层治理", Minutes: 20,
			Summary:   "讲结合“三长制”开展民情走访、民意调查，做到办事有力度、服务有温度。",
			Outline:   []string{"走访前准备什么", "怎样听到群众的急难愁盼", "办理和回访"},
			Lecturers: []string{"胡春兰", "覃小燕"}},
		{Title: "红色桃源：家乡的革命故事", Topic: "红色教育", Minutes: 25,
			Summary:   "讲桃源县的革命先辈和红色故事，配合红色历史教育片一同学习。",
			Outline:   []string{"桃源的红色记忆", "一位先辈的故事", "传承红色基因从身边做起"},
			Lecturers: []string{"向国华", "覃小燕"}},
		{Title: "一诺千金：农村党员的廉洁承诺", Topic: "廉洁教育", Minutes: 15,
			Summary:   "结合反面警示教育片，讲农村党员在惠农资金、集体事务中守住底线。",
			Outline:   []string{"警示片里的教训", "惠农资金碰不得", "我的廉洁承诺"},
			Lecturers: []string{"胡春兰", "覃小燕"}},
	},
	Films: []filmSeed{
		{"零容忍·基层篇", "警示教育", 40, "https://www.12371.cn/2024/01/15/VIDE1705312345678901.shtml",
			"反面警示教育片，讲群众身边的不正之风和腐败问题。"},
		{"湘西北的红色火种", "红色历史", 35, "https://www.hxw.gov.cn/content/2021/06/20/10234567.html",
			"湘西北地区革命斗争历史，适合“七一”前后观看。"},
		{"学思想 强党性 爱家乡（微宣讲合集）", "本土", 20, "/static/films/qihe-weixuanjiang.mp4",
			"各村（社区）党（总）支部书记在新时代文明实践站录制的微党课视频合集。"},
	},
}

// towns are seeded in this order.
var towns = []*townSeed{&chunhua, &qihe}
