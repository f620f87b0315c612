package source

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

func readText(t *testing.T, data []byte, name string) (string, *decoded, error) {
	t.Helper()
	d, err := decodeText("x.csv", bytes.NewReader(data), name)
	if err != nil {
		return "", nil, err
	}
	out, err := io.ReadAll(d.r)
	return string(out), d, err
}

func TestDecodeText(t *testing.T) {
	const text = "Name,Email\nJosé Müller,jose@example.com\n"
	le, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(text))
	be, _ := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(text))
	leNoBOM, _ := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder().Bytes([]byte(text))
	cp1252, _ := charmap.Windows1252.NewEncoder().Bytes([]byte(text))
	for _, tc := range []struct {
		name, force, encoding string
		data                  []byte
		guessed               bool
	}{
		{"utf-8", "", "UTF-8", []byte(text), false},
		{"utf-8 with a byte order mark", "", "UTF-8", append([]byte("\xef\xbb\xbf"), text...), false},
		{"utf-16le with a byte order mark", "", "UTF-16LE", le, false},
		{"utf-16be with a byte order mark", "", "UTF-16BE", be, false},
		{"utf-16le without one", "", "UTF-16LE", leNoBOM, false},
		{"windows-1252", "", "Windows-1252", cp1252, true},
		{"windows-1252, named", "windows-1252", "WINDOWS-1252", cp1252, false},
		{"latin-1, named", "latin1", "ISO-8859-1", cp1252, false},
		{"CRLF line ends", "", "UTF-8", []byte(strings.ReplaceAll(text, "\n", "\r\n")), false},
		{"CR line ends", "", "UTF-8", []byte(strings.ReplaceAll(text, "\n", "\r")), false},
	} {
		got, d, err := readText(t, tc.data, tc.force)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		want := text
		if strings.HasPrefix(tc.name, "CRLF") {
			want = strings.ReplaceAll(text, "\n", "\r\n")
		}
		if got != want || d.encoding != tc.encoding || d.guessed != tc.guessed {
			t.Errorf("%s: read %q as %s (guessed %v)", tc.name, got, d.encoding, d.guessed)
		}
	}
	// Naming UTF-8 checks it all the same: never a silent U+FFFD.
	for _, name := range []string{"utf-8", "UTF8", "unicode-1-1-utf-8"} {
		got, _, err := readText(t, []byte("\xef\xbb\xbfName\nJos\xe9\n"), name)
		if err == nil || !strings.Contains(err.Error(), "line 2 is not UTF-8 (byte 0xe9)") {
			t.Errorf("--encoding %s: read %q, %v", name, got, err)
		}
	}
	// UTF-8 that stops being UTF-8 past the sample fails with the line, whatever the
	// line ends: the line is the one encoding/csv numbers (a lone CR ends a line too).
	for _, eol := range []string{"\n", "\r\n", "\r"} {
		data := []byte(strings.ReplaceAll(strings.Repeat("a,b@c.d\n", sampleSize/8+10)+"\xe9\n", "\n", eol))
		_, _, err := readText(t, data, "")
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.Msg, "line 8203 is not UTF-8 (byte 0xe9)") {
			t.Errorf("line ends %q: got %v", eol, err)
		}
	}
}

// TestLineEndsAcrossReads feeds CRLF, CR and LF one byte at a time.
func TestLineEndsAcrossReads(t *testing.T) {
	in := "a\r\nb\rc\nd\r\r\ne\r"
	out, err := io.ReadAll(&lineEnds{r: &oneByte{strings.NewReader(in)}})
	if err != nil || string(out) != "a\nb\nc\nd\n\ne\n" {
		t.Errorf("got %q, %v", out, err)
	}
}

type oneByte struct{ r io.Reader }

func (o *oneByte) Read(p []byte) (int, error) { return o.r.Read(p[:1]) }

func TestSniffDelimiter(t *testing.T) {
	for _, tc := range []struct {
		want   rune
		sample string
	}{
		{',', "Name,Email,Seat type\nAda,ada@example.com,Full\n\"Hopper, Grace\",grace@example.com,Dev\n"},
		{';', "Name;Email;Price\nAda;ada@example.com;12,50\nGrace;grace@example.com;1,5\n"},
		{'\t', "Name\tEmail\tRoles\nAda\tada@example.com\tadmin, member\n"},
		{'|', "Name|Email\nAda|ada@example.com\nGrace|grace@example.com\n"},
		// A banner and a footer do not outvote the rows.
		{';', "Worker Report - as of 09/01/2026, all sites\nName;Email;Status\nAda;a@b.co;Active\nGrace;g@b.co;Active\nAlan;t@b.co;Inactive\nTotal: 3, all active\n"},
	} {
		want, sample := tc.want, tc.sample
		if got := sniffDelimiter([]byte(sample)); got != want {
			t.Errorf("%q: got %q, want %q", sample, got, want)
		}
	}
}

// FuzzDecodeText: any bytes read as UTF-8 text or fail with a message; never a panic,
// never anything but UTF-8 out.
func FuzzDecodeText(f *testing.F) {
	f.Add([]byte("Name,Email\nAda,ada@example.com\n"), "")
	f.Add([]byte("\xff\xfeN\x00a\x00\r\x00\n\x00"), "")
	f.Add([]byte("Jos\xe9\r\nM\xfcller\r"), "")
	f.Add([]byte("\xef\xbb\xbf\xe2\x82"), "")
	f.Add([]byte("abc"), "utf-16be")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		if len(name) > 20 {
			return
		}
		got, _, err := readText(t, data, name)
		var e *Error
		if err != nil && !errors.As(err, &e) && !strings.Contains(err.Error(), "encoding") {
			t.Fatalf("an error without words: %v", err)
		}
		if err == nil && !utf8.ValidString(got) {
			t.Fatalf("%q read as %q, which is not UTF-8", data, got)
		}
		if err == nil && strings.Contains(got, "\r") && !strings.Contains(got, "\r\n") {
			t.Fatalf("%q read with a lone CR: %q", data, got)
		}
	})
}

// FuzzSniffDelimiter writes a table of random cells with one delimiter, under a banner,
// and the sniffer must find that delimiter.
func FuzzSniffDelimiter(f *testing.F) {
	f.Add(uint64(1), uint8(0), uint8(3), uint8(4))
	f.Add(uint64(7), uint8(2), uint8(2), uint8(9))
	f.Fuzz(func(t *testing.T, seed uint64, which, cols, rows uint8) {
		d := delimiters[int(which)%len(delimiters)]
		ncols, nrows := int(cols)%8+2, int(rows)%20+3
		r := rand.New(rand.NewPCG(seed, 1))
		alphabet := []string{"a", "b", "Ada", "x@y.z", "1", "2,5", "a;b", "c|d", "e\tf", "\"q\"", "line\nbreak", " ", ""}
		var b strings.Builder
		b.WriteString("Report, as of today; page 1\n")
		for i := 0; i < nrows; i++ {
			for j := 0; j < ncols; j++ {
				if j > 0 {
					b.WriteRune(d)
				}
				v := alphabet[r.IntN(len(alphabet))]
				if strings.ContainsAny(v, ",;|\t\"\n") {
					v = `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
				}
				b.WriteString(v)
			}
			b.WriteByte('\n')
		}
		if got := sniffDelimiter([]byte(b.String())); got != d {
			t.Fatalf("got %q, want %q for:\n%s", got, d, b.String())
		}
	})
}

// TestUTF8CheckAcrossReads: characters cut by the end of a read are judged whole.
func TestUTF8CheckAcrossReads(t *testing.T) {
	for _, tc := range []struct{ in, err string }{
		{"Zoë Ångström\nPeña 😀\n", ""},
		{"ok\nJos\xe9\n", "line 2 is not UTF-8 (byte 0xe9)"},
		{"ok\n\xe2\x82", "line 2 is not UTF-8 (byte 0xe2)"},
	} {
		out, err := io.ReadAll(&utf8Check{r: &oneByte{strings.NewReader(tc.in)}, file: "f.csv", line: 1})
		switch {
		case tc.err == "" && (err != nil || string(out) != tc.in):
			t.Errorf("%q: got %q, %v", tc.in, out, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: got %v, want %q", tc.in, err, tc.err)
		}
	}
}

// TestRowPastLimitNamesTheLineAfter: a row past MaxRowBytes is named by the line the row
// before it ends on, also when that row's last field spans lines.
func TestRowPastLimitNamesTheLineAfter(t *testing.T) {
	for _, tc := range []struct{ head, want string }{
		{"Name,Email\n", "the row after line 1 holds"},
		{"Name,Email\nAda,\"ada\n@example.com\n\"\n", "the row after line 4 holds"},
		{"Name,Email\r\"Ada\rLovelace\",\"a\r\nb\"\r", "the row after line 4 holds"},
	} {
		data := tc.head + "Bob,\"" + strings.Repeat("x", MaxRowBytes+sampleSize+1)
		err := readAllErr("-", Options{Format: FormatCSV, Stdin: strings.NewReader(data)})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.head, err, tc.want)
		}
	}
}
