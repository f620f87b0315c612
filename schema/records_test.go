package schema

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

func TestReadRecords(t *testing.T) {
	const file = `{
  "licenses": [
    {"name": "Full", "pricePerUser": 1499.6, "unassignedAmount": 2, "users": [
      {"email": "Ada@example.com", "licenseStatus": "inactive"}, {"email": "bob@example.com"}
    ]}
  ],
  "users": [
    {"email": "Ada@example.com", "firstName": "Ada", "status": "deleted", "roles": ["a", "b"], "lastUsedDate": "2026-01-02"},
    {"email": "bob@", "extra": {"nested": [1, 2]}}
  ]
}`
	var got []string
	err := Contract().ReadRecords(strings.NewReader(file), Records{
		User: func(u *User) { got = append(got, fmt.Sprintf("user %s %s %s", u.Email, u.Status, u.LastUsedDate)) },
		License: func(l *License) {
			got = append(got, fmt.Sprintf("license %s %d %d %v", l.Name, *l.PricePerUser, *l.UnassignedAmount, l.Users))
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"license Full 1500 2 [{Ada@example.com inactive} {bob@example.com }]",
		"user Ada@example.com deleted 2026-01-02",
		"user bob@  ", // not checked: validate reports it
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("records:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestReadRecordsSyntax(t *testing.T) {
	for file, want := range map[string]string{
		"{\n  \"users\": [\n    {\"email\": \"a@b.c\",}\n  ]\n}": "3:23: invalid JSON: ",
		"{\n  \"users\": [\n    {\"email\": \"a@b.c\"}\n  ]\n":   "5:1: invalid JSON: the file ends too early",
		"{\"users\": [{\"email\": tru}]}":                        "1:22: invalid JSON: ",
	} {
		err := Contract().ReadRecords(strings.NewReader(file), Records{User: func(*User) {}})
		var se *SyntaxError
		if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: got %v, want %q...", file, err, want)
		}
	}
}

var testToday = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// FuzzReadRecordsAgreesWithCheck holds ReadRecords to CheckFile on the grammar: the text
// is malformed (or not a JSON object) for one exactly when it is for the other, and the
// only error is a *SyntaxError.
func FuzzReadRecordsAgreesWithCheck(f *testing.F) {
	for _, s := range []string{
		`{"users": [{"email": "a@b.c", "status": "active"}], "licenses": [{"name": "L", "users": [{"email": "a@b.c"}]}]}`,
		`{"users": [{"email": "a@b.c",}]}`,
		`{"users": [{"email": tru}]}`,
		`{"users": [1, "x", {"email": "\u0041@b.c"}], "x": {}}`,
		`{"licenses": [{"name": "L", "pricePerUser": 1.5e3, "users": [{"email": "a@b.c"}, 3]}], "users": []}`,
		`{"users": [{"email": "a@b.c"}]} x`,
		`[]`,
		``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		syntax := false
		Contract().CheckFile(strings.NewReader(s), testToday, func(p Problem) {
			if p.Keyword == "syntax" || p.Keyword == "type" && len(p.Path) == 0 {
				syntax = true
			}
		})
		err := Contract().ReadRecords(strings.NewReader(s), Records{User: func(*User) {}, License: func(*License) {}})
		var se *SyntaxError
		if errors.As(err, &se) != syntax {
			t.Fatalf("%q: CheckFile finds malformed JSON: %v; ReadRecords: %v", s, syntax, err)
		}
		if err != nil && se == nil {
			t.Fatalf("%q: an error that is not a syntax error: %v", s, err)
		}
	})
}

// TestCheckFileMalformedRecord: malformed JSON inside a record is a syntax problem, never
// a valid file; a license's users that are not an array are the schema's to report, never
// a crash.
func TestCheckFileMalformedRecord(t *testing.T) {
	for file, want := range map[string]string{
		`{"users": [{"email": tru}]}`:                                                "syntax 1:22",
		`{"users": [{"email": "a@b.c",}]}`:                                           "syntax 1:30",
		`{"users": [{"email": "a@b.c"}], "licenses": [{"name": "L", "users": "x"}]}`: "type 1:69",
	} {
		var got []string
		Contract().CheckFile(strings.NewReader(file), testToday, func(p Problem) {
			if p.Severity == Error {
				got = append(got, fmt.Sprintf("%s %d:%d", p.Keyword, p.Line, p.Col))
			}
		})
		if strings.Join(got, ", ") != want {
			t.Errorf("%s: errors %q, want %q", file, got, want)
		}
	}
}

// TestReadRecordsNotAnObject: a file that is not a JSON object (an array, a string, a
// CSV given by mistake) is an error, not a file of no records: diff took it for a file
// whose users were all removed.
func TestReadRecordsNotAnObject(t *testing.T) {
	for _, file := range []string{`["a@b.co"]`, "\n  \"users\"", "00", "email,name\na@b.co,Ada\n", "null"} {
		users := 0
		err := Contract().ReadRecords(strings.NewReader(file), Records{User: func(*User) { users++ }})
		var se *SyntaxError
		if !errors.As(err, &se) || se.Line == 0 || !strings.Contains(se.Msg, `must be a JSON object with a "users" array`) {
			t.Errorf("%q: got %v (%d users)", file, err, users)
		}
	}
}

// TestReadRecordsBorrow: borrowed emails, copied during the call, are the emails a
// plain read gives, across the reader's refills and a license of many holders.
func TestReadRecordsBorrow(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"users": [`)
	for i := range 20000 {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"email": "User%d@example.com", "status": "active", "firstName": "%s"}`, i, strings.Repeat("x", i%50))
	}
	b.WriteString(`], "licenses": [`)
	for l := range 3 {
		if l > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"name": "L%d", "users": [`, l)
		for i := range 10000 * (l + 1) {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, `{"email": "user%d@example.com", "licenseStatus": "active"}`, i)
		}
		b.WriteString(`]}`)
	}
	b.WriteString(`]}`)
	read := func(borrow bool) []string {
		var got []string
		err := Contract().ReadRecords(strings.NewReader(b.String()), Records{Borrow: borrow,
			User: func(u *User) { got = append(got, strings.Clone(u.Email)) },
			License: func(l *License) {
				for _, h := range l.Users {
					got = append(got, l.Name+" "+h.Email)
				}
			}})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	plain, borrowed := read(false), read(true)
	if len(plain) != 20000+60000 || strings.Join(plain, "\n") != strings.Join(borrowed, "\n") {
		t.Errorf("%d records read plainly, %d borrowed; they differ", len(plain), len(borrowed))
	}
}

// FuzzReadRecordsPiped holds ReadRecords on two cores to ReadRecords on one: the same
// records in the same order, and the same error at the same line and column, whatever
// the text (records after a malformed one, records too large to share a batch).
func FuzzReadRecordsPiped(f *testing.F) {
	for _, s := range []string{
		`{"users": [{"email": "a@b.c", "status": "active"}], "licenses": [{"name": "L", "users": [{"email": "a@b.c"}]}]}`,
		`{"users": [{"email": "a@b.c"}, {"email" "x"}, {"email": "d@e.f"}]}`,
		`{"users": [{"email": "a@b.c"}, {"email": "\u00zz"}, {"email": "d@e.f"}]}`,
		"{\n\"users\": [\n{\"email\": \"a@b.c\"},\n{\"email\": tru},\n{\"email\": \"d@e.f\"}\n]\n}",
		`{"users": [1, "x", {"email": "\u0041@b.c"}], "x": {}}`,
		`{"users": [{"email": "a@b.c"}]} x`,
		`[]`,
	} {
		f.Add(s, 0)
	}
	f.Add(`{"users": [{"email": "a@b.c"}, {"email": "d@e.f"}]}`, 3000)
	f.Fuzz(func(t *testing.T, s string, repeat int) {
		if repeat = max(repeat, 0) % 5000; repeat > 0 && strings.HasPrefix(s, `{"users": [`) {
			// Many records, a batch's worth and more, some larger than a batch.
			body := strings.TrimPrefix(s, `{"users": [`)
			var b strings.Builder
			b.WriteString(`{"users": [`)
			for i := range repeat {
				fmt.Fprintf(&b, `{"email": "u%d@x.io", "firstName": "%s"}, `, i, strings.Repeat("x", i%7*i%3*20000))
			}
			s = b.String() + body
		}
		read := func(fn func(io.Reader, Records) error) string {
			var out strings.Builder
			err := fn(strings.NewReader(s), Records{
				User: func(u *User) { fmt.Fprintf(&out, "user %q %q %q\n", u.Email, u.Status, u.LastUsedDate) },
				License: func(l *License) {
					fmt.Fprintf(&out, "license %q %v %v %v\n", l.Name, l.PricePerUser, l.UnassignedAmount, l.Users)
				},
				Borrow: true,
			})
			fmt.Fprintf(&out, "error %v", err)
			return out.String()
		}
		one, two := read(Contract().readRecords), read(Contract().readRecordsPiped)
		if one != two {
			t.Fatalf("%.200q\non one core:\n%.2000s\non two:\n%.2000s", s, one, two)
		}
	})
}
