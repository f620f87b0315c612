package convert

import (
	"bufio"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"

	"github.com/torii-convert/torii-convert/internal/text"
	"github.com/torii-convert/torii-convert/schema"
)

// write encodes the users and licenses to out (when it is not nil), checks each record
// against the contract as it goes, and traces every problem back to the row it came from. Records are encoded and checked on every core; the rules across
// records and the writing follow in order.
func (c *conversion) write(out io.Writer) error {
	p := c.people
	// Every user is in; the email index is not needed past here, and freeing it makes
	// room for the lists of holders.
	p.dropIndex()
	licenses := c.licenses()
	c.lics = licenses.heads
	// Emails are unique and holders are users by construction, so the rules that check
	// those (Email, Holders) have nothing to find; the tests check converted files in full.
	rules := schema.NewRules(c.opts.Today, 0)
	if out == nil {
		out = io.Discard
	}
	w := bufio.NewWriterSize(out, 1<<20)
	w.WriteString("{\n  \"users\": [\n")
	err := inOrder(p.len(), 2048, func(wk *worker, buf []byte, i int) ([]byte, []schema.Problem, error) {
		if i > 0 {
			buf = append(buf, ",\n"...)
		}
		buf, problems := wk.users.append(buf, p, i, wk.k, &wk.scratch)
		return buf, problems, nil
	}, func(ch *chunk) {
		w.Write(ch.buf)
		next := 0
		for i := ch.from; i < ch.to; i++ {
			u := p.user(i)
			for ; next < len(ch.problems) && ch.problems[next].index == i; next++ {
				c.traceUser(ch.problems[next].Problem, u)
			}
			// The rules across users read only these: the user's own values stay in the arena.
			rules.User(&schema.User{Status: statusText[u.status], LastUsedDate: p.value(u.lastUsed)}, i, nil)
			for _, pr := range rules.Problems() {
				c.traceUser(pr, u)
			}
		}
	})
	if err != nil {
		return err
	}
	w.WriteString("\n  ]")
	if len(licenses.heads) > 0 {
		w.WriteString(",\n  \"licenses\": [\n")
		if err := c.writeLicenses(w, licenses, rules); err != nil {
			return err
		}
		w.WriteString("\n  ]")
	}
	w.WriteString("\n}\n")
	for _, pr := range rules.Finish() {
		c.report(pr.Severity, pr.Keyword, c.src.Where(), pr.Path.String()+": "+pr.Message)
	}
	return w.Flush()
}

// checkUser checks a user as the file holds it, by the fields the converter does not make
// valid by construction. The user is an object of the schema's fields only, each a string
// (roles a list of strings), status one of statusText; nothing in the schema relates one
// field to another. So only the email's and the date's formats can fail, with the same
// problems as the whole user's: FuzzCheckByConstruction holds the two to agree.
func checkUser(k *schema.Checker, u *schema.User, at schema.Path) []schema.Problem {
	return k.UserValue(&schema.User{Email: u.Email, LastUsedDate: u.LastUsedDate}, at)
}

// writeLicenses writes the licenses as one run of records: each license's first line,
// then a record per user, so that a license held by a million users is encoded and
// checked on every core, in chunks, like the users. A holder's record is made from the
// user as it is written.
func (c *conversion) writeLicenses(w io.Writer, ls licenseList, rules *schema.Rules) error {
	p, licenses := c.people, ls.heads
	starts := make([]int, len(licenses)+1) // the record of each license's first line
	for i := range licenses {
		starts[i+1] = starts[i] + 1 + ls.count(i)
	}
	locate := func(j int) (license, user int) {
		li := sort.Search(len(licenses), func(i int) bool { return starts[i+1] > j })
		return li, j - starts[li] - 1
	}
	err := inOrder(starts[len(licenses)], 2048, func(wk *worker, buf []byte, j int) ([]byte, []schema.Problem, error) {
		li, h := locate(j)
		l := &licenses[li]
		if h >= 0 {
			// A holder is valid by construction but for its email, which is a user's,
			// checked and reported with the user (see checkUser).
			i := ls.holder(li, h)
			u := p.user(int(i))
			m := p.heldOf(i, u, ls.ids[li])
			local, d, _ := p.own.local(u.chunk, u.at)
			email := p.whole(local, d, &wk.scratch)
			return appendHolder(buf, email, wk.users.plain(p, email, local, d), m.state.text(u), h), nil, nil
		}
		if li > 0 {
			buf = append(schema.AppendLicenseEnd(buf, ls.count(li-1)), ",\n"...)
		}
		buf = schema.AppendLicenseHead(buf, l)
		// The license is checked without its users, which are checked one by one.
		return buf, wk.k.LicenseValue(l, schema.Path{schema.Key("licenses"), schema.Index(li)}), nil
	}, func(ch *chunk) {
		w.Write(ch.buf)
		for _, pr := range ch.problems {
			li, _ := locate(pr.index)
			c.traceLicense(pr.Problem, &licenses[li])
		}
		for li := range licenses {
			if starts[li] < ch.from || starts[li] >= ch.to {
				continue
			}
			l := &licenses[li]
			var price *float64
			if l.PricePerUser != nil {
				f := float64(*l.PricePerUser)
				price = &f
			}
			rules.License(l.Name, price, li, nil)
			for _, pr := range rules.Problems() {
				c.traceLicense(pr, l)
			}
		}
	})
	if err != nil {
		return err
	}
	_, err = w.Write(schema.AppendLicenseEnd(nil, ls.count(len(licenses)-1)))
	return err
}

// appendHolder appends the line of the h-th user of a license, as
// schema.AppendLicenseUser does (FuzzAppendHolder holds the two to agree): the same
// bytes, without building the record's members.
func appendHolder(b []byte, email string, plain bool, status string, h int) []byte {
	if h > 0 {
		b = append(b, ',')
	}
	b = appendEmail(append(b, "\n      {\"email\": "...), email, plain)
	if status != "" {
		b = append(append(append(b, `, "licenseStatus": "`...), status...), '"')
	}
	return append(b, '}')
}

// chunk is the JSON of the records from..to, and the problems checking them found.
type chunk struct {
	from, to int
	buf      []byte
	problems []indexedProblem
	err      error
	done     chan struct{}
}

type indexedProblem struct {
	schema.Problem
	index int
}

// worker is what a goroutine of inOrder keeps: its checker, bytes to build a user's
// email in (see people.email), which encode may use until it returns, and the shared
// values it has encoded.
type worker struct {
	k       *schema.Checker
	scratch []byte
	users   userJSON
}

// inOrder encodes and checks the records 0..n in chunks of size on every core, and hands
// the chunks to use one by one, in order. A few chunks are in flight at a time, so memory
// stays bounded whatever n is.
func inOrder(n, size int, encode func(wk *worker, buf []byte, i int) ([]byte, []schema.Problem, error), use func(*chunk)) error {
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan *chunk, 2*workers)
	pending := make(chan *chunk, 2*workers)
	free := make(chan []byte, 3*workers)
	for w := 0; w < workers; w++ {
		go func() {
			wk := &worker{k: schema.Contract().Checker()}
			for ch := range jobs {
				for i := ch.from; i < ch.to && ch.err == nil; i++ {
					var problems []schema.Problem
					ch.buf, problems, ch.err = encode(wk, ch.buf, i)
					for _, pr := range problems {
						ch.problems = append(ch.problems, indexedProblem{pr, i})
					}
				}
				close(ch.done)
			}
		}()
	}
	go func() {
		for from := 0; from < n; from += size {
			var buf []byte
			select {
			case buf = <-free:
			default:
			}
			ch := &chunk{from: from, to: min(from+size, n), buf: buf[:0], done: make(chan struct{})}
			pending <- ch
			jobs <- ch
		}
		close(jobs)
		close(pending)
	}()
	var err error
	for ch := range pending {
		<-ch.done
		if err == nil {
			if err = ch.err; err == nil {
				use(ch)
			}
		}
		select {
		case free <- ch.buf:
		default:
		}
	}
	return err
}

func (c *conversion) noUsers() string {
	msg := fmt.Sprintf("no users: none of the %s made a user", text.Plural(c.res.Rows, "row", "rows"))
	var skipped []string
	for reason, n := range c.skipped {
		skipped = append(skipped, fmt.Sprintf("%d %s", n, reason))
	}
	sort.Strings(skipped)
	if len(skipped) > 0 {
		msg += " (skipped: " + strings.Join(skipped, ", ") + ")"
	}
	return msg
}

// traceUser reports a problem of a user's JSON at the cell the value came from.
func (c *conversion) traceUser(pr schema.Problem, u *person) {
	pos := c.src.Where()
	pos.Line = int(u.line)
	msg := pr.Message
	switch field := pr.Path.Field(); {
	case len(pr.Path) <= 2: // the user as a whole
		msg = "the user " + msg
	case field == "email" && c.people.cols[u.col] >= 0:
		pos.Col = int(c.people.cols[u.col]) + 1
	default:
		msg = field + " " + msg
	}
	c.report(pr.Severity, pr.Keyword, pos, msg)
}

func (c *conversion) traceLicense(pr schema.Problem, l *schema.License) {
	if len(pr.Path) == 5 && pr.Path[4].Key == "email" {
		return // a holder's email is a user's email, and was reported with the user
	}
	c.report(pr.Severity, pr.Keyword, c.src.Where(), fmt.Sprintf("license %s: %s %s", text.Quote(l.Name), strings.TrimPrefix(pr.Path[2:].String(), "(root)"), pr.Message))
}

// licenseList is the licenses of the file with their catalog values but without their
// holders, which are made from the users as they are written: the holders of heads[i]
// are the users holders[from[ids[i]]:from[ids[i]+1]], 4 bytes a holder.
type licenseList struct {
	heads   []schema.License // Users is nil
	ids     []uint16         // each one's index in people.licenses
	from    []int
	holders []int32
}

// count returns the number of holders of the i-th license.
func (ls *licenseList) count(i int) int {
	l := int(ls.ids[i]) // as an int: the 65,536th license's l+1 is past uint16
	return ls.from[l+1] - ls.from[l]
}

// holder returns the user who is the h-th holder of the i-th license.
func (ls *licenseList) holder(i, h int) int32 { return ls.holders[ls.from[ls.ids[i]]+h] }

// licenses lists the holders of every license in the order of the users, and adds what
// the catalog knows: the price and the seats left unassigned.
func (c *conversion) licenses() licenseList {
	p := c.people
	n := len(p.licenses)
	ls := licenseList{from: make([]int, n+1)}
	assigned := make([]int64, n) // holders whose seat counts as taken
	for i := range int32(p.len()) {
		u := p.user(int(i))
		for k := range p.heldLen(i, u) {
			m := p.held(i, u, k)
			ls.from[int(m.license)+1]++
			if s := m.state.text(u); s != "deleted" && !(s == "" && statusText[u.status] == "deleted") {
				assigned[m.license]++
			}
		}
	}
	for l := range n {
		ls.from[l+1] += ls.from[l]
	}
	ls.holders = make([]int32, ls.from[n])
	next := append([]int(nil), ls.from[:n]...)
	for i := range int32(p.len()) {
		u := p.user(int(i))
		for k := range p.heldLen(i, u) {
			l := p.held(i, u, k).license
			ls.holders[next[l]] = i
			next[l]++
		}
	}
	cat := catalog(c.opts.Template, c.opts.Prices)
	for l, name := range p.licenses {
		key := strings.ToLower(name)
		// A license whose only holders moved to a better one (a fallback) is left out,
		// unless seats of it were bought.
		if e, ok := cat[key]; ls.from[l+1] > ls.from[l] || ok && e.Purchased != nil {
			head := schema.License{Name: name}
			c.price(&head, e, assigned[l])
			c.rowPrice(&head)
			ls.heads = append(ls.heads, head)
			ls.ids = append(ls.ids, uint16(l))
		}
		delete(cat, key)
	}
	var unheld []CatalogEntry
	for _, e := range cat {
		unheld = append(unheld, e)
	}
	sort.Slice(unheld, func(i, j int) bool { return strings.ToLower(unheld[i].name) < strings.ToLower(unheld[j].name) })
	c.unmatchedCatalog(unheld, p.licenses)
	return ls
}

// rowPrice gives a license the price its rows pay, when the catalog gave none.
func (c *conversion) rowPrice(l *schema.License) {
	p := c.m.prices[strings.ToLower(l.Name)]
	if p == nil || l.PricePerUser != nil {
		return
	}
	l.PricePerUser = &p.cents
	if p.differs {
		c.report(schema.Warning, "price", c.src.Where(), fmt.Sprintf("license %s: rows pay different prices per user (%s and %s); the first is used: give the price in the catalog or --prices to choose",
			text.Quote(l.Name), centsText(p.cents), centsText(p.other)))
	}
}

// centsText writes cents in major units: 2000 is 20.00.
func centsText(cents int64) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }

// price gives a license its catalog price and, when the catalog says how many seats were
// bought, the seats left: bought less assigned.
func (c *conversion) price(l *schema.License, e CatalogEntry, assigned int64) {
	if e.Price != "" {
		cents, _ := ParsePrice(e.Price) // checked when the template or price list was read
		l.PricePerUser = &cents
	}
	if e.Purchased == nil {
		return
	}
	free := *e.Purchased - assigned
	if free < 0 {
		c.report(schema.Warning, "seats", c.src.Where(), fmt.Sprintf("license %s: %d seats are assigned but only %d were purchased; unassignedAmount is 0", text.Quote(l.Name), assigned, *e.Purchased))
		free = 0
	}
	l.UnassignedAmount = &free
}

// text is the licenseStatus a license state writes for a user.
func (s licenseState) text(u *person) string {
	switch s {
	case lsActive:
		return "active"
	case lsInactive:
		return "inactive"
	case lsDeleted:
		return "deleted"
	case lsUnlessUsed:
		if u.lastUsed < 0 {
			return "inactive"
		}
	}
	return ""
}
