package httpx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
)

// secretHeaders are shown as ***redacted*** by a dry run, the scheme kept.
var secretHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "X-Api-Key"}

// PrintRequest writes a request as a dry run shows it: the method and URL, then, indented,
// its headers (Authorization first, its credentials as ***redacted***, then the others by
// name), Content-Length when the body's size is known, and the body: r.Dry when given,
// else a JSON body of at most MaxBody bytes indented, else nothing more. The client's
// secrets are scrubbed from all of it.
func (c *Client) PrintRequest(w io.Writer, r Request) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", r.Method, r.URL)
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		names = append(names, k)
	}
	slices.SortFunc(names, func(a, b string) int {
		if (a == "Authorization") != (b == "Authorization") {
			if a == "Authorization" {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	for _, k := range names {
		for _, v := range r.Header[k] {
			if slices.Contains(secretHeaders, http.CanonicalHeaderKey(k)) {
				v = redactCredential(v)
			}
			fmt.Fprintf(&b, "  %s: %s\n", k, v)
		}
	}
	if r.Body != nil && r.Size >= 0 {
		fmt.Fprintf(&b, "  Content-Length: %d\n", r.Size)
	}
	switch {
	case r.Dry != "":
		for _, line := range strings.Split(strings.TrimRight(r.Dry, "\n"), "\n") {
			fmt.Fprintf(&b, "  %s\n", line)
		}
	case r.Body != nil && r.Size >= 0 && r.Size <= MaxBody && isJSON(r.Header.Get("Content-Type")):
		if body, err := r.Body(); err == nil {
			data, _ := io.ReadAll(io.LimitReader(body, MaxBody))
			body.Close()
			var out bytes.Buffer
			if json.Indent(&out, data, "  ", "  ") == nil {
				fmt.Fprintf(&b, "  %s\n", out.String())
			}
		}
	}
	io.WriteString(w, c.Scrub(b.String()))
}

func redactCredential(v string) string {
	if f := strings.Fields(v); len(f) > 0 && (strings.EqualFold(f[0], "Bearer") || strings.EqualFold(f[0], "Basic")) {
		return f[0] + " " + Redacted
	}
	return Redacted
}

func isJSON(ctype string) bool {
	t, _, err := mime.ParseMediaType(ctype)
	return err == nil && (t == "application/json" || strings.HasSuffix(t, "+json"))
}
