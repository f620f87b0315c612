// Package hostile writes the large inputs of the hostile-input tests (testdata/hostile):
// made when the tests run, streamed, and never committed. Each is far past the limit it
// tests, so that a reader without the limit would be seen to need the memory.
package hostile

import (
	"archive/zip"
	"compress/flate"
	"fmt"
	"io"
	"strings"
)

// Sizes of the generated inputs.
const (
	MB = 1 << 20
	GB = 1 << 30
)

// Generators write the inputs, by the name a case's generate file gives them.
var Generators = map[string]func(w io.Writer) error{
	// A CSV whose quote is never closed: the rest of the 1 GB is one field.
	"csv-unclosed-quote": func(w io.Writer) error {
		if _, err := io.WriteString(w, "Name,Email,Seat type\nAda,ada@example.com,\"Full\n"); err != nil {
			return err
		}
		return repeat(w, "line of a field that never ends, \n", GB)
	},
	// A workbook with a 1 GB comments part, which the conversion does not need.
	"xlsx-comment-1gb": func(w io.Writer) error {
		return workbook(w, sheet(members), map[string]func(io.Writer) error{
			"xl/comments1.xml": func(w io.Writer) error {
				return wrap(w, `<comments><commentList><comment ref="A1"><text><t>`, "a comment nobody reads ", GB, `</t></text></comment></commentList></comments>`)
			},
		})
	},
	// A workbook with one cell of 64 MB, 64 times the limit on a cell.
	"xlsx-cell-64mb": func(w io.Writer) error {
		return workbook(w, func(w io.Writer) error {
			return wrap(w, sheetHead+membersHead+`<row r="2"><c r="A2" t="inlineStr"><is><t>`, "a very long name ", 64*MB, `</t></is></c></row>`+sheetTail)
		}, nil)
	},
	// A workbook whose shared-string table is 64 MB of empty strings: 13 million, more
	// than the 8,388,608 allowed.
	"xlsx-empty-strings-64mb": func(w io.Writer) error {
		return workbook(w, sheet(members), map[string]func(io.Writer) error{
			"xl/sharedStrings.xml": func(w io.Writer) error { return wrap(w, `<sst>`, "<si/>", 64*MB, `</sst>`) },
		})
	},
	// A workbook whose sheet opens an attribute value and never closes it.
	"xlsx-unclosed-attribute-64mb": func(w io.Writer) error {
		return workbook(w, func(w io.Writer) error {
			return wrap(w, sheetHead+membersHead+`<row r="2"><c r="A2" s="`, "1>2>3>", 64*MB, "")
		}, nil)
	},
	// A file nested 3 million arrays deep.
	"json-deep": func(w io.Writer) error {
		if _, err := io.WriteString(w, `{"users": [`); err != nil {
			return err
		}
		if err := repeat(w, "[", 3_000_000); err != nil {
			return err
		}
		if err := repeat(w, "]", 3_000_000); err != nil {
			return err
		}
		_, err := io.WriteString(w, "]}\n")
		return err
	},
}

// members is a small export the workbooks hold, so that the conversion would succeed but
// for the hostile part.
const (
	sheetHead   = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
	sheetTail   = `</sheetData></worksheet>`
	membersHead = `<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Email</t></is></c><c r="C1" t="inlineStr"><is><t>Seat type</t></is></c></row>`
	members     = membersHead + `<row r="2"><c r="A2" t="inlineStr"><is><t>Ada Lovelace</t></is></c><c r="B2" t="inlineStr"><is><t>ada@example.com</t></is></c><c r="C2" t="inlineStr"><is><t>Full</t></is></c></row>`
)

func sheet(rows string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, sheetHead+rows+sheetTail)
		return err
	}
}

// part is one file of a workbook's zip, and what writes it.
type part struct {
	name  string
	write func(io.Writer) error
}

// workbook writes the smallest workbook torii-convert reads, one sheet named Members,
// and extra parts (shared strings among them).
func workbook(w io.Writer, sheet func(io.Writer) error, extra map[string]func(io.Writer) error) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	rels := `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>`
	if _, ok := extra["xl/sharedStrings.xml"]; ok {
		rels += `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`
	}
	parts := []part{
		{"xl/workbook.xml", text(`<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Members" sheetId="1" r:id="rId1"/></sheets></workbook>`)},
		{"xl/_rels/workbook.xml.rels", text(`<Relationships>` + rels + `</Relationships>`)},
		{"xl/worksheets/sheet1.xml", sheet},
	}
	for name, fn := range extra {
		parts = append(parts, part{name, fn})
	}
	for _, p := range parts {
		pw, err := zw.Create(p.name)
		if err != nil {
			return err
		}
		if err := p.write(pw); err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
	}
	return zw.Close()
}

func text(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

// wrap writes head, then unit repeated to n bytes, then tail.
func wrap(w io.Writer, head, unit string, n int64, tail string) error {
	if _, err := io.WriteString(w, head); err != nil {
		return err
	}
	if err := repeat(w, unit, n); err != nil {
		return err
	}
	_, err := io.WriteString(w, tail)
	return err
}

// repeat writes unit over and over, n bytes in all (the last unit may be cut).
func repeat(w io.Writer, unit string, n int64) error {
	chunk := []byte(strings.Repeat(unit, max(1, 256<<10/len(unit))))
	for n > 0 {
		c := chunk[:min(int64(len(chunk)), n)]
		if _, err := w.Write(c); err != nil {
			return err
		}
		n -= int64(len(c))
	}
	return nil
}
