// Package ipex is a client of Helpdesk IPEX's requestor import, POST
// /api/Import/SyncRequestorUsers: it sends requestors (the people who raise tickets) in
// batches of at most 100, in input order, and keeps the helpdesk's key of every user it
// created so that the next run updates them rather than creating them again. It knows
// nothing of spreadsheets or of Torii's file format: its caller says which values go to
// which paths.
package ipex

import (
	"encoding/json"
	"strings"
)

// MaxBatch is the most users one request may carry, as the API documents.
const MaxBatch = 100

// Endpoint is the import's path under the tenant's base URL.
const Endpoint = "/api/Import/SyncRequestorUsers"

// JSON-Patch operations, as the API numbers them: 0 (add) is documented; the others are
// the numbering of the library behind it.
const (
	OpAdd     = 0
	OpRemove  = 1
	OpReplace = 2
)

// Operation is one JSON-Patch operation on a requestor. Operation is an integer and Path
// a JSON pointer (it starts with /).
type Operation struct {
	Operation int    `json:"Operation"`
	Path      string `json:"Path"`
	Value     any    `json:"Value"`
}

// Requestor is one user of a request body.
type Requestor struct {
	// UserProviderKey is the helpdesk's key of the user: empty on the first create.
	UserProviderKey string      `json:"UserProviderKey,omitempty"`
	ExternalID      string      `json:"ExternalId"`
	Email           string      `json:"Email"`
	Operations      []Operation `json:"Operations"`
}

// Result is what the helpdesk says of one user of a request.
type Result struct {
	Username                string  `json:"Username"`
	Success                 bool    `json:"Success"`
	ErrorMessage            *string `json:"ErrorMessage"`
	UserProviderKey         *string `json:"UserProviderKey"`
	UserProviderKeyConflict *string `json:"UserProviderKeyConflict"`
	CustomerID              *int64  `json:"CustomerId"`
	ExternalID              *string `json:"ExternalId"`
}

// Answer is the body of a 200 answer.
type Answer struct {
	RequestorUsers []Result `json:"RequestorUsers"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Field is one value to set on a user: its path and its value. An empty value is sent
// as it is: the helpdesk clears a field it is not given, so a field is never left out.
type Field struct {
	Path  string
	Value any
}

// User is one user to sync, as the caller made it.
type User struct {
	Email      string
	ExternalID string // the source's id, else the email
	Row        int    // the source row (or line of a JSON file) the user came from
	Fields     []Field
}

// Users is the input of a sync: read one at a time, so that a sync holds one batch of
// requests at once, never all of them.
type Users interface {
	Len() int
	User(i int) User
}

// Value reads a value given as text, such as --deleted's: JSON when it is JSON (true, 0,
// null, "text"), else the text itself.
func Value(s string) any {
	var v any
	if t := strings.TrimSpace(s); t != "" && json.Unmarshal([]byte(t), &v) == nil {
		return v
	}
	return s
}
