package convert

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// source yields the rows of one table, a CSV file or one sheet of a workbook, one at a
// time: nothing holds the whole file.
type source interface {
	// next returns the next row, or io.EOF after the last. Its cells are the source's own
	// and change on the next call; the strings in them do not.
	next() (row, error)
	// where names the table: its file, and its sheet in a workbook.
	where() Pos
	// progress tells how many bytes of the table were read, of how many; total is 0 when
	// not known.
	progress() (done, total int64)
	// notices are what the source guessed that a person should know.
	notices() []string
	close() error
}

// row is one row of a table, and where its cells are.
type row struct {
	cells []string
	line  int     // the CSV line the row starts on, or the sheet's row number
	lines []int32 // the line of each cell, for CSV rows that span lines; else nil
}

// pos tells where cell col (0-based) of the row is, in the table t; col < 0 is the row.
func (r *row) pos(t Pos, col int) Pos {
	t.Line = r.line
	if col >= 0 {
		t.Col = col + 1
		if col < len(r.lines) {
			t.Line = int(r.lines[col])
		}
	}
	return t
}

// Formats of input files.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}
)

// openSource opens an export, telling its format from its name and checking it against
// the file's first bytes. "-" reads CSV from stdin.
func openSource(path string, stdin io.Reader, opts *Options) (source, error) {
	if path == "-" {
		if opts.Format == FormatXLSX {
			return nil, &Error{Kind: Usage, Msg: "reading stdin: XLSX workbooks cannot be read from stdin", Hint: "give the workbook's path instead"}
		}
		return newCSVSource("stdin", stdin, nil, opts)
	}
	format := opts.Format
	if format == "" {
		var err error
		if format, err = formatByName(path); err != nil {
			return nil, err
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, readError(path, err)
	}
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, readError(path, err)
	}
	isZip, isOLE := bytes.HasPrefix(head, zipMagic), bytes.HasPrefix(head, oleMagic)
	if format == "" {
		format = FormatCSV
		if isZip {
			format = FormatXLSX
		}
	}
	switch {
	case format == FormatXLSX && isOLE:
		f.Close()
		return nil, &Error{Kind: Read, Msg: fmt.Sprintf("reading %s: not an XLSX workbook; it is an old binary Excel (.xls) file or a password-protected workbook", path),
			Hint: "open it in Excel or LibreOffice, remove any password, and save it as .xlsx"}
	case format == FormatXLSX && !isZip:
		f.Close()
		what := "it is empty"
		if n > 0 {
			what = "it looks like text, perhaps CSV"
		}
		return nil, &Error{Kind: Read, Msg: fmt.Sprintf("reading %s: not an XLSX workbook; %s", path, what),
			Hint: "if it is CSV, rename it to .csv or pass --input-format csv"}
	case format == FormatCSV && (isZip || isOLE):
		f.Close()
		return nil, &Error{Kind: Read, Msg: fmt.Sprintf("reading %s: not a CSV file; it is a binary file, perhaps a workbook", path),
			Hint: "if it is an XLSX workbook, rename it to .xlsx or pass --input-format xlsx"}
	case format == FormatXLSX:
		f.Close()
		return openXLSX(path, opts)
	}
	return newCSVSource(path, f, f, opts)
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

// readError words a failure to open or read a file.
func readError(path string, err error) error {
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
