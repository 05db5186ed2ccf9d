// Package notify delivers messages to people: today the in-app inbox, where
// every message is written once under a unique key, so a job that runs
// twice, or on two instances, still tells each person once.
package notify

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"weike/internal/apperr"
	"weike/internal/db"
	"weike/org"
)

// Message is one inbox entry.
type Message struct {
	ID        int64      `json:"id"`
	AccountID int64      `json:"-"`
	TownID    *int64     `json:"town_id"`
	Kind      string     `json:"kind"`
	DedupeKey string     `json:"-"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Link      string     `json:"link"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// TableName keeps the schema's name.
func (Message) TableName() string { return "inbox_messages" }

// texts are the inbox messages in both languages; {name} placeholders are
// filled from the params. Each recipient gets their own language.
var texts = map[string][2][2]string{
	"order.expired": {
		{"点单已过期：{lesson}", "{branch} 的点单（讲师{lecturer}）{hours} 小时内无人答复，已过期，请改派讲师或取消。"},
		{"Order expired: {lesson}", "The order of {branch} (lecturer {lecturer}) had no answer within {hours} hours and expired; reassign it or cancel it."},
	},
}

// Render fills a message kind's title and body for a language.
func Render(kind, lang string, params map[string]string) (string, string) {
	t, ok := texts[kind]
	if !ok {
		return kind, ""
	}
	i := 0
	if strings.HasPrefix(lang, "en") {
		i = 1
	}
	pairs := make([]string, 0, 2*len(params))
	for k, v := range params {
		pairs = append(pairs, "{"+k+"}", v)
	}
	r := strings.NewReplacer(pairs...)
	return r.Replace(t[i][0]), r.Replace(t[i][1])
}

// Recipient is who a message goes to.
type Recipient struct {
	AccountID int64
	Lang      string
}

// PostTx writes a message for each recipient inside the caller's
// transaction; key makes it unique per recipient, so posting again is a
// no-op.
func PostTx(tx *gorm.DB, townID int64, to []Recipient, kind, key string, params map[string]string, link string, now time.Time) error {
	for _, r := range to {
		title, body := Render(kind, r.Lang, params)
		tid := townID
		m := Message{AccountID: r.AccountID, TownID: &tid, Kind: kind, DedupeKey: kind + ":" + key + ":" + itoa(r.AccountID),
			Title: title, Body: body, Link: link, CreatedAt: now}
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedupe_key"}}, DoNothing: true}).Create(&m).Error; err != nil {
			return err
		}
	}
	return nil
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// OfficialsTx lists the active officials of a town, for messages to them.
func OfficialsTx(tx *gorm.DB, townID int64) ([]Recipient, error) {
	var rs []Recipient
	err := tx.Table("accounts").Select("id AS account_id, lang").
		Where("town_id = ? AND role = ? AND active = ?", townID, org.RoleOfficial, true).Order("id").Scan(&rs).Error
	return rs, err
}

// Store reads and marks the inbox.
type Store struct {
	db  *db.DB
	now func() time.Time
}

// NewStore makes a store; now is the injected clock.
func NewStore(d *db.DB, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: d, now: func() time.Time { return now().UTC() }}
}

// Inbox lists the actor's messages, newest first, and the unread count.
func (s *Store) Inbox(ctx context.Context, act org.Actor, limit int) ([]Message, int64, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var ms []Message
	if err := s.db.R.WithContext(ctx).Where("account_id = ?", act.AccountID).Order("id DESC").Limit(limit).Find(&ms).Error; err != nil {
		return nil, 0, err
	}
	n, err := s.Unread(ctx, act)
	return ms, n, err
}

// Unread counts the actor's unread messages.
func (s *Store) Unread(ctx context.Context, act org.Actor) (int64, error) {
	var n int64
	err := s.db.R.WithContext(ctx).Model(&Message{}).Where("account_id = ? AND read_at IS NULL", act.AccountID).Count(&n).Error
	return n, err
}

// MarkRead marks one of the actor's messages read.
func (s *Store) MarkRead(ctx context.Context, act org.Actor, id int64) error {
	var m Message
	if err := s.db.R.WithContext(ctx).Where("id = ? AND account_id = ?", id, act.AccountID).First(&m).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return apperr.NotFoundf("message")
		}
		return err
	}
	return s.db.W.WithContext(ctx).Model(&Message{}).Where("id = ? AND read_at IS NULL", id).Update("read_at", s.now()).Error
}
