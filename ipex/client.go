package ipex

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/torii-convert/torii-convert/internal/httpx"
)

// Client sends requestors to one helpdesk. Make one with New.
type Client struct {
	BaseURL  *url.URL // the tenant: https://acme.ipexhelpdesk.cz
	User     string   // the helpdesk user's login
	Password string   // never in any output
	// HTTP sends the requests: a timeout on each, retries of 429, 5xx and broken
	// connections within its wait budget (a batch is safe to send again: the import is
	// keyed by email), no redirect of a POST, and dry runs (HTTP.DryRun).
	HTTP *httpx.Client
}

// New returns a client of the helpdesk at base, with httpx's defaults; the password is
// among the secrets scrubbed from every message.
func New(base *url.URL, user, password string) *Client {
	h := httpx.New()
	h.Secrets = []string{password}
	return &Client{BaseURL: base, User: user, Password: password, HTTP: h}
}

// CheckURL refuses what the password must not travel to: anything but https, except
// http on a loopback address (a test server, a local tunnel).
func CheckURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("%q is not an http(s) URL", raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%s holds a user name: give the user in IPEX_USER and the password in IPEX_PASSWORD or --password-file", u.Redacted())
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return nil, fmt.Errorf("%s is plain http: the password would cross the network in the clear; use https://", u)
	}
	return u, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Kind classifies failures by what the user can do about them.
type Kind int

const (
	// Failed is a request the helpdesk refused, or that found no answer.
	Failed Kind = iota
	// Auth is a login or password the helpdesk refused.
	Auth
	// Canceled is an interruption.
	Canceled
)

// Error is a request that did not succeed.
type Error struct {
	Kind    Kind
	Step    string // "sending batch 3 of 12 (rows 202-301)"
	Status  int    // 0 when there was no answer
	Message string
	Hint    string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Step)
	b.WriteString(": ")
	if e.Status != 0 {
		fmt.Fprintf(&b, "the helpdesk answered %d %s", e.Status, http.StatusText(e.Status))
		if e.Message != "" {
			b.WriteString(": ")
		}
	}
	b.WriteString(e.Message)
	return b.String()
}

func (c *Client) url() string { return c.BaseURL.String() + Endpoint }

// Send sends one batch and returns the helpdesk's result for each of its users, in order.
// In a dry run the request is printed and every user is taken.
func (c *Client) Send(ctx context.Context, step string, batch []Requestor) ([]Result, error) {
	if len(batch) > MaxBatch {
		return nil, &Error{Step: step, Message: fmt.Sprintf("%d users in one request; the helpdesk takes at most %d", len(batch), MaxBatch)}
	}
	body, err := json.Marshal(batch)
	if err != nil {
		return nil, &Error{Step: step, Message: err.Error()}
	}
	credentials := base64.StdEncoding.EncodeToString([]byte(c.User + ":" + c.Password))
	resp, err := c.HTTP.Do(ctx, httpx.Request{
		Step: step, Peer: "the helpdesk", Method: http.MethodPost, URL: c.url(), Safe: true,
		Header: http.Header{"Authorization": {"Basic " + credentials}, "Content-Type": {"application/json"}, "Accept": {"application/json"}},
		Body:   func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil },
		Size:   int64(len(body)),
	})
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, &Error{Kind: Canceled, Step: step, Message: "interrupted"}
	case err != nil:
		return nil, &Error{Step: step, Message: c.HTTP.Scrub(err.Error()), Hint: "check the network and IPEX_URL, then run again (users already sent are updated, not duplicated)"}
	case resp.DryRun:
		res := make([]Result, len(batch))
		for i := range res {
			res[i].Success = true
		}
		return res, nil
	case resp.Status != http.StatusOK:
		return nil, c.failure(step, resp)
	}
	var a Answer
	if err := json.Unmarshal(resp.Body, &a); err != nil {
		return nil, &Error{Step: step, Status: resp.Status, Message: "the answer is not the JSON expected: " + err.Error()}
	}
	if len(a.RequestorUsers) != len(batch) {
		return nil, &Error{Step: step, Status: resp.Status, Message: fmt.Sprintf("the answer has %d results for %d users; the batch may have been applied, run again to update it", len(a.RequestorUsers), len(batch))}
	}
	return a.RequestorUsers, nil
}

// failure words an answer that ends the sync.
func (c *Client) failure(step string, resp *httpx.Response) *Error {
	status := resp.Status
	e := &Error{Step: step, Status: status, Message: c.HTTP.Message(resp.Body)}
	if resp.Note != "" {
		e.Message += " (" + resp.Note + ")"
	}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.Kind = Auth
		e.Message = fmt.Sprintf("the helpdesk refused the user %q", c.User)
		e.Hint = "check IPEX_USER and the password (IPEX_PASSWORD or --password-file): a helpdesk user allowed to import requestors"
	case status == http.StatusBadRequest:
		e.Hint = "the helpdesk refused the batch as a whole; nothing of it was applied"
	case status == http.StatusTooManyRequests || status >= 500:
		e.Hint = "the helpdesk kept failing for all of --wait; run again later (users already sent are updated, not duplicated)"
	}
	return e
}
