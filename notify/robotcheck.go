package notify

import (
	"context"
	"errors"
	"net"
	"strings"
	"time"

	"weike/internal/apperr"
	"weike/internal/i18n"
	"weike/org"
)

// An official who has just pasted a robot's address wants to know at once
// whether it works, not at the next monthly schedule. TestRobot sends a
// short message through the same sender as every robot message (signed,
// guarded, the same payload) and says what came of it in words an official
// understands, with the robot's own answer beside them.

// RobotTest is what a test message to a robot came to.
type RobotTest struct {
	OK bool `json:"ok"`
	// Problem is the catalog key of what went wrong (msg.test.*), empty
	// when OK.
	Problem string `json:"problem,omitempty"`
	// Detail is what the robot or the network said, as it said it (the
	// robot's key left out).
	Detail string `json:"detail,omitempty"`
}

// What a test message can run into: catalog keys.
const (
	TestNotAllowed   = "msg.test.not_allowed"   // the guard refused the address
	TestUnreachable  = "msg.test.unreachable"   // no connection (DNS, refused, TLS)
	TestTimeout      = "msg.test.timeout"       // no answer in time
	TestWrongAddress = "msg.test.wrong_address" // the server has no such robot (404)
	TestHTTP         = "msg.test.http"          // another HTTP status
	TestBadKey       = "msg.test.bad_key"       // the robot's key is wrong or the robot was removed
	TestSecurity     = "msg.test.security"      // DingTalk's security setting stopped it
	TestBusy         = "msg.test.busy"          // too many messages a minute
	TestRefused      = "msg.test.refused"       // any other refusal
)

// TestProblems are every problem TestRobot reports.
var TestProblems = []string{TestNotAllowed, TestUnreachable, TestTimeout, TestWrongAddress, TestHTTP, TestBadKey,
	TestSecurity, TestBusy, TestRefused}

// testTimeout bounds a test: the official is waiting at the page.
const testTimeout = 10 * time.Second

// TestRobot sends a short test message through a robot of the official's
// town. A robot that does not take it is not an error of the call: the
// result says what the robot answered.
func (s *Store) TestRobot(ctx context.Context, act org.Actor, id int64) (_ *RobotTest, err error) {
	defer apperr.Wrap(&err, "notify: test robot %d", id)
	if err := act.RequireOfficial(); err != nil {
		return nil, err
	}
	var r Robot
	if err := s.db.R.WithContext(ctx).Where("id = ? AND town_id = ?", id, act.TownID).Limit(1).Find(&r).Error; err != nil {
		return nil, err
	}
	if r.ID == 0 {
		return nil, apperr.NotFoundf("robot")
	}
	var place struct{ Town, Branch string }
	if err := s.db.R.WithContext(ctx).Raw(`SELECT towns.name AS town, COALESCE(branches.name, '') AS branch
		FROM towns LEFT JOIN branches ON branches.id = ? WHERE towns.id = ?`, r.BranchID, r.TownID).Scan(&place).Error; err != nil {
		return nil, err
	}
	where := place.Town
	if place.Branch != "" {
		where += " " + place.Branch
	}
	// A group reads Chinese, like every robot message.
	title := i18n.T(i18n.ZH, "msg.test.title")
	text := "**" + title + "**\n\n" + i18n.T(i18n.ZH, "msg.test.body", "where", where, "when", s.now())
	body, err := RobotPayload(r.Kind, title, text, "")
	if err != nil {
		return nil, err
	}
	tctx, cancel := context.WithTimeout(ctx, testTimeout)
	defer cancel()
	return robotTestOf(s.sendRobot(tctx, r.Kind, r.Secret, r.URL, body)), nil
}

// robotTestOf turns a send's error into a test's result.
func robotTestOf(err error) *RobotTest {
	if err == nil {
		return &RobotTest{OK: true}
	}
	t := &RobotTest{Detail: err.Error()}
	var rf *robotFailure
	var ne net.Error
	switch {
	case errors.Is(err, errRobotAddress):
		t.Problem = TestNotAllowed
	case errors.As(err, &rf) && rf.status != "":
		t.Problem = TestHTTP
		if strings.HasPrefix(rf.status, "404") {
			t.Problem = TestWrongAddress
		}
	case errors.As(err, &rf):
		t.Problem = refusal(rf.code)
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		t.Problem = TestTimeout
	default:
		t.Problem = TestUnreachable
	}
	return t
}

// refusal names a robot's errcode. WeCom: 93000 the webhook's key is
// invalid, 45009 over the rate limit. DingTalk: 300001 and 300005 the
// access token is invalid or gone, 310000 the security setting (signature,
// keywords or IP list) refused it, 130101 over the rate limit.
func refusal(code int) string {
	switch code {
	case 93000, 300001, 300005:
		return TestBadKey
	case 310000:
		return TestSecurity
	case 45009, 130101:
		return TestBusy
	}
	return TestRefused
}
