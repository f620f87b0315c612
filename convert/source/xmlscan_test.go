package source

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

var xmlSeeds = []string{
	`<sheetData><row r="2"><c r="A2" s="1"><v>45348.5</v></c><c r="C2" t="s"><v>1</v></c><c r="D2" t="inlineStr"><is><t>_x0041_ Ã©</t></is></c><c r="E2"/></row></sheetData>`,
	`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a&amp;b</t></is></c><c r="B1"><v>1</v></c></row></sheetData></worksheet>`,
	`<x:sheetData><x:row><x:c t="s"><x:v>0</x:v></x:c></x:row></x:sheetData>`,
	`<sheetData><row><c t="str"><f>A1</f><v><![CDATA[x<y]]></v></c><!-- > --></row>`,
	"<?xml version=\"1.0\"?>\r\n<a b='>'>x&#233;&#x1F600;\r\ny<b/>&lt;&gt;&quot;&apos;</a>",
}

// FuzzXMLScanner holds the scanner to encoding/xml: on any text encoding/xml reads as
// well-formed, the scanner must see the same elements, with the same text between them.
// On any bytes at all, reading them as a sheet must end, with rows or an error, and
// the same read whole as byte by byte: the buffer then never holds a whole tag, so
// that the quick paths (quickTag, quickCell, quickValue) are held to the slow ones.
func FuzzXMLScanner(f *testing.F) {
	for _, s := range xmlSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows := sheetRows(bytes.NewReader(data))
		if len(rows) > 10000 {
			t.Fatalf("more than 10000 rows from %d bytes", len(data))
		}
		if slow := sheetRows(iotest.OneByteReader(bytes.NewReader(data))); !reflect.DeepEqual(rows, slow) {
			t.Fatalf("%q\nread whole: %q\nbyte by byte: %q", data, rows, slow)
		}
		// The scanner keeps tags in its buffer: it must see the same however the bytes come.
		whole, oneByOne := scannerSteps(bytes.NewReader(data)), scannerSteps(iotest.OneByteReader(bytes.NewReader(data)))
		if !reflect.DeepEqual(whole, oneByOne) {
			t.Fatalf("%q\nread whole: %q\nbyte by byte: %q", data, whole, oneByOne)
		}
		want, ok := xmlTags(data)
		if !ok {
			return
		}
		if got := scannedTags(t, data); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q\n got %q\nwant %q", data, got, want)
		}
	})
}

// sheetRows reads a sheet's part, its columns 1 and 3 in full, and lists its rows
// (up to 10,001) and how the reading ended.
func sheetRows(r io.Reader) []string {
	s := &xlsxSource{file: "f.xlsx", sheet: "S", x: newXMLScanner(r), want: []bool{true, false, true},
		styles: []cellFormat{fmtNumber, fmtDate, fmtTime}}
	s.sst.add([]byte("shared"))
	s.sst.add([]byte("\xff"))
	s.sst.done()
	var rows []string
	for len(rows) <= 10000 {
		cells, err := s.nextCells()
		if err != nil {
			return append(rows, err.Error())
		}
		rows = append(rows, fmt.Sprintf("%d %q", s.row, cells))
	}
	return rows
}

// xmlTags lists the start and end tags of well-formed XML, each after the text before
// it, as encoding/xml reads them; ok is false when it is not well-formed.
func xmlTags(data []byte) (tags []string, ok bool) {
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		if _, err := d.Token(); err == io.EOF {
			break
		} else if err != nil {
			return nil, false
		}
	}
	d = xml.NewDecoder(bytes.NewReader(data))
	var text strings.Builder
	for {
		tok, err := d.RawToken()
		if err != nil {
			return append(tags, text.String()), errors.Is(err, io.EOF)
		}
		switch tok := tok.(type) {
		case xml.CharData:
			text.Write(tok)
		case xml.Directive:
			return nil, false // <!DOCTYPE ...> and the like: SpreadsheetML has none
		case xml.StartElement:
			tags = append(tags, text.String(), "<"+localName(tok.Name)+">")
			text.Reset()
		case xml.EndElement:
			tags = append(tags, text.String(), "</"+localName(tok.Name)+">")
			text.Reset()
		}
	}
}

// localName drops a name's prefix the way the scanner does, at the last colon.
func localName(n xml.Name) string {
	full := n.Local
	if n.Space != "" {
		full = n.Space + ":" + n.Local
	}
	return full[strings.LastIndexByte(full, ':')+1:]
}

// scannerSteps lists what the scanner sees of any bytes, up to its first error.
func scannerSteps(r io.Reader) []string {
	x := newXMLScanner(r)
	var steps []string
	for len(steps) < 10000 {
		err := x.next(true)
		steps = append(steps, string(x.text))
		x.text = x.text[:0]
		if err != nil {
			return append(steps, err.Error())
		}
		steps = append(steps, fmt.Sprintf("%q %q end=%v empty=%v", x.name, x.attrs, x.end, x.empty))
	}
	return steps
}

// scannedTags lists the same as xmlTags, as the scanner reads them.
func scannedTags(t *testing.T, data []byte) []string {
	x := newXMLScanner(bytes.NewReader(data))
	var tags []string
	for {
		err := x.next(true)
		text := string(x.text)
		x.text = x.text[:0]
		if err == io.EOF {
			return append(tags, text)
		}
		if err != nil {
			t.Fatalf("%q: the scanner fails on well-formed XML: %v", data, err)
		}
		switch {
		case x.empty:
			tags = append(tags, text, "<"+string(x.name)+">", "", "</"+string(x.name)+">")
		case x.end:
			tags = append(tags, text, "</"+string(x.name)+">")
		default:
			tags = append(tags, text, "<"+string(x.name)+">")
		}
	}
}

// TestTextAcrossBuffers: text longer than the scanner's buffer comes in chunks; a
// reference (&amp;, &#233;) or a CRLF cut by the end of a chunk is still decoded whole.
// The scanner reads here through a 16-byte buffer, so that every cut is tried.
func TestTextAcrossBuffers(t *testing.T) {
	for _, unit := range []string{"a&amp;", "b\r\n", "c&#233;", "d&#x1F600;", "&lt;&gt;", "e&unknown;"} {
		for pad := 0; pad < 16; pad++ {
			doc := "<t>" + strings.Repeat("p", pad) + strings.Repeat(unit, 8) + "</t>"
			want := scannedTags(t, []byte(doc))
			x := newXMLScanner(strings.NewReader(doc))
			x.buf = make([]byte, 16)
			var got []string
			for {
				err := x.next(true)
				got = append(got, string(x.text))
				x.text = x.text[:0]
				if err != nil {
					break
				}
			}
			if got[1] != want[2] {
				t.Errorf("%q: got %q, want %q", doc, got[1], want[2])
			}
		}
	}
}

// TestUnescapeOOXML: Office's _xHHHH_ escapes are UTF-16 code units; a surrogate pair is
// one character, and a lone surrogate (no character) stays as written, never U+FFFD.
func TestUnescapeOOXML(t *testing.T) {
	for in, want := range map[string]string{
		"a_x000D_b":              "a\rb",
		"_x005F_x0041_":          "_x0041_",
		"smile _xD83D__xDE00_ !": "smile \U0001F600 !",
		"lone _xD83D_ high":      "lone _xD83D_ high",
		"lone _xDE00_ low":       "lone _xDE00_ low",
		"_xD83D__x0041_":         "_xD83D_A",
		"plain _x12_ text":       "plain _x12_ text",
	} {
		if got := string(unescapeOOXML([]byte(in))); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}
