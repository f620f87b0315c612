package source

// Info tells how a table is read, for a person checking a surprising result (--verbose).
type Info struct {
	Format    string // FormatCSV or FormatXLSX
	Sheet     string // workbooks
	Encoding  string // CSV: "UTF-8", "UTF-16LE", "Windows-1252", ...
	Delimiter rune   // CSV
}

// Describe tells how s reads its table.
func Describe(s Source) Info {
	info := Info{Sheet: s.Where().Sheet}
	switch s := s.(type) {
	case *csvSource:
		info.Format, info.Encoding, info.Delimiter = FormatCSV, s.encoding, s.comma
	case *xlsxSource:
		info.Format = FormatXLSX
	}
	return info
}
