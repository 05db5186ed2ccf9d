package notify

import (
	"context"
	"slices"
	"strings"

	"weike/internal/apperr"
	"weike/org"
)

// PersonalChannels are the channels an account may choose. The group robot
// is a town's or a branch's, not a person's: an account that chooses it
// gets its messages posted to its branch's group (else its town's),
// @-mentioning its phone so that its own phone rings.
var PersonalChannels = []string{ChannelInbox, ChannelEmail, ChannelWebhook}

// ParseChannels reads a stored channel list, keeping known channels once each.
func ParseChannels(s string) []string {
	var out []string
	for _, c := range strings.Split(s, ",") {
		c = strings.TrimSpace(c)
		if contains(PersonalChannels, c) && !contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// ChannelPrefs are an account's channels.
type ChannelPrefs struct {
	Channels  []string `json:"channels"`
	Available []string `json:"available"`
	Email     string   `json:"email"`
	// Phone is what a group robot @-mentions.
	Phone string `json:"phone"`
}

// Channels returns the actor's chosen channels.
func (s *Store) Channels(ctx context.Context, act org.Actor) (_ *ChannelPrefs, err error) {
	defer apperr.Wrap(&err, "notify: channels")
	var row struct {
		Channels string
		Email    string
		Phone    string
	}
	if err := s.db.R.WithContext(ctx).Table("accounts").Select("channels, email, phone").Where("id = ?", act.AccountID).Take(&row).Error; err != nil {
		return nil, err
	}
	p := &ChannelPrefs{Channels: ParseChannels(row.Channels), Available: PersonalChannels, Email: row.Email, Phone: row.Phone}
	if p.Channels == nil {
		p.Channels = []string{}
	}
	return p, nil
}

// SetChannels replaces the actor's channels: at least one, each known, and
// e-mail only with an address to send to.
func (s *Store) SetChannels(ctx context.Context, act org.Actor, channels []string) (_ *ChannelPrefs, err error) {
	defer apperr.Wrap(&err, "notify: set channels")
	var fs apperr.FieldSet
	var keep []string
	for _, c := range channels {
		c = strings.TrimSpace(c)
		if !contains(PersonalChannels, c) {
			fs.Add("channels", "msg.channels_unknown")
			continue
		}
		if !contains(keep, c) {
			keep = append(keep, c)
		}
	}
	if len(keep) == 0 {
		fs.Add("channels", "msg.channels_empty")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	cur, err := s.Channels(ctx, act)
	if err != nil {
		return nil, err
	}
	if contains(keep, ChannelEmail) && cur.Email == "" {
		return nil, apperr.New(apperr.Invalid, "validation").Field("channels", "msg.channels_no_email")
	}
	// Stored in a fixed order, whatever order they came in.
	var ordered []string
	for _, c := range PersonalChannels {
		if contains(keep, c) {
			ordered = append(ordered, c)
		}
	}
	if err := s.db.W.WithContext(ctx).Table("accounts").Where("id = ?", act.AccountID).Update("channels", strings.Join(ordered, ",")).Error; err != nil {
		return nil, err
	}
	cur.Channels = ordered
	return cur, nil
}

// ParseMuted reads an account's stored list of the event kinds it turned
// off, keeping known kinds once each.
func ParseMuted(s string) []string {
	var out []string
	for _, k := range strings.Split(s, ",") {
		k = strings.TrimSpace(k)
		if isEventKind(k) && !contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// KindPref is one event kind on an account's page: on or off, and whether
// the account may turn it off at all.
type KindPref struct {
	Kind string `json:"kind"`
	On   bool   `json:"on"`
	// Required kinds ask the account for an answer: they stay on.
	Required bool `json:"required"`
}

// EventPrefs are the event kinds that reach the actor's role, each on or
// off.
func (s *Store) EventPrefs(ctx context.Context, act org.Actor) (_ []KindPref, err error) {
	defer apperr.Wrap(&err, "notify: event prefs")
	var muted string
	if err := s.db.R.WithContext(ctx).Table("accounts").Select("muted").Where("id = ?", act.AccountID).Scan(&muted).Error; err != nil {
		return nil, err
	}
	return kindPrefs(act.Role, ParseMuted(muted)), nil
}

func kindPrefs(role org.Role, muted []string) []KindPref {
	out := []KindPref{}
	for _, k := range KindsFor(role) {
		req := slices.Contains(k.Required, role)
		out = append(out, KindPref{Kind: k.Kind, Required: req, On: req || !contains(muted, k.Kind)})
	}
	return out
}

// SetMutedKinds turns off exactly the given event kinds for the actor (and
// every other kind that reaches the role back on). A kind that does not
// reach the role, or that asks the role for an answer, is refused.
func (s *Store) SetMutedKinds(ctx context.Context, act org.Actor, off []string) (_ []KindPref, err error) {
	defer apperr.Wrap(&err, "notify: set muted kinds")
	var keep []string
	var fs apperr.FieldSet
	for _, k := range off {
		k = strings.TrimSpace(k)
		switch {
		case !slices.ContainsFunc(KindsFor(act.Role), func(e EventKind) bool { return e.Kind == k }):
			fs.Add("off", "msg.events_unknown")
		case Required(k, act.Role):
			fs.Add("off", "msg.events_required")
		case !contains(keep, k):
			keep = append(keep, k)
		}
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	// Stored in EventKinds' order, whatever order they came in.
	var ordered []string
	for _, k := range EventKinds {
		if contains(keep, k.Kind) {
			ordered = append(ordered, k.Kind)
		}
	}
	if err := s.db.W.WithContext(ctx).Table("accounts").Where("id = ?", act.AccountID).Update("muted", strings.Join(ordered, ",")).Error; err != nil {
		return nil, err
	}
	return kindPrefs(act.Role, ordered), nil
}
