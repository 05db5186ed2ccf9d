package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// cmdHealthcheck asks the service on this machine whether it is ready (its
// /readyz answers 200 only while the database does), for the container's
// HEALTHCHECK: printing the version, as it used to, checked nothing.
func cmdHealthcheck(ctx context.Context, args []string, env func(string) string, out, _ io.Writer) error {
	cfg, _, err := parseConfig("healthcheck", args, env)
	if err != nil {
		return err
	}
	url := "http://" + localAddr(cfg.Addr) + "/readyz"
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("not ready: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("not ready: %s answered %s", url, res.Status)
	}
	fmt.Fprintln(out, "ready")
	return nil
}

// localAddr turns a listen address (":8080", "0.0.0.0:8080", "[::]:8080")
// into one to dial on this machine.
func localAddr(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
