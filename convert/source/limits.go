package source

import (
	"fmt"
	"io"
	"strconv"

	"github.com/torii-convert/torii-convert/internal/text"
)

// Limits keep a hostile or broken export from exhausting memory: past one, reading stops
// with a message naming the file and the limit. The README's Limits section lists them;
// keep the two in step.
const (
	// MaxRowBytes is the most text one row may hold: a CSV record (so a quote that is
	// never closed fails here), or the cells of a sheet's row, each of which is also
	// at most this long.
	MaxRowBytes = 1 << 20

	maxRows         = 1 << 20   // rows a sheet can hold, as in Excel
	maxCols         = 1 << 14   // columns a sheet can hold, as in Excel
	maxZipDirBytes  = 8 << 20   // the zip's directory, held in memory: a workbook's is kB
	maxPartBytes    = 32 << 20  // workbook, relationships and styles, each read whole
	maxPartTags     = 1 << 19   // and the XML tags of each: encoding/xml makes a struct of each
	maxTagBytes     = 1 << 20   // one XML tag, its attributes included
	maxStrings      = 1 << 23   // entries of a workbook's shared-string table
	maxStringsText  = 128 << 20 // the text of the table, held in memory
	maxStringsPart  = 2 << 30   // the table's part, unzipped (it is streamed)
	maxSheetBytes   = 8 << 30   // a sheet's part, unzipped (it is streamed)
	maxSpooledBytes = 1 << 30   // a workbook read from a pipe, kept in a temporary file
)

// megabytes writes a limit for a message: 1 MB, 128 MB.
func megabytes(n int64) string { return strconv.FormatInt(n>>20, 10) + " MB" }

// thousands writes a count with thousands separators: 8,388,608.
func thousands(n int) string { return text.Thousands(int64(n)) }

// AtMost reads r, failing with err once more than limit bytes come from it: a file that
// must be small (a template, a price list) is refused rather than read whole.
func AtMost(r io.Reader, limit int64, err error) io.Reader {
	return &atMost{r: r, left: limit + 1, err: err}
}

type atMost struct {
	r    io.Reader
	left int64 // bytes that may still come, plus one
	err  error
}

func (a *atMost) Read(p []byte) (int, error) {
	if int64(len(p)) > a.left {
		p = p[:a.left]
	}
	n, err := a.r.Read(p)
	if a.left -= int64(n); a.left <= 0 {
		return 0, a.err
	}
	return n, err
}

// TooLarge is the error of a small input past its limit; context names it, as in
// "reading prices.csv".
func TooLarge(kind Kind, context string, limit int64) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf("%s: it is larger than %s, the most torii-convert reads of such a file", context, megabytes(limit)),
		Hint: "check that it is the file you meant"}
}
