// Package mailtest runs a real SMTP server for tests: mailpit, on free
// loopback ports with a throw-away database, read back through its HTTP
// API. A test that needs it skips, saying why, when no mailpit binary is
// found, and fails instead under CI=true, where every test must run.
// .ci/run installs mailpit when it is missing.
package mailtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Binary finds mailpit on PATH or in $(go env GOPATH)/bin; it skips the
// test (fails it under CI=true) when there is none.
func Binary(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
			gopath = strings.TrimSpace(string(out))
		}
	}
	for _, dir := range filepath.SplitList(gopath) {
		p := filepath.Join(dir, "bin", "mailpit")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	const why = "no mailpit binary on PATH or in $(go env GOPATH)/bin (go install github.com/axllent/mailpit@v1.33.1)"
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: CI must run the SMTP tests", why)
	}
	t.Skipf("%s: skipping the SMTP test", why)
	return ""
}

// FreeAddr returns a loopback address with a port free right now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Server is a running mailpit.
type Server struct {
	SMTP string // host:port of its SMTP side
	API  string // base URL of its HTTP API
	bin  string
	dir  string
	cmd  *exec.Cmd
	t    testing.TB
}

// Start runs mailpit on free ports.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartAt(t, FreeAddr(t))
}

// StartAt runs mailpit with its SMTP side on smtpAddr (a test that wants
// the server down first picks the address, then starts it later).
func StartAt(t testing.TB, smtpAddr string) *Server {
	t.Helper()
	s := &Server{SMTP: smtpAddr, bin: Binary(t), dir: t.TempDir(), t: t}
	http := FreeAddr(t)
	s.API = "http://" + http
	s.cmd = exec.Command(s.bin, "--smtp", smtpAddr, "--listen", http, "--database", filepath.Join(s.dir, "mailpit.db"),
		"--disable-version-check", "--quiet", "--max", "5000", "--smtp-disable-rdns")
	s.cmd.Stdout, s.cmd.Stderr = os.Stderr, os.Stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start mailpit: %v", err)
	}
	t.Cleanup(s.Stop)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := s.list(); err == nil {
			if c, err := net.DialTimeout("tcp", smtpAddr, time.Second); err == nil {
				c.Close()
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not come up on %s / %s", smtpAddr, http)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop ends mailpit (the SMTP server going down).
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Address is a mail address as mailpit shows it.
type Address struct {
	Name    string
	Address string
}

// Summary is a message in mailpit's list.
type Summary struct {
	ID          string
	MessageID   string
	From        Address
	To          []Address
	Subject     string
	Attachments int
}

// Attachment is an attachment of a message.
type Attachment struct {
	PartID      string
	FileName    string
	ContentType string
	Size        int
}

// Message is one message in full.
type Message struct {
	ID          string
	MessageID   string
	To          []Address
	Subject     string
	Text        string
	HTML        string
	Attachments []Attachment
}

func (s *Server) getJSON(path string, v any) error {
	res, err := http.Get(s.API + path)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(v)
}

func (s *Server) list() ([]Summary, error) {
	var out struct {
		Total    int
		Messages []Summary
	}
	if err := s.getJSON("/api/v1/messages?limit=5000", &out); err != nil {
		return nil, err
	}
	return out.Messages, nil
}

// Messages lists every message that arrived.
func (s *Server) Messages() []Summary {
	s.t.Helper()
	ms, err := s.list()
	if err != nil {
		s.t.Fatalf("mailpit: %v", err)
	}
	return ms
}

// Message reads one message in full.
func (s *Server) Message(id string) Message {
	s.t.Helper()
	var m Message
	if err := s.getJSON("/api/v1/message/"+id, &m); err != nil {
		s.t.Fatalf("mailpit: %v", err)
	}
	return m
}

// Part reads an attachment's bytes.
func (s *Server) Part(id, part string) []byte {
	s.t.Helper()
	res, err := http.Get(s.API + "/api/v1/message/" + id + "/part/" + part)
	if err != nil {
		s.t.Fatalf("mailpit: %v", err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatalf("mailpit: %v", err)
	}
	return b
}

// WaitFor polls until at least n messages arrived, or fails after within.
// Delivery is synchronous in the code under test, so this only covers
// mailpit's own storing.
func (s *Server) WaitFor(n int, within time.Duration) []Summary {
	s.t.Helper()
	deadline := time.Now().Add(within)
	for {
		ms := s.Messages()
		if len(ms) >= n || time.Now().After(deadline) {
			return ms
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ByRecipient counts messages per recipient address and subject.
func ByRecipient(ms []Summary) map[string]int {
	out := map[string]int{}
	for _, m := range ms {
		for _, to := range m.To {
			out[to.Address+"|"+m.Subject]++
		}
	}
	return out
}
