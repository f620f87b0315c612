package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/torii-convert/torii-convert/internal/text"
)

var headers = []string{"License", "Holders", "Active", "Idle", "Unassigned", "Price", "Monthly cost", "Idle cost", "Unassigned cost", "Waste"}

// cells is a line as the tables show it, money in major units.
func (l Line) cells(price bool) []string {
	p := "-"
	if l.PricePerUser != nil {
		p = text.Cents(*l.PricePerUser)
	}
	if !price {
		p = ""
	}
	return []string{l.License, itoa(l.Holders), itoa(l.ActiveHolders), itoa(l.IdleHolders), strconv.FormatInt(l.UnassignedSeats, 10), p,
		text.Cents(l.MonthlyCost), text.Cents(l.IdleCost), text.Cents(l.UnassignedCost), text.Cents(l.Waste)}
}

func itoa(n int) string { return strconv.Itoa(n) }

func (r *Report) rows() [][]string {
	rows := [][]string{headers}
	for _, l := range r.Licenses {
		rows = append(rows, l.cells(true))
	}
	return append(rows, r.Total.cells(false))
}

// notes say how idleness was counted and what is not priced.
func (r *Report) notes() []string {
	out := []string{fmt.Sprintf("idle: active holders with no use in the %d days before %s", r.IdleDays, r.Today)}
	if n := r.Total.InactiveHolders; n > 0 {
		out[0] = fmt.Sprintf("idle: %s whose license is inactive, and active holders with no use in the %d days before %s",
			text.Plural(n, "holder", "holders"), r.IdleDays, r.Today)
	}
	if r.Total.NoDate > 0 {
		verb := "have"
		if r.Total.NoDate == 1 {
			verb = "has"
		}
		out[0] += fmt.Sprintf("; %d of them %s no lastUsedDate at all", r.Total.NoDate, verb)
	}
	out = append(out, "amounts per month, in the currency of the file's prices; cost counts the seats held (active or inactive, not deleted) and the unassigned ones")
	if len(r.Unpriced) > 0 {
		out = append(out, fmt.Sprintf("no price in the file, so no cost counted: %s", strings.Join(r.Unpriced, ", ")))
	}
	return out
}

// WriteText writes the report as an aligned table, numbers to the right, then its notes.
func WriteText(w io.Writer, r *Report) error {
	rows := r.rows()
	widths := make([]int, len(headers))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	var b strings.Builder
	for k, row := range rows {
		if k == len(rows)-1 {
			b.WriteString(strings.Repeat("-", sum(widths)+2*(len(widths)-1)) + "\n")
		}
		for i, c := range row {
			pad := strings.Repeat(" ", widths[i]-len([]rune(c)))
			switch {
			case i == 0:
				b.WriteString(c + pad)
			default:
				b.WriteString("  " + pad + c)
			}
		}
		b.WriteString("\n")
	}
	for _, n := range r.notes() {
		b.WriteString(n + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func sum(ns []int) int {
	t := 0
	for _, n := range ns {
		t += n
	}
	return t
}

// WriteMarkdown writes the report as a Markdown table, for a ticket or a wiki.
func WriteMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### License waste: %s\n\n", escapeMarkdown(r.File))
	for k, row := range r.rows() {
		cells := make([]string, len(row))
		for i, c := range row {
			cells[i] = escapeMarkdown(c)
			if k == len(r.Licenses)+1 && (i == 0 || c != "") {
				cells[i] = "**" + cells[i] + "**"
			}
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
		if k == 0 {
			b.WriteString("|---" + strings.Repeat("|--:", len(row)-1) + "|\n")
		}
	}
	b.WriteString("\n")
	for _, n := range r.notes() {
		b.WriteString("- " + escapeMarkdown(n) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func escapeMarkdown(s string) string {
	return strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;").Replace(s)
}

// WriteCSV writes one row a license, then the total; amounts in major units with a
// decimal point and no thousands separator, for spreadsheets and scripts.
func WriteCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"license", "holders", "active_holders", "idle_holders", "idle_without_date", "unassigned_seats",
		"price_per_user", "monthly_cost", "idle_cost", "unassigned_cost", "waste"})
	money := func(c int64) string { return strings.ReplaceAll(text.Cents(c), ",", "") }
	row := func(l Line) []string {
		p := ""
		if l.PricePerUser != nil {
			p = money(*l.PricePerUser)
		}
		return []string{l.License, itoa(l.Holders), itoa(l.ActiveHolders), itoa(l.IdleHolders), itoa(l.NoDate),
			strconv.FormatInt(l.UnassignedSeats, 10), p, money(l.MonthlyCost), money(l.IdleCost), money(l.UnassignedCost), money(l.Waste)}
	}
	for _, l := range r.Licenses {
		cw.Write(row(l))
	}
	cw.Write(row(r.Total))
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes the report as one JSON document, amounts in cents.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
