package convert_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/torii-convert/torii-convert/convert"
)

func TestBuiltinTemplates(t *testing.T) {
	names := convert.Builtins()
	if len(names) < 14 {
		t.Fatalf("built-in templates %q: want at least 14", names)
	}
	for _, name := range names {
		tmpl, err := convert.FindTemplate(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if tmpl.Name != name || tmpl.Description == "" || tmpl.User.Email == nil || tmpl.Source == "" || tmpl.Title == "" {
			t.Errorf("%s: name %q, description %q", name, tmpl.Name, tmpl.Description)
		}
	}
}

func TestTemplateChecks(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`{"name": "t", "user": {"email": {"from": ["Email"]}, "status": {"from": ["S"], "map": {"on": "enabled"}}}}`,
			`template t.json: /user/status/map/on: "enabled" is not one of active, deleted`},
		{`{"name": "t", "user": {"email": {"from": ["Email"]}}, "licenses": [{"name": {"value": "x"}, "status": {"value": "paused"}}]}`,
			`template t.json: /licenses/0/status/value: "paused" is not one of active, inactive, deleted`},
		{`{"name": "t", "user": {"email": {"from": ["Email"]}}, "skip": [{"reason": "bot", "from": ["Email"], "matches": "("}]}`,
			"template t.json: /skip/0/matches: error parsing regexp: missing closing ): `(`"},
		{`{"name": "t", "user": {"email": {"from": ["Email"]}}, "dates": {"layouts": ["15:04"]}}`,
			`template t.json: /dates/layouts/0: "15:04" has no year, month and day; write it with Go's reference date, 2006-01-02`},
		{`{"name": "t", "user": {"email": {"from": ["Email"]}}, "catalog": {"Pro": {"price": "ten dollars"}}}`,
			`template t.json: /catalog/Pro/price: "ten dollars" is not a price: it has no digits`},
		{`{"name": "t", "user": {"email": {"from": ["Email"]}, "roles": {"from": ["Role"], "pick": "latest"}}}`,
			`template t.json: /user/roles/pick: "latest" picks the latest date; only lastUsedDate holds dates`},
		{`{"name": "t", "user": {"email": {"from": ["Email"], "split": ","}}}`,
			`template t.json: /user/email: only roles and license names hold several values; "pick": "all" and "split" do not apply`},
		{`{"name": "t", "user": {"email": {"from": []}}}`,
			`template t.json: /user/email/from: minimum 1 items required, but found 0 items`},
		{`{"name": "t", "user": {"email": {"from": ["Email"]}}, "catalog": {"Pro": {"price": "$92233720368547758.08"}}}`,
			`template t.json: /catalog/Pro/price: "$92233720368547758.08" is not a price: it is too large; prices up to 90,071,992,547,409.91 are allowed`},
		{`{"name": "t", "user": {"email": {"from": ["Email"]}}, "catalog": {"Pro": {"purchased": 99999999999999999999}}}`,
			`template t.json: /catalog/Pro/purchased: 99999999999999999999 is more seats than allowed; purchased is a whole number from 0 to 9007199254740991 (2^53-1)`},
		{`{"name": "t", "user": {"email": {"from": ["Email"]}}, "catalog": {"Pro": {"purchased": 1e300}}}`,
			`template t.json: /catalog/Pro/purchased: 1e300 is more seats than allowed; purchased is a whole number from 0 to 9007199254740991 (2^53-1)`},
		{`{"name": "t", "user": {"email": {"from": ["Email"]}}, "ipex": {"fields": {"/Phone": "phone"}}}`,
			`template t.json: /ipex/fields/~1Phone: value must be one of "id", "email", "firstName", "lastName", "status", "externalStatus", "roles", "lastUsedDate"`},
		{`{"name": "t", "user": {"email": {"from": ["Email"]}}, "ipex": {"fields": {"Phone": {"from": ["Phone"]}}}}`,
			`template t.json: /ipex/fields/Phone: does not match pattern '^/[^/]'`},
		{`{"name": "t", "user": {"email": {"from": ["Email"]}}, "ipex": {"fields": {"/Phone": {"from": ["Phone"], "split": ","}}}}`,
			`template t.json: /ipex/fields/~1Phone: a value sent to the helpdesk is one text: "pick" is "first" and there is no "split"`},
	} {
		_, err := convert.LoadTemplate(fstest.MapFS{"t.json": {Data: []byte(tc.src)}}, "t.json")
		var e *convert.Error
		if !errors.As(err, &e) || e.Kind != convert.Usage || e.Msg != tc.want {
			t.Errorf("%s\n got %v\nwant %s", tc.src, err, tc.want)
		}
	}
}

func TestTemplateIPEXSection(t *testing.T) {
	src := `{"name": "t", "user": {"email": {"from": ["Email"]}},
		"ipex": {"fields": {"/Phone": {"from": ["Mobile", "Phone"]}, "/Title": "roles", "/Site": {"value": "Brno"}}}}`
	tmpl, err := convert.LoadTemplate(fstest.MapFS{"t.json": {Data: []byte(src)}}, "t.json")
	if err != nil {
		t.Fatal(err)
	}
	f := tmpl.IPEX.Fields
	if len(f) != 3 || f["/Title"].Model != "roles" || f["/Phone"].Column == nil || strings.Join(f["/Phone"].Column.From, ",") != "Mobile,Phone" ||
		f["/Site"].Column == nil || *f["/Site"].Column.Value != "Brno" {
		t.Errorf("ipex fields read as %+v", f)
	}
}
