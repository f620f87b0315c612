package ipex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/torii-convert/torii-convert/internal/state"
)

// KeysLimit is the largest keys file read: about four million users.
const KeysLimit = 512 << 20

// Keys are the helpdesk's keys (UserProviderKey) of the users synced to one host, by
// email ignoring case.
//
// The file is JSON Lines: a first line naming the host, then one line a user:
//
//	{"host":"acme.ipexhelpdesk.cz"}
//	{"email":"ada@example.com","key":"3aa87a2d-c4ab-425e-8859-4cfcb7eb44b7"}
//
// A run rewrites it atomically (a temporary file renamed over it) at its first batch and
// at its end, sorted by email; between them, each batch's new keys are appended in one
// write and flushed to disk, so that a run killed midway keeps the keys of every batch
// the helpdesk answered, at a cost that grows with the users of a batch, not with all
// of them. A last line cut short by a crash is ignored (and dropped at the next rewrite).
type Keys struct {
	Path    string
	Host    string
	keys    map[string]string
	pending []string // emails whose keys are not yet in the file
	written bool     // the file was rewritten by this run: appending is safe
}

type keysHeader struct {
	Host string `json:"host"`
}

type keysLine struct {
	Email string `json:"email"`
	Key   string `json:"key"`
}

// LoadKeys reads the keys file at path; a missing file is no keys yet.
func LoadKeys(path, host string) (*Keys, error) {
	k := &Keys{Path: path, Host: host, keys: map[string]string{}}
	data, err := state.ReadFile(path, KeysLimit)
	if errors.Is(err, fs.ErrNotExist) {
		return k, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the keys file %s: %w", path, err)
	}
	bad := func(line int, why string) error {
		return fmt.Errorf("reading the keys file %s:%d: %s; it is not a keys file of torii-convert: move it away to start afresh (users it knew would then conflict: --adopt-conflicts takes them over)", path, line, why)
	}
	for n := 1; len(data) > 0; n++ {
		line, rest, complete := bytes.Cut(data, []byte("\n"))
		data = rest
		if n == 1 {
			var h keysHeader
			if err := json.Unmarshal(line, &h); err != nil {
				return nil, bad(n, "the first line is not {\"host\": ...}")
			}
			if h.Host != "" && host != "" && !strings.EqualFold(h.Host, host) {
				return nil, fmt.Errorf("the keys file %s holds the keys of %s, not of %s; give each helpdesk its own --keys file", path, h.Host, host)
			}
			continue
		}
		var l keysLine
		if err := json.Unmarshal(line, &l); err != nil || l.Email == "" || l.Key == "" {
			if !complete {
				break // cut short by a crash: the batch's keys are lost, not the file
			}
			return nil, bad(n, "not {\"email\": ..., \"key\": ...}")
		}
		k.keys[strings.ToLower(l.Email)] = l.Key
	}
	return k, nil
}

// Get returns the key of a user, "" when none is known.
func (k *Keys) Get(email string) string { return k.keys[strings.ToLower(email)] }

// Set records the key of a user; Save writes it.
func (k *Keys) Set(email, key string) {
	email = strings.ToLower(email)
	if key != "" && k.keys[email] != key {
		k.keys[email] = key
		k.pending = append(k.pending, email)
	}
}

// Len returns the number of keys known.
func (k *Keys) Len() int { return len(k.keys) }

// Save writes the keys set since the last Save: the first time by rewriting the file,
// then by appending to it.
func (k *Keys) Save() error {
	if k.Path == "" || len(k.pending) == 0 && k.written {
		return nil
	}
	if !k.written {
		return k.Compact()
	}
	var b []byte
	for _, e := range k.pending {
		b = appendLine(b, e, k.keys[e])
	}
	err := appendFile(k.Path, b)
	if err != nil {
		return fmt.Errorf("writing the keys file %s: %w", k.Path, err)
	}
	k.pending = k.pending[:0]
	return nil
}

// Close writes the keys not yet written and leaves the file sorted and whole, when this
// run wrote to it.
func (k *Keys) Close() error {
	if !k.written && len(k.pending) == 0 {
		return nil
	}
	return k.Compact()
}

// Compact rewrites the file atomically with every key, sorted by email.
func (k *Keys) Compact() error {
	if k.Path == "" {
		return nil
	}
	emails := make([]string, 0, len(k.keys))
	for e := range k.keys {
		emails = append(emails, e)
	}
	sort.Strings(emails)
	err := state.Write(k.Path, func(w io.Writer) error {
		h, _ := json.Marshal(keysHeader{Host: k.Host})
		b := append(h, '\n')
		for _, e := range emails {
			b = appendLine(b, e, k.keys[e])
			if len(b) > 64<<10 {
				if _, err := w.Write(b); err != nil {
					return err
				}
				b = b[:0]
			}
		}
		_, err := w.Write(b)
		return err
	})
	if err != nil {
		return fmt.Errorf("writing the keys file %s: %w", k.Path, err)
	}
	k.pending, k.written = k.pending[:0], true
	return nil
}

func appendLine(b []byte, email, key string) []byte {
	l, _ := json.Marshal(keysLine{Email: email, Key: key})
	return append(append(b, l...), '\n')
}

// appendFile appends b to the file in one write, and flushes it to disk.
func appendFile(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
