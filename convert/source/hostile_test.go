package source

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/torii-convert/torii-convert/internal/hostile"
)

// maxHeap is the most heap reading any hostile input may take: the shared-string table
// at its limits (8,388,608 strings, 128 MB of text) is the largest thing a reader holds.
const maxHeap = 256 << 20

// TestHostileHeap reads the hostile inputs of internal/hostile that reach the readers,
// each far past a limit, and measures the peak heap through runtime/metrics: each must
// fail with its error, within maxHeap. The CSV comes through a pipe, 1 GB of it, as it
// would from a FIFO; the workbooks are written to a file first.
func TestHostileHeap(t *testing.T) {
	for _, tc := range []struct{ gen, format, err string }{
		{"csv-unclosed-quote", FormatCSV, "holds more than 1 MB of text; a quoted field may not be closed"},
		{"xlsx-cell-64mb", FormatXLSX, "book.xlsx:Members!A2: the cell holds more than 1 MB of text"},
		{"xlsx-empty-strings-64mb", FormatXLSX, "its shared-string table holds more than 8,388,608 strings or 128 MB of text"},
		{"xlsx-unclosed-attribute-64mb", FormatXLSX, "an XML tag is longer than 1 MB; an attribute's quotes may not be closed"},
	} {
		opts := Options{Format: tc.format}
		path := "-"
		if tc.format == FormatXLSX {
			path = filepath.Join(t.TempDir(), "book.xlsx")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := errors.Join(hostile.Generators[tc.gen](f), f.Close()); err != nil {
				t.Fatal(err)
			}
		} else {
			pr, pw := io.Pipe()
			go func() { pw.CloseWithError(hostile.Generators[tc.gen](pw)) }()
			defer pr.Close()
			opts.Stdin = pr
		}
		var err error
		peak := peakHeap(func() { err = readAllErr(path, opts) })
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: got %v, want %q", tc.gen, err, tc.err)
		}
		if peak > maxHeap {
			t.Errorf("%s: peak heap %d MB, more than %d MB", tc.gen, peak>>20, maxHeap>>20)
		}
		t.Logf("%s: peak heap %d MB", tc.gen, peak>>20)
	}
}

// readAllErr opens an export and reads it to the end, returning the first error.
func readAllErr(path string, opts Options) error {
	src, err := Open(path, opts)
	if err != nil {
		return err
	}
	defer src.Close()
	for {
		if _, err := src.Next(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// peakHeap runs fn and returns the most memory the heap's objects took meanwhile,
// sampled through runtime/metrics every millisecond and once at the end.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	done := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var top uint64
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			top = max(top, read())
			select {
			case <-done:
				peak <- top
				return
			case <-tick.C:
			}
		}
	}()
	fn()
	close(done)
	p := <-peak
	if p < base {
		return 0
	}
	return p - base
}

// TestSmallPartsHeap: the parts read whole (workbook, relationships, styles) are small
// in bytes but may hold millions of empty elements, each of which encoding/xml turns into
// a struct: 32 MB of <sheet/> took 860 MB of heap. Each part is refused past its count
// of tags, within maxHeap.
func TestSmallPartsHeap(t *testing.T) {
	sheet := sheetXML(`<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c></row>`)
	for name, tc := range map[string]struct{ part, head, item, tail string }{
		"workbook": {"xl/workbook.xml", `<workbook><sheets><sheet name="Staff" sheetId="1" r:id="rId1" xmlns:r="r"/>`, `<sheet/>`, `</sheets></workbook>`},
		"rels": {"xl/_rels/workbook.xml.rels", `<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>`,
			`<Relationship/>`, `</Relationships>`},
		"styles": {"xl/styles.xml", `<styleSheet><cellXfs>`, `<xf/>`, `</cellXfs></styleSheet>`},
	} {
		n := (maxPartBytes - len(tc.head) - len(tc.tail)) / len(tc.item)
		path := writeWorkbook(t, t.TempDir(), sheet, "", map[string]func(io.Writer) error{tc.part: func(w io.Writer) error {
			chunk := strings.Repeat(tc.item, 4096)
			io.WriteString(w, tc.head)
			for i := 0; i < n/4096; i++ {
				if _, err := io.WriteString(w, chunk); err != nil {
					return err
				}
			}
			_, err := io.WriteString(w, tc.tail)
			return err
		}})
		var err error
		peak := peakHeap(func() { err = readAllErr(path, Options{}) })
		if want := "its part " + tc.part + " holds more than 524,288 XML tags"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", name, err, want)
		}
		if peak > maxHeap {
			t.Errorf("%s: peak heap %d MB, more than %d MB", name, peak>>20, maxHeap>>20)
		}
		t.Logf("%s: peak heap %d MB", name, peak>>20)
	}
}

// TestZipDirectoryBounded: zip.NewReader holds every entry of the zip's directory, some
// 300 bytes each: a 98 MB zip of a million empty entries took 298 MB of heap before the
// workbook was looked at. A directory larger than any workbook's is refused as it is read.
func TestZipDirectoryBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "book.xlsx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for i := 0; i < 200_000; i++ {
		if _, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("p%07d", i), Method: zip.Store}); err != nil {
			t.Fatal(err)
		}
	}
	if err := errors.Join(zw.Close(), f.Close()); err != nil {
		t.Fatal(err)
	}
	peak := peakHeap(func() { err = readAllErr(path, Options{}) })
	if want := "its zip directory is larger than 8 MB"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want %q", err, want)
	}
	if peak > 64<<20 {
		t.Errorf("peak heap %d MB", peak>>20)
	}
}

// TestSharedStringsAtTheirLimit: a table at its limit of text, 128 MB, is read within
// maxHeap: growing its text by doubling held 264 MB at the end.
func TestSharedStringsAtTheirLimit(t *testing.T) {
	sheet := sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`)
	item := "<si><t>" + strings.Repeat("x", 900_000) + "</t></si>"
	n := maxStringsText / 900_000
	path := writeWorkbook(t, t.TempDir(), sheet, "-", map[string]func(io.Writer) error{"xl/sharedStrings.xml": func(w io.Writer) error {
		io.WriteString(w, "<sst>")
		for i := 0; i < n; i++ {
			if _, err := io.WriteString(w, item); err != nil {
				return err
			}
		}
		_, err := io.WriteString(w, "</sst>")
		return err
	}})
	var err error
	peak := peakHeap(func() { err = readAllErr(path, Options{}) })
	if err != nil || peak > maxHeap {
		t.Errorf("%d strings of 900,000 bytes: %v, peak heap %d MB", n, err, peak>>20)
	}
	t.Logf("peak heap %d MB", peak>>20)
}
