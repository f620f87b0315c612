package ipex_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/torii-convert/torii-convert/internal/httpx"
	"github.com/torii-convert/torii-convert/ipex"
	"github.com/torii-convert/torii-convert/ipex/ipextest"
)

const (
	login    = "api-sync"
	password = "pw-NEVER-shown-7c1e"
)

// people is an input of n users, user i at row i+2, with a phone every other user.
type people struct{ n int }

func (p people) Len() int { return p.n }
func (p people) User(i int) ipex.User {
	phone := ""
	if i%2 == 0 {
		phone = fmt.Sprintf("+420 %06d", i)
	}
	return ipex.User{Email: fmt.Sprintf("user%d@example.com", i), Row: i + 2,
		Fields: []ipex.Field{{Path: "/FirstName", Value: fmt.Sprint("First", i)}, {Path: "/LastName", Value: "Last"}, {Path: "/Phone", Value: phone}}}
}

func newClient(t *testing.T, srv *ipextest.Server) *ipex.Client {
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	c := ipex.New(u, login, password)
	c.HTTP.Timeout, c.HTTP.Wait = 5*time.Second, time.Minute
	c.HTTP.Sleep = func(context.Context, time.Duration) error { return nil } // waits are counted, not slept
	return c
}

func keys(t *testing.T) *ipex.Keys {
	k, err := ipex.LoadKeys(filepath.Join(t.TempDir(), "keys.json"), "helpdesk.test")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSyncBatchesInOrderThenUpdates(t *testing.T) {
	srv := ipextest.New(t, login, password)
	c := newClient(t, srv)
	k := keys(t)
	var progress []string
	s, err := c.Sync(context.Background(), people{250}, ipex.Options{BatchSize: 100, Keys: k,
		Progress: func(i, n int) { progress = append(progress, fmt.Sprintf("%d/%d", i, n)) }})
	if err != nil {
		t.Fatal(err)
	}
	if s.Batches != 3 || s.Created != 250 || s.Updated != 0 || len(s.Failed) != 0 {
		t.Errorf("first run: %+v", s)
	}
	if got := fmt.Sprint(srv.Sizes()); got != "[100 100 50]" {
		t.Errorf("batch sizes %s, want [100 100 50]", got)
	}
	if got := strings.Join(progress, " "); got != "1/3 2/3 3/3" {
		t.Errorf("progress %q", got)
	}
	users := srv.Users()
	if len(users) != 250 {
		t.Fatalf("the helpdesk holds %d users, want 250", len(users))
	}
	// Every field is sent, empty ones as empty values.
	for _, u := range users {
		if len(u.Fields) != 3 {
			t.Fatalf("%s has fields %v, want /FirstName, /LastName and /Phone", u.Email, u.Fields)
		}
	}
	// The keys were saved, and a second run with them only updates.
	again, err := ipex.LoadKeys(k.Path, "helpdesk.test")
	if err != nil || again.Len() != 250 {
		t.Fatalf("keys file holds %d keys (%v), want 250", again.Len(), err)
	}
	s, err = c.Sync(context.Background(), people{250}, ipex.Options{BatchSize: 7, Keys: again})
	if err != nil {
		t.Fatal(err)
	}
	if s.Batches != 36 || s.Created != 0 || s.Updated != 250 || len(srv.Users()) != 250 {
		t.Errorf("second run: %+v, %d users held", s, len(srv.Users()))
	}
}

func TestSyncFailures(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(*ipextest.Server)
		opts   ipex.Options
		kind   ipex.Kind
		err    string // "" for no error
		failed string // the failures, email: message
		sent   int
		notes  string // what was said of retries
	}{
		{name: "401 names the user", setup: func(s *ipextest.Server) { s.Inject(ipextest.Unauthorized) },
			kind: ipex.Auth, err: `sending batch 1 of 3 (rows 2-4): the helpdesk answered 401 Unauthorized: the helpdesk refused the user "api-sync"`},
		{name: "400 is not retried and names the rows", setup: func(s *ipextest.Server) { s.Inject(ipextest.Pass, ipextest.Fault{Status: 400}) },
			kind: ipex.Failed, err: "sending batch 2 of 3 (rows 5-7): the helpdesk answered 400 Bad Request: Bad Request", sent: 3},
		{name: "429 with Retry-After, 503 and a dropped connection are retried",
			setup: func(s *ipextest.Server) { s.Inject(ipextest.TooMany(0), ipextest.Dropped, ipextest.Unavailable) }, sent: 8,
			notes: "sending batch 1 of 3 (rows 2-4): the helpdesk's rate limit; trying again in 0s\n" +
				"sending batch 1 of 3 (rows 2-4): the connection was closed before the answer; trying again in 1s\n" +
				"sending batch 1 of 3 (rows 2-4): the helpdesk answered 503; trying again in 2s\n"},
		{name: "one user fails, the others do not", setup: func(s *ipextest.Server) { s.FailUser("user3@example.com", "Email domain is not allowed") },
			failed: "user3@example.com row 5: Email domain is not allowed", sent: 8},
		{name: "a username taken by another user", setup: func(s *ipextest.Server) { s.Seed("USER1@example.com") },
			failed: "user1@example.com row 3: Username user1@example.com is already taken (username taken by another helpdesk user, key 00000000-0000-4000-8000-000000000001; --adopt-conflicts updates that user instead)", sent: 8},
		{name: "--adopt-conflicts updates it", setup: func(s *ipextest.Server) { s.Seed("user1@example.com") },
			opts: ipex.Options{AdoptConflicts: true}, sent: 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := ipextest.New(t, login, password)
			tt.setup(srv)
			c := newClient(t, srv)
			var notes bytes.Buffer
			c.HTTP.Notify = func(ev httpx.Event) { fmt.Fprintln(&notes, ev.Message) }
			tt.opts.BatchSize, tt.opts.Keys = 3, keys(t)
			s, err := c.Sync(context.Background(), people{8}, tt.opts)
			var e *ipex.Error
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.err != "" && (!errors.As(err, &e) || e.Kind != tt.kind || err.Error() != tt.err):
				t.Fatalf("error %v, want %q", err, tt.err)
			}
			var failed []string
			for _, f := range s.Failed {
				failed = append(failed, fmt.Sprintf("%s row %d: %s", f.Email, f.Row, f.Message))
			}
			if got := strings.Join(failed, "\n"); got != tt.failed {
				t.Errorf("failed:\n%s\nwant:\n%s", got, tt.failed)
			}
			backoff := regexp.MustCompile(`in [0-9][0-9.]*m?s\n`) // jittered
			if got := backoff.ReplaceAllString(notes.String(), "in a while\n"); got != backoff.ReplaceAllString(tt.notes, "in a while\n") {
				t.Errorf("notes:\n%s\nwant:\n%s", notes.String(), tt.notes)
			}
			if s.Sent != tt.sent {
				t.Errorf("sent %d users, want %d", s.Sent, tt.sent)
			}
			if all := fmt.Sprint(err) + notes.String(); strings.Contains(all, password) {
				t.Errorf("the password is in %q", all)
			}
			if tt.opts.AdoptConflicts && (s.Updated != 1 || s.Created != 7 || len(srv.Users()) != 8) {
				t.Errorf("adopting: %+v, %d users held", s, len(srv.Users()))
			}
		})
	}
}

func TestSyncStopsBetweenBatchesWhenInterrupted(t *testing.T) {
	srv := ipextest.New(t, login, password)
	c := newClient(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	k := keys(t)
	onDisk := -1
	s, err := c.Sync(ctx, people{10}, ipex.Options{BatchSize: 4, Keys: k, Progress: func(i, n int) {
		if i == 3 {
			// What a run killed now would leave: the keys of every batch answered.
			saved, err := ipex.LoadKeys(k.Path, "helpdesk.test")
			if err != nil {
				t.Fatal(err)
			}
			onDisk = saved.Len()
			cancel()
		}
	}})
	if onDisk != 8 {
		t.Errorf("after two batches the keys file holds %d keys, want 8", onDisk)
	}
	var e *ipex.Error
	if !errors.As(err, &e) || e.Kind != ipex.Canceled {
		t.Fatalf("error %v, want an interruption", err)
	}
	if s.Sent != 8 || len(srv.Users()) != 8 {
		t.Errorf("sent %d, helpdesk holds %d; want 8 and 8", s.Sent, len(srv.Users()))
	}
	if !strings.Contains(err.Error(), "before batch 3 of 3: interrupted; 8 of 10 users were sent, in 2 requests") {
		t.Errorf("message %q does not say what was sent", err)
	}
}

func TestDryRunShowsEveryBatchAndNoPassword(t *testing.T) {
	srv := ipextest.New(t, login, password)
	c := newClient(t, srv)
	var out bytes.Buffer
	c.HTTP.DryRun = &out
	s, err := c.Sync(context.Background(), people{3}, ipex.Options{BatchSize: 2, Keys: keys(t)})
	if err != nil || s.Batches != 2 || srv.Requests() != 0 {
		t.Fatalf("dry run: %+v, %v, %d requests reached the helpdesk", s, err, srv.Requests())
	}
	got := out.String()
	if strings.Count(got, "POST "+srv.URL+ipex.Endpoint+"\n  Authorization: Basic ***redacted***\n") != 2 || strings.Contains(got, password) {
		t.Errorf("dry run printed:\n%s", got)
	}
	if !strings.Contains(got, "\n          \"Operation\": 0,\n          \"Path\": \"/Phone\",\n          \"Value\": \"\"\n") {
		t.Errorf("dry run does not show the empty phone of user 1 pretty:\n%s", got)
	}
}

func TestCheckURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://acme.ipexhelpdesk.cz/": "",
		"http://127.0.0.1:8080":         "",
		"http://localhost:1":            "",
		"http://[::1]:1":                "",
		"http://acme.ipexhelpdesk.cz":   "is plain http",
		"ftp://acme":                    "is not an http(s) URL",
		"https://u:p@acme":              "holds a user name",
	} {
		_, err := ipex.CheckURL(raw)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("CheckURL(%q) = %v, want %q", raw, err, want)
		}
		if err != nil && strings.Contains(err.Error(), ":p@") {
			t.Errorf("CheckURL(%q) shows the password: %v", raw, err)
		}
	}
}

func TestKeysFileOfAnotherHostIsRefused(t *testing.T) {
	k := keys(t)
	k.Set("Ada@Example.com", "k1")
	if err := k.Save(); err != nil {
		t.Fatal(err)
	}
	if _, err := ipex.LoadKeys(k.Path, "other.test"); err == nil || !strings.Contains(err.Error(), "holds the keys of helpdesk.test") {
		t.Errorf("another host's keys: %v", err)
	}
	again, err := ipex.LoadKeys(k.Path, "helpdesk.test")
	if err != nil || again.Get("ada@example.COM") != "k1" {
		t.Errorf("keys read back: %v, %q", err, again.Get("ada@example.com"))
	}
	if st, err := os.Stat(k.Path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("keys file mode: %v %v", st.Mode(), err)
	}
}

// A run killed while appending a batch's keys leaves a last line cut short: it is
// ignored, and the next rewrite drops it. A bad line elsewhere is not a keys file.
func TestKeysFileCutShort(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	head := `{"host":"helpdesk.test"}` + "\n" + `{"email":"ada@example.com","key":"k1"}` + "\n"
	os.WriteFile(path, []byte(head+`{"email":"bob@exa`), 0o600)
	k, err := ipex.LoadKeys(path, "helpdesk.test")
	if err != nil || k.Len() != 1 || k.Get("ada@example.com") != "k1" {
		t.Fatalf("cut short: %v, %d keys", err, k.Len())
	}
	k.Set("bob@example.com", "k2")
	if err := k.Save(); err != nil {
		t.Fatal(err)
	}
	k.Set("cy@example.com", "k3")
	if err := k.Save(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	want := head + `{"email":"bob@example.com","key":"k2"}` + "\n" + `{"email":"cy@example.com","key":"k3"}` + "\n"
	if string(data) != want {
		t.Errorf("keys file:\n%s\nwant:\n%s", data, want)
	}
	os.WriteFile(path, []byte(head+"garbage\n"+`{"email":"bob@example.com","key":"k2"}`+"\n"), 0o600)
	if _, err := ipex.LoadKeys(path, "helpdesk.test"); err == nil || !strings.Contains(err.Error(), "keys.json:3: not {") {
		t.Errorf("a bad line: %v", err)
	}
}

// A redirect is never followed with the password: the POST is not sent elsewhere.
func TestRedirectIsNotFollowed(t *testing.T) {
	other := ipextest.New(t, login, password)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	u, _ := url.Parse(redirect.URL)
	c := ipex.New(u, login, password)
	_, err := c.Sync(context.Background(), people{1}, ipex.Options{Keys: keys(t)})
	var e *ipex.Error
	if !errors.As(err, &e) || e.Kind != ipex.Failed || !strings.Contains(err.Error(), "redirect") {
		t.Errorf("error %v, want a refused redirect", err)
	}
	if other.Requests() != 0 {
		t.Errorf("the redirect was followed: %d requests reached the other server", other.Requests())
	}
}

// FuzzLoadKeys: any file is read or refused with an error, never a panic, and what is
// read is written back and read again the same.
func FuzzLoadKeys(f *testing.F) {
	f.Add([]byte(`{"host":"h"}` + "\n" + `{"email":"a@b.c","key":"k"}` + "\n"))
	f.Add([]byte(`{"host":"h"}` + "\n" + `{"email":"a@b.c","key":"k"}` + "\n" + `{"email":"x`))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "keys.jsonl")
		os.WriteFile(path, data, 0o600)
		k, err := ipex.LoadKeys(path, "h")
		if err != nil {
			return
		}
		if err := k.Compact(); err != nil {
			t.Fatal(err)
		}
		again, err := ipex.LoadKeys(path, "h")
		if err != nil || again.Len() != k.Len() {
			t.Fatalf("read back: %v, %d keys, want %d", err, again.Len(), k.Len())
		}
	})
}
