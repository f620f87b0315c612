package convert

import (
	"github.com/torii-convert/torii-convert/convert/source"
	"github.com/torii-convert/torii-convert/schema"
)

// The errors and positions of the readers are convert's too: a problem in a row points
// where the reader found it.
type (
	// Kind classifies an error by what the user has to do about it.
	Kind = source.Kind
	// Error is a failure with what to do about it.
	Error = source.Error
	// Pos is where a value came from: a CSV line and field, or an XLSX sheet and cell.
	Pos = source.Pos
)

// The kinds of error.
const (
	Read  = source.Read
	Usage = source.Usage
	Data  = source.Data
)

// Formats of input files.
const (
	FormatCSV  = source.FormatCSV
	FormatXLSX = source.FormatXLSX
)

// ColumnName returns a spreadsheet column's letters: 1 is A, 27 is AA.
func ColumnName(col int) string { return source.ColumnName(col) }

// Problem is something wrong with the data, traced back to the cell it came from.
type Problem struct {
	Severity schema.Severity
	Pos      Pos
	// Rule names the check that failed: a JSON Schema keyword ("format"), a rule across
	// records ("unique-email"), or one of the mapping's: "email", "status", "date",
	// "license-status", "row-width", "no-users", "seats".
	Rule    string
	Message string
}
