package schema_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/torii-convert/torii-convert/schema"
)

// reference compiles the embedded schema with jsonschema/v5, the implementation the
// validator is held to.
func reference(t testing.TB) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	if err := c.AddResource("customIntegrationData.json", bytes.NewReader(schema.Source)); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("customIntegrationData.json")
	if err != nil {
		t.Fatalf("the embedded schema is not valid JSON Schema: %v", err)
	}
	return s
}

// referenceErrors returns the instance locations where v5 finds the deepest errors.
func referenceErrors(t testing.TB, s *jsonschema.Schema, doc []byte) ([]string, bool) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || len(bytes.TrimLeft(doc[dec.InputOffset():], " \t\r\n")) > 0 {
		return nil, false
	}
	var ve *jsonschema.ValidationError
	if err := s.Validate(v); !errors.As(err, &ve) {
		if err != nil {
			t.Fatal(err)
		}
		return nil, true
	}
	set := map[string]bool{}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			set[e.InstanceLocation] = true
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return keys(set), true
}

func ourErrors(t testing.TB, doc []byte) ([]string, bool) {
	problems, err := schema.Contract().Checker().Document(doc)
	if err != nil {
		return nil, false
	}
	set := map[string]bool{}
	for _, p := range problems {
		if p.Keyword == "duplicate-key" {
			return nil, false // encoding/json keeps the last of duplicate keys; v5 cannot see them
		}
		if p.Keyword == "syntax" {
			return nil, false // invalid UTF-8, which encoding/json replaces and RFC 8259 forbids
		}
		at := p.Path
		if p.Keyword == "additionalProperties" {
			at = at[:len(at)-1] // v5 reports an unknown member at its object
		}
		set[at.Pointer()] = true
	}
	return keys(set), true
}

func keys(m map[string]bool) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var seeds = []string{
	`{"users": [{"email": "ada@example.com"}]}`,
	`{"users": []}`,
	`{}`,
	`[]`,
	`{"users": [{"email": "bob@"}], "licenses": [{"name": ""}]}`,
	`{"users": [{"email": "a@b.co", "status": "Active", "roles": "admin", "lastUsedDate": "2024-13-01"}]}`,
	`{"users": [{"email": "a@b.co", "lastUsedDate": "2021-07-05T20:43:14Z", "id": 15893}]}`,
	`{"users": [{"email": "a@b.co", "extra": true}], "licenses": [{"name": "Pro", "pricePerUser": -1, "unassignedAmount": 2.5, "users": [{"email": "a@b.co", "licenseStatus": "on"}]}]}`,
	`{"users": [{"email": "\u00e9@b.co", "firstName": "\ud83d\ude00"}], "x": null}`,
	`{"users": [{"email": 1, "roles": [1, "a", null]}], "licenses": {}}`,
	`{"users": [{"email": "a@b.co", "status": null}], "licenses": [[], 1, "x"]}`,
}

// FuzzCheckAgreesWithV5 holds the validator to jsonschema/v5: on any JSON, both find the
// same text valid or invalid, and put errors at the same places. go test runs it on the
// seeds.
func FuzzCheckAgreesWithV5(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	ref := reference(f)
	f.Fuzz(func(t *testing.T, doc []byte) {
		want, ok1 := referenceErrors(t, ref, doc)
		got, ok2 := ourErrors(t, doc)
		if ok1 != ok2 {
			if !ok2 && json.Valid(doc) {
				return // duplicate keys
			}
			t.Fatalf("%q: v5 parses it: %v, the validator parses it: %v", doc, ok1, ok2)
		}
		if ok1 && strings.Join(want, " ") != strings.Join(got, " ") {
			t.Fatalf("%s\nv5 finds errors at   %q\nthe validator finds %q", doc, want, got)
		}
	})
}

// FuzzFastFormats holds the fast format checks to v5's: when they say yes, so does v5.
func FuzzFastFormats(f *testing.F) {
	for _, s := range []string{"ada@example.com", "a.b+c@x-y.co", "a..b@c.d", "@x", "a@-b.com", "a@b-.com", ".a@b.c", "a.@b.c", "a@b@c", "2024-02-29", "2023-02-29", "0000-01-01", "a@b", "é@b.co"} {
		f.Add(s)
	}
	email, date := jsonschema.Formats["email"], jsonschema.Formats["date"]
	f.Fuzz(func(t *testing.T, s string) {
		if schema.FastEmail([]byte(s)) && !email(s) {
			t.Fatalf("the fast check takes %q for an email; v5 does not", s)
		}
		if schema.FastDate([]byte(s)) && !date(s) {
			t.Fatalf("the fast check takes %q for a date; v5 does not", s)
		}
		local, host, found := strings.Cut(s, "@")
		if parts := found && len(s) <= 254 && schema.PlainLocal(local) && schema.PlainHost(host); parts != schema.PlainEmail(s) {
			t.Fatalf("%q: PlainEmail says %v, its parts %v", s, !parts, parts)
		}
		if schema.PlainEmail(s) != schema.FastEmail([]byte(s)) {
			t.Fatalf("%q: PlainEmail and the fast check of its bytes differ", s)
		}
	})
}

func TestProblems(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want []string // "path: message"
	}{
		{`{"users": [{"email": "bob@"}]}`, []string{`users[0].email: "bob@" is not an email address`}},
		{`{"users": [{"email": "a@b.co", "status": "Active"}]}`, []string{`users[0].status: "Active" is not one of active, deleted (did you mean "active"?)`}},
		{`{"users": [{"firstName": "A"}]}`, []string{`users[0]: missing required field "email"`}},
		{`{"users": [{"email": "a@b.co", "lastUsed": "2024-01-01"}]}`, []string{`users[0].lastUsed: unknown field "lastUsed" (did you mean "lastUsedDate"?); Torii ignores it`}},
		{`{"users": [{"email": "a@b.co", "roles": "admin"}]}`, []string{`users[0].roles: is a string; expected an array`}},
		{`{"users": [{"email": "a@b.co", "lastUsedDate": "03/04/2024"}]}`, []string{`users[0].lastUsedDate: "03/04/2024" is not a date (YYYY-MM-DD) nor a date-time (RFC 3339, like 2024-03-17T09:30:00Z)`}},
		{`{"users": []}`, []string{`users: is empty; at least 1 item is required`}},
		{`{"users": [{"email": "a@b.co"}], "licenses": [{"name": "", "pricePerUser": -5}]}`, []string{`licenses[0].name: is empty`, `licenses[0].pricePerUser: -5 is below the minimum, 0`}},
		{`{"users": [{"email": "a@b.co", "email": "c@d.co"}]}`, []string{`users[0].email: field "email" appears more than once`}},
	} {
		problems, err := schema.Contract().Checker().Document([]byte(tc.doc))
		if err != nil {
			t.Fatalf("%s: %v", tc.doc, err)
		}
		var got []string
		for _, p := range problems {
			got = append(got, p.Path.String()+": "+p.Message)
		}
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s\n got: %q\nwant: %q", tc.doc, got, tc.want)
		}
	}
}

func TestSyntaxErrorOffset(t *testing.T) {
	doc := []byte(`{"users": [{"email": "a@b.co",}]}`)
	_, err := schema.Contract().Checker().Document(doc)
	var se *schema.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("want a syntax error, got %v", err)
	}
	if se.Offset != 30 || !strings.Contains(se.Msg, `found "}"`) {
		t.Errorf("got offset %d, %q; want the '}' at 30", se.Offset, se.Msg)
	}
}

// TestCheckFile runs every rule on a whole file and checks each problem's position.
func TestCheckFile(t *testing.T) {
	doc := `{
  "licenses": [
    {"name": "Pro", "pricePerUser": 0, "users": [{"email": "ghost@example.com"}, {"email": "ada@example.com"}, {"email": "ada@example.com"}, {"email": "Casper@Example.com"}]},
    {"name": "Pro", "users": []}
  ],
  "users": [
    {"email": "ADA@example.com", "status": "active", "lastUsedDate": "2030-01-01"},
    {"email": "ada@example.com", "status": "deleted"},
    {"email": "grace@example.com"}
  ]
}
`
	var got []string
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	st, err := schema.Contract().CheckFile(strings.NewReader(doc), today, func(p schema.Problem) {
		got = append(got, fmt.Sprintf("%d:%d %s %s: %s", p.Line, p.Col, p.Severity, p.Path, p.Message))
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`3:37 warning licenses[0].pricePerUser: is 0 for "Pro", which looks like a paid license; leave pricePerUser out if the price is not known`,
		`3:122 error licenses[0].users[2].email: "ada@example.com" holds "Pro" more than once`,
		`4:14 error licenses[1].name: "Pro" is already the name of licenses[0]; put its users into one license`,
		`7:70 warning users[0].lastUsedDate: "2030-01-01" is in the future`,
		`8:15 error users[1].email: "ada@example.com" is already the email of users[0]; merge the two users into one`,
		`9:5 warning users[2]: has neither a status nor a lastUsedDate; Torii will count the user as active`,
		`3:60 error licenses[0].users[0].email: "ghost@example.com" holds a license but is not one of the users; add the user or remove the license`,
		`3:152 error licenses[0].users[3].email: "Casper@Example.com" holds a license but is not one of the users; add the user or remove the license`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if st.Users != 3 || st.Licenses != 2 {
		t.Errorf("stats %+v, want 3 users and 2 licenses", st)
	}
}

func TestCheckFileSyntax(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{"{\n  \"users\": [\n    {\"email\": \"a@b.co\"}\n    {\"email\": \"c@d.co\"}\n  ]\n}", `4:5 expected ',' or ']' after an array element, found "{"`},
		{`{"users": [{"email": "a@b.co"`, `1:12 this value is not closed before the end of the file`},
		{`{"users": [{"email": "a@b.co"}]} x`, `1:34 unexpected text after the end of the file's object`},
		{"\ufeff{}", `1:1 the file starts with a byte order mark; save it as UTF-8 without one`},
	} {
		var got []string
		schema.Contract().CheckFile(strings.NewReader(tc.doc), time.Now(), func(p schema.Problem) {
			if p.Keyword == "syntax" {
				got = append(got, fmt.Sprintf("%d:%d %s", p.Line, p.Col, p.Message))
			}
		})
		if len(got) != 1 || got[0] != tc.want {
			t.Errorf("%q: got %q, want %q", tc.doc, got, tc.want)
		}
	}
}

func TestCheckFileGoesOnAfterBadText(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{"{\"users\": [{\"email\": \"a@b.co\", \"firstName\": \"Jos\xe9\", \"status\": \"bogus\"},\n{\"email\": 1}]}",
			`1:49 users[0]: invalid UTF-8 in a string (byte 0xe9); save the file as UTF-8|1:63 users[0].status: "bogus" is not one of active, deleted|2:11 users[1].email: is a number; expected a string`},
		{"{\"users\": [{\"email\": \"a@b.co\", \"firstName\": \"A\tB\x01\", \"status\": \"bogus\"}]}",
			`1:47 users[0]: control character 0x09 in a string; write it as \u0009|1:63 users[0].status: "bogus" is not one of active, deleted`},
		{"{\"users\": [{\"email\": \"a@b.co\", \"firstName\": \"A\\qB\", \"status\": \"active\"}, {\"email\": \"x\"}]}",
			`1:48 users[0]: invalid escape \q in a string|1:84 users[1].email: "x" is not an email address`},
		{`{"users": [` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `]}`,
			`1:10012 (root): arrays and objects nested more than 10000 deep`},
	} {
		var got []string
		schema.Contract().CheckFile(strings.NewReader(tc.doc), time.Now(), func(p schema.Problem) {
			got = append(got, fmt.Sprintf("%d:%d %s: %s", p.Line, p.Col, p.Path, p.Message))
		})
		sort.Strings(got)
		if g := strings.Join(got, "|"); g != tc.want {
			t.Errorf("%.80q:\n got %s\nwant %s", tc.doc, g, tc.want)
		}
	}
}

// FuzzScannerAgreesWithJSON holds the scanner to encoding/json's Valid on any bytes,
// but for invalid UTF-8, which encoding/json lets through and RFC 8259 (and the scanner)
// does not.
func FuzzScannerAgreesWithJSON(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	for _, s := range []string{"\"\xff\"", "\"a\x00b\"", "\"\x1f\"", "\"\x7f\"", "\"\xed\xa0\x80\"", "{\"\xc3\":1}", "[\"\\u00e9\", \"\xc3\xa9\"]", "\"\\ud800\"", strings.Repeat("[", 10001)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want := json.Valid(data) && utf8.Valid(data)
		if got := schema.Valid(data); got != want {
			t.Fatalf("%q: the scanner says valid: %v, encoding/json (and UTF-8): %v", data, got, want)
		}
	})
}

// TestCheckFileLicenseUsersNotAnArray: a license whose users are a string, a number or
// null is a type error at its place, not a crash of validate.
func TestCheckFileLicenseUsersNotAnArray(t *testing.T) {
	for _, users := range []string{`"ada@example.com"`, `1`, `null`, `{}`, `true`} {
		doc := `{"users": [{"email": "ada@example.com"}], "licenses": [{"name": "Pro", "users": ` + users + `}]}`
		var got []string
		_, err := schema.Contract().CheckFile(strings.NewReader(doc), time.Now(), func(p schema.Problem) {
			if p.Severity == schema.Error {
				got = append(got, fmt.Sprintf("%d:%d %s %s", p.Line, p.Col, p.Path, p.Keyword))
			}
		})
		want := fmt.Sprintf("1:%d licenses[0].users type", strings.LastIndex(doc, users)+1)
		if err != nil || len(got) != 1 || got[0] != want {
			t.Errorf("users %s: got %q, %v", users, got, err)
		}
	}
}

// TestCheckFileEmptyUsersHasAPlace: "users is empty" points at the array, not at 0:0.
func TestCheckFileEmptyUsersHasAPlace(t *testing.T) {
	for doc, want := range map[string]string{
		`{"users": []}`: "1:11 users minItems",
		"{\n  \"licenses\": [],\n  \"users\": [\n  ]\n}":                                         "3:12 users minItems",
		"{\n  \"users\": [{\"email\": \"a@b.co\", \"status\": \"active\"}],\n  \"users\": []\n}": "3:12 users minItems",
	} {
		var got []string
		schema.Contract().CheckFile(strings.NewReader(doc), time.Now(), func(p schema.Problem) {
			if p.Keyword == "minItems" {
				got = append(got, fmt.Sprintf("%d:%d %s %s", p.Line, p.Col, p.Path, p.Keyword))
			}
		})
		if len(got) != 1 || got[0] != want {
			t.Errorf("%q: got %q, want %q", doc, got, want)
		}
	}
}

// TestCheckFileMissingUsersHasAPlace: a file without users is told at 1:1, where its
// object begins, also after records of licenses were read.
func TestCheckFileMissingUsersHasAPlace(t *testing.T) {
	for _, doc := range []string{`{}`, "{\n  \"licenses\": [{\"name\": \"Pro\"}]\n}"} {
		var got []string
		schema.Contract().CheckFile(strings.NewReader(doc), time.Now(), func(p schema.Problem) {
			if p.Keyword == "required" {
				got = append(got, fmt.Sprintf("%d:%d %s", p.Line, p.Col, p.Message))
			}
		})
		if want := `1:1 missing required field "users"`; len(got) != 1 || got[0] != want {
			t.Errorf("%q: got %q, want %q", doc, got, want)
		}
	}
}

// TestCheckFileBadTextInTopLevelName: a name of the file's object that is not UTF-8 (or
// holds a control character) is told as such, at its byte, as inside records.
func TestCheckFileBadTextInTopLevelName(t *testing.T) {
	for doc, want := range map[string]string{
		"{\"x\xff\": 1, \"users\": [{\"email\": \"a@b.co\", \"status\": \"active\"}]}":  "1:4 invalid UTF-8 in a string (byte 0xff); save the file as UTF-8",
		"{\"users\": [{\"email\": \"a@b.co\", \"status\": \"active\"}],\n \"a\tb\": 1}": `2:4 control character 0x09 in a string; write it as \u0009`,
	} {
		var got []string
		schema.Contract().CheckFile(strings.NewReader(doc), time.Now(), func(p schema.Problem) {
			if p.Keyword == "syntax" {
				got = append(got, fmt.Sprintf("%d:%d %s", p.Line, p.Col, p.Message))
			}
		})
		if len(got) != 1 || got[0] != want {
			t.Errorf("%q: got %q, want %q", doc, got, want)
		}
	}
}
