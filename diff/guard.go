package diff

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/torii-convert/torii-convert/internal/roster"
	"github.com/torii-convert/torii-convert/internal/state"
)

// Population is what the shrink guard compares: who is active, and who holds each
// license, as keys: lowercased emails, or their hashes (Hashed). IPEX requestors are a
// population without licenses.
type Population struct {
	Hashed   bool                `json:"hashed,omitempty"`
	Active   []string            `json:"active"`
	Licenses map[string][]string `json:"holders,omitempty"` // holders by license name; nil: not known
}

// HashKey is the key of an email in a hashed population: the first 16 hex digits of the
// SHA-256 of the lowercased email. It hides the emails from a casual reader of the
// record, not from someone who guesses them.
func HashKey(email string) string {
	sum := sha256.Sum256([]byte(roster.Key(email)))
	return hex.EncodeToString(sum[:8])
}

// PopulationOf takes the population of a roster: its active users, and per license its
// holders (all of them, whatever their license status).
func PopulationOf(r *roster.Roster, hashed bool) Population {
	key := roster.Key
	if hashed {
		key = HashKey
	}
	p := Population{Hashed: hashed, Active: []string{}, Licenses: map[string][]string{}}
	for i := range int32(r.Len()) {
		if r.Status(i) == roster.Active {
			p.Active = append(p.Active, key(r.Email(i)))
		}
	}
	sort.Strings(p.Active)
	for _, l := range r.Licenses {
		hs := make([]string, len(l.Holders))
		for k, h := range l.Holders {
			hs[k] = key(r.Email(h))
		}
		sort.Strings(hs)
		p.Licenses[l.Name] = hs
	}
	return p
}

// Limit is how much a population may shrink: by more than Share of a group and at
// least People people, the guard refuses.
type Limit struct {
	Share  float64 // 0.10 for 10%
	People int
}

// DefaultLimit is 10% and at least 5 people.
var DefaultLimit = Limit{Share: 0.10, People: 5}

func (l Limit) String() string {
	return fmt.Sprintf("%s%%,%d", strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", l.Share*100), "0"), "."), l.People)
}

// exceeded reports whether losing lost of before people goes past the limit.
func (l Limit) exceeded(lost, before int) bool {
	// lost/before, not Share*before: both sides of an exact share (29 of 100 against
	// 29/100) then round the same, where 0.29*100 is 28.999999999999996.
	return lost >= l.People && lost > 0 && float64(lost)/float64(before) > l.Share
}

// Shrink is one group that lost too many: the active users, or a license's holders.
type Shrink struct {
	Group   string   `json:"group"` // "active users", or license "Full"
	Before  int      `json:"before"`
	After   int      `json:"after"`
	Lost    int      `json:"lost"`    // in before and not in after
	Removed []string `json:"removed"` // the keys lost, sorted
	Message string   `json:"message"` // what happened, in words
}

// Measure tells how each group changes from before to after: the active users first,
// then each license before or after has, by name, unless before's are not known.
func Measure(before, after Population) []Shrink {
	out := []Shrink{shrink("active users", before.Active, after.Active)}
	if before.Licenses == nil {
		return out // nothing known to compare them with
	}
	names := make([]string, 0, len(before.Licenses)+len(after.Licenses))
	for name := range before.Licenses {
		names = append(names, name)
	}
	for name := range after.Licenses {
		if _, ok := before.Licenses[name]; !ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		out = append(out, shrink("license "+quote(name), before.Licenses[name], after.Licenses[name]))
	}
	return out
}

// Guard compares the population before a sync with the one it would leave, and returns
// each group that would shrink past the limit: the active users; each license that
// loses more than the limit of its holders (a license gone loses them all); and all
// licenses, when after has none where before had some. None means the sync may go.
// Both populations must key people the same way (both hashed or neither).
func Guard(before, after Population, limit Limit) []Shrink {
	var out []Shrink
	allGone := len(before.Licenses) > 0 && len(after.Licenses) == 0
	if allGone {
		held := 0
		for _, hs := range before.Licenses {
			held += len(hs)
		}
		out = append(out, Shrink{Group: "licenses", Before: len(before.Licenses), After: 0, Lost: len(before.Licenses), Removed: []string{},
			Message: fmt.Sprintf("the file has no licenses; the last sync had %d, held %d times", len(before.Licenses), held)})
	}
	for _, s := range Measure(before, after) {
		if !limit.exceeded(s.Lost, s.Before) || allGone && s.Group != "active users" {
			continue
		}
		switch {
		case s.Group == "active users":
			s.Message = fmt.Sprintf("active users would drop from %d to %d: %d of them would be gone (%s)", s.Before, s.After, s.Lost, share(s.Lost, s.Before))
		case s.After == 0:
			s.Message = fmt.Sprintf("%s would have no holders: all %d would lose it", s.Group, s.Before)
		default:
			s.Message = fmt.Sprintf("%s would drop from %d holders to %d: %d of them would lose it (%s)", s.Group, s.Before, s.After, s.Lost, share(s.Lost, s.Before))
		}
		out = append(out, s)
	}
	return out
}

// Line says how a group changes, in one line: active users: 412 -> 380 (40 gone, 8 new).
func (s Shrink) Line() string {
	gained := s.After - (s.Before - s.Lost)
	return fmt.Sprintf("%s: %d -> %d (%d gone, %d new)", s.Group, s.Before, s.After, s.Lost, gained)
}

// ParseLimit reads a limit written as SHARE%[,PEOPLE]: "10%", "25%,20"; PEOPLE is 5
// when not given.
func ParseLimit(s string) (Limit, error) {
	l := DefaultLimit
	share, people, hasPeople := strings.Cut(strings.TrimSpace(s), ",")
	pct, ok := strings.CutSuffix(strings.TrimSpace(share), "%")
	f, err := strconv.ParseFloat(pct, 64)
	if !ok || err != nil || f < 0 || f > 100 {
		return l, fmt.Errorf("%q: want a share and, if you like, a number of people: 10%%, or 25%%,20", s)
	}
	l.Share = f / 100
	if hasPeople {
		n, err := strconv.Atoi(strings.TrimSpace(people))
		if err != nil || n < 0 {
			return l, fmt.Errorf("%q: the number of people after the comma must be a whole number, 0 or more", s)
		}
		l.People = n
	}
	return l, nil
}

func shrink(group string, before, after []string) Shrink {
	in := make(map[string]struct{}, len(after))
	for _, k := range after {
		in[k] = struct{}{}
	}
	s := Shrink{Group: group, Before: len(before), After: len(after), Removed: []string{}}
	for _, k := range before {
		if _, ok := in[k]; !ok {
			s.Removed = append(s.Removed, k)
		}
	}
	s.Lost = len(s.Removed)
	sort.Strings(s.Removed)
	return s
}

func share(n, of int) string {
	if of == 0 {
		return "all"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

// Record is what the guard remembers of the last accepted sync of an app account.
type Record struct {
	Version    int       `json:"version"`
	Host       string    `json:"host"`
	AppAccount int64     `json:"appAccount"`
	Time       time.Time `json:"time"`
	FileID     int64     `json:"fileId"`
	File       string    `json:"file"`
	Users      int       `json:"users"`
	// LicenseCount is the number of licenses; Population.Licenses has their holders.
	LicenseCount int `json:"licenseCount"`
	Population
}

// RecordVersion is the version of the record's format this code writes and reads.
const RecordVersion = 1

// maxRecord is the largest record LoadRecord reads: about 5 million emails.
const maxRecord = 256 << 20

// LoadRecord reads a record written by Save; nil without error when there is none.
func LoadRecord(path string) (*Record, error) {
	data, err := state.ReadFile(path, maxRecord)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s is not a record of the shrink guard (%v); remove it to start afresh", path, err)
	}
	if r.Version != RecordVersion {
		return nil, fmt.Errorf("%s has version %d of the record, this torii-convert reads version %d; remove it to start afresh", path, r.Version, RecordVersion)
	}
	return &r, nil
}

// Save writes the record to path, atomically and readable by the user alone.
func (r *Record) Save(path string) error {
	r.Version = RecordVersion
	return state.Write(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return enc.Encode(r)
	})
}
