package torii_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/torii-convert/torii-convert/torii"
	"github.com/torii-convert/torii-convert/torii/toriitest"
)

func appUsers(n int) []toriitest.AppUser {
	var us []toriitest.AppUser
	for i := 1; i <= n; i++ {
		u := toriitest.AppUser{IDUser: int64(i), Email: fmt.Sprintf("user%d@example.com", i), FirstName: "User", LastName: fmt.Sprint(i),
			Status: "active", IDAppAccount: 12345, LastVisitTime: "2026-11-02T10:00:00Z"}
		if i%3 == 0 {
			u.Status = "deleted"
		}
		if i%2 == 0 {
			u.Licenses = []string{"Full"}
		}
		us = append(us, u)
	}
	return us
}

// TestAppUsersPaginates lists 7 users three to a page: 3 pages, to the end.
func TestAppUsersPaginates(t *testing.T) {
	srv, c, _, events := setup(t, false)
	srv.SetAppUsers(42, appUsers(7)...)
	srv.UsersPageSize = 3
	srv.Inject(toriitest.Fault{Method: http.MethodGet, Path: "/apps/42/users", Times: 1, Status: 503}) // retried
	users, err := c.AppUsers(context.Background(), 42, torii.UsersQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 7 {
		t.Fatalf("%d users, want 7", len(users))
	}
	for i, u := range users {
		want := torii.AppUser{IDUser: int64(i + 1), Email: fmt.Sprintf("user%d@example.com", i+1), FirstName: "User", LastName: fmt.Sprint(i + 1),
			Status: "active", IDAppAccount: 12345, LastVisitTime: "2026-11-02T10:00:00Z"}
		if (i+1)%3 == 0 {
			want.Status = "deleted"
		}
		if (i+1)%2 == 0 {
			want.Licenses = []string{"Full"}
		}
		if fmt.Sprint(u) != fmt.Sprint(want) {
			t.Errorf("user %d:\n got %+v\nwant %+v", i, u, want)
		}
	}
	var paths []string
	for _, r := range srv.Requests() {
		if r.Authorization != "Bearer "+key {
			t.Errorf("%s without the key", r.Path)
		}
		paths = append(paths, r.Path)
	}
	if len(paths) != 4 { // the 503, then 3 pages
		t.Errorf("requests %q", paths)
	}
	if n := strings.Count(strings.Join(*events, "\n"), "listing the users of app 42: "); n != 2 {
		t.Errorf("progress told %d times: %q", n, *events)
	}

	// Filtered by status: the query goes to Torii.
	deleted, err := c.AppUsers(context.Background(), 42, torii.UsersQuery{Status: "deleted"})
	if err != nil || len(deleted) != 2 || deleted[0].Email != "user3@example.com" {
		t.Errorf("deleted users: %+v, %v", deleted, err)
	}
}

func TestAppUsersBounded(t *testing.T) {
	srv, c, _, _ := setup(t, false)
	srv.SetAppUsers(42, appUsers(7)...)
	srv.UsersPageSize = 3
	_, err := c.AppUsers(context.Background(), 42, torii.UsersQuery{Max: 5})
	if err == nil || err.Error() != "listing the users of app 42: the app has more than 5 users (Torii says 7), the most listed" {
		t.Errorf("got %v", err)
	}
	// A cursor given twice would never end.
	again := base64.StdEncoding.EncodeToString([]byte("offset:3"))
	srv.Inject(toriitest.Fault{Method: http.MethodGet, Path: "/apps/42/users", Status: 200,
		Body: `{"users": [{"email": "a@example.com", "status": "active"}], "nextCursor": "` + again + `"}`})
	_, err = c.AppUsers(context.Background(), 42, torii.UsersQuery{})
	if err == nil || err.Error() != "listing the users of app 42: Torii gave the cursor of page 3 again: the list would never end" {
		t.Errorf("got %v", err)
	}
}

func TestAppUsersRefusals(t *testing.T) {
	srv, c, _, _ := setup(t, false)
	srv.Inject(toriitest.Fault{Method: http.MethodGet, Path: "/apps/42/users", Times: 1, Status: 200, Body: `{"nextCursor": "abcd"}`})
	_, err := c.AppUsers(context.Background(), 42, torii.UsersQuery{})
	var e *torii.Error
	if !errors.As(err, &e) || err.Error() != `listing the users of app 42 (page 1): Torii answered 200 OK: the answer has no users list: {"nextCursor": "abcd"}` {
		t.Errorf("got %v", err)
	}
	for _, tc := range []struct {
		app    int64
		status string
		want   string
	}{
		{0, "", "listing the users of app 0: 0 is not an app id (1 to 2147483647)"},
		{1 << 31, "", "listing the users of app 2147483648: 2147483648 is not an app id (1 to 2147483647)"},
		{42, "gone", `listing the users of app 42: status "gone": want active, deleted or managed`},
	} {
		if _, err := c.AppUsers(context.Background(), tc.app, torii.UsersQuery{Status: tc.status}); err == nil || err.Error() != tc.want {
			t.Errorf("got %v, want %s", err, tc.want)
		}
	}
	bad := torii.New(srv.URL, "wrong")
	if _, err := bad.AppUsers(context.Background(), 42, torii.UsersQuery{}); !errors.As(err, &e) || e.Kind != torii.Auth {
		t.Errorf("a wrong key: %v", err)
	}
	if len(srv.Requests()) != 2 {
		t.Errorf("%d requests; a refused one was repeated or a bad query sent", len(srv.Requests()))
	}
}

// TestAppUsersPageBounded: a page of more users than asked for is refused as it is read:
// the 16 MiB a page may take would otherwise be five million {} users, 1.3 GB decoded.
func TestAppUsersPageBounded(t *testing.T) {
	srv, c, _, _ := setup(t, false)
	srv.Inject(toriitest.Fault{Method: http.MethodGet, Path: "/apps/42/users", Times: 1, Status: 200,
		Body: `{"users": [` + strings.TrimSuffix(strings.Repeat(`{"email": "a@example.com"},`, 4), ",") + `]}`})
	_, err := c.AppUsers(context.Background(), 42, torii.UsersQuery{PageSize: 3})
	want := "listing the users of app 42 (page 1): Torii answered 200 OK: the answer is not the JSON expected: a page holds more than the 3 users asked for"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	srv.Inject(toriitest.Fault{Method: http.MethodGet, Path: "/apps/42/users", Times: 1, Status: 200, Body: `{"users": null}`})
	if _, err := c.AppUsers(context.Background(), 42, torii.UsersQuery{PageSize: 3}); err == nil || !strings.Contains(err.Error(), "the answer has no users list") {
		t.Errorf("null users: %v", err)
	}
	srv.Inject(toriitest.Fault{Method: http.MethodGet, Path: "/apps/42/users", Times: 1, Status: 200, Body: `{"users": {"email": "a@example.com"}}`})
	if _, err := c.AppUsers(context.Background(), 42, torii.UsersQuery{PageSize: 3}); err == nil || !strings.Contains(err.Error(), "the answer is not the JSON expected") {
		t.Errorf("users an object: %v", err)
	}
}
