package torii_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/torii-convert/torii-convert/torii"
	"github.com/torii-convert/torii-convert/torii/toriitest"
)

// Servers that lie, redirect or echo: issue 9 §3 and the waits of §4.

// elsewhere is another server on loopback that records what reaches it and answers
// as Torii would, so that following a redirect there would look like success.
type elsewhere struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []toriitest.Request
}

func startElsewhere(t *testing.T) *elsewhere {
	e := &elsewhere{}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		e.reqs = append(e.reqs, toriitest.Request{Method: r.Method, Path: r.URL.Path, Authorization: r.Header.Get("Authorization"), Body: body})
		e.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"success": true, "id": 77, "org": {"id": 9, "companyName": "Elsewhere"}}`)
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *elsewhere) requests() []toriitest.Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]toriitest.Request(nil), e.reqs...)
}

func TestRedirectNeverCarriesTheKey(t *testing.T) {
	srv, c, _, _ := setup(t, false)
	other := startElsewhere(t) // the same host, another port: another origin
	srv.Inject(toriitest.Fault{Method: http.MethodGet, Path: "/orgs/my", Times: 1, Status: http.StatusFound,
		Header: http.Header{"Location": {other.URL + "/v1.0/orgs/my"}}})
	org, err := c.WhoAmI(context.Background())
	if err == nil || !strings.Contains(err.Error(), "another origin") {
		t.Errorf("whoami redirected to another origin: got %v, %v; want a failure, not the other server's answer", org, err)
	}
	if reqs := other.requests(); len(reqs) != 0 {
		t.Errorf("the redirect was followed: %d requests elsewhere, the first with %q", len(reqs), reqs[0].Authorization)
	}
}

func TestRedirectedRequestsThatSendAreFailures(t *testing.T) {
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			srv, c, _, _ := setup(t, false)
			other := startElsewhere(t)
			host := strings.Replace(other.URL, "127.0.0.1", "localhost", 1) // another host
			path, _ := writeFile(t, "f.json", 500)
			srv.Inject(toriitest.Fault{Method: http.MethodPost, Path: "/files/upload", Times: 1, Status: status,
				Header: http.Header{"Location": {host + "/v1.0/files/upload"}}})
			_, err := c.Upload(context.Background(), "f.json", path, torii.Direct)
			var e *torii.Error
			if !errors.As(err, &e) || !strings.Contains(err.Error(), "Torii redirected") || !strings.Contains(err.Error(), "a POST is never sent on") {
				t.Errorf("upload: got %v", err)
			}
			up, err := c.Upload(context.Background(), "f.json", path, torii.Direct)
			if err != nil {
				t.Fatal(err)
			}
			srv.Inject(toriitest.Fault{Method: http.MethodPut, Path: "/services/sync/custom", Times: 1, Status: status,
				Header: http.Header{"Location": {host + "/v1.0/services/sync/custom"}}})
			err = c.Sync(context.Background(), up.FileID, 12345)
			if !errors.As(err, &e) || !strings.Contains(err.Error(), "a PUT is never sent on, and a redirect is not a success") ||
				strings.Contains(e.Hint, "may have started") {
				t.Errorf("sync: got %v (%+v)", err, e)
			}
			if reqs := other.requests(); len(reqs) != 0 {
				t.Errorf("the request went on to another host: %+v", reqs)
			}
			if len(srv.Syncs()) != 0 {
				t.Errorf("syncs %v", srv.Syncs())
			}
		})
	}
}

func TestEchoedKeyIsScrubbed(t *testing.T) {
	srv, c, _, _ := setup(t, false)
	srv.Inject(toriitest.Fault{Method: http.MethodGet, Path: "/orgs/my", Times: 1, Status: 401,
		Body: `{"statusCode": 401, "error": "Unauthorized", "message": "Invalid API key ` + key + `"}`})
	srv.Inject(toriitest.Fault{Method: http.MethodPost, Path: "/files/upload", Times: 1, Status: 400,
		Body: "bad request from Bearer " + key + " (key=" + key + ")"})
	_, err := c.WhoAmI(context.Background())
	if err == nil || err.Error() != "checking the API key: Torii answered 401 Unauthorized: Invalid API key ***redacted***" {
		t.Errorf("got %v", err)
	}
	path, _ := writeFile(t, "f.json", 500)
	_, err = c.Upload(context.Background(), "f.json", path, torii.Direct)
	if err == nil || err.Error() != "uploading f.json: Torii answered 400 Bad Request: bad request from Bearer ***redacted*** (key=***redacted***)" {
		t.Errorf("got %v", err)
	}
}

// TestEchoedKeyCutIsScrubbed: a key echoed where the message is cut to 200 characters is
// scrubbed whole; its start does not show.
func TestEchoedKeyCutIsScrubbed(t *testing.T) {
	srv, c, _, _ := setup(t, false)
	srv.Inject(toriitest.Fault{Method: http.MethodGet, Path: "/orgs/my", Times: 1, Status: 401,
		Body: `{"message": "` + strings.Repeat("x", 190) + key + `"}`})
	_, err := c.WhoAmI(context.Background())
	if err == nil || !strings.Contains(err.Error(), strings.Repeat("x", 190)+"*") {
		t.Errorf("got %v", err)
	}
}

func TestFalseSuccess(t *testing.T) {
	srv, c, _, _ := setup(t, false)
	srv.Inject(toriitest.Fault{Method: http.MethodGet, Path: "/orgs/my", Times: 1, Status: 200, Body: `{}`})
	org, err := c.WhoAmI(context.Background())
	var e *torii.Error
	if !errors.As(err, &e) || err.Error() != "checking the API key: Torii answered 200 OK: the answer has no org.id: {}" || org != (torii.Org{}) {
		t.Errorf("whoami on 200 {}: %+v, %v", org, err)
	}
	path, _ := writeFile(t, "f.json", 500)
	up, err := c.Upload(context.Background(), "f.json", path, torii.Direct)
	if err != nil {
		t.Fatal(err)
	}
	for body, want := range map[string]string{
		`{"success": false, "message": "the file is not valid"}`: `syncing app account 12345: Torii answered 200 OK: the answer does not say "success": true: the file is not valid`,
		`{}`:      `syncing app account 12345: Torii answered 200 OK: the answer does not say "success": true: {}`,
		`[]`:      `syncing app account 12345: Torii answered 200 OK: the answer is not the JSON expected: json: cannot unmarshal array into Go value of type struct { Success *bool "json:\"success\"" }`,
		`"maybe"`: `syncing app account 12345: Torii answered 200 OK: the answer is not the JSON expected: json: cannot unmarshal string into Go value of type struct { Success *bool "json:\"success\"" }`,
	} {
		srv.Inject(toriitest.Fault{Method: http.MethodPut, Path: "/services/sync/custom", Times: 1, Status: 200, Body: body})
		if err := c.Sync(context.Background(), up.FileID, 12345); err == nil || err.Error() != want {
			t.Errorf("sync on 200 %s:\n got %v\nwant %s", body, err, want)
		}
	}
	srv.Inject(toriitest.Fault{Method: http.MethodPost, Path: "/files/upload", Times: 1, Status: 201, Body: `{"id": "1001"}`})
	if _, err := c.Upload(context.Background(), "f.json", path, torii.Direct); err == nil {
		t.Error("an upload answered with a quoted id passed")
	}
}

func TestPresignedURLMustBeSecure(t *testing.T) {
	srv, c, _, _ := setup(t, false)
	path, _ := writeFile(t, "f.json", 500)
	var s3 recorder
	s3.skip = srv.URL
	c.HTTP.Transport = &s3
	for u, want := range map[string]string{
		"http://s3.amazonaws.com/bucket/f.json?X-Amz-Signature=abc": `asking Torii where to upload f.json: the presigned URL http://s3.amazonaws.com/bucket/f.json?… is plain http to another machine: it would cross the network in the clear; only https is accepted`,
		"file:///etc/passwd": `asking Torii where to upload f.json: the presigned URL "file:///etc/passwd" is not an http(s) URL`,
		"/relative/path":     `asking Torii where to upload f.json: the presigned URL "/relative/path" is not an http(s) URL`,
	} {
		srv.Inject(toriitest.Fault{Method: http.MethodGet, Path: "/files/url", Times: 1, Status: 200,
			Body: `{"uploadFileParameters": {"url": "` + u + `", "filePath": "1/f.json"}}`})
		if _, err := c.Upload(context.Background(), "f.json", path, torii.Presigned); err == nil || err.Error() != want {
			t.Errorf("%s:\n got %v\nwant %s", u, err, want)
		}
	}
	srv.Inject(toriitest.Fault{Method: http.MethodGet, Path: "/files/url", Times: 1, Status: 200, Body: `{"uploadFileParameters": {}}`})
	if _, err := c.Upload(context.Background(), "f.json", path, torii.Presigned); err == nil ||
		err.Error() != `asking Torii where to upload f.json: Torii answered 200 OK: the answer has no uploadFileParameters.url or filePath: {"uploadFileParameters": {}}` {
		t.Errorf("no URL: %v", err)
	}
	if len(s3.reqs) != 0 {
		t.Errorf("%d requests went to the presigned URL", len(s3.reqs))
	}
}

// TestHugeRetryAfter: Torii asking for 277 hours gets neither them nor more than --wait.
func TestHugeRetryAfter(t *testing.T) {
	srv, c, clock, events := setup(t, false)
	c.Wait = 8 * time.Second
	path, _ := writeFile(t, "f.json", 500)
	up, err := c.Upload(context.Background(), "f.json", path, torii.Direct)
	if err != nil {
		t.Fatal(err)
	}
	srv.Inject(toriitest.Fault{Method: http.MethodPut, Path: "/services/sync/custom", Status: 429,
		Header: http.Header{"Retry-After": {"999999"}}, Body: `{"message": "Too many requests"}`})
	err = c.Sync(context.Background(), up.FileID, 12345)
	want := "syncing app account 12345: Torii answered 429 Too Many Requests: Too many requests (Torii asked to wait 277h46m39s; no time was left of the 8s of waiting)"
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	if len(clock.Sleeps()) != 1 || clock.Sleeps()[0] != 8*time.Second {
		t.Errorf("waited %v; want the 8s of --wait", clock.Sleeps())
	}
	if !strings.Contains(strings.Join(*events, "\n"), "Torii asked to wait 277h46m39s, more than the 8s left of the 8s of waiting; trying again in 8s") {
		t.Errorf("the wait was not told: %q", *events)
	}
}

// TestBusyWaitUsesAllOfIt: --wait 8s waits 8 s for another sync, not 3.
func TestBusyWaitUsesAllOfIt(t *testing.T) {
	srv, c, clock, _ := setup(t, false)
	c.Wait = 8 * time.Second
	path, _ := writeFile(t, "f.json", 500)
	up, _ := c.Upload(context.Background(), "f.json", path, torii.Direct)
	srv.Inject(toriitest.Fault{Method: http.MethodPut, Path: "/services/sync/custom", Status: 409,
		Body: `{"statusCode": 409, "error": "Conflict", "message": "A sync is already running"}`})
	err := c.Sync(context.Background(), up.FileID, 12345)
	var e *torii.Error
	if !errors.As(err, &e) || e.Kind != torii.Busy || err.Error() != "syncing app account 12345: another sync of the app account was still running after 8s of waiting" {
		t.Fatalf("got %v", err)
	}
	if total := clock.Total(); total != c.Wait {
		t.Errorf("waited %v (%s in all) of --wait %s", clock.Sleeps(), total, c.Wait)
	}
}
