package web

import (
	"net"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// baseURL is where links shown on a page point: the configured public URL,
// or else the address the browser used for this very request, so a weike
// reached at http://10.0.0.5:8080 or https://weike.town.gov.cn never hands out
// a link to some other host. A reverse proxy's X-Forwarded-Proto and
// X-Forwarded-Host are believed only from --trusted-proxies, as its
// X-Forwarded-For is (server.go's ipExtractor): anyone else could send them.
func (s *Server) baseURL(c echo.Context) string {
	if s.BaseURL != "" {
		return strings.TrimRight(s.BaseURL, "/")
	}
	r := c.Request()
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if s.fromTrustedProxy(r.RemoteAddr) {
		if p := strings.ToLower(firstValue(r.Header.Get(echo.HeaderXForwardedProto))); p == "http" || p == "https" {
			scheme = p
		}
		if h := firstValue(r.Header.Get("X-Forwarded-Host")); h != "" {
			host = h
		}
	}
	if !validHost(host) {
		host = "localhost"
	}
	return scheme + "://" + host
}

// fromTrustedProxy tells whether the peer is one of the operator's proxies.
func (s *Server) fromTrustedProxy(remoteAddr string) bool {
	h, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		h = remoteAddr
	}
	ip := net.ParseIP(h)
	if ip == nil {
		return false
	}
	for _, n := range s.TrustedProxies {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// firstValue is the first of a header's comma-separated values: the one the
// nearest proxy was told by the client's side.
func firstValue(v string) string {
	v, _, _ = strings.Cut(v, ",")
	return strings.TrimSpace(v)
}

// validHost keeps a link a link: a host[:port] and nothing that would turn
// it into a path, a user or another URL.
func validHost(h string) bool {
	if h == "" || strings.ContainsAny(h, "/\\@?# \t") {
		return false
	}
	u, err := url.Parse("http://" + h)
	return err == nil && u.Host == h && u.Hostname() != ""
}
