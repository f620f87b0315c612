// Package schema is the contract of Torii's customIntegrationData file: its JSON Schema,
// the Go model and its encoder, and the checks every file must pass, both those the
// schema states and the rules across records it cannot.
//
// The checks run through a small validator compiled from the embedded schema: on JSON
// text (files, with every problem's path and byte offset), or on records as the values
// the encoder writes (what convert makes), with the same verdicts and words. It
// allocates almost nothing and runs at the speed of a scanner. Its verdicts are held to
// those of github.com/santhosh-tekuri/jsonschema/v5, whose format checkers it uses, by
// the tests.
package schema

import "fmt"

// Schema is the compiled contract.
type Schema struct {
	root, user, license, holder *node
}

var contract = mustCompile()

func mustCompile() *Schema {
	root, err := compile(Source)
	if err != nil {
		panic(fmt.Sprintf("schema/customIntegrationData.json: %v", err))
	}
	s := &Schema{root: root}
	s.user = root.props["users"].node.items.resolved()
	s.license = root.props["licenses"].node.items.resolved()
	s.holder = s.license.props["users"].node.items.resolved()
	for p, f := range map[*prop]fact{
		s.user.props["email"]: factEmail, s.user.props["status"]: factStatus, s.user.props["lastUsedDate"]: factLastUsed,
		s.license.props["name"]: factName, s.license.props["pricePerUser"]: factPrice,
		s.license.props["unassignedAmount"]: factUnassigned, s.holder.props["email"]: factHolder,
	} {
		p.fact = f
	}
	return s
}

// Contract returns the compiled customIntegrationData schema.
func Contract() *Schema { return contract }

// Checker checks records one after another, reusing its memory between them. It is not
// safe for concurrent use: give each goroutine its own.
type Checker struct {
	s *Schema
	c checker
}

// Checker returns a new Checker of the contract.
func (s *Schema) Checker() *Checker { return &Checker{s: s} }

// User checks one user's JSON against the schema; at is the user's path in the file.
// The problems returned are the caller's; they share no memory with the Checker.
func (k *Checker) User(data []byte, at Path) ([]Problem, error) {
	return k.c.check(k.s.user, data, at, 0)
}

// License checks one license's JSON against the schema.
func (k *Checker) License(data []byte, at Path) ([]Problem, error) {
	return k.c.check(k.s.license, data, at, 0)
}

// UserValue checks a user as the file would hold it, with the verdicts and words User
// gives its JSON, without reading the JSON back; its problems have no offset.
func (k *Checker) UserValue(u *User, at Path) []Problem {
	var buf [8]member
	return k.c.checkMembers(k.s.user, userMembers(buf[:0], u), at)
}

// LicenseValue checks a license without its users, as LicenseUserValue checks those.
func (k *Checker) LicenseValue(l *License, at Path) []Problem {
	var buf [3]member
	ms := append(licenseMembers(buf[:0], l), member{name: "users", kind: kArray})
	return k.c.checkMembers(k.s.license, ms, at)
}

// LicenseUserValue checks one user of a license, as LicenseUser checks its JSON.
func (k *Checker) LicenseUserValue(h *LicenseUser, at Path) []Problem {
	var buf [2]member
	return k.c.checkMembers(k.s.holder, holderMembers(buf[:0], h), at)
}

// LicenseUser checks the JSON of one user of a license. A license checked with no users,
// then each of its users, is checked in full: nothing in the schema relates the users of
// a license to each other or to the license.
func (k *Checker) LicenseUser(data []byte, at Path) ([]Problem, error) {
	return k.c.check(k.s.holder, data, at, 0)
}

// Document checks a whole file held in memory against the schema alone, without the
// rules across records.
func (k *Checker) Document(data []byte) ([]Problem, error) {
	return k.c.check(k.s.root, data, nil, 0)
}

func (c *checker) check(n *node, data []byte, at Path, base int64) ([]Problem, error) {
	*c = checker{sc: scanner{data: data}, base: base, path: append(c.path[:0], at...), buf: c.buf, keys: c.keys, sub: c.sub, tap: c.tap}
	err := c.value(n)
	if c.sc.ws(); err == nil && c.sc.pos < len(data) {
		err = c.sc.fail("unexpected %s after the end of the value", c.sc.found())
	}
	for _, b := range c.sc.bad {
		c.problem(b.pos, "syntax", b.msg)
	}
	if se, ok := err.(*SyntaxError); ok {
		se.Offset += base
	}
	return c.out, err
}
