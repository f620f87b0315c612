package source

import (
	"archive/zip"
	"fmt"
	"strings"
)

// Sheets lists the sheets of the workbook at file, in order, reading only its index:
// shell completion offers them for --sheet.
func Sheets(file string) ([]Sheet, error) {
	zr, err := zip.OpenReader(file)
	if err != nil {
		return nil, &Error{Kind: Read, Msg: fmt.Sprintf("reading %s: not a readable XLSX workbook (%v)", file, zipReason(err))}
	}
	defer zr.Close()
	s := &xlsxSource{file: file, zr: &zr.Reader}
	wb, err := s.readWorkbook(indexParts(&zr.Reader))
	if err != nil {
		return nil, err
	}
	return wb.sheets, nil
}

// indexParts names a workbook's zip entries in lower case, as parts are looked up.
func indexParts(zr *zip.Reader) parts {
	p := parts{}
	for _, f := range zr.File {
		p[strings.ToLower(strings.TrimPrefix(f.Name, "/"))] = f
	}
	return p
}
