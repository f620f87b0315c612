package schema_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/torii-convert/torii-convert/schema"
)

// keyOrders are the orders a file may give its two arrays in: some tools write licenses
// first, and every holder is then met before the users.
var keyOrders = []string{"users-first", "licenses-first"}

// holdersFile writes a file of n users, each holding the one license; every strangers-th
// holder (0: none) is not a user.
func holdersFile(n int, order string, strangers int) []byte {
	var users, holders bytes.Buffer
	for i := range n {
		if i > 0 {
			users.WriteString(",\n")
			holders.WriteString(",\n")
		}
		fmt.Fprintf(&users, `    {"email": "user%d@example.com", "status": "active"}`, i)
		email := fmt.Sprintf("user%d@example.com", i)
		if strangers > 0 && i%strangers == 0 {
			email = fmt.Sprintf("stranger%d@example.com", i)
		}
		fmt.Fprintf(&holders, `      {"email": %q}`, email)
	}
	u := "  \"users\": [\n" + users.String() + "\n  ]"
	l := "  \"licenses\": [\n    {\"name\": \"Pro\", \"pricePerUser\": 1500, \"users\": [\n" + holders.String() + "\n    ]}\n  ]"
	if order == "licenses-first" {
		u, l = l, u
	}
	return []byte("{\n" + u + ",\n" + l + "\n}\n")
}

// TestCheckIsLinear: doubling a file never more than doubles the bytes the check looks
// at, in either key order, with or without problems to place.
func TestCheckIsLinear(t *testing.T) {
	for _, order := range keyOrders {
		for _, strangers := range []int{0, 1, 10} {
			var steps [2]int64
			var problems [2]int
			for i, n := range []int{2000, 4000} {
				var err error
				steps[i], err = schema.CheckSteps(bytes.NewReader(holdersFile(n, order, strangers)), func(p schema.Problem) {
					if p.Line == 0 {
						t.Errorf("a problem without a place: %+v", p)
					}
					problems[i]++
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			if steps[1] > 2*steps[0]+steps[0]/20 {
				t.Errorf("%s, a stranger every %d holders: %d steps for 2,000 users, %d for 4,000", order, strangers, steps[0], steps[1])
			}
			if strangers > 0 && problems[1] != 4000/strangers {
				t.Errorf("%s: %d problems, want %d", order, problems[1], 4000/strangers)
			}
		}
	}
}

// TestManyProblemsInOneRecordIsLinear: the problems of one record are placed going on
// from the last, not counted again from the record's start each: 80,000 wrong roles in
// one user looked at 6.4 billion bytes.
func TestManyProblemsInOneRecordIsLinear(t *testing.T) {
	var steps [2]int64
	for i, n := range []int{20000, 40000} {
		doc := "{\"users\": [{\"email\": \"a@b.co\", \"status\": \"active\",\n  \"roles\": [" + strings.TrimSuffix(strings.Repeat("1,\n", n), ",\n") + "]}]}"
		var problems []schema.Problem
		steps[i], _ = schema.CheckSteps(strings.NewReader(doc), func(p schema.Problem) { problems = append(problems, p) })
		if len(problems) != n || problems[n-1].Line != n+1 || problems[n-1].Col != 1 || problems[0].Line != 2 || problems[0].Col != 13 {
			t.Fatalf("%d problems, the first at %d:%d, the last at %d:%d", len(problems), problems[0].Line, problems[0].Col, problems[n-1].Line, problems[n-1].Col)
		}
	}
	if steps[1] > 2*steps[0]+steps[0]/20 {
		t.Errorf("%d steps for 20,000 problems in a record, %d for 40,000", steps[0], steps[1])
	}
}

// TestHolderPositions: a holder who is not a user is reported at its place, whichever
// array comes first.
func TestHolderPositions(t *testing.T) {
	for _, order := range keyOrders {
		doc := holdersFile(3, order, 2)
		var got []string
		schema.Contract().CheckFile(bytes.NewReader(doc), time.Now(), func(p schema.Problem) {
			got = append(got, fmt.Sprintf("%d:%d %s", p.Line, p.Col, p.Path))
		})
		lines := strings.Split(string(doc), "\n")
		var want []string
		for i, l := range lines {
			if c := strings.Index(l, `"stranger`); c >= 0 {
				want = append(want, fmt.Sprintf("%d:%d", i+1, c+1))
			}
		}
		if len(got) != 2 || !strings.HasPrefix(got[0], want[0]+" ") || !strings.HasPrefix(got[1], want[1]+" ") {
			t.Errorf("%s: got %q, want at %q", order, got, want)
		}
	}
}

// BenchmarkCheckFile checks a 20,000-user file in each key order, valid and with one
// holder in a hundred not a user.
func BenchmarkCheckFile(b *testing.B) {
	for _, order := range keyOrders {
		for _, strangers := range []int{0, 100} {
			doc := holdersFile(20000, order, strangers)
			b.Run(fmt.Sprintf("%s/strangers=%d", order, strangers), func(b *testing.B) {
				b.SetBytes(int64(len(doc)))
				for b.Loop() {
					if _, err := schema.Contract().CheckFile(bytes.NewReader(doc), time.Now(), func(schema.Problem) {}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
