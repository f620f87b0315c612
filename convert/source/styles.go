package source

import "strings"

// cellFormat is what a cell's number format makes of its number: a spreadsheet has no
// date type, a date is a number whose style shows it as one.
type cellFormat uint8

const (
	fmtNumber cellFormat = iota
	fmtDate              // has a date part
	fmtTime              // time of day only
)

// xStyles is what the styles part says of number formats, read with encoding/xml.
type xStyles struct {
	NumFmts []struct {
		ID   int    `xml:"numFmtId,attr"`
		Code string `xml:"formatCode,attr"`
	} `xml:"numFmts>numFmt"`
	CellXfs []struct {
		NumFmtID int `xml:"numFmtId,attr"`
	} `xml:"cellXfs>xf"`
}

// formats classifies every cell style by its number format.
func (st xStyles) formats() []cellFormat {
	custom := map[int]string{}
	for _, f := range st.NumFmts {
		custom[f.ID] = f.Code
	}
	out := make([]cellFormat, len(st.CellXfs))
	for i, xf := range st.CellXfs {
		if code, ok := custom[xf.NumFmtID]; ok {
			out[i] = classifyFormat(code)
		} else {
			out[i] = builtinFormat(xf.NumFmtID)
		}
	}
	return out
}

// builtinFormat classifies the number formats spreadsheets know by id alone.
func builtinFormat(id int) cellFormat {
	switch {
	case id >= 14 && id <= 17, id == 22, id >= 27 && id <= 36, id >= 50 && id <= 58:
		return fmtDate
	case id >= 18 && id <= 21, id == 45, id == 47:
		return fmtTime
	}
	return fmtNumber
}

// classifyFormat tells from a format code whether it shows a date, a time or a number.
// Quoted text, escaped characters, colours and conditions do not count; elapsed time
// ([h]:mm) is a duration, so a number; an m beside h or s is minutes, alone a month.
func classifyFormat(code string) cellFormat {
	if i := strings.IndexByte(code, ';'); i >= 0 {
		code = code[:i]
	}
	lower := strings.ToLower(code)
	var day, month, clock bool
	for i := 0; i < len(lower); i++ {
		switch c := lower[i]; {
		case c == '"':
			if j := strings.IndexByte(lower[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(lower)
			}
		case c == '\\' || c == '_' || c == '*':
			i++
		case c == '[':
			j := strings.IndexByte(lower[i:], ']')
			if j < 0 {
				return fmtNumber
			}
			if inner := lower[i+1 : i+j]; inner != "" && strings.Trim(inner, "hms") == "" {
				return fmtNumber // elapsed time
			}
			i += j
		case strings.HasPrefix(lower[i:], "general"):
			i += len("general") - 1
		case strings.HasPrefix(lower[i:], "am/pm"):
			clock = true
			i += len("am/pm") - 1
		case strings.HasPrefix(lower[i:], "a/p"):
			clock = true
			i += len("a/p") - 1
		case c == 'e' && i+1 < len(lower) && (lower[i+1] == '+' || lower[i+1] == '-'):
			return fmtNumber // scientific notation
		case c == 'y' || c == 'd':
			day = true
		case c == 'h' || c == 's':
			clock = true
		case c == 'm':
			month = true
		}
	}
	switch {
	case day, month && !clock:
		return fmtDate
	case clock:
		return fmtTime
	}
	return fmtNumber
}
