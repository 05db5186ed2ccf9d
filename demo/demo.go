// Package demo loads the demo: 长沙县 with 春华镇 (branches, courtyards,
// lecturers, the 35 courtyard lessons, films) and 桃源县 with 漆河镇, an
// account for every role and, given the booking store, a year of history
// (history.go). Loading twice adds nothing.
package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"weike/internal/tz"

	"weike/booking"
	"weike/internal/apperr"
	"weike/lessons"
	"weike/org"
	"weike/themeday"
)

// Stores are the domain stores the demo writes through, so that demo data
// passes the same rules as an official's input.
type Stores struct {
	Org     *org.Store
	Lessons *lessons.Store
	// Booking, when set, receives a year of history (orders, member
	// lessons, viewings, practices) for the towns that have none; its
	// clock should be Now.
	Booking *booking.Store
	// ThemeDay receives the history's member lessons, viewings and
	// practices; it is needed when Booking is set.
	ThemeDay *themeday.Store
	// Now places the lecturers' blackout dates ahead of the day the demo is
	// loaded; nil means time.Now.
	Now func() time.Time
}

// Account is a demo account as the sign-in page offers it.
type Account struct {
	Login      string
	Role       org.Role
	Name       string
	Town       string
	County     string
	BranchID   *int64
	LecturerID *int64
}

// Result is what Load made or found.
type Result struct {
	Accounts []Account
}

// Load makes the demo data that is missing and returns the demo accounts.
//
// A town is loaded once per database: when its load has finished it is
// marked, and later runs leave it alone, whatever its officials have
// renamed or removed since. Within a load every record is looked up by its
// name (title, login) before it is made, so a run that was killed half-way
// is completed by the next one. A demo login that belongs to somebody else's account (not
// a demo address, another role or town) stops the load with an error rather
// than touching that account.
func Load(ctx context.Context, st Stores, password string) (*Result, error) {
	l := &loader{st: st, password: password, now: st.Now, towns: map[int64]string{}, counties: map[int64]string{}}
	if l.now == nil {
		l.now = time.Now
	}
	if st.Booking != nil && st.ThemeDay == nil {
		return nil, errors.New("demo: a history needs Stores.ThemeDay as well as Stores.Booking")
	}
	if err := preflight(ctx, st.Org); err != nil {
		return nil, err
	}
	loaded := map[string]bool{}
	for _, ts := range towns {
		done, err := l.loaded(ctx, ts)
		if err != nil {
			return nil, fmt.Errorf("demo %s: %w", ts.Town, err)
		}
		if loaded[ts.Town] = done; done {
			continue
		}
		if err := l.seedTown(ctx, ts); err != nil {
			return nil, fmt.Errorf("demo %s: %w", ts.Town, err)
		}
	}
	for _, ts := range towns {
		if loaded[ts.Town] {
			continue
		}
		if err := l.seedHistory(ctx, ts); err != nil {
			return nil, fmt.Errorf("demo %s: %w", ts.Town, err)
		}
		if err := l.seedPlans(ctx, ts); err != nil {
			return nil, fmt.Errorf("demo %s: %w", ts.Town, err)
		}
		if err := l.seedNextMonth(ctx, ts); err != nil {
			return nil, fmt.Errorf("demo %s next month: %w", ts.Town, err)
		}
		if st.Booking == nil {
			continue // no history: not the whole demo yet
		}
		town, err := st.Org.TownByName(ctx, ts.Town)
		if err != nil {
			return nil, fmt.Errorf("demo %s: %w", ts.Town, err)
		}
		if err := st.Org.MarkDemoLoaded(ctx, town.ID); err != nil {
			return nil, err
		}
	}
	res := &Result{}
	for _, login := range mainLogins {
		a, err := st.Org.AccountByLogin(ctx, login)
		if err != nil {
			return nil, fmt.Errorf("demo account %s: %w", login, err)
		}
		da := Account{Login: a.Login, Role: a.Role, Name: a.Name, County: l.counties[a.CountyID],
			BranchID: a.BranchID, LecturerID: a.LecturerID}
		if a.TownID != nil {
			da.Town = l.towns[*a.TownID]
		}
		res.Accounts = append(res.Accounts, da)
	}
	return res, nil
}

// loaded reports whether the demo has finished loading the town of ts; if
// so it notes the town's and county's names for the result.
func (l *loader) loaded(ctx context.Context, ts *townSeed) (bool, error) {
	town, err := l.st.Org.TownByName(ctx, ts.Town)
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	done, err := l.st.Org.DemoLoaded(ctx, town.ID)
	if err != nil || !done {
		return false, err
	}
	county, err := l.st.Org.CountyByName(ctx, ts.County)
	if err != nil {
		return false, err
	}
	l.counties[county.ID], l.towns[town.ID] = county.Name, town.Name
	return true, nil
}

type loader struct {
	st       Stores
	password string
	hash     string // made on first need: a rerun creates no account and needs none
	now      func() time.Time
	towns    map[int64]string
	counties map[int64]string
}

func (l *loader) passwordHash() (string, error) {
	if l.hash == "" {
		h, err := l.st.Org.HashPassword(l.password)
		if err != nil {
			return "", err
		}
		l.hash = h
	}
	return l.hash, nil
}

// ensureAccount returns the account of want.Login, creating it when absent.
func (l *loader) ensureAccount(ctx context.Context, want org.NewAccount) (*org.Account, error) {
	want.Email = want.Login + emailDomain
	a, err := l.st.Org.AccountByLogin(ctx, want.Login)
	if err == nil {
		return a, checkDemoAccount(a, want)
	}
	if !apperr.Is(err, apperr.NotFound) {
		return nil, err
	}
	if want.PasswordHash, err = l.passwordHash(); err != nil {
		return nil, err
	}
	a, err = l.st.Org.CreateAccount(ctx, want)
	if apperr.Is(err, apperr.Conflict) {
		// Another instance loading the demo at the same moment made it.
		if a, err = l.st.Org.AccountByLogin(ctx, want.Login); err == nil {
			return a, checkDemoAccount(a, want)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("account %s: %w", want.Login, err)
	}
	return a, nil
}

// preflight refuses, before anything is written, a database in which a demo
// login belongs to somebody else, or a town of a demo town's name already
// has branches but not the demo's official (a real town, not a half-loaded
// demo: the official is the first thing the demo makes in a town).
func preflight(ctx context.Context, orgs *org.Store) error {
	for _, ts := range towns {
		for _, p := range ts.accounts() {
			a, err := orgs.AccountByLogin(ctx, p.login)
			if apperr.Is(err, apperr.NotFound) {
				if p.role == org.RoleOfficial {
					if err := checkTownFree(ctx, orgs, ts); err != nil {
						return err
					}
				}
				continue
			}
			if err != nil {
				return err
			}
			if a.Role != p.role || !strings.EqualFold(a.Email, p.login+emailDomain) {
				return foreignAccount(a)
			}
		}
	}
	return nil
}

// checkTownFree refuses a town of the seed's name and county that has
// branches of its own.
func checkTownFree(ctx context.Context, orgs *org.Store, ts *townSeed) error {
	county, err := orgs.CountyByName(ctx, ts.County)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	town, err := orgs.TownByName(ctx, ts.Town)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("town %s: %w", ts.Town, err)
	}
	if town.CountyID != county.ID {
		return nil
	}
	probe := org.Actor{Role: org.RoleCounty, CountyID: county.ID, Towns: []int64{town.ID}}
	bs, err := orgs.Branches(ctx, probe, org.BranchFilter{})
	if err != nil {
		return err
	}
	if len(bs) > 0 {
		return fmt.Errorf("town %s already has %d branches but no demo official %q: "+
			"refusing to load the demo into this database", ts.Town, len(bs), ts.Official.Login)
	}
	return nil
}

func foreignAccount(a *org.Account) error {
	return fmt.Errorf("login %q already belongs to an account that is not the demo's (role %s, e-mail %q): "+
		"refusing to load the demo into this database", a.Login, a.Role, a.Email)
}

// checkDemoAccount refuses an existing account that the demo did not make.
func checkDemoAccount(a *org.Account, want org.NewAccount) error {
	ok := a.Role == want.Role && strings.EqualFold(a.Email, want.Email)
	if want.Role == org.RoleCounty {
		ok = ok && a.CountyID == want.CountyID
	} else {
		ok = ok && a.TownID != nil && *a.TownID == want.TownID
	}
	if !ok {
		return foreignAccount(a)
	}
	return nil
}

func (l *loader) seedTown(ctx context.Context, ts *townSeed) error {
	orgs, cs := l.st.Org, l.st.Lessons
	county, err := orgs.EnsureCounty(ctx, ts.County)
	if err != nil {
		return err
	}
	town, _, err := orgs.EnsureTown(ctx, county.ID, ts.Town)
	if err != nil {
		return err
	}
	l.counties[county.ID], l.towns[town.ID] = county.Name, town.Name
	if err := cs.EnsureTopics(ctx, town.ID); err != nil {
		return err
	}

	offAcc, err := l.ensureAccount(ctx, org.NewAccount{Login: ts.Official.Login, Name: ts.Official.Name,
		Role: org.RoleOfficial, TownID: town.ID, Phone: ts.PhonePrefix + "0000"})
	if err != nil {
		return err
	}
	off, err := orgs.ActorFor(ctx, offAcc)
	if err != nil {
		return err
	}

	branches, err := l.seedBranches(ctx, off, ts)
	if err != nil {
		return err
	}
	for _, b := range ts.Branches {
		_, err := l.ensureAccount(ctx, org.NewAccount{Login: b.Secretary.Login, Name: b.Secretary.Name,
			Role: org.RoleSecretary, TownID: town.ID, BranchID: branches[b.Name].ID, Phone: branches[b.Name].Phone})
		if err != nil {
			return err
		}
	}

	lecturers, err := l.seedLecturers(ctx, off, ts, town.Timezone, branches)
	if err != nil {
		return err
	}
	for _, s := range ts.Lecturers {
		lec := lecturers[s.Name]
		_, err := l.ensureAccount(ctx, org.NewAccount{Login: s.Login, Name: s.Name, Role: org.RoleLecturer,
			TownID: town.ID, LecturerID: lec.ID, Phone: lec.Phone})
		if err != nil {
			return err
		}
	}

	if err := l.seedLessons(ctx, off, ts, lecturers); err != nil {
		return err
	}
	if err := l.seedFilms(ctx, off, ts); err != nil {
		return err
	}
	_, err = l.ensureAccount(ctx, org.NewAccount{Login: ts.Viewer.Login, Name: ts.Viewer.Name,
		Role: org.RoleCounty, CountyID: county.ID})
	return err
}

// seedBranches makes the missing branches and courtyards and returns every
// branch of the seed by name.
func (l *loader) seedBranches(ctx context.Context, off org.Actor, ts *townSeed) (map[string]*org.Branch, error) {
	orgs := l.st.Org
	have, err := orgs.Branches(ctx, off, org.BranchFilter{})
	if err != nil {
		return nil, err
	}
	byName := map[string]*org.Branch{}
	for i := range have {
		byName[have[i].Name] = &have[i]
	}
	for i, s := range ts.Branches {
		b := byName[s.Name]
		if b == nil {
			b, err = orgs.CreateBranch(ctx, off, org.BranchInput{Name: s.Name, Kind: s.Kind, MemberCount: s.Members,
				SecretaryName: s.Secretary.Name, Phone: fmt.Sprintf("%s%04d", ts.PhonePrefix, i+1)})
			if err != nil {
				return nil, fmt.Errorf("branch %s: %w", s.Name, err)
			}
			byName[s.Name] = b
		}
		courtyards := map[string]bool{}
		for _, c := range b.Courtyards {
			courtyards[c.Name] = true
		}
		for _, c := range s.Courtyards {
			if courtyards[c.Name] {
				continue
			}
			in := org.CourtyardInput{Name: c.Name, Address: c.Address}
			if c.Lat != 0 || c.Lng != 0 {
				lat, lng := c.Lat, c.Lng
				in.Lat, in.Lng = &lat, &lng
			}
			if _, err := orgs.CreateCourtyard(ctx, off, b.ID, in); err != nil {
				return nil, fmt.Errorf("courtyard %s of %s: %w", c.Name, s.Name, err)
			}
		}
	}
	return byName, nil
}

// seedLecturers makes the missing lecturers, known by name within the town,
// and returns every lecturer of the seed by name.
func (l *loader) seedLecturers(ctx context.Context, off org.Actor, ts *townSeed, zone string, branches map[string]*org.Branch) (map[string]*lessons.Lecturer, error) {
	cs := l.st.Lessons
	have, err := cs.Lecturers(ctx, off, lessons.LecturerFilter{})
	if err != nil {
		return nil, err
	}
	byName := map[string]*lessons.Lecturer{}
	for i := range have {
		byName[have[i].Name] = &have[i]
	}
	loc := tz.Load(zone)
	today := l.now().In(loc)
	for _, s := range ts.Lecturers {
		if byName[s.Name] != nil {
			continue
		}
		b := branches[s.Branch]
		if b == nil {
			return nil, fmt.Errorf("lecturer %s: unknown home branch %s", s.Name, s.Branch)
		}
		bid := b.ID
		in := lessons.LecturerInput{Name: s.Name, Phone: s.Phone, BranchID: &bid, Bio: s.Bio, Topics: s.Topics,
			MonthlyCapacity: s.Capacity, Availability: append([]lessons.Window(nil), s.Windows...), Blackouts: []lessons.Blackout{}}
		for _, bo := range s.Blackouts {
			in.Blackouts = append(in.Blackouts, lessons.Blackout{Day: today.AddDate(0, 0, bo.InDays).Format("2006-01-02"), Reason: bo.Reason})
		}
		lec, err := cs.CreateLecturer(ctx, off, in)
		if err != nil {
			return nil, fmt.Errorf("lecturer %s: %w", s.Name, err)
		}
		byName[s.Name] = lec
	}
	return byName, nil
}

// seedLessons makes the lessons whose titles the town lacks.
func (l *loader) seedLessons(ctx context.Context, off org.Actor, ts *townSeed, lecturers map[string]*lessons.Lecturer) error {
	cs := l.st.Lessons
	titles := map[string]bool{}
	for page := 1; ; page++ {
		p, err := cs.Lessons(ctx, off, lessons.LessonFilter{Page: page, PerPage: 100})
		if err != nil {
			return err
		}
		for _, x := range p.Items {
			titles[x.Title] = true
		}
		if len(p.Items) == 0 || int64(page*p.PerPage) >= p.Total {
			break
		}
	}
	for _, s := range ts.Lessons {
		if titles[s.Title] {
			continue
		}
		in := lessons.LessonInput{Title: s.Title, Topic: s.Topic, Summary: s.Summary, DurationMinutes: s.Minutes,
			Status: lessons.StatusPublished}
		if s.Draft {
			in.Status = lessons.StatusDraft
		}
		points := make([]string, len(s.Outline))
		for i, p := range s.Outline {
			points[i] = fmt.Sprintf("%d. %s", i+1, p)
		}
		in.Outline = strings.Join(points, "\n")
		for _, name := range s.Lecturers {
			lec := lecturers[name]
			if lec == nil {
				return fmt.Errorf("lesson %s: unknown lecturer %s", s.Title, name)
			}
			in.LecturerIDs = append(in.LecturerIDs, lec.ID)
		}
		if _, err := cs.CreateLesson(ctx, off, in); err != nil {
			return fmt.Errorf("lesson %s: %w", s.Title, err)
		}
	}
	return nil
}

// seedFilms makes the films whose titles the town lacks.
func (l *loader) seedFilms(ctx context.Context, off org.Actor, ts *townSeed) error {
	cs := l.st.Lessons
	have, err := cs.Films(ctx, off, lessons.FilmFilter{})
	if err != nil {
		return err
	}
	titles := map[string]bool{}
	for _, f := range have {
		titles[f.Title] = true
		// Demos loaded before linked the local films to files weike never
		// had (/static/films/…): take those dead links away.
		if strings.HasPrefix(f.Link, "/static/films/") {
			in := f.Input()
			in.Link = ""
			if _, err := cs.UpdateFilm(ctx, off, f.ID, in); err != nil {
				return fmt.Errorf("film %s: %w", f.Title, err)
			}
		}
	}
	for _, s := range ts.Films {
		if titles[s.Title] {
			continue
		}
		_, err := cs.CreateFilm(ctx, off, lessons.FilmInput{Title: s.Title, Category: s.Category,
			DurationMinutes: s.Minutes, Link: s.Link, Description: s.Description, Status: lessons.StatusPublished})
		if err != nil {
			return fmt.Errorf("film %s: %w", s.Title, err)
		}
	}
	return nil
}
