package report

import (
	"fmt"
	"html/template"
	"io"

	"github.com/torii-convert/torii-convert/internal/text"
)

// bar is one license in the chart: its cost and its waste, as widths in pixels.
type bar struct {
	Line
	Y, LabelY, WasteY       int
	CostWidth, WasteWidth   float64
	CostText, WasteText     string
	CostLabelX, WasteLabelX float64
}

const (
	chartLeft  = 220 // room for the license names
	chartWidth = 480 // the widest bar
	rowHeight  = 44
)

// WriteHTML writes the report as one self-contained page: a bar chart of cost against
// waste per license (inline SVG) and the table. It loads nothing from anywhere.
func WriteHTML(w io.Writer, r *Report) error {
	scale := int64(1)
	for _, l := range r.Licenses {
		scale = max(scale, l.MonthlyCost, l.Waste)
	}
	bars := make([]bar, len(r.Licenses))
	for i, l := range r.Licenses {
		b := bar{Line: l, Y: 10 + i*rowHeight}
		b.LabelY, b.WasteY = b.Y+15, b.Y+20
		b.CostWidth = float64(chartWidth) * float64(l.MonthlyCost) / float64(scale)
		b.WasteWidth = float64(chartWidth) * float64(l.Waste) / float64(scale)
		b.CostText, b.WasteText = text.Cents(l.MonthlyCost), text.Cents(l.Waste)
		if l.PricePerUser == nil {
			b.CostText, b.WasteText = "no price", ""
		}
		b.CostLabelX = chartLeft + b.CostWidth + 6
		b.WasteLabelX = chartLeft + b.WasteWidth + 6
		bars[i] = b
	}
	share := "0%"
	if r.Total.MonthlyCost > 0 {
		share = fmt.Sprintf("%.0f%%", 100*float64(r.Total.Waste)/float64(r.Total.MonthlyCost))
	}
	return page.Execute(w, map[string]any{
		"R": r, "Bars": bars, "Height": 20 + len(bars)*rowHeight, "Left": chartLeft, "Width": chartLeft + chartWidth + 110,
		"Cost": text.Cents(r.Total.MonthlyCost), "Waste": text.Cents(r.Total.Waste), "Share": share, "Notes": r.notes(),
	})
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"cents": text.Cents,
	"price": func(p *int64) string {
		if p == nil {
			return "-"
		}
		return text.Cents(*p)
	},
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>License waste: {{.R.File}}</title>
<style>
  body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
  h1 { font-size: 1.4rem; margin-bottom: .2rem; }
  .sub { color: #59636e; margin-top: 0; }
  .cards { display: flex; gap: 1rem; margin: 1.2rem 0; }
  .card { border: 1px solid #d1d9e0; border-radius: 8px; padding: .7rem 1rem; flex: 1; }
  .card b { display: block; font-size: 1.5rem; font-variant-numeric: tabular-nums; }
  .card.waste b { color: #bc4c00; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { padding: .35rem .6rem; border-bottom: 1px solid #d1d9e0; text-align: right; white-space: nowrap; }
  th:first-child, td:first-child { text-align: left; white-space: normal; }
  th { background: #f6f8fa; font-weight: 600; }
  tr.total td { font-weight: 600; border-top: 2px solid #1f2328; }
  td.waste { color: #bc4c00; font-weight: 600; }
  .legend span { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; margin: 0 .3rem 0 1rem; vertical-align: -1px; }
  ul.notes { color: #59636e; font-size: .9rem; }
  svg text { font: 13px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; fill: #1f2328; }
</style>
</head>
<body>
<h1>License waste</h1>
<p class="sub">{{.R.File}} &middot; idle means no use in the {{.R.IdleDays}} days before {{.R.Today}}</p>
<div class="cards">
  <div class="card">Monthly cost<b id="total-cost">{{.Cost}}</b></div>
  <div class="card waste">Waste: idle and unassigned seats<b id="total-waste">{{.Waste}}</b></div>
  <div class="card">Share wasted<b id="waste-share">{{.Share}}</b></div>
</div>
<p class="legend">Per license, most wasteful first:<span style="background:#6e7781"></span>monthly cost<span style="background:#fb8f44"></span>waste</p>
<svg id="chart" role="img" aria-label="Monthly cost and waste per license" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}">
{{- range .Bars}}
  <g class="bar" data-license="{{.License}}">
    <text x="{{$.Left}}" dx="-10" y="{{.LabelY}}" text-anchor="end">{{.License}}</text>
    <rect class="cost" x="{{$.Left}}" y="{{.Y}}" width="{{printf "%.1f" .CostWidth}}" height="16" fill="#6e7781"><title>monthly cost {{.CostText}}</title></rect>
    <text x="{{printf "%.1f" .CostLabelX}}" y="{{.LabelY}}">{{.CostText}}</text>
    <rect class="waste" x="{{$.Left}}" y="{{.WasteY}}" width="{{printf "%.1f" .WasteWidth}}" height="16" fill="#fb8f44"><title>waste {{.WasteText}}</title></rect>
    <text x="{{printf "%.1f" .WasteLabelX}}" y="{{.WasteY}}" dy="13">{{.WasteText}}</text>
  </g>
{{- end}}
</svg>
<table id="licenses">
<thead><tr><th>License</th><th>Holders</th><th>Active</th><th>Idle</th><th>Unassigned seats</th><th>Price</th><th>Monthly cost</th><th>Idle cost</th><th>Unassigned cost</th><th>Waste</th></tr></thead>
<tbody>
{{- range .R.Licenses}}
<tr data-license="{{.License}}"><td>{{.License}}</td><td class="holders">{{.Holders}}</td><td class="active">{{.ActiveHolders}}</td><td class="idle">{{.IdleHolders}}</td><td class="unassigned">{{.UnassignedSeats}}</td><td class="price">{{price .PricePerUser}}</td><td class="cost">{{cents .MonthlyCost}}</td><td class="idle-cost">{{cents .IdleCost}}</td><td class="unassigned-cost">{{cents .UnassignedCost}}</td><td class="waste">{{cents .Waste}}</td></tr>
{{- end}}
<tr class="total"><td>Total</td><td class="holders">{{.R.Total.Holders}}</td><td class="active">{{.R.Total.ActiveHolders}}</td><td class="idle">{{.R.Total.IdleHolders}}</td><td class="unassigned">{{.R.Total.UnassignedSeats}}</td><td></td><td class="cost">{{cents .R.Total.MonthlyCost}}</td><td class="idle-cost">{{cents .R.Total.IdleCost}}</td><td class="unassigned-cost">{{cents .R.Total.UnassignedCost}}</td><td class="waste">{{cents .R.Total.Waste}}</td></tr>
</tbody>
</table>
<ul class="notes">
{{- range .Notes}}
<li>{{.}}</li>
{{- end}}
</ul>
</body>
</html>
`))
