package web

// Strings of the coverage dashboard, the records behind a cell, the county's
// table of towns and the export buttons.
func init() {
	addMessages(map[string]message{
		"dash.title":      {"覆盖情况", "Coverage"},
		"dash.title_town": {"{town} 覆盖情况", "Coverage of {town}"},
		"dash.intro": {"每月主题党日：每个支部每月完成“课、片、实”三项——听一堂微党课、看一部教育片、办一件微实践。",
			"The monthly theme day: each month every branch hears a lesson, watches a film and does a practice."},

		// filters
		"dash.filter":         {"筛选", "Filter"},
		"dash.from":           {"起始月份", "From"},
		"dash.to":             {"结束月份", "To"},
		"dash.kind":           {"支部类型", "Branch kind"},
		"dash.town":           {"镇", "Town"},
		"dash.all_towns":      {"全部镇", "All towns"},
		"dash.apply":          {"查看", "Show"},
		"dash.kind.all":       {"全部", "All"},
		"dash.kind.village":   {"村", "Village"},
		"dash.kind.community": {"社区", "Community"},
		"dash.kind.other":     {"其他", "Other"},

		// totals, in the article's terms
		"dash.totals":                  {"累计（{from} 至 {to}）", "Totals ({from} to {to})"},
		"dash.total.orders":            {"点单", "Orders"},
		"dash.total.delivered":         {"巡讲微党课", "Touring lessons given"},
		"dash.total.person_times":      {"上台讲微党课人次", "Lessons given on stage"},
		"dash.total.person_times_hint": {"讲师 {n}，党员自讲 {m}", "{n} by lecturers, {m} by members"},
		"dash.total.viewings":          {"观看教育片场次", "Film viewings"},
		"dash.total.attendance":        {"共 {n} 人次", "{n} attendances"},
		"dash.total.practices":         {"微实践活动", "Practices"},
		"dash.total.participants":      {"参与党员 {n} 人次", "{n} member attendances"},
		"dash.total.opinions":          {"收集社情民意", "Opinions collected"},
		"dash.total.service":           {"办理为民服务事项", "Services done"},
		"dash.total.reached":           {"巡讲进支部", "Branches reached by the tour"},

		// this month's rates
		"dash.rates":         {"{month}覆盖率（{n} 个支部）", "{month}: coverage of {n} branches"},
		"dash.rate.lesson":   {"微党课", "Lesson"},
		"dash.rate.film":     {"教育片", "Film"},
		"dash.rate.practice": {"微实践", "Practice"},
		"dash.rate.all":      {"三项全覆盖", "All three"},

		// the matrix
		"dash.matrix":        {"支部 × 月份", "Branches by month"},
		"dash.matrix.legend": {"课 = 微党课（巡讲或党员自讲），片 = 教育片，实 = 微实践；✓ 已完成，· 未完成。点击格子查看记录。", "L = lesson (touring or by a member), F = film, P = practice; ✓ done, · not done. Open a cell for its records."},
		// The marks of a cell: one character each, so a month's three fit a narrow column.
		"dash.mark.lesson":   {"课", "L"},
		"dash.mark.film":     {"片", "F"},
		"dash.mark.practice": {"实", "P"},
		"dash.legend.full":   {"三项全部完成", "All three done"},
		"dash.legend.some":   {"完成部分", "Some done"},
		"dash.legend.none":   {"都未完成", "None done"},
		"dash.branch":        {"支部", "Branch"},
		"dash.no_branches":   {"没有符合条件的支部", "No branch matches"},
		"dash.cell.done":     {"已完成", "done"},
		"dash.cell.not_done": {"未完成", "not done"},
		"dash.cell.future":   {"尚未到来", "not yet"},
		"dash.cell.sr":       {"{branch} {month}：微党课{lesson}，教育片{film}，微实践{practice}", "{branch}, {month}: lesson {lesson}, film {film}, practice {practice}"},

		// charts and their tables
		"dash.chart.trend":     {"覆盖率走势", "Coverage trend"},
		"dash.chart.topics":    {"各专题开讲场次", "Lessons given by topic"},
		"dash.chart.topics_n":  {"场次", "Lessons"},
		"dash.chart.lecturers": {"讲师工作量", "Lecturer load"},
		"dash.chart.delivered": {"已开讲", "Delivered"},
		"dash.chart.confirmed": {"已确认待讲", "Confirmed"},
		"dash.chart.table":     {"数据表", "Data table"},
		"dash.month":           {"月份", "Month"},
		"dash.topic":           {"专题", "Topic"},
		"dash.lecturer":        {"讲师", "Lecturer"},
		"dash.none":            {"暂无数据", "No data yet"},

		// exports
		"dash.export":      {"导出", "Export"},
		"dash.export.xlsx": {"下载 Excel（.xlsx）", "Download Excel (.xlsx)"},
		"dash.export.csv":  {"下载 CSV", "Download CSV"},
		"dash.export.hint": {"Excel 含覆盖矩阵、汇总、点单、观看记录、微实践五张表；CSV 为覆盖矩阵。", "The Excel file holds the matrix, totals, orders, viewings and practices; the CSV holds the matrix."},

		// the records behind a cell
		"dash.cell.title":     {"{branch} · {month}", "{branch} · {month}"},
		"dash.cell.back":      {"返回覆盖情况", "Back to coverage"},
		"dash.cell.orders":    {"巡讲微党课", "Touring lessons"},
		"dash.cell.members":   {"党员自讲微党课", "Lessons by members"},
		"dash.cell.viewings":  {"观看教育片", "Film viewings"},
		"dash.cell.practices": {"微实践", "Practices"},
		"dash.cell.empty":     {"本月没有记录", "No record this month"},
		"dash.cell.order":     {"点单 #{id}", "Order #{id}"},
		"dash.cell.attendees": {"{n} 人", "{n} people"},
		"dash.cell.speaker":   {"主讲：{name}", "Speaker: {name}"},
		"dash.cell.opinions":  {"收集社情民意 {n} 条，办理为民服务事项 {m} 件", "{n} opinions collected, {m} services done"},
		"dash.cell.marks":     {"本月完成情况", "This month"},

		// the county's towns
		"dash.county.title":    {"全县各镇", "Towns of the county"},
		"dash.county.month":    {"月份", "Month"},
		"dash.county.rates":    {"{month}覆盖率", "Coverage in {month}"},
		"dash.county.totals":   {"{year} 年累计", "{year} so far"},
		"dash.county.branches": {"支部数", "Branches"},
		"dash.county.open":     {"查看 {town} 覆盖情况", "Open coverage of {town}"},
		"dash.county.none":     {"本县还没有镇", "No town in the county yet"},
		"dash.county.all":      {"查看全县覆盖矩阵", "Open the whole county's matrix"},
	})
}
