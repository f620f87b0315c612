package httpx_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/torii-convert/torii-convert/internal/httpx"
	"github.com/torii-convert/torii-convert/internal/httpx/httpxtest"
)

const key = "tk_test_KEY_must_never_show_0123456789"

func newClient(t *testing.T) (*httpx.Client, *httpxtest.Clock, *[]string) {
	t.Helper()
	c := httpx.New()
	clk := httpxtest.NewClock(time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC))
	c.Now, c.Sleep = clk.Now, clk.Sleep
	c.Secrets = []string{key}
	var mu sync.Mutex
	events := &[]string{}
	c.Notify = func(e httpx.Event) {
		mu.Lock()
		defer mu.Unlock()
		*events = append(*events, e.Message)
	}
	return c, clk, events
}

// server answers with the statuses given in turn (the last one for ever), counting calls.
type server struct {
	*httptest.Server
	mu    sync.Mutex
	calls int
	auth  []string
}

func serve(t *testing.T, h func(n int, w http.ResponseWriter, r *http.Request)) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		s.mu.Lock()
		s.calls++
		n := s.calls
		s.auth = append(s.auth, r.Header.Get("Authorization"))
		s.mu.Unlock()
		h(n, w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func get(url string) httpx.Request {
	return httpx.Request{Step: "checking", Peer: "Torii", Method: http.MethodGet, URL: url,
		Header: http.Header{"Authorization": {"Bearer " + key}}, Safe: true}
}

func post(url string) httpx.Request {
	body := []byte(`{"idFile": 1}`)
	return httpx.Request{Step: "syncing", Peer: "Torii", Method: http.MethodPost, URL: url,
		Header: http.Header{"Authorization": {"Bearer " + key}, "Content-Type": {"application/json"}},
		Body:   func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }, Size: int64(len(body))}
}

func TestRedirectKeepsCredentialsAtHome(t *testing.T) {
	c, _, _ := newClient(t)
	var elsewhere *server
	home := serve(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/same":
			http.Redirect(w, r, "/final", http.StatusFound)
		case "/other":
			http.Redirect(w, r, elsewhere.URL+"/x", http.StatusFound)
		default:
			io.WriteString(w, `{}`)
		}
	})
	// Another port on the same host is another origin.
	elsewhere = serve(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/x" {
			http.Redirect(w, r, home.URL+"/back", http.StatusFound)
			return
		}
		io.WriteString(w, `{}`)
	})
	resp, err := c.Do(context.Background(), get(home.URL+"/same"))
	if err != nil || resp.Status != 200 {
		t.Fatal(resp, err)
	}
	if home.auth[0] != "Bearer "+key || home.auth[1] != "Bearer "+key {
		t.Errorf("a redirect within the origin lost the key: %q", home.auth)
	}
	resp, err = c.Do(context.Background(), get(home.URL+"/other"))
	var re *httpx.RedirectError
	if !errors.As(err, &re) || !re.Elsewhere || resp != nil {
		t.Fatalf("a GET with the key redirected to another port: got %v, %v; want a RedirectError", resp, err)
	}
	if elsewhere.count() != 0 {
		t.Errorf("another port received %d requests", elsewhere.count())
	}
}

// TestRedirectWithoutCredentialsDropsCookies: a request without a key may follow a
// redirect to another origin, but never with the origin's cookies.
func TestRedirectWithoutCredentialsDropsCookies(t *testing.T) {
	var elsewhere *server
	var cookie []string
	home := serve(t, func(n int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/x", http.StatusFound)
	})
	elsewhere = serve(t, func(n int, w http.ResponseWriter, r *http.Request) {
		cookie = append(cookie, r.Header.Get("Cookie"))
		io.WriteString(w, `{}`)
	})
	req, _ := http.NewRequest(http.MethodGet, home.URL+"/start", nil)
	req.Header.Set("Cookie", "session=home")
	resp, err := httpx.NewHTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(cookie) != 1 || cookie[0] != "" {
		t.Errorf("another origin got cookies %q", cookie)
	}
}

func TestRedirectedPostIsAFailure(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			c, _, _ := newClient(t)
			other := serve(t, func(n int, w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"success": true}`) })
			home := serve(t, func(n int, w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+"/services/sync/custom", status)
			})
			resp, err := c.Do(context.Background(), post(home.URL+"/services/sync/custom"))
			var re *httpx.RedirectError
			if !errors.As(err, &re) || resp != nil {
				t.Fatalf("got %v, %v; want a RedirectError", resp, err)
			}
			if other.count() != 0 {
				t.Errorf("the POST was sent on to another host")
			}
			if home.count() != 1 {
				t.Errorf("the POST was sent %d times", home.count())
			}
			want := fmt.Sprintf("redirected (%d %s) to %s/services/sync/custom: a POST is never sent on, and a redirect is not a success", status, http.StatusText(status), other.URL)
			if err.Error() != want {
				t.Errorf("got  %q\nwant %q", err, want)
			}
		})
	}
}

func TestTooManyRedirects(t *testing.T) {
	c, _, _ := newClient(t)
	s := serve(t, func(n int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, fmt.Sprintf("/%d", n), http.StatusFound)
	})
	_, err := c.Do(context.Background(), get(s.URL))
	var re *httpx.RedirectError
	if !errors.As(err, &re) || !re.TooMany || s.count() != httpx.MaxRedirects+1 {
		t.Fatalf("got %v after %d requests", err, s.count())
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	c, clk, events := newClient(t)
	date := clk.Now().Add(42 * time.Second).Format(http.TimeFormat)
	s := serve(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch n {
		case 1:
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(429)
		case 2:
			w.Header().Set("Retry-After", date)
			w.WriteHeader(429)
		default:
			io.WriteString(w, `{}`)
		}
	})
	resp, err := c.Do(context.Background(), get(s.URL))
	if err != nil || resp.Status != 200 {
		t.Fatal(resp, err)
	}
	// The date is 42 s after the start, and 7 s were already waited.
	if len(clk.Sleeps()) != 2 || clk.Sleeps()[0] != 7*time.Second || clk.Sleeps()[1] != 35*time.Second {
		t.Errorf("waited %v; want 7s, then until the date", clk.Sleeps())
	}
	if (*events)[0] != "checking: Torii's rate limit; trying again in 7s" {
		t.Errorf("told %q", *events)
	}
}

// TestHugeRetryAfter: a server asking for 277 hours gets neither them nor more than the
// budget; the waits use all of the budget, and the messages say what was asked.
func TestHugeRetryAfter(t *testing.T) {
	c, clk, events := newClient(t)
	c.Wait = 5 * time.Minute
	s := serve(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "999999")
		w.WriteHeader(429)
	})
	resp, err := c.Do(context.Background(), get(s.URL))
	if err != nil || resp.Status != 429 {
		t.Fatal(resp, err)
	}
	if want := []time.Duration{2 * time.Minute, 2 * time.Minute, time.Minute}; fmt.Sprint(clk.Sleeps()) != fmt.Sprint(want) {
		t.Errorf("waited %v, want %v", clk.Sleeps(), want)
	}
	if clk.Total() != c.Wait || c.Waited() != c.Wait {
		t.Errorf("waited %s of a budget of %s", clk.Total(), c.Wait)
	}
	want := []string{
		"checking: Torii's rate limit; Torii asked to wait 277h46m39s, more than the 2m0s waited at most at a time; trying again in 2m0s",
		"checking: Torii's rate limit; Torii asked to wait 277h46m39s, more than the 2m0s waited at most at a time; trying again in 2m0s",
		"checking: Torii's rate limit; Torii asked to wait 277h46m39s, more than the 1m0s left of the 5m0s of waiting; trying again in 1m0s",
	}
	if strings.Join(*events, "\n") != strings.Join(want, "\n") {
		t.Errorf("told:\n%s\nwant:\n%s", strings.Join(*events, "\n"), strings.Join(want, "\n"))
	}
	if resp.Note != "Torii asked to wait 277h46m39s; no time was left of the 5m0s of waiting" {
		t.Errorf("note %q", resp.Note)
	}
	if s.count() != 4 {
		t.Errorf("%d attempts", s.count())
	}
}

func TestRateLimitAttemptsBounded(t *testing.T) {
	c, clk, _ := newClient(t)
	s := serve(t, func(n int, w http.ResponseWriter, r *http.Request) { w.WriteHeader(429) })
	resp, err := c.Do(context.Background(), post(s.URL)) // a 429 is retried even when not Safe
	if err != nil || resp.Status != 429 || s.count() != 2*httpx.DefaultAttempts || len(clk.Sleeps()) != 2*httpx.DefaultAttempts-1 {
		t.Fatalf("%v %v after %d attempts", resp, err, s.count())
	}
}

func TestRetriesOnlyWhenSafe(t *testing.T) {
	c, clk, events := newClient(t)
	s := serve(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 2 { // a connection closed without an answer
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		if n < 3 {
			w.WriteHeader(503)
			return
		}
		io.WriteString(w, `{}`)
	})
	r := post(s.URL) // not a GET: Go's transport itself repeats a GET whose reused connection closed
	r.Safe = true
	resp, err := c.Do(context.Background(), r)
	if err != nil || resp.Status != 200 || s.count() != 3 {
		t.Fatal(resp, err, s.count())
	}
	if len(clk.Sleeps()) != 2 || clk.Sleeps()[0] < 500*time.Millisecond || clk.Sleeps()[0] > time.Second ||
		clk.Sleeps()[1] < time.Second || clk.Sleeps()[1] > 2*time.Second {
		t.Errorf("waited %v; want the backoff 0.5-1s, 1-2s", clk.Sleeps())
	}
	if len(*events) != 2 || !strings.HasPrefix((*events)[0], "syncing: Torii answered 503; trying again in") ||
		!strings.HasPrefix((*events)[1], "syncing: the connection was closed before the answer; trying again in") {
		t.Errorf("told %q", *events)
	}

	// Not safe: the first 5xx is the answer.
	s2 := serve(t, func(n int, w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) })
	if resp, err := c.Do(context.Background(), post(s2.URL)); err != nil || resp.Status != 500 || s2.count() != 1 {
		t.Fatalf("%v %v after %d attempts", resp, err, s2.count())
	}
	// Safe: a bounded number of attempts.
	s3 := serve(t, func(n int, w http.ResponseWriter, r *http.Request) { w.WriteHeader(502) })
	if resp, err := c.Do(context.Background(), get(s3.URL)); err != nil || resp.Status != 502 || s3.count() != httpx.DefaultAttempts {
		t.Fatalf("%v %v after %d attempts", resp, err, s3.count())
	}
}

func TestBudgetStopsRetries(t *testing.T) {
	c, clk, _ := newClient(t)
	c.Wait = 1500 * time.Millisecond
	s := serve(t, func(n int, w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) })
	resp, err := c.Do(context.Background(), get(s.URL))
	if err != nil || resp.Status != 503 || clk.Total() > c.Wait {
		t.Fatalf("%v %v; waited %v", resp, err, clk.Sleeps())
	}
	if resp.Note != "no time was left of the 1.5s of waiting" {
		t.Errorf("note %q", resp.Note)
	}
}

func TestTimeoutEachAttempt(t *testing.T) {
	c, _, _ := newClient(t)
	c.Timeout, c.Attempts = 50*time.Millisecond, 2
	release := make(chan struct{})
	defer close(release)
	s := serve(t, func(n int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	_, err := c.Do(context.Background(), get(s.URL))
	var ne *httpx.NetError
	if !errors.As(err, &ne) || err.Error() != "no answer within 50ms" || s.count() != 2 {
		t.Fatalf("got %v after %d attempts", err, s.count())
	}
}

func TestCanceled(t *testing.T) {
	c, _, _ := newClient(t)
	c.Sleep = func(ctx context.Context, d time.Duration) error { <-ctx.Done(); return ctx.Err() }
	s := serve(t, func(n int, w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Do(ctx, get(s.URL)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
}

func TestConnectionRefused(t *testing.T) {
	c, clk, _ := newClient(t)
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	_, err := c.Do(context.Background(), get("http://"+addr+"/x"))
	if err == nil || !strings.HasPrefix(err.Error(), "cannot connect: ") || len(clk.Sleeps()) != httpx.DefaultAttempts-1 {
		t.Fatalf("got %v after waits %v", err, clk.Sleeps())
	}
}

func TestBodyLimit(t *testing.T) {
	c, _, _ := newClient(t)
	big := strings.Repeat("x", 100)
	s := serve(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/err" {
			w.WriteHeader(400)
		}
		io.WriteString(w, big)
	})
	r := get(s.URL + "/ok")
	r.Limit = 99
	_, err := c.Do(context.Background(), r)
	var te *httpx.TooLargeError
	if !errors.As(err, &te) || err.Error() != "Torii's answer is larger than 99 bytes, the most read" {
		t.Fatalf("got %v", err)
	}
	r.Limit = 100
	if resp, err := c.Do(context.Background(), r); err != nil || string(resp.Body) != big {
		t.Fatalf("a body at the limit: %v", err)
	}
	r = get(s.URL + "/err")
	r.Limit = 10
	resp, err := c.Do(context.Background(), r)
	if err != nil || resp.Status != 400 || !resp.Truncated || len(resp.Body) != 10 {
		t.Fatalf("an error answer over the limit: %+v, %v", resp, err)
	}
}

func TestMessageScrubsEchoedKey(t *testing.T) {
	c, _, _ := newClient(t)
	for body, want := range map[string]string{
		`{"statusCode": 401, "error": "Unauthorized", "message": "Invalid API key ` + key + `"}`: "Invalid API key ***redacted***",
		`{"error": "bad header Authorization: Bearer abcdefgh123"}`:                              "bad header Authorization: Bearer ***redacted***",
		`<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>`:         "AccessDenied: Request has expired",
		"key=tk_test_KEY_must_never_show_0123456789 was\nrejected":                               "key=***redacted*** was rejected",
		`{"message": "HTTP Basic authentication required"}`:                                      "HTTP Basic authentication required",
		`{"ErrorMessage": "user api-sync: password c2VjcmV0LXB3 wrong"}`:                         "user api-sync: password c2VjcmV0LXB3 wrong",
		strings.Repeat("é", 300): strings.Repeat("é", 200) + "…",
	} {
		if got := c.Message([]byte(body)); got != want {
			t.Errorf("%.60s:\n got %q\nwant %q", body, got, want)
		}
	}
	pw := `s3cret pw/"1`
	c.Secrets = append(c.Secrets, pw)
	body := `{"ErrorMessage": "password czNjcmV0IHB3LyIx (s3cret+pw%2F%221) is \"s3cret pw/\"1\" wrong"}`
	if got := c.Message([]byte(body)); got != "password ***redacted*** (***redacted***) is \"***redacted***\" wrong" {
		t.Errorf("base64, escaped and JSON forms: %q", got)
	}
	if got := httpx.Scrub("abc xyz", "xyz"); got != "abc xyz" {
		t.Errorf("secrets shorter than %d characters are not scrubbed: %q", httpx.MinSecret, got)
	}
}

func TestNetErrorHidesURL(t *testing.T) {
	c, _, _ := newClient(t)
	c.Attempts = 1
	_, err := c.Do(context.Background(), get("gopher://127.0.0.1/x?X-Amz-Signature=abc&key="+key))
	if err == nil || strings.Contains(err.Error(), key) || strings.Contains(err.Error(), "Signature") {
		t.Fatalf("got %v", err)
	}
}

func TestPrintRequest(t *testing.T) {
	c, _, _ := newClient(t)
	var out bytes.Buffer
	c.DryRun = &out
	r := post("https://api.example/v1.0/services/sync/custom")
	r.Header.Set("Accept", "application/json")
	resp, err := c.Do(context.Background(), r)
	if err != nil || !resp.DryRun {
		t.Fatal(resp, err)
	}
	basic := httpx.Request{Method: http.MethodPut, URL: "https://ipex.example/api/Import", Size: -1,
		Header: http.Header{"Authorization": {"Basic YXBpOnNlY3JldA=="}, "Content-Type": {"text/plain"}}, Dry: "2 users\nin one batch"}
	c.PrintRequest(&out, basic)
	nokey := httpx.Request{Method: http.MethodGet, URL: "https://api.example/v1.0/orgs/my", Header: http.Header{"Authorization": {"Bearer "}}}
	c.PrintRequest(&out, nokey) // a dry run without a key still shows the scheme
	file := httpx.Request{Method: http.MethodPut, URL: "https://s3.example/x", Size: 5000,
		Header: http.Header{"Content-Type": {"customIntegrationData"}},
		Body: func() (io.ReadCloser, error) {
			return nil, errors.New("a dry run must not open a file it does not show")
		}}
	c.PrintRequest(&out, file)
	want := `POST https://api.example/v1.0/services/sync/custom
  Authorization: Bearer ***redacted***
  Accept: application/json
  Content-Type: application/json
  Content-Length: 13
  {
    "idFile": 1
  }
PUT https://ipex.example/api/Import
  Authorization: Basic ***redacted***
  Content-Type: text/plain
  2 users
  in one batch
GET https://api.example/v1.0/orgs/my
  Authorization: Bearer ***redacted***
PUT https://s3.example/x
  Content-Type: customIntegrationData
  Content-Length: 5000
`
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestBackoff(t *testing.T) {
	for attempt, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 6: 30 * time.Second, 100: 30 * time.Second} {
		for range 50 {
			if d := httpx.Backoff(attempt, time.Second, 30*time.Second); d < want/2 || d > want {
				t.Fatalf("attempt %d: %s, want %s to %s", attempt, d, want/2, want)
			}
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		header http.Header
		want   time.Duration
		ok     bool
	}{
		{http.Header{"Retry-After": {"7"}}, 7 * time.Second, true},
		{http.Header{"Retry-After": {"0"}}, 0, true},
		{http.Header{"Retry-After": {now.Add(time.Minute).Format(http.TimeFormat)}}, time.Minute, true},
		{http.Header{"Retry-After": {now.Add(-time.Minute).Format(http.TimeFormat)}}, 0, true},
		{http.Header{"Retry-After": {"99999999999999999999"}}, 0, false}, // not a number Go holds: ignored
		{http.Header{"Retry-After": {"9223372036"}}, time.Duration(1<<62/time.Second) * time.Second, true},
		{http.Header{"Retry-After": {"-3"}}, 0, false},
		{http.Header{"X-Rate-Limit-Reset": {fmt.Sprint(now.Add(30 * time.Second).Unix())}}, 31 * time.Second, true},
		{http.Header{}, 0, false},
	} {
		if got, ok := httpx.RetryAfter(tc.header, now); got != tc.want || ok != tc.ok {
			t.Errorf("%v: %s %v, want %s %v", tc.header, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSecure(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://bucket.s3.amazonaws.com/x?sig=1": true, "http://127.0.0.1:9000/x": true, "http://localhost/x": true,
		"http://[::1]:80/": true, "http://s3.amazonaws.com/x": false, "file:///etc/passwd": false, "ftp://x/y": false,
		"https:///nohost": false, "http://127.0.0.1.evil.example/": false,
	} {
		if err := httpx.Secure(u); (err == nil) != ok {
			t.Errorf("%s: %v", u, err)
		}
	}
	if err := httpx.Secure("http://s3.example/x?X-Amz-Signature=abc"); strings.Contains(err.Error(), "abc") {
		t.Errorf("the message shows the query: %v", err)
	}
}

// TestMessageScrubsBeforeCutting: a key that straddles the 200th character is scrubbed
// whole, not cut first so that its start survives.
func TestMessageScrubsBeforeCutting(t *testing.T) {
	c, _, _ := newClient(t)
	for _, at := range []int{180, 190, 199} {
		for _, body := range []string{
			strings.Repeat("x", at) + key + " rejected",
			`{"message": "` + strings.Repeat("x", at) + key + ` rejected"}`,
		} {
			got := c.Message([]byte(body))
			if !strings.HasPrefix(got, strings.Repeat("x", at)+"*") { // the redaction, not the key's start
				t.Errorf("key at %d: %q", at, got)
			}
		}
	}
}

// TestRedirectErrorScrubsLocation: a server that echoes the key in a redirect's
// Location does not get it printed.
func TestRedirectErrorScrubsLocation(t *testing.T) {
	c, _, _ := newClient(t)
	srv := serve(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "/echo/"+key+"/"+fmt.Sprint(n))
		w.WriteHeader(http.StatusTemporaryRedirect)
	})
	for _, r := range []httpx.Request{post(srv.URL), get(srv.URL)} {
		_, err := c.Do(context.Background(), r)
		var re *httpx.RedirectError
		if !errors.As(err, &re) || strings.Contains(err.Error(), key) {
			t.Errorf("%s: got %v", r.Method, err)
		}
	}
}
