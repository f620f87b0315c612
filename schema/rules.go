package schema

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"time"

	"github.com/torii-convert/torii-convert/internal/text"
)

// Rules checks what the schema cannot say, record by record, in the order a file holds
// them: emails are unique (ignoring case), license names are unique, everyone holding a
// license is a user. It also warns of what Torii accepts but is likely a mistake.
// Its memory grows with the number of users, never with the size of a file.
type Rules struct {
	today    string // YYYY-MM-DD
	emails   *emailIndex
	licenses map[string]int // license name to index
	// seq counts the licenses given to License: a holder not yet seen as a user is
	// marked with it, to find one listed twice in a license (the index of a license does
	// not tell them apart when a file has two arrays of licenses).
	seq         int32
	pending     []pendingHolder
	pendingText []byte // the emails of the pending holders that the index holds lower-cased
	out         []Problem
}

// holder is what the rules remember of an email: the user who has it (-1 while only
// license holders have been seen with it, when licenses come first), and the last license
// seen held by it, to find an email listed twice in one license without a map per
// license: its index for a user, its seq for an email no user has had yet.
type holder struct {
	user        int32
	lastLicense int32
}

// pendingHolder is a holder not yet seen as a user, checked again by Finish.
type pendingHolder struct {
	end     int    // of the email in pendingText; -1 when the index holds it as it is
	entry   uint32 // of the email in the index
	license int32
	index   int32
	at      spot
}

// spot is a place in the text: a byte offset, with its line and column (0 when not known).
type spot struct {
	off       int64
	line, col int32
}

// Where tells the offset in the text of the value at a path, -1 when it cannot. The rules
// ask it for the values they report on; nil answers -1.
type Where func(at Path) int64

func (w Where) offset(at Path) int64 {
	if w == nil {
		return -1
	}
	return w(at)
}

// NewRules starts the checks of one file; today dates the check for lastUsedDate. users
// was about how many users the file has: the index of emails now grows about as cheaply
// as a guess would size it, and a guess can be far off, so it is ignored.
//
// A file is checked in full with Email and User for every user, then License and Holders
// for every license, then Finish. A converted file needs only User and License: the
// merging of rows makes emails unique and holders users, by construction.
func NewRules(today time.Time, users int) *Rules {
	return &Rules{
		today:    today.Format("2006-01-02"),
		emails:   newEmailIndex(),
		licenses: map[string]int{},
	}
}

func userPath(i int) Path    { return Path{Key("users"), Index(i)} }
func licensePath(i int) Path { return Path{Key("licenses"), Index(i)} }

func (r *Rules) add(sev Severity, at Path, where Where, keyword, msg string) {
	r.out = append(r.out, Problem{Severity: sev, Path: at, Offset: where.offset(at), Keyword: keyword, Message: msg})
}

// Problems returns the problems found so far and forgets them.
func (r *Rules) Problems() []Problem {
	out := r.out
	r.out = nil
	return out
}

// email checks that the email of the user at index i of the users, as the bytes a
// scanner read (which it does not keep), is no other user's. holder needs every user's
// email given to email first.
func (r *Rules) email(email []byte, i int, where Where) {
	key := lower(email)
	e, slot, h := r.emails.find(key)
	switch {
	case e >= 0 && r.emails.users[e].user >= 0:
		r.add(Error, userPath(i).With(Key("email")), where, "unique-email",
			fmt.Sprintf("%s is already the email of %s; merge the two users into one", text.Quote(string(email)), userPath(int(r.emails.users[e].user))))
	case len(email) == 0:
	case e >= 0: // held a license before its user came
		r.emails.users[e] = holder{user: int32(i), lastLicense: -1}
	default:
		r.emails.add(key, slot, h, holder{user: int32(i), lastLicense: -1})
	}
}

// User checks the user at index i of the users on its own.
func (r *Rules) User(u *User, i int, where Where) {
	if u.Status == "" && u.LastUsedDate == "" {
		r.add(Warning, userPath(i), where, "no-status-no-activity",
			"has neither a status nor a lastUsedDate; Torii will count the user as active")
	}
	if len(u.LastUsedDate) >= 10 && u.LastUsedDate[:10] > r.today {
		r.add(Warning, userPath(i).With(Key("lastUsedDate")), where, "future-date",
			fmt.Sprintf("%s is in the future", text.Quote(u.LastUsedDate)))
	}
}

// License checks the license at index i of the licenses; price is its pricePerUser when
// it has one. Holders checks who holds it.
func (r *Rules) License(name string, price *float64, i int, where Where) {
	at := licensePath(i)
	if first, dup := r.licenses[name]; dup {
		r.add(Error, at.With(Key("name")), where, "unique-license",
			fmt.Sprintf("%s is already the name of %s; put its users into one license", text.Quote(name), licensePath(first)))
	} else {
		r.licenses[name] = i
	}
	r.seq++
	if price != nil {
		switch p := *price; {
		case p != math.Trunc(p):
			r.add(Warning, at.With(Key("pricePerUser")), where, "cents",
				fmt.Sprintf("%v is not a whole number of cents; pricePerUser is in cents, so $15.00 is 1500", p))
		case p == 0 && !freeLooking.MatchString(name):
			r.add(Warning, at.With(Key("pricePerUser")), where, "zero-price",
				fmt.Sprintf("is 0 for %s, which looks like a paid license; leave pricePerUser out if the price is not known", text.Quote(name)))
		}
	}
}

// holder checks the user at index k of the license at index i (the last given to
// License), by the bytes a scanner read, which it does not keep; at is where its email
// is, asked for only when it is reported.
func (r *Rules) holder(name string, email []byte, i, k int, at func() spot) {
	key := lower(email)
	e, slot, h := r.emails.find(key)
	if e >= 0 && r.emails.users[e].user >= 0 {
		if u := &r.emails.users[e]; u.lastLicense == int32(i) {
			r.dupHolder(email, name, i, k, at())
		} else {
			u.lastLicense = int32(i)
		}
		return
	}
	// Not (yet) a user: the index keeps the email until its user comes, and Finish looks
	// again at the end.
	if e < 0 {
		e = r.emails.add(key, slot, h, holder{user: -1, lastLicense: r.seq})
	} else if u := &r.emails.users[e]; u.lastLicense == r.seq {
		r.dupHolder(email, name, i, k, at())
	} else {
		u.lastLicense = r.seq
	}
	if len(email) > 0 {
		end := -1
		if string(key) != string(email) {
			r.pendingText = append(r.pendingText, email...)
			end = len(r.pendingText)
		}
		if len(r.pending) == cap(r.pending) { // by doubling: append's quarter makes five times the list in garbage
			r.pending = slices.Grow(r.pending, len(r.pending)+64)
		}
		r.pending = append(r.pending, pendingHolder{end: end, entry: uint32(e), license: int32(i), index: int32(k), at: at()})
	}
}

func (r *Rules) dupHolder(email []byte, name string, i, k int, at spot) {
	r.placed(licensePath(i).With(Key("users"), Index(k), Key("email")), at, "unique-holder",
		fmt.Sprintf("%s holds %s more than once", text.Quote(string(email)), text.Quote(name)))
}

// placed adds an error at a spot already known.
func (r *Rules) placed(path Path, at spot, keyword, msg string) {
	r.out = append(r.out, Problem{Severity: Error, Path: path, Offset: at.off, Keyword: keyword, Message: msg,
		Line: int(at.line), Col: int(at.col)})
}

// Finish runs the checks that need the whole file and returns the problems not yet taken.
func (r *Rules) Finish() []Problem {
	start := 0
	for _, h := range r.pending {
		email := r.emails.email(h.entry)
		if h.end >= 0 {
			email, start = r.pendingText[start:h.end], h.end
		}
		if r.emails.users[h.entry].user < 0 {
			r.placed(licensePath(int(h.license)).With(Key("users"), Index(int(h.index)), Key("email")), h.at, "holder-is-user",
				fmt.Sprintf("%s holds a license but is not one of the users; add the user or remove the license", text.Quote(string(email))))
		}
	}
	r.pending, r.pendingText = nil, nil
	return r.Problems()
}

// freeLooking matches license names that are free by nature, where a price of 0 is right.
var freeLooking = regexp.MustCompile(`(?i)\b(free|trial|guest|view|viewer|views|read[- ]?only|basic|unlicensed|no seat|none|unassigned|inactive|member|external)\b`)
