package notify

import (
	"bytes"
	"context"
	"fmt"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"time"

	"weike/internal/apperr"

	"github.com/wneessen/go-mail"
)

// SMTPConfig is how weike reaches its mail server.
type SMTPConfig struct {
	Addr     string // host:port
	From     string // "微课 <weike@town.gov.cn>" or a bare address
	User     string
	Password string
	TLS      string // none, starttls or tls
}

// Mailer sends the e-mail channel over SMTP.
type Mailer struct {
	cfg  SMTPConfig
	host string
	port int
	from *netmail.Address
}

// NewMailer checks the configuration; it does not connect.
func NewMailer(cfg SMTPConfig) (*Mailer, error) {
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("WEIKE_SMTP_ADDR %q is not host:port", cfg.Addr)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p <= 0 || p > 65535 {
		return nil, fmt.Errorf("WEIKE_SMTP_ADDR %q has no valid port", cfg.Addr)
	}
	switch cfg.TLS {
	case "none", "starttls", "tls":
	default:
		return nil, fmt.Errorf("WEIKE_SMTP_TLS must be none, starttls or tls, not %q", cfg.TLS)
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("WEIKE_SMTP_FROM %q is not an e-mail address", cfg.From)
	}
	return &Mailer{cfg: cfg, host: host, port: p, from: from}, nil
}

func (m *Mailer) client() (*mail.Client, error) {
	opts := []mail.Option{mail.WithPort(m.port), mail.WithTimeout(20 * time.Second)}
	switch m.cfg.TLS {
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case "tls":
		opts = append(opts, mail.WithSSL())
	}
	if m.cfg.User != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(m.cfg.User), mail.WithPassword(m.cfg.Password))
	}
	return mail.NewClient(m.host, opts...)
}

// Send sends one outbox row: a text and an HTML part, and its attachment.
// The Message-ID is derived from the row, so a receiving server or client
// that sees the same message twice (a crash between sending and recording)
// can tell.
func (m *Mailer) Send(ctx context.Context, o *Outgoing, now time.Time) (err error) {
	defer apperr.Wrap(&err, "notify: send")
	msg := mail.NewMsg()
	msg.FromMailAddress(m.from)
	msg.ToMailAddress(&netmail.Address{Name: o.RecipientName, Address: o.Address})
	msg.Subject(o.Subject)
	msg.SetMessageIDWithValue(fmt.Sprintf("weike.%d.%s@%s", o.ID, strings.ReplaceAll(o.Period, ":", "."), m.fromDomain()))
	msg.SetDateWithValue(now)
	msg.SetBodyString(mail.TypeTextPlain, o.BodyText)
	if o.BodyHTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, o.BodyHTML)
	}
	if o.AttachmentName != "" {
		ct := mail.ContentType("application/octet-stream")
		if strings.HasSuffix(o.AttachmentName, ".ics") {
			ct = mail.ContentType("text/calendar; charset=utf-8; method=PUBLISH")
		}
		if err := msg.AttachReader(o.AttachmentName, bytes.NewReader([]byte(o.Attachment)), mail.WithFileContentType(ct)); err != nil {
			return err
		}
	}
	c, err := m.client()
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

func (m *Mailer) fromDomain() string {
	if i := strings.LastIndexByte(m.from.Address, '@'); i >= 0 {
		return m.from.Address[i+1:]
	}
	return "weike"
}
