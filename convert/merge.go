package convert

import (
	"hash/maphash"
	"strings"
	"unsafe"

	"github.com/torii-convert/torii-convert/schema"
)

// people merges the rows of one export into users, one per email (ignoring case), and
// keeps where each user came from so problems found later point at a cell. Its memory
// grows with the number of distinct users, not with the number of rows: a user keeps its
// own copy of the few values it needs, never the row they came from, and the values that
// repeat (roles, statuses, dates) are shared.
type people struct {
	slots    []uint64            // the email index: see find
	hash     func(string) uint64 // of an email, for the index
	blocks   [][]person          // users in blocks, so growing never copies them
	n        int
	own      arena          // the users' own values
	more     [][]membership // the licenses of users who hold more than one, past the first
	licenses []string       // license names, in the order first seen
	licIndex map[string]int32
	roles    [][]string       // the distinct role lists
	roleIdx  map[string]int32 // role list, joined by NULs, to its index in roles
	values   []string         // values many users share: external statuses, dates
	valueIdx map[string]int32
	key      []byte
	merged   int     // rows that added to a user already seen
	columns  int     // values of Options.Columns a user has
	extras   []int32 // user i's are extras[i*columns:][:columns], indexes into values
	mem      memory  // gives the blocks and the arena's chunks: see spill.go
}

const blockSize = 4096

// person is one merged user, kept small and free of pointers: exports have millions of
// rows, and the garbage collector would visit every pointer of every user.
type person struct {
	chunk, at      uint32 // where the user's own values are in people.own
	idAt, firstAt  uint32 // email, id, first and last name, one after another
	lastAt, end    uint32
	ext, lastUsed  int32 // indexes into people.values; -1 for none
	roles          int32 // index into people.roles; -1 for none
	status         int8  // statusRank
	line, emailCol int32 // the first row of the user, and the column of its email
	held           memberships
}

func (p *people) email(u *person) string { return p.own.str(u.chunk, u.at, u.idAt) }
func (p *people) id(u *person) string    { return p.own.str(u.chunk, u.idAt, u.firstAt) }
func (p *people) first(u *person) string { return p.own.str(u.chunk, u.firstAt, u.lastAt) }
func (p *people) last(u *person) string  { return p.own.str(u.chunk, u.lastAt, u.end) }

// setOwn stores the user's own values in the arena, so the row they came from can be
// freed.
func (p *people) setOwn(u *person, email, id, first, last string) {
	u.chunk, u.at = p.own.add(email, id, first, last)
	u.idAt = u.at + uint32(len(email))
	u.firstAt = u.idAt + uint32(len(id))
	u.lastAt = u.firstAt + uint32(len(first))
	u.end = u.lastAt + uint32(len(last))
}

// arena keeps strings back to back in chunks that are never moved nor changed once
// written, so that a million users' values take a few allocations rather than one each,
// and read back as strings without a copy.
type arena struct {
	chunks [][]byte
	mem    *memory
}

const chunkSize = 64 << 10

// add appends the strings, one after another, and returns where they start.
func (a *arena) add(email, id, first, last string) (chunk, at uint32) {
	n := len(email) + len(id) + len(first) + len(last)
	k := len(a.chunks) - 1
	if k < 0 || cap(a.chunks[k])-len(a.chunks[k]) < n {
		a.chunks = append(a.chunks, a.mem.bytes(max(n, chunkSize)))
		k++
	}
	b := a.chunks[k]
	at = uint32(len(b))
	a.chunks[k] = append(append(append(append(b, email...), id...), first...), last...)
	return uint32(k), at
}

// str returns the bytes from..to of a chunk as a string. The bytes are never written
// again (add only appends past them, within the capacity), so sharing them is safe.
func (a *arena) str(chunk, from, to uint32) string {
	if from == to {
		return ""
	}
	b := a.chunks[chunk][from:to]
	return unsafe.String(&b[0], len(b))
}

// memberships holds a user's licenses; most users hold one, which needs no allocation.
// The others are in people.more, so that a person holds no pointer for the garbage
// collector to visit.
type memberships struct {
	one  membership
	more int32 // 1 + the index of the user's other licenses in people.more; 0 for none
	n    int32
}

type membership struct {
	license  int32
	state    licenseState
	rule     int8
	fallback bool
}

func (m *memberships) len() int { return int(m.n) }

// held returns the k-th license of a user.
func (p *people) held(u *person, k int) *membership {
	if k == 0 {
		return &u.held.one
	}
	return &p.more[u.held.more-1][k-1]
}

// heldOf returns the user's hold on a license, which the user holds.
func (p *people) heldOf(u *person, license int32) *membership {
	k := 0
	for p.held(u, k).license != license {
		k++
	}
	return p.held(u, k)
}

// drop removes the k-th license of a user.
func (p *people) drop(u *person, k int) {
	*p.held(u, k) = *p.held(u, u.held.len()-1)
	if u.held.n--; u.held.n > 0 {
		at := u.held.more - 1
		p.more[at] = p.more[at][:u.held.n-1]
	}
}

// hold adds a license to a user.
func (p *people) hold(u *person, x membership) {
	m := &u.held
	switch {
	case m.n == 0:
		m.one = x
	case m.more == 0:
		p.more = append(p.more, []membership{x})
		m.more = int32(len(p.more))
	default:
		p.more[m.more-1] = append(p.more[m.more-1], x)
	}
	m.n++
}

var statusText = [...]string{"", "deleted", "active"}

// statusRank orders statuses for merging: active wins over deleted, both over none.
func statusRank(s string) int8 {
	switch s {
	case "active":
		return 2
	case "deleted":
		return 1
	}
	return 0
}

func newPeople(columns int) *people {
	seed := maphash.MakeSeed()
	p := &people{columns: columns, hash: func(s string) uint64 { return maphash.String(seed, s) },
		licIndex: map[string]int32{}, roleIdx: map[string]int32{}, valueIdx: map[string]int32{}}
	p.own.mem = &p.mem
	return p
}

// find returns the user with an email, and the email's hash. The index is a table of
// slots open-addressed by the hash, each the user's number plus one (0 for an empty
// slot) beside the top half of the hash, which settles most misses without reading a
// user's email: 8 bytes a slot, at most 3/4 of them used, no pointer and no string per
// user.
func (p *people) find(email string) (int32, uint64, bool) {
	h := p.hash(email)
	if len(p.slots) == 0 {
		return 0, h, false
	}
	mask, tag := len(p.slots)-1, h>>32<<32
	for s := int(h) & mask; p.slots[s] != 0; s = (s + 1) & mask {
		if e := p.slots[s]; e>>32<<32 == tag {
			i := int32(uint32(e) - 1)
			if p.email(p.user(int(i))) == email {
				return i, h, true
			}
		}
	}
	return 0, h, false
}

// insert adds the i-th user, whose email has hash h, to the index, doubling it first
// when it would be more than 3/4 full.
func (p *people) insert(h uint64, i int32) {
	if (p.n+1)*4 > len(p.slots)*3 {
		// The users are indexed again in their order, not the table's: their emails are
		// read one after another, rather than all over memory (or a file, past
		// Options.SpillAfter).
		p.slots = make([]uint64, max(1024, 2*len(p.slots)))
		for j := range int32(p.n) {
			if j != i {
				p.insert(p.hash(p.email(p.user(int(j)))), j)
			}
		}
	}
	mask := len(p.slots) - 1
	s := int(h) & mask
	for p.slots[s] != 0 {
		s = (s + 1) & mask
	}
	p.slots[s] = h>>32<<32 | uint64(i+1)
}

// index returns the user with an email, if any.
func (p *people) index(email string) (int32, bool) {
	i, _, ok := p.find(email)
	return i, ok
}

// user returns the i-th user.
func (p *people) user(i int) *person {
	if i%dropUsers == 0 {
		p.mem.read()
	}
	return &p.blocks[i/blockSize][i%blockSize]
}

// len returns the number of users.
func (p *people) len() int { return p.n }

// view returns the i-th user in the shape of the file.
func (p *people) view(i int) schema.User {
	u := p.user(i)
	v := schema.User{ID: p.id(u), Email: p.email(u), FirstName: p.first(u), LastName: p.last(u),
		Status: statusText[u.status], ExternalStatus: p.value(u.ext), LastUsedDate: p.value(u.lastUsed)}
	if u.roles >= 0 {
		v.Roles = p.roles[u.roles]
	}
	return v
}

// add merges one row's record into the users.
func (p *people) add(r *record, line int) {
	i, h, seen := p.find(r.email)
	if !seen {
		i = int32(p.n)
		if p.n%blockSize == 0 {
			p.blocks = append(p.blocks, p.mem.persons(p.n))
		}
		p.n++
		u := p.user(int(i))
		*u = person{line: int32(line), emailCol: int32(r.emailCol), status: statusRank(r.status),
			ext: p.share(r.ext), lastUsed: p.share(r.lastUsed), roles: p.roleList(r.roles)}
		p.setOwn(u, r.email, r.id, r.first, r.last)
		for _, v := range r.columns {
			p.extras = append(p.extras, p.share(v))
		}
		p.insert(h, i)
	} else {
		p.merged++
		p.merge(i, r)
	}
	u := p.user(int(i))
	for _, h := range r.licenses {
		p.give(u, h)
	}
}

// give adds a license to a user. A rule's fallback license (Figma's "No Seat Type
// Assigned") only stays with users to whom none of their rows gives a license by the
// same rule.
func (p *people) give(u *person, h held) {
	for k := 0; k < u.held.len(); k++ {
		m := p.held(u, k)
		if m.rule != h.rule || m.fallback == h.fallback {
			continue
		}
		if h.fallback {
			return
		}
		p.drop(u, k)
		k--
	}
	l := p.license(h.name)
	for k := 0; k < u.held.len(); k++ {
		if m := p.held(u, k); m.license == l {
			m.state = max(m.state, h.status)
			return
		}
	}
	p.hold(u, membership{license: l, state: h.status, rule: h.rule, fallback: h.fallback})
}

// merge adds a later row of a user: first values stay, active wins over deleted, roles
// are united and the latest date is kept.
func (p *people) merge(i int32, r *record) {
	u := p.user(int(i))
	id, first, last := p.id(u), p.first(u), p.last(u)
	if id == "" && r.id != "" {
		id = r.id
	}
	if first == "" && last == "" {
		first, last = r.first, r.last
	}
	if id != p.id(u) || first != p.first(u) || last != p.last(u) {
		p.setOwn(u, p.email(u), id, first, last)
	}
	if rank := statusRank(r.status); rank > u.status {
		u.status = rank
		if r.ext != "" {
			u.ext = p.share(r.ext)
		}
	}
	if len(r.roles) > 0 {
		var roles []string
		if u.roles >= 0 {
			roles = p.roles[u.roles]
		}
		n := len(roles)
		for _, role := range r.roles {
			if !containsFold(roles, role) {
				roles = append(roles[:len(roles):len(roles)], role)
			}
		}
		if len(roles) > n {
			u.roles = p.roleList(roles)
		}
	}
	if r.lastUsed > p.value(u.lastUsed) {
		u.lastUsed = p.share(r.lastUsed)
	}
	if len(r.columns) > 0 {
		at := p.extras[int(i)*p.columns:][:p.columns]
		for j, v := range r.columns {
			if at[j] < 0 && v != "" {
				at[j] = p.share(v)
			}
		}
	}
}

// share returns the index of a value that users share, such as an external status or a
// date: they repeat over millions of rows. -1 stands for "".
func (p *people) share(s string) int32 {
	if s == "" {
		return -1
	}
	if i, ok := p.valueIdx[s]; ok {
		return i
	}
	v := strings.Clone(s)
	i := int32(len(p.values))
	p.values = append(p.values, v)
	p.valueIdx[v] = i
	return i
}

// value returns a shared value by its index.
func (p *people) value(i int32) string {
	if i < 0 {
		return ""
	}
	return p.values[i]
}

// roleList returns the index of a list of roles, adding it when new.
func (p *people) roleList(roles []string) int32 {
	if len(roles) == 0 {
		return -1
	}
	p.key = p.key[:0]
	for _, r := range roles {
		p.key = append(append(p.key, r...), 0)
	}
	if i, ok := p.roleIdx[string(p.key)]; ok {
		return i
	}
	list := make([]string, len(roles))
	for k, r := range roles {
		list[k] = strings.Clone(r)
	}
	i := int32(len(p.roles))
	p.roles = append(p.roles, list)
	p.roleIdx[string(p.key)] = i
	return i
}

// license returns the index of a license name, matched ignoring case; the first spelling
// seen is kept.
func (p *people) license(name string) int32 {
	p.key = append(p.key[:0], name...)
	for k, c := range p.key {
		if c >= 0x80 {
			p.key = append(p.key[:0], strings.ToLower(name)...)
			break
		}
		if 'A' <= c && c <= 'Z' {
			p.key[k] = c + 'a' - 'A'
		}
	}
	if i, ok := p.licIndex[string(p.key)]; ok {
		return i
	}
	i := int32(len(p.licenses))
	p.licIndex[string(p.key)] = i
	p.licenses = append(p.licenses, strings.Clone(name))
	return i
}
