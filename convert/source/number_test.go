package source

import (
	"math"
	"strconv"
	"testing"
	"time"
)

func TestPlainNumber(t *testing.T) {
	for in, want := range map[string]string{
		"15000": "15000", "1.5E+4": "15000", "0.30000000000000004": "0.3",
		"1E-3": "0.001", "123456789012345678": "123456789012346000", "-2.5": "-2.5",
	} {
		if got := plainNumber(in); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

func TestClassifyFormat(t *testing.T) {
	for code, want := range map[string]cellFormat{
		"yyyy-mm-dd": fmtDate, "m/d/yy h:mm": fmtDate, "dd/mm/yyyy": fmtDate, "[$-409]mmmm d, yyyy;@": fmtDate,
		"mmm-yy": fmtDate, "h:mm AM/PM": fmtTime, "mm:ss": fmtTime, "[h]:mm:ss": fmtNumber,
		"General": fmtNumber, "0.00E+00": fmtNumber, "#,##0.00": fmtNumber, `0 "days"`: fmtNumber,
		`[Red]0.00`: fmtNumber, "@": fmtNumber, `\d0`: fmtNumber,
	} {
		if got := classifyFormat(code); got != want {
			t.Errorf("%q: got %d, want %d", code, got, want)
		}
	}
	for id, want := range map[int]cellFormat{0: fmtNumber, 14: fmtDate, 22: fmtDate, 20: fmtTime, 46: fmtNumber, 4: fmtNumber} {
		if got := builtinFormat(id); got != want {
			t.Errorf("built-in format %d: got %d, want %d", id, got, want)
		}
	}
}

func TestSerialTime(t *testing.T) {
	for _, tc := range []struct {
		v      float64
		d1904  bool
		format cellFormat
		want   string
	}{
		{45733, false, fmtDate, "2025-03-17"},
		{45733.5, false, fmtDate, "2025-03-17T12:00:00"},
		{45733.99999999, false, fmtDate, "2025-03-18"},
		{1, false, fmtDate, "1900-01-01"},
		{59, false, fmtDate, "1900-02-28"},
		{61, false, fmtDate, "1900-03-01"},
		{44271, true, fmtDate, "2025-03-17"},
		{0.75, false, fmtTime, "18:00:00"},
		{-1, false, fmtDate, "-1"},
	} {
		if got := serialTime(tc.v, tc.d1904, tc.format); got != tc.want {
			t.Errorf("%v (1904: %v): got %q, want %q", tc.v, tc.d1904, got, tc.want)
		}
	}
}

// TestSerialTimeEveryDay holds appendSerialTime, which counts days itself, to package
// time: every day of the first ten years and every 97th after, to the end, in both date
// systems, at midnight and at times that round up to the next second and to the next day.
func TestSerialTimeEveryDay(t *testing.T) {
	for day := 0; day <= 2958466; day++ {
		if day > 3700 && day%97 != 0 {
			continue
		}
		for _, frac := range []float64{0, 0.5, 0.999994, 0.9999999, 1.0 / 3} {
			v := float64(day) + frac
			for _, d1904 := range []bool{false, true} {
				for _, f := range []cellFormat{fmtDate, fmtTime} {
					if got, want := serialTime(v, d1904, f), timeSerial(v, d1904, f); got != want {
						t.Fatalf("%v (1904: %v, format %v): got %q, want %q", v, d1904, f, got, want)
					}
				}
			}
		}
	}
}

// timeSerial is serialTime through package time, as it was written first.
func timeSerial(v float64, date1904 bool, f cellFormat) string {
	if v > 2958466 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	days := math.Floor(v)
	secs := math.Round((v - days) * 86400)
	if secs >= 86400 {
		days, secs = days+1, 0
	}
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	switch {
	case date1904:
		epoch = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case days < 61:
		epoch = epoch.AddDate(0, 0, 1)
	}
	t := epoch.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second)
	switch {
	case f == fmtTime && days == 0:
		return t.Format("15:04:05")
	case secs == 0:
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02T15:04:05")
}
