package httpx

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// MaxRedirects is how many redirects a GET follows.
const MaxRedirects = 5

// NewHTTPClient returns an http.Client with this package's redirect policy
// (CheckRedirect). Timeouts are per request, set by Client.
func NewHTTPClient() *http.Client {
	return &http.Client{CheckRedirect: CheckRedirect}
}

// CheckRedirect is the redirect policy:
//   - only GET and HEAD are redirected: a request that sends data (POST, PUT, ...) is
//     never sent again elsewhere, and a 301/302/303 that would turn it into a GET is a
//     failure (*RedirectError), never an answer to trust;
//   - a request with credentials (Authorization) is never redirected to another origin
//     (scheme, host and port): the answer would come from a server that did not see
//     them, so it is a failure (*RedirectError), not an answer to trust;
//   - other credentials (Cookie, Proxy-Authorization) go only to the origin the request
//     was made to: a redirect anywhere else drops them, and they are not restored if the
//     chain comes back;
//   - at most MaxRedirects redirects.
func CheckRedirect(req *http.Request, via []*http.Request) error {
	first := via[0]
	status := 0
	if req.Response != nil {
		status = req.Response.StatusCode
	}
	if first.Method != http.MethodGet && first.Method != http.MethodHead {
		return &RedirectError{Method: first.Method, From: first.URL.String(), To: req.URL.String(), Status: status}
	}
	if len(via) > MaxRedirects {
		return &RedirectError{Method: first.Method, From: first.URL.String(), To: req.URL.String(), Status: status, TooMany: true}
	}
	home := origin(first.URL)
	if first.Header.Get("Authorization") != "" && origin(req.URL) != home {
		// The answer would come from a server that never saw the credentials: for an API
		// call, that is someone else's word, not the service's.
		return &RedirectError{Method: first.Method, From: first.URL.String(), To: req.URL.String(), Status: status, Elsewhere: true}
	}
	for _, r := range append(via[1:], req) {
		if origin(r.URL) != home {
			req.Header.Del("Authorization")
			req.Header.Del("Proxy-Authorization")
			req.Header.Del("Cookie")
			break
		}
	}
	return nil
}

// RedirectError is a redirect that was not followed.
type RedirectError struct {
	Method, From, To string
	Status           int
	TooMany          bool
	Elsewhere        bool // a request with credentials sent to another origin

	scrub func(string) string // the client's: a server may echo a secret in Location
}

func (e *RedirectError) Error() string {
	to := redactQuery(e.To)
	if e.scrub != nil {
		to = e.scrub(to)
	}
	if e.TooMany {
		return fmt.Sprintf("more than %d redirects (the last to %s)", MaxRedirects, to)
	}
	if e.Elsewhere {
		return fmt.Sprintf("redirected to %s, another origin than %s: the credentials are never sent there, and its answer is not trusted", to, origin(mustParse(e.From)))
	}
	what := "redirected"
	if e.Status != 0 {
		what = fmt.Sprintf("redirected (%d %s)", e.Status, http.StatusText(e.Status))
	}
	return fmt.Sprintf("%s to %s: a %s is never sent on, and a redirect is not a success", what, to, e.Method)
}

// origin is scheme://host:port, the port made explicit.
func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return strings.ToLower(u.Scheme) + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

func mustParse(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		return &url.URL{}
	}
	return u
}

// redactQuery hides a URL's query, which may hold a signature.
func redactQuery(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(an invalid URL)"
	}
	u.User = nil
	if u.RawQuery != "" {
		u.RawQuery = "…"
	}
	return u.String()
}

// Secure refuses a URL that would send data or credentials in the clear: it must be
// https, or http to a loopback address (127.0.0.0/8, ::1, localhost) as tests use.
func Secure(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", redactQuery(raw))
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if IsLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%s is plain http to another machine: it would cross the network in the clear; only https is accepted", redactQuery(raw))
	}
	return fmt.Errorf("%s is not an http(s) URL", redactQuery(raw))
}

// IsLoopback says whether host is this machine: localhost or a loopback address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
