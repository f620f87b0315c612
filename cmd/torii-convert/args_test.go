package main

import (
	"strings"
	"testing"
	"time"
)

func TestInterspersed(t *testing.T) {
	app := newApp(env{now: time.Now})
	for _, tc := range []struct{ in, want string }{
		{"convert in.csv --template figma", "convert --template figma in.csv"},
		{"convert in.csv -t figma -o out.json -q", "convert -t figma -o out.json -q in.csv"},
		{"convert --template=figma in.csv --sheet 2", "convert --template=figma --sheet 2 in.csv"},
		{"convert -q in.csv -- -o", "convert -q in.csv -- -o"},
		{"convert - --template figma", "convert --template figma -"},
		{"templates show figma --help", "templates show --help figma"},
		{"--help", "--help"},
		{"convert in.csv --unknown value", "convert --unknown in.csv value"},
	} {
		got := strings.Join(interspersed(app, append([]string{"torii-convert"}, strings.Fields(tc.in)...))[1:], " ")
		if got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
}
