package org

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"weike/internal/apperr"
	"weike/internal/db"
)

// BcryptCost is the work factor of stored passwords in production; a store
// never hashes with less unless a test says so (WithBcryptCost).
const BcryptCost = 10

// SessionTTL is how long a web session lives without a new sign-in.
const SessionTTL = 14 * 24 * time.Hour

// HashPassword hashes a password for storage at the store's cost.
func (s *Store) HashPassword(pw string) (_ string, err error) {
	defer apperr.Wrap(&err, "org: hash password")
	h, err := bcrypt.GenerateFromPassword([]byte(pw), s.bcryptCost)
	return string(h), err
}

var loginRe = regexp.MustCompile(`^[a-zA-Z0-9._@-]{3,64}$`)

// NewAccount is what it takes to create an account.
type NewAccount struct {
	Login    string
	Password string
	// PasswordHash, when set, is used instead of hashing Password (the demo
	// hashes its one password once for all its accounts).
	PasswordHash string
	Name         string
	Role         Role
	TownID       int64 // officials, secretaries, lecturers
	CountyID     int64 // county viewers
	BranchID     int64 // secretaries
	LecturerID   int64 // lecturers
	Email        string
	Phone        string
	Lang         string
}

// CreateAccount adds an account after checking that its role's anchors
// (town, branch, lecturer, county) exist and fit together. It is an operator
// action (CLI, demo); it takes no actor.
func (s *Store) CreateAccount(ctx context.Context, in NewAccount) (_ *Account, err error) {
	defer apperr.Wrap(&err, "org: create account")
	var fs apperr.FieldSet
	in.Login = strings.TrimSpace(in.Login)
	if !loginRe.MatchString(in.Login) {
		fs.Add("login", "field.login")
	}
	if in.PasswordHash == "" && utf8.RuneCountInString(in.Password) < 8 {
		fs.Add("password", "field.password_short")
	}
	if !in.Role.Valid() {
		fs.Add("role", "field.role")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	a := &Account{Login: in.Login, Name: strings.TrimSpace(in.Name), Role: in.Role, Email: strings.TrimSpace(in.Email),
		Phone: strings.TrimSpace(in.Phone), Lang: in.Lang, Active: true, CreatedAt: s.now()}
	if a.Lang == "" {
		a.Lang = "zh-CN"
	}
	if a.Name == "" {
		a.Name = a.Login
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		switch in.Role {
		case RoleCounty:
			var c County
			if err := tx.First(&c, in.CountyID).Error; err != nil {
				return apperr.New(apperr.Invalid, "validation").Field("county", "field.county_unknown")
			}
			a.CountyID = c.ID
		default:
			var t Town
			if err := tx.First(&t, in.TownID).Error; err != nil {
				return apperr.New(apperr.Invalid, "validation").Field("town", "field.town_unknown")
			}
			a.CountyID, a.TownID = t.CountyID, &t.ID
		}
		switch in.Role {
		case RoleSecretary:
			var b Branch
			if err := tx.Where("id = ? AND town_id = ?", in.BranchID, *a.TownID).First(&b).Error; err != nil {
				return apperr.New(apperr.Invalid, "validation").Field("branch", "field.branch_unknown")
			}
			a.BranchID = &b.ID
		case RoleLecturer:
			var n int64
			if err := tx.Table("lecturers").Where("id = ? AND town_id = ?", in.LecturerID, *a.TownID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return apperr.New(apperr.Invalid, "validation").Field("lecturer", "field.lecturer_unknown")
			}
			id := in.LecturerID
			a.LecturerID = &id
		}
		a.PasswordHash = in.PasswordHash
		if a.PasswordHash == "" {
			h, err := s.HashPassword(in.Password)
			if err != nil {
				return err
			}
			a.PasswordHash = h
		}
		if err := tx.Create(a).Error; err != nil {
			if db.IsUniqueViolation(err) {
				return apperr.New(apperr.Conflict, "account.login_taken").With("login", a.Login).Field("login", "account.login_taken")
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// AccountByLogin finds an account (operator use).
func (s *Store) AccountByLogin(ctx context.Context, login string) (_ *Account, err error) {
	defer apperr.Wrap(&err, "org: account by login")
	var a Account
	if err := db.First(s.db.R.WithContext(ctx).Where("login = ?", login), &a, apperr.NotFoundf("account")); err != nil {
		return nil, err
	}
	return &a, nil
}

// Sign-in throttling. Failures are counted per (login, client address) and
// per client address, never per login alone: a login that anyone could lock
// by typing wrong passwords at it would let a stranger keep its owner out.
// Past a number of failures, each further attempt from the same pair (or
// address) waits a delay that doubles with every failure, up to a cap; a
// right password from another address is never refused. The counts live in
// the database, so every instance of a scaled-out deployment sees the same.
const (
	// PairFreeFailures are the failures a login may have from one address
	// before its attempts from there are slowed down.
	PairFreeFailures = 5
	// AddressFreeFailures are the failures one address may have over all
	// logins before its attempts are slowed down.
	AddressFreeFailures = 20
	// FirstDelay is the wait after the first failure past the free ones;
	// each further failure doubles it, up to MaxDelay.
	FirstDelay = 30 * time.Second
	MaxDelay   = 15 * time.Minute
	// FailureMemory is how long a failure counts.
	FailureMemory = time.Hour
)

// delayAfter is the wait after the n-th failure of a key allowed free ones.
func delayAfter(n, free int) time.Duration {
	if n < free {
		return 0
	}
	d := FirstDelay
	for i := free; i < n && d < MaxDelay; i++ {
		d *= 2
	}
	return min(d, MaxDelay)
}

// dummyHash is compared against when a login does not exist, so that an
// unknown login takes as long to refuse as a wrong password: otherwise the
// time of the answer tells which logins exist.
func (s *Store) dummyHash() []byte {
	s.dummyOnce.Do(func() {
		h, err := bcrypt.GenerateFromPassword([]byte("weike-no-such-account"), s.bcryptCost)
		if err != nil {
			panic(err) // only an out-of-range cost fails, and NewStore keeps it in range
		}
		s.dummy = h
	})
	return s.dummy
}

// Authenticate checks a login and password from a client address. A
// throttled attempt is refused with a TooMany error whose detail
// "retry_after" is the seconds to wait, whatever the password.
func (s *Store) Authenticate(ctx context.Context, login, password, clientIP string) (_ *Account, err error) {
	defer apperr.Wrap(&err, "org: authenticate")
	login = strings.TrimSpace(login)
	pair, addr := "pair:"+strings.ToLower(login)+"|"+clientIP, "ip:"+clientIP
	now := s.now()
	var wait time.Duration
	for _, k := range []struct {
		key  string
		free int
	}{{pair, PairFreeFailures}, {addr, AddressFreeFailures}} {
		// The failures that count, newest first (SQLite's MAX would lose the
		// column's time type).
		var ats []time.Time
		if err := s.db.R.WithContext(ctx).Table("login_failures").Where("key = ? AND at > ?", k.key, now.Add(-FailureMemory)).
			Order("at DESC").Pluck("at", &ats).Error; err != nil {
			return nil, err
		}
		if len(ats) == 0 {
			continue
		}
		if until := ats[0].Add(delayAfter(len(ats), k.free)); until.After(now) {
			wait = max(wait, until.Sub(now))
		}
	}
	if wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		return nil, apperr.New(apperr.TooMany, "auth.throttled").With("n", (secs+59)/60).WithDetail("retry_after", secs)
	}
	var a Account
	err = s.db.R.WithContext(ctx).Where("login = ? AND active = ?", login, true).First(&a).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, err
	}
	hash := s.dummyHash()
	if err == nil {
		hash = []byte(a.PasswordHash)
	}
	ok := bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil && err == nil
	if !ok {
		werr := s.db.Tx(ctx, func(tx *gorm.DB) error {
			for _, k := range []string{pair, addr} {
				if err := tx.Exec("INSERT INTO login_failures (key, at) VALUES (?, ?)", k, now).Error; err != nil {
					return err
				}
			}
			// Keep the table small: old failures no longer count.
			return tx.Exec("DELETE FROM login_failures WHERE at < ?", now.Add(-FailureMemory)).Error
		})
		if werr != nil {
			return nil, werr
		}
		return nil, apperr.New(apperr.Unauthorized, "auth.bad_credentials")
	}
	// A good sign-in clears its pair's failures, not the address's.
	if err := s.db.W.WithContext(ctx).Exec("DELETE FROM login_failures WHERE key = ?", pair).Error; err != nil {
		return nil, err
	}
	return &a, nil
}

// ActorFor turns an account into the Actor the domain packages scope by.
func (s *Store) ActorFor(ctx context.Context, a *Account) (_ Actor, err error) {
	defer apperr.Wrap(&err, "org: actor for")
	act := Actor{AccountID: a.ID, Login: a.Login, Name: a.Name, Role: a.Role, CountyID: a.CountyID, Lang: a.Lang}
	if a.TownID != nil {
		act.TownID = *a.TownID
		act.Towns = []int64{*a.TownID}
	}
	if a.BranchID != nil {
		act.BranchID = *a.BranchID
	}
	if a.LecturerID != nil {
		act.LecturerID = *a.LecturerID
	}
	if a.Role == RoleCounty {
		if err := s.db.R.WithContext(ctx).Table("towns").Where("county_id = ?", a.CountyID).Order("id").Pluck("id", &act.Towns).Error; err != nil {
			return Actor{}, err
		}
	}
	return act, nil
}

// Account returns the actor's own account.
func (s *Store) Account(ctx context.Context, act Actor) (_ *Account, err error) {
	defer apperr.Wrap(&err, "org: account")
	var a Account
	if err := db.First(s.db.R.WithContext(ctx), &a, apperr.NotFoundf("account"), act.AccountID); err != nil {
		return nil, err
	}
	return &a, nil
}

// SetLang stores the actor's language choice.
func (s *Store) SetLang(ctx context.Context, act Actor, lang string) (err error) {
	defer apperr.Wrap(&err, "org: set lang")
	return s.txInvalidating(ctx, "a:"+strconv.FormatInt(act.AccountID, 10), func(tx *gorm.DB) error {
		return tx.Table("accounts").Where("id = ?", act.AccountID).Update("lang", lang).Error
	})
}

func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// Session is a web sign-in. Only the hash of its token is stored, so a leaked
// database does not hand out live sessions.
type Session struct {
	ID        string
	AccountID int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// CreateSession starts a web session and returns its secret token.
func (s *Store) CreateSession(ctx context.Context, accountID int64) (_ string, err error) {
	defer apperr.Wrap(&err, "org: create session")
	tok := newSecret()
	now := s.now()
	err = s.db.W.WithContext(ctx).Create(&Session{ID: hashSecret(tok), AccountID: accountID, CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}).Error
	return tok, err
}

// SessionAccount resolves a session token to its account.
func (s *Store) SessionAccount(ctx context.Context, token string) (_ *Account, err error) {
	defer apperr.Wrap(&err, "org: session account")
	a, _, err := s.sessionAccount(ctx, token)
	return a, err
}

func (s *Store) sessionAccount(ctx context.Context, token string) (*Account, time.Time, error) {
	if token == "" {
		return nil, time.Time{}, apperr.New(apperr.Unauthorized, "auth.required")
	}
	var row struct {
		Account
		SessionExpires time.Time
	}
	err := s.db.R.WithContext(ctx).Table("accounts").
		Joins("JOIN sessions ON sessions.account_id = accounts.id").
		Where("sessions.id = ? AND sessions.expires_at > ? AND accounts.active = ?", hashSecret(token), s.now(), true).
		Select("accounts.*, sessions.expires_at AS session_expires").Take(&row).Error
	if err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, time.Time{}, apperr.New(apperr.Unauthorized, "auth.required")
		}
		return nil, time.Time{}, err
	}
	return &row.Account, row.SessionExpires, nil
}

// SessionActor resolves a session token to its account and the Actor the
// domain scopes by, from the identity cache when it can (see cache.go).
func (s *Store) SessionActor(ctx context.Context, token string) (_ *Account, _ Actor, err error) {
	defer apperr.Wrap(&err, "org: session actor")
	key := "s:" + hashSecret(token)
	if id, ok := s.ids.get(key, s.now()); ok && token != "" {
		acc := id.acc
		return &acc, id.act, nil
	}
	a, expires, err := s.sessionAccount(ctx, token)
	if err != nil {
		return nil, Actor{}, err
	}
	act, err := s.ActorFor(ctx, a)
	if err != nil {
		return nil, Actor{}, err
	}
	s.ids.put(key, identity{acc: *a, act: act, expires: expires, cached: s.now()})
	return a, act, nil
}

// TokenActor resolves an API token to its account and Actor, from the
// identity cache when it can.
func (s *Store) TokenActor(ctx context.Context, secret string) (_ *Account, _ Actor, err error) {
	defer apperr.Wrap(&err, "org: token actor")
	key := "t:" + hashSecret(secret)
	if id, ok := s.ids.get(key, s.now()); ok && secret != "" {
		acc := id.acc
		return &acc, id.act, nil
	}
	a, err := s.TokenAccount(ctx, secret)
	if err != nil {
		return nil, Actor{}, err
	}
	act, err := s.ActorFor(ctx, a)
	if err != nil {
		return nil, Actor{}, err
	}
	s.ids.put(key, identity{acc: *a, act: act, cached: s.now()})
	return a, act, nil
}

// DeleteSession signs a session out, on every instance.
func (s *Store) DeleteSession(ctx context.Context, token string) (err error) {
	defer apperr.Wrap(&err, "org: delete session")
	h := hashSecret(token)
	return s.txInvalidating(ctx, "k:s:"+h, func(tx *gorm.DB) error {
		return tx.Where("id = ?", h).Delete(&Session{}).Error
	})
}

// APIToken is a bearer token for the JSON API.
type APIToken struct {
	ID         int64      `json:"id"`
	AccountID  int64      `json:"-"`
	Name       string     `json:"name"`
	TokenHash  string     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// CreateToken makes a new API token for the actor and returns its secret,
// which is shown once and never stored.
func (s *Store) CreateToken(ctx context.Context, act Actor, name string) (_ *APIToken, _ string, err error) {
	defer apperr.Wrap(&err, "org: create token")
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > 100 {
		return nil, "", apperr.New(apperr.Invalid, "validation").Field("name", "field.too_long")
	}
	if name == "" {
		name = "API"
	}
	secret := "wk_" + newSecret()
	t := &APIToken{AccountID: act.AccountID, Name: name, TokenHash: hashSecret(secret), CreatedAt: s.now()}
	if err := s.db.W.WithContext(ctx).Create(t).Error; err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

// Tokens lists the actor's own tokens.
func (s *Store) Tokens(ctx context.Context, act Actor) (_ []APIToken, err error) {
	defer apperr.Wrap(&err, "org: tokens")
	var ts []APIToken
	err = s.db.R.WithContext(ctx).Where("account_id = ?", act.AccountID).Order("id DESC").Find(&ts).Error
	return ts, err
}

// RevokeToken revokes one of the actor's tokens.
func (s *Store) RevokeToken(ctx context.Context, act Actor, id int64) (err error) {
	defer apperr.Wrap(&err, "org: revoke token %d", id)
	// The token's hash is not at hand: drop the account's entries.
	return s.txInvalidating(ctx, "a:"+strconv.FormatInt(act.AccountID, 10), func(tx *gorm.DB) error {
		res := tx.Model(&APIToken{}).Where("id = ? AND account_id = ? AND revoked_at IS NULL", id, act.AccountID).Update("revoked_at", s.now())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperr.NotFoundf("token")
		}
		return nil
	})
}

// TokenAccount resolves a bearer token to its account.
func (s *Store) TokenAccount(ctx context.Context, secret string) (_ *Account, err error) {
	defer apperr.Wrap(&err, "org: token account")
	if secret == "" {
		return nil, apperr.New(apperr.Unauthorized, "auth.required")
	}
	var t APIToken
	err = s.db.R.WithContext(ctx).Where("token_hash = ? AND revoked_at IS NULL", hashSecret(secret)).First(&t).Error
	if err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.New(apperr.Unauthorized, "auth.bad_token")
		}
		return nil, err
	}
	var a Account
	if err := db.First(s.db.R.WithContext(ctx).Where("id = ? AND active = ?", t.AccountID, true), &a, apperr.New(apperr.Unauthorized, "auth.bad_token")); err != nil {
		return nil, err
	}
	// Recording use is best-effort: a failed bookkeeping write must not
	// refuse an otherwise valid request.
	now := s.now()
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		_ = s.db.W.WithContext(ctx).Model(&APIToken{}).Where("id = ?", t.ID).Update("last_used_at", now).Error
	}
	return &a, nil
}
