package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// A group robot's URL is typed by an official, and weike POSTs to it from
// inside the town's network: left open, that is a way to make weike call
// its own machine (http://127.0.0.1:…), the cloud's metadata service
// (169.254.169.254) or the intranet. So a robot URL must be https:// on one
// of the robot services' own hosts, checked when it is saved, and every
// send dials only public addresses, checked after DNS has answered (a name
// can resolve to 127.0.0.1 as well as a literal can). The operator may allow
// more hosts (WithRobotHosts: a relay of the town's, the tests' receiver);
// those may use http:// and private addresses.

// RobotHosts are the hosts of the group-robot services weike speaks to.
var RobotHosts = []string{"qyapi.weixin.qq.com", "oapi.dingtalk.com"}

// errRobotAddress refuses a send to an address a robot may not have.
var errRobotAddress = errors.New("group robot address not allowed")

// robotGuard decides which robot URLs and addresses are allowed.
type robotGuard struct {
	extra []string // hosts the operator allowed, lower case, with or without :port
}

// WithRobotHosts allows group robots on the given hosts ("host" or
// "host:port") besides the robot services' own, by http:// or https://,
// even on private addresses.
func WithRobotHosts(hosts []string) Option {
	return func(s *Store) {
		for _, h := range hosts {
			if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
				s.guard.extra = append(s.guard.extra, h)
			}
		}
	}
}

// operatorHost reports whether the operator allowed u's host.
func (g robotGuard) operatorHost(u *url.URL) bool {
	host := strings.ToLower(u.Hostname())
	return slices.Contains(g.extra, host) || slices.Contains(g.extra, strings.ToLower(u.Host))
}

// check says whether raw may be a robot's URL.
func (g robotGuard) check(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || len(raw) > 1000 {
		return fmt.Errorf("%w: not a URL", errRobotAddress)
	}
	if g.operatorHost(u) {
		if u.Scheme != "https" && u.Scheme != "http" {
			return fmt.Errorf("%w: scheme %q", errRobotAddress, u.Scheme)
		}
		return nil
	}
	if u.Scheme != "https" {
		return fmt.Errorf("%w: only https://", errRobotAddress)
	}
	if u.Port() != "" && u.Port() != "443" {
		return fmt.Errorf("%w: port %s", errRobotAddress, u.Port())
	}
	if !slices.Contains(RobotHosts, strings.ToLower(u.Hostname())) {
		return fmt.Errorf("%w: host %s", errRobotAddress, u.Hostname())
	}
	return nil
}

// publicIP reports whether ip is an address on the internet: not loopback,
// link-local, private, shared (CGNAT), unspecified or multicast.
func publicIP(ip net.IP) bool {
	if ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsPrivate() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() {
		return false
	}
	// 100.64.0.0/10, carrier-grade NAT, is no one's public address either.
	if v4 := ip.To4(); v4 != nil && v4[0] == 100 && v4[1]&0xc0 == 64 {
		return false
	}
	return true
}

// client is the HTTP client robots are posted with: it dials only public
// addresses of hosts the operator did not allow, follows no redirect (a
// robot never sends one, and a redirect could lead anywhere) and uses no
// proxy from the environment (the dial check would see only the proxy).
func (g robotGuard) client(timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	t := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			if slices.Contains(g.extra, strings.ToLower(host)) || slices.Contains(g.extra, strings.ToLower(addr)) {
				return d.DialContext(ctx, network, addr)
			}
			ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
			if err != nil {
				return nil, err
			}
			for _, ip := range ips {
				if !publicIP(ip.IP) {
					return nil, fmt.Errorf("%w: %s resolves to %s", errRobotAddress, host, ip.IP)
				}
			}
			if len(ips) == 0 {
				return nil, fmt.Errorf("%w: %s has no address", errRobotAddress, host)
			}
			// Dial the address checked, not the name again: a second
			// lookup could answer differently.
			return d.DialContext(ctx, network, net.JoinHostPort(ips[0].IP.String(), port))
		},
		ForceAttemptHTTP2:   true,
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConns:        10,
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{Timeout: timeout, Transport: t,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// CheckRobotURL reports whether raw may be a group robot's URL under the
// given extra hosts (the operator's --robot-hosts): cmd/weike checks the
// default robot of WEIKE_WEBHOOK_URL with it before starting.
func CheckRobotURL(raw string, extraHosts []string) error {
	s := &Store{}
	WithRobotHosts(extraHosts)(s)
	return s.guard.check(raw)
}
