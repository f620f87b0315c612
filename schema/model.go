package schema

import (
	"strconv"
	"unicode/utf8"
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

// AppendUser appends u as one line of the file's users array, without the newline.
func AppendUser(b []byte, u *User) []byte {
	b = append(b, "    {"...)
	b = member(b, "id", u.ID, false)
	b = member(b, "email", u.Email, true)
	b = member(b, "firstName", u.FirstName, false)
	b = member(b, "lastName", u.LastName, false)
	b = member(b, "status", u.Status, false)
	b = member(b, "externalStatus", u.ExternalStatus, false)
	if len(u.Roles) > 0 {
		b = append(b, `"roles": [`...)
		for i, r := range u.Roles {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendString(b, r)
		}
		b = append(b, "], "...)
	}
	b = member(b, "lastUsedDate", u.LastUsedDate, false)
	return closeObject(b)
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
	b = append(b, "    {"...)
	b = member(b, "name", l.Name, true)
	if l.PricePerUser != nil {
		b = append(b, `"pricePerUser": `...)
		b = strconv.AppendInt(b, *l.PricePerUser, 10)
		b = append(b, ", "...)
	}
	if l.UnassignedAmount != nil {
		b = append(b, `"unassignedAmount": `...)
		b = strconv.AppendInt(b, *l.UnassignedAmount, 10)
		b = append(b, ", "...)
	}
	return append(b, `"users": [`...)
}

// AppendLicenseUser appends the line of the i-th user of a license.
func AppendLicenseUser(b []byte, u *LicenseUser, i int) []byte {
	if i > 0 {
		b = append(b, ',')
	}
	b = append(b, "\n      {"...)
	b = member(b, "email", u.Email, true)
	b = member(b, "licenseStatus", u.LicenseStatus, false)
	return closeObject(b)
}

// AppendLicenseEnd closes a license that has n users.
func AppendLicenseEnd(b []byte, n int) []byte {
	if n > 0 {
		b = append(b, "\n    "...)
	}
	return append(b, "]}"...)
}

// member appends `"name": "value", `; closeObject drops the last separator.
func member(b []byte, name, value string, always bool) []byte {
	if value == "" && !always {
		return b
	}
	b = append(b, '"')
	b = append(b, name...)
	b = append(b, `": `...)
	b = appendString(b, value)
	return append(b, ", "...)
}

func closeObject(b []byte) []byte {
	if len(b) >= 2 && b[len(b)-2] == ',' && b[len(b)-1] == ' ' {
		b = b[:len(b)-2]
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string the way encoding/json does without HTML escaping.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		for i < len(s) && plain[s[i]] {
			i++
		}
		if i == len(s) {
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
