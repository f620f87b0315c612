package diff

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/torii-convert/torii-convert/internal/roster"
	"github.com/torii-convert/torii-convert/schema"
)

// read reads a file as the command does, knowing its size.
func read(tb testing.TB, name string, data []byte) *roster.Roster {
	tb.Helper()
	r, err := roster.ReadSized(name, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// file writes a customIntegrationData file with the encoder convert uses.
func file(users []schema.User, licenses []schema.License) []byte {
	b := []byte("{\n  \"users\": [\n")
	for i := range users {
		if i > 0 {
			b = append(b, ",\n"...)
		}
		b = schema.AppendUser(b, &users[i])
	}
	b = append(b, "\n  ],\n  \"licenses\": [\n"...)
	for i := range licenses {
		if i > 0 {
			b = append(b, ",\n"...)
		}
		b = schema.AppendLicense(b, &licenses[i])
	}
	return append(b, "\n  ]\n}\n"...)
}

// population makes n users, a tenth of them deleted, all holding one of three licenses.
func population(n int) ([]schema.User, []schema.License) {
	users := make([]schema.User, n)
	price := int64(1500)
	lics := []schema.License{{Name: "Full", PricePerUser: &price}, {Name: "Dev"}, {Name: "View"}}
	for i := range users {
		users[i] = schema.User{Email: fmt.Sprintf("user%07d@example.com", i), FirstName: "First", LastName: "Last",
			Status: "active", Roles: []string{"member"}, LastUsedDate: "2026-11-01"}
		if i%10 == 0 {
			users[i].Status = "deleted"
		}
		l := &lics[i%3]
		l.Users = append(l.Users, schema.LicenseUser{Email: users[i].Email})
	}
	return users, lics
}

// TestCompareIgnoresOrderAndCase shuffles every list and changes the case of every
// email: no difference.
func TestCompareIgnoresOrderAndCase(t *testing.T) {
	users, lics := population(500)
	old := read(t, "old", file(users, lics))
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(users), func(i, j int) { users[i], users[j] = users[j], users[i] })
	rng.Shuffle(len(lics), func(i, j int) { lics[i], lics[j] = lics[j], lics[i] })
	for i := range users {
		users[i].Email = strings.ToUpper(users[i].Email[:1]) + users[i].Email[1:]
	}
	for k := range lics {
		l := &lics[k]
		rng.Shuffle(len(l.Users), func(i, j int) { l.Users[i], l.Users[j] = l.Users[j], l.Users[i] })
		for i := range l.Users {
			l.Users[i].Email = strings.ToUpper(l.Users[i].Email)
		}
	}
	res := Compare(old, read(t, "new", file(users, lics)), Options{})
	if !res.Same {
		t.Fatalf("reordered and recased, yet: %s", Summary(res))
	}
}

// TestCompareHolderNotAUser: a holder that is not one of the users (a file validate
// would refuse, which diff reads as it is) is the same holder on both sides; a file
// compared with itself, or with its holders reordered, has no difference.
func TestCompareHolderNotAUser(t *testing.T) {
	a := []byte(`{"users":[{"email":"a@x.com"}],"licenses":[{"name":"A","users":[{"email":"a@x.com"},{"email":"b@x.com"}]}]}`)
	b := []byte(`{"users":[{"email":"a@x.com"}],"licenses":[{"name":"A","users":[{"email":"B@x.com"},{"email":"a@x.com"}]}]}`)
	if res := Compare(read(t, "a", a), read(t, "b", b), Options{}); !res.Same {
		t.Errorf("the same holders, yet: %s", Summary(res))
	}
	c := []byte(`{"users":[{"email":"a@x.com"}],"licenses":[{"name":"A","users":[{"email":"a@x.com"}]}]}`)
	res := Compare(read(t, "a", a), read(t, "c", c), Options{})
	if len(res.Licenses) != 1 || fmt.Sprint(res.Licenses[0].Lost) != "[b@x.com]" || len(res.Licenses[0].Gained) != 0 {
		t.Errorf("b@x.com no longer holds A, yet: %+v", res.Licenses)
	}
}

func TestCompare(t *testing.T) {
	users, lics := population(30)
	old := read(t, "old", file(users, lics))
	users[1].Status = "deleted" // user0000001: active -> deleted
	users[10].Status = "active" // user0000010: deleted -> active
	users = append(users[:5], users[6:]...)
	users = append(users, schema.User{Email: "new@example.com"})
	lics[0].Users = lics[0].Users[1:] // Full loses user0000000
	lics[2].Users = append(lics[2].Users, schema.LicenseUser{Email: "new@example.com"})
	for k := range lics {
		var kept []schema.LicenseUser
		for _, h := range lics[k].Users {
			if h.Email != "user0000005@example.com" {
				kept = append(kept, h)
			}
		}
		lics[k].Users = kept
	}
	price := int64(2000)
	lics[0].PricePerUser = &price
	lics = lics[:len(lics):len(lics)]
	lics = append(lics[:1], lics[2:]...) // Dev is gone
	res := Compare(old, read(t, "new", file(users, lics)), Options{})
	got := fmt.Sprintf("added %v removed %v deactivated %v reactivated %v", res.Added, res.Removed, res.Deactivated, res.Reactivated)
	if want := "added [new@example.com] removed [user0000005@example.com] deactivated [user0000001@example.com] reactivated [user0000010@example.com]"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	var lines []string
	for _, l := range res.Licenses {
		lines = append(lines, fmt.Sprintf("%s %s %d->%d +%v -%v %s->%s", l.Name, l.Change, l.OldHolders, l.NewHolders, l.Gained, l.Lost, Money(l.OldPrice), Money(l.NewPrice)))
	}
	want := []string{
		"Dev removed 10->0 +[] -[user0000001@example.com user0000004@example.com user0000007@example.com user0000010@example.com user0000013@example.com user0000016@example.com user0000019@example.com user0000022@example.com user0000025@example.com user0000028@example.com] none->none",
		"Full changed 10->9 +[] -[user0000000@example.com] 15.00->20.00",
		"View changed 10->10 +[new@example.com] -[user0000005@example.com] none->none",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("licenses:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if res.Same {
		t.Error("Same, with changes")
	}
}

func TestPopulationHashed(t *testing.T) {
	users, lics := population(10)
	r := read(t, "f", file(users, lics))
	plain, hashed := PopulationOf(r, false), PopulationOf(r, true)
	if len(plain.Active) != 9 || len(hashed.Active) != 9 || len(hashed.Licenses["Full"]) != 4 {
		t.Fatalf("plain %d active, hashed %d active, %d Full holders", len(plain.Active), len(hashed.Active), len(hashed.Licenses["Full"]))
	}
	if HashKey("User0000001@Example.com") != HashKey("user0000001@example.com") || len(HashKey("a@b.c")) != 16 {
		t.Error("HashKey must ignore case and give 16 hex digits")
	}
	for _, k := range hashed.Active {
		if strings.Contains(k, "@") {
			t.Fatalf("hashed population holds an email: %s", k)
		}
	}
}

// BenchmarkDiff1M reads two files of a million users each (the second with a hundredth
// of them gone and as many added), from memory and at once as the command reads them,
// and compares them: the whole of `diff OLD NEW` but opening the files and printing.
// heap-B/user is what the two rosters and the result keep, over the users of both
// sides (the files themselves excluded): it stays flat as the files grow.
// go test -bench Diff1M -benchtime 1x -benchmem ./diff
func BenchmarkDiff1M(b *testing.B) {
	const n = 1_000_000
	users, lics := population(n)
	oldFile := file(users, lics)
	for i := 0; i < n; i += 100 {
		users[i].Email = fmt.Sprintf("other%07d@example.com", i)
	}
	for k := range lics {
		for i, h := range lics[k].Users {
			if strings.HasPrefix(h.Email, "user") {
				var j int
				fmt.Sscanf(h.Email, "user%07d@", &j)
				if j%100 == 0 {
					lics[k].Users[i].Email = fmt.Sprintf("other%07d@example.com", j)
				}
			}
		}
	}
	newFile := file(users, lics)
	users, lics = nil, nil
	b.SetBytes(int64(len(oldFile) + len(newFile)))
	for b.Loop() {
		b.StopTimer()
		before := liveHeap()
		b.StartTimer()
		done := make(chan *roster.Roster)
		go func() { done <- read(b, "old", oldFile) }()
		nr := read(b, "new", newFile)
		or := <-done
		res := Compare(or, nr, Options{})
		b.StopTimer()
		if len(res.Added) != n/100 || len(res.Removed) != n/100 {
			b.Fatalf("%d added, %d removed", len(res.Added), len(res.Removed))
		}
		after := liveHeap()
		runtime.KeepAlive(or)
		runtime.KeepAlive(nr)
		b.ReportMetric(float64(after-before)/(2*n), "heap-B/user")
		b.StartTimer()
	}
}

// FuzzCompareWithItself: a file read twice, whatever it holds, is the same as itself,
// and the shrink guard finds nothing gone, even with no allowance at all.
func FuzzCompareWithItself(f *testing.F) {
	f.Add([]byte(`{"users":[{"email":"a@x.com","status":"active"}],"licenses":[{"name":"P","users":[{"email":"A@x.com"},{"email":"b@x.com"}]}]}`))
	f.Add([]byte(`{"licenses":[{"users":[{"email":"0"}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		old, err := roster.Read("old", bytes.NewReader(b))
		if err != nil {
			return
		}
		cur, _ := roster.Read("new", bytes.NewReader(b))
		if res := Compare(old, cur, Options{}); !res.Same {
			t.Fatalf("%s differs from itself: %s", b, Summary(res))
		}
		if g := Guard(PopulationOf(old, false), PopulationOf(cur, false), Limit{}); len(g) != 0 {
			t.Fatalf("%s: the guard finds %+v gone from itself", b, g)
		}
	})
}

// liveHeap is the heap in use after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
