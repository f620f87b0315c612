// Package roster holds the people of a customIntegrationData file compactly: per user
// its email, status and last use, per license its price, seats and holders. The diff,
// the shrink guard and the waste report work on rosters, so that two million-user files
// fit in memory as a few tens of bytes a user rather than as whole documents.
package roster

import (
	"hash/maphash"
	"io"
	"strings"

	"github.com/torii-convert/torii-convert/internal/text"
	"github.com/torii-convert/torii-convert/schema"
)

// Status is what a user's status says of them.
type Status uint8

const (
	// Active users have status "active", or none (Torii's default).
	Active Status = iota
	// Deleted users have status "deleted".
	Deleted
	// Unknown marks an email that holds a license but is no user (yet): licenses may come
	// before users in a file.
	Unknown
	// Inactive holders have licenseStatus "inactive": they hold the license, and so a
	// seat, without using it. Only holders have it, never users.
	Inactive
)

// NoDate is the last use of a user without a lastUsedDate.
const NoDate int32 = -1 << 31

// Roster is the people of one file. Emails are keyed ignoring case.
type Roster struct {
	// Name says where the roster came from, for messages: a file name, or torii.
	Name string

	seed     maphash.Seed
	keys     []byte   // the lowercased emails, one after another
	ends     []uint32 // where each user's key ends in keys
	original map[int32]string
	status   []Status
	lastUsed []int32 // days since 1970-01-01, or NoDate
	// table is open addressing: per slot, the top 32 bits of the key's hash, then the
	// entry index + 1 (0 for a free slot), so that most probes never touch the keys.
	table []uint64
	users int // users that are users, not Unknown
	// NoEmail counts the users left out for having no email.
	NoEmail int
	// SameEmail counts the users left out for an email an earlier user has, SameName
	// the licenses left out for the name of an earlier one, and SameHolder the holders
	// left out for holding their license already (each makes a file invalid).
	SameEmail, SameName, SameHolder int

	Licenses []License
	licIndex map[string]int
	held     []int32 // per entry, the license (1-based) it was last seen holding
}

// License is one license and its holders.
type License struct {
	Name             string
	PricePerUser     *int64 // cents
	UnassignedAmount *int64
	Holders          []int32  // user indexes
	HolderStatus     []Status // per holder: Active, Inactive or Deleted by licenseStatus, Unknown when it has none
}

// New returns an empty roster.
func New(name string) *Roster {
	return &Roster{Name: name, seed: maphash.MakeSeed(), original: map[int32]string{}, licIndex: map[string]int{},
		table: make([]uint64, 1024)}
}

// Key is the form of an email that rosters compare: lowercased.
func Key(email string) string {
	if plainLower(email) {
		return email
	}
	return strings.ToLower(email)
}

// plainLower reports whether s is ASCII without capitals, looking at 8 bytes at a time:
// every user's and every holder's email passes here.
func plainLower(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if w&highs != 0 {
			return false
		}
		// Bytes under 0x80 take these sums without a carry: a byte's high bit is then
		// set by the first when it is 'A' or above, and by the second when above 'Z'.
		if (w+(0x80-'A')*ones)&^(w+(0x80-'Z'-1)*ones)&highs != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

// Len is the number of entries: users, and emails that hold a license but are no users.
func (r *Roster) Len() int { return len(r.ends) }

// Users is the number of users.
func (r *Roster) Users() int { return r.users }

// key returns the key of entry i.
func (r *Roster) key(i int32) []byte {
	start := uint32(0)
	if i > 0 {
		start = r.ends[i-1]
	}
	return r.keys[start:r.ends[i]]
}

// Email returns entry i's email as the file wrote it.
func (r *Roster) Email(i int32) string {
	if len(r.original) > 0 {
		if s, ok := r.original[i]; ok {
			return s
		}
	}
	return string(r.key(i))
}

// Status returns entry i's status.
func (r *Roster) Status(i int32) Status { return r.status[i] }

// LastUsed returns entry i's last use in days since 1970-01-01, or NoDate.
func (r *Roster) LastUsed(i int32) int32 { return r.lastUsed[i] }

// Find returns the entry of an email, ignoring case.
func (r *Roster) Find(email string) (int32, bool) {
	return r.find(Key(email))
}

// FindIn returns the entry of this roster with the email of entry i of other.
func (r *Roster) FindIn(other *Roster, i int32) (int32, bool) {
	return r.find(string(other.key(i))) // a short key is converted on the stack
}

// FindNear is FindIn that looks at entry guess first: two exports of one app list
// most users in the same order, so the entry after the last one found is often the
// one, and comparing its key costs less than a lookup.
func (r *Roster) FindNear(other *Roster, i, guess int32) (int32, bool) {
	if guess >= 0 && int(guess) < len(r.ends) && string(r.key(guess)) == string(other.key(i)) {
		return guess, true
	}
	return r.FindIn(other, i)
}

func (r *Roster) find(k string) (int32, bool) {
	slot, _ := r.slot(k)
	if v := r.table[slot]; uint32(v) != 0 {
		return int32(uint32(v)) - 1, true
	}
	return -1, false
}

// slot finds the slot of a key: the one holding it, or the free one it would take; and
// the key's fingerprint.
func (r *Roster) slot(k string) (int, uint64) {
	h := maphash.String(r.seed, k)
	fp := h >> 32 << 32
	mask := len(r.table) - 1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		v := r.table[i]
		if uint32(v) == 0 || v&^0xffffffff == fp && string(r.key(int32(uint32(v))-1)) == k {
			return i, fp
		}
	}
}

// entry returns the entry of an email, adding it as Unknown when there is none.
func (r *Roster) entry(email string) int32 {
	return r.entryKey(email, Key(email))
}

// entryKey is entry of an email whose key is k.
func (r *Roster) entryKey(email, k string) int32 {
	slot, fp := r.slot(k)
	if v := r.table[slot]; uint32(v) != 0 {
		return int32(uint32(v)) - 1
	}
	i := int32(len(r.ends))
	r.keys = append(r.keys, k...)
	r.ends = append(r.ends, uint32(len(r.keys)))
	r.status = append(r.status, Unknown)
	r.lastUsed = append(r.lastUsed, NoDate)
	if k != email {
		r.original[i] = strings.Clone(email) // Read's emails are borrowed
	}
	r.table[slot] = fp | uint64(i+1)
	if 2*len(r.ends) > len(r.table) {
		r.grow()
	}
	return i
}

func (r *Roster) grow() {
	old := r.table
	r.table = make([]uint64, 2*len(old))
	mask := len(r.table) - 1
	for _, v := range old {
		if uint32(v) == 0 {
			continue
		}
		// The fingerprint is the hash's top half; its bottom half placed the key.
		h := maphash.Bytes(r.seed, r.key(int32(uint32(v))-1))
		s := int(h) & mask
		for r.table[s] != 0 {
			s = (s + 1) & mask
		}
		r.table[s] = v
	}
}

// AddUser adds a user. A second user with the same email (the file is invalid then)
// keeps the first one's facts.
func (r *Roster) AddUser(u *schema.User) {
	if u.Email == "" {
		r.NoEmail++
		return
	}
	i := r.entry(u.Email)
	if r.status[i] != Unknown {
		r.SameEmail++
		return
	}
	r.users++
	r.status[i] = Active
	if u.Status == "deleted" {
		r.status[i] = Deleted
	}
	r.lastUsed[i] = Day(u.LastUsedDate)
}

// AddLicense adds a license. A second license with the same name (the file is invalid
// then) is left out.
func (r *Roster) AddLicense(l *schema.License) {
	if _, ok := r.licIndex[l.Name]; ok {
		r.SameName++
		return
	}
	r.licIndex[l.Name] = len(r.Licenses)
	lic := License{Name: l.Name, PricePerUser: l.PricePerUser, UnassignedAmount: l.UnassignedAmount,
		Holders: make([]int32, 0, len(l.Users)), HolderStatus: make([]Status, 0, len(l.Users))}
	var near nearby
	for _, h := range l.Users {
		if h.Email == "" {
			continue // no one to count: an invalid file, which validate reports
		}
		st := Unknown
		switch h.LicenseStatus {
		case "active":
			st = Active
		case "inactive":
			st = Inactive
		case "deleted":
			st = Deleted
		}
		e := r.holder(h.Email, &near)
		for int(e) >= len(r.held) {
			r.held = append(r.held, 0)
		}
		if r.held[e] == int32(len(r.Licenses)+1) {
			r.SameHolder++
			continue
		}
		r.held[e] = int32(len(r.Licenses) + 1)
		lic.Holders = append(lic.Holders, e)
		lic.HolderStatus = append(lic.HolderStatus, st)
	}
	r.Licenses = append(r.Licenses, lic)
}

// nearby is where AddLicense found a license's last holder, and how well looking just
// past it has paid.
type nearby struct {
	last  int32
	score int
}

// The entries holder compares before it looks an email up: a few, and while they find
// more holders than they miss (by more than nearMisses).
const (
	nearEntries = 8
	nearMisses  = 32
)

// holder returns the entry of a license holder's email. The files convert writes list a
// license's holders in the order of the users, so the entry is often one of the few
// after the last holder's: comparing those keys, which lie side by side, costs less
// than a lookup, whose reads miss the cache at a million users.
func (r *Roster) holder(email string, near *nearby) int32 {
	k := Key(email)
	if near.score > -nearMisses {
		for j := near.last + 1; j <= near.last+nearEntries && int(j) < len(r.ends); j++ {
			if string(r.key(j)) == k {
				near.last, near.score = j, min(near.score+1, nearMisses)
				return j
			}
		}
		near.score--
	}
	e := r.entryKey(email, k)
	near.last = e
	return e
}

// License returns the license of a name.
func (r *Roster) License(name string) (*License, bool) {
	i, ok := r.licIndex[name]
	if !ok {
		return nil, false
	}
	return &r.Licenses[i], true
}

// HolderState is how the k-th holder of l holds it: Active, Inactive or Deleted by its
// licenseStatus, else as its user's status says (Unknown for a holder who is no user).
func (r *Roster) HolderState(l *License, k int) Status {
	if s := l.HolderStatus[k]; s != Unknown {
		return s
	}
	return r.status[l.Holders[k]]
}

// Day reads the date at the start of a lastUsedDate (2024-03-17, or a date and time) as
// days since 1970-01-01; NoDate when there is none. It takes what time.Parse with the
// layout 2006-01-02 takes, without its cost: a million users have a million dates.
func Day(s string) int32 {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return NoDate
	}
	y, m, d := digits(s[0:4]), digits(s[5:7]), digits(s[8:10])
	if y < 0 || m < 1 || m > 12 || d < 1 || d > text.DaysIn(y, m) {
		return NoDate
	}
	// Days from the civil date (H. Hinnant's algorithm), with March the first month so
	// that the leap day ends a year.
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int32(era*146097 + doe - 719468)
}

// digits reads a number of ASCII digits; -1 when something else is there.
func digits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// Read reads a customIntegrationData file into a roster, as it is: the file is not
// checked (validate does that), but malformed JSON is a *schema.SyntaxError.
func Read(name string, in io.Reader) (*Roster, error) {
	return ReadSized(name, in, 0)
}

// ReadSized is Read of a file of size bytes (0: unknown): the roster starts as large as
// such a file is likely to need, rather than growing to it by copies.
func ReadSized(name string, in io.Reader, size int64) (*Roster, error) {
	r := New(name)
	r.reserve(int(min(size, maxPresize) / bytesPerUser))
	// The emails are borrowed: entry copies what it keeps, and most are kept only as
	// keys, so that a user and each license holder cost no allocation.
	err := schema.Contract().ReadRecords(in, schema.Records{User: r.AddUser, License: r.AddLicense, Borrow: true})
	return r, err
}

const (
	// bytesPerUser is about what a user takes in a file convert wrote: the user's record
	// and a license's line for it (210 bytes in the benchmark's files). A file of smaller
	// records grows the roster as it is read; larger ones leave part of it unused.
	bytesPerUser = 200
	// maxPresize caps what a file's size reserves: 10 million users.
	maxPresize = 10_000_000 * bytesPerUser
)

// reserve makes room for n entries.
func (r *Roster) reserve(n int) {
	if n <= len(r.table)/2 {
		return
	}
	size := len(r.table)
	for size < 2*n {
		size *= 2
	}
	r.table = make([]uint64, size)
	r.keys = make([]byte, 0, 24*n)
	r.ends = make([]uint32, 0, n)
	r.status = make([]Status, 0, n)
	r.lastUsed = make([]int32, 0, n)
}
