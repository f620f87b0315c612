// Package ipextest is a fake Helpdesk IPEX for tests: a stateful requestor import that
// enforces what the API documents (Basic auth, a JSON array of at most 100 users,
// integer JSON-Patch operations, paths that are JSON pointers) and injects what real
// servers do (401, 429 with Retry-After, 503, a dropped connection, users it refuses,
// usernames another user holds).
package ipextest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
)

// What the API documents, written here again rather than taken from the client: a fake
// built from the client would agree with its bugs.
const (
	// Endpoint is the import's path.
	Endpoint = "/api/Import/SyncRequestorUsers"
	// MaxBatch is the most users a request may carry.
	MaxBatch                   = 100
	opAdd, opRemove, opReplace = 0, 1, 2
)

// post is one user of a request, as the API documents RequestorUserImportPost.
type post struct {
	UserProviderKey, ExternalID, Email string
	Operations                         []operation
}

type operation struct {
	code  int
	path  string
	value any
}

// result is the answer for one user, as the API documents SyncRequestorUserResult.
type result struct {
	Username                string  `json:"Username"`
	Success                 bool    `json:"Success"`
	ErrorMessage            *string `json:"ErrorMessage"`
	UserProviderKey         *string `json:"UserProviderKey"`
	UserProviderKeyConflict *string `json:"UserProviderKeyConflict"`
	CustomerID              *int64  `json:"CustomerId"`
	ExternalID              *string `json:"ExternalId"`
}

// Fault is an answer the server gives to the next request instead of handling it.
type Fault struct {
	Status     int    // 401, 429, 503, ...
	RetryAfter string // the Retry-After header, if any
	Drop       bool   // close the connection without an answer
	Message    string // the answer's message; default: the status's text
}

// Common faults.
var (
	Unauthorized = Fault{Status: http.StatusUnauthorized}
	Unavailable  = Fault{Status: http.StatusServiceUnavailable}
	Dropped      = Fault{Drop: true}
	// Pass lets a request through: ahead of a fault, it makes the fault hit a later one.
	Pass = Fault{}
)

// TooMany is a 429 asking to wait seconds.
func TooMany(seconds int) Fault {
	return Fault{Status: http.StatusTooManyRequests, RetryAfter: fmt.Sprint(seconds)}
}

// Requestor is a user the fake helpdesk holds.
type Requestor struct {
	Key        string         `json:"key"`
	Email      string         `json:"email"`
	ExternalID string         `json:"externalId"`
	Fields     map[string]any `json:"fields"`
	Writes     int            `json:"writes"` // creates and updates
}

// Server is the fake helpdesk.
type Server struct {
	URL            string
	User, Password string

	mu       sync.Mutex
	users    map[string]*Requestor // by key
	byName   map[string]string     // email, lower case, to key
	faults   []Fault
	failures map[string]string // email to the message its users fail with
	requests int
	sizes    []int
	next     int
}

// New starts a fake helpdesk on loopback for the test's lifetime.
func New(t testing.TB, user, password string) *Server {
	s := NewServer(user, password)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// NewServer returns the fake's handler, for callers that serve it themselves.
func NewServer(user, password string) *Server {
	return &Server{User: user, Password: password, users: map[string]*Requestor{}, byName: map[string]string{},
		failures: map[string]string{}}
}

// Inject queues faults: each answers one request, in order.
func (s *Server) Inject(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f...)
}

// FailUser makes every request for a user fail, with a message (an empty one stops it).
func (s *Server) FailUser(email, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if message == "" {
		delete(s.failures, strings.ToLower(email))
		return
	}
	s.failures[strings.ToLower(email)] = message
}

// Seed adds a user made elsewhere (by hand, by another tool): a sync that does not know
// its key finds its username taken. It returns the key.
func (s *Server) Seed(email string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.create(post{Email: email, ExternalID: email}, nil).Key
}

// Users returns the users held, by email.
func (s *Server) Users() []Requestor {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Requestor, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Email < out[j].Email })
	return out
}

// Requests returns the number of requests that reached the import, faults included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Sizes returns the number of users of each batch the import handled, in order.
func (s *Server) Sizes() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.sizes...)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != Endpoint {
		http.Error(w, `{"Message":"No HTTP resource was found that matches the request URI"}`, http.StatusNotFound)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, `{"Message":"The requested resource does not support http method '`+r.Method+`'."}`, http.StatusMethodNotAllowed)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if len(s.faults) > 0 {
		f := s.faults[0]
		s.faults = s.faults[1:]
		if f != Pass {
			s.fault(w, f)
			return
		}
	}
	s.handle(w, r)
}

func (s *Server) fault(w http.ResponseWriter, f Fault) {
	{
		if f.Drop {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.Status)
		msg := f.Message
		if msg == "" {
			msg = http.StatusText(f.Status)
		}
		json.NewEncoder(w).Encode(map[string]string{"Message": msg})
	}
}

// handle is the import itself.
func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	user, password, ok := r.BasicAuth()
	if !ok || user != s.User || password != s.Password {
		w.Header().Set("WWW-Authenticate", `Basic realm="helpdesk"`)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"Message":"Authorization has been denied for this request."}`))
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "text/json") {
		badRequest(w, fmt.Sprintf("unsupported Content-Type %q", ct))
		return
	}
	batch, err := decode(r)
	if err != nil {
		badRequest(w, err.Error())
		return
	}
	s.sizes = append(s.sizes, len(batch))
	var answer struct{ RequestorUsers []result }
	answer.RequestorUsers = make([]result, len(batch))
	for i, u := range batch {
		answer.RequestorUsers[i] = s.apply(u)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(answer)
}

func badRequest(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]string{"Message": msg})
}

// decode reads a body as the API documents it, strictly.
func decode(r *http.Request) ([]post, error) {
	var raw []struct {
		UserProviderKey *string
		ExternalId      *string
		Email           *string
		Operations      []map[string]json.RawMessage
	}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 16<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("the body is not an array of RequestorUserImportPost: %v", err)
	}
	if len(raw) > MaxBatch {
		return nil, fmt.Errorf("Max bulk size is %d users, got %d", MaxBatch, len(raw))
	}
	out := make([]post, len(raw))
	for i, u := range raw {
		out[i] = post{UserProviderKey: deref(u.UserProviderKey), ExternalID: deref(u.ExternalId), Email: deref(u.Email)}
		for j, op := range u.Operations {
			at := fmt.Sprintf("[%d].Operations[%d]", i, j)
			for k := range op {
				switch k {
				case "Operation", "FromPath", "ParsedFromPath", "Path", "ParsedPath", "Value":
				default:
					return nil, fmt.Errorf("%s: unknown member %q", at, k)
				}
			}
			var code int
			if err := json.Unmarshal(op["Operation"], &code); err != nil || bytes.ContainsAny(op["Operation"], `".eE`) {
				return nil, fmt.Errorf("%s.Operation: %s is not an operation number", at, op["Operation"])
			}
			if code < 0 || code > 4 {
				return nil, fmt.Errorf("%s.Operation: %d is not an operation", at, code)
			}
			var path string
			if err := json.Unmarshal(op["Path"], &path); err != nil || !strings.HasPrefix(path, "/") {
				return nil, fmt.Errorf("%s.Path: %s is not a JSON pointer", at, op["Path"])
			}
			var value any
			if v, ok := op["Value"]; ok {
				json.Unmarshal(v, &value)
			}
			out[i].Operations = append(out[i].Operations, operation{code: code, path: path, value: value})
		}
	}
	return out, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// apply creates or updates one user. Optional fields not given are cleared, as the API
// says: an update replaces every field.
func (s *Server) apply(u post) result {
	name := strings.ToLower(u.Email)
	res := result{Username: u.Email}
	fail := func(msg string) result {
		res.ErrorMessage = &msg
		return res
	}
	if u.Email == "" {
		return fail("Email is required")
	}
	if msg, ok := s.failures[name]; ok {
		return fail(msg)
	}
	fields := map[string]any{}
	for _, op := range u.Operations {
		switch op.code {
		case opAdd, opReplace:
			fields[op.path] = op.value
		case opRemove:
			delete(fields, op.path)
		}
	}
	owner, taken := s.byName[name]
	var req *Requestor
	switch {
	case u.UserProviderKey == "" && taken:
		res.UserProviderKeyConflict = &owner
		return fail("Username " + u.Email + " is already taken")
	case u.UserProviderKey == "":
		req = s.create(u, fields)
	default:
		var ok bool
		if req, ok = s.users[u.UserProviderKey]; !ok {
			return fail("no user has the UserProviderKey " + u.UserProviderKey)
		}
		if taken && owner != req.Key {
			res.UserProviderKeyConflict = &owner
			return fail("Username " + u.Email + " is already taken")
		}
		delete(s.byName, strings.ToLower(req.Email))
		s.byName[name] = req.Key
		req.Email, req.ExternalID, req.Fields = u.Email, u.ExternalID, fields
		req.Writes++
	}
	key := req.Key
	res.Success = true
	res.UserProviderKey = &key
	id := int64(len(s.users))
	res.CustomerID = &id
	return res
}

func (s *Server) create(u post, fields map[string]any) *Requestor {
	s.next++
	req := &Requestor{Key: fmt.Sprintf("00000000-0000-4000-8000-%012d", s.next), Email: u.Email, ExternalID: u.ExternalID, Fields: fields, Writes: 1}
	s.users[req.Key] = req
	s.byName[strings.ToLower(u.Email)] = req.Key
	return req
}
