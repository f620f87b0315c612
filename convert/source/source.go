// Package source reads the tables of spreadsheet exports, a CSV file or one sheet of an
// XLSX workbook, one row at a time, and says where each cell came from. It knows nothing
// of templates or of Torii: package convert maps its rows.
package source

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Source yields the rows of one table, a CSV file or one sheet of a workbook, one at a
// time: nothing holds the whole file.
type Source interface {
	// Next returns the next row, or io.EOF after the last. Its cells are the source's own
	// and change on the next call; the strings in them do not.
	Next() (Row, error)
	// Where names the table: its file, and its sheet in a workbook.
	Where() Pos
	// Progress tells how many bytes of the table were read, of how many; total is 0 when
	// not known.
	Progress() (done, total int64)
	// Notices are what the source guessed that a person should know.
	Notices() []string
	Close() error
}

// Row is one row of a table, and where its cells are.
type Row struct {
	Cells []string
	Line  int     // the CSV line the row starts on, or the sheet's row number
	Lines []int32 // the line of each cell, for CSV rows that span lines; else nil
}

// Pos tells where cell col (0-based) of the row is, in the table t; col < 0 is the row.
func (r *Row) Pos(t Pos, col int) Pos {
	t.Line = r.Line
	if col >= 0 {
		t.Col = col + 1
		if col < len(r.Lines) {
			t.Line = int(r.Lines[col])
		}
	}
	return t
}

// Options tell Open how to read an export.
type Options struct {
	// Format is FormatCSV or FormatXLSX; empty tells it from the file.
	Format string
	// Sheet picks a workbook's sheet by name or 1-based number; empty is the first visible.
	Sheet string
	// Delimiter separates CSV fields; 0 guesses it from the text.
	Delimiter rune
	// Encoding is the text encoding of CSV exports; empty guesses it.
	Encoding string
	// Stdin is read when the input is "-".
	Stdin io.Reader
}

// Formats of input files.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// Open opens an export, telling its format from its name and checking it against the
// file's first bytes. "-" reads opts.Stdin. Pipes and other files that cannot seek are
// read as they come: CSV as a stream, a workbook copied first to a temporary file
// (within a limit), since a zip archive is read from its end.
func Open(path string, opts Options) (Source, error) {
	if path == "-" {
		return openStream("stdin", opts.Stdin, nil, 0, opts)
	}
	format := opts.Format
	if format == "" {
		var err error
		if format, err = formatByName(path); err != nil {
			return nil, err
		}
		opts.Format = format
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, ReadError(path, err)
	}
	st, err := f.Stat()
	switch {
	case err != nil:
		f.Close()
		return nil, ReadError(path, err)
	case st.IsDir():
		f.Close()
		return nil, &Error{Kind: Usage, Msg: fmt.Sprintf("reading %s: it is a directory", path), Hint: "give the path of an export file"}
	case st.Mode().IsRegular() && (format == FormatXLSX || format == "" && isZipFile(f)):
		if err := checkMagic(path, FormatXLSX, f); err != nil {
			f.Close()
			return nil, err
		}
		return openXLSX(path, f, st.Size(), f, &opts)
	case st.Mode().IsRegular():
		return openStream(path, f, f, st.Size(), opts)
	}
	return openStream(path, f, f, 0, opts)
}

// openStream reads an export from the start, without seeking: a regular file's size is
// given, for progress; else 0.
func openStream(name string, r io.Reader, closer io.Closer, size int64, opts Options) (Source, error) {
	br := bufio.NewReaderSize(r, sampleSize)
	head, _ := br.Peek(len(oleMagic))
	format := opts.Format
	if format == "" && bytes.HasPrefix(head, zipMagic) {
		format = FormatXLSX
	}
	if err := checkMagic(name, format, bytes.NewReader(head)); err != nil {
		closeIf(closer)
		return nil, err
	}
	if format == FormatXLSX {
		return spoolXLSX(name, br, closer, &opts)
	}
	src, err := newCSVSource(name, br, closer, size, &opts)
	if err != nil {
		closeIf(closer)
		return nil, err
	}
	return src, nil
}

func closeIf(c io.Closer) {
	if c != nil {
		c.Close()
	}
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}
)

func isZipFile(r io.ReaderAt) bool {
	head := make([]byte, len(zipMagic))
	n, _ := r.ReadAt(head, 0)
	return bytes.Equal(head[:n], zipMagic)
}

// checkMagic checks that the first bytes of a file, read from r, are those of its
// format.
func checkMagic(name, format string, r io.Reader) error {
	head := make([]byte, len(oleMagic))
	if ra, ok := r.(io.ReaderAt); ok {
		n, _ := ra.ReadAt(head, 0)
		head = head[:n]
	} else {
		n, _ := io.ReadFull(r, head)
		head = head[:n]
	}
	isZip, isOLE := bytes.HasPrefix(head, zipMagic), bytes.HasPrefix(head, oleMagic)
	switch {
	case format == FormatXLSX && isOLE:
		return &Error{Kind: Read, Msg: fmt.Sprintf("reading %s: not an XLSX workbook; it is an old binary Excel (.xls) file or a password-protected workbook", name),
			Hint: "open it in Excel or LibreOffice, remove any password, and save it as .xlsx"}
	case format == FormatXLSX && !isZip:
		what := "it is empty"
		if len(head) > 0 {
			what = "it looks like text, perhaps CSV"
		}
		return &Error{Kind: Read, Option: "Format", Msg: fmt.Sprintf("reading %s: not an XLSX workbook; %s", name, what),
			Hint: "if it is CSV, rename it to .csv or read it as CSV"}
	case format != FormatXLSX && (isZip || isOLE):
		return &Error{Kind: Read, Option: "Format", Msg: fmt.Sprintf("reading %s: not a CSV file; it is a binary file, perhaps a workbook", name),
			Hint: "if it is an XLSX workbook, rename it to .xlsx or read it as XLSX"}
	}
	return nil
}

func formatByName(path string) (string, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".xlsx", ".xlsm":
		return FormatXLSX, nil
	case ".csv", ".tsv", ".txt", ".tab":
		return FormatCSV, nil
	case ".xls":
		return "", &Error{Kind: Read, Msg: fmt.Sprintf("reading %s: old binary Excel (.xls) workbooks are not supported", path),
			Hint: "open it in Excel or LibreOffice and save it as .xlsx (or export the sheet as CSV)"}
	case ".ods", ".numbers":
		return "", &Error{Kind: Read, Msg: fmt.Sprintf("reading %s: %s spreadsheets are not supported", path, ext),
			Hint: "save it as .xlsx or export the sheet as CSV, for example: libreoffice --headless --convert-to xlsx " + filepath.Base(path)}
	}
	return "", nil
}

// ReadError words a failure to open or read a file.
func ReadError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &Error{Kind: Read, Msg: fmt.Sprintf("reading %s: no such file", path)}
	case errors.Is(err, fs.ErrPermission):
		return &Error{Kind: Read, Msg: fmt.Sprintf("reading %s: permission denied", path)}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &Error{Kind: Read, Msg: "reading " + path, Err: err}
}

// Columns is a Source that can be told which columns will be read: the cells of the
// others keep being returned, so that a row can still be told blank, but a workbook
// leaves their numbers unformatted (a date as its serial number).
type Columns interface {
	Source
	// ReadColumns says which columns (0-based) are read; a nil want reads them all.
	ReadColumns(want []bool)
}

// Appender is a Source that can append a row's cells to a slice of the caller's, as
// it splits them, rather than lend them in a slice of its own that the caller copies.
type Appender interface {
	Source
	// NextAppend is Next, with the row's cells appended to cells: the row's Cells are
	// the end of the slice it returns, which is cells when it had the room.
	NextAppend(cells []string) (Row, []string, error)
}
