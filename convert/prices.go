package convert

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/gocarina/gocsv"

	"github.com/torii-convert/torii-convert/convert/source"
)

// MaxSmallFile is the most torii-convert reads of a template or a price list: 4 MB,
// a catalog of some 100,000 licenses. Past it the file is refused, not read whole.
const MaxSmallFile = 4 << 20

// priceRow is one line of a price list: license,price[,purchased].
type priceRow struct {
	License   string `csv:"license"`
	Price     string `csv:"price"`
	Purchased string `csv:"purchased"`
}

// LoadPrices reads a price list, a CSV file with the columns license and price, and
// optionally purchased (seats bought). Prices are in the currency's major unit, as text.
func LoadPrices(path string) (map[string]CatalogEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, source.ReadError(path, err)
	}
	defer f.Close()
	br := bufio.NewReader(source.AtMost(f, MaxSmallFile, source.TooLarge(Usage, "reading "+path, MaxSmallFile)))
	if bom, err := br.Peek(3); err == nil && string(bom) == "\ufeff" {
		br.Discard(3)
	}
	r := &headerCSV{r: csv.NewReader(br)}
	var rows []priceRow
	if err := gocsv.UnmarshalCSV(r, &rows); err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, e
		}
		if r.err != nil {
			return nil, r.err
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, &Error{Kind: Data, Pos: Pos{File: path, Line: pe.Line}, Err: pe.Err}
		}
		return nil, &Error{Kind: Data, Msg: "reading " + path, Err: err}
	}
	if r.err != nil {
		return nil, r.err
	}
	if !r.hasLicense || !r.hasPrice {
		return nil, &Error{Kind: Data, Msg: fmt.Sprintf("%s: the header must name the columns license and price (found %s)", path, strings.Join(r.header, ", ")),
			Hint: "for example:\n  license,price,purchased\n  Full,$15.00,120"}
	}
	out := map[string]CatalogEntry{}
	var problems []string
	for i, row := range rows {
		line := r.lines[i]
		name := strings.TrimSpace(row.License)
		if name == "" {
			problems = append(problems, fmt.Sprintf("%s:%d: no license name", path, line))
			continue
		}
		if _, dup := out[strings.ToLower(name)]; dup {
			problems = append(problems, fmt.Sprintf("%s:%d: license %q is listed twice", path, line, name))
		}
		e, bad := priceEntry(name, row)
		e.from = fmt.Sprintf("the price list entry at %s:%d", path, line)
		for _, msg := range bad {
			problems = append(problems, fmt.Sprintf("%s:%d: %s", path, line, msg))
		}
		out[strings.ToLower(name)] = e
	}
	if len(problems) > 0 {
		return nil, &Error{Kind: Data, Msg: strings.Join(problems, "\n")}
	}
	return out, nil
}

// priceEntry reads the price and seats of one line of a price list, and says what is
// wrong with them.
func priceEntry(name string, row priceRow) (e CatalogEntry, bad []string) {
	e = CatalogEntry{Price: strings.TrimSpace(row.Price), name: name}
	if e.Price != "" {
		if _, err := ParsePrice(e.Price); err != nil {
			bad = append(bad, err.Error())
		}
	}
	if p := strings.TrimSpace(row.Purchased); p != "" {
		n, err := strconv.ParseInt(strings.ReplaceAll(p, ",", ""), 10, 64)
		if err != nil || n < 0 || n > MaxWhole {
			bad = append(bad, fmt.Sprintf("purchased %q is not a number of seats; give a whole number from 0 to 9007199254740991", p))
		}
		e.Purchased = &n
	}
	return e, bad
}

// headerCSV feeds gocsv a header with names lowered and trimmed, and keeps the line of
// every record for messages.
type headerCSV struct {
	r                    *csv.Reader
	header               []string
	hasLicense, hasPrice bool
	lines                []int
	err                  error
}

func (h *headerCSV) Read() ([]string, error) {
	rec, err := h.r.Read()
	if err != nil {
		return rec, err
	}
	if h.header == nil {
		for i, name := range rec {
			rec[i] = strings.ToLower(strings.TrimSpace(name))
			h.hasLicense = h.hasLicense || rec[i] == "license"
			h.hasPrice = h.hasPrice || rec[i] == "price"
		}
		h.header = rec
		return rec, nil
	}
	line, _ := h.r.FieldPos(0)
	h.lines = append(h.lines, line)
	return rec, nil
}

func (h *headerCSV) ReadAll() ([][]string, error) {
	var all [][]string
	for {
		rec, err := h.Read()
		if err == io.EOF {
			return all, nil
		}
		if err != nil {
			return all, err
		}
		all = append(all, rec)
	}
}

// catalog joins the template's catalog and the price list, the list winning, keyed by the
// license name in lower case.
func catalog(t *Template, prices map[string]CatalogEntry) map[string]CatalogEntry {
	out := map[string]CatalogEntry{}
	for name, e := range t.Catalog {
		e.name = name
		e.from = "the template's catalog entry"
		out[strings.ToLower(name)] = e
	}
	for key, e := range prices {
		cur, ok := out[key]
		if !ok {
			cur.name = e.name
			cur.from = e.from
		}
		if e.Price != "" {
			cur.Price = e.Price
		}
		if e.Purchased != nil {
			cur.Purchased = e.Purchased
		}
		out[key] = cur
	}
	return out
}
