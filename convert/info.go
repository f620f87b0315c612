package convert

import (
	"time"

	"github.com/torii-convert/torii-convert/convert/source"
)

// Progress is how far a conversion has read: rows, and bytes of the table (the CSV
// file, or the workbook's sheet unzipped) of Size; Size is 0 when not known (stdin).
type Progress struct {
	Rows        int
	Bytes, Size int64
}

// SourceInfo tells how an export was read, what a person may want to check when the
// result surprises them (--verbose).
type SourceInfo struct {
	source.Info
	Template   string
	HeaderLine int // the line (CSV) or row (XLSX) of the header
}

// Phase is a part of a conversion and how long it took.
type Phase struct {
	Name string
	Took time.Duration
}

func sourceInfo(src source.Source, t *Template, headerLine int) SourceInfo {
	info := SourceInfo{Info: source.Describe(src), HeaderLine: headerLine}
	if t != nil {
		info.Template = t.Name
	}
	return info
}
