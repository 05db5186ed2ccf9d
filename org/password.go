package org

import (
	"context"
	"strconv"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"weike/internal/apperr"
	"weike/internal/db"
)

// PasswordFreeFailures are the wrong current passwords an account may give
// when changing its password before each further try must wait (as a
// sign-in does): a stolen session must not become a way to guess the
// password.
const PasswordFreeFailures = 5

// ChangePassword changes the actor's own password after checking the
// current one. Every other session of the account ends, on every instance:
// whoever else was signed in with the old password is signed out. keep is
// the token of the session the change is made from (it stays signed in),
// "" when it is made with an API token. API tokens stay: each is a
// credential of its own, listed and revoked on the account page.
func (s *Store) ChangePassword(ctx context.Context, act Actor, current, next, keep string) (err error) {
	defer apperr.Wrap(&err, "org: change password")
	key := "pw:" + strconv.FormatInt(act.AccountID, 10)
	now := s.now()
	var ats []time.Time
	if err := s.db.R.WithContext(ctx).Table("login_failures").Where("key = ? AND at > ?", key, now.Add(-FailureMemory)).
		Order("at DESC").Pluck("at", &ats).Error; err != nil {
		return err
	}
	if len(ats) > 0 {
		if until := ats[0].Add(delayAfter(len(ats), PasswordFreeFailures)); until.After(now) {
			secs := int((until.Sub(now) + time.Second - 1) / time.Second)
			return apperr.New(apperr.TooMany, "auth.password_throttled").With("n", (secs+59)/60).WithDetail("retry_after", secs)
		}
	}
	var fs apperr.FieldSet
	if current == "" {
		fs.Add("current_password", "field.required")
	}
	switch {
	case utf8.RuneCountInString(next) < 8:
		fs.Add("new_password", "field.password_short")
	case len(next) > 72: // bcrypt reads no further
		fs.Add("new_password", "field.too_long")
	case next == current:
		fs.Add("new_password", "field.password_same")
	}
	if err := fs.Err(); err != nil {
		return err
	}
	var a Account
	if err := db.First(s.db.R.WithContext(ctx).Where("id = ? AND active = ?", act.AccountID, true), &a, apperr.New(apperr.Unauthorized, "auth.required")); err != nil {
		return err
	}
	if bcrypt.CompareHashAndPassword([]byte(a.PasswordHash), []byte(current)) != nil {
		if err := s.db.W.WithContext(ctx).Exec("INSERT INTO login_failures (key, at) VALUES (?, ?)", key, now).Error; err != nil {
			return err
		}
		return apperr.New(apperr.Invalid, "validation").Field("current_password", "auth.wrong_password")
	}
	hash, err := s.HashPassword(next)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Table("accounts").Where("id = ?", a.ID).Update("password_hash", hash).Error; err != nil {
			return err
		}
		q := tx.Where("account_id = ?", a.ID)
		if keep != "" {
			q = q.Where("id <> ?", hashSecret(keep))
		}
		if err := q.Delete(&Session{}).Error; err != nil {
			return err
		}
		if err := tx.Exec("DELETE FROM login_failures WHERE key = ?", key).Error; err != nil {
			return err
		}
		// As DeleteSession drops its session's entry, drop every cached
		// entry of the account, here and on the other instances: the ended
		// sessions must not live on in a cache.
		return s.invalidate(tx, "a:"+strconv.FormatInt(a.ID, 10))
	})
}
