package diff

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/torii-convert/torii-convert/internal/text"
)

// WriteJSON writes the result as one JSON document, every list in full.
func WriteJSON(w io.Writer, r *Result) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the result for a person: the counts first, then the first limit
// emails of each kind (0: all of them), saying how many more there were.
//
//	old.json -> new.json
//	users: 5 -> 4, active 4 -> 3
//	  1 added, 2 removed, 1 active -> deleted, 0 deleted -> active
//	licenses: 2 -> 2
//	  "Full": holders 3 -> 2 (0 gained, 1 lost); price 15.00 -> 20.00
func WriteText(w io.Writer, r *Result, limit int) error {
	var b strings.Builder
	b.WriteString(Summary(r))
	more := 0
	list := func(title string, emails []string) {
		if len(emails) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s (%d):\n", title, len(emails))
		n := len(emails)
		if limit > 0 && n > limit {
			n = limit
			more += len(emails) - limit
		}
		for _, e := range emails[:n] {
			fmt.Fprintf(&b, "  %s\n", e)
		}
		if n < len(emails) {
			fmt.Fprintf(&b, "  ... and %d more\n", len(emails)-n)
		}
	}
	list("added", r.Added)
	list("removed", r.Removed)
	list("active -> deleted", r.Deactivated)
	list("deleted -> active", r.Reactivated)
	for _, l := range r.Licenses {
		list(fmt.Sprintf("license %q gained", l.Name), l.Gained)
		list(fmt.Sprintf("license %q lost", l.Name), l.Lost)
	}
	if more > 0 {
		fmt.Fprintf(&b, "\n%d more not listed: --limit 0 lists them all, --format json gives every list\n", more)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Summary is the counts of a result, one group a line, as WriteText begins and as the
// shrink guard shows what a sync would change.
func Summary(r *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s -> %s", r.Old.Name, r.New.Name)
	if r.Same {
		b.WriteString(": the same users, statuses and licenses")
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "users: %d -> %d, active %d -> %d\n", r.Old.Users, r.New.Users, r.Old.ActiveUsers, r.New.ActiveUsers)
	fmt.Fprintf(&b, "  %d added, %d removed, %d active -> deleted, %d deleted -> active\n",
		len(r.Added), len(r.Removed), len(r.Deactivated), len(r.Reactivated))
	if len(r.NotCompared) > 0 {
		fmt.Fprintf(&b, "not compared: %s (%s cannot tell)\n", strings.Join(r.NotCompared, ", "), whoCannot(r))
		if r.NotCompared[0] == "licenses" {
			return b.String()
		}
	}
	fmt.Fprintf(&b, "licenses: %d -> %d", r.Old.Licenses, r.New.Licenses)
	if len(r.Licenses) == 0 {
		b.WriteString(", none changed")
	}
	b.WriteString("\n")
	for _, l := range r.Licenses {
		fmt.Fprintf(&b, "  %q: ", l.Name)
		switch l.Change {
		case "added":
			fmt.Fprintf(&b, "added, %s", plural(l.NewHolders, "holder", "holders"))
		case "removed":
			fmt.Fprintf(&b, "removed, had %s", plural(l.OldHolders, "holder", "holders"))
		default:
			fmt.Fprintf(&b, "holders %d -> %d (%d gained, %d lost)", l.OldHolders, l.NewHolders, len(l.Gained), len(l.Lost))
			if !sameNumber(l.OldPrice, l.NewPrice) {
				fmt.Fprintf(&b, "; price %s -> %s", Money(l.OldPrice), Money(l.NewPrice))
			}
			if !sameNumber(l.OldUnassigned, l.NewUnassigned) {
				fmt.Fprintf(&b, "; unassigned seats %s -> %s", number(l.OldUnassigned), number(l.NewUnassigned))
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func whoCannot(r *Result) string {
	if strings.HasPrefix(r.Old.Name, "torii") {
		return r.Old.Name
	}
	return r.New.Name
}

// Money writes an amount in cents in major units: 1500 as 15.00, 123456 as 1,234.56;
// "none" when there is none.
func Money(cents *int64) string {
	if cents == nil {
		return "none"
	}
	return text.Cents(*cents)
}

func number(n *int64) string {
	if n == nil {
		return "none"
	}
	return strconv.FormatInt(*n, 10)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
