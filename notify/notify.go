// Package notify tells people things, exactly once. Every message is first
// written to the outbox, one row per recipient and channel under the unique
// key (kind, recipient, period, channel), inside the transaction of whatever
// caused it; a second run of a job, or a run on another instance, finds the
// key taken and adds nothing. The channels are the in-app inbox (delivered
// in that same transaction), e-mail over SMTP and the group-robot webhook
// that WeCom and DingTalk accept; those two are sent after the commit, and a
// failed send is retried with exponential backoff until it is marked failed
// for the officials to see. Nothing is dropped silently: a message that
// cannot go out at all (no address, no SMTP configured) is kept as skipped.
package notify

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

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

// Recipient is who a message goes to.
type Recipient struct {
	AccountID int64
	Lang      string
	// account is the whole row when RecipientsTx read it, so that the
	// outbox need not read it again inside the mover's transaction.
	account *accountRow
}

// Store reads and marks the inbox, keeps the outbox and sends what it holds.
type Store struct {
	db             *db.DB
	now            func() time.Time
	mailer         *Mailer
	defaultWebhook string
	baseURL        string
	// linksRequired refuses a new group robot while baseURL is empty: its
	// messages would carry links no phone can open, and the next start of
	// serve would refuse to go on (see cmd/weike's checkBaseURL).
	linksRequired bool
	client        *http.Client
	guard         robotGuard
	log           *slog.Logger
	// kick wakes Run: something was written to the outbox.
	kick chan struct{}
}

// Option configures the sending side of a Store.
type Option func(*Store)

// WithMailer sends the e-mail channel through m; without it e-mails are
// kept as skipped ("e-mail is not configured").
func WithMailer(m *Mailer) Option { return func(s *Store) { s.mailer = m } }

// WithDefaultWebhook is the group robot of towns that have set none.
func WithDefaultWebhook(url string) Option {
	return func(s *Store) { s.defaultWebhook = strings.TrimSpace(url) }
}

// WithBaseURL is weike's public URL, from which the links of messages
// read outside weike (e-mail, group robots) are made absolute.
func WithBaseURL(u string) Option {
	return func(s *Store) { s.baseURL = strings.TrimRight(strings.TrimSpace(u), "/") }
}

// WithLinksRequired makes PutRobot refuse a robot while no base URL is
// set; serve sets it except in the demo, whose links may stay relative.
func WithLinksRequired(on bool) Option { return func(s *Store) { s.linksRequired = on } }

// WithHTTPClient replaces the client that posts to group robots (tests
// only: it bypasses the check of the addresses robots are sent to).
func WithHTTPClient(c *http.Client) Option { return func(s *Store) { s.client = c } }

// WithLogger names where delivery problems are logged.
func WithLogger(l *slog.Logger) Option { return func(s *Store) { s.log = l } }

// NewStore makes a store; now is the injected clock.
func NewStore(d *db.DB, now func() time.Time, opts ...Option) *Store {
	if now == nil {
		now = time.Now
	}
	s := &Store{db: d, now: func() time.Time { return now().UTC() }, log: slog.Default(), kick: make(chan struct{}, 1)}
	for _, o := range opts {
		o(s)
	}
	if s.client == nil {
		s.client = s.guard.client(15 * time.Second)
	}
	return s
}

// Kick tells Run that messages were written: it sends them now rather
// than at its next tick. It never blocks.
func (s *Store) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Run sends what is due whenever Kick is called and every interval, until
// ctx ends: the message of a move leaves within moments of it, and one
// held by the quiet hours leaves within an interval of the morning. Any
// number of instances may run it (Deliver claims each message).
func (s *Store) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.kick:
		case <-t.C:
		}
		if _, err := s.Deliver(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("deliver messages", "err", err)
		}
	}
}

// Now is the store's clock (UTC).
func (s *Store) Now() time.Time { return s.now() }

// Inbox lists the actor's messages, newest first, and the unread count.
func (s *Store) Inbox(ctx context.Context, act org.Actor, limit int) (_ []Message, _ int64, err error) {
	defer apperr.Wrap(&err, "notify: inbox")
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
func (s *Store) Unread(ctx context.Context, act org.Actor) (_ int64, err error) {
	defer apperr.Wrap(&err, "notify: unread")
	var n int64
	err = s.db.R.WithContext(ctx).Model(&Message{}).Where("account_id = ? AND read_at IS NULL", act.AccountID).Count(&n).Error
	return n, err
}

// MarkRead marks one of the actor's messages read.
func (s *Store) MarkRead(ctx context.Context, act org.Actor, id int64) (err error) {
	defer apperr.Wrap(&err, "notify: mark read %d", id)
	var m Message
	if err := db.First(s.db.R.WithContext(ctx).Where("id = ? AND account_id = ?", id, act.AccountID), &m, apperr.NotFoundf("message")); err != nil {
		return err
	}
	return s.db.W.WithContext(ctx).Model(&Message{}).Where("id = ? AND read_at IS NULL", id).Update("read_at", s.now()).Error
}

// MarkReadAboutTx marks read the account's messages that lead to link (an
// order's page), inside the transaction of the move the account just made
// on it: a message asking her to answer is answered.
func (s *Store) MarkReadAboutTx(tx *gorm.DB, accountID int64, link string) error {
	return tx.Model(&Message{}).Where("account_id = ? AND link = ? AND read_at IS NULL", accountID, link).
		Update("read_at", s.now()).Error
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}
