package httpx

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"net/url"
	"regexp"
	"strings"
)

// Redacted stands for a secret in anything printed.
const Redacted = "***redacted***"

// MinSecret is the shortest secret Scrub replaces: shorter strings cannot be told from
// ordinary text.
const MinSecret = 4

var credentials = regexp.MustCompile(`(?i)\b(bearer|basic)(\s+)([A-Za-z0-9._~+/=-]{8,})`)

// Scrub replaces in text every secret (as it is, URL-escaped, JSON-escaped and in
// base64) and any "Bearer ..." or "Basic ..." credentials (8 characters or more, not a
// lowercase word) with ***redacted***. Apply it to
// any server text before it goes into a message: servers echo keys back.
func Scrub(text string, secrets ...string) string {
	for _, s := range secrets {
		if len(s) < MinSecret {
			continue
		}
		forms := []string{s, url.QueryEscape(s), url.PathEscape(s), base64.StdEncoding.EncodeToString([]byte(s)),
			base64.RawURLEncoding.EncodeToString([]byte(s))}
		if j, err := json.Marshal(s); err == nil {
			forms = append(forms, string(j[1:len(j)-1]))
		}
		for _, f := range forms {
			text = strings.ReplaceAll(text, f, Redacted)
		}
	}
	return credentials.ReplaceAllStringFunc(text, func(m string) string {
		sub := credentials.FindStringSubmatch(m)
		if strings.Trim(sub[3], "abcdefghijklmnopqrstuvwxyz") == "" { // a word: "Basic authentication"
			return m
		}
		return sub[1] + sub[2] + Redacted
	})
}

// Message finds the message of an error answer: the "message" (else "error",
// "Message", "ErrorMessage") of a JSON object, the Code and Message of an XML error (as
// S3 sends), or the text itself; scrubbed of secrets and credentials (Scrub), then on
// one line, at most 200 characters. Scrubbing comes first: a secret cut by the 200th
// character would no longer be found, and its start would show.
func Message(body []byte, secrets ...string) string {
	return oneLine(Scrub(message(body), secrets...))
}

func message(body []byte) string {
	var j map[string]any
	if json.Unmarshal(body, &j) == nil {
		for _, k := range []string{"message", "error", "Message", "ErrorMessage", "error_description"} {
			if s, ok := j[k].(string); ok && strings.TrimSpace(s) != "" {
				return s
			}
		}
	}
	var x struct {
		XMLName xml.Name
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	if xml.Unmarshal(body, &x) == nil && x.XMLName.Local == "Error" && x.Code != "" {
		if x.Message == "" {
			return x.Code
		}
		return x.Code + ": " + x.Message
	}
	return string(body)
}
