package exports

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

// File writes a customIntegrationData file of n users, laid out as most tools write JSON
// (every member on its own line, two-space indent), with licenses held by all of them.
// One user in a hundred is wrong in some way, so that checkers have errors to report.
func File(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString("{\n  \"users\": [\n")
	seats := []string{"Full", "Dev", "Collab", "View"}
	holders := make([][]string, len(seats))
	for i := 0; i < n; i++ {
		r := rand.New(rand.NewPCG(uint64(i), 7))
		email := fmt.Sprintf("user%d@example.com", i)
		status := []string{"active", "active", "active", "deleted"}[r.IntN(4)]
		date := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(300)).Format("2006-01-02")
		switch i % 100 {
		case 13:
			email = fmt.Sprintf("user%d@", i)
		case 42:
			status = "Active"
		case 77:
			date = "03/04/2026"
		}
		u := map[string]any{
			"id": fmt.Sprint(100000 + i), "email": email, "firstName": first[i%len(first)], "lastName": last[i/len(first)%len(last)],
			"status": status, "externalStatus": "Active", "roles": []string{roles[r.IntN(len(roles))], titles[r.IntN(len(titles))]},
			"lastUsedDate": date,
		}
		b, _ := json.MarshalIndent(u, "    ", "  ")
		if i > 0 {
			bw.WriteString(",\n")
		}
		bw.WriteString("    ")
		bw.Write(b)
		s := r.IntN(len(seats))
		holders[s] = append(holders[s], email)
	}
	bw.WriteString("\n  ],\n  \"licenses\": [\n")
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
	bw.WriteString("\n  ]\n}\n")
	return bw.Flush()
}
