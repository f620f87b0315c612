// Package httpx is what torii-convert's API clients (torii/, ipex/) need of HTTP, written
// once: a timeout on every attempt, bounded retries with one backoff formula and
// Retry-After honoured within a wait budget, a redirect policy that never hands
// credentials to another origin, bounded reads of answers, a scrubber that keeps secrets
// out of messages, and the printing of dry runs.
//
// Limits, all documented here: an answer's body is read up to Request.Limit (MaxBody, 1 MiB,
// by default); one wait lasts at most Client.MaxDelay (DefaultMaxDelay, 2 minutes); all the
// waits of a Client together last at most Client.Wait; a request safe to repeat is sent at
// most Client.Attempts times after 5xx answers and broken connections, and any request at
// most 2*Attempts times while it is rate limited (429); at most MaxRedirects redirects.
package httpx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Defaults of a Client made by New.
const (
	DefaultTimeout  = 60 * time.Second
	DefaultAttempts = 4
	DefaultWait     = 10 * time.Minute
	// DefaultMaxDelay caps one wait, whatever a server asks: rate limits are per minute.
	DefaultMaxDelay = 2 * time.Minute
	// MaxBody is how much of an answer's body is read unless a request says otherwise.
	MaxBody = 1 << 20
)

// Client sends requests. Make one with New; its fields may be changed before use.
type Client struct {
	HTTP *http.Client // NewHTTPClient: the redirect policy of this package
	// Timeout bounds each attempt, from sending the request to the last byte of the answer.
	Timeout time.Duration
	// Attempts bounds how often a request safe to repeat is sent after a 5xx answer or a
	// broken connection; a rate-limited (429) request is sent at most twice as often.
	Attempts int
	// Wait is the budget of every wait this client makes, together: retries, rate limits
	// and the waits of callers (Pause). Once spent, nothing more is retried.
	Wait time.Duration
	// MaxDelay caps one wait, whatever the server asks for.
	MaxDelay time.Duration
	// Secrets are scrubbed from every server text this package puts in a message.
	Secrets []string
	// DryRun, when set, receives each request (PrintRequest) instead of the server.
	DryRun    io.Writer
	UserAgent string
	// Notify, when set, hears of each retry and wait.
	Notify func(Event)
	Now    func() time.Time
	Sleep  func(ctx context.Context, d time.Duration) error

	mu     sync.Mutex
	waited time.Duration
}

// New returns a client with the defaults: 60 s attempts, 4 attempts, 10 minutes of
// waiting in all, 2 minutes at most at a time.
func New() *Client {
	return &Client{HTTP: NewHTTPClient(), Timeout: DefaultTimeout, Attempts: DefaultAttempts,
		Wait: DefaultWait, MaxDelay: DefaultMaxDelay, UserAgent: "torii-convert", Now: time.Now, Sleep: sleep}
}

// Event is a retry or a wait, worth telling a person.
type Event struct {
	Step    string    // what was being done: "uploading figma.json"
	Message string    // one line
	Until   time.Time // for waits: when the next attempt is made
	Retry   bool      // a retry or a wait, not a new step
}

// Request is one call. Body is opened anew for each attempt, so a request can be repeated
// without holding its body in memory.
type Request struct {
	Step   string // for messages: "checking the API key"
	Peer   string // who answers, for messages: "Torii", "S3"
	Method string
	URL    string
	Header http.Header
	Body   func() (io.ReadCloser, error) // nil for none
	Size   int64                         // of the body; a dry run shows it when >= 0
	// Safe requests may be repeated after a 5xx answer or a broken connection.
	Safe bool
	// Limit of the answer's body in bytes (0: MaxBody). A 2xx answer over it is an
	// error; other answers are cut there.
	Limit int64
	// Dry is what a dry run shows of the body (a description, or the JSON); when empty,
	// a JSON body of at most MaxBody bytes is shown indented, any other its size.
	Dry string
}

// Response is a complete answer, its body read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// Truncated says Body was cut at the request's limit (only for non-2xx answers).
	Truncated bool
	// Note says why waiting stopped before the last answer was tried again: "the server
	// asked to wait 277h46m40s; no time was left of the 10m0s of waiting".
	Note string
	// DryRun: the request was printed, not sent; nothing else is set.
	DryRun bool
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
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

func (c *Client) notify(e Event) {
	if c.Notify != nil {
		c.Notify(e)
	}
}

func (r Request) peer() string {
	if r.Peer == "" {
		return "the server"
	}
	return r.Peer
}

// Do sends a request and returns its answer, retrying as the request allows: 429 answers
// as Retry-After asks (within MaxDelay and what is left of Wait), 5xx answers and broken
// connections when the request is Safe. Any answer that ends the retries is returned
// with a nil error, whatever its status: the caller words it. The error is
// non-nil only when there is no answer: ctx was canceled (ctx.Err()), the
// connection failed (*NetError), a redirect was refused (*RedirectError), or a 2xx body
// was over the limit (*TooLargeError).
func (c *Client) Do(ctx context.Context, r Request) (*Response, error) {
	if c.DryRun != nil {
		c.PrintRequest(c.DryRun, r)
		return &Response{DryRun: true}, nil
	}
	attempts := max(c.Attempts, 1)
	for attempt := 1; ; attempt++ {
		resp, err := c.once(ctx, r)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var want time.Duration
		var why, asked string
		switch {
		case err != nil:
			var ne *NetError
			if !errors.As(err, &ne) || !r.Safe || attempt >= attempts {
				return nil, err
			}
			want, why = Backoff(attempt, time.Second, 30*time.Second), ne.Error()
		case resp.Status == http.StatusTooManyRequests:
			if attempt >= 2*attempts {
				return resp, nil
			}
			var ok bool
			if want, ok = RetryAfter(resp.Header, c.now()); ok {
				asked = round(want).String()
			} else {
				want = Backoff(attempt, time.Second, time.Minute)
			}
			why = r.peer() + "'s rate limit"
		case resp.Status >= 500 && r.Safe && attempt < attempts:
			want, why = Backoff(attempt, time.Second, 30*time.Second), fmt.Sprintf("%s answered %d", r.peer(), resp.Status)
		default:
			return resp, nil
		}
		d, ok, note := c.allow(want, asked, r.peer())
		if !ok {
			if err != nil {
				return nil, err
			}
			resp.Note = note
			return resp, nil
		}
		msg := fmt.Sprintf("%s: %s; trying again in %s", r.Step, why, round(d))
		if note != "" {
			msg = fmt.Sprintf("%s: %s; %s; trying again in %s", r.Step, why, note, round(d))
		}
		c.notify(Event{Step: r.Step, Retry: true, Until: c.now().Add(d), Message: msg})
		if err := c.Pause(ctx, d); err != nil {
			return nil, err
		}
	}
}

// once makes one attempt and reads the answer, within Timeout.
func (c *Client) once(ctx context.Context, r Request) (*Response, error) {
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	var body io.ReadCloser
	if r.Body != nil {
		var err error
		if body, err = r.Body(); err != nil {
			return nil, err
		}
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		if body != nil {
			body.Close()
		}
		return nil, err
	}
	if body != nil {
		req.ContentLength = r.Size
		req.GetBody = r.Body
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	client := c.HTTP
	if client == nil {
		client = NewHTTPClient()
	}
	resp, err := client.Do(req)
	if err != nil {
		var re *RedirectError
		if errors.As(err, &re) {
			re.scrub = c.Scrub
			return nil, re
		}
		return nil, &NetError{Err: err, Timeout: c.Timeout, scrub: c.Scrub}
	}
	defer resp.Body.Close()
	return c.read(resp, r)
}

// read reads an answer's body up to the request's limit: a 2xx answer over it is a
// *TooLargeError, any other is cut there.
func (c *Client) read(resp *http.Response, r Request) (*Response, error) {
	limit := r.Limit
	if limit <= 0 {
		limit = MaxBody
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, &NetError{Err: err, Timeout: c.Timeout, scrub: c.Scrub}
	}
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
	if int64(len(data)) > limit {
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return nil, &TooLargeError{Peer: r.peer(), Limit: limit}
		}
		out.Body, out.Truncated = data[:limit], true
	}
	return out, nil
}

// NetError is a request that got no answer: no connection, a timeout, a connection
// closed before the answer.
type NetError struct {
	Err     error
	Timeout time.Duration
	scrub   func(string) string
}

func (e *NetError) Error() string {
	var ne net.Error
	var op *net.OpError
	switch {
	case errors.Is(e.Err, context.DeadlineExceeded), errors.As(e.Err, &ne) && ne.Timeout():
		return fmt.Sprintf("no answer within %s", e.Timeout)
	case errors.Is(e.Err, io.ErrUnexpectedEOF), errors.Is(e.Err, io.EOF):
		return "the connection was closed before the answer"
	case errors.As(e.Err, &op):
		return "cannot connect: " + op.Err.Error()
	}
	msg := e.Err.Error()
	var ue interface{ Unwrap() error }
	if errors.As(e.Err, &ue) && ue.Unwrap() != nil { // *url.Error: its URL may carry a signature
		msg = ue.Unwrap().Error()
	}
	if e.scrub != nil {
		msg = e.scrub(msg)
	}
	return msg
}

func (e *NetError) Unwrap() error { return e.Err }

// TooLargeError is a successful answer larger than the request's limit.
type TooLargeError struct {
	Peer  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s's answer is larger than %d bytes, the most read", e.Peer, e.Limit)
}

// allow says how long to wait when want is wanted: at most MaxDelay and what is left of
// Wait; ok is false when no time is left. note says what the server asked (asked, when
// it asked) and what is done instead, when that differs.
func (c *Client) allow(want time.Duration, asked, peer string) (d time.Duration, ok bool, note string) {
	c.mu.Lock()
	left := max(c.Wait-c.waited, 0)
	c.mu.Unlock()
	limit := left
	if c.MaxDelay > 0 {
		limit = min(limit, c.MaxDelay)
	}
	switch {
	case want <= limit:
		return max(want, 0), true, ""
	case left <= 0 && asked != "":
		return 0, false, fmt.Sprintf("%s asked to wait %s; no time was left of the %s of waiting", peer, asked, round(c.Wait))
	case left <= 0:
		return 0, false, fmt.Sprintf("no time was left of the %s of waiting", round(c.Wait))
	case asked != "" && limit < left:
		return limit, true, fmt.Sprintf("%s asked to wait %s, more than the %s waited at most at a time", peer, asked, round(c.MaxDelay))
	case asked != "":
		return limit, true, fmt.Sprintf("%s asked to wait %s, more than the %s left of the %s of waiting", peer, asked, round(left), round(c.Wait))
	}
	return limit, true, ""
}

// Budget returns how much of want may be waited now: at most MaxDelay and what is left
// of Wait; 0 when nothing is left. Callers that wait on their own (a busy server) use it
// with Pause, so that all waits share one budget.
func (c *Client) Budget(want time.Duration) time.Duration {
	d, _, _ := c.allow(want, "", "")
	return d
}

// Waited is how long this client has waited so far.
func (c *Client) Waited() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.waited
}

// Pause waits d (or until ctx is done) and counts it against Wait.
func (c *Client) Pause(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.waited += d
	c.mu.Unlock()
	s := c.Sleep
	if s == nil {
		s = sleep
	}
	if err := s(ctx, d); err != nil {
		return err
	}
	return ctx.Err()
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(10 * time.Millisecond)
}

// Round shortens a duration for messages: whole seconds from 10 s on, tenths from 1 s.
func Round(d time.Duration) time.Duration { return round(d) }

// Scrub replaces the client's secrets, and any Bearer or Basic credentials, in text.
func (c *Client) Scrub(text string) string { return Scrub(text, c.Secrets...) }

// Message finds the message of an error answer: the "message" (or "error", "Message",
// "ErrorMessage") of a JSON object, the <Message> of an XML error, or the text itself,
// with secrets scrubbed, on one line, at most 200 characters.
func (c *Client) Message(body []byte) string { return Message(body, c.Secrets...) }

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}
