package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"weike/internal/apperr"
	"weike/lessons"
	"weike/org"
)

// cmdUserAdd creates an account: the way the first official of a real
// deployment comes to exist.
func cmdUserAdd(ctx context.Context, args []string, env func(string) string, out, errw io.Writer) error {
	cfg, _, err := parseConfig("user add", nil, env)
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(errw)
	dbFlag := fs.String("db", cfg.DB, "SQLite file path, or a postgres:// URL (WEIKE_DB)")
	role := fs.String("role", "", "official, secretary, lecturer or county")
	login := fs.String("login", "", "sign-in name")
	name := fs.String("name", "", "display name")
	email := fs.String("email", "", "e-mail address")
	password := fs.String("password", env("WEIKE_PASSWORD"), "password (WEIKE_PASSWORD); asked on stdin when empty")
	county := fs.String("county", "", "county name (created when absent; county viewers, or a new town's county)")
	town := fs.String("town", "", "town name (created, with its topics, in --county when absent)")
	branch := fs.String("branch", "", "branch name, for a secretary")
	lecturer := fs.String("lecturer", "", "lecturer name, for a lecturer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg.DB = *dbFlag
	if *login == "" || *role == "" {
		return errors.New("user add needs --role and --login")
	}
	if *password == "" {
		fmt.Fprint(errw, "password: ")
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("no password given")
		}
		*password = strings.TrimRight(line, "\r\n")
	}
	d, err := openDB(ctx, cfg, newLogger(cfg, errw))
	if err != nil {
		return err
	}
	defer d.Close()
	orgs := org.NewStore(d, nil)
	cat := lessons.NewStore(d, nil)
	in := org.NewAccount{Login: *login, Password: *password, Name: *name, Role: org.Role(*role), Email: *email}
	if *county != "" {
		c, err := orgs.EnsureCounty(ctx, *county)
		if err != nil {
			return err
		}
		in.CountyID = c.ID
	}
	if *role != string(org.RoleCounty) {
		if *town == "" {
			return errors.New("--town is required for this role")
		}
		t, err := orgs.TownByName(ctx, *town)
		if apperr.Is(err, apperr.NotFound) {
			if in.CountyID == 0 {
				return fmt.Errorf("town %q does not exist: give --county to create it", *town)
			}
			t, _, err = orgs.EnsureTown(ctx, in.CountyID, *town)
			if err == nil {
				err = cat.EnsureTopics(ctx, t.ID)
			}
		}
		if err != nil {
			return err
		}
		in.TownID = t.ID
		officialOfTown := org.Actor{Role: org.RoleOfficial, TownID: t.ID, CountyID: t.CountyID, Towns: []int64{t.ID}}
		switch org.Role(*role) {
		case org.RoleSecretary:
			bs, err := orgs.Branches(ctx, officialOfTown, org.BranchFilter{})
			if err != nil {
				return err
			}
			for _, b := range bs {
				if b.Name == *branch {
					in.BranchID = b.ID
				}
			}
			if in.BranchID == 0 {
				return fmt.Errorf("town %q has no branch %q", *town, *branch)
			}
		case org.RoleLecturer:
			ls, err := cat.Lecturers(ctx, officialOfTown, lessons.LecturerFilter{})
			if err != nil {
				return err
			}
			for _, l := range ls {
				if l.Name == *lecturer {
					in.LecturerID = l.ID
				}
			}
			if in.LecturerID == 0 {
				return fmt.Errorf("town %q has no lecturer %q", *town, *lecturer)
			}
		}
	} else if in.CountyID == 0 {
		return errors.New("--county is required for a county viewer")
	}
	a, err := orgs.CreateAccount(ctx, in)
	if err != nil {
		if ae, ok := apperr.As(err); ok {
			return fmt.Errorf("%s", describe(ae))
		}
		return err
	}
	fmt.Fprintf(out, "created %s account %q (id %d)\n", a.Role, a.Login, a.ID)
	return nil
}

// describe renders a domain error for the terminal (in English: operators'
// tools speak the language of their logs).
func describe(e *apperr.Error) string {
	var b strings.Builder
	b.WriteString(e.Code)
	for f, c := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f, c)
	}
	return b.String()
}
