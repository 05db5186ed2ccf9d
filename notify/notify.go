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
	"weike/internal/i18n"
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

// KindOrderExpired is the event of an order that no lecturer answered in
// time (booking's expiry job posts it).
const KindOrderExpired = "order.expired"

// KindOrderDispatched tells a branch's secretaries of an order the town
// dispatched for them (派单; booking posts it).
const KindOrderDispatched = "order.dispatched"

// events name the catalog messages (internal/i18n) of each kind of event
// message: its title and its body.
var events = map[string]struct{ title, body string }{
	KindOrderExpired:    {"msg.order.expired.title", "msg.order.expired.body"},
	KindOrderDispatched: {"msg.order.dispatched.title", "msg.order.dispatched.body"},
}

// Render fills a message kind's title and body for a language from the
// catalog; each recipient gets their own language. params are typed as for
// i18n.T, a count under n. A kind the catalog does not know renders as its
// name, with no body.
func Render(kind, lang string, params map[string]any) (string, string) {
	e, ok := events[kind]
	if !ok {
		return kind, ""
	}
	ps := make([]any, 0, 2*len(params))
	for k, v := range params {
		ps = append(ps, k, v)
	}
	return i18n.T(lang, e.title, ps...), i18n.T(lang, e.body, ps...)
}

// Recipient is who a message goes to.
type Recipient struct {
	AccountID int64
	Lang      string
}

// PostTx posts an event message (a kind of texts) to each recipient inside
// the caller's transaction, on the channels each has chosen: the inbox at
// once, e-mail through the outbox. key makes it unique per recipient, so
// posting again is a no-op.
func PostTx(tx *gorm.DB, townID int64, to []Recipient, kind, key string, params map[string]any, link string, now time.Time) error {
	letters := make([]Letter, 0, len(to))
	for _, r := range to {
		title, body := Render(kind, r.Lang, params)
		letters = append(letters, Letter{TownID: townID, Kind: kind, Period: key, AccountID: r.AccountID,
			Subject: title, Text: body, HTML: "<p>" + htmlEscape(body) + "</p>", Markdown: body, Link: link})
	}
	_, err := enqueueTx(tx, letters, now, "")
	return err
}

// OfficialsTx lists the active officials of a town, for messages to them.
func OfficialsTx(tx *gorm.DB, townID int64) ([]Recipient, error) {
	var rs []Recipient
	err := tx.Table("accounts").Select("id AS account_id, lang").
		Where("town_id = ? AND role = ? AND active = ?", townID, org.RoleOfficial, true).Order("id").Scan(&rs).Error
	return rs, err
}

// Store reads and marks the inbox, keeps the outbox and sends what it holds.
type Store struct {
	db             *db.DB
	now            func() time.Time
	mailer         *Mailer
	defaultWebhook string
	client         *http.Client
	guard          robotGuard
	log            *slog.Logger
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
	s := &Store{db: d, now: func() time.Time { return now().UTC() }, log: slog.Default()}
	for _, o := range opts {
		o(s)
	}
	if s.client == nil {
		s.client = s.guard.client(15 * time.Second)
	}
	return s
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

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}
