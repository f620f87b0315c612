package schema

import (
	"strconv"
	"unicode/utf8"
	"unsafe"
)

// User is one user of the app, as Torii's customIntegrationData file describes it.
type User struct {
	ID             string   `json:"id,omitempty"`
	Email          string   `json:"email"`
	FirstName      string   `json:"firstName,omitempty"`
	LastName       string   `json:"lastName,omitempty"`
	Status         string   `json:"status,omitempty"`
	ExternalStatus string   `json:"externalStatus,omitempty"`
	Roles          []string `json:"roles,omitempty"`
	LastUsedDate   string   `json:"lastUsedDate,omitempty"`
}

// License is one kind of license of the app and the users who hold it.
type License struct {
	Name string `json:"name"`
	// PricePerUser is in cents of the organization's display currency.
	PricePerUser     *int64        `json:"pricePerUser,omitempty"`
	UnassignedAmount *int64        `json:"unassignedAmount,omitempty"`
	Users            []LicenseUser `json:"users"`
}

// LicenseUser is one user's hold on a license.
type LicenseUser struct {
	Email string `json:"email"`
	// LicenseStatus is active, inactive or deleted; empty follows the user's status.
	LicenseStatus string `json:"licenseStatus,omitempty"`
}

// The encoder writes a file two-space indented with one record per line:
//
//	{
//	  "users": [
//	    {"email": "ada@example.com", "firstName": "Ada", "roles": ["admin"]},
//	    {"email": "grace@example.com", "status": "deleted"}
//	  ],
//	  "licenses": [
//	    {"name": "Full", "pricePerUser": 1500, "users": [
//	      {"email": "ada@example.com"}
//	    ]}
//	  ]
//	}
//
// so that a diff of two syncs shows each user that changed as one line, and grep finds a
// user whole. Members come in a fixed order; strings are escaped as encoding/json does,
// without HTML escaping. It is written by hand because it runs once per user of
// million-row exports.

// member is one member of a record as the file holds it: a string, a list of strings,
// or a whole number. The encoder writes them, and the checker can check them without
// reading the text back.
type member struct {
	name string
	kind kind // kString, kArray (of strings) or kInteger
	str  string
	list []string
	num  int64
}

// userMembers appends the members of u that the file holds, in the order it holds them.
func userMembers(ms []member, u *User) []member {
	str := func(name, v string, always bool) {
		if v != "" || always {
			ms = append(ms, member{name: name, kind: kString, str: v})
		}
	}
	str("id", u.ID, false)
	str("email", u.Email, true)
	str("firstName", u.FirstName, false)
	str("lastName", u.LastName, false)
	str("status", u.Status, false)
	str("externalStatus", u.ExternalStatus, false)
	if len(u.Roles) > 0 {
		ms = append(ms, member{name: "roles", kind: kArray, list: u.Roles})
	}
	str("lastUsedDate", u.LastUsedDate, false)
	return ms
}

// licenseMembers appends the members of l that its first line holds; its users follow.
func licenseMembers(ms []member, l *License) []member {
	ms = append(ms, member{name: "name", kind: kString, str: l.Name})
	if l.PricePerUser != nil {
		ms = append(ms, member{name: "pricePerUser", kind: kInteger, num: *l.PricePerUser})
	}
	if l.UnassignedAmount != nil {
		ms = append(ms, member{name: "unassignedAmount", kind: kInteger, num: *l.UnassignedAmount})
	}
	return ms
}

// holderMembers appends the members of one user of a license.
func holderMembers(ms []member, h *LicenseUser) []member {
	ms = append(ms, member{name: "email", kind: kString, str: h.Email})
	if h.LicenseStatus != "" {
		ms = append(ms, member{name: "licenseStatus", kind: kString, str: h.LicenseStatus})
	}
	return ms
}

// appendMembers appends members as `"name": value, ` each.
func appendMembers(b []byte, ms []member) []byte {
	for i := range ms {
		m := &ms[i]
		b = append(b, '"')
		b = append(b, m.name...)
		b = append(b, `": `...)
		switch m.kind {
		case kString:
			b = appendString(b, m.str)
		case kInteger:
			b = strconv.AppendInt(b, m.num, 10)
		case kArray:
			b = append(b, '[')
			for k, s := range m.list {
				if k > 0 {
					b = append(b, ", "...)
				}
				b = appendString(b, s)
			}
			b = append(b, ']')
		}
		b = append(b, ", "...)
	}
	return b
}

// AppendUser appends u as one line of the file's users array, without the newline.
func AppendUser(b []byte, u *User) []byte {
	var buf [8]member
	b = append(b, "    {"...)
	return closeObject(appendMembers(b, userMembers(buf[:0], u)))
}

// AppendLicense appends l as an element of the file's licenses array: its own members on
// its first line, then one line per user.
func AppendLicense(b []byte, l *License) []byte {
	b = AppendLicenseHead(b, l)
	for i := range l.Users {
		b = AppendLicenseUser(b, &l.Users[i], i)
	}
	return AppendLicenseEnd(b, len(l.Users))
}

// AppendLicenseHead appends the first line of a license, up to the opening of its users.
func AppendLicenseHead(b []byte, l *License) []byte {
	var buf [3]member
	b = append(b, "    {"...)
	return append(appendMembers(b, licenseMembers(buf[:0], l)), `"users": [`...)
}

// AppendLicenseUser appends the line of the i-th user of a license.
func AppendLicenseUser(b []byte, u *LicenseUser, i int) []byte {
	if i > 0 {
		b = append(b, ',')
	}
	var buf [2]member
	b = append(b, "\n      {"...)
	return closeObject(appendMembers(b, holderMembers(buf[:0], u)))
}

// AppendLicenseEnd closes a license that has n users.
func AppendLicenseEnd(b []byte, n int) []byte {
	if n > 0 {
		b = append(b, "\n    "...)
	}
	return append(b, "]}"...)
}

// closeObject drops the separator after the last member and closes the object.
func closeObject(b []byte) []byte {
	if len(b) >= 2 && b[len(b)-2] == ',' && b[len(b)-1] == ' ' {
		b = b[:len(b)-2]
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string the way encoding/json does without HTML
// escaping, as the encoder writes every string of the file.
func AppendString(b []byte, s string) []byte { return appendString(b, s) }

// appendString appends s as a JSON string the way encoding/json does without HTML escaping.
func appendString(b []byte, s string) []byte {
	if len(s) < 16 { // most of a file's strings: ids, names, statuses, dates
		i := 0
		for i < len(s) && plain[s[i]] {
			i++
		}
		if i == len(s) {
			return append(append(append(b, '"'), s...), '"')
		}
	}
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if i = plainBytes(unsafe.Slice(unsafe.StringData(s), len(s)), i); i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
