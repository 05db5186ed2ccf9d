package notify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"weike/internal/apperr"
	"weike/internal/db"
	"weike/internal/tz"
	"weike/org"
)

// The channels.
const (
	ChannelInbox   = "inbox"
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
)

// Outbox statuses.
const (
	StatusPending = "pending" // waiting for its (next) attempt
	StatusSending = "sending" // an instance holds it until lease_until
	StatusSent    = "sent"
	StatusFailed  = "failed"  // gave up after MaxAttempts; an official may retry it
	StatusSkipped = "skipped" // could not be sent at all (no address, channel not configured)
)

// MaxAttempts is how often a message is tried before it is marked failed.
const MaxAttempts = 6

// lease is how long a claimed message belongs to the instance sending it;
// past it, an instance that died mid-send has its message taken over.
const lease = 5 * time.Minute

// Backoff is the wait after the n-th failed attempt: 5 minutes, doubling,
// at most 6 hours.
func Backoff(n int) time.Duration {
	d := 5 * time.Minute
	for i := 1; i < n && d < 6*time.Hour; i++ {
		d *= 2
	}
	return min(d, 6*time.Hour)
}

// Letter is one message to one recipient before it is split by channel: a
// person (AccountID, on the channels they chose) or a group robot (Robot).
type Letter struct {
	TownID int64
	// Kind names what the message is ("monthly.secretary", "reminder.lecturer"…).
	Kind string
	// Period makes the key unique in time: "2026-12", "2026-12-05", an order id.
	Period    string
	AccountID int64
	Robot     *RobotTarget
	Subject   string
	Text      string // plain text: the inbox and the e-mail's text part
	// Inbox, when set, is the inbox's text instead of Text (without the
	// link the inbox's own button opens).
	Inbox    string
	HTML     string // the e-mail's HTML part
	Markdown string // the group robot's message
	Link     string
	// Path is the page of weike the letter is about, for the inbox's
	// button; empty: the inbox opens Link when it is a path of weike.
	Path string
	// Attachment goes with the e-mail only.
	Attachment *Attachment
}

// RobotTarget is a group robot: the town's (BranchID 0) or a branch's.
type RobotTarget struct {
	BranchID int64
	Name     string
}

// Attachment is a file sent with an e-mail.
type Attachment struct {
	Name string
	Data []byte
}

// Outgoing is one row of the outbox: a letter on one channel.
type Outgoing struct {
	ID            int64  `json:"id"`
	TownID        *int64 `json:"town_id"`
	Kind          string `json:"kind"`
	Recipient     string `json:"recipient"`
	AccountID     *int64 `json:"account_id,omitempty"`
	RecipientName string `json:"recipient_name"`
	Period        string `json:"period"`
	Channel       string `json:"channel"`
	Address       string `json:"address"`
	Subject       string `json:"subject"`
	BodyText      string `json:"-"`
	BodyHTML      string `json:"-"`
	BodyMarkdown  string `json:"-"`
	Link          string `json:"link"`
	// Mention is the phone number a group robot @-mentions: the one person
	// a robot message to a person is for.
	Mention        string     `json:"-"`
	AttachmentName string     `json:"attachment_name,omitempty"`
	Attachment     string     `json:"-"`
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	NextAttemptAt  time.Time  `json:"next_attempt_at"`
	LeaseUntil     *time.Time `json:"-"`
	LastError      string     `json:"last_error"`
	// Problem is what went wrong as a catalog key (msg.problem.*, or a
	// robot's msg.test.*): LastError is for whoever fixes delivery, Problem
	// for the official reading the messages page.
	Problem   string     `json:"problem,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// TableName keeps the schema's name.
func (Outgoing) TableName() string { return "outbox" }

// What keeps a message from being sent, besides a robot's refusal (whose
// keys are TestRobot's): catalog keys.
const (
	ProblemNoEmail = "msg.problem.no_email" // the account has no e-mail address
	ProblemNoRobot = "msg.problem.no_robot" // neither the branch nor the town has a robot
	ProblemNoSMTP  = "msg.problem.no_smtp"  // weike has no mail server set
	ProblemSMTP    = "msg.problem.smtp"     // the mail server did not take it
)

// Queued counts what an enqueue did.
type Queued struct {
	// New rows per channel; Duplicates are letters whose key was already taken.
	New        map[string]int
	Duplicates int
	Skipped    int
	// Muted are letters not written because their recipient turned their
	// kind off.
	Muted int
	// Rows are the new rows, in the order written.
	Rows []Outgoing
}

// Total is the number of new rows.
func (q Queued) Total() int {
	n := 0
	for _, v := range q.New {
		n += v
	}
	return n
}

// EnqueueTx writes letters to the outbox inside the caller's transaction.
// A letter whose key is already taken adds nothing.
func (s *Store) EnqueueTx(tx *gorm.DB, letters []Letter) (_ Queued, err error) {
	defer apperr.Wrap(&err, "notify: enqueue tx")
	return enqueueTx(tx, letters, s.now(), s.defaultWebhook)
}

type accountRow struct {
	ID         int64
	TownID     *int64
	Name       string
	Email      string
	Phone      string
	Channels   string
	Muted      string
	Role       org.Role
	BranchID   *int64
	LecturerID *int64
	Active     bool
	Lang       string
}

// accountColumns are what the outbox reads of a recipient (accountRow).
const accountColumns = "id, town_id, name, email, phone, channels, muted, role, branch_id, lecturer_id, active, lang"

// enqueuer writes one batch of letters, reading each account, robot and
// town once.
type enqueuer struct {
	tx             *gorm.DB
	now            time.Time
	defaultWebhook string
	accounts       map[int64]*accountRow
	robots         map[[2]int64]*Robot
	quiet          map[int64]time.Time // town → when its quiet hours end (zero: not quiet now)
}

func enqueueTx(tx *gorm.DB, letters []Letter, now time.Time, defaultWebhook string) (Queued, error) {
	return enqueueKnown(tx, letters, now, defaultWebhook, map[int64]*accountRow{})
}

// enqueueKnown is enqueueTx with the accounts already read (in the same
// transaction) by id.
func enqueueKnown(tx *gorm.DB, letters []Letter, now time.Time, defaultWebhook string, known map[int64]*accountRow) (Queued, error) {
	q := Queued{New: map[string]int{}}
	e := &enqueuer{tx: tx, now: now, defaultWebhook: defaultWebhook, accounts: known,
		robots: map[[2]int64]*Robot{}, quiet: map[int64]time.Time{}}
	for _, l := range letters {
		base := Outgoing{Kind: l.Kind, Period: l.Period, Subject: l.Subject, BodyText: l.Text, BodyHTML: l.HTML,
			BodyMarkdown: l.Markdown, Link: l.Link, Status: StatusPending, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now}
		if l.TownID != 0 {
			tid := l.TownID
			base.TownID = &tid
		}
		if l.Attachment != nil {
			base.AttachmentName, base.Attachment = l.Attachment.Name, string(l.Attachment.Data)
		}
		var rows []Outgoing
		switch {
		case l.Robot != nil:
			r, err := e.robot(l.TownID, l.Robot.BranchID)
			if err != nil {
				return q, err
			}
			url := e.defaultWebhook
			if r != nil {
				url = r.URL
			} else if l.Robot.BranchID != 0 {
				url = "" // a branch without its own robot: the town's robot already has the town's letter
			}
			if url == "" {
				continue
			}
			o := base
			o.Recipient = "town:" + itoa(l.TownID)
			if l.Robot.BranchID != 0 {
				o.Recipient = "branch:" + itoa(l.Robot.BranchID)
			}
			o.RecipientName, o.Channel, o.Address = l.Robot.Name, ChannelWebhook, url
			rows = append(rows, o)
		case l.AccountID != 0:
			a, err := e.account(l.AccountID)
			if err != nil {
				return q, err
			}
			if !a.Active {
				continue
			}
			if slices.Contains(ParseMuted(a.Muted), l.Kind) && !Required(l.Kind, a.Role) {
				q.Muted++
				continue
			}
			for _, ch := range ParseChannels(a.Channels) {
				o := base
				aid := a.ID
				o.Recipient, o.AccountID, o.RecipientName, o.Channel = "account:"+itoa(a.ID), &aid, a.Name, ch
				switch ch {
				case ChannelEmail:
					o.Address = a.Email
					if a.Email == "" {
						o.Status, o.LastError, o.Problem = StatusSkipped, "no e-mail address", ProblemNoEmail
					}
				case ChannelWebhook:
					url, err := e.personalRobot(l.TownID, a)
					if err != nil {
						return q, err
					}
					o.Address, o.Mention = url, a.Phone
					if url == "" {
						o.Status, o.LastError, o.Problem = StatusSkipped, "no group robot for this account's branch or town", ProblemNoRobot
					}
				case ChannelInbox:
					o.Status, o.Attempts, o.SentAt = StatusSent, 1, &now
				}
				rows = append(rows, o)
			}
		}
		for i := range rows {
			o := &rows[i]
			if o.Status == StatusPending && (o.Channel == ChannelEmail || o.Channel == ChannelWebhook) {
				// At night e-mails and robots wait for the morning; the
				// inbox, which rings no phone, has it at once.
				until, err := e.quietUntil(l.TownID)
				if err != nil {
					return q, err
				}
				if !until.IsZero() {
					o.NextAttemptAt = until
				}
			}
			res := e.tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "kind"}, {Name: "recipient"}, {Name: "period"}, {Name: "channel"}}, DoNothing: true}).Create(o)
			if res.Error != nil {
				return q, res.Error
			}
			if res.RowsAffected == 0 {
				q.Duplicates++
				continue
			}
			if o.Status == StatusSkipped {
				q.Skipped++
			}
			q.New[o.Channel]++
			q.Rows = append(q.Rows, *o)
			if o.Channel == ChannelInbox {
				link := o.Link
				if l.Path != "" {
					link = l.Path
				}
				body := o.BodyText
				if l.Inbox != "" {
					body = l.Inbox
				}
				m := Message{AccountID: *o.AccountID, TownID: o.TownID, Kind: o.Kind, DedupeKey: o.Kind + ":" + o.Period + ":" + itoa(*o.AccountID),
					Title: o.Subject, Body: body, Link: link, CreatedAt: now}
				if err := e.tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedupe_key"}}, DoNothing: true}).Create(&m).Error; err != nil {
					return q, err
				}
			}
		}
	}
	return q, nil
}

func (e *enqueuer) account(id int64) (*accountRow, error) {
	if a, ok := e.accounts[id]; ok {
		return a, nil
	}
	a := &accountRow{}
	if err := e.tx.Table("accounts").Select(accountColumns).Where("id = ?", id).Take(a).Error; err != nil {
		return nil, fmt.Errorf("recipient %d: %w", id, err)
	}
	e.accounts[id] = a
	return a, nil
}

func (e *enqueuer) robot(townID, branchID int64) (*Robot, error) {
	key := [2]int64{townID, branchID}
	if r, ok := e.robots[key]; ok {
		return r, nil
	}
	r, err := robotTx(e.tx, townID, branchID)
	if err != nil {
		return nil, err
	}
	e.robots[key] = r
	return r, nil
}

// personalRobot is the group robot a message to one person goes to: her
// branch's (a secretary's branch, a lecturer's home branch), else her
// town's, else the default one; empty when there is none.
func (e *enqueuer) personalRobot(townID int64, a *accountRow) (string, error) {
	if townID == 0 && a.TownID != nil {
		townID = *a.TownID
	}
	var branchID int64
	switch {
	case a.BranchID != nil:
		branchID = *a.BranchID
	case a.LecturerID != nil:
		var home struct{ BranchID *int64 }
		if err := e.tx.Table("lecturers").Select("branch_id").Where("id = ?", *a.LecturerID).Take(&home).Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return "", err
		}
		if home.BranchID != nil {
			branchID = *home.BranchID
		}
	}
	if branchID != 0 {
		r, err := e.robot(townID, branchID)
		if err != nil || r != nil {
			if r != nil {
				return r.URL, nil
			}
			return "", err
		}
	}
	r, err := e.robot(townID, 0)
	if err != nil {
		return "", err
	}
	if r != nil {
		return r.URL, nil
	}
	return e.defaultWebhook, nil
}

// quietUntil is when the town's quiet hours end if they hold now, else
// the zero time.
func (e *enqueuer) quietUntil(townID int64) (time.Time, error) {
	if t, ok := e.quiet[townID]; ok {
		return t, nil
	}
	q := QuietHours{From: org.DefaultQuietFrom, Until: org.DefaultQuietUntil, Zone: tz.Shanghai}
	if townID != 0 {
		var row struct{ Timezone, QuietFrom, QuietUntil string }
		if err := e.tx.Table("towns").Select("timezone, quiet_from, quiet_until").Where("id = ?", townID).Take(&row).Error; err != nil {
			return time.Time{}, err
		}
		q = QuietHours{From: row.QuietFrom, Until: row.QuietUntil, Zone: tz.Load(row.Timezone)}
	}
	t := q.End(e.now)
	e.quiet[townID] = t
	return t, nil
}

// Delivery counts what one pass of Deliver did.
type Delivery struct {
	Sent, Retrying, Failed, Skipped int
}

// Deliver sends every message that is due, on this instance: each is first
// claimed by a conditional update, so two instances delivering at once never
// send the same message twice.
func (s *Store) Deliver(ctx context.Context) (_ Delivery, err error) {
	defer apperr.Wrap(&err, "notify: deliver")
	var d Delivery
	seen := map[int64]bool{}
	for {
		now := s.now()
		var ids []int64
		err := s.db.R.WithContext(ctx).Model(&Outgoing{}).
			Where("(status = ? AND next_attempt_at <= ?) OR (status = ? AND lease_until < ?)", StatusPending, now, StatusSending, now).
			Order("id").Limit(100).Pluck("id", &ids).Error
		if err != nil {
			return d, err
		}
		fresh := 0
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			fresh++
			if err := s.deliverOne(ctx, id, &d); err != nil {
				return d, err
			}
		}
		if fresh == 0 || len(ids) < 100 {
			return d, nil
		}
	}
}

// DeliverNow sends every pending message at once, without waiting for the
// backoff of those that failed before (an operator's "retry now" for all).
func (s *Store) DeliverNow(ctx context.Context) (_ Delivery, err error) {
	defer apperr.Wrap(&err, "notify: deliver now")
	now := s.now()
	if err := s.db.W.WithContext(ctx).Model(&Outgoing{}).Where("status = ? AND next_attempt_at > ?", StatusPending, now).
		Updates(map[string]any{"next_attempt_at": now, "updated_at": now}).Error; err != nil {
		return Delivery{}, err
	}
	return s.Deliver(ctx)
}

// deliverOne claims a message and sends it; a send failure is recorded on
// the row, only a database failure is returned.
func (s *Store) deliverOne(ctx context.Context, id int64, d *Delivery) error {
	now := s.now()
	until := now.Add(lease)
	res := s.db.W.WithContext(ctx).Model(&Outgoing{}).
		Where("id = ? AND ((status = ? AND next_attempt_at <= ?) OR (status = ? AND lease_until < ?))", id, StatusPending, now, StatusSending, now).
		Updates(map[string]any{"status": StatusSending, "lease_until": until, "attempts": gorm.Expr("attempts + 1"), "updated_at": now})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return nil // another instance has it, or it was sent meanwhile
	}
	var o Outgoing
	if err := s.db.W.WithContext(ctx).First(&o, id).Error; err != nil {
		return err
	}
	var sendErr error
	switch o.Channel {
	case ChannelEmail:
		if s.mailer == nil {
			d.Skipped++
			return s.finish(ctx, &o, StatusSkipped, "e-mail is not configured (WEIKE_SMTP_ADDR)", ProblemNoSMTP)
		}
		sendErr = s.mailer.Send(ctx, &o, s.now())
	case ChannelWebhook:
		sendErr = s.postRobot(ctx, &o)
	case ChannelInbox:
		// Written with the row itself; nothing to send.
	}
	if sendErr == nil {
		d.Sent++
		return s.finish(ctx, &o, StatusSent, "", "")
	}
	problem := ProblemSMTP
	if o.Channel == ChannelWebhook {
		problem = robotTestOf(sendErr).Problem
	}
	msg := sendErr.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	if o.Attempts >= MaxAttempts {
		d.Failed++
		s.log.Error("message failed for good", "id", o.ID, "kind", o.Kind, "channel", o.Channel, "to", o.RecipientName, "attempts", o.Attempts, "err", sendErr)
		return s.finish(ctx, &o, StatusFailed, msg, problem)
	}
	d.Retrying++
	s.log.Warn("message send failed, will retry", "id", o.ID, "kind", o.Kind, "channel", o.Channel, "attempts", o.Attempts, "err", sendErr)
	next := s.now().Add(Backoff(o.Attempts))
	return s.db.W.WithContext(ctx).Model(&Outgoing{}).Where("id = ? AND status = ?", o.ID, StatusSending).
		Updates(map[string]any{"status": StatusPending, "next_attempt_at": next, "lease_until": nil, "last_error": msg, "problem": problem, "updated_at": s.now()}).Error
}

func (s *Store) finish(ctx context.Context, o *Outgoing, status, lastErr, problem string) error {
	now := s.now()
	fields := map[string]any{"status": status, "lease_until": nil, "last_error": lastErr, "problem": problem, "updated_at": now}
	if status == StatusSent {
		fields["sent_at"] = now
	}
	return s.db.W.WithContext(ctx).Model(&Outgoing{}).Where("id = ? AND status = ?", o.ID, StatusSending).Updates(fields).Error
}

// MessageFilter narrows the officials' list of messages.
type MessageFilter struct {
	Status  string
	Channel string
	Kind    string // a prefix: "monthly" matches every monthly letter
	Page    int
	PerPage int
}

// Page is one page of a list.
type Page[T any] struct {
	Items   []T   `json:"items"`
	Total   int64 `json:"total"`
	Page    int   `json:"page"`
	PerPage int   `json:"per_page"`
}

// Statuses are the outbox statuses, for filters.
var Statuses = []string{StatusPending, StatusSending, StatusSent, StatusFailed, StatusSkipped}

// Channels are every channel, for filters.
var Channels = []string{ChannelInbox, ChannelEmail, ChannelWebhook}

// Messages lists the messages of the official's town, newest first.
func (s *Store) Messages(ctx context.Context, act org.Actor, f MessageFilter) (_ *Page[Outgoing], err error) {
	defer apperr.Wrap(&err, "notify: messages")
	if err := act.RequireOfficial(); err != nil {
		return nil, err
	}
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = 50
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	q := s.db.R.WithContext(ctx).Model(&Outgoing{}).Where("town_id = ?", act.TownID)
	if f.Status != "" {
		if !contains(Statuses, f.Status) {
			return nil, apperr.New(apperr.BadRequest, "bad_request").Field("status", "msg.bad_status")
		}
		q = q.Where("status = ?", f.Status)
	}
	if f.Channel != "" {
		if !contains(Channels, f.Channel) {
			return nil, apperr.New(apperr.BadRequest, "bad_request").Field("channel", "msg.bad_channel")
		}
		q = q.Where("channel = ?", f.Channel)
	}
	if f.Kind != "" {
		q = q.Where("(kind = ? OR kind LIKE ? ESCAPE '\\')", f.Kind, strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(f.Kind)+".%")
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, err
	}
	items := []Outgoing{}
	if err := q.Order("id DESC").Limit(f.PerPage).Offset((f.Page - 1) * f.PerPage).Find(&items).Error; err != nil {
		return nil, err
	}
	for i := range items {
		items[i].Address = shownAddress(items[i])
	}
	return &Page[Outgoing]{Items: items, Total: total, Page: f.Page, PerPage: f.PerPage}, nil
}

// Counts tallies the town's messages by status, for the page's summary.
func (s *Store) Counts(ctx context.Context, act org.Actor) (_ map[string]int64, err error) {
	defer apperr.Wrap(&err, "notify: counts")
	if err := act.RequireOfficial(); err != nil {
		return nil, err
	}
	var rows []struct {
		Status string
		N      int64
	}
	if err := s.db.R.WithContext(ctx).Model(&Outgoing{}).Select("status, COUNT(*) AS n").Where("town_id = ?", act.TownID).
		Group("status").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// shownAddress hides a robot's key: its URL carries the credential.
func shownAddress(o Outgoing) string {
	if o.Channel != ChannelWebhook {
		return o.Address
	}
	a := o.Address
	if i := strings.Index(a, "://"); i >= 0 {
		a = a[i+3:]
	}
	if i := strings.IndexAny(a, "/?"); i >= 0 {
		a = a[:i]
	}
	return a
}

// Retry sends a message of the official's town again now: a failed or
// skipped one gets one more attempt, a pending one goes out without waiting
// for its backoff. A sent message is not sent twice.
func (s *Store) Retry(ctx context.Context, act org.Actor, id int64) (_ *Outgoing, err error) {
	defer apperr.Wrap(&err, "notify: retry %d", id)
	if err := act.RequireOfficial(); err != nil {
		return nil, err
	}
	var o Outgoing
	if err := db.First(s.db.R.WithContext(ctx).Where("id = ? AND town_id = ?", id, act.TownID), &o, apperr.NotFoundf("message")); err != nil {
		return nil, err
	}
	switch o.Status {
	case StatusSent:
		return nil, apperr.New(apperr.Conflict, "msg.already_sent")
	case StatusSending:
		return nil, apperr.New(apperr.Conflict, "msg.sending")
	}
	now := s.now()
	attempts := gorm.Expr("attempts")
	if o.Attempts >= MaxAttempts {
		// One more attempt: a failure marks it failed again at once.
		attempts = gorm.Expr("?", MaxAttempts-1)
	}
	res := s.db.W.WithContext(ctx).Model(&Outgoing{}).Where("id = ? AND status IN ?", id, []string{StatusPending, StatusFailed, StatusSkipped}).
		Updates(map[string]any{"status": StatusPending, "next_attempt_at": now, "attempts": attempts, "updated_at": now})
	if res.Error != nil {
		return nil, res.Error
	}
	var d Delivery
	if err := s.deliverOne(ctx, id, &d); err != nil {
		return nil, err
	}
	if err := s.db.W.WithContext(ctx).First(&o, id).Error; err != nil {
		return nil, err
	}
	o.Address = shownAddress(o)
	return &o, nil
}

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("dry run")

// DryRun tells what enqueueing letters would add, without keeping any of it:
// the rows are written inside a transaction that is then rolled back, so the
// answer honours the same keys, channels and addresses as a real run.
func (s *Store) DryRun(ctx context.Context, letters []Letter) (_ Queued, err error) {
	defer apperr.Wrap(&err, "notify: dry run")
	var q Queued
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		if q, err = s.EnqueueTx(tx, letters); err != nil {
			return err
		}
		return errDryRun
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return q, err
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
