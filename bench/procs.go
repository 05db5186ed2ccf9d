package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"weike/themeday"

	"github.com/labstack/echo/v4"

	"weike/booking"
	"weike/internal/db"
	"weike/lessons"
	"weike/notify"
	"weike/org"
	"weike/web"
)

func openMigrated(ctx context.Context, dsn string) (*db.DB, error) {
	d, err := db.Open(dsn)
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// cmdServer is weike's web service wired as cmd/weike's serve wires it
// (the same stores, web.New, the same http.Server), without the cron jobs,
// and with pprof on a separate loopback address. It runs in a child
// process, so its memory is its own.
func cmdServer(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	dsn := fs.String("db", "", "database")
	addr := fs.String("addr", "127.0.0.1:0", "address")
	pprofAddr := fs.String("pprof", "", "pprof address")
	logFile := fs.String("log", "", "request log file (empty: discard)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var lw io.Writer = io.Discard
	if *logFile != "" {
		f, err := os.Create(*logFile)
		if err != nil {
			return err
		}
		defer f.Close()
		bw := bufio.NewWriterSize(f, 1<<16)
		defer bw.Flush()
		lw = &lockedWriter{w: bw}
	}
	log := slog.New(slog.NewTextHandler(lw, &slog.HandlerOptions{Level: slog.LevelInfo}))
	d, err := openMigrated(ctx, *dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	now := time.Now
	orgs := org.NewStore(d, now)
	cat := lessons.NewStore(d, now)
	book := booking.NewStore(d, now, orgs, cat)
	srv, err := web.New(web.Deps{Org: orgs, Lessons: cat, Booking: book, ThemeDay: themeday.NewStore(d, now, book), Notify: notify.NewStore(d, now), Ready: d.Ping,
		Log: log, Now: now, Version: "bench"})
	if err != nil {
		return err
	}
	if *pprofAddr != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		go func() { _ = http.ListenAndServe(*pprofAddr, mux) }()
	}
	return srv.Start(ctx, *addr)
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// cmdCeiling is the HTTP ceiling: a bare Echo handler that answers GET or
// POST /fixed?size=N with a fixed JSON body of N bytes (the request body,
// if any, read and dropped), in a process of its own like weike's.
func cmdCeiling(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ceiling", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var bodies sync.Map
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	h := func(c echo.Context) error {
		n, _ := strconv.Atoi(c.QueryParam("size"))
		_, _ = io.Copy(io.Discard, c.Request().Body)
		b, ok := bodies.Load(n)
		if !ok {
			b = fixedJSON(n)
			bodies.Store(n, b)
		}
		return c.JSONBlob(http.StatusOK, b.([]byte))
	}
	e.GET("/fixed", h)
	e.POST("/fixed", h)
	e.GET("/readyz", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	srv := &http.Server{Addr: *addr, Handler: e, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return srv.Shutdown(context.Background())
}

// fixedJSON is a valid JSON document of exactly n bytes (n ≥ 12).
func fixedJSON(n int) []byte {
	const head, tail = `{"items":"`, `"}`
	if n < len(head)+len(tail) {
		n = len(head) + len(tail)
	}
	return []byte(head + strings.Repeat("x", n-len(head)-len(tail)) + tail)
}

// child is a server process the driver started.
type child struct {
	cmd   *exec.Cmd
	base  string
	pprof string
	done  chan error
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startChild re-runs this binary with args (server or ceiling) and waits
// for /readyz.
func startChild(kind string, args ...string) (*child, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	c := &child{base: "http://" + addr, done: make(chan error, 1)}
	all := append([]string{kind, "--addr", addr}, args...)
	if kind == "server" {
		if c.pprof, err = freePort(); err != nil {
			return nil, err
		}
		all = append(all, "--pprof", c.pprof)
	}
	c.cmd = exec.Command(self, all...)
	c.cmd.Stderr = os.Stderr
	if err := c.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { c.done <- c.cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(c.base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return c, nil
			}
		}
		select {
		case err := <-c.done:
			return nil, fmt.Errorf("%s exited: %v", kind, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	c.stop()
	return nil, errors.New(kind + " did not become ready")
}

func (c *child) stop() {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(20 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// rssKB reads a field (VmRSS, VmHWM) of the process's status in kB.
func rssKB(pid int, field string) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				n, _ := strconv.ParseInt(f[1], 10, 64)
				return n
			}
		}
	}
	return 0
}

// sampleRSS records the peak resident memory of pid until stop is closed.
func sampleRSS(pid int, stop <-chan struct{}) <-chan int64 {
	out := make(chan int64, 1)
	go func() {
		var peak int64
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if v := rssKB(pid, "VmRSS"); v > peak {
				peak = v
			}
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}
