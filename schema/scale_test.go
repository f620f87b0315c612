package schema_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/torii-convert/torii-convert/schema"
)

// scaleCase is a file shape whose check must stay linear in the size of the file.
type scaleCase struct {
	name          string
	licensesFirst bool
	// bad picks the holders and users that are wrong, and how: "" none, "ghosts" holders
	// who are not users, "twice" every holder listed twice in its license, "emails"
	// every email malformed, so that each record has problems; "misspelt" every holder's
	// email under another name, so that a problem inside each holder (an unknown field)
	// comes before one about the holder itself (a missing email), placed earlier.
	bad string
}

var scaleCases = []scaleCase{
	{name: "users-first"},
	{name: "licenses-first", licensesFirst: true},
	{name: "users-first/ghosts", bad: "ghosts"},
	{name: "licenses-first/ghosts", licensesFirst: true, bad: "ghosts"},
	{name: "licenses-first/twice", licensesFirst: true, bad: "twice"},
	{name: "users-first/emails", bad: "emails"},
	{name: "licenses-first/emails", licensesFirst: true, bad: "emails"},
	{name: "users-first/ghosts-1pct", bad: "ghosts-1pct"},
	{name: "users-first/misspelt", bad: "misspelt"},
}

// scaleFile writes a file of n users laid out as most tools write JSON (a member a line),
// with one license held by every user, so that one record grows with the file.
func scaleFile(n int, c scaleCase) []byte {
	var users, lic bytes.Buffer
	users.WriteString(`"users": [`)
	lic.WriteString("\"licenses\": [\n    {\n      \"name\": \"Full\",\n      \"pricePerUser\": 1500,\n      \"users\": [")
	for i := 0; i < n; i++ {
		email := fmt.Sprintf("user%07d@example.com", i)
		holder := email
		switch {
		case c.bad == "emails":
			email = fmt.Sprintf("user%07d@", i)
			holder = email
		case c.bad == "ghosts", c.bad == "ghosts-1pct" && i%100 == 0:
			holder = fmt.Sprintf("ghost%07d@example.com", i)
		}
		if i > 0 {
			users.WriteByte(',')
			lic.WriteByte(',')
		}
		fmt.Fprintf(&users, "\n    {\n      \"email\": %q,\n      \"status\": \"active\",\n      \"lastUsedDate\": \"2026-03-17\"\n    }", email)
		key := "email"
		if c.bad == "misspelt" {
			key = "emial"
		}
		fmt.Fprintf(&lic, "\n        {\n          %q: %q\n        }", key, holder)
		if c.bad == "twice" {
			fmt.Fprintf(&lic, ",\n        {\n          \"email\": %q\n        }", holder)
		}
	}
	users.WriteString("\n  ]")
	lic.WriteString("\n      ]\n    }\n  ]")
	first, second := &users, &lic
	if c.licensesFirst {
		first, second = second, first
	}
	return fmt.Appendf(nil, "{\n  %s,\n  %s\n}\n", first, second)
}

var scaleToday = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// TestCheckFileLinear holds the check to work in proportion to the file, in every key
// order and with any number of problems: twice the users, at most twice the bytes
// stepped over (and a margin for the constant part). Steps, not time: a shared machine
// times nothing reliably.
func TestCheckFileLinear(t *testing.T) {
	for _, c := range scaleCases {
		t.Run(c.name, func(t *testing.T) {
			var steps [2]int64
			var problems [2]int
			for k, n := range []int{1000, 2000} {
				s, err := schema.CheckSteps(bytes.NewReader(scaleFile(n, c)), func(schema.Problem) { problems[k]++ })
				if err != nil {
					t.Fatal(err)
				}
				steps[k] = s
			}
			if ratio := float64(steps[1]) / float64(steps[0]); ratio > 2.05 {
				t.Errorf("2,000 users took %d steps, %.2fx the %d of 1,000 users; want at most 2x", steps[1], ratio, steps[0])
			}
			if wantProblems := c.bad != ""; (problems[0] > 0) != wantProblems || problems[1] < 2*problems[0]-2 || problems[1] > 2*problems[0]+2 {
				t.Errorf("problems %v: want none for a valid file, else about twice as many for twice the users", problems)
			}
		})
	}
}

// BenchmarkCheckFileShapes checks a 10,000-user file of each shape; b.SetBytes gives
// MB/s, and steps/byte the bytes looked at for each byte of the file, which no load on
// the machine moves.
func BenchmarkCheckFileShapes(b *testing.B) {
	for _, c := range scaleCases {
		b.Run(c.name, func(b *testing.B) {
			data := scaleFile(10000, c)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			var steps int64
			for b.Loop() {
				s, err := schema.CheckSteps(bytes.NewReader(data), func(schema.Problem) {})
				if err != nil {
					b.Fatal(err)
				}
				steps = s
			}
			b.ReportMetric(float64(steps)/float64(len(data)), "steps/byte")
		})
	}
}

// TestCheckFilePositions holds every problem's line and column to its offset, counted
// afresh over the whole file, for problems that come in and out of order within a record.
func TestCheckFilePositions(t *testing.T) {
	docs := map[string][]byte{
		"out of order": []byte("{\n  \"licenses\": [{\"name\": \"A\", \"users\": [\n    {\"emial\": \"a@b.co\"},\n    {\"email\": \"x@\",\n     \"licenseStatus\": 3}, {\"foo\": 1,\n \"bar\": 2}]}],\n  \"users\": [{\"email\": \"a@b.co\"}]\n}\n"),
		"one line":     []byte(`{"users": [{"email": "a@b.co", "status": "x"}, {"email": "A@b.co", "foo": 1}], "licenses": [{"name": "A", "users": [{"email": "ghost@b.co"}, {"email": "a@b.co"}, {"email": "a@b.co"}, {}]}]}`),
	}
	for _, c := range scaleCases {
		docs[c.name] = scaleFile(50, c)
	}
	for name, doc := range docs {
		checked := 0
		schema.Contract().CheckFile(bytes.NewReader(doc), scaleToday, func(p schema.Problem) {
			if p.Offset < 0 || p.Line == 0 {
				return
			}
			checked++
			before := doc[:p.Offset]
			line := bytes.Count(before, []byte("\n")) + 1
			col := len(before) - bytes.LastIndexByte(before, '\n')
			if p.Line != line || p.Col != col {
				t.Errorf("%s: %s at offset %d: got %d:%d, want %d:%d", name, p.Path, p.Offset, p.Line, p.Col, line, col)
			}
		})
		if wantSome := name != "users-first" && name != "licenses-first"; wantSome && checked == 0 {
			t.Errorf("%s: no problem with a position", name)
		}
	}
}

// FuzzCheckFileInPieces holds the check of a file read a byte at a time, so that every
// string, escape and bracket straddles the end of what is buffered, to the check of the
// same file read at once.
func FuzzCheckFileInPieces(f *testing.F) {
	f.Add([]byte(`{"users": [{"email": "a\"b@c.co", "status": "x\\"}, {"email": "\u0041@b.co"}], "licenses": [{"name": "[{\"", "users": [{"email": "a\"b@c.co"}]}]}`))
	f.Add([]byte(`{"users": [1, "x\\\"", [], {}, null, true, -1.5e3], "licenses": {"a": "}"}}`))
	f.Add(scaleFile(3, scaleCase{licensesFirst: true, bad: "twice"}))
	f.Add([]byte(`{"users": [{"email": "a@b.co"`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		check := func(r io.Reader) string {
			var b strings.Builder
			st, err := schema.Contract().CheckFile(r, scaleToday, func(p schema.Problem) {
				fmt.Fprintf(&b, "%d:%d@%d %s %s: %s\n", p.Line, p.Col, p.Offset, p.Severity, p.Path, p.Message)
			})
			fmt.Fprintf(&b, "%+v %v", st, err)
			return b.String()
		}
		whole, pieces := check(bytes.NewReader(doc)), check(iotest.OneByteReader(bytes.NewReader(doc)))
		if whole != pieces {
			t.Errorf("read at once:\n%s\nread a byte at a time:\n%s", whole, pieces)
		}
	})
}

// FuzzWordScans holds the scans that read eight bytes at a time to the byte-at-a-time
// loops they stand for.
func FuzzWordScans(f *testing.F) {
	f.Add([]byte(`user42@example.com", "status`), 0)
	f.Add([]byte("ada.lovelace@Example.COM@[\\]^_`{"), 2)
	f.Add([]byte("abcdefgh\x80ijklmnop\\qrstuvw\x1fxyz"), 3)
	f.Add([]byte(",\n        {\n          \"email\": [1]}"), 1)
	f.Fuzz(func(t *testing.T, d []byte, i int) {
		if i < 0 || i > len(d) {
			return
		}
		for _, s := range schema.WordScans {
			want := i
			for want < len(d) && !s.Stop(d[want]) {
				want++
			}
			if got := s.Scan(d, i); got != want {
				t.Errorf("%s of %q from %d: %d, want %d", s.Name, d, i, got, want)
			}
		}
	})
}
