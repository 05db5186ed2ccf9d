package web

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"weike/booking"
	"weike/internal/i18n"
	"weike/lessons"
	"weike/letters"
	"weike/notify"
	"weike/org"
	"weike/themeday"
)

// keyFamily is a set of catalog keys that code builds at run time, such as
// "status."+o.Status: the prefix and every value the code can append, taken
// from the code's own lists wherever it has one.
type keyFamily struct {
	prefix string
	values []string
	where  string // the code that builds the key
}

// keyFamilies lists every catalog key that no source file spells out whole.
// A family's values come from the domain's enums and web's own lists, so a
// new status or kind without a message fails here, and a message for a value
// the code no longer has shows up as unused.
func keyFamilies() []keyFamily {
	add := func(prefix, where string, values ...string) keyFamily {
		return keyFamily{prefix: prefix, values: values, where: where}
	}
	roles := []string{}
	for _, r := range []org.Role{org.RoleOfficial, org.RoleSecretary, org.RoleLecturer, org.RoleCounty} {
		roles = append(roles, string(r))
	}
	acts, reasons := []string{}, []string{}
	for _, a := range booking.AllActions() {
		acts = append(acts, string(a.Name))
		if a.Reason {
			reasons = append(reasons, string(a.Name)+"_reason")
		}
	}
	statuses := []string{}
	for _, st := range booking.Statuses {
		statuses = append(statuses, string(st))
	}
	imports, sheets := []string{}, []keyFamily{}
	for _, k := range importKinds {
		imports = append(imports, k.Key)
		id := k.Schema.ID
		cols, examples := []string{}, []string{}
		for _, c := range k.Schema.Columns {
			cols = append(cols, c.Key, c.Key+".hint")
			if i18n.Has("sheet." + id + ".example." + c.Key) {
				examples = append(examples, c.Key)
			}
		}
		sheets = append(sheets, add("sheet.", "sheet.Schema.Name", id),
			add("sheet."+id+".", "sheet.Schema.Title and Hint", cols...),
			add("sheet."+id+".example.", "sheet.Schema.Example", examples...))
	}
	var weekdays, months []string
	for d := time.Sunday; d <= time.Saturday; d++ {
		weekdays = append(weekdays, strconv.Itoa(int(d)))
	}
	for m := time.January; m <= time.December; m++ {
		months = append(months, strconv.Itoa(int(m)))
	}
	kinds := []string{org.KindVillage, org.KindCommunity, org.KindOther}
	messageKindsAll := []string{letters.KindMonthlySecretary, letters.KindMonthlyLecturer, letters.KindMonthlyOfficial,
		letters.KindMonthlyTown, letters.KindMonthlyBranch, letters.KindReminderLecturer, letters.KindReminderBranch, letters.KindReminderRobot,
		letters.KindCoverageSecretary, letters.KindCoverageOfficial}
	for _, k := range notify.EventKinds {
		messageKindsAll = append(messageKindsAll, k.Kind)
	}
	return append(sheets,
		add("status.", `"status."+o.Status (web, templates, i18n.Key)`, statuses...),
		add("role.", `"role."+Role (templates, order history)`, roles...),
		add("op.done.", "orderFlash", acts...),
		add("op.act.", "order.html: a move's heading", acts...),
		add("op.act.", "order.html: a move's reason field", reasons...),
		add("op.points.kind.", "points.html; the kinds booking credits (orders.go, history.go)", "delivered", "five_star"),
		add("cat.status.", "lessonStatuses, lessons.html, films.html", lessons.StatusDraft, lessons.StatusPublished, lessons.StatusRetired),
		add("cat.sort.", "lessonsPage", lessonSorts...),
		add("cat.film_cat.", "film categories", lessons.FilmCategories...),
		add("cat.kind.", "branch kinds", kinds...),
		add("dash.kind.", "dashboard filter and rows", append([]string{"all"}, kinds...)...),
		add("td.ptype.", "practiceTypeLabel", themeday.PracticeTypes...),
		add("td.field.", "changeViews", append(append([]string{}, viewingFieldOrder...), practiceFieldOrder...)...),
		add("import.kind.", "import page", imports...),
		add("msg.status.", "messages page", notify.StatusPending, notify.StatusSending, notify.StatusSent, notify.StatusFailed, notify.StatusSkipped),
		add("msg.channel.", "messages page", notify.ChannelInbox, notify.ChannelEmail, notify.ChannelWebhook),
		add("msg.kinds.", "messageKinds", messageKinds...),
		add("msg.kind.", "messages.html and account.html: the kinds of messages", messageKindsAll...),
		add("msg.", "messages.html: robot kinds", notify.RobotWeCom, notify.RobotDingTalk),
		add("weekday.", "i18n.Format of a time.Weekday", weekdays...),
		add("month.", "i18n month names", months...),
		add("month.short.", "i18n short month names", months...),
	)
}

// source is what the repository's non-test Go files and templates say
// about catalog keys.
type source struct {
	literals map[string]bool     // every quoted string
	used     map[string][]string // keys handed to the catalog → where
}

var (
	// {{T $.Lang "key"}}, (T .P.Lang "key"): a template's call of T with a
	// literal key.
	templateT = regexp.MustCompile(`\bT\s+[$.][\w.$]*\s+"([^"]+)"`)
	// The catalog form pieces take label, hint and blank-choice keys:
	// (dict "P" $ "F" "name" "L" "cat.name" "Hint" "cat.hint.x").
	templateDictKey = regexp.MustCompile(`"(?:L|Hint|Empty)"\s+"([^"]+)"`)
	// A template's quoted strings are those inside its actions: an
	// attribute's quotes around an action are HTML, not a string.
	action = regexp.MustCompile(`(?s)\{\{(.*?)\}\}`)
	quoted = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)
	// keyLike tells a message key from other strings an Add call may take.
	keyLike = regexp.MustCompile(`^[a-z][a-z_]*(\.[a-z0-9_\-]+)+$`)
)

// scanSource reads every non-test .go file and every template of the
// repository.
func scanSource(t *testing.T, root string) source {
	t.Helper()
	src := source{literals: map[string]bool{}, used: map[string][]string{}}
	use := func(key, where string) { src.used[key] = append(src.used[key], where) }
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "testdata", "static":
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go"):
			scanGo(t, p, src.literals, use)
		case strings.HasSuffix(p, ".html") && filepath.Base(filepath.Dir(p)) == "templates":
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, a := range action.FindAllStringSubmatch(string(b), -1) {
				for _, m := range quoted.FindAllStringSubmatch(a[1], -1) {
					src.literals[m[1]] = true
				}
				for _, re := range []*regexp.Regexp{templateT, templateDictKey} {
					for _, m := range re.FindAllStringSubmatch(a[1], -1) {
						use(m[1], p)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// scanGo collects a Go file's string literals and the literal keys it
// hands to the catalog, in web and in the domain packages alike:
// T(lang, "key") and i18n.T, i18n.Key("key"), the export's label("key"),
// the codes of domain errors (apperr.New, .Field, a FieldSet's Add,
// NotFoundf, org.LoadScoped).
func scanGo(t *testing.T, p string, literals map[string]bool, use func(key, where string)) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	lit := func(e ast.Expr) (string, bool) {
		bl, ok := e.(*ast.BasicLit)
		if !ok || bl.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(bl.Value)
		return s, err == nil
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BasicLit:
			if s, ok := lit(n); ok {
				literals[s] = true
			}
		case *ast.CallExpr:
			where := fset.Position(n.Pos()).String()
			name, recv := "", ""
			switch fn := n.Fun.(type) {
			case *ast.Ident:
				name = fn.Name
			case *ast.SelectorExpr:
				name = fn.Sel.Name
				if id, ok := fn.X.(*ast.Ident); ok {
					recv = id.Name
				}
			}
			arg := func(i int) (string, bool) {
				if i >= len(n.Args) {
					return "", false
				}
				return lit(n.Args[i])
			}
			switch {
			case name == "T" && len(n.Args) >= 2:
				if k, ok := arg(1); ok {
					use(k, where)
				}
			case name == "label" && recv == "" && len(n.Args) >= 1:
				// themeday's export renders its labels through label(key, …).
				if k, ok := arg(0); ok {
					use(k, where)
				}
			case name == "Key" && recv == "i18n", name == "New" && recv == "apperr":
				if k, ok := arg(len(n.Args) - 1); ok {
					use(k, where)
				}
			case name == "NotFoundf" && len(n.Args) == 1:
				if k, ok := arg(0); ok {
					use(k+".not_found", where)
				}
			case name == "LoadScoped" && len(n.Args) == 5:
				// org.LoadScoped(q, act, id, &dest, "what") refuses with what.not_found.
				if k, ok := arg(4); ok {
					use(k+".not_found", where)
				}
			case (name == "Field" || name == "Add") && len(n.Args) == 2:
				if k, ok := arg(1); ok && keyLike.MatchString(k) {
					use(k, where)
				}
			}
		}
		return true
	})
}

// TestCatalogMatchesCode holds the whole catalog and the whole code base to
// each other, not only the pages some test visits: every key the code hands
// to the catalog is in it, every key the code builds from a family is in it,
// and every key of the catalog is used somewhere.
func TestCatalogMatchesCode(t *testing.T) {
	t.Parallel()
	inCatalog := map[string]bool{}
	for _, k := range i18n.Keys() {
		inCatalog[k] = true
	}
	src := scanSource(t, "..")
	if len(src.used) < 100 {
		t.Fatalf("found only %d keys in use: is the scan reading the repository?", len(src.used))
	}
	var missing []string
	for k, where := range src.used {
		if !inCatalog[k] {
			missing = append(missing, k+" (used at "+strings.Join(where, ", ")+")")
		}
	}
	built := map[string]bool{}
	for _, f := range keyFamilies() {
		if len(f.values) == 0 {
			t.Errorf("family %q has no values", f.prefix)
		}
		for _, v := range f.values {
			k := f.prefix + v
			built[k] = true
			if !inCatalog[k] {
				missing = append(missing, k+" (built by "+f.where+")")
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("not in the catalog: %s", m)
	}
	var unused []string
	for k := range inCatalog {
		if !src.literals[k] && !built[k] && src.used[k] == nil {
			unused = append(unused, k)
		}
	}
	sort.Strings(unused)
	for _, k := range unused {
		t.Errorf("in the catalog but used nowhere: %q", k)
	}
}

// domainPackages return message keys and typed parameters, never text
// (docs/architecture.md): whoever shows a message to a person renders it
// from the catalog in that person's language.
var domainPackages = []string{"booking", "lessons", "org", "notify", "themeday", "letters", "jobs", "dispatch"}

// textAllowed are the declarations of the domain packages whose literals
// hold words that are not user-facing text, each with the reason. An entry
// names a file and a top-level declaration (a func, Type.Method, or the
// first name of a var or const spec).
var textAllowed = []struct{ file, decl, why string }{
	// Stored values: the database and the API hold them as they are, and
	// the pages show each through the catalog.
	{"lessons/films.go", "FilmCategories", "a film's category as stored; shown through cat.film_cat.*"},
	{"themeday/records.go", "PracticeTypes", "a practice's type as stored; shown through td.ptype.*"},
	{"lessons/lessons.go", "DefaultTopics", "the topics seeded into every new town: rows the town then edits, in both languages (name, name_en)"},
	{"booking/orders.go", "reasonProposalRejected", "a code the store writes into the audit trail; web's eventNote says it in the reader's language"},
	{"booking/orders.go", "detailProposalAccepted", "a code the store writes into the audit trail; web's eventNote says it in the reader's language"},
	// Diagnoses for the officials and operators who fix delivery, stored
	// next to the SMTP server's and the robot's own (English) errors.
	{"notify/outbox.go", "Store.deliverOne", "last_error of a message that cannot be sent: the operator's diagnosis, like the mail server's"},
	{"notify/outbox.go", "enqueueKnown", "last_error of a message kept as skipped: the operator's diagnosis, like the mail server's"},
	{"notify/robot.go", "robotFailure.Error", "last_error of a robot's refusal: its errcode and errmsg as the robot wrote them"},
	// Operators' help: `weike cron list` shows it, like the flags' help.
	{"jobs/jobs.go", "Worker.Jobs", "each job's help for operators"},
	// The vocabulary the imports read: words people type in a sheet,
	// parsed, never written.
	{"org/import.go", "branchKinds", "branch kinds as a sheet may spell them"},
	{"lessons/import.go", "lessonStatuses", "lesson statuses as a sheet may spell them"},
	{"lessons/import.go", "ParseWindows", "the separators of weekly hours a sheet may use"},
	{"lessons/import.go", "weekdayAt", "the prefixes of a weekday (星期, 礼拜, 周)"},
	{"lessons/import.go", "durationOf", "the units a length may be written with"},
	{"org/import.go", "BranchSheet", "the headers a branch sheet may use besides its titles (aliases); the titles, hints and example are the catalog's sheet.branches.*"},
	{"lessons/import.go", "LecturerSheet", "the headers a lecturer sheet may use besides its titles (aliases); the titles, hints and example are the catalog's sheet.lecturers.*"},
	{"lessons/import.go", "LessonSheet", "the headers a lesson sheet may use besides its titles (aliases); the titles, hints and example are the catalog's sheet.lessons.*"},
}

// operatorSinks are calls whose strings are for operators, not users:
// errors and their wrapping (logged, never shown: web shows a 500 with a
// request id), log records, command-line output, regular expressions.
func operatorSink(call *ast.CallExpr) bool {
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		return fn.Name == "panic"
	case *ast.SelectorExpr:
		if x, ok := fn.X.(*ast.Ident); ok {
			switch x.Name + "." + fn.Sel.Name {
			case "fmt.Errorf", "errors.New", "apperr.Wrap", "fmt.Fprintf", "fmt.Fprintln", "fmt.Fprint",
				"regexp.MustCompile", "regexp.Compile":
				return true
			}
		}
		switch fn.Sel.Name {
		case "Debug", "Info", "Warn", "Error", "DebugContext", "InfoContext", "WarnContext", "ErrorContext", "Log", "LogAttrs":
			return len(call.Args) > 0
		}
	}
	return false
}

var (
	// proseWord is a word of English prose: letters, maybe closing
	// punctuation. SQL column names (lecturer_id, orders.start_at) and
	// format verbs are not.
	proseWord = regexp.MustCompile(`^[A-Za-z][a-z]*[,.;:!?]?$`)
	// columnList is a list of SQL columns (id, name, lang).
	columnList = regexp.MustCompile(`^[a-z_.*]+(,\s*[a-z_.*]+)+$`)
	// sqlWord marks a literal as SQL.
	sqlWord = regexp.MustCompile(`\b(SELECT|FROM|WHERE|JOIN|AND|OR|IN|AS|ON|IS|NOT|NULL|DESC|ASC|LIKE|ESCAPE|COUNT|ORDER|GROUP|BY|INSERT|UPDATE|DELETE|SET|VALUES|EXISTS|DISTINCT|LIMIT|COALESCE|CASE|WHEN|THEN|ELSE|END)\b`)
)

// userText says whether a literal reads as words for people: Chinese, or
// English of three words or more that is not SQL.
func userText(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	if sqlWord.MatchString(s) || columnList.MatchString(strings.TrimSpace(s)) {
		return false
	}
	words := 0
	for _, f := range strings.Fields(s) {
		if proseWord.MatchString(f) {
			words++
		}
	}
	return words >= 3
}

// declName names the top-level declaration a node is in: a func (with its
// receiver's type), or the first name of a var, const or type spec.
func declName(stack []ast.Node) string {
	for i, n := range stack {
		switch d := n.(type) {
		case *ast.FuncDecl:
			if d.Recv != nil && len(d.Recv.List) == 1 {
				t := d.Recv.List[0].Type
				if st, ok := t.(*ast.StarExpr); ok {
					t = st.X
				}
				if id, ok := t.(*ast.Ident); ok {
					return id.Name + "." + d.Name.Name
				}
			}
			return d.Name.Name
		case *ast.GenDecl:
			if i+1 < len(stack) {
				switch sp := stack[i+1].(type) {
				case *ast.ValueSpec:
					return sp.Names[0].Name
				case *ast.TypeSpec:
					return sp.Name.Name
				}
			}
		}
	}
	return ""
}

// TestDomainHoldsNoText fails on a string literal of a domain package that
// reads as words for people, Chinese or English, outside textAllowed:
// such words belong in the catalog (internal/i18n/locales), as a message
// key the domain returns with typed parameters.
func TestDomainHoldsNoText(t *testing.T) {
	t.Parallel()
	used := make([]bool, len(textAllowed))
	var found []string
	for _, pkg := range domainPackages {
		files, err := filepath.Glob(filepath.Join("..", pkg, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", pkg, err)
		}
		for _, p := range files {
			if strings.HasSuffix(p, "_test.go") {
				continue
			}
			rel := filepath.ToSlash(strings.TrimPrefix(p, ".."+string(filepath.Separator)))
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			ast.PreorderStack(f, nil, func(n ast.Node, stack []ast.Node) bool {
				switch n := n.(type) {
				case *ast.ImportSpec:
					return false
				case *ast.CallExpr:
					return !operatorSink(n)
				case *ast.BasicLit:
					if n.Kind != token.STRING {
						return true
					}
					if fl, ok := stack[len(stack)-1].(*ast.Field); ok && fl.Tag == n {
						return true // a struct tag
					}
					s, err := strconv.Unquote(n.Value)
					if err != nil || !userText(s) {
						return true
					}
					decl := declName(stack)
					for i, a := range textAllowed {
						if a.file == rel && a.decl == decl {
							used[i] = true
							return true
						}
					}
					found = append(found, fmt.Sprintf("%s (%s): %q", fset.Position(n.Pos()), decl, s))
				}
				return true
			})
		}
	}
	for _, f := range found {
		t.Errorf("user-facing text in a domain package; give it a catalog key: %s", f)
	}
	for i, u := range used {
		if !u {
			t.Errorf("textAllowed entry %s %s matches no text any more: remove it", textAllowed[i].file, textAllowed[i].decl)
		}
	}
}
