// Package report tells what the licenses of a customIntegrationData file cost and how
// much of that is waste: seats held by people who have not used the app lately, and
// seats bought but not assigned.
package report

import (
	"sort"
	"time"

	"github.com/torii-convert/torii-convert/internal/roster"
)

// Line is one license's holders and money; amounts are in cents, per month (the
// pricePerUser of the file is taken as a monthly price).
type Line struct {
	License       string `json:"license"`
	Holders       int    `json:"holders"`
	ActiveHolders int    `json:"activeHolders"`
	// InactiveHolders hold the license with licenseStatus "inactive": a seat, unused.
	InactiveHolders int `json:"inactiveHolders"`
	// IdleHolders are the inactive holders, and the active holders with no use in the
	// idle window: a lastUsedDate before it, or none at all (NoDate of them).
	IdleHolders     int    `json:"idleHolders"`
	NoDate          int    `json:"idleWithoutDate"`
	UnassignedSeats int64  `json:"unassignedSeats"`
	PricePerUser    *int64 `json:"pricePerUser"` // null when the file gives none
	// MonthlyCost is the price of the seats held and bought: active and inactive
	// holders, and unassigned seats.
	MonthlyCost    int64 `json:"monthlyCost"`
	IdleCost       int64 `json:"idleCost"`
	UnassignedCost int64 `json:"unassignedCost"`
	Waste          int64 `json:"waste"` // IdleCost + UnassignedCost
}

// Report is the licenses of a file, most wasteful first, and their totals.
type Report struct {
	File     string `json:"file"`
	Today    string `json:"today"`    // the day idleness is counted from
	IdleDays int    `json:"idleDays"` // no use in this many days makes a holder idle
	Licenses []Line `json:"licenses"`
	Total    Line   `json:"total"`
	// Unpriced names the licenses without a pricePerUser: their cost is unknown, not 0.
	Unpriced []string `json:"unpriced"`
}

// countHolders counts the holders of l by how they hold it: inactive ones are idle
// seats; active ones are idle without use since the day since; deleted ones hold no seat.
func (ln *Line) countHolders(r *roster.Roster, l *roster.License, since int32) {
	for k, h := range l.Holders {
		switch r.HolderState(l, k) {
		case roster.Inactive:
			ln.InactiveHolders++
			ln.IdleHolders++
			continue
		case roster.Active:
		default:
			continue // deleted: no seat
		}
		ln.ActiveHolders++
		switch used := r.LastUsed(h); {
		case used == roster.NoDate:
			ln.IdleHolders++
			ln.NoDate++
		case used < since:
			ln.IdleHolders++
		}
	}
}

// Build makes the report of a roster: holders idle when they have not used the app in
// idleDays days before today.
func Build(r *roster.Roster, today time.Time, idleDays int) *Report {
	day := int32(today.UTC().Truncate(24*time.Hour).Unix() / 86400)
	since := day - int32(idleDays)
	rep := &Report{File: r.Name, Today: today.UTC().Format("2006-01-02"), IdleDays: idleDays, Licenses: []Line{}, Unpriced: []string{},
		Total: Line{License: "total"}}
	for i := range r.Licenses {
		l := &r.Licenses[i]
		ln := Line{License: l.Name, Holders: len(l.Holders), PricePerUser: l.PricePerUser}
		ln.countHolders(r, l, since)
		if l.UnassignedAmount != nil && *l.UnassignedAmount > 0 {
			ln.UnassignedSeats = *l.UnassignedAmount
		}
		if p := l.PricePerUser; p != nil {
			ln.MonthlyCost = *p * (int64(ln.ActiveHolders+ln.InactiveHolders) + ln.UnassignedSeats)
			ln.IdleCost = *p * int64(ln.IdleHolders)
			ln.UnassignedCost = *p * ln.UnassignedSeats
			ln.Waste = ln.IdleCost + ln.UnassignedCost
		} else {
			rep.Unpriced = append(rep.Unpriced, l.Name)
		}
		rep.Licenses = append(rep.Licenses, ln)
		t := &rep.Total
		t.Holders += ln.Holders
		t.ActiveHolders += ln.ActiveHolders
		t.InactiveHolders += ln.InactiveHolders
		t.IdleHolders += ln.IdleHolders
		t.NoDate += ln.NoDate
		t.UnassignedSeats += ln.UnassignedSeats
		t.MonthlyCost += ln.MonthlyCost
		t.IdleCost += ln.IdleCost
		t.UnassignedCost += ln.UnassignedCost
		t.Waste += ln.Waste
	}
	sort.SliceStable(rep.Licenses, func(i, j int) bool {
		a, b := rep.Licenses[i], rep.Licenses[j]
		if a.Waste != b.Waste {
			return a.Waste > b.Waste
		}
		if a.MonthlyCost != b.MonthlyCost {
			return a.MonthlyCost > b.MonthlyCost
		}
		return a.License < b.License
	})
	sort.Strings(rep.Unpriced)
	return rep
}
