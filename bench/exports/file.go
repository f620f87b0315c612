package exports

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

// File writes a customIntegrationData file of n users, laid out as most tools write JSON
// (every member on its own line, two-space indent), with licenses held by all of them.
// One user in a hundred is wrong in some way, so that checkers have errors to report.
func File(w io.Writer, n int) error { return FileOf(w, n, Shape{Wrong: 100}) }

// Shape is how FileOf lays out a file and what is wrong in it.
type Shape struct {
	// LicensesFirst writes the licenses before the users, as some tools do.
	LicensesFirst bool
	// Wrong makes one user in Wrong wrong in some way (0: none).
	Wrong int
	// Ghosts makes that many license holders people who are not users.
	Ghosts int
}

// FileOf writes a customIntegrationData file of n users of a shape.
func FileOf(w io.Writer, n int, shape Shape) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	var users bytes.Buffer
	users.WriteString("  \"users\": [\n")
	seats := []string{"Full", "Dev", "Collab", "View"}
	holders := make([][]string, len(seats))
	for i := 0; i < n; i++ {
		r := rand.New(rand.NewPCG(uint64(i), 7))
		email := fmt.Sprintf("user%d@example.com", i)
		status := []string{"active", "active", "active", "deleted"}[r.IntN(4)]
		date := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(300)).Format("2006-01-02")
		if shape.Wrong > 0 {
			switch i % shape.Wrong {
			case 13 % shape.Wrong:
				email = fmt.Sprintf("user%d@", i)
			case 42 % shape.Wrong:
				status = "Active"
			case 77 % shape.Wrong:
				date = "03/04/2026"
			}
		}
		u := map[string]any{
			"id": fmt.Sprint(100000 + i), "email": email, "firstName": first[i%len(first)], "lastName": last[i/len(first)%len(last)],
			"status": status, "externalStatus": "Active", "roles": []string{roles[r.IntN(len(roles))], titles[r.IntN(len(titles))]},
			"lastUsedDate": date,
		}
		b, _ := json.MarshalIndent(u, "    ", "  ")
		if i > 0 {
			users.WriteString(",\n")
		}
		users.WriteString("    ")
		users.Write(b)
		s := r.IntN(len(seats))
		if shape.Ghosts > 0 && i%max(1, n/shape.Ghosts) == 0 && i/max(1, n/shape.Ghosts) < shape.Ghosts {
			email = fmt.Sprintf("ghost%d@example.com", i)
		}
		holders[s] = append(holders[s], email)
	}
	users.WriteString("\n  ]")
	bw.WriteString("{\n")
	if !shape.LicensesFirst {
		bw.Write(users.Bytes())
		bw.WriteString(",\n")
	}
	writeLicenses(bw, seats, holders)
	if shape.LicensesFirst {
		bw.WriteString(",\n")
		bw.Write(users.Bytes())
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// writeLicenses writes the licenses member, one license a seat with its holders.
func writeLicenses(bw *bufio.Writer, seats []string, holders [][]string) {
	bw.WriteString("  \"licenses\": [\n")
	for k, name := range seats {
		if k > 0 {
			bw.WriteString(",\n")
		}
		fmt.Fprintf(bw, "    {\n      \"name\": %q,\n      \"pricePerUser\": %d,\n      \"users\": [\n", name, 500*(k+1))
		for j, e := range holders[k] {
			if j > 0 {
				bw.WriteString(",\n")
			}
			fmt.Fprintf(bw, "        {\n          \"email\": %q,\n          \"licenseStatus\": \"active\"\n        }", e)
		}
		bw.WriteString("\n      ]\n    }")
	}
	bw.WriteString("\n  ]")
}
