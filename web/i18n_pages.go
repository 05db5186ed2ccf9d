package web

// Strings of the layout, sign-in and home pages.
func init() {
	addMessages(map[string]message{
		"app.name":           {"微课 · 屋场微党课", "weike · courtyard lessons"},
		"app.tagline":        {"屋场微党课等你来：浏览课程，为支部点单。", "The courtyard micro-lesson is waiting for you: browse lessons and order one for your branch."},
		"app.footer":         {"一月一课一片一实践", "One lesson, one film, one practice, every month"},
		"sep":                {"：", ": "},
		"nav.skip":           {"跳到正文", "Skip to content"},
		"nav.main":           {"主菜单", "Main menu"},
		"nav.home":           {"首页", "Home"},
		"nav.lessons":        {"微党课", "Lessons"},
		"nav.lecturers":      {"讲师", "Lecturers"},
		"nav.films":          {"教育片", "Films"},
		"nav.branches":       {"支部", "Branches"},
		"nav.import":         {"导入", "Import"},
		"nav.dashboard":      {"覆盖情况", "Coverage"},
		"nav.county":         {"各镇情况", "Towns"},
		"nav.messages":       {"发送记录", "Messages"},
		"nav.account":        {"我的账号", "My account"},
		"nav.logout":         {"退出", "Sign out"},
		"page.error":         {"出错了", "Something is wrong"},
		"login.title":        {"登录", "Sign in"},
		"login.login":        {"账号", "Login"},
		"login.password":     {"密码", "Password"},
		"login.submit":       {"登录", "Sign in"},
		"login.demo":         {"演示账号：一键登录", "Demo accounts: sign in with one click"},
		"login.demo_hint":    {"所有演示账号的密码都是 {password}", "Every demo account's password is {password}"},
		"role.official":      {"组织委员", "Official"},
		"role.secretary":     {"支部书记", "Secretary"},
		"role.lecturer":      {"讲师", "Lecturer"},
		"role.county":        {"县委组织部", "County viewer"},
		"home.hello":         {"{name}，您好", "Hello, {name}"},
		"home.lessons_count": {"共 {n} 堂", "{n} lessons"},
		"lessons.featured":   {"本月精选", "Featured this month"},
	})
}
