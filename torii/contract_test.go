package torii_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/torii-convert/torii-convert/internal/httpx"
	"github.com/torii-convert/torii-convert/torii"
	"github.com/torii-convert/torii-convert/torii/toriitest"
)

// The contract tests drive the client against Prism serving Torii's own OpenAPI
// document: a request the document does not allow gets 422 (or 401 without the key),
// and fails the test.

// s3Sink stands in for S3 here. Prism's presigned URL is a placeholder ("string"),
// which the client rightly refuses: the sink puts an https URL of its own in its place
// in Prism's answer, and takes the PUT to it. Every other request goes to Prism.
type s3Sink struct{ puts []*http.Request }

const sinkURL = "https://s3.sink.test/presigned"

func (s *s3Sink) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.String() == sinkURL {
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
		s.puts = append(s.puts, req)
		return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}, Request: req}, nil
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || req.URL.Path != "/files/url" || resp.StatusCode != 200 {
		return resp, err
	}
	return rewrite(resp, func(answer map[string]any) error {
		params, _ := answer["uploadFileParameters"].(map[string]any)
		if params["url"] == nil {
			return fmt.Errorf("Prism's answer to GET /files/url has no uploadFileParameters.url: %v", answer)
		}
		params["url"] = sinkURL
		return nil
	})
}

// rewrite replaces the body of a JSON answer with what edit makes of it.
func rewrite(resp *http.Response, edit func(map[string]any) error) (*http.Response, error) {
	var answer map[string]any
	err := json.NewDecoder(resp.Body).Decode(&answer)
	resp.Body.Close()
	if err == nil {
		err = edit(answer)
	}
	if err != nil {
		return nil, err
	}
	data, _ := json.Marshal(answer)
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(data)), int64(len(data))
	resp.Header.Del("Content-Length")
	return resp, nil
}

func TestContract(t *testing.T) {
	base := toriitest.StartPrism(t)
	c := torii.New(base, key)
	c.BaseURL = base // Prism serves the document's paths at its root, without /v1.0
	ctx := context.Background()

	org, err := c.WhoAmI(ctx)
	if err != nil || org.ID == 0 {
		t.Fatalf("GET /orgs/my: %+v, %v", org, err)
	}

	path, _ := writeFile(t, "figma.json", 2000)
	up, err := c.Upload(ctx, "figma.json", path, torii.Direct)
	if err != nil || up.FileID != 1000 {
		t.Fatalf("POST /files/upload: %+v, %v", up, err)
	}

	var s3 s3Sink
	c.HTTP = &http.Client{Transport: &s3, CheckRedirect: httpx.CheckRedirect}
	up, err = c.Upload(ctx, "figma.json", path, torii.Presigned)
	if err != nil || up.FileID != 1000 || len(s3.puts) != 1 {
		t.Fatalf("GET /files/url, PUT, POST /files: %+v, %v", up, err)
	}

	if err := c.Sync(ctx, up.FileID, 12345); err != nil {
		t.Fatalf("PUT /services/sync/custom: %v", err)
	}
}

// TestContractRejects shows that the mock does hold requests to the document: the
// ids of a sync quoted as in Torii's curl example, or no key, are refused.
func TestContractRejects(t *testing.T) {
	base := toriitest.StartPrism(t)
	for _, tc := range []struct {
		auth, body string
		want       int
	}{
		{"Bearer " + key, `{"idFile": "1000", "idAppAccount": "12345"}`, 422},
		{"", `{"idFile": 1000, "idAppAccount": 12345}`, 401},
		{"Bearer " + key, `{"idFile": 1000, "idAppAccount": 12345}`, 200},
	} {
		req, _ := http.NewRequest(http.MethodPut, base+"/services/sync/custom", strings.NewReader(tc.body))
		req.Header.Set("Content-Type", "application/json")
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s (auth %v): Prism answered %d, want %d", tc.body, tc.auth != "", resp.StatusCode, tc.want)
		}
	}
}

// lastPage lets Prism's second page be its last: Prism answers the document's example,
// nextCursor included, to every page. The requests themselves go to Prism unchanged,
// which holds them to the document (the path's integer, size's maximum, cursor's pattern).
type lastPage struct{ reqs []string }

func (l *lastPage) RoundTrip(req *http.Request) (*http.Response, error) {
	l.reqs = append(l.reqs, req.URL.RequestURI())
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || req.URL.Query().Get("cursor") == "" || resp.StatusCode != 200 {
		return resp, err
	}
	return rewrite(resp, func(answer map[string]any) error {
		delete(answer, "nextCursor")
		return nil
	})
}

func TestContractAppUsers(t *testing.T) {
	base := toriitest.StartPrism(t)
	c := torii.New(base, key)
	c.BaseURL = base
	var pages lastPage
	c.HTTP = &http.Client{Transport: &pages, CheckRedirect: httpx.CheckRedirect}
	users, err := c.AppUsers(context.Background(), 1000, torii.UsersQuery{Status: "active"})
	if err != nil {
		t.Fatalf("GET /apps/{idApp}/users: %v (requests %q)", err, pages.reqs)
	}
	if len(pages.reqs) != 2 || !strings.Contains(pages.reqs[1], "cursor=") {
		t.Errorf("requests %q: want two pages, the second with the cursor", pages.reqs)
	}
	if len(users) == 0 || users[0].Email == "" {
		t.Errorf("users %+v: the document's example has an email", users)
	}
}
