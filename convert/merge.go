package convert

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"slices"
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
	slots        [indexShards][]uint64 // the email index: see find
	used         [indexShards]int32    // the slots used in each table
	hash         func(string) uint64   // of an email, for the index
	blocks       [][]person            // users in blocks, so growing never copies them
	n            int
	own          arena                  // the users' own values
	more         map[int32][]membership // the licenses of users who hold more than one, past the first
	many         many                   // the licenses of users who hold many, indexed
	domains      []string               // the domains of users' emails, up to maxDomains
	domainIdx    map[string]int
	lastDomain   int     // the domain of the last user added
	cols         []int32 // the columns users' emails came from; person.col indexes it
	colIdx       map[int32]uint16
	licenses     []string // license names, in the order first seen
	licIndex     map[string]uint16
	roles        [][]string       // the distinct role lists
	roleIdx      map[string]int32 // role list, joined by NULs, to its index in roles
	ownRoles     [][]string       // the lists of users with more than sharedRoles roles
	values       []string         // values many users share: external statuses, dates
	valueIdx     map[string]int32
	recentLics   recent // where the license names looked up last are
	recentRoles  recent // the lists of roles
	recentValues recent // the shared values
	key          []byte
	warmed       uint64  // what warm read, kept so that its reads are made
	expected     int     // users the export is expected to have (see expect); 0 when unknown
	lastN        int     // users at the last estimate
	lastRead     float64 // the share of the export read then
	merged       int     // rows that added to a user already seen
	bounded      bool    // boundGarbage was called: done calls unboundGarbage
	columns      int     // values of Options.Columns a user has
	extras       []int32 // user i's are extras[i*columns:][:columns], indexes into values
	mem          memory  // gives the blocks and the arena's chunks: see spill.go
}

const blockSize = 4096

// person is one merged user: 32 bytes, free of pointers. Exports have millions of rows,
// and the garbage collector would visit every pointer of every user. What is narrower
// than 32 bits has its limit in maxLicenses and maxEmailColumns.
type person struct {
	chunk         uint32 // the user's own values are a record of people.own: see arena
	at            uint16
	col           uint16 // the column of the user's email, as an index into people.cols
	line          int32  // the first row of the user
	ext, lastUsed int32  // indexes into people.values; -1 for none
	roles         int32  // index into people.roles; -1 for none; -2-k for people.ownRoles[k]
	one           membership
	status        int8  // statusRank
	held          uint8 // licenses held: 0, 1 (one), or 2 for one plus those in people.more
}

// The limits of person's narrow fields: past them, add fails.
const (
	maxLicenses     = 1 << 16 // distinct license names of an export
	maxEmailColumns = 1 << 16 // distinct columns that users' emails come from
)

// maxDomains is how many email domains are kept once; those past it are in each email.
const maxDomains = 4096

// email returns the user's email, built in scratch (or in new bytes when scratch is nil)
// when its domain is shared: the string is then valid until scratch is used again.
func (p *people) email(u *person, scratch *[]byte) string {
	local, d, _ := p.own.local(u.chunk, u.at)
	return p.whole(local, d, scratch)
}

// whole returns an email from its local part and domain, as email does.
func (p *people) whole(local string, d int, scratch *[]byte) string {
	if d == 0 {
		return local
	}
	var b []byte
	if scratch != nil {
		b = (*scratch)[:0]
	}
	b = append(append(append(b, local...), '@'), p.domains[d-1]...)
	if scratch != nil {
		*scratch = b
	}
	return unsafe.String(&b[0], len(b))
}

// isEmail tells whether the user's email is email, building nothing.
func (p *people) isEmail(u *person, email string) bool {
	local, d, _ := p.own.local(u.chunk, u.at)
	if d == 0 {
		return local == email
	}
	domain := p.domains[d-1]
	return len(email) == len(local)+1+len(domain) && email[:len(local)] == local &&
		email[len(local)] == '@' && email[len(local)+1:] == domain
}

// setOwn stores the user's own values (email, id, first and last name) in the arena, so
// the row they came from can be freed. An email's domain, when shared, is kept once in
// people.domains.
func (p *people) setOwn(u *person, v [4]string) {
	d := 0
	if at := strings.IndexByte(v[0], '@'); at >= 0 {
		if d = p.domain(v[0][at+1:]); d > 0 {
			v[0] = v[0][:at]
		}
	}
	u.chunk, u.at = p.own.add(v, d)
}

// domain returns 1 + the index of an email domain in p.domains, adding it when new; 0
// once maxDomains are there (a hostile export's millions of domains are kept inline).
func (p *people) domain(s string) int {
	if p.lastDomain > 0 && p.domains[p.lastDomain-1] == s { // most users share one
		return p.lastDomain
	}
	if d, ok := p.domainIdx[s]; ok {
		p.lastDomain = d
		return d
	}
	if len(p.domains) == maxDomains {
		return 0
	}
	s = strings.Clone(s)
	p.domains = append(p.domains, s)
	p.domainIdx[s] = len(p.domains)
	return len(p.domains)
}

// arena keeps the users' own values in chunks that are never moved nor changed once
// written, so that a million users' values take a few allocations rather than one each,
// and read back as strings without a copy. A user's values are one record: each
// value's length as a uvarint, then its bytes; after the first (the email, or its local
// part), its domain's number (0 for none) as a uvarint.
type arena struct {
	chunks [][]byte
	mem    *memory
}

// chunkSize is the size of the arena's chunks; a record starts within it, so that a
// 16-bit person.at reaches it. A larger record has a chunk of its own.
const chunkSize = 64 << 10

// add appends a record of the strings, the first's domain d, and returns where it
// starts.
func (a *arena) add(v [4]string, d int) (chunk uint32, at uint16) {
	n := (len(v) + 1) * binary.MaxVarintLen64 // at most the lengths and d; then the values
	for _, s := range v {
		n += len(s)
	}
	k := len(a.chunks) - 1
	if k < 0 || cap(a.chunks[k])-len(a.chunks[k]) < n || len(a.chunks[k]) >= chunkSize {
		a.chunks = append(a.chunks, a.mem.bytes(max(n, chunkSize)))
		k++
	}
	b := a.chunks[k]
	at = uint16(len(b))
	b = appendUvarint(append(appendUvarint(b, len(v[0])), v[0]...), d)
	for _, s := range v[1:] {
		b = append(appendUvarint(b, len(s)), s...)
	}
	a.chunks[k] = b
	return uint32(k), at
}

// appendUvarint appends x as a uvarint.
func appendUvarint(b []byte, x int) []byte {
	if x < 0x80 {
		return append(b, byte(x))
	}
	return binary.AppendUvarint(b, uint64(x))
}

// str returns the strings of a record, and the first's domain. The bytes are never
// written again (add only appends past them, within the capacity), so sharing them is
// safe.
func (a *arena) str(chunk uint32, at uint16) (v [4]string, d int) {
	var i int
	v[0], d, i = a.local(chunk, at)
	b := a.chunks[chunk]
	for k := 1; k < len(v); k++ {
		l := int(b[i])
		if i++; l >= 0x80 {
			l, i = longLen(b, i-1)
		}
		if l > 0 {
			v[k] = unsafe.String(&b[i], l)
		}
		i += l
	}
	return v, d
}

// local returns the first string of a record (an email, or its local part), its
// domain, and where the next string is.
func (a *arena) local(chunk uint32, at uint16) (string, int, int) {
	b, i := a.chunks[chunk], int(at)
	l := int(b[i])
	if i++; l >= 0x80 {
		l, i = longLen(b, i-1)
	}
	s := ""
	if l > 0 {
		s = unsafe.String(&b[i], l)
	}
	i += l
	if d := int(b[i]); d < 0x80 {
		return s, d, i + 1
	}
	d, i := longLen(b, i)
	return s, d, i
}

// longLen reads the length of a value of 128 bytes or more at b[i:], and returns it and
// where the value starts.
func longLen(b []byte, i int) (int, int) {
	l, w := binary.Uvarint(b[i:])
	return int(l), i + w
}

type membership struct {
	license  uint16
	state    licenseState
	rule     int8
	fallback bool
}

// heldLen returns how many licenses the i-th user holds.
func (p *people) heldLen(i int32, u *person) int {
	if u.held < 2 {
		return int(u.held)
	}
	return 1 + len(p.more[i])
}

// held returns the k-th license of the i-th user.
func (p *people) held(i int32, u *person, k int) *membership {
	if k == 0 {
		return &u.one
	}
	return &p.more[i][k-1]
}

// heldOf returns the user's hold on a license, which the user holds.
func (p *people) heldOf(i int32, u *person, license uint16) *membership {
	k, _ := p.placeOf(i, u, license)
	return p.held(i, u, k)
}

// A user who holds more than manyHeld licenses has them indexed in people.many, so that
// giving such a user a license looks at none of the others: a hostile export of one
// user over every license name would otherwise take time in the square of its rows.
const manyHeld = 16

// many indexes the licenses of the users who hold more than manyHeld of them.
type many struct {
	place map[uint64]int32 // user<<16 | license: the license's place among the user's
	rules map[uint64]int32 // user<<9 | rule<<1 | fallback: how many the user holds so
}

func placeKey(i int32, license uint16) uint64 { return uint64(i)<<16 | uint64(license) }

func ruleKey(i int32, rule int8, fallback bool) uint64 {
	k := uint64(i)<<9 | uint64(uint8(rule))<<1
	if fallback {
		k |= 1
	}
	return k
}

// placeOf returns where the user's hold on a license is, if the user holds it.
func (p *people) placeOf(i int32, u *person, license uint16) (int, bool) {
	n := p.heldLen(i, u)
	if n > manyHeld {
		k, ok := p.many.place[placeKey(i, license)]
		return int(k), ok
	}
	for k := range n {
		if p.held(i, u, k).license == license {
			return k, true
		}
	}
	return 0, false
}

// holdsRule tells whether the user holds a license by a rule, fallback or not.
func (p *people) holdsRule(i int32, u *person, rule int8, fallback bool) bool {
	n := p.heldLen(i, u)
	if n > manyHeld {
		return p.many.rules[ruleKey(i, rule, fallback)] > 0
	}
	for k := range n {
		if m := p.held(i, u, k); m.rule == rule && m.fallback == fallback {
			return true
		}
	}
	return false
}

// indexHeld adds (by 1) or removes (by -1) the k-th license of a user from people.many.
func (p *people) indexHeld(i int32, u *person, k int, by int32) {
	m := p.held(i, u, k)
	if by > 0 {
		p.many.place[placeKey(i, m.license)] = int32(k)
	} else {
		delete(p.many.place, placeKey(i, m.license))
	}
	r := ruleKey(i, m.rule, m.fallback)
	if p.many.rules[r] += by; p.many.rules[r] == 0 {
		delete(p.many.rules, r)
	}
}

// drop removes the k-th license of the i-th user.
func (p *people) drop(i int32, u *person, k int) {
	n := p.heldLen(i, u)
	switch {
	case n == manyHeld+1: // no longer indexed
		for j := range n {
			p.indexHeld(i, u, j, -1)
		}
	case n > manyHeld:
		p.indexHeld(i, u, k, -1)
		if k != n-1 {
			p.many.place[placeKey(i, p.held(i, u, n-1).license)] = int32(k)
		}
	}
	*p.held(i, u, k) = *p.held(i, u, n-1)
	switch n {
	case 1:
		u.held = 0
	case 2:
		delete(p.more, i)
		u.held = 1
	default:
		p.more[i] = p.more[i][:n-2]
	}
}

// hold adds a license to the i-th user.
func (p *people) hold(i int32, u *person, x membership) {
	switch u.held {
	case 0:
		u.one, u.held = x, 1
	case 1:
		p.more[i], u.held = []membership{x}, 2
	default:
		p.more[i] = append(p.more[i], x)
	}
	switch n := p.heldLen(i, u); {
	case n == manyHeld+1: // indexed from now on
		for k := range n {
			p.indexHeld(i, u, k, 1)
		}
	case n > manyHeld:
		p.indexHeld(i, u, n-1, 1)
	}
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
		more: map[int32][]membership{}, many: many{place: map[uint64]int32{}, rules: map[uint64]int32{}}, domainIdx: map[string]int{}, colIdx: map[int32]uint16{}, licIndex: map[string]uint16{}, roleIdx: map[string]int32{}, valueIdx: map[string]int32{}}
	p.own.mem = &p.mem
	return p
}

// The email index is indexShards tables of slots, one picked by the top byte of an
// email's hash, each open-addressed by the next 24 bits. A slot is the user's number
// plus one (0 for an empty slot) beside the top half of the hash, which settles most
// misses without reading a user's email: 8 bytes a slot, no pointer and no string per
// user. A table grows when it would be more than 3/4 full, from its slots alone (the
// hash bits it needs are in them): by a quarter, or by up to a half toward the users
// expected (see expect). So at most 3/4 and, once grown, at least half of the slots are
// used (3/5 when it grew by a quarter), and while one grows, the index holds two copies
// of only a 256th of itself.
const (
	indexShards = 256
	minTable    = 64
)

// find returns the user with an email, and the email's hash.
func (p *people) find(email string) (int32, uint64, bool) {
	return p.findHash(email, p.hash(email))
}

// findHash is find of an email whose hash is known.
func (p *people) findHash(email string, h uint64) (int32, uint64, bool) {
	t := p.slots[h>>56]
	if len(t) == 0 {
		return 0, h, false
	}
	tag := h >> 32 << 32
	for s := slot(h, len(t)); t[s] != 0; s = next(s, len(t)) {
		if e := t[s]; e>>32<<32 == tag {
			i := int32(uint32(e) - 1)
			if p.isEmail(p.user(int(i)), email) {
				return i, h, true
			}
		}
	}
	return 0, h, false
}

// warm reads the slots where the records' emails would be found, so that the reads
// that miss the cache (about one a row at a million users) wait together rather than
// one after the other: add then finds them in the cache.
func (p *people) warm(recs []record) {
	var sum uint64
	for k := range recs {
		if t := p.slots[recs[k].hash>>56]; len(t) > 0 {
			sum += t[slot(recs[k].hash, len(t))]
		}
	}
	p.warmed += sum
}

// slot is where a table of n slots starts looking for a hash: the 24 bits of it past
// the table's byte, scaled to n.
func slot(h uint64, n int) int { return int(h >> 32 & (1<<24 - 1) * uint64(n) >> 24) }

func next(s, n int) int {
	if s++; s == n {
		return 0
	}
	return s
}

// expect estimates the users an export will have once read, from the share of it read
// so far (0 when unknown): the rest comes at the rate new users came since the last
// estimate, so that an export whose later rows repeat its users is not expected to
// grow. It gives the email index its size sooner.
func (p *people) expect(read float64) {
	if read <= p.lastRead || read > 1 {
		return
	}
	if p.n >= minExpect {
		rate := float64(p.n-p.lastN) / (read - p.lastRead)
		p.expected = p.n + int(rate*(1-read))
	}
	p.lastN, p.lastRead = p.n, read
}

// minExpect is how many users there are before any are expected.
const minExpect = 4096

// insert adds the i-th user, whose email has hash h, to the index.
func (p *people) insert(h uint64, i int32) {
	k := h >> 56
	if (p.used[k]+1)*4 > int32(len(p.slots[k]))*3 {
		old := p.slots[k]
		n := max(minTable, len(old)+len(old)/4)
		if p.expected > 0 {
			// Up to half as large again, toward the slots the users expected in the table
			// will fill to 70%: the table is moved fewer times, and when the estimate
			// runs high (users stop coming), it is still at least half full.
			n = max(n, min(len(old)+len(old)/2, p.expected/indexShards*10/7))
		}
		p.slots[k] = p.table(n)
		for _, e := range old {
			if e != 0 {
				p.place(k, e)
			}
		}
	}
	p.place(k, h>>32<<32|uint64(i+1))
	p.used[k]++
}

// place puts a slot's value in the first free slot of table k from where its hash
// points.
func (p *people) place(k uint64, e uint64) {
	t := p.slots[k]
	s := slot(e, len(t))
	for t[s] != 0 {
		s = next(s, len(t))
	}
	t[s] = e
}

// table allocates a table of the email index.
func (p *people) table(n int) []uint64 { return make([]uint64, n) }

// indexBytes returns the size of the email index.
func (p *people) indexBytes() int {
	n := 0
	for _, t := range p.slots {
		n += 8 * len(t)
	}
	return n
}

// dropIndex frees the email index, once every user is in.
func (p *people) dropIndex() { p.slots, p.used = [indexShards][]uint64{}, [indexShards]int32{} }

// done releases what the users hold of the process: the bound on garbage.
func (p *people) done() {
	if p.bounded {
		p.bounded = false
		unboundGarbage()
	}
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

// view returns the i-th user in the shape of the file; its email is built in scratch, as
// email builds it.
func (p *people) view(i int, scratch *[]byte) schema.User {
	u := p.user(i)
	own, d := p.own.str(u.chunk, u.at)
	v := schema.User{Email: p.whole(own[0], d, scratch), ID: own[1], FirstName: own[2], LastName: own[3],
		Status: statusText[u.status], ExternalStatus: p.value(u.ext), LastUsedDate: p.value(u.lastUsed)}
	v.Roles = p.rolesOf(u)
	return v
}

// add merges one row's record into the users. It fails only past a limit of person's
// narrow fields (maxLicenses, maxEmailColumns), or past maxRoles.
func (p *people) add(r *record, line int) *Error {
	h := r.hash
	if h == 0 { // not hashed by the mapping stage (or hashed to 0, which this gives again)
		h = p.hash(r.email)
	}
	i, h, seen := p.findHash(r.email, h)
	if !seen {
		if len(r.roles) > maxRoles {
			return tooManyRoles(r.email, r.rolesCol)
		}
		col, err := p.emailColumn(r.emailCol)
		if err != nil {
			return err
		}
		i = int32(p.n)
		if p.n%blockSize == 0 {
			p.blocks = append(p.blocks, p.mem.persons(p.n))
		}
		if p.n++; p.n >= gcUsers && p.n%(1<<16) == 0 {
			boundGarbage(gcPercent(p.n), !p.bounded)
			p.bounded = true
		}
		u := p.user(int(i))
		*u = person{line: int32(line), col: col, status: statusRank(r.status),
			ext: p.share(r.ext), lastUsed: p.share(r.lastUsed), roles: p.roleList(r.roles)}
		p.setOwn(u, [4]string{r.email, r.id, r.first, r.last})
		for _, v := range r.columns {
			p.extras = append(p.extras, p.share(v))
		}
		p.insert(h, i)
	} else {
		p.merged++
		if err := p.merge(i, r); err != nil {
			return err
		}
	}
	for _, h := range r.licenses {
		if err := p.give(i, h); err != nil {
			return err
		}
	}
	return nil
}

// emailColumn returns the index in p.cols of a column users' emails come from.
func (p *people) emailColumn(col int) (uint16, *Error) {
	if len(p.cols) > 0 && int(p.cols[0]) == col { // most exports have one
		return 0, nil
	}
	if k, ok := p.colIdx[int32(col)]; ok {
		return k, nil
	}
	if len(p.cols) == maxEmailColumns {
		return 0, &Error{Kind: Data, Msg: fmt.Sprintf("users' emails come from more than %d different columns", maxEmailColumns),
			Hint: "name fewer email columns in the template (its email field's from and fromMatching)"}
	}
	k := uint16(len(p.cols))
	p.cols = append(p.cols, int32(col))
	p.colIdx[int32(col)] = k
	return k, nil
}

// give adds a license to the i-th user. A rule's fallback license (Figma's "No Seat
// Type Assigned") only stays with users to whom none of their rows gives a license by
// the same rule.
func (p *people) give(i int32, h held) *Error {
	u := p.user(int(i))
	if p.holdsRule(i, u, h.rule, !h.fallback) {
		if h.fallback {
			return nil // the user has a license by the rule: no fallback
		}
		// The user's fallback by the rule gives way: once per rule a user leaves it.
		for k := 0; k < p.heldLen(i, u); k++ {
			if m := p.held(i, u, k); m.rule == h.rule && m.fallback {
				p.drop(i, u, k)
				k--
			}
		}
	}
	l, err := p.license(h.name)
	if err != nil {
		return err
	}
	if k, ok := p.placeOf(i, u, l); ok {
		m := p.held(i, u, k)
		m.state = max(m.state, h.status)
		return nil
	}
	p.hold(i, u, membership{license: l, state: h.status, rule: h.rule, fallback: h.fallback})
	return nil
}

// merge adds a later row of a user: first values stay, active wins over deleted, roles
// are united (up to maxRoles) and the latest date is kept.
func (p *people) merge(i int32, r *record) *Error {
	u := p.user(int(i))
	own, d := p.own.str(u.chunk, u.at)
	was := own
	if own[1] == "" && r.id != "" {
		own[1] = r.id
	}
	if own[2] == "" && own[3] == "" {
		own[2], own[3] = r.first, r.last
	}
	if own != was {
		u.chunk, u.at = p.own.add(own, d)
	}
	if rank := statusRank(r.status); rank > u.status {
		u.status = rank
		if r.ext != "" {
			u.ext = p.share(r.ext)
		}
	}
	if len(r.roles) > 0 {
		roles := p.rolesOf(u)
		n := len(roles)
		for _, role := range r.roles {
			if !containsFold(roles, role) {
				if len(roles) == maxRoles {
					return tooManyRoles(p.email(u, nil), r.rolesCol)
				}
				roles = append(roles[:len(roles):len(roles)], role)
			}
		}
		if len(roles) > n {
			p.setRoles(u, roles)
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
	return nil
}

// share returns the index of a value that users share, such as an external status or a
// date: they repeat over millions of rows. -1 stands for "".
func (p *people) share(s string) int32 {
	if s == "" {
		return -1
	}
	k := recentSlot(s)
	if j := p.recentValues[k]; j > 0 && p.values[j-1] == s {
		return j - 1
	}
	i, ok := p.valueIdx[s]
	if !ok {
		v := strings.Clone(s)
		i = int32(len(p.values))
		p.values = append(p.values, v)
		p.valueIdx[v] = i
	}
	p.recentValues[k] = i + 1
	return i
}

// value returns a shared value by its index.
func (p *people) value(i int32) string {
	if i < 0 {
		return ""
	}
	return p.values[i]
}

// maxRoles is how many roles a user may have: more says that roles are read from a
// column that holds something else, and it keeps the scans that keep a user's roles
// distinct short.
const maxRoles = 100

// sharedRoles is the longest list of roles users share (people.roles). A longer one is
// the user's own (people.ownRoles): lists grow as rows add roles to a user, and sharing
// every list on the way would keep each of them.
const sharedRoles = 4

// tooManyRoles is the error of a user past maxRoles, whose row's roles came from column
// col (0-based; its Pos.Col is col+1, for the caller to place).
func tooManyRoles(email string, col int) *Error {
	return &Error{Kind: Data, Pos: Pos{Col: col + 1}, Msg: fmt.Sprintf("%s has more than %d roles", email, maxRoles),
		Hint: "roles are read from a column that holds something else: map roles to the right column (--preview shows the mapping), or ignore it"}
}

// rolesOf returns a user's roles.
func (p *people) rolesOf(u *person) []string {
	switch {
	case u.roles >= 0:
		return p.roles[u.roles]
	case u.roles == -1:
		return nil
	}
	return p.ownRoles[-2-u.roles]
}

// setRoles gives a user a new list of roles: a shared one when short, else the user's
// own, with each role kept once among the values users share.
func (p *people) setRoles(u *person, roles []string) {
	if len(roles) <= sharedRoles {
		u.roles = p.roleList(roles)
		return
	}
	own := make([]string, len(roles))
	for k, r := range roles {
		own[k] = p.value(p.share(r))
	}
	if u.roles <= -2 {
		p.ownRoles[-2-u.roles] = own
		return
	}
	p.ownRoles = append(p.ownRoles, own)
	u.roles = -2 - int32(len(p.ownRoles)-1)
}

// roleList returns the index of a list of roles, adding it when new.
func (p *people) roleList(roles []string) int32 {
	if len(roles) == 0 {
		return -1
	}
	slot := (recentSlot(roles[0]) + len(roles)) % recentSize
	if j := p.recentRoles[slot]; j > 0 && slices.Equal(p.roles[j-1], roles) {
		return j - 1
	}
	p.key = p.key[:0]
	for _, r := range roles {
		p.key = append(append(p.key, r...), 0)
	}
	i, ok := p.roleIdx[string(p.key)]
	if !ok {
		list := make([]string, len(roles))
		for k, r := range roles {
			list[k] = strings.Clone(r)
		}
		i = int32(len(p.roles))
		p.roles = append(p.roles, list)
		p.roleIdx[string(p.key)] = i
	}
	p.recentRoles[slot] = i + 1
	return i
}

// license returns the index of a license name, matched ignoring case; the first spelling
// seen is kept.
func (p *people) license(name string) (uint16, *Error) {
	slot := recentSlot(name)
	if j := p.recentLics[slot]; j > 0 && p.licenses[j-1] == name {
		return uint16(j - 1), nil
	}
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
		p.recentLics[slot] = int32(i) + 1
		return i, nil
	}
	if len(p.licenses) == maxLicenses {
		return 0, &Error{Kind: Data, Msg: fmt.Sprintf("more than %d different license names", maxLicenses),
			Hint: "map the license values to fewer names (the template's map), or split the export"}
	}
	i := uint16(len(p.licenses))
	p.licIndex[string(p.key)] = i
	p.licenses = append(p.licenses, strings.Clone(name))
	p.recentLics[slot] = int32(i) + 1
	return i, nil
}
