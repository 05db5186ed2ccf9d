package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"weike/internal/apperr"
	"weike/internal/i18n"
	"weike/org"
)

// Robot kinds: the two group robots whose JSON weike speaks.
const (
	RobotWeCom    = "wecom"
	RobotDingTalk = "dingtalk"
)

// Markdown limits of the robots, in bytes of UTF-8: WeCom's markdown
// content holds 4096 bytes; DingTalk's is documented loosely, 20000 is safe.
const (
	WeComLimit    = 4096
	DingTalkLimit = 20000
)

// Robot is a group robot of a town (BranchID 0) or of one of its branches.
type Robot struct {
	ID        int64     `json:"id"`
	TownID    int64     `json:"town_id"`
	BranchID  int64     `json:"branch_id"`
	Kind      string    `json:"kind"`
	URL       string    `json:"url"`
	Secret    string    `json:"-"`
	HasSecret bool      `json:"has_secret" gorm:"-"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TableName keeps the schema's name.
func (Robot) TableName() string { return "robots" }

func robotTx(tx *gorm.DB, townID, branchID int64) (*Robot, error) {
	var r Robot
	err := tx.Where("town_id = ? AND branch_id = ?", townID, branchID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	return &r, err
}

// Robots lists the group robots of the official's town.
func (s *Store) Robots(ctx context.Context, act org.Actor) (_ []Robot, err error) {
	defer apperr.Wrap(&err, "notify: robots")
	if err := act.RequireOfficial(); err != nil {
		return nil, err
	}
	rs := []Robot{}
	if err := s.db.R.WithContext(ctx).Where("town_id = ?", act.TownID).Order("branch_id").Find(&rs).Error; err != nil {
		return nil, err
	}
	for i := range rs {
		rs[i].HasSecret = rs[i].Secret != ""
	}
	return rs, nil
}

// AnyRobot reports whether any town has a group robot, for the operator's
// start-up check: a robot's messages carry links, which need weike's public
// URL.
func (s *Store) AnyRobot(ctx context.Context) (bool, error) {
	var n int64
	if err := s.db.R.WithContext(ctx).Model(&Robot{}).Limit(1).Count(&n).Error; err != nil {
		return false, fmt.Errorf("notify: any robot: %w", err)
	}
	return n > 0, nil
}

// RobotKindOf guesses a robot's kind from its URL: DingTalk's robots live
// on oapi.dingtalk.com; anything else is spoken to as WeCom.
func RobotKindOf(u string) string {
	if strings.Contains(strings.ToLower(u), "dingtalk") {
		return RobotDingTalk
	}
	return RobotWeCom
}

// PutRobot sets (or, with an empty URL, removes) the group robot of the
// official's town (branchID 0) or of one of its branches. An empty secret
// keeps the one stored; "-" clears it.
func (s *Store) PutRobot(ctx context.Context, act org.Actor, branchID int64, kind, rawURL, secret string) (_ *Robot, err error) {
	defer apperr.Wrap(&err, "notify: put robot")
	if err := act.RequireOfficial(); err != nil {
		return nil, err
	}
	rawURL, secret, kind = strings.TrimSpace(rawURL), strings.TrimSpace(secret), strings.TrimSpace(kind)
	var fs apperr.FieldSet
	if rawURL != "" {
		if err := s.guard.check(rawURL); err != nil {
			fs.Add("url", "msg.robot_url")
		} else if s.linksRequired && s.baseURL == "" {
			fs.Add("url", "msg.robot_needs_base_url")
		}
	}
	if kind == "" {
		kind = RobotKindOf(rawURL)
	}
	if kind != RobotWeCom && kind != RobotDingTalk {
		fs.Add("kind", "msg.robot_kind")
	}
	if len(secret) > 200 {
		fs.Add("secret", "field.too_long")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	var out *Robot
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if branchID != 0 {
			var n int64
			if err := tx.Table("branches").Where("id = ? AND town_id = ?", branchID, act.TownID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return apperr.New(apperr.Invalid, "validation").Field("branch", "field.branch_unknown")
			}
		}
		old, err := robotTx(tx, act.TownID, branchID)
		if err != nil {
			return err
		}
		if rawURL == "" {
			return tx.Where("town_id = ? AND branch_id = ?", act.TownID, branchID).Delete(&Robot{}).Error
		}
		switch {
		case secret == "-":
			secret = ""
		case secret == "" && old != nil:
			secret = old.Secret
		}
		r := Robot{TownID: act.TownID, BranchID: branchID, Kind: kind, URL: rawURL, Secret: secret, UpdatedAt: s.now()}
		r.HasSecret = secret != ""
		out = &r
		if old != nil {
			r.ID = old.ID
			return tx.Save(&r).Error
		}
		return tx.Create(&r).Error
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteRobot removes a group robot of the official's town.
func (s *Store) DeleteRobot(ctx context.Context, act org.Actor, id int64) (err error) {
	defer apperr.Wrap(&err, "notify: delete robot %d", id)
	if err := act.RequireOfficial(); err != nil {
		return err
	}
	res := s.db.W.WithContext(ctx).Where("id = ? AND town_id = ?", id, act.TownID).Delete(&Robot{})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return apperr.NotFoundf("robot")
	}
	return nil
}

// DingTalkSign signs a DingTalk robot request: HMAC-SHA256 over
// "timestamp\nsecret" keyed with the secret, base64, URL-encoded.
func DingTalkSign(timestampMillis int64, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(timestampMillis, 10) + "\n" + secret))
	return url.QueryEscape(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
}

// TruncateUTF8 cuts s to at most limit bytes, at a line end when one is near
// and never inside a character, and says so with a link to the rest.
func TruncateUTF8(s string, limit int, more string) string {
	if len(s) <= limit {
		return s
	}
	tail := "\n\n……" + more
	cut := limit - len(tail)
	if cut < 0 {
		cut = 0
	}
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if nl := strings.LastIndexByte(s[:cut], '\n'); nl > cut*3/4 {
		cut = nl
	}
	return s[:cut] + tail
}

// WeComTextLimit is how many bytes of UTF-8 a WeCom text message holds.
const WeComTextLimit = 2048

// RobotPayload is the JSON a robot of a kind accepts for a markdown message.
// A message cut to the robot's limit ends with a link to the whole of it, in
// Chinese like everything posted to a group.
func RobotPayload(kind, title, markdown, link string) ([]byte, error) {
	return RobotPayloadTo(kind, title, markdown, "", link, "")
}

// RobotPayloadTo is RobotPayload for a message to one person of the group,
// whose phone number (mobile) the robot @-mentions so that her own phone
// rings. DingTalk @-mentions in a markdown message (at.atMobiles, and the
// number written in the text, or the mention does not show); WeCom only in
// a text message (mentioned_mobile_list), which then carries the plain
// text. Without a mobile it is RobotPayload.
func RobotPayloadTo(kind, title, markdown, text, link, mobile string) ([]byte, error) {
	more := ""
	if link != "" {
		more = "[" + i18n.T(i18n.ZH, "msg.robot_read_all") + "](" + link + ")"
	}
	if kind == RobotDingTalk {
		body := map[string]any{"msgtype": "markdown"}
		if mobile != "" {
			markdown = TruncateUTF8(markdown, DingTalkLimit-len(mobile)-4, more) + "\n\n@" + mobile
			body["at"] = map[string]any{"atMobiles": []string{mobile}, "isAtAll": false}
		} else {
			markdown = TruncateUTF8(markdown, DingTalkLimit, more)
		}
		body["markdown"] = map[string]string{"title": title, "text": markdown}
		return json.Marshal(body)
	}
	if mobile != "" {
		content := title + "\n" + text
		return json.Marshal(map[string]any{"msgtype": "text", "text": map[string]any{
			"content": TruncateUTF8(content, WeComTextLimit, link), "mentioned_mobile_list": []string{mobile}}})
	}
	return json.Marshal(map[string]any{"msgtype": "markdown",
		"markdown": map[string]string{"content": TruncateUTF8(markdown, WeComLimit, more)}})
}

// postRobot posts a row to its group robot. Both robots answer 200 with
// {"errcode":0} on success and a non-zero errcode otherwise.
func (s *Store) postRobot(ctx context.Context, o *Outgoing) error {
	kind, secret := RobotKindOf(o.Address), ""
	var r Robot
	if err := s.db.R.WithContext(ctx).Where("url = ?", o.Address).Order("id").Limit(1).Find(&r).Error; err != nil {
		return err
	}
	if r.ID != 0 {
		kind, secret = r.Kind, r.Secret
	}
	body, err := RobotPayloadTo(kind, o.Subject, o.BodyMarkdown, o.BodyText, o.Link, o.Mention)
	if err != nil {
		return err
	}
	return s.sendRobot(ctx, kind, secret, o.Address, body)
}

// robotFailure is a robot's server that did not take a message: the HTTP
// status it answered, or the errcode and errmsg of its JSON answer.
type robotFailure struct {
	status  string // "404 Not Found", when the HTTP status was not 2xx
	code    int
	message string
}

func (e *robotFailure) Error() string {
	if e.status != "" {
		return "robot answered " + e.status
	}
	return fmt.Sprintf("robot refused: errcode %d %s", e.code, e.message)
}

// sendRobot posts a payload to a robot's address, signed when a DingTalk
// robot has a secret, through the guarded client. Both robots answer 200
// with {"errcode":0} on success and a non-zero errcode otherwise.
func (s *Store) sendRobot(ctx context.Context, kind, secret, address string, body []byte) error {
	target := address
	if kind == RobotDingTalk && secret != "" {
		ts := s.now().UnixMilli()
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + "timestamp=" + strconv.FormatInt(ts, 10) + "&sign=" + DingTalkSign(ts, secret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return redactURL(err, address)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	res, err := s.client.Do(req)
	if err != nil {
		return redactURL(err, target)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if res.StatusCode/100 != 2 {
		return &robotFailure{status: res.Status}
	}
	var ans struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if json.Unmarshal(raw, &ans) == nil && ans.ErrCode != nil && *ans.ErrCode != 0 {
		return &robotFailure{code: *ans.ErrCode, message: ans.ErrMsg}
	}
	return nil
}

// redactURL keeps a robot's key (in its URL) out of errors shown to people;
// the cause stays reachable for errors.Is (a refused address, a timeout).
func redactURL(err error, u string) error {
	msg := err.Error()
	if p, perr := url.Parse(u); perr == nil {
		msg = strings.ReplaceAll(msg, u, p.Scheme+"://"+p.Host+"/…")
	}
	return &redacted{msg: msg, cause: err}
}

type redacted struct {
	msg   string
	cause error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.cause }
