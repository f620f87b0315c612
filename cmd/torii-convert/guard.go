package main

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	delta "github.com/torii-convert/torii-convert/diff" // diff is the golden tests' line diff
	"github.com/torii-convert/torii-convert/internal/roster"
	"github.com/torii-convert/torii-convert/internal/state"
	"github.com/torii-convert/torii-convert/internal/text"
	"github.com/torii-convert/torii-convert/schema"
	"github.com/torii-convert/torii-convert/torii"
)

// guardOptions are the flags of the shrink guard, on every command that syncs.
type guardOptions struct {
	maxShrink   string
	allowShrink bool
	against     string // state or torii
	remember    string // emails or hashes
	app         int64
	limit       delta.Limit
}

func guardFlags(o *guardOptions) []cli.Flag {
	return append(shrinkFlags(o, "of the active users or of a license's holders"),
		&cli.StringFlag{Name: "against", Value: guardDefaults.against, Destination: &o.against,
			Usage: "compare the file with `WHAT`: state (the record of the last sync from here) or torii (the app's users in Torii now, with --app)"},
		&cli.StringFlag{Name: "remember", Value: guardDefaults.remember, Destination: &o.remember,
			Usage: "keep in the record of the sync the `FORM` of people: emails, or hashes (SHA-256 of each email, shortened)"},
		&cli.Int64Flag{Name: "app", Destination: &o.app,
			Usage: "with --against torii, the `ID` of the app in Torii whose users to compare with"})
}

// shrinkFlags are the guard's limit and its way through, on every command that syncs;
// groups says what the share is of.
func shrinkFlags(o *guardOptions, groups string) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "max-shrink", Value: guardDefaults.maxShrink, Destination: &o.maxShrink,
			Usage: "refuse a sync that removes more than `SHARE%[,PEOPLE]` " + groups + ", when that is at least PEOPLE people"},
		&cli.BoolFlag{Name: "allow-shrink", Destination: &o.allowShrink,
			Usage: "sync even when the shrink guard would refuse (it says what it let through)"},
	}
}

// changed reports whether any of the guard's flags says something else than its default.
func (o *guardOptions) changed() bool {
	return o.allowShrink || o.app != 0 || o.maxShrink != "" && o.maxShrink != guardDefaults.maxShrink ||
		o.against != "" && o.against != guardDefaults.against || o.remember != "" && o.remember != guardDefaults.remember
}

// guardDefaults are the guard's flags when not given.
var guardDefaults = guardOptions{maxShrink: "10%,5", against: "state", remember: "emails"}

// checkLimit reads --max-shrink.
func (o *guardOptions) checkLimit() error {
	if o.maxShrink == "" {
		o.maxShrink = guardDefaults.maxShrink
	}
	l, err := delta.ParseLimit(o.maxShrink)
	if err != nil {
		return usageError("--max-shrink %v", err)
	}
	o.limit = l
	return nil
}

func (o *guardOptions) check() error {
	if o.against == "" {
		o.against = guardDefaults.against
	}
	if o.remember == "" {
		o.remember = guardDefaults.remember
	}
	if err := o.checkLimit(); err != nil {
		return err
	}
	switch {
	case o.against != "state" && o.against != "torii":
		return usageError("--against %q: want state or torii", o.against)
	case o.remember != "emails" && o.remember != "hashes":
		return usageError("--remember %q: want emails or hashes", o.remember)
	case o.against == "torii" && o.app == 0:
		return usageError("--against torii needs --app: the ID of the app in Torii (its page's URL ends with it)")
	case o.against != "torii" && o.app != 0:
		return usageError("--app goes with --against torii")
	}
	return nil
}

// shrinkGuard is the guard of one sync: where its record goes, and what to remember
// once Torii accepts the sync.
type shrinkGuard struct {
	path string
	rec  delta.Record
}

// checkShrink compares the file about to be uploaded with the last sync's record, or with
// Torii, and refuses (exit 7) when it would shrink past --max-shrink.
func (o *toriiOptions) checkShrink(ctx context.Context, e env, client *torii.Client, path, name string) (*shrinkGuard, error) {
	g := &o.guard
	host, statePath, ok := o.guardRecordPath(e, client)
	if !ok {
		return nil, nil
	}
	r, err := readRosterFile(e, path)
	if err != nil {
		return nil, err
	}
	sg := &shrinkGuard{path: statePath, rec: delta.Record{Host: host, AppAccount: o.appAccount, File: name,
		Users: r.Users(), LicenseCount: len(r.Licenses)}}
	sg.rec.Population = delta.PopulationOf(r, g.remember == "hashes")

	before, against, err := o.guardBaseline(ctx, e, client, host, statePath)
	if err != nil || before == nil {
		return sg, err
	}
	after := sg.rec.Population
	if before.Hashed != after.Hashed {
		after = delta.PopulationOf(r, before.Hashed)
	}
	subject := fmt.Sprintf("app account %d", o.appAccount)
	if err := g.judge(e, o.dryRun, o.quiet, subject, name, against, *before, after); err != nil {
		return nil, err
	}
	return sg, nil
}

// judge compares the population a sync would leave with the one before it: it shows
// the counts (unless quiet, but always on a dry run), lets the sync go within the
// limit or with --allow-shrink, and else refuses it (exit 7). subject is what is
// synced (app account 12345), name the file.
func (g *guardOptions) judge(e env, dryRun, quiet bool, subject, name, against string, before, after delta.Population) error {
	shrinks := delta.Guard(before, after, g.limit)
	if dryRun || !quiet {
		fmt.Fprintf(e.stderr, "shrink guard: %s against %s:\n", name, against)
		for _, s := range delta.Measure(before, after) {
			fmt.Fprintf(e.stderr, "  %s\n", s.Line())
		}
	}
	switch {
	case len(shrinks) == 0:
		if !quiet {
			fmt.Fprintf(e.stderr, "shrink guard: within --max-shrink %s\n", g.limit)
		}
		return nil
	case g.allowShrink:
		fmt.Fprintf(e.stderr, "shrink guard: let through by --allow-shrink: %s\n", strings.Join(shrinkMessages(shrinks), "; "))
		return nil
	}
	return g.refuse(subject, name, before.Hashed, shrinks)
}

// guardRecordPath is where the record of this app account's syncs on this host is
// kept. Without a state directory the guard says what it cannot do, and goes on
// (ok) only when it compares with Torii.
func (o *toriiOptions) guardRecordPath(e env, client *torii.Client) (host, statePath string, ok bool) {
	host = client.BaseURL
	if u, err := url.Parse(client.BaseURL); err == nil && u.Host != "" {
		host = u.Host
	}
	statePath, err := state.Path(e.getenv, "guard", host, strconv.FormatInt(o.appAccount, 10))
	if err != nil {
		if o.guard.against == "state" {
			fmt.Fprintf(e.stderr, "warning: shrink guard: %v: the file is not compared with the last sync, and this one is not remembered; set XDG_STATE_HOME or HOME\n", err)
			return host, "", false
		}
		fmt.Fprintf(e.stderr, "warning: shrink guard: %v: this sync is not remembered; set XDG_STATE_HOME or HOME\n", err)
	}
	return host, statePath, true
}

// guardBaseline is what the file is compared with, and its words: the app's users in
// Torii now, or the record of the last sync. It is nil when there is nothing to
// compare with (a dry run's request to Torii was printed, not sent; or no sync was
// recorded yet).
func (o *toriiOptions) guardBaseline(ctx context.Context, e env, client *torii.Client, host, statePath string) (*delta.Population, string, error) {
	g := &o.guard
	if g.against == "torii" {
		tr, licenses, err := loadToriiRoster(ctx, e, client, g.app, o.appAccount)
		if err != nil {
			return nil, "", err
		}
		if o.dryRun { // the request was printed, not sent: there is nothing to compare
			fmt.Fprintf(e.stderr, "warning: shrink guard: not checked: a dry run does not ask Torii for the users of app %d\n"+
				"  torii-convert diff torii: FILE --app %d --app-account %d compares a file with them now\n", g.app, g.app, o.appAccount)
			return nil, "", nil
		}
		before := delta.PopulationOf(tr, false)
		if !licenses {
			before.Licenses = nil // Torii did not say who holds which license
		}
		return &before, fmt.Sprintf("the users of app %d in Torii", g.app), nil
	}
	last, err := delta.LoadRecord(statePath)
	if err != nil {
		return nil, "", &cmdError{kind: kindFailure, msg: "shrink guard: " + err.Error()}
	}
	if last == nil {
		o.say(e, "shrink guard: no record of an earlier sync of app account %d on %s; this sync becomes the first (%s)", o.appAccount, host, statePath)
		return nil, "", nil
	}
	return &last.Population, fmt.Sprintf("the sync of %s (file %d) on %s", last.File, last.FileID, last.Time.Format("2006-01-02 15:04 MST")), nil
}

// refuse is the guard's refusal (exit 7) to sync subject with name: the first shrink past the limit, the
// others and up to ten of the people gone as hints, and the way through.
func (g *guardOptions) refuse(subject, name string, hashed bool, shrinks []delta.Shrink) error {
	msgs := shrinkMessages(shrinks)
	var hint strings.Builder
	for _, m := range msgs[1:] {
		fmt.Fprintf(&hint, "also: %s\n", m)
	}
	if removed := shrinks[0].Removed; len(removed) > 0 {
		if hashed {
			hint.WriteString("the record keeps hashes (--remember hashes), so the emails gone cannot be named\n")
		} else {
			n := min(len(removed), 10)
			fmt.Fprintf(&hint, "gone: %s", strings.Join(removed[:n], ", "))
			if n < len(removed) {
				fmt.Fprintf(&hint, " and %d more", len(removed)-n)
			}
			hint.WriteString("\n")
		}
	}
	fmt.Fprintf(&hint, "a truncated or filtered export does this; if the change is real, pass --allow-shrink, or a larger --max-shrink (now %s)", g.limit)
	return &cmdError{kind: kindShrink, msg: fmt.Sprintf("shrink guard: refusing to sync %s with %s: %s", subject, name, msgs[0]),
		hint: hint.String()}
}

// shrinkMessages are the shrinks' sentences, in order.
func shrinkMessages(shrinks []delta.Shrink) []string {
	msgs := make([]string, len(shrinks))
	for i, s := range shrinks {
		msgs[i] = s.Message
	}
	return msgs
}

// remember records the sync Torii accepted, for the next one to compare with. The
// sync happened: a record that cannot be written is a warning, not a failure.
func (g *shrinkGuard) remember(e env, fileID int64) {
	if g.path == "" {
		return // no state directory: said before the upload
	}
	g.rec.FileID, g.rec.Time = fileID, e.now().UTC()
	if err := g.rec.Save(g.path); err != nil {
		fmt.Fprintf(e.stderr, "warning: shrink guard: the sync was accepted, but its record could not be written: %v\n", err)
	}
}

// say prints a line of progress, unless --quiet.
func (o *toriiOptions) say(e env, format string, args ...any) {
	if !o.quiet {
		fmt.Fprintf(e.stderr, format+"\n", args...)
	}
}

// loadToriiRoster reads the users Torii holds for an app (GET /apps/{idApp}/users, every
// page) into a roster: a user is deleted when Torii says so or has seen them removed
// from the app, else active (managed users too). With an app account, only its users
// are kept (the app's users come from every account and source); how many others were
// left out is said. Licenses come from the users' license names when Torii gives any;
// it never gives prices or unassigned seats.
func loadToriiRoster(ctx context.Context, e env, client *torii.Client, app, account int64) (r *roster.Roster, licenses bool, err error) {
	users, err := client.AppUsers(ctx, app, torii.UsersQuery{})
	if err != nil {
		return nil, false, err
	}
	r = roster.New(fmt.Sprintf("torii (app %d)", app))
	held := map[string][]schema.LicenseUser{}
	var names []string
	others := 0
	for _, u := range users {
		if account != 0 && u.IDAppAccount != account {
			others++
			continue
		}
		status := "active"
		if u.Status == "deleted" || u.Removed {
			status = "deleted"
		}
		r.AddUser(&schema.User{Email: u.Email, Status: status})
		for _, l := range u.Licenses {
			if _, ok := held[l]; !ok {
				names = append(names, l)
			}
			held[l] = append(held[l], schema.LicenseUser{Email: u.Email})
		}
	}
	for _, name := range names {
		r.AddLicense(&schema.License{Name: name, Users: held[name]})
	}
	if others > 0 {
		fmt.Fprintf(e.stderr, "note: app %d: %s of other app accounts than %d left out\n", app, text.Plural(others, "user", "users"), account)
	}
	return r, len(names) > 0, nil
}
