package schema_test

import (
	"testing"

	"github.com/torii-convert/torii-convert/schema"
)

var benchUser = schema.User{ID: "100042", Email: "user42@example.com", FirstName: "Grace", LastName: "Hopper",
	Status: "active", ExternalStatus: "Active", Roles: []string{"member"}, LastUsedDate: "2026-03-17"}

func BenchmarkAppendUser(b *testing.B) {
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = schema.AppendUser(buf[:0], &benchUser)
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkCheckUser(b *testing.B) {
	buf := schema.AppendUser(nil, &benchUser)
	k := schema.Contract().Checker()
	at := schema.Path{schema.Key("users"), schema.Index(42)}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if p, err := k.User(buf, at); err != nil || len(p) > 0 {
			b.Fatal(err, p)
		}
	}
}
