package torii

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
)

// Limits of AppUsers.
const (
	// UsersPageSize is the page asked for: the most Torii's API gives at once.
	UsersPageSize = 1000
	// MaxAppUsers is the most users AppUsers lists unless UsersQuery.Max says otherwise;
	// an app with more is an error, never a silently shortened list.
	MaxAppUsers = 1_000_000
	// usersPageBytes bounds the answer of one page: 1000 users of about 1 kB each.
	usersPageBytes = 16 << 20
)

// AppUser is one of an app's users as Torii holds them (GET /apps/{idApp}/users). Times
// are as Torii writes them (RFC 3339); empty when absent.
type AppUser struct {
	IDUser         int64  `json:"idUser"`
	Email          string `json:"email"`
	FirstName      string `json:"firstName"`
	LastName       string `json:"lastName"`
	FullName       string `json:"fullName"`
	Status         string `json:"status"` // active, deleted or managed
	ExternalStatus string `json:"externalStatus"`
	Role           string `json:"role"`
	LastVisitTime  string `json:"lastVisitTime"`
	IDExternalUser string `json:"idExternalUser"`
	IDAppAccount   int64  `json:"idAppAccount"`
	AppAccountName string `json:"appAccountName"`
	// Removed: Torii has seen the user removed from the app.
	Removed bool `json:"isUserRemovedFromApp"`
	// Licenses are the names of the user's licenses, when Torii sends them: its document
	// does not say their shape, so each item that is a string, or an object's "name", is
	// taken.
	Licenses []string `json:"-"`
}

// UsersQuery narrows AppUsers.
type UsersQuery struct {
	Status string // "" for all, or active, deleted, managed
	// Max is the most users listed (0: MaxAppUsers); more is an error.
	Max int
	// PageSize is the page asked for (0: UsersPageSize); for tests.
	PageSize int
}

// AppUsers lists every user of an app, page after page (Torii's nextCursor) to the
// end, each page a request with the same key, timeout and retries as the others. More
// than q.Max users, a cursor Torii gives twice, or an answer without a users list is an
// error: the list is complete or there is none.
func (c *Client) AppUsers(ctx context.Context, idApp int64, q UsersQuery) ([]AppUser, error) {
	step := fmt.Sprintf("listing the users of app %d", idApp)
	limit, size, err := q.bounds(idApp, step)
	if err != nil {
		return nil, err
	}
	var users []AppUser
	seen := map[string]bool{}
	cursor := ""
	for page := 1; ; page++ {
		answer, err := c.usersPage(ctx, idApp, q.Status, cursor, size, fmt.Sprintf("%s (page %d)", step, page))
		if err != nil || c.DryRun != nil {
			return nil, err
		}
		if len(users)+len(answer.Users.users) > limit {
			says := ""
			if answer.Total > 0 {
				says = fmt.Sprintf(" (Torii says %d)", answer.Total)
			}
			return nil, &Error{Step: step, Message: fmt.Sprintf("the app has more than %d users%s, the most listed", limit, says)}
		}
		for _, u := range answer.Users.users {
			users = append(users, u.plain())
		}
		if answer.NextCursor == "" || len(answer.Users.users) == 0 {
			return users, nil
		}
		if seen[answer.NextCursor] {
			return nil, &Error{Step: step, Message: fmt.Sprintf("Torii gave the cursor of page %d again: the list would never end", page+1)}
		}
		seen[answer.NextCursor] = true
		cursor = answer.NextCursor
		c.notify(Event{Step: "users", Message: fmt.Sprintf("%s: %d so far", step, len(users))})
	}
}

// bounds checks a query and gives the most users to list and the size of a page.
func (q UsersQuery) bounds(idApp int64, step string) (limit, size int, err error) {
	if idApp <= 0 || idApp > math.MaxInt32 {
		return 0, 0, &Error{Step: step, Message: fmt.Sprintf("%d is not an app id (1 to %d)", idApp, math.MaxInt32)}
	}
	switch q.Status {
	case "", "active", "deleted", "managed":
	default:
		return 0, 0, &Error{Step: step, Message: fmt.Sprintf("status %q: want active, deleted or managed", q.Status)}
	}
	limit, size = q.Max, q.PageSize
	if limit <= 0 {
		limit = MaxAppUsers
	}
	if size <= 0 || size > UsersPageSize {
		size = UsersPageSize
	}
	return limit, size, nil
}

// usersPage is one page of GET /apps/{idApp}/users.
type usersPage struct {
	Users      pageUsers `json:"users"`
	Total      int       `json:"total"`
	NextCursor string    `json:"nextCursor"`
}

// pageUsers decodes the users of a page one at a time, refusing more than max of them as
// they come: the 16 MiB a page may take would hold five million {} users, 1.3 GB once
// decoded.
type pageUsers struct {
	max   int
	found bool // the answer has a users list (null is none)
	users []appUser
}

func (p *pageUsers) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return err
	}
	if tok != json.Delim('[') {
		return errors.New("users is not a list")
	}
	p.found = true
	for dec.More() {
		if len(p.users) == p.max {
			return fmt.Errorf("a page holds more than the %d users asked for", p.max)
		}
		var u appUser
		if err := dec.Decode(&u); err != nil {
			return err
		}
		p.users = append(p.users, u)
	}
	_, err = dec.Token()
	return err
}

func (c *Client) usersPage(ctx context.Context, idApp int64, status, cursor string, size int, step string) (*usersPage, error) {
	v := url.Values{"size": {strconv.Itoa(size)}}
	if status != "" {
		v.Set("status", status)
	}
	if cursor != "" {
		v.Set("cursor", cursor)
	}
	var answer usersPage
	answer.Users.max = size
	err := c.do(ctx, request{step: step, method: http.MethodGet,
		url: fmt.Sprintf("%s/apps/%d/users?%s", c.BaseURL, idApp, v.Encode()), safe: true, limit: usersPageBytes,
		placeholder: `{"users": []}`,
		check: func() string {
			if !answer.Users.found {
				return "has no users list"
			}
			return ""
		}}, &answer)
	return &answer, err
}

// appUser is AppUser as Torii sends it, licenses of a shape not documented: names,
// or objects with a name.
type appUser struct {
	AppUser
	Licenses []any `json:"licenses"`
}

func (u appUser) plain() AppUser {
	out := u.AppUser
	for _, l := range u.Licenses {
		name, _ := l.(string)
		if m, ok := l.(map[string]any); ok {
			name, _ = m["name"].(string)
		}
		if name != "" {
			out.Licenses = append(out.Licenses, name)
		}
	}
	return out
}
