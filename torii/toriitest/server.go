// Package toriitest is a fake Torii for tests: the Files and Services API and the
// listing of an app's users, with state (files, app accounts, syncs, app users, paged)
// and faults to inject, its presigned uploads going to a real
// MinIO that checks signatures and expiry as S3 does; and the real servers the tests run
// (MinIO, and Prism serving Torii's OpenAPI document).
package toriitest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a fake Torii. Its base URL is URL (with /v1.0).
type Server struct {
	URL string
	Key string // the API key it accepts
	// PresignExpiry is how long its presigned URLs last, from Now.
	PresignExpiry time.Duration
	Now           func() time.Time
	// UsersPageSize, when set, caps the pages of GET /apps/{idApp}/users below the size
	// asked for, so that a few users make several pages.
	UsersPageSize int

	srv   *httptest.Server
	store *MinIO
	mu    sync.Mutex
	files map[int64]File
	next  int64
	apps  map[int64]bool
	users map[int64][]AppUser // by app id
	syncs []Sync
	fault []*Fault
	log   []Request
}

// File is a file Torii holds.
type File struct {
	ID   int64
	Name string
	Type string
	Data []byte
	Via  string // "direct" or "presigned"
}

// Sync is a sync Torii accepted.
type Sync struct{ FileID, AppAccount int64 }

// Request is what the server received, for assertions.
type Request struct {
	Method, Path  string
	Authorization string
	ContentType   string
	Body          []byte
}

// Fault makes the server misbehave on matching requests, Times times (0: always).
type Fault struct {
	Method, Path string      // the path without /v1.0, like /services/sync/custom
	Status       int         // answer with this status (and Body)
	Header       http.Header // on that answer, like Retry-After
	Body         string
	Drop         bool          // close the connection without an answer, after reading the request
	Delay        time.Duration // answer only after this long (or never, if the client gives up first)
	Times        int
	used         int
}

// New starts a fake Torii that accepts key and knows the given app accounts. Presigned
// uploads need store; without it GET /files/url answers 500.
func New(tb testing.TB, key string, store *MinIO, appAccounts ...int64) *Server {
	s := &Server{Key: key, store: store, files: map[int64]File{}, next: 1000, apps: map[int64]bool{}, users: map[int64][]AppUser{},
		PresignExpiry: 5 * time.Minute, Now: time.Now}
	for _, a := range appAccounts {
		s.apps[a] = true
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + "/v1.0"
	tb.Cleanup(s.srv.Close)
	return s
}

// AppUser is one of an app's users, as GET /apps/{idApp}/users answers.
type AppUser struct {
	IDUser         int64    `json:"idUser"`
	Email          string   `json:"email"`
	FirstName      string   `json:"firstName,omitempty"`
	LastName       string   `json:"lastName,omitempty"`
	Status         string   `json:"status"`
	ExternalStatus string   `json:"externalStatus,omitempty"`
	LastVisitTime  string   `json:"lastVisitTime,omitempty"`
	IDAppAccount   int64    `json:"idAppAccount"`
	Licenses       []string `json:"-"`
}

// SetAppUsers gives an app its users, in the order they are listed.
func (s *Server) SetAppUsers(idApp int64, users ...AppUser) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[idApp] = users
}

// Inject adds a fault.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = append(s.fault, &f)
}

// Files returns the files Torii holds, by id.
func (s *Server) Files() map[int64]File {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int64]File{}
	for k, v := range s.files {
		out[k] = v
	}
	return out
}

// Syncs returns the syncs Torii accepted.
func (s *Server) Syncs() []Sync {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sync(nil), s.syncs...)
}

// Requests returns what the server received.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path := strings.TrimPrefix(r.URL.Path, "/v1.0")
	s.mu.Lock()
	s.log = append(s.log, Request{Method: r.Method, Path: path, Authorization: r.Header.Get("Authorization"),
		ContentType: r.Header.Get("Content-Type"), Body: body})
	f := s.matchFault(r.Method, path)
	s.mu.Unlock()
	if f != nil {
		if f.Delay > 0 {
			select {
			case <-time.After(f.Delay):
			case <-r.Context().Done():
				return
			}
		}
		if f.Drop {
			if hj, ok := w.(http.Hijacker); ok {
				conn, _, _ := hj.Hijack()
				conn.Close()
				return
			}
		}
		if f.Status != 0 {
			for k, v := range f.Header {
				w.Header()[k] = v
			}
			answer(w, f.Status, f.Body)
			return
		}
	}
	if r.Header.Get("Authorization") != "Bearer "+s.Key {
		problem(w, http.StatusUnauthorized, "Unauthorized", "Invalid API key")
		return
	}
	switch {
	case r.Method == http.MethodGet && path == "/orgs/my":
		answer(w, http.StatusOK, `{"org": {"id": 1, "companyName": "Acme", "domain": "acme.example", "creationTime": "2020-01-01"}}`)
	case r.Method == http.MethodPost && path == "/files/upload":
		s.upload(w, r, body)
	case r.Method == http.MethodGet && path == "/files/url":
		s.presign(w, r)
	case r.Method == http.MethodPost && path == "/files":
		s.register(w, body)
	case r.Method == http.MethodPut && path == "/services/sync/custom":
		s.sync(w, body)
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/apps/") && strings.HasSuffix(path, "/users"):
		s.appUsers(w, r, strings.TrimSuffix(strings.TrimPrefix(path, "/apps/"), "/users"))
	default:
		problem(w, http.StatusNotFound, "Not Found", "no route "+r.Method+" "+path)
	}
}

func (s *Server) matchFault(method, path string) *Fault {
	for _, f := range s.fault {
		if f.Method == method && f.Path == path && (f.Times == 0 || f.used < f.Times) {
			f.used++
			return f
		}
	}
	return nil
}

func answer(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func problem(w http.ResponseWriter, status int, kind, msg string) {
	b, _ := json.Marshal(map[string]any{"statusCode": status, "error": kind, "message": msg})
	answer(w, status, string(b))
}

func (s *Server) add(f File) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	f.ID = s.next
	s.files[f.ID] = f
	return f.ID
}

// upload takes multipart/form-data with the field type first, then the file.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, body []byte) {
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	mr, err := r.MultipartReader()
	if err != nil {
		problem(w, http.StatusBadRequest, "Bad Request", "expected multipart/form-data: "+err.Error())
		return
	}
	var typ, name string
	var data []byte
	for i := 0; ; i++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			problem(w, http.StatusBadRequest, "Bad Request", err.Error())
			return
		}
		v, _ := io.ReadAll(p)
		switch {
		case p.FormName() == "type" && i == 0:
			typ = string(v)
		case p.FormName() == "file" && typ != "":
			name, data = p.FileName(), v
		default:
			problem(w, http.StatusBadRequest, "Bad Request", "expected the field type, then file")
			return
		}
	}
	if typ != "customIntegrationData" || data == nil {
		problem(w, http.StatusBadRequest, "Bad Request", fmt.Sprintf("type %q and a file are required", typ))
		return
	}
	id := s.add(File{Name: name, Type: typ, Data: data, Via: "direct"})
	answer(w, http.StatusCreated, fmt.Sprintf(`{"id": %d}`, id))
}

func (s *Server) presign(w http.ResponseWriter, r *http.Request) {
	name, typ := r.URL.Query().Get("name"), r.URL.Query().Get("type")
	if name == "" || typ == "" {
		problem(w, http.StatusBadRequest, "Bad Request", "name and type are required")
		return
	}
	if s.store == nil {
		problem(w, http.StatusInternalServerError, "Internal Server Error", "no file store")
		return
	}
	path := fmt.Sprintf("%d/%s", time.Now().UnixNano(), name)
	u := s.store.Presign(http.MethodPut, path, typ, s.PresignExpiry, s.Now())
	b, _ := json.Marshal(map[string]any{"uploadFileParameters": map[string]string{"url": u, "filePath": path}})
	answer(w, http.StatusOK, string(b))
}

func (s *Server) register(w http.ResponseWriter, body []byte) {
	var req struct{ Path, Type string }
	if err := json.Unmarshal(body, &req); err != nil || req.Path == "" || req.Type == "" {
		problem(w, http.StatusBadRequest, "Bad Request", "path and type are required")
		return
	}
	data, err := s.store.Get(req.Path)
	if err != nil {
		problem(w, http.StatusBadRequest, "Bad Request", "no uploaded file at "+req.Path)
		return
	}
	name := req.Path[strings.IndexByte(req.Path, '/')+1:]
	id := s.add(File{Name: name, Type: req.Type, Data: data, Via: "presigned"})
	answer(w, http.StatusOK, fmt.Sprintf(`{"id": %d}`, id))
}

func (s *Server) sync(w http.ResponseWriter, body []byte) {
	var req map[string]json.RawMessage
	if err := json.Unmarshal(body, &req); err != nil {
		problem(w, http.StatusBadRequest, "Bad Request", "invalid JSON")
		return
	}
	file, err1 := strconv.ParseInt(string(req["idFile"]), 10, 64)
	app, err2 := strconv.ParseInt(string(req["idAppAccount"]), 10, 64)
	if err1 != nil || err2 != nil {
		problem(w, http.StatusBadRequest, "Bad Request", "idFile and idAppAccount must be integers")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.files[file]; !ok {
		problem(w, http.StatusBadRequest, "Bad Request", fmt.Sprintf("file %d does not exist", file))
		return
	}
	if !s.apps[app] {
		problem(w, http.StatusNotFound, "Not Found", fmt.Sprintf("app account %d does not exist", app))
		return
	}
	s.syncs = append(s.syncs, Sync{FileID: file, AppAccount: app})
	answer(w, http.StatusOK, `{"success": true}`)
}

// appUsers pages an app's users as Torii does: size (at most 1000), an opaque base64
// cursor (here, of the offset), nextCursor on every page but the last.
func (s *Server) appUsers(w http.ResponseWriter, r *http.Request, id string) {
	app, err := strconv.ParseInt(id, 10, 32)
	q := r.URL.Query()
	size, serr := strconv.Atoi(q.Get("size"))
	if q.Get("size") == "" {
		size, serr = 1000, nil
	}
	if err != nil || app <= 0 || serr != nil || size < 1 || size > 1000 {
		problem(w, http.StatusBadRequest, "Bad Request", "idApp must be an integer, size 1 to 1000")
		return
	}
	offset := 0
	if c := q.Get("cursor"); c != "" {
		raw, err := base64.StdEncoding.DecodeString(c)
		if err == nil {
			offset, err = strconv.Atoi(strings.TrimPrefix(string(raw), "offset:"))
		}
		if err != nil || offset < 0 {
			problem(w, http.StatusBadRequest, "Bad Request", "invalid cursor")
			return
		}
	}
	s.mu.Lock()
	var all []AppUser
	for _, u := range s.users[app] {
		if st := q.Get("status"); st == "" || st == u.Status {
			all = append(all, u)
		}
	}
	if s.UsersPageSize > 0 {
		size = min(size, s.UsersPageSize)
	}
	s.mu.Unlock()
	page := all[min(offset, len(all)):min(offset+size, len(all))]
	type user struct {
		AppUser
		Licenses []map[string]string `json:"licenses"`
	}
	out := struct {
		Users      []user `json:"users"`
		Count      int    `json:"count"`
		Total      int    `json:"total"`
		NextCursor string `json:"nextCursor,omitempty"`
	}{Users: []user{}, Count: len(page), Total: len(all)}
	for _, u := range page {
		lic := []map[string]string{}
		for _, l := range u.Licenses {
			lic = append(lic, map[string]string{"name": l})
		}
		out.Users = append(out.Users, user{u, lic})
	}
	if offset+size < len(all) {
		out.NextCursor = base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("offset:%d", offset+size)))
	}
	b, _ := json.Marshal(out)
	answer(w, http.StatusOK, string(b))
}
