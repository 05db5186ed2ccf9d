package notify

import (
	"bytes"
	"html/template"
	"slices"
	"strings"

	"gorm.io/gorm"

	"weike/internal/i18n"
	"weike/org"
)

// The kinds of event message: what happened to an order, told to the
// people it concerns (booking posts them in the transaction of the move),
// and the officials' daily digest. A kind is what an account may turn off;
// the text a recipient reads may differ by party (see texts).
const (
	KindOrderRequested        = "order.requested"         // a new order: the lecturer
	KindOrderDispatched       = "order.dispatched"        // the town ordered for a branch (派单): its secretaries
	KindOrderAssigned         = "order.assigned"          // an order reassigned: the new lecturer
	KindOrderAccepted         = "order.accepted"          // the secretary
	KindOrderDeclined         = "order.declined"          // the secretary, the officials
	KindOrderProposed         = "order.proposed"          // another time proposed: the secretary
	KindOrderProposalAnswered = "order.proposal_answered" // the lecturer
	KindOrderCancelled        = "order.cancelled"         // the other party, the officials
	KindOrderWithdrawn        = "order.withdrawn"         // the lecturer withdrew: the secretary, the officials
	KindOrderReassigned       = "order.reassigned"        // the secretary, the former lecturer
	KindOrderDeadlineNear     = "order.deadline_near"     // the lecturer, once, 12 hours before answer_by
	KindOrderExpired          = "order.expired"           // the officials, the secretary
	KindOrderReviewDue        = "order.review_due"        // the secretary, once, 3 days after delivery
	KindDigest                = "digest.official"         // the officials, once a day
)

// EventKind is a kind of event message: the roles it reaches, and those of
// them that cannot turn it off because it asks them for an answer.
type EventKind struct {
	Kind     string
	To       []org.Role
	Required []org.Role
}

var (
	rSec = org.RoleSecretary
	rLec = org.RoleLecturer
	rOff = org.RoleOfficial
)

// EventKinds are every kind of event message, in the order an account page
// lists them.
var EventKinds = []EventKind{
	{KindOrderRequested, []org.Role{rLec}, []org.Role{rLec}},
	{KindOrderAssigned, []org.Role{rLec}, []org.Role{rLec}},
	{KindOrderDeadlineNear, []org.Role{rLec}, []org.Role{rLec}},
	{KindOrderProposed, []org.Role{rSec}, []org.Role{rSec}},
	{KindOrderDispatched, []org.Role{rSec}, nil},
	{KindOrderAccepted, []org.Role{rSec}, nil},
	{KindOrderDeclined, []org.Role{rSec, rOff}, nil},
	{KindOrderProposalAnswered, []org.Role{rLec}, nil},
	{KindOrderCancelled, []org.Role{rSec, rLec, rOff}, nil},
	{KindOrderWithdrawn, []org.Role{rSec, rOff}, nil},
	{KindOrderReassigned, []org.Role{rSec, rLec}, nil},
	{KindOrderExpired, []org.Role{rSec, rOff}, nil},
	{KindOrderReviewDue, []org.Role{rSec}, nil},
	{KindDigest, []org.Role{rOff}, []org.Role{rOff}},
}

// KindsFor are the event kinds that reach a role, in EventKinds' order.
func KindsFor(role org.Role) []EventKind {
	var out []EventKind
	for _, k := range EventKinds {
		if slices.Contains(k.To, role) {
			out = append(out, k)
		}
	}
	return out
}

// Required reports whether an account of role must get kind: it asks them
// for an answer, so they cannot turn it off.
func Required(kind string, role org.Role) bool {
	for _, k := range EventKinds {
		if k.Kind == kind {
			return slices.Contains(k.Required, role)
		}
	}
	return false
}

func isEventKind(kind string) bool {
	return slices.ContainsFunc(EventKinds, func(k EventKind) bool { return k.Kind == kind })
}

// texts are the catalog messages (title, body) of each text an event
// message may read as; one kind may read differently to each party.
var texts = map[string]struct{ title, body string }{
	"order.requested":             {"msg.ev.requested.title", "msg.ev.requested.body"},
	"order.requested.dispatched":  {"msg.ev.requested.title", "msg.ev.dispatched_lecturer.body"},
	"order.dispatched":            {"msg.order.dispatched.title", "msg.order.dispatched.body"},
	"order.assigned":              {"msg.ev.assigned.title", "msg.ev.assigned.body"},
	"order.accepted":              {"msg.ev.accepted.title", "msg.ev.accepted.body"},
	"order.declined":              {"msg.ev.declined.title", "msg.ev.declined.body"},
	"order.declined.official":     {"msg.ev.declined.title", "msg.ev.declined_official.body"},
	"order.proposed":              {"msg.ev.proposed.title", "msg.ev.proposed.body"},
	"order.proposed.note":         {"msg.ev.proposed.title", "msg.ev.proposed_note.body"},
	"order.proposal_answered.yes": {"msg.ev.proposal_yes.title", "msg.ev.proposal_yes.body"},
	"order.proposal_answered.no":  {"msg.ev.proposal_no.title", "msg.ev.proposal_no.body"},
	"order.cancelled":             {"msg.ev.cancelled.title", "msg.ev.cancelled.body"},
	"order.withdrawn":             {"msg.ev.withdrawn.title", "msg.ev.withdrawn.body"},
	"order.reassigned.secretary":  {"msg.ev.reassigned.title", "msg.ev.reassigned_secretary.body"},
	"order.reassigned.former":     {"msg.ev.reassigned.title", "msg.ev.reassigned_former.body"},
	"order.deadline_near":         {"msg.ev.deadline_near.title", "msg.ev.deadline_near.body"},
	"order.expired":               {"msg.order.expired.title", "msg.order.expired.body"},
	"order.expired.secretary":     {"msg.ev.expired_secretary.title", "msg.ev.expired_secretary.body"},
	"order.review_due":            {"msg.ev.review_due.title", "msg.ev.review_due.body"},
}

// Render fills a text's title and body for a language from the catalog;
// each recipient gets their own language. params are typed as for i18n.T,
// a count under n. A text the catalog does not know renders as its name,
// with no body.
func Render(text, lang string, params map[string]any) (string, string) {
	e, ok := texts[text]
	if !ok {
		return text, ""
	}
	ps := make([]any, 0, 2*len(params))
	for k, v := range params {
		ps = append(ps, k, v)
	}
	return i18n.T(lang, e.title, ps...), i18n.T(lang, e.body, ps...)
}

// Texts are the names of every text of an event message (for tests).
func Texts() []string {
	out := make([]string, 0, len(texts))
	for k := range texts {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Note is one event as it is told: its kind, the text its recipients read,
// what makes it unique, its parameters and the page it is about.
type Note struct {
	Kind string
	// Text names the catalog messages (see texts); empty: the kind's own.
	Text string
	// Key makes the event unique (the outbox's period): the same event
	// posted twice reaches nobody twice.
	Key    string
	Params map[string]any
	// Path is the page of weike it is about ("/orders/12"); messages that
	// leave weike carry it as an absolute link from the base URL.
	Path string
}

// Link is a path of weike as an absolute link from the base URL, for
// messages read outside weike (e-mail, group chats); a phone opens it.
func (s *Store) Link(path string) string {
	if path == "" {
		return ""
	}
	return s.baseURL + path
}

// TellTx posts an event to each recipient inside the caller's transaction,
// on the channels each has chosen, in each one's language: the inbox at
// once, e-mail and the group robot through the outbox (waiting out the
// town's quiet hours). A recipient listed twice is told once; the event's
// key makes posting it again a no-op.
func (s *Store) TellTx(tx *gorm.DB, townID int64, to []Recipient, n Note) (Queued, error) {
	text := n.Text
	if text == "" {
		text = n.Kind
	}
	link := s.Link(n.Path)
	seen := map[int64]bool{}
	letters := make([]Letter, 0, len(to))
	for _, r := range to {
		if r.AccountID == 0 || seen[r.AccountID] {
			continue
		}
		seen[r.AccountID] = true
		title, body := Render(text, r.Lang, n.Params)
		letters = append(letters, Letter{TownID: townID, Kind: n.Kind, Period: n.Key, AccountID: r.AccountID,
			Subject: title, Text: noteText(r.Lang, body, link), Inbox: body, HTML: noteHTML(r.Lang, title, body, link),
			Markdown: noteMarkdown(r.Lang, title, body, link), Link: link, Path: n.Path})
	}
	known := map[int64]*accountRow{}
	for _, r := range to {
		if r.account != nil {
			known[r.AccountID] = r.account
		}
	}
	return enqueueKnown(tx, letters, s.now(), s.defaultWebhook, known)
}

func noteText(lang, body, link string) string {
	if link == "" {
		return body
	}
	return body + "\n\n" + i18n.T(lang, "msg.ev.open_at", "link", link)
}

func noteMarkdown(lang, title, body, link string) string {
	md := "**" + mdEscape(title) + "**\n" + mdEscape(body)
	if link != "" {
		md += "\n[" + i18n.T(lang, "msg.ev.open") + "](" + link + ")"
	}
	return md
}

func mdEscape(s string) string {
	return strings.NewReplacer("[", "［", "]", "］", "*", "＊", "\n", " ").Replace(s)
}

// noteMail is an event's e-mail: a heading, one paragraph, one button, in
// large type that reads on a phone in any mail app.
var noteMail = template.Must(template.New("note").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Title}}</title></head>
<body style="margin:0;padding:0;background:#f4f4f4;">
<div style="max-width:600px;margin:0 auto;padding:16px;background:#ffffff;font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;font-size:16px;line-height:1.6;color:#222;">
<h1 style="font-size:20px;line-height:1.4;color:#b0191e;margin:0 0 12px;">{{.Title}}</h1>
<p style="margin:0 0 12px;">{{.Body}}</p>
{{if .Link}}<p style="margin:24px 0;"><a href="{{.Link}}" style="display:inline-block;padding:12px 20px;background:#b0191e;color:#fff;text-decoration:none;border-radius:4px;">{{.Open}}</a></p>{{end}}
<p style="color:#999;font-size:13px;margin-top:24px;">{{.Footer}}</p>
</div></body></html>
`))

func noteHTML(lang, title, body, link string) string {
	var b bytes.Buffer
	if err := noteMail.Execute(&b, map[string]any{"Lang": i18n.Normalize(lang), "Title": title, "Body": body, "Link": link,
		"Open": i18n.T(lang, "msg.ev.open"), "Footer": i18n.T(lang, "letter.footer")}); err != nil {
		return "<p>" + htmlEscape(body) + "</p>"
	}
	return b.String()
}

// RecipientsTx lists the active accounts of a town in a role, for messages
// to them: a branch's secretaries (branchID), a lecturer's own accounts
// (lecturerID) or the town's officials (neither).
func RecipientsTx(tx *gorm.DB, townID int64, role org.Role, branchID, lecturerID int64) ([]Recipient, error) {
	q := tx.Table("accounts").Select(accountColumns).Where("town_id = ? AND role = ? AND active = ?", townID, role, true)
	if branchID != 0 {
		q = q.Where("branch_id = ?", branchID)
	}
	if lecturerID != 0 {
		q = q.Where("lecturer_id = ?", lecturerID)
	}
	var rows []accountRow
	if err := q.Order("id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	rs := make([]Recipient, len(rows))
	for i := range rows {
		rs[i] = Recipient{AccountID: rows[i].ID, Lang: rows[i].Lang, account: &rows[i]}
	}
	return rs, nil
}
