package notify

import (
	"context"
	"strings"

	"weike/internal/apperr"
	"weike/org"
)

// PersonalChannels are the channels an account may choose; the group robot
// belongs to a town or a branch, not to a person.
var PersonalChannels = []string{ChannelInbox, ChannelEmail}

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
}

// Channels returns the actor's chosen channels.
func (s *Store) Channels(ctx context.Context, act org.Actor) (_ *ChannelPrefs, err error) {
	defer apperr.Wrap(&err, "notify: channels")
	var row struct {
		Channels string
		Email    string
	}
	if err := s.db.R.WithContext(ctx).Table("accounts").Select("channels, email").Where("id = ?", act.AccountID).Take(&row).Error; err != nil {
		return nil, err
	}
	p := &ChannelPrefs{Channels: ParseChannels(row.Channels), Available: PersonalChannels, Email: row.Email}
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
