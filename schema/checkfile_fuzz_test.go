package schema_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/torii-convert/torii-convert/schema"
)

// FuzzCheckFileAgreesWithJSON holds CheckFile, which validate runs, to encoding/json's
// Valid (and RFC 8259's UTF-8): text that is not JSON always gets a problem, and JSON
// never gets a syntax problem.
func FuzzCheckFileAgreesWithJSON(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	for _, s := range []string{"{\"users\": [{\"email\": \"a\xffb@c.d\", \"status\": \"bogus\"}]}", "{\"users\": [{\"email\": \"a@b.co\"}]}\n{", "{\"users\": [] ,}", "{\"x\xff\": 1, \"users\": []}", "{\"users\": [{\"email\": \"a@b.co\", \"status\": \"active\"}], \"licenses\": [{\"name\": \"a\", \"users\": [{\"email\": \"a@b.co\"}]}] } x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		valid := json.Valid(data) && utf8.Valid(data) && !bytes.HasPrefix(data, []byte("\ufeff"))
		var n, syntax int
		_, err := schema.Contract().CheckFile(bytes.NewReader(data), time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), func(p schema.Problem) {
			n++
			if p.Keyword == "syntax" {
				syntax++
			}
		})
		if err != nil {
			t.Fatalf("%q: %v", data, err)
		}
		if !valid && n == 0 {
			t.Fatalf("%q is not JSON, yet CheckFile finds no problem", data)
		}
		if valid && syntax > 0 {
			t.Fatalf("%q is JSON, yet CheckFile finds a syntax problem", data)
		}
	})
}
