package source

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// csvCases are texts whose records, positions and errors csvReader must give as
// encoding/csv does: quotes, CRLF, blank lines, bare quotes, unclosed quotes, a last
// line without a line break, a CR before the end of the text.
var csvCases = []string{
	"a,b,c\n1,2,3\n",
	"a,b\r\n1,2\r\n",
	"\n\na,b\n\r\n\n1,2",
	"a,\"b,c\",d\n",
	"a,\"b\"\"c\",d\n",
	"a,\"multi\nline\",x\ny,z\n",
	"a,\"multi\r\nline\r\n\",x\r\n",
	"a,\"b\"c,d\n",
	"a,b\"c,d\n",
	"a,\"unclosed\nmore\n",
	"a,\"unclosed",
	"a,\"",
	"\"a\"\r",
	"a,b\r",
	"a,\"b\r",
	"\r",
	",,\n,\n",
	"\"\"\n\"\",\"\"\n",
	"a,\"\n\"\n",
	"a,\"x\r\r\ny\"\n",
	"a;b;\"c;d\"\n",
	"é,\"ü\",x\n",
}

func TestCSVReaderLikeEncodingCSV(t *testing.T) {
	for _, text := range csvCases {
		for _, comma := range []byte{',', ';'} {
			if err := compareCSV([]byte(text), comma, 4); err != nil {
				t.Errorf("%q (delimiter %q): %v", text, comma, err)
			}
		}
	}
}

// FuzzCSVReader holds csvReader to encoding/csv on any text: every record, every
// field's position, the offset after it, and the first error, with the text read a
// few bytes at a time into small chunks, so that records straddle chunks.
func FuzzCSVReader(f *testing.F) {
	for _, text := range csvCases {
		f.Add([]byte(text), byte(','), uint8(5))
	}
	f.Add([]byte("a\tb\n\"c\td\"\te\n"), byte('\t'), uint8(1))
	f.Add([]byte("a|\"b\"|c\n"), byte('|'), uint8(200))
	f.Fuzz(func(t *testing.T, text []byte, comma byte, chunk uint8) {
		if comma >= 0x80 || comma == '"' || comma == '\r' || comma == '\n' || comma == 0 {
			t.Skip()
		}
		if err := compareCSV(text, comma, int(chunk)+1); err != nil {
			t.Fatal(err)
		}
	})
}

// compareCSV reads text with encoding/csv and with csvReader, and says where they differ.
// Every other record is read with ReadAppend, onto the end of the ones read so before:
// those must stay as they were.
func compareCSV(text []byte, comma byte, chunk int) error {
	want := csv.NewReader(bytes.NewReader(text))
	want.Comma = rune(comma)
	want.FieldsPerRecord = -1
	got := newCSVReader(iotest.HalfReader(bytes.NewReader(text)), comma, len(text)+1)
	got.chunk = chunk
	var appended, wantAppended []string
	for n := 1; ; n++ {
		wrec, werr := want.Read()
		var grec []string
		var gerr error
		if n%2 == 0 {
			k := len(appended)
			appended, gerr = got.ReadAppend(appended)
			grec = appended[k:]
			if gerr == nil {
				wantAppended = append(wantAppended, wrec...)
			}
		} else {
			grec, gerr = got.Read()
		}
		if werr != nil || gerr != nil {
			if !sameCSVError(werr, gerr) {
				return fmt.Errorf("record %d: got error %v, want %v", n, gerr, werr)
			}
			if strings.Join(appended, "\x00|") != strings.Join(wantAppended, "\x00|") || len(appended) != len(wantAppended) {
				return fmt.Errorf("the records read with ReadAppend are %q, want %q", appended, wantAppended)
			}
			return nil
		}
		if strings.Join(grec, "\x00|") != strings.Join(wrec, "\x00|") || len(grec) != len(wrec) {
			return fmt.Errorf("record %d: got %q, want %q", n, grec, wrec)
		}
		for i := range wrec {
			wl, wc := want.FieldPos(i)
			if gl, gc := got.FieldPos(i); gl != wl || gc != wc {
				return fmt.Errorf("record %d, field %d: got position %d:%d, want %d:%d", n, i, gl, gc, wl, wc)
			}
		}
		if g, w := got.InputOffset(), want.InputOffset(); g != w {
			return fmt.Errorf("record %d: got offset %d, want %d", n, g, w)
		}
	}
}

func sameCSVError(want, got error) bool {
	var wp, gp *csv.ParseError
	if errors.As(want, &wp) && errors.As(got, &gp) {
		return *wp == *gp
	}
	return want == got || want == io.EOF && got == io.EOF
}

// TestCSVReaderLimit reads a record longer than the limit: it fails with errPastLimit,
// whatever the size of the chunks, rather than growing the buffer without end.
func TestCSVReaderLimit(t *testing.T) {
	text := "a,b\n\"" + strings.Repeat("x", 5000) + "\n"
	r := newCSVReader(strings.NewReader(text), ',', 1000)
	r.chunk = 64
	if _, err := r.Read(); err != nil {
		t.Fatalf("first record: %v", err)
	}
	if _, err := r.Read(); !errors.Is(err, errPastLimit) {
		t.Fatalf("got %v, want errPastLimit", err)
	}
	if len(r.buf) > 4000 {
		t.Errorf("the buffer grew to %d bytes for a limit of 1000", len(r.buf))
	}
}

// TestCSVReaderBlankLinesPastLimit reads runs of empty lines longer than the limit,
// between records and at the end: they belong to no record, so they are read, not
// refused as a record past the limit, and lines are still counted across them.
func TestCSVReaderBlankLinesPastLimit(t *testing.T) {
	for _, nl := range []string{"\n", "\r\n"} {
		blank := strings.Repeat(nl, 500)
		text := "a,b" + nl + blank + "c,d" + nl + blank
		r := newCSVReader(strings.NewReader(text), ',', 100)
		r.chunk = 64
		for _, want := range []string{"a", "c"} {
			rec, err := r.Read()
			if err != nil || rec[0] != want {
				t.Fatalf("%q: got %q, %v; want the record %s", nl, rec, err, want)
			}
		}
		if line, _ := r.FieldPos(0); line != 502 {
			t.Errorf("%q: the second record is on line %d, want 502", nl, line)
		}
		if _, err := r.Read(); err != io.EOF {
			t.Errorf("%q: after the last record: %v, want io.EOF", nl, err)
		}
		if err := compareCSV([]byte(text), ',', 64); err != nil {
			t.Errorf("%q: %v", nl, err)
		}
	}
}

// TestCSVReaderLimitExact reads records of the limit's size and one byte more, each
// whole in one chunk: the first is read, the second fails.
func TestCSVReaderLimitExact(t *testing.T) {
	at := strings.Repeat("x", 99) + "\n"    // 100 bytes, the limit
	past := strings.Repeat("y", 100) + "\n" // 101 bytes
	r := newCSVReader(strings.NewReader(at+past), ',', 100)
	if rec, err := r.Read(); err != nil || len(rec) != 1 || len(rec[0]) != 99 {
		t.Fatalf("record of 100 bytes: got %d fields, %v", len(rec), err)
	}
	if _, err := r.Read(); !errors.Is(err, errPastLimit) {
		t.Fatalf("record of 101 bytes: got %v, want errPastLimit", err)
	}
}

// TestCSVReaderKeepsStrings checks that the strings of a record stay as they were
// while later records are read: the chunk they point into is never written again.
func TestCSVReaderKeepsStrings(t *testing.T) {
	var b strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&b, "name%d,\"q\"\"%d\",user%d@example.com\r\n", i, i, i)
	}
	r := newCSVReader(iotest.HalfReader(strings.NewReader(b.String())), ',', 1<<20)
	r.chunk = 100
	var kept []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, rec...)
	}
	for i := range 1000 {
		want := []string{fmt.Sprintf("name%d", i), fmt.Sprintf("q\"%d", i), fmt.Sprintf("user%d@example.com", i)}
		if got := kept[3*i : 3*i+3]; strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("record %d: got %q, want %q", i+1, got, want)
		}
	}
}
