// Package torii is a client of Torii's API for what torii-convert does there: check an API
// key, upload a customIntegrationData file (directly or through a presigned S3 URL), and
// start the sync of a custom integration. It knows nothing of spreadsheets.
//
// Every request has a timeout; requests that are safe to repeat are retried on 5xx
// answers and broken connections, 429 answers are waited out as Torii asks, and a sync
// that finds another one running waits for it. Nothing is retried after an answer that
// says the request itself is wrong.
package torii

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultBaseURL is Torii's API.
const DefaultBaseURL = "https://api.toriihq.com/v1.0"

// FileType is the type of the files this client uploads.
const FileType = "customIntegrationData"

// Client talks to Torii. The zero value is not usable; set Key and call New's defaults
// through New.
type Client struct {
	BaseURL string        // with its version: https://api.toriihq.com/v1.0
	Key     string        // the API key; it never appears in any output
	Timeout time.Duration // of each request
	Retries int           // attempts for requests that are safe to repeat
	// Wait is how long a sync waits for another sync of the app account to finish.
	Wait time.Duration
	// DryRun, when set, receives each request instead of Torii: nothing is sent.
	DryRun io.Writer
	// Notify, when set, hears of each step, retry and wait.
	Notify func(Event)

	HTTP  *http.Client // for Torii's API
	S3    *http.Client // for presigned URLs, which must not see the API key
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// New returns a client with the defaults: Torii's API at base (DefaultBaseURL when
// empty, with or without its /v1.0), 60 s requests, 4 attempts, 10 minutes of waiting.
func New(base, key string) *Client {
	return &Client{
		BaseURL: NormalizeBaseURL(base),
		Key:     key,
		Timeout: 60 * time.Second,
		Retries: 4,
		Wait:    10 * time.Minute,
		HTTP:    &http.Client{},
		S3:      &http.Client{},
		Now:     time.Now,
		Sleep:   sleep,
	}
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

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Event is something worth telling a person: a step, a retry, a wait.
type Event struct {
	Step    string    // "upload", "sync", ...
	Message string    // one line
	Until   time.Time // for waits: when the next attempt is made
	Retry   bool      // a retry or a wait, not a new step
}

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
	Message string // Torii's message, or what went wrong
	Hint    string // what to do
	Peer    string // who answered: Torii, or S3 for presigned uploads
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

// request is one call: what it does, how to send it, whether it may be repeated.
type request struct {
	step   string // for messages: "checking the API key"
	method string
	url    string
	body   func() (io.ReadCloser, error) // opened anew for each attempt; nil for none
	size   int64                         // of the body
	ctype  string
	s3     bool // a presigned URL: no Authorization, S3's errors
	safe   bool // may be repeated after a 5xx answer or a broken connection
	// dry describes the body for a dry run: the JSON of an API call, or what a file is.
	dry string
	// placeholder is what a dry run pretends Torii answered, so that the next steps show.
	placeholder string
}

// do sends a request, retrying as its kind allows, and decodes a JSON answer into out.
func (c *Client) do(ctx context.Context, r request, out any) error {
	if c.DryRun != nil {
		c.printDry(r)
		if out != nil && r.placeholder != "" {
			return json.Unmarshal([]byte(r.placeholder), out)
		}
		return nil
	}
	for attempt := 1; ; attempt++ {
		status, body, header, err := c.send(ctx, r)
		var wait time.Duration
		switch {
		case ctx.Err() != nil:
			return &Error{Kind: Canceled, Step: r.step, Message: "interrupted"}
		case err != nil:
			if !r.safe || attempt >= c.Retries {
				return &Error{Step: r.step, Message: describeNetError(err, c.Timeout),
					Hint: "check the network and TORII_API_URL, then run again"}
			}
			wait = c.backoff(attempt, 30*time.Second)
			c.notify(Event{Step: r.step, Retry: true, Until: c.Now().Add(wait),
				Message: fmt.Sprintf("%s: %s; trying again in %s", r.step, describeNetError(err, c.Timeout), round(wait))})
		case status >= 200 && status < 300:
			if out == nil || r.s3 {
				return nil
			}
			if err := json.Unmarshal(body, out); err != nil {
				return &Error{Step: r.step, Status: status, Message: "the answer is not the JSON expected: " + err.Error()}
			}
			return nil
		case status == http.StatusTooManyRequests:
			if attempt >= 2*c.Retries {
				return c.failure(r, status, body, header)
			}
			wait = c.retryAfter(header, attempt)
			c.notify(Event{Step: r.step, Retry: true, Until: c.Now().Add(wait),
				Message: fmt.Sprintf("%s: Torii's rate limit; trying again in %s", r.step, round(wait))})
		case status >= 500 && r.safe && attempt < c.Retries:
			wait = c.backoff(attempt, 30*time.Second)
			c.notify(Event{Step: r.step, Retry: true, Until: c.Now().Add(wait),
				Message: fmt.Sprintf("%s: %s answered %d; trying again in %s", r.step, c.peer(r), status, round(wait))})
		default:
			return c.failure(r, status, body, header)
		}
		if err := c.Sleep(ctx, wait); err != nil {
			return &Error{Kind: Canceled, Step: r.step, Message: "interrupted"}
		}
	}
}

func (c *Client) peer(r request) string {
	if r.s3 {
		return "S3"
	}
	return "Torii"
}

// send makes one attempt and reads the whole answer (answers are small).
func (c *Client) send(ctx context.Context, r request) (int, []byte, http.Header, error) {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	var body io.ReadCloser
	if r.body != nil {
		var err error
		if body, err = r.body(); err != nil {
			return 0, nil, nil, err
		}
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url, body)
	if err != nil {
		if body != nil {
			body.Close()
		}
		return 0, nil, nil, err
	}
	if body != nil {
		req.ContentLength = r.size
		req.GetBody = r.body
	}
	if r.ctype != "" {
		req.Header.Set("Content-Type", r.ctype)
	}
	client := c.HTTP
	if r.s3 {
		client = c.S3
	} else {
		req.Header.Set("Authorization", "Bearer "+c.Key)
		req.Header.Set("Accept", "application/json")
	}
	req.Header.Set("User-Agent", "torii-convert")
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, nil, nil, err
	}
	return resp.StatusCode, data, resp.Header, nil
}

// failure words an answer that ends the request.
func (c *Client) failure(r request, status int, body []byte, header http.Header) *Error {
	e := &Error{Step: r.step, Status: status, Message: answerMessage(body, r.s3), Peer: c.peer(r)}
	switch {
	case r.s3:
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
	}
	return e
}

// answerMessage finds the message of an error answer: Torii's JSON, S3's XML, or text.
func answerMessage(body []byte, s3 bool) string {
	var torii struct {
		Message string `json:"message"`
		Error   string `json:"error"`
	}
	if json.Unmarshal(body, &torii) == nil && (torii.Message != "" || torii.Error != "") {
		if torii.Message != "" {
			return torii.Message
		}
		return torii.Error
	}
	if s3 {
		if code, msg := s3Error(body); code != "" {
			return code + ": " + msg
		}
	}
	text := strings.TrimSpace(string(body))
	if len(text) > 200 {
		text = text[:200] + "…"
	}
	return text
}

// retryAfter reads how long Torii asks to wait: Retry-After (seconds or a date), or
// X-Rate-Limit-Reset (a Unix time); without them, exponential backoff.
func (c *Client) retryAfter(h http.Header, attempt int) time.Duration {
	if v := h.Get("Retry-After"); v != "" {
		if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
			return time.Duration(s) * time.Second
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(c.Now()), 0)
		}
	}
	if v := h.Get("X-Rate-Limit-Reset"); v != "" {
		if s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			return max(time.Unix(s, 0).Sub(c.Now()), 0) + time.Second
		}
	}
	return c.backoff(attempt, time.Minute)
}

// backoff is exponential with full jitter: up to 1 s, 2 s, 4 s ... capped.
func (c *Client) backoff(attempt int, limit time.Duration) time.Duration {
	d := time.Duration(math.Min(float64(limit), float64(time.Second)*math.Pow(2, float64(attempt-1))))
	return d/2 + time.Duration(rand.Float64()*float64(d/2))
}

func round(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return d.Round(10 * time.Millisecond)
}

func describeNetError(err error, timeout time.Duration) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("no answer within %s", timeout)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "the connection was closed before the answer"
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return "cannot connect: " + op.Err.Error()
	}
	return err.Error()
}

// printDry shows a request as it would be sent, the key hidden.
func (c *Client) printDry(r request) {
	w := c.DryRun
	fmt.Fprintf(w, "%s %s\n", r.method, r.url)
	if !r.s3 {
		fmt.Fprintf(w, "  Authorization: Bearer ***redacted***\n")
	}
	if r.ctype != "" {
		fmt.Fprintf(w, "  Content-Type: %s\n", r.ctype)
	}
	if r.body != nil && r.size >= 0 { // -1: the body holds what Torii would have answered
		fmt.Fprintf(w, "  Content-Length: %d\n", r.size)
	}
	if r.dry != "" {
		fmt.Fprintf(w, "  %s\n", r.dry)
	}
}

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

// WhoAmI checks the API key: it asks Torii for the key's organization.
func (c *Client) WhoAmI(ctx context.Context) (Org, error) {
	var answer struct {
		Org Org `json:"org"`
	}
	err := c.do(ctx, request{step: "checking the API key", method: http.MethodGet, url: c.BaseURL + "/orgs/my", safe: true,
		placeholder: `{"org": {"id": 0, "companyName": "(dry run)"}}`}, &answer)
	return answer.Org, err
}
