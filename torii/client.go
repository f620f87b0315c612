// Package torii is a client of Torii's API for what torii-convert does there: check an API
// key, upload a customIntegrationData file (directly or through a presigned S3 URL), start
// the sync of a custom integration, and list an app's users. It knows nothing of
// spreadsheets.
//
// HTTP goes through internal/httpx: every request has a timeout; requests that are safe
// to repeat are retried on 5xx answers and broken connections, 429 answers are waited out
// as Torii asks, and a sync that finds another one running waits for it, all within one
// wait budget (Client.Wait). Nothing is retried after an answer that says the request
// itself is wrong, no redirect carries the key to another origin or re-sends a POST or a
// PUT, and an answer without the fields it must have is a failure, never a success.
package torii

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/torii-convert/torii-convert/internal/httpx"
)

// DefaultBaseURL is Torii's API.
const DefaultBaseURL = "https://api.toriihq.com/v1.0"

// FileType is the type of the files this client uploads.
const FileType = "customIntegrationData"

// Client talks to Torii. Make one with New. The embedded httpx.Client holds the
// timeout of each request (Timeout), the attempts of those safe to repeat (Attempts),
// the budget of all waits (Wait), the dry run (DryRun), the listener of steps and
// waits (Notify) and the clock (Now, Sleep).
type Client struct {
	*httpx.Client
	BaseURL string // with its version: https://api.toriihq.com/v1.0
	Key     string // the API key; it never appears in any output
}

// New returns a client with the defaults: Torii's API at base (DefaultBaseURL when
// empty, with or without its /v1.0), 60 s requests, 4 attempts, 10 minutes of waiting.
func New(base, key string) *Client {
	h := httpx.New()
	h.Secrets = []string{key}
	return &Client{Client: h, BaseURL: NormalizeBaseURL(base), Key: key}
}

// NormalizeBaseURL accepts Torii's address with or without /v1.0 (or the legacy /beta).
func NormalizeBaseURL(base string) string {
	if base == "" {
		return DefaultBaseURL
	}
	base = strings.TrimRight(base, "/")
	if strings.HasSuffix(base, "/v1.0") || strings.HasSuffix(base, "/beta") {
		return base
	}
	return base + "/v1.0"
}

// Event is something worth telling a person: a step, a retry, a wait.
type Event = httpx.Event

func (c *Client) notify(e Event) {
	if c.Notify != nil {
		c.Notify(e)
	}
}

// Kind classifies failures by what the user can do about them.
type Kind int

const (
	// Failed is a request Torii refused, or that found no answer.
	Failed Kind = iota
	// Auth is a missing, wrong or under-privileged API key.
	Auth
	// Busy is another sync of the app account, still running when the wait ran out.
	Busy
	// Canceled is an interruption: the context was canceled.
	Canceled
)

// Error is a request that did not succeed.
type Error struct {
	Kind    Kind
	Step    string // what was being done: "uploading figma.json"
	Status  int    // the HTTP status, 0 when there was no answer
	Message string // Torii's message (secrets scrubbed), or what went wrong
	Hint    string // what to do
	Peer    string // who answered: Torii, or S3 for presigned uploads

	redirected bool // Torii answered with a redirect, which was not followed
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Step)
	b.WriteString(": ")
	if e.Status != 0 {
		peer := e.Peer
		if peer == "" {
			peer = "Torii"
		}
		fmt.Fprintf(&b, "%s answered %d %s", peer, e.Status, http.StatusText(e.Status))
		if e.Message != "" {
			b.WriteString(": ")
		}
	}
	b.WriteString(e.Message)
	return b.String()
}

// request is one call: what it does, how to send it, whether it may be repeated, and
// what its answer must hold.
type request struct {
	step   string // for messages: "checking the API key"
	method string
	url    string
	body   func() (io.ReadCloser, error) // opened anew for each attempt; nil for none
	size   int64                         // of the body
	ctype  string
	s3     bool  // a presigned URL: no Authorization, S3's errors
	safe   bool  // may be repeated after a 5xx answer or a broken connection
	limit  int64 // of the answer's body (0: httpx.MaxBody)
	// dry describes the body for a dry run: the JSON of an API call, or what a file is.
	dry string
	// placeholder is what a dry run pretends Torii answered, so that the next steps show.
	placeholder string
	// check says what a 2xx answer decoded into out lacks ("" when nothing): an answer
	// without its required fields is a failure, not a success.
	check func() string
}

// do sends a request through httpx, which retries as the request allows, and decodes a
// JSON answer into out.
func (c *Client) do(ctx context.Context, r request, out any) error {
	peer := "Torii"
	if r.s3 {
		peer = "S3"
	}
	h := http.Header{}
	if r.ctype != "" {
		h.Set("Content-Type", r.ctype)
	}
	if !r.s3 {
		h.Set("Authorization", "Bearer "+c.Key)
		h.Set("Accept", "application/json")
	}
	resp, err := c.Client.Do(ctx, httpx.Request{Step: r.step, Peer: peer, Method: r.method, URL: r.url, Header: h,
		Body: r.body, Size: r.size, Safe: r.safe, Limit: r.limit, Dry: r.dry})
	var re *httpx.RedirectError
	switch {
	case ctx.Err() != nil:
		return &Error{Kind: Canceled, Step: r.step, Message: "interrupted"}
	case errors.As(err, &re):
		return &Error{Step: r.step, Message: peer + " " + c.scrub(re.Error()), redirected: true,
			Hint: "check TORII_API_URL: Torii's API answers where it is asked"}
	case err != nil:
		return &Error{Step: r.step, Message: c.scrub(err.Error()),
			Hint: "check the network and TORII_API_URL, then run again"}
	case resp.DryRun:
		if out != nil && r.placeholder != "" {
			return json.Unmarshal([]byte(r.placeholder), out)
		}
		return nil
	case resp.Status < 200 || resp.Status > 299:
		return c.failure(r, resp)
	case out == nil || r.s3:
		return nil
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return &Error{Step: r.step, Status: resp.Status, Message: "the answer is not the JSON expected: " + c.scrub(err.Error())}
	}
	if r.check != nil {
		if lack := r.check(); lack != "" {
			msg := "the answer " + lack
			if m := c.message(resp.Body); m != "" {
				msg += ": " + m
			}
			return &Error{Step: r.step, Status: resp.Status, Message: msg,
				Hint: "Torii did not say it did what was asked: nothing is taken as done"}
		}
	}
	return nil
}

// secrets are the key and the client's other secrets.
func (c *Client) secrets() []string { return append([]string{c.Key}, c.Secrets...) }

// scrub hides the secrets in text from elsewhere.
func (c *Client) scrub(text string) string { return httpx.Scrub(text, c.secrets()...) }

// message is the message of an answer, secrets scrubbed before it is cut to length.
func (c *Client) message(body []byte) string { return httpx.Message(body, c.secrets()...) }

// failure words an answer that ends the request.
func (c *Client) failure(r request, resp *httpx.Response) *Error {
	e := &Error{Step: r.step, Status: resp.Status, Message: c.message(resp.Body), Peer: "Torii"}
	if resp.Note != "" {
		e.Message = strings.TrimPrefix(e.Message+" ("+resp.Note+")", " ")
	}
	status := resp.Status
	switch {
	case r.s3:
		e.Peer = "S3"
		e.Hint = "the presigned upload was refused; run again, or pass --upload direct for files under 3 MB"
	case status == http.StatusUnauthorized:
		e.Kind = Auth
		e.Hint = "check the API key (TORII_API_KEY or --api-key-file): Torii does not know it"
	case status == http.StatusForbidden:
		e.Kind = Auth
		e.Hint = "the API key needs Full access: generate one under Settings > API Access"
	case status == http.StatusTooManyRequests:
		e.Hint = "Torii's rate limit held for every attempt; run again in a minute"
	case status >= 500:
		e.Hint = "Torii is having trouble; run again later"
	case status >= 300 && status < 400:
		e.Hint = "check TORII_API_URL: Torii's API answers where it is asked"
	}
	return e
}

func round(d time.Duration) time.Duration { return httpx.Round(d) }

// jsonBody makes a request body of a value.
func jsonBody(v any) (func() (io.ReadCloser, error), int64, string) {
	data, _ := json.Marshal(v)
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }, int64(len(data)), string(data)
}

// Org is the organization an API key belongs to.
type Org struct {
	ID          int64  `json:"id"`
	CompanyName string `json:"companyName"`
	Domain      string `json:"domain"`
}

// WhoAmI checks the API key: it asks Torii for the key's organization. An answer
// without the organization's id is a failure.
func (c *Client) WhoAmI(ctx context.Context) (Org, error) {
	var answer struct {
		Org *Org `json:"org"`
	}
	err := c.do(ctx, request{step: "checking the API key", method: http.MethodGet, url: c.BaseURL + "/orgs/my", safe: true,
		placeholder: `{"org": {"id": 0, "companyName": "(dry run)"}}`,
		check: func() string {
			if answer.Org == nil || answer.Org.ID == 0 {
				return "has no org.id"
			}
			return ""
		}}, &answer)
	if answer.Org == nil || err != nil {
		return Org{}, err
	}
	return *answer.Org, nil
}
