package schema_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/torii-convert/torii-convert/schema"
)

// encodingJSON is how encoding/json writes a string without HTML escaping.
func encodingJSON(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// FuzzEncodeString holds the encoder's strings to encoding/json's, byte for byte.
func FuzzEncodeString(f *testing.F) {
	for _, s := range []string{"", "plain", `quo"te\back`, "tab\tnl\n", "\x00\x1f\x7f", "é😀", "\u2028\u2029", "\xff\xfe bad", "<html>&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u := schema.User{Email: s}
		line := string(schema.AppendUser(nil, &u))
		want := `    {"email": ` + encodingJSON(s) + `}`
		if line != want {
			t.Fatalf("%q: got %s, want %s", s, line, want)
		}
	})
}

func TestEncodeRoundTrip(t *testing.T) {
	price, seats := int64(1500), int64(3)
	file := struct {
		Users    []schema.User    `json:"users"`
		Licenses []schema.License `json:"licenses"`
	}{
		Users: []schema.User{
			{ID: "15893", Email: "adam@example.com", FirstName: "Adam", LastName: "Test", Status: "active",
				ExternalStatus: "Active", Roles: []string{"Admin", "Super admin"}, LastUsedDate: "2021-07-05"},
			{Email: "tony@example.com"},
		},
		Licenses: []schema.License{
			{Name: "Pro", PricePerUser: &price, UnassignedAmount: &seats, Users: []schema.LicenseUser{
				{Email: "adam@example.com", LicenseStatus: "active"}, {Email: "tony@example.com"}}},
			{Name: "Basic", Users: []schema.LicenseUser{}},
		},
	}
	var b []byte
	b = append(b, "{\n  \"users\": [\n"...)
	for i := range file.Users {
		if i > 0 {
			b = append(b, ",\n"...)
		}
		b = schema.AppendUser(b, &file.Users[i])
	}
	b = append(b, "\n  ],\n  \"licenses\": [\n"...)
	for i := range file.Licenses {
		if i > 0 {
			b = append(b, ",\n"...)
		}
		b = schema.AppendLicense(b, &file.Licenses[i])
	}
	b = append(b, "\n  ]\n}\n"...)
	want := `{
  "users": [
    {"id": "15893", "email": "adam@example.com", "firstName": "Adam", "lastName": "Test", "status": "active", "externalStatus": "Active", "roles": ["Admin", "Super admin"], "lastUsedDate": "2021-07-05"},
    {"email": "tony@example.com"}
  ],
  "licenses": [
    {"name": "Pro", "pricePerUser": 1500, "unassignedAmount": 3, "users": [
      {"email": "adam@example.com", "licenseStatus": "active"},
      {"email": "tony@example.com"}
    ]},
    {"name": "Basic", "users": []}
  ]
}
`
	if string(b) != want {
		t.Fatalf("layout:\n%s\nwant:\n%s", b, want)
	}
	decoded := file
	decoded.Users, decoded.Licenses = nil, nil
	if err := json.Unmarshal(b, &decoded); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(decoded, file) {
		t.Errorf("decoding the encoding gives %+v, want %+v", decoded, file)
	}
	if problems, err := schema.Contract().Checker().Document(b); err != nil || len(problems) > 0 {
		t.Errorf("the encoding does not pass the schema: %v %v", err, problems)
	}
}

func problemLines(ps []schema.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.Path.String() + " [" + p.Keyword + "] " + p.Message + "\n")
	}
	return b.String()
}

// FuzzValueAgreesWithText holds the checks of records given as values to the checks of
// their JSON: the same problems, at the same paths, in the same words.
func FuzzValueAgreesWithText(f *testing.F) {
	f.Add("ada@example.com", "active", "2024-03-17", "admin", "Pro", int64(1500), "inactive")
	f.Add("bob@", "Active", "03/04/2024", "", "", int64(-5), "on")
	f.Add("", "", "2021-07-05T20:43:14Z", "é", "x\"y", int64(0), "")
	f.Fuzz(func(t *testing.T, email, status, date, role, name string, price int64, licenseStatus string) {
		k := schema.Contract().Checker()
		u := schema.User{ID: role, Email: email, FirstName: name, Status: status, LastUsedDate: date, ExternalStatus: status}
		if role != "" {
			u.Roles = []string{role, name}
		}
		at := schema.Path{schema.Key("users"), schema.Index(3)}
		text, err := k.User(schema.AppendUser(nil, &u)[4:], at)
		if err != nil {
			t.Fatalf("the encoding of %+v is not JSON: %v", u, err)
		}
		if got, want := problemLines(k.UserValue(&u, at)), problemLines(text); got != want {
			t.Fatalf("%+v\nvalues: %s\ntext:   %s", u, got, want)
		}
		h := schema.LicenseUser{Email: email, LicenseStatus: licenseStatus}
		hat := schema.Path{schema.Key("licenses"), schema.Index(0), schema.Key("users"), schema.Index(1)}
		line := schema.AppendLicenseUser(nil, &h, 0)
		text, err = k.LicenseUser(line[bytes.IndexByte(line, '{'):], hat)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := problemLines(k.LicenseUserValue(&h, hat)), problemLines(text); got != want {
			t.Fatalf("%+v\nvalues: %s\ntext:   %s", h, got, want)
		}
		l := schema.License{Name: name, PricePerUser: &price}
		lat := schema.Path{schema.Key("licenses"), schema.Index(0)}
		text, err = k.License(schema.AppendLicense(nil, &l)[4:], lat)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := problemLines(k.LicenseValue(&l, lat)), problemLines(text); got != want {
			t.Fatalf("%+v\nvalues: %s\ntext:   %s", l, got, want)
		}
	})
}

func BenchmarkCheckUserValue(b *testing.B) {
	k := schema.Contract().Checker()
	at := schema.Path{schema.Key("users"), schema.Index(42)}
	b.ReportAllocs()
	for b.Loop() {
		if p := k.UserValue(&benchUser, at); len(p) > 0 {
			b.Fatal(p)
		}
	}
}
