package toriitest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
)

// presign makes an AWS Signature Version 4 presigned URL, as S3 issues them: the
// signature covers the method, the path, the host and, when given, the Content-Type,
// so that S3 refuses the request when any of them differs or the URL has expired.
func presign(method, endpoint, path, contentType, accessKey, secretKey, region string, expires time.Duration, now time.Time) string {
	u, _ := url.Parse(endpoint)
	now = now.UTC()
	date, stamp := now.Format("20060102"), now.Format("20060102T150405Z")
	scope := fmt.Sprintf("%s/%s/s3/aws4_request", date, region)
	signed := "host"
	headers := "host:" + u.Host + "\n"
	if contentType != "" {
		signed = "content-type;host"
		headers = "content-type:" + contentType + "\n" + headers
	}
	q := map[string]string{
		"X-Amz-Algorithm":     "AWS4-HMAC-SHA256",
		"X-Amz-Credential":    accessKey + "/" + scope,
		"X-Amz-Date":          stamp,
		"X-Amz-Expires":       fmt.Sprint(int(expires.Seconds())),
		"X-Amz-SignedHeaders": signed,
	}
	canonicalQuery := canonical(q)
	canonicalPath := escapePath(path)
	request := strings.Join([]string{method, canonicalPath, canonicalQuery, headers, signed, "UNSIGNED-PAYLOAD"}, "\n")
	sum := sha256.Sum256([]byte(request))
	toSign := strings.Join([]string{"AWS4-HMAC-SHA256", stamp, scope, hex.EncodeToString(sum[:])}, "\n")
	key := mac([]byte("AWS4"+secretKey), date)
	key = mac(key, region)
	key = mac(key, "s3")
	key = mac(key, "aws4_request")
	return fmt.Sprintf("%s://%s%s?%s&X-Amz-Signature=%s", u.Scheme, u.Host, canonicalPath, canonicalQuery, hex.EncodeToString(mac(key, toSign)))
}

func mac(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

func canonical(q map[string]string) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = escape(k) + "=" + escape(q[k])
	}
	return strings.Join(parts, "&")
}

// escape is the URI encoding SigV4 asks for: everything but unreserved characters.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = escape(s)
	}
	return strings.Join(segs, "/")
}
