package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/torii-convert/torii-convert/torii/toriitest"
)

// TestInterrupt: Ctrl-C while waiting for a running sync ends the run with code 130 and
// says which step it stopped.
func TestInterrupt(t *testing.T) {
	srv := toriitest.New(t, testKey, nil, 12345)
	srv.Inject(toriitest.Fault{Method: http.MethodPut, Path: "/services/sync/custom", Status: 409})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(300*time.Millisecond, cancel) // as Ctrl-C does through signal.NotifyContext
	var stdout, stderr bytes.Buffer
	getenv := func(k string) string {
		return map[string]string{"TORII_API_KEY": testKey, "TORII_API_URL": srv.URL}[k]
	}
	code := run(ctx, []string{"torii-convert", "sync", "--app-account", "12345", "--file-id", "7"},
		env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: getenv})
	if code != exitInterrupted || !strings.HasSuffix(stderr.String(), "torii-convert: interrupted while syncing app account 12345\n") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr.String())
	}
}
