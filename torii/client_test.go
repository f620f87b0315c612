package torii_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/torii-convert/torii-convert/internal/httpx"
	"github.com/torii-convert/torii-convert/internal/httpx/httpxtest"
	"github.com/torii-convert/torii-convert/torii"
	"github.com/torii-convert/torii-convert/torii/toriitest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	toriitest.StopServers()
	toriitest.NoteSkipped()
	os.Exit(code)
}

const key = "tk_test_KEY_must_never_show_0123456789"

// setup starts a fake Torii (with a real MinIO when presigned) and a client of it whose
// waits take no time and whose events are collected.
func setup(t *testing.T, presigned bool) (*toriitest.Server, *torii.Client, *httpxtest.Clock, *[]string) {
	t.Helper()
	var store *toriitest.MinIO
	if presigned {
		store = toriitest.StartMinIO(t)
	}
	srv := toriitest.New(t, key, store, 12345)
	c := torii.New(srv.URL, key)
	clock := httpxtest.NewClock(time.Now())
	c.Now, c.Sleep = clock.Now, clock.Sleep
	events := &[]string{}
	var mu sync.Mutex
	c.Notify = func(e torii.Event) {
		mu.Lock()
		defer mu.Unlock()
		*events = append(*events, e.Message)
	}
	return srv, c, clock, events
}

func writeFile(t *testing.T, name string, size int) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("{\n  \"users\": [\n")
	for i := 0; b.Len() < size-40; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `    {"email": "user%d@example.com"}`, i)
	}
	b.WriteString("\n  ]\n}\n")
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, b.Bytes()
}

func TestDirectUploadAndSync(t *testing.T) {
	srv, c, _, _ := setup(t, false)
	path, data := writeFile(t, "figma.json", 10_000)
	up, err := c.Upload(context.Background(), "figma.json", path, torii.Auto)
	if err != nil {
		t.Fatal(err)
	}
	if up.Method != torii.Direct || up.Bytes != int64(len(data)) {
		t.Errorf("upload %+v, want direct of %d bytes", up, len(data))
	}
	f := srv.Files()[up.FileID]
	if !bytes.Equal(f.Data, data) || f.Name != "figma.json" || f.Type != "customIntegrationData" {
		t.Errorf("Torii holds %q (%s), not the file", f.Name, f.Type)
	}
	if err := c.Sync(context.Background(), up.FileID, 12345); err != nil {
		t.Fatal(err)
	}
	if got := srv.Syncs(); len(got) != 1 || got[0] != (toriitest.Sync{FileID: up.FileID, AppAccount: 12345}) {
		t.Errorf("syncs %+v", got)
	}
	for _, r := range srv.Requests() {
		if r.Authorization != "Bearer "+key {
			t.Errorf("%s %s without the key", r.Method, r.Path)
		}
		if r.Path == "/services/sync/custom" && string(r.Body) != fmt.Sprintf(`{"idAppAccount":12345,"idFile":%d}`, up.FileID) {
			t.Errorf("sync body %s: the ids must be JSON integers", r.Body)
		}
	}
}

// TestPresignedUpload sends a file through a real S3 server, which checks the signature
// over the Content-Type, and proves the object's bytes are the file's.
func TestPresignedUpload(t *testing.T) {
	srv, c, _, _ := setup(t, true)
	s3 := recorder{skip: srv.URL}
	c.HTTP = &http.Client{Transport: &s3, CheckRedirect: httpx.CheckRedirect}
	path, data := writeFile(t, "big.json", torii.DirectLimit+1000)
	up, err := c.Upload(context.Background(), "big.json", path, torii.Auto)
	if err != nil {
		t.Fatal(err)
	}
	if up.Method != torii.Presigned {
		t.Errorf("a file of %d bytes went %s", len(data), up.Method)
	}
	if f := srv.Files()[up.FileID]; !bytes.Equal(f.Data, data) || f.Via != "presigned" {
		t.Errorf("the object in S3 is not the file (%d bytes, via %s)", len(f.Data), f.Via)
	}
	if len(s3.reqs) != 1 || s3.reqs[0].Header.Get("Authorization") != "" || s3.reqs[0].Header.Get("Content-Type") != "customIntegrationData" ||
		s3.reqs[0].ContentLength != int64(len(data)) {
		t.Errorf("the S3 PUT: %+v", s3.reqs)
	}
}

// recorder records the requests that do not go to skip (the fake Torii).
type recorder struct {
	skip string
	mu   sync.Mutex
	reqs []*http.Request
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasPrefix(req.URL.String(), r.skip) {
		r.mu.Lock()
		r.reqs = append(r.reqs, req)
		r.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

// TestS3RefusesWrongContentType shows the test S3 checks what a real one does.
func TestS3RefusesWrongContentType(t *testing.T) {
	m := toriitest.StartMinIO(t)
	u := m.Presign(http.MethodPut, "x/y.json", "customIntegrationData", time.Minute, time.Now())
	for ctype, want := range map[string]int{"application/json": 403, "customIntegrationData": 200} {
		req, _ := http.NewRequest(http.MethodPut, u, strings.NewReader("{}"))
		req.Header.Set("Content-Type", ctype)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Content-Type %s: S3 answered %d, want %d", ctype, resp.StatusCode, want)
		}
	}
}

func TestExpiredPresignedURL(t *testing.T) {
	srv, c, _, events := setup(t, true)
	path, data := writeFile(t, "f.json", 2000)

	// Every URL has expired: a few new ones are asked for, then the upload fails.
	srv.PresignExpiry = time.Minute
	srv.Now = func() time.Time { return time.Now().Add(-time.Hour) }
	_, err := c.Upload(context.Background(), "f.json", path, torii.Presigned)
	var e *torii.Error
	if !errors.As(err, &e) || e.Status != 403 || !strings.HasPrefix(err.Error(), "uploading f.json to S3: S3 answered 403 Forbidden: AccessDenied") {
		t.Fatalf("got %v", err)
	}
	if n := strings.Count(strings.Join(*events, "\n"), "asking Torii for a new one"); n != 2 {
		t.Errorf("asked again %d times, want 2:\n%s", n, strings.Join(*events, "\n"))
	}
	if len(srv.Files()) != 0 {
		t.Error("a file was registered after S3 refused it")
	}

	// The first URL has expired, the next one works.
	srv.Now = time.Now
	srv.Inject(toriitest.Fault{Method: http.MethodGet, Path: "/files/url", Times: 1, Status: 200,
		Body: fmt.Sprintf(`{"uploadFileParameters": {"url": %q, "filePath": "old/f.json"}}`,
			toriitest.StartMinIO(t).Presign(http.MethodPut, "old/f.json", "customIntegrationData", time.Second, time.Now().Add(-time.Hour)))})
	up, err := c.Upload(context.Background(), "f.json", path, torii.Presigned)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(srv.Files()[up.FileID].Data, data) {
		t.Error("the file uploaded with the second URL is not the file")
	}
}

func TestSyncWaitsForRunningSync(t *testing.T) {
	srv, c, clock, events := setup(t, false)
	path, _ := writeFile(t, "f.json", 500)
	up, _ := c.Upload(context.Background(), "f.json", path, torii.Direct)
	srv.Inject(toriitest.Fault{Method: http.MethodPut, Path: "/services/sync/custom", Status: 409, Times: 3,
		Body: `{"statusCode": 409, "error": "Conflict", "message": "A sync is already running"}`})
	if err := c.Sync(context.Background(), up.FileID, 12345); err != nil {
		t.Fatal(err)
	}
	if len(srv.Syncs()) != 1 || len(clock.Sleeps()) != 3 {
		t.Errorf("syncs %v after waits %v", srv.Syncs(), clock.Sleeps())
	}
	if !strings.Contains(strings.Join(*events, "\n"), "another sync of app account 12345 is running; trying again in") {
		t.Errorf("the wait was not told: %q", *events)
	}

	// Busy for longer than the wait: a Busy error.
	srv.Inject(toriitest.Fault{Method: http.MethodPut, Path: "/services/sync/custom", Status: 409})
	c.Wait = 2 * time.Minute
	start := clock.Now()
	err := c.Sync(context.Background(), up.FileID, 12345)
	var e *torii.Error
	if !errors.As(err, &e) || e.Kind != torii.Busy || !strings.Contains(e.Hint, "--wait") {
		t.Fatalf("got %v", err)
	}
	if waited := clock.Now().Sub(start); waited > c.Wait || waited < c.Wait/2 {
		t.Errorf("waited %s for a wait of %s", waited, c.Wait)
	}
}

func TestRateLimit(t *testing.T) {
	srv, c, clock, _ := setup(t, false)
	srv.Inject(toriitest.Fault{Method: http.MethodGet, Path: "/orgs/my", Status: 429, Times: 1, Header: http.Header{"Retry-After": {"7"}}})
	reset := clock.Now().Add(42 * time.Second).Unix()
	srv.Inject(toriitest.Fault{Method: http.MethodGet, Path: "/orgs/my", Status: 429, Times: 1,
		Header: http.Header{"X-Rate-Limit-Reset": {fmt.Sprint(reset)}}})
	org, err := c.WhoAmI(context.Background())
	if err != nil || org.CompanyName != "Acme" {
		t.Fatal(org, err)
	}
	// The reset time is 42 s after the start, and 7 s were already waited.
	if len(clock.Sleeps()) != 2 || clock.Sleeps()[0] != 7*time.Second || clock.Sleeps()[1] < 34*time.Second || clock.Sleeps()[1] > 37*time.Second {
		t.Errorf("waited %v; want 7s as Retry-After says, then until X-Rate-Limit-Reset", clock.Sleeps())
	}
}

func TestRetries(t *testing.T) {
	srv, c, clock, _ := setup(t, false)
	path, data := writeFile(t, "f.json", 5000)
	// The upload is safe to repeat: no id came back.
	srv.Inject(toriitest.Fault{Method: http.MethodPost, Path: "/files/upload", Status: 502, Times: 1})
	srv.Inject(toriitest.Fault{Method: http.MethodPost, Path: "/files/upload", Drop: true, Times: 1})
	up, err := c.Upload(context.Background(), "f.json", path, torii.Direct)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(srv.Files()[up.FileID].Data, data) || len(srv.Files()) != 1 || len(clock.Sleeps()) != 2 {
		t.Errorf("files %d, waits %v", len(srv.Files()), clock.Sleeps())
	}
	// The sync is not: a 500 ends it, saying it may have started.
	srv.Inject(toriitest.Fault{Method: http.MethodPut, Path: "/services/sync/custom", Status: 500, Times: 1})
	err = c.Sync(context.Background(), up.FileID, 12345)
	var e *torii.Error
	if !errors.As(err, &e) || e.Status != 500 || !strings.Contains(e.Hint, "may have started") {
		t.Fatalf("got %v (%+v)", err, e)
	}
	if n := len(srv.Requests()); srv.Requests()[n-1].Path != "/services/sync/custom" || n != 4 {
		t.Errorf("%d requests; the sync was repeated", n)
	}
	// A bounded number of attempts.
	srv.Inject(toriitest.Fault{Method: http.MethodGet, Path: "/orgs/my", Status: 503})
	if _, err := c.WhoAmI(context.Background()); !errors.As(err, &e) || e.Status != 503 {
		t.Fatalf("got %v", err)
	}
}

func TestTimeout(t *testing.T) {
	srv, c, _, _ := setup(t, false)
	c.Timeout, c.Attempts = 50*time.Millisecond, 1
	srv.Inject(toriitest.Fault{Method: http.MethodGet, Path: "/orgs/my", Delay: time.Second})
	_, err := c.WhoAmI(context.Background())
	if err == nil || err.Error() != "checking the API key: no answer within 50ms" {
		t.Fatalf("got %v", err)
	}
}

func TestRefusals(t *testing.T) {
	srv, c, _, _ := setup(t, false)
	var e *torii.Error
	bad := torii.New(srv.URL, "wrong")
	if _, err := bad.WhoAmI(context.Background()); !errors.As(err, &e) || e.Kind != torii.Auth || e.Status != 401 ||
		err.Error() != "checking the API key: Torii answered 401 Unauthorized: Invalid API key" {
		t.Fatalf("got %v", err)
	}
	path, _ := writeFile(t, "f.json", 500)
	up, _ := c.Upload(context.Background(), "f.json", path, torii.Direct)
	err := c.Sync(context.Background(), up.FileID, 999)
	if !errors.As(err, &e) || e.Kind != torii.Failed || err.Error() != "syncing app account 999: Torii answered 404 Not Found: app account 999 does not exist" {
		t.Fatalf("got %v", err)
	}
	if len(srv.Requests()) != 3 {
		t.Errorf("a refused request was repeated: %d requests", len(srv.Requests()))
	}
}

func TestCancel(t *testing.T) {
	srv, c, _, _ := setup(t, false)
	c.Sleep = func(ctx context.Context, d time.Duration) error { <-ctx.Done(); return ctx.Err() }
	srv.Inject(toriitest.Fault{Method: http.MethodPut, Path: "/services/sync/custom", Status: 409})
	path, _ := writeFile(t, "f.json", 500)
	up, _ := c.Upload(context.Background(), "f.json", path, torii.Direct)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := c.Sync(ctx, up.FileID, 12345)
	var e *torii.Error
	if !errors.As(err, &e) || e.Kind != torii.Canceled || e.Step != "syncing app account 12345" {
		t.Fatalf("got %v", err)
	}
}

func TestDryRun(t *testing.T) {
	srv, c, _, _ := setup(t, false)
	var out bytes.Buffer
	c.DryRun = &out
	path, _ := writeFile(t, "f.json", 4_000_000)
	up, err := c.Upload(context.Background(), "f.json", path, torii.Auto)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Sync(context.Background(), up.FileID, 12345); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`GET %[1]s/files/url?name=f.json&type=customIntegrationData
  Authorization: Bearer ***redacted***
  Accept: application/json
PUT https://s3.amazonaws.com/(presigned URL from Torii)
  Content-Type: customIntegrationData
  Content-Length: %[2]d
  f.json (3.8 MB), without Authorization
POST %[1]s/files
  Authorization: Bearer ***redacted***
  Accept: application/json
  Content-Type: application/json
  {"path":"(file path from Torii)","type":"customIntegrationData"}
PUT %[1]s/services/sync/custom
  Authorization: Bearer ***redacted***
  Accept: application/json
  Content-Type: application/json
  {"idAppAccount":12345,"idFile":(the id of the upload)}
`, srv.URL, up.Bytes)
	if out.String() != want {
		t.Errorf("dry run:\n%s\nwant:\n%s", out.String(), want)
	}
	if len(srv.Requests()) != 0 || strings.Contains(out.String(), key) {
		t.Error("a dry run sent requests or showed the key")
	}
}

func TestNormalizeBaseURL(t *testing.T) {
	for in, want := range map[string]string{
		"": torii.DefaultBaseURL, "https://api.toriihq.com": "https://api.toriihq.com/v1.0",
		"https://api.toriihq.com/v1.0/": "https://api.toriihq.com/v1.0", "https://api.toriihq.com/beta": "https://api.toriihq.com/beta",
		"http://127.0.0.1:4010": "http://127.0.0.1:4010/v1.0",
	} {
		if got := torii.NormalizeBaseURL(in); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}
