package schema

import (
	"encoding/binary"
	"hash/maphash"
	"strings"
	"unicode/utf8"
)

// emailIndex is the set of the users' emails, ignoring case, with what the rules keep of
// each user. A million emails live in one byte buffer and two arrays without pointers,
// which the garbage collector need not scan, where a map of strings held a string and a
// pointer a user: about 45 bytes a user with emails of 20 bytes, against about 90.
type emailIndex struct {
	seed  maphash.Seed
	text  []byte   // the lower-cased emails, back to back
	ends  []int    // where each email ends in text; it starts where the one before ends
	users []holder // for each email, in the order added
	slots []slot   // open addressing, a power of two long, at most 3/4 full
}

type slot struct {
	hash  uint32
	entry uint32 // 1 + the index of the email; 0 for an empty slot
}

func newEmailIndex() *emailIndex {
	return &emailIndex{seed: maphash.MakeSeed(), slots: make([]slot, 1024)}
}

// lower is strings.ToLower of an email read as bytes, without a copy for the common
// email that has no capital. The result may be email itself.
func lower(email []byte) []byte {
	if lowerRun(email, 0) < len(email) {
		return []byte(strings.ToLower(string(email)))
	}
	return email
}

// lowerRun returns the offset of the first capital or byte past ASCII in b at or after i,
// len(b) when there is none, reading eight bytes at a time.
func lowerRun(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		// at or past 'A', and not past 'Z': no carry crosses bytes below 0x80
		if w&highs != 0 || (w+lows*(0x80-'A'))&^(w+lows*(0x80-'Z'-1))&highs != 0 {
			break
		}
	}
	for i < len(b) && b[i] < utf8.RuneSelf && (b[i] < 'A' || b[i] > 'Z') {
		i++
	}
	return i
}

func (x *emailIndex) email(i uint32) []byte {
	start := 0
	if i > 0 {
		start = x.ends[i-1]
	}
	return x.text[start:x.ends[i]]
}

// find returns the entry of a lower-cased email (its index in users), or -1 with the
// slot where it would go and its hash.
func (x *emailIndex) find(key []byte) (int, int, uint32) {
	h := uint32(maphash.Bytes(x.seed, key))
	mask := len(x.slots) - 1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s.entry == 0 {
			return -1, i, h
		}
		if s.hash == h && string(x.email(s.entry-1)) == string(key) {
			return int(s.entry - 1), i, h
		}
	}
}

// add adds a lower-cased email that find did not find, at its slot i with hash h, and
// returns its entry.
func (x *emailIndex) add(key []byte, i int, h uint32, u holder) int {
	x.text = append(x.text, key...)
	x.ends = append(x.ends, len(x.text))
	x.users = append(x.users, u)
	x.slots[i] = slot{hash: h, entry: uint32(len(x.users))}
	if 4*len(x.users) > 3*len(x.slots) {
		x.grow()
	}
	return len(x.users) - 1
}

// grow doubles the slots; the hashes are kept, so no email is read again.
func (x *emailIndex) grow() {
	slots := make([]slot, 2*len(x.slots))
	mask := len(slots) - 1
	for _, s := range x.slots {
		if s.entry == 0 {
			continue
		}
		i := int(s.hash) & mask
		for slots[i].entry != 0 {
			i = (i + 1) & mask
		}
		slots[i] = s
	}
	x.slots = slots
}
