package main

import (
	"fmt"
	"sort"

	delta "github.com/torii-convert/torii-convert/diff"
	"github.com/torii-convert/torii-convert/internal/roster"
	"github.com/torii-convert/torii-convert/internal/state"
)

// ipexGuard is the shrink guard of one ipex sync: where its record goes, and what to
// remember once every batch was sent.
type ipexGuard struct {
	path string // "": no state directory, nothing remembered
	rec  delta.Record
}

// checkShrink compares the requestors about to be sent as active with those the last
// run to this helpdesk sent as active (its record, kept as the Torii sync's is), and
// refuses (exit 7) when more than --max-shrink of them would be gone: left out of the
// input, or deleted in it (not sent, or sent with --deleted).
func (o *ipexSyncOptions) checkShrink(e env, host, name string, users *checkedUsers) (*ipexGuard, error) {
	path, err := state.Path(e.getenv, "guard", host, "ipex")
	if err != nil {
		fmt.Fprintf(e.stderr, "warning: shrink guard: %v: the requestors are not compared with the last run, and this one is not remembered; set XDG_STATE_HOME or HOME\n", err)
		return &ipexGuard{}, nil
	}
	g := &ipexGuard{path: path, rec: delta.Record{Host: host, File: name, Users: users.n, Population: activeRequestors(users)}}
	last, err := delta.LoadRecord(path)
	if err != nil {
		return nil, failure("shrink guard: %v", err)
	}
	if last == nil {
		switch {
		case o.quiet:
		case o.dryRun:
			fmt.Fprintf(e.stderr, "shrink guard: no record of an earlier ipex sync to %s, so nothing to compare with (a dry run is not remembered)\n", host)
		default:
			fmt.Fprintf(e.stderr, "shrink guard: no record of an earlier ipex sync to %s; this run becomes the first (%s)\n", host, path)
		}
		return g, nil
	}
	against := fmt.Sprintf("the requestors sent active from %s on %s", last.File, last.Time.Format("2006-01-02 15:04 MST"))
	return g, o.guard.judge(e, o.dryRun, o.quiet, "the requestors of "+host, name, against, last.Population, g.rec.Population)
}

// activeRequestors are the users of the input that are not deleted, by lowercased
// email: those sent as active.
func activeRequestors(users *checkedUsers) delta.Population {
	p := delta.Population{Active: []string{}}
	for i := range users.n {
		if u, _, _ := users.user(i); u.Status != "deleted" {
			p.Active = append(p.Active, roster.Key(u.Email))
		}
	}
	sort.Strings(p.Active)
	return p
}

// remember records the run that sent every batch, for the next one to compare with.
// The requestors were sent: a record that cannot be written is a warning.
func (g *ipexGuard) remember(e env) {
	if g == nil || g.path == "" {
		return
	}
	g.rec.Time = e.now().UTC()
	if err := g.rec.Save(g.path); err != nil {
		fmt.Fprintf(e.stderr, "warning: shrink guard: the requestors were sent, but the record of this run could not be written: %v\n", err)
	}
}
