package source

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
)

// csvSource reads CSV through csvReader, which splits it as encoding/csv does and keeps
// every field's line and column.
type csvSource struct {
	file   string
	closer io.Closer
	r      *csvReader
	comma  rune
	lines  []int32
	size   int64
	notes  []string
	// lastLine is the line the last row ended on.
	lastLine int
	// encoding is the text's, as read (for --verbose).
	encoding string
}

func newCSVSource(file string, r io.Reader, closer io.Closer, size int64, opts *Options) (*csvSource, error) {
	text, err := decodeText(file, r, opts.Encoding)
	if err != nil {
		return nil, err
	}
	comma := opts.Delimiter
	if comma == 0 {
		sample, _ := text.r.Peek(sampleSize)
		comma = sniffDelimiter(sample)
	}
	if comma >= 0x80 || comma == '"' || comma == '\r' || comma == '\n' {
		return nil, &Error{Kind: Usage, Option: "Delimiter", Msg: fmt.Sprintf("delimiter %q: want an ASCII character other than a quote or a line break", comma)}
	}
	// Ragged rows are the mapper's to judge, with their position.
	s := &csvSource{file: file, closer: closer, r: newCSVReader(text.r, byte(comma), MaxRowBytes), comma: comma, size: size, encoding: text.encoding}
	if text.guessed {
		s.notes = append(s.notes, fmt.Sprintf("%s is not UTF-8; read it as %s (pass --encoding to choose another)", file, text.encoding))
	}
	return s, nil
}

func (s *csvSource) Progress() (int64, int64) { return s.r.InputOffset(), s.size }

func (s *csvSource) Next() (Row, error) {
	return s.row(s.r.Read())
}

func (s *csvSource) NextAppend(cells []string) (Row, []string, error) {
	n := len(cells)
	cells, err := s.r.ReadAppend(cells)
	r, err := s.row(cells[n:], err)
	return r, cells, err
}

// row is the Row of a record the reader returned, or the error.
func (s *csvSource) row(rec []string, err error) (Row, error) {
	if err != nil {
		var pe *csv.ParseError
		var e *Error
		switch {
		case errors.Is(err, errPastLimit):
			which := "the first row"
			if s.lastLine > 0 {
				which = fmt.Sprintf("the row after line %d", s.lastLine)
			}
			return Row{}, &Error{Kind: Data, Msg: fmt.Sprintf("reading %s: %s holds more than %s of text; a quoted field may not be closed", s.file, which, megabytes(MaxRowBytes)),
				Hint: "check the quotes of the fields there; torii-convert reads rows of at most 1 MB (see Limits in its README)"}
		case errors.As(err, &pe):
			return Row{}, s.parseError(pe)
		case errors.As(err, &e):
			return Row{}, e
		}
		if err != io.EOF {
			return Row{}, &Error{Kind: Read, Msg: "reading " + s.file, Err: err}
		}
		return Row{}, err
	}
	r := Row{Cells: rec}
	r.Line, _ = s.r.FieldPos(0)
	last, _ := s.r.FieldPos(len(rec) - 1)
	s.lastLine = s.r.numLine // where the row ends: its last field may span lines
	if last != r.Line {
		// A quoted field holds a line break: keep the line of every field.
		s.lines = s.lines[:0]
		for i := range rec {
			l, _ := s.r.FieldPos(i)
			s.lines = append(s.lines, int32(l))
		}
		r.Lines = s.lines
	}
	return r, nil
}

func (s *csvSource) parseError(pe *csv.ParseError) error {
	pos := Pos{File: s.file, Line: pe.Line}
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return &Error{Kind: Data, Pos: pos, Msg: fmt.Sprintf("a \" inside a field that is not quoted (character %d)", pe.Column),
			Hint: `put the whole field in quotes and double the quotes inside it: "Bob ""the builder"""`}
	case errors.Is(pe.Err, csv.ErrQuote):
		return &Error{Kind: Data, Pos: pos, Msg: fmt.Sprintf("a quoted field is not closed, or a \" follows its closing quote (character %d)", pe.Column),
			Hint: fmt.Sprintf("the field starts on line %d; check its quotes", pe.StartLine)}
	}
	return &Error{Kind: Data, Pos: pos, Err: pe.Err}
}

func (s *csvSource) Where() Pos { return Pos{File: s.file} }

func (s *csvSource) Notices() []string { return s.notes }

func (s *csvSource) Close() error {
	if s.closer != nil {
		return s.closer.Close()
	}
	return nil
}
