package source

import (
	"fmt"
	"strings"
)

// Kind classifies an error by what the user has to do about it.
type Kind int

const (
	// Read means a file could not be read: it is missing, unreadable, or not what its
	// name says.
	Read Kind = iota + 1
	// Usage means a flag, argument, template or sheet name is wrong.
	Usage
	// Data means the input was read but cannot make a valid customIntegrationData file.
	Data
)

// Error is a failure with what to do about it.
type Error struct {
	Kind Kind
	// Pos is where in the file the error is, when it has a place (as encoding/csv's
	// ParseError has): it is written before Msg.
	Pos  Pos
	Msg  string // context before cause: "reading members.xlsx: not an XLSX workbook"
	Hint string // the fix, shown on its own line
	// Option names the field of Options the error is about ("Sheet", "Encoding", ...),
	// so that a command line can say which of its flags sets it.
	Option string
	Err    error
}

func (e *Error) Error() string {
	parts := make([]string, 0, 3)
	if e.Pos != (Pos{}) {
		parts = append(parts, e.Pos.String())
	}
	if e.Msg != "" {
		parts = append(parts, e.Msg)
	}
	if e.Err != nil {
		parts = append(parts, e.Err.Error())
	}
	return strings.Join(parts, ": ")
}

func (e *Error) Unwrap() error { return e.Err }

// Pos is where a value came from: a CSV line and field, or an XLSX sheet and cell.
type Pos struct {
	File   string
	Sheet  string // empty for CSV
	Line   int    // CSV line, or XLSX row
	Col    int    // 1-based column; 0 when the position is a whole row
	Header string // the column's header, when known
}

// String renders the position the way compilers do: export.csv:14:3 or hr.xlsx:Staff!C14.
func (p Pos) String() string {
	switch {
	case p.Sheet != "" && p.Col > 0:
		return fmt.Sprintf("%s:%s!%s%d", p.File, p.Sheet, ColumnName(p.Col), p.Line)
	case p.Sheet != "" && p.Line > 0:
		return fmt.Sprintf("%s:%s!%d", p.File, p.Sheet, p.Line)
	case p.Col > 0:
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	case p.Line > 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	case p.Sheet != "":
		return fmt.Sprintf("%s, sheet %q", p.File, p.Sheet)
	}
	return p.File
}

// ColumnName returns a spreadsheet column's letters: 1 is A, 27 is AA.
func ColumnName(col int) string {
	var b []byte
	for col > 0 {
		col--
		b = append(b, byte('A'+col%26))
		col /= 26
	}
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}
