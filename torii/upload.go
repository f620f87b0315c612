package torii

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"strconv"

	"github.com/torii-convert/torii-convert/internal/httpx"
)

// DirectLimit is the size under which files go through POST /files/upload; Torii takes
// "up to 3MB" there. Larger ones go through a presigned S3 URL.
const DirectLimit = 3_000_000

// Upload methods.
const (
	Auto      = ""
	Direct    = "direct"
	Presigned = "presigned"
)

// Uploaded is a file Torii has.
type Uploaded struct {
	FileID int64
	Bytes  int64
	Method string // Direct or Presigned
}

// Upload sends the file at path to Torii under name, and returns its id. The file is
// streamed from disk for each attempt, never held in memory.
func (c *Client) Upload(ctx context.Context, name, path, method string) (Uploaded, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Uploaded{}, &Error{Step: "uploading " + name, Message: err.Error()}
	}
	up := Uploaded{Bytes: st.Size(), Method: method}
	if up.Method == Auto {
		up.Method = Direct
		if up.Bytes >= DirectLimit {
			up.Method = Presigned
		}
	}
	open := func() (io.ReadCloser, error) { return os.Open(path) }
	if up.Method == Direct {
		c.notify(Event{Step: "upload", Message: fmt.Sprintf("uploading %s (%s) to Torii", name, bytesText(up.Bytes))})
		up.FileID, err = c.uploadDirect(ctx, name, open, up.Bytes)
	} else {
		c.notify(Event{Step: "upload", Message: fmt.Sprintf("uploading %s (%s) through a presigned URL", name, bytesText(up.Bytes))})
		up.FileID, err = c.uploadPresigned(ctx, name, open, up.Bytes)
	}
	return up, err
}

func bytesText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// uploadDirect posts the file as multipart/form-data: the field type, then the file.
// The body is the parts' headers around the file read from disk, so its length is known
// and it can be sent again.
func (c *Client) uploadDirect(ctx context.Context, name string, open func() (io.ReadCloser, error), size int64) (int64, error) {
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	mw.WriteField("type", FileType)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
	h.Set("Content-Type", "application/json")
	mw.CreatePart(h)
	prefix := append([]byte(nil), head.Bytes()...)
	mw.Close()
	suffix := append([]byte(nil), head.Bytes()[len(prefix):]...)
	body := func() (io.ReadCloser, error) {
		f, err := open()
		if err != nil {
			return nil, err
		}
		return readCloser{io.MultiReader(bytes.NewReader(prefix), f, bytes.NewReader(suffix)), f}, nil
	}
	var answer fileID
	err := c.do(ctx, request{
		step: "uploading " + name, method: http.MethodPost, url: c.BaseURL + "/files/upload",
		body: body, size: int64(len(prefix)) + size + int64(len(suffix)), ctype: mw.FormDataContentType(),
		safe:        true, // no id was returned, so a repeat leaves at most an unused file
		dry:         fmt.Sprintf("multipart/form-data: type=%s, file=%s (%s)", FileType, name, bytesText(size)),
		placeholder: `{"id": 0}`, check: answer.check,
	}, &answer)
	return answer.ID, err
}

// fileID is the answer of the calls that store a file: its id, which must be there.
type fileID struct {
	ID int64 `json:"id"`
}

func (f *fileID) check() string {
	if f.ID <= 0 {
		return "has no file id"
	}
	return ""
}

type readCloser struct {
	io.Reader
	io.Closer
}

// presignAttempts bounds how often a new presigned URL is asked for when S3 refuses one
// (it expired, or its signature no longer matches).
const presignAttempts = 3

// uploadPresigned asks for a presigned URL, PUTs the file there, and registers it.
func (c *Client) uploadPresigned(ctx context.Context, name string, open func() (io.ReadCloser, error), size int64) (int64, error) {
	var path string
	for attempt := 1; ; attempt++ {
		var params struct {
			Upload struct {
				URL      string `json:"url"`
				FilePath string `json:"filePath"`
			} `json:"uploadFileParameters"`
		}
		q := url.Values{"name": {name}, "type": {FileType}}
		err := c.do(ctx, request{step: "asking Torii where to upload " + name, method: http.MethodGet,
			url: c.BaseURL + "/files/url?" + q.Encode(), safe: true,
			placeholder: `{"uploadFileParameters": {"url": "https://s3.amazonaws.com/(presigned URL from Torii)", "filePath": "(file path from Torii)"}}`,
			check: func() string {
				if params.Upload.URL == "" || params.Upload.FilePath == "" {
					return "has no uploadFileParameters.url or filePath"
				}
				return ""
			},
		}, &params)
		if err != nil {
			return 0, err
		}
		// The file goes where Torii says, but never in the clear, nor to a local file.
		if err := httpx.Secure(params.Upload.URL); err != nil && c.DryRun == nil {
			return 0, &Error{Step: "asking Torii where to upload " + name, Message: "the presigned URL " + c.scrub(err.Error()),
				Hint: "check TORII_API_URL: Torii's presigned URLs are https"}
		}
		err = c.do(ctx, request{step: "uploading " + name + " to S3", method: http.MethodPut, url: params.Upload.URL,
			body: open, size: size, ctype: FileType, s3: true, safe: true,
			dry: fmt.Sprintf("%s (%s), without Authorization", name, bytesText(size))}, nil)
		if e, ok := err.(*Error); ok && e.Status == http.StatusForbidden && attempt < presignAttempts {
			// The URL expired or S3 no longer accepts its signature: ask for another.
			c.notify(Event{Step: "upload", Retry: true, Message: fmt.Sprintf("S3 refused the presigned URL (%s); asking Torii for a new one", e.Message)})
			continue
		}
		if err != nil {
			return 0, err
		}
		path = params.Upload.FilePath
		break
	}
	body, size2, text := jsonBody(map[string]string{"path": path, "type": FileType})
	if c.DryRun != nil {
		size2 = -1
	}
	var answer fileID
	err := c.do(ctx, request{step: "registering the upload of " + name, method: http.MethodPost, url: c.BaseURL + "/files",
		body: body, size: size2, ctype: "application/json", safe: true, dry: text, placeholder: `{"id": 0}`,
		check: answer.check}, &answer)
	return answer.ID, err
}
