package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/torii-convert/torii-convert/ipex/ipextest"
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

// TestInterruptIpex: Ctrl-C while the helpdesk asks to wait (or, on a slow machine,
// between the batches) ends the run with code 130, saying how many users were sent.
func TestInterruptIpex(t *testing.T) {
	srv := ipextest.New(t, ipexLogin, ipexPassword)
	srv.Inject(ipextest.Pass, ipextest.TooMany(30))
	dir := t.TempDir()
	t.Chdir(dir)
	os.WriteFile("users.json", []byte(ipexFile), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(300*time.Millisecond, cancel)
	var stdout, stderr bytes.Buffer
	getenv := func(k string) string {
		return map[string]string{"IPEX_URL": srv.URL, "IPEX_USER": ipexLogin, "IPEX_PASSWORD": ipexPassword, "XDG_STATE_HOME": dir}[k]
	}
	code := run(ctx, []string{"torii-convert", "ipex", "sync", "users.json", "--batch-size", "1"},
		env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: getenv})
	if code != exitInterrupted || !strings.HasSuffix(stderr.String(), ": interrupted; 1 of 2 users were sent, in 1 request\n") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr.String())
	}
	if got := stdout.String(); got != "users.json: 1 created, 0 updated, 0 failed, in 1 request; 1 of 2 users not sent; 1 deleted user not sent (--deleted sends them)\n" {
		t.Errorf("stdout: %q", got)
	}
}
