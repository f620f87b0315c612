package convert

import (
	"io"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/torii-convert/torii-convert/convert/source"
)

// rows is a source of rows held in memory.
type rows struct {
	rows []source.Row
	at   int
}

func (r *rows) Next() (source.Row, error) {
	if r.at == len(r.rows) {
		return source.Row{}, io.EOF
	}
	r.at++
	return r.rows[r.at-1], nil
}

func (r *rows) Where() Pos               { return Pos{File: "rows.csv"} }
func (r *rows) Progress() (int64, int64) { return 0, 0 }
func (r *rows) Notices() []string        { return nil }
func (r *rows) Close() error             { return nil }

// FuzzHeaderRow puts a real header under random banner rows: conversion.header must find
// it, count the banners, and keep the row under it for the data.
func FuzzHeaderRow(f *testing.F) {
	f.Add(uint64(1), uint8(3))
	f.Add(uint64(9), uint8(0))
	tmpl, err := FindTemplate("hr")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, seed uint64, banners uint8) {
		r := rand.New(rand.NewPCG(seed, 2))
		words := []string{"Report", "as of 09/01/2026", "Acme", "Confidential", "Page 1", "", "Total", "Name", "Status", "2026"}
		src := &rows{}
		for i := 0; i < int(banners)%10; i++ {
			row := make([]string, r.IntN(4)+1)
			for j := range row {
				row[j] = words[r.IntN(len(words))]
			}
			src.rows = append(src.rows, source.Row{Cells: row, Line: len(src.rows) + 1})
		}
		nonBlank := 0
		for _, row := range src.rows {
			if !blank(row.Cells) {
				nonBlank++
			}
		}
		header := []string{"Employee #", "First Name", "Last Name", "Status", "Work Email"}
		r.Shuffle(len(header), func(i, j int) { header[i], header[j] = header[j], header[i] })
		data := []string{"1", "Ada", "Lovelace", "Active", "ada@example.com"}
		src.rows = append(src.rows, source.Row{Cells: header, Line: len(src.rows) + 1}, source.Row{Cells: data, Line: len(src.rows) + 2})
		c := &conversion{opts: Options{Template: tmpl}, src: src, skipped: map[string]int{}}
		got, err := c.header()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, header) || c.skipped["banner"] != nonBlank {
			t.Fatalf("took %q for the header of %v, with %d banners", got, src.rows, c.skipped["banner"])
		}
		if len(c.replay) != 1 || !reflect.DeepEqual(c.replay[0].Cells, data) {
			t.Fatalf("kept %v for the data", c.replay)
		}
	})
}

func TestColumnName(t *testing.T) {
	m := &mapper{header: []string{"Email", "", "Last\nactive "}}
	for col, want := range map[int]string{0: "Email", 1: "column B", 2: "Last active", 30: "column AE"} {
		if got := m.columnName(col); got != want {
			t.Errorf("column %d: got %q, want %q", col, got, want)
		}
	}
}
