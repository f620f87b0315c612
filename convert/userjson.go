package convert

import "github.com/torii-convert/torii-convert/schema"

// userJSON writes users as schema.AppendUser writes p.view(i), and checks them as
// checkUser does, straight from the users' compact form. What users share (an external
// status, a date, a list of roles) repeats over millions of them: each of the first
// sharedCached is encoded, and as a date checked, once per worker, then copied.
// FuzzUserJSON holds the bytes and the problems to AppendUser's and checkUser's.
type userJSON struct {
	values [][]byte // people.values[k], encoded as a JSON string
	dates  []int8   // whether people.values[k] is a valid lastUsedDate: 0 not known yet, 1 yes, -1 no
	roles  [][]byte // people.roles[k], encoded as a JSON array
	hosts  []int8   // whether people.domains[k] is the host of a plain address, as dates
}

// sharedCached is how many shared values, and lists of roles, a worker keeps encoded:
// the first ones seen, which are the common ones. Past it they are encoded each time,
// so a worker's cache stays small when every user has a date of their own.
const sharedCached = 4096

// append appends the i-th user as one line of the users array, and returns the problems
// checkUser finds with it at path users[i].
func (e *userJSON) append(b []byte, p *people, i int, k *schema.Checker, scratch *[]byte) ([]byte, []schema.Problem) {
	u := p.user(i)
	own, d := p.own.str(u.chunk, u.at)
	email := p.whole(own[0], d, scratch)
	plain := e.plain(p, email, own[0], d)
	b = append(b, "    {"...)
	b = appendField(b, `"id": `, own[1])
	b = append(appendEmail(append(b, `"email": `...), email, plain), ',', ' ')
	b = appendField(b, `"firstName": `, own[2])
	b = appendField(b, `"lastName": `, own[3])
	if u.status != 0 {
		b = append(append(append(b, `"status": "`...), statusText[u.status]...), `", `...)
	}
	if u.ext >= 0 {
		b = append(e.value(append(b, `"externalStatus": `...), p, u.ext), ',', ' ')
	}
	if u.roles != -1 {
		b = append(e.roleList(append(b, `"roles": `...), p, u), ',', ' ')
	}
	if u.lastUsed >= 0 {
		b = append(e.value(append(b, `"lastUsedDate": `...), p, u.lastUsed), ',', ' ')
	}
	b = append(b[:len(b)-2], '}') // drop the last member's ", "
	return b, e.check(p, k, i, email, plain, u.lastUsed)
}

// appendEmail appends an email as a JSON string. A plain address (schema.PlainEmail) is
// ASCII letters, digits, dots, hyphens and atext symbols, none of which JSON escapes: it
// is copied as it is.
func appendEmail(b []byte, email string, plain bool) []byte {
	if !plain {
		return schema.AppendString(b, email)
	}
	return append(append(append(b, '"'), email...), '"')
}

// plain tells whether a user's email is a plain address (schema.PlainEmail), from its
// local part and its shared domain d (0 for none: local is the whole email).
func (e *userJSON) plain(p *people, email, local string, d int) bool {
	if d == 0 || len(email) > 254 || !schema.PlainLocal(local) {
		return d == 0 && schema.PlainEmail(email)
	}
	if e.hosts == nil {
		e.hosts = make([]int8, len(p.domains))
	}
	if e.hosts[d-1] == 0 {
		e.hosts[d-1] = -1
		if schema.PlainHost(p.domains[d-1]) {
			e.hosts[d-1] = 1
		}
	}
	return e.hosts[d-1] == 1
}

// appendField appends `name: "v", ` when v is not empty.
func appendField(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	return append(schema.AppendString(append(b, name...), v), ',', ' ')
}

// value appends the k-th shared value as a JSON string.
func (e *userJSON) value(b []byte, p *people, k int32) []byte {
	if k >= sharedCached {
		return schema.AppendString(b, p.values[k])
	}
	if e.values == nil {
		e.values = make([][]byte, min(len(p.values), sharedCached))
	}
	if e.values[k] == nil {
		e.values[k] = schema.AppendString(nil, p.values[k])
	}
	return append(b, e.values[k]...)
}

// roleList appends a user's roles as a JSON array.
func (e *userJSON) roleList(b []byte, p *people, u *person) []byte {
	if u.roles < 0 || u.roles >= sharedCached {
		return appendList(b, p.rolesOf(u))
	}
	if e.roles == nil {
		e.roles = make([][]byte, min(len(p.roles), sharedCached))
	}
	if e.roles[u.roles] == nil {
		e.roles[u.roles] = appendList(nil, p.roles[u.roles])
	}
	return append(b, e.roles[u.roles]...)
}

func appendList(b []byte, list []string) []byte {
	b = append(b, '[')
	for k, s := range list {
		if k > 0 {
			b = append(b, ", "...)
		}
		b = schema.AppendString(b, s)
	}
	return append(b, ']')
}

// check returns checkUser's problems with the i-th user, whose email (plain or not) and
// date (an index into people.values) are given. A plain email passes; a date that
// passed with one passes again.
func (e *userJSON) check(p *people, k *schema.Checker, i int, email string, plain bool, date int32) []schema.Problem {
	at := func() schema.Path { return schema.Path{schema.Key("users"), schema.Index(i)} }
	v := &schema.User{Email: email, LastUsedDate: p.value(date)}
	if !plain || date >= sharedCached {
		return checkUser(k, v, at())
	}
	if date < 0 {
		return nil
	}
	if e.dates == nil {
		e.dates = make([]int8, min(len(p.values), sharedCached))
	}
	switch e.dates[date] {
	case 1:
		return nil
	case -1:
		return checkUser(k, v, at())
	}
	problems := checkUser(k, v, at())
	e.dates[date] = 1
	if len(problems) > 0 {
		e.dates[date] = -1
	}
	return problems
}
