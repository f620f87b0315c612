package main

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/torii-convert/torii-convert/ipex/ipextest"
	"github.com/torii-convert/torii-convert/torii/toriitest"
)

func TestMain(m *testing.M) {
	if os.Getenv("TORII_CONVERT_BE_MAIN") == "1" {
		main() // the tests that signal a real process run this test binary as the command
	}
	// testscript.Main exits the process itself: the servers are stopped as m.Run ends.
	testscript.Main(stopServersAfter{m}, map[string]func(){"torii-convert": main})
}

type stopServersAfter struct{ m *testing.M }

func (s stopServersAfter) Run() int {
	defer toriitest.NoteSkipped()
	defer toriitest.StopServers()
	return s.m.Run()
}

// testKey is the API key of the scripts' fake Torii.
const testKey = "tk_script_KEY_never_printed_5f3a9c"

// TestScripts runs the end-to-end scripts in testdata/script: each runs the real binary
// and compares its stdout, stderr and exit code. Each script has its own fake Torii
// (TORII_API_URL, TORII_API_KEY are set), whose presigned uploads go to a real MinIO, and
// its own fake helpdesk (IPEX_URL, IPEX_USER, IPEX_PASSWORD; state under $WORK/state).
// go test -update rewrites their expected outputs.
func TestScripts(t *testing.T) {
	var store *toriitest.MinIO
	if toriitest.Available("minio") || toriitest.Required() {
		store = toriitest.StartMinIO(t)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true, // torii-convert runs as a process, written exec torii-convert
		RequireUniqueNames:  true,
		Condition: func(cond string) (bool, error) {
			if cond == "minio" {
				return store != nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":       exits,
			"jsonschema":  checkJSONOutput,
			"torii-fault": toriiFault,
			"torii-state": toriiState,
			"torii-users": toriiUsers,
			"ipex-fault":  ipexFault,
			"ipex-user":   ipexUser,
			"ipex-state":  ipexState,
		},
		Setup: func(e *testscript.Env) error {
			// Scripts read the bundled samples and workbooks in place.
			if err := os.Symlink(mustAbs(t, "../../testdata/samples"), e.Getenv("WORK")+"/samples"); err != nil {
				return err
			}
			if err := os.Symlink(mustAbs(t, "../../testdata"), e.Getenv("WORK")+"/testdata"); err != nil {
				return err
			}
			srv := toriitest.New(t, testKey, store, 12345)
			e.Values["torii"] = srv
			e.Setenv("TORII_API_URL", srv.URL)
			e.Setenv("TORII_API_KEY", testKey)
			e.Setenv("NO_COLOR", "1")
			helpdesk := ipextest.New(t, ipexLogin, ipexPassword)
			e.Values["ipex"] = helpdesk
			e.Setenv("IPEX_URL", helpdesk.URL)
			e.Setenv("IPEX_PORT", helpdesk.URL[strings.LastIndexByte(helpdesk.URL, ':')+1:])
			e.Setenv("IPEX_USER", ipexLogin)
			e.Setenv("IPEX_PASSWORD", ipexPassword)
			e.Setenv("XDG_STATE_HOME", e.Getenv("WORK")+"/state") // the shrink guard's records, the IPEX keys
			return nil
		},
	})
}

// exits CODE COMMAND [ARGS...] runs a command and checks its exit code.
func exits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE COMMAND [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	code := 0
	var ee *exec.ExitError
	if err := ts.Exec(args[1], args[2:]...); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		ts.Fatalf("%v", err)
	}
	if code != want {
		ts.Fatalf("exit code %d, want %d", code, want)
	}
}

// torii-fault METHOD PATH STATUS|drop TIMES [HEADER:VALUE] makes the fake Torii misbehave.
func toriiFault(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 4 {
		ts.Fatalf("usage: torii-fault METHOD PATH STATUS|drop TIMES [HEADER:VALUE]")
	}
	f := toriitest.Fault{Method: args[0], Path: args[1], Header: http.Header{}}
	if args[2] == "drop" {
		f.Drop = true
	} else {
		f.Status, _ = strconv.Atoi(args[2])
		f.Body = fmt.Sprintf(`{"statusCode": %d, "error": %q, "message": "injected"}`, f.Status, http.StatusText(f.Status))
	}
	f.Times, _ = strconv.Atoi(args[3])
	for _, h := range args[4:] {
		k, v, _ := strings.Cut(h, ":")
		f.Header.Set(k, v)
	}
	ts.Value("torii").(*toriitest.Server).Inject(f)
}

// torii-state prints what the fake Torii holds: its files (with their size and how they
// came) and the syncs it accepted.
func toriiState(ts *testscript.TestScript, neg bool, args []string) {
	srv := ts.Value("torii").(*toriitest.Server)
	files := srv.Files()
	var ids []int64
	for id := range files {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	fmt.Fprintf(ts.Stdout(), "%d files, %d syncs\n", len(files), len(srv.Syncs()))
	for _, id := range ids {
		f := files[id]
		fmt.Fprintf(ts.Stdout(), "file %d %s %s %d bytes\n", id, f.Name, f.Via, len(f.Data))
	}
	for _, s := range srv.Syncs() {
		fmt.Fprintf(ts.Stdout(), "sync app account %d with file %d\n", s.AppAccount, s.FileID)
	}
}

// torii-users APP PAGESIZE EMAIL[:STATUS[:LICENSE+LICENSE[@APPACCOUNT]]]... gives an app
// of the fake Torii its users, listed PAGESIZE a page; their app account is 12345 unless
// given.
func toriiUsers(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: torii-users APP PAGESIZE EMAIL[:STATUS[:LICENSE+LICENSE]]...")
	}
	app, err := strconv.ParseInt(args[0], 10, 64)
	ts.Check(err)
	size, err := strconv.Atoi(args[1])
	ts.Check(err)
	var users []toriitest.AppUser
	for i, a := range args[2:] {
		parts := strings.SplitN(a, ":", 3)
		u := toriitest.AppUser{IDUser: int64(i + 1), Email: parts[0], Status: "active", IDAppAccount: 12345}
		if len(parts) > 1 && parts[1] != "" {
			u.Status = parts[1]
		}
		if len(parts) > 2 {
			lics, account, ok := strings.Cut(parts[2], "@")
			if ok {
				u.IDAppAccount, err = strconv.ParseInt(account, 10, 64)
				ts.Check(err)
			}
			if lics != "" {
				u.Licenses = strings.Split(lics, "+")
			}
		}
		users = append(users, u)
	}
	srv := ts.Value("torii").(*toriitest.Server)
	srv.UsersPageSize = size
	srv.SetAppUsers(app, users...)
}

func mustAbs(t *testing.T, path string) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd + "/" + path
}

// ipex-fault pass|drop|STATUS [RETRY-AFTER [MESSAGE...]] makes the fake helpdesk answer
// one request so; faults queue up, pass lets one request through.
func ipexFault(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: ipex-fault pass|drop|STATUS [RETRY-AFTER [MESSAGE...]]")
	}
	var f ipextest.Fault
	switch args[0] {
	case "pass":
	case "drop":
		f = ipextest.Dropped
	default:
		status, err := strconv.Atoi(args[0])
		ts.Check(err)
		f.Status = status
		if len(args) > 1 {
			f.RetryAfter = args[1]
		}
		f.Message = strings.Join(args[min(2, len(args)):], " ")
	}
	ts.Value("ipex").(*ipextest.Server).Inject(f)
}

// ipex-user fail EMAIL MESSAGE... | seed EMAIL: a user the fake helpdesk refuses, or
// one it holds already (made by hand).
func ipexUser(ts *testscript.TestScript, neg bool, args []string) {
	srv := ts.Value("ipex").(*ipextest.Server)
	switch {
	case !neg && len(args) >= 3 && args[0] == "fail":
		srv.FailUser(args[1], strings.Join(args[2:], " "))
	case !neg && len(args) == 2 && args[0] == "seed":
		srv.Seed(args[1])
	default:
		ts.Fatalf("usage: ipex-user fail EMAIL MESSAGE... | seed EMAIL")
	}
}

// ipex-state prints the users the fake helpdesk holds, by email: the end of their key,
// their external id, how many times they were written, and their fields by path.
func ipexState(ts *testscript.TestScript, neg bool, args []string) {
	srv := ts.Value("ipex").(*ipextest.Server)
	users := srv.Users()
	fmt.Fprintf(ts.Stdout(), "%d users, %d requests\n", len(users), srv.Requests())
	for _, u := range users {
		var fields []string
		for p, v := range u.Fields {
			fields = append(fields, fmt.Sprintf("%s=%v", p, v))
		}
		sort.Strings(fields)
		fmt.Fprintf(ts.Stdout(), "%s key=%s id=%s writes=%d %s\n", u.Email, u.Key[len(u.Key)-4:], u.ExternalID, u.Writes, strings.Join(fields, " "))
	}
}
