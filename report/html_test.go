package report

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/torii-convert/torii-convert/internal/roster"
	"github.com/torii-convert/torii-convert/internal/text"
	"github.com/torii-convert/torii-convert/schema"
)

// sample has a license of each kind: idle holders, holders without a date, unassigned
// seats, an inactive holder, no price, and a name that must be escaped.
const sample = `{
  "users": [
    {"email": "ada@example.com", "lastUsedDate": "2026-11-20"},
    {"email": "grace@example.com", "lastUsedDate": "2026-06-01"},
    {"email": "alan@example.com", "lastUsedDate": "2026-08-01"},
    {"email": "kat@example.com", "status": "active"},
    {"email": "ed@example.com", "status": "deleted"}
  ],
  "licenses": [
    {"name": "Full", "pricePerUser": 4500, "unassignedAmount": 3, "users": [
      {"email": "ada@example.com"}, {"email": "grace@example.com"}, {"email": "ed@example.com"}
    ]},
    {"name": "Dev <&> \"Mode\"", "pricePerUser": 123456, "users": [
      {"email": "alan@example.com"}, {"email": "kat@example.com"}, {"email": "ada@example.com"}
    ]},
    {"name": "View", "users": [{"email": "kat@example.com", "licenseStatus": "inactive"}]}
  ]
}`

var today = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func sampleReport(t *testing.T) *Report {
	t.Helper()
	var problems []string
	schema.Contract().CheckFile(strings.NewReader(sample), today, func(p schema.Problem) {
		problems = append(problems, p.Path.String()+": "+p.Message)
	})
	if len(problems) > 0 {
		t.Fatalf("the sample is not a clean file: %q", problems)
	}
	r, err := roster.Read("sample.json", strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	return Build(r, today, 90)
}

func TestBuild(t *testing.T) {
	rep := sampleReport(t)
	// Dev: 3 active holders, alan idle (2026-08-01), kat idle without a date: 2 x 1,234.56.
	// Full: grace idle, ed deleted; 3 unassigned: 1 x 45 + 3 x 45. View has no price, and
	// kat holds it inactively: an idle seat.
	want := []Line{
		{License: `Dev <&> "Mode"`, Holders: 3, ActiveHolders: 3, IdleHolders: 2, NoDate: 1, MonthlyCost: 370368, IdleCost: 246912, Waste: 246912},
		{License: "Full", Holders: 3, ActiveHolders: 2, IdleHolders: 1, UnassignedSeats: 3, MonthlyCost: 22500, IdleCost: 4500, UnassignedCost: 13500, Waste: 18000},
		{License: "View", Holders: 1, InactiveHolders: 1, IdleHolders: 1},
	}
	if len(rep.Licenses) != len(want) {
		t.Fatalf("%d licenses, want %d", len(rep.Licenses), len(want))
	}
	for i, w := range want {
		got := rep.Licenses[i]
		got.PricePerUser = nil
		if got != w {
			t.Errorf("license %d:\n got %+v\nwant %+v", i, got, w)
		}
	}
	// kat's inactive View seat is idle, at no known price.
	if rep.Total.Waste != 246912+18000 || rep.Total.MonthlyCost != 370368+22500 || rep.Total.IdleHolders != 4 || rep.Total.InactiveHolders != 1 {
		t.Errorf("total %+v", rep.Total)
	}
	if len(rep.Unpriced) != 1 || rep.Unpriced[0] != "View" {
		t.Errorf("unpriced %v, want [View]", rep.Unpriced)
	}
}

// TestHTMLInBrowser loads the page in a real headless Chromium and reads the numbers
// back from the DOM: the table, the totals, and the chart's bars as laid out.
func TestHTMLInBrowser(t *testing.T) {
	browser := findChromium()
	if browser == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is missing; scripts/test-tools.sh installs it (apt-get install chromium)")
		}
		t.Skip("chromium is missing (apt-get install chromium, or scripts/test-tools.sh); the page is not tested in a browser")
	}
	rep := sampleReport(t)
	page := filepath.Join(t.TempDir(), "waste.html")
	f, err := os.Create(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(f, rep); err != nil {
		t.Fatal(err)
	}
	f.Close()

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(browser),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 900),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	type row struct {
		License, Holders, Active, Idle, Unassigned, Price, Cost, IdleCost, UnassignedCost, Waste string
	}
	type bar struct {
		License            string
		CostWidth, WasteW  float64 // as laid out, in CSS pixels
		CostText, WasteTxt string
	}
	if err := chromedp.Do(bctx, chromedp.Navigate("file://"+page), chromedp.WaitVisible("#chart")); err != nil {
		t.Fatalf("loading the page in %s: %v", browser, err)
	}
	rows, err := chromedp.Run(bctx, chromedp.Evaluate[[]row](`Array.from(document.querySelectorAll("#licenses tbody tr")).map(tr => {
		const c = s => (tr.querySelector(s) || {textContent: ""}).textContent;
		return {License: tr.cells[0].textContent, Holders: c(".holders"), Active: c(".active"), Idle: c(".idle"),
			Unassigned: c(".unassigned"), Price: c(".price"), Cost: c(".cost"), IdleCost: c(".idle-cost"),
			UnassignedCost: c(".unassigned-cost"), Waste: c(".waste")};
	})`))
	if err != nil {
		t.Fatal(err)
	}
	bars, err := chromedp.Run(bctx, chromedp.Evaluate[[]bar](`Array.from(document.querySelectorAll("#chart g.bar")).map(g => ({
		License: g.dataset.license,
		CostWidth: g.querySelector("rect.cost").getBoundingClientRect().width,
		WasteW: g.querySelector("rect.waste").getBoundingClientRect().width,
		CostText: g.querySelectorAll("text")[1].textContent,
		WasteTxt: g.querySelectorAll("text")[2].textContent}))`))
	if err != nil {
		t.Fatal(err)
	}
	cards, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`["#total-cost", "#total-waste", "#waste-share"].map(s => document.querySelector(s).textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	resources, err := chromedp.Run(bctx, chromedp.Evaluate[int](`performance.getEntriesByType("resource").length`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(rep.Licenses)+1 {
		t.Fatalf("the table has %d rows, want %d licenses and the total", len(rows), len(rep.Licenses))
	}
	for i, l := range append(rep.Licenses, rep.Total) {
		price := "-"
		if l.PricePerUser != nil {
			price = text.Cents(*l.PricePerUser)
		}
		name := l.License
		if i == len(rep.Licenses) {
			name, price = "Total", ""
		}
		want := row{name, itoa(l.Holders), itoa(l.ActiveHolders), itoa(l.IdleHolders), itoa(int(l.UnassignedSeats)), price,
			text.Cents(l.MonthlyCost), text.Cents(l.IdleCost), text.Cents(l.UnassignedCost), text.Cents(l.Waste)}
		if rows[i] != want {
			t.Errorf("row %d in the browser:\n got %+v\nwant %+v", i, rows[i], want)
		}
	}
	if want := []string{"3,928.68", "2,649.12", "67%"}; strings.Join(cards, " ") != strings.Join(want, " ") {
		t.Errorf("cards %q, want %q", cards, want)
	}
	if len(bars) != len(rep.Licenses) {
		t.Fatalf("the chart has %d bars, want %d", len(bars), len(rep.Licenses))
	}
	// The widest bar is the largest amount; every other is in proportion to it.
	unit := bars[0].CostWidth / float64(rep.Licenses[0].MonthlyCost)
	for i, b := range bars {
		l := rep.Licenses[i]
		cost, waste := text.Cents(l.MonthlyCost), text.Cents(l.Waste)
		if l.PricePerUser == nil {
			cost, waste = "no price", ""
		}
		if b.License != l.License || b.CostText != cost || b.WasteTxt != waste {
			t.Errorf("bar %d: %+v, want %s cost %q waste %q", i, b, l.License, cost, waste)
		}
		for _, pair := range [][2]float64{{b.CostWidth, float64(l.MonthlyCost)}, {b.WasteW, float64(l.Waste)}} {
			if d := pair[0] - unit*pair[1]; d > 0.6 || d < -0.6 {
				t.Errorf("bar %d (%s) is %.1f px wide, want %.1f", i, l.License, pair[0], unit*pair[1])
			}
		}
	}
	if bars[0].CostWidth < 400 {
		t.Errorf("the widest bar is %.1f px: the chart did not lay out", bars[0].CostWidth)
	}
	if resources != 0 {
		t.Errorf("the page loaded %d resources; it must be self-contained", resources)
	}
}

// findChromium finds Debian's chromium (or another Chromium) on the PATH.
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestInactiveSeatsAreWaste: a holder whose license is inactive holds a paid seat
// without using it (Figma's never-used seats, a suspended Google Workspace user): it is
// costed, and its cost is waste, whatever its user's last use; a deleted one is not.
func TestInactiveSeatsAreWaste(t *testing.T) {
	r, err := roster.Read("seats.json", strings.NewReader(`{
  "users": [
    {"email": "ada@example.com", "lastUsedDate": "2026-11-20"},
    {"email": "bob@example.com", "lastUsedDate": "2026-11-21"},
    {"email": "cy@example.com", "lastUsedDate": "2026-11-22"}
  ],
  "licenses": [{"name": "Full", "pricePerUser": 1000, "unassignedAmount": 1, "users": [
    {"email": "ada@example.com"}, {"email": "bob@example.com", "licenseStatus": "inactive"},
    {"email": "cy@example.com", "licenseStatus": "deleted"}
  ]}]
}`))
	if err != nil {
		t.Fatal(err)
	}
	got := Build(r, today, 90).Licenses[0]
	got.PricePerUser = nil
	want := Line{License: "Full", Holders: 3, ActiveHolders: 1, InactiveHolders: 1, IdleHolders: 1, UnassignedSeats: 1,
		MonthlyCost: 3000, IdleCost: 1000, UnassignedCost: 1000, Waste: 2000}
	if got != want {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}
