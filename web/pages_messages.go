package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"weike/internal/i18n"
	"weike/notify"
	"weike/org"
)

type messagesView struct {
	Page     *notify.Page[notify.Outgoing]
	Summary  []statusCount
	Statuses []choice
	Channels []choice
	Kinds    []choice
	Robots   []robotView
	Branches []choice
	Prev     string
	Next     string
	// Tested is the result of a test message just sent, shown beside its
	// robot.
	Tested *robotTested
}

// robotTested is a test message's result in the reader's words.
type robotTested struct {
	RobotID int64
	OK      bool
	Message string
	Detail  string
}

type statusCount struct {
	Value, Label string
	N            int64
}

type robotView struct {
	notify.Robot
	Where string
}

// messageKinds are the kinds the filter offers, as prefixes.
var messageKinds = []string{"monthly", "reminder", "order", "coverage"}

func (s *Server) messagesData(c echo.Context) (*messagesView, map[string]string, error) {
	act := actor(c)
	ctx := c.Request().Context()
	lang := langOf(c)
	form := queryForm(c, "status", "channel", "kind")
	page, err := queryInt(c, "page")
	if err != nil {
		return nil, nil, err
	}
	p, err := s.Notify.Messages(ctx, act, notify.MessageFilter{Status: form["status"], Channel: form["channel"], Kind: form["kind"], Page: page, PerPage: 50})
	if err != nil {
		return nil, nil, err
	}
	v := &messagesView{Page: p}
	counts, err := s.Notify.Counts(ctx, act)
	if err != nil {
		return nil, nil, err
	}
	for _, st := range notify.Statuses {
		v.Statuses = append(v.Statuses, choice{Value: st, Label: T(lang, "msg.status."+st)})
		if n := counts[st]; n > 0 {
			v.Summary = append(v.Summary, statusCount{Value: st, Label: T(lang, "msg.status."+st), N: n})
		}
	}
	for _, ch := range notify.Channels {
		v.Channels = append(v.Channels, choice{Value: ch, Label: T(lang, "msg.channel."+ch)})
	}
	for _, k := range messageKinds {
		v.Kinds = append(v.Kinds, choice{Value: k, Label: T(lang, "msg.kinds."+k)})
	}
	names, err := s.branchNames(c, act)
	if err != nil {
		return nil, nil, err
	}
	for id, n := range names {
		v.Branches = append(v.Branches, choice{Value: strconv.FormatInt(id, 10), Label: n, ID: id})
	}
	sortChoices(v.Branches)
	robots, err := s.Notify.Robots(ctx, act)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range robots {
		where := T(lang, "msg.robot_town")
		if r.BranchID != 0 {
			where = names[r.BranchID]
		}
		r.URL = shortURL(r.URL)
		v.Robots = append(v.Robots, robotView{Robot: r, Where: where})
	}
	q := url.Values{}
	for k, val := range form {
		if val != "" {
			q.Set(k, val)
		}
	}
	if p.Page > 1 {
		v.Prev = withPage("/messages", q, p.Page-1)
	}
	if int64(p.Page*p.PerPage) < p.Total {
		v.Next = withPage("/messages", q, p.Page+1)
	}
	return v, form, nil
}

// shortURL shows a robot's address without its key.
func shortURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return p.Scheme + "://" + p.Host + p.Path
}

func sortChoices(cs []choice) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].ID < cs[j-1].ID; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

func (s *Server) messagesPage(c echo.Context) error {
	v, form, err := s.messagesData(c)
	if err != nil {
		return err
	}
	lang := langOf(c)
	flash := ""
	switch c.QueryParam("done") {
	case "retried":
		flash = T(lang, "msg.retried", "status", T(lang, "msg.status."+c.QueryParam("st")))
	case "robot":
		flash = T(lang, "msg.robot_saved")
	case "robot_deleted":
		flash = T(lang, "msg.robot_deleted")
	}
	return s.render(c, "messages", pageData{Title: T(lang, "msg.title"), Data: v, Form: form, Flash: flash})
}

func (s *Server) messageRetry(c echo.Context) error {
	o, err := pathRecord(c, s.Notify.Retry)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/messages?done=retried&st="+url.QueryEscape(o.Status))
}

// messageRobotTest sends a test message through a robot and shows the
// messages page again with what came of it beside the robot. It renders
// rather than redirects: the robot's answer is not to travel in a URL.
func (s *Server) messageRobotTest(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	r, err := s.Notify.TestRobot(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	v, form, err := s.messagesData(c)
	if err != nil {
		return err
	}
	lang := langOf(c)
	v.Tested = &robotTested{RobotID: id, OK: r.OK, Detail: r.Detail}
	if r.OK {
		v.Tested.Message = T(lang, "msg.test.ok")
	} else {
		v.Tested.Message = T(lang, "msg.test.failed", "why", i18n.Key(r.Problem))
	}
	return s.render(c, "messages", pageData{Title: T(lang, "msg.title"), Data: v, Form: form})
}

// messageRobotDelete removes a robot of the official's town.
func (s *Server) messageRobotDelete(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := s.Notify.DeleteRobot(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/messages?done=robot_deleted")
}

func (s *Server) messageRobot(c echo.Context) error {
	form := formOf(c, "branch_id", "kind", "url", "secret", "clear_secret")
	var branchID int64
	if b := strings.TrimSpace(form["branch_id"]); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 0 {
			return s.robotFormProblem(c, form, map[string]string{"branch_id": T(langOf(c), "field.branch_unknown")})
		}
		branchID = n
	}
	if strings.TrimSpace(form["url"]) == "" {
		// Removing is the robot's own button: an empty field is a slip.
		return s.robotFormProblem(c, form, map[string]string{"url": T(langOf(c), "field.required")})
	}
	secret := form["secret"]
	if form["clear_secret"] == "1" {
		secret = "-" // the store's word for "remove the secret"
	}
	_, err := s.Notify.PutRobot(c.Request().Context(), actor(c), branchID, form["kind"], form["url"], secret)
	if err != nil {
		status, errs, ok := formProblem(c, err)
		if !ok {
			return err
		}
		return s.robotFormStatus(c, status, form, errs)
	}
	return c.Redirect(http.StatusSeeOther, "/messages?done=robot")
}

func (s *Server) robotFormProblem(c echo.Context, form, errs map[string]string) error {
	return s.robotFormStatus(c, http.StatusUnprocessableEntity, form, errs)
}

func (s *Server) robotFormStatus(c echo.Context, status int, form, errs map[string]string) error {
	v, _, err := s.messagesData(c)
	if err != nil {
		return err
	}
	form["secret"] = "" // never echoed back
	return s.renderStatus(c, status, "messages", pageData{Title: T(langOf(c), "msg.title"), Data: v, Form: form, Errors: errs})
}

// ---- API ----

func (s *Server) apiMessages(c echo.Context) error {
	page, err := queryInt(c, "page")
	if err != nil {
		return err
	}
	per, err := queryInt(c, "per_page")
	if err != nil {
		return err
	}
	p, err := s.Notify.Messages(c.Request().Context(), actor(c), notify.MessageFilter{
		Status: c.QueryParam("status"), Channel: c.QueryParam("channel"), Kind: c.QueryParam("kind"), Page: page, PerPage: per})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) apiRetryMessage(c echo.Context) error {
	o, err := pathRecord(c, s.Notify.Retry)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, o)
}

func (s *Server) apiChannels(c echo.Context) error {
	p, err := s.Notify.Channels(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) apiPutChannels(c echo.Context) error {
	var in struct {
		Channels []string `json:"channels"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	p, err := s.Notify.SetChannels(c.Request().Context(), actor(c), in.Channels)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// accountChannels saves the account page's channel choice.
func (s *Server) accountChannels(c echo.Context) error {
	if err := c.Request().ParseForm(); err != nil {
		return err
	}
	chosen := c.Request().PostForm["channels"]
	if _, err := s.Notify.SetChannels(c.Request().Context(), actor(c), chosen); err != nil {
		status, errs, ok := formProblem(c, err)
		if !ok {
			return err
		}
		v, err := s.accountData(c)
		if err != nil {
			return err
		}
		return s.renderStatus(c, status, "account", pageData{Title: T(langOf(c), "nav.account"), Data: v, Errors: errs})
	}
	return c.Redirect(http.StatusSeeOther, "/account?channels=1")
}

// channelsOf is the account page's view of the channels.
func (s *Server) channelsOf(c echo.Context, act org.Actor) (*notify.ChannelPrefs, error) {
	return s.Notify.Channels(c.Request().Context(), act)
}
