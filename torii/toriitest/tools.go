package toriitest

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// The real servers the tests use, installed by scripts/test-tools.sh into
// $TORII_CONVERT_TOOLS (default ~/.cache/torii-convert): MinIO as bin/minio, Prism as
// node_modules/.bin/prism.

// ToolsDir is where the pinned test servers are installed.
func ToolsDir() string {
	if d := os.Getenv("TORII_CONVERT_TOOLS"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "torii-convert")
}

// Available reports whether a test server's program is installed: "minio", "prism" or
// "pre-commit".
func Available(name string) bool {
	rel := map[string]string{"minio": "bin/minio", "prism": "node_modules/.bin/prism"}[name]
	if isExecutable(filepath.Join(ToolsDir(), rel)) {
		return true
	}
	_, err := exec.LookPath(name)
	return err == nil
}

// tool finds a program in the tools folder or on PATH. Without it the test is skipped,
// except in CI (CI=true), where a missing server is a failure.
func tool(tb testing.TB, rel, name string) string {
	tb.Helper()
	if p := filepath.Join(ToolsDir(), rel); isExecutable(p) {
		return p
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	msg := fmt.Sprintf("%s is not installed in %s; scripts/test-tools.sh (run by make test) installs it", name, ToolsDir())
	if Required() {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
	return ""
}

// Required reports whether a missing test server fails the tests rather than skipping
// them: in CI (CI=true) and under make test (TORII_CONVERT_REQUIRE_TOOLS=1).
func Required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("TORII_CONVERT_REQUIRE_TOOLS") == "1"
}

// NoteSkipped says, once for a whole go test run, which test servers are missing, so
// that a run whose tests that need them skipped does not pass for complete. go test
// shows a passing package's output only with -v: the line goes to the terminal when
// there is one, else to stderr.
func NoteSkipped() {
	if Required() {
		return
	}
	var missing []string
	for _, name := range []string{"prism", "minio", "pre-commit"} {
		if !Available(name) {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return
	}
	// The packages of one go test run share its process as parent: the first says it.
	mark := filepath.Join(os.TempDir(), fmt.Sprintf("torii-convert-skipped-%d-%s", os.Getppid(), startTime(os.Getppid())))
	f, err := os.OpenFile(mark, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return
	}
	f.Close()
	var w io.Writer = os.Stderr
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		w = tty
	}
	fmt.Fprintf(w, "torii-convert: skipped the tests that need %s (not installed); scripts/test-tools.sh installs them, make test runs them all\n",
		strings.Join(missing, ", "))
}

// startTime tells a process from a later one with the same id.
func startTime(pid int) string {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "0"
	}
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(fields) > 19 {
		return fields[19] // starttime, the 22nd field of the whole line
	}
	return "0"
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// process is a server started for the tests of one package.
type process struct {
	cmd *exec.Cmd
	log bytes.Buffer
}

// start runs a server and waits until ready answers, with 200 when ok200.
func start(tb testing.TB, bin string, args []string, env []string, ready string, ok200 bool) (*process, error) {
	p := &process{cmd: exec.Command(bin, args...)}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.log, &p.log
	dieWithParent(p.cmd)
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(ready)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || !ok200 {
				return p, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.stop()
	return nil, fmt.Errorf("%s did not start within a minute:\n%s", filepath.Base(bin), p.log.String())
}

func (p *process) stop() {
	if p != nil && p.cmd.Process != nil {
		p.cmd.Process.Kill()
		p.cmd.Wait()
	}
}

var (
	mu      sync.Mutex
	running = map[string]any{}
	stops   []func()
)

// shared starts a server once for all the tests of a package.
func shared[T any](tb testing.TB, name string, startIt func() (T, func(), error)) T {
	tb.Helper()
	mu.Lock()
	defer mu.Unlock()
	if v, ok := running[name]; ok {
		if err, failed := v.(error); failed {
			tb.Fatal(err)
		}
		return v.(T)
	}
	v, stop, err := startIt()
	if err != nil {
		running[name] = err
		tb.Fatal(err)
	}
	running[name] = v
	stops = append(stops, stop)
	return v
}

// StopServers stops the servers the tests started; call it at the end of TestMain.
func StopServers() {
	mu.Lock()
	defer mu.Unlock()
	for _, stop := range stops {
		stop()
	}
	stops, running = nil, map[string]any{}
}

// MinIO is a real S3 server on loopback, with one bucket.
type MinIO struct {
	Endpoint, AccessKey, SecretKey, Region, Bucket string
}

// StartMinIO returns the package's MinIO, starting it on first use.
func StartMinIO(tb testing.TB) *MinIO {
	bin := tool(tb, "bin/minio", "minio")
	return shared(tb, "minio", func() (*MinIO, func(), error) {
		dir, err := os.MkdirTemp("", "toriitest-minio-")
		if err != nil {
			return nil, nil, err
		}
		port := freePort(tb)
		m := &MinIO{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), AccessKey: "toriitest", SecretKey: "toriitest-secret",
			Region: "us-east-1", Bucket: "uploads"}
		p, err := start(tb, bin, []string{"server", "--quiet", "--address", fmt.Sprintf("127.0.0.1:%d", port),
			"--console-address", fmt.Sprintf("127.0.0.1:%d", freePort(tb)), dir},
			[]string{"MINIO_ROOT_USER=" + m.AccessKey, "MINIO_ROOT_PASSWORD=" + m.SecretKey, "MINIO_BROWSER=off"},
			m.Endpoint+"/minio/health/ready", true)
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		stop := func() { p.stop(); os.RemoveAll(dir) }
		if err := m.createBucket(); err != nil {
			stop()
			return nil, nil, err
		}
		return m, stop, nil
	})
}

// Presign returns a presigned URL for an object: PUT URLs are signed over contentType.
func (m *MinIO) Presign(method, key, contentType string, expires time.Duration, now time.Time) string {
	return presign(method, m.Endpoint, "/"+m.Bucket+"/"+key, contentType, m.AccessKey, m.SecretKey, m.Region, expires, now)
}

// createBucket makes the bucket, retrying while the server finishes starting.
func (m *MinIO) createBucket() error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		u := presign(http.MethodPut, m.Endpoint, "/"+m.Bucket, "", m.AccessKey, m.SecretKey, m.Region, time.Minute, time.Now())
		req, _ := http.NewRequest(http.MethodPut, u, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusOK:
			return nil
		case resp.StatusCode == http.StatusServiceUnavailable && time.Now().Before(deadline):
			time.Sleep(200 * time.Millisecond) // "Server not initialized yet"
		default:
			return fmt.Errorf("creating the bucket: %s: %s", resp.Status, body)
		}
	}
}

// Get reads an object back.
func (m *MinIO) Get(key string) ([]byte, error) {
	resp, err := http.Get(m.Presign(http.MethodGet, key, "", time.Minute, time.Now()))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", resp.Status, body)
	}
	return body, err
}

// StartPrism returns the base URL of a Prism mock of Torii's own OpenAPI document,
// started on first use. Prism answers 422 to a request the document does not allow and
// 401 to one without the API key, so a request Torii would reject fails the test.
func StartPrism(tb testing.TB) string {
	bin := tool(tb, "node_modules/.bin/prism", "prism")
	spec, err := OpenAPI()
	if err != nil {
		tb.Fatal(err)
	}
	return shared(tb, "prism", func() (string, func(), error) {
		port := freePort(tb)
		base := fmt.Sprintf("http://127.0.0.1:%d", port)
		p, err := start(tb, bin, []string{"mock", "--host", "127.0.0.1", "--port", fmt.Sprint(port), spec}, nil, base+"/orgs/my", false)
		if err != nil {
			return "", nil, err
		}
		return base, p.stop, nil
	})
}

// OpenAPI finds Torii's OpenAPI document: $TORII_OPENAPI, else the copy the project
// carries, torii/testdata/torii-openapi.json (its README says where it came from).
func OpenAPI() (string, error) {
	if p := os.Getenv("TORII_OPENAPI"); p != "" {
		return p, nil
	}
	_, here, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("cannot tell where toriitest's source is; set TORII_OPENAPI")
	}
	p := filepath.Join(filepath.Dir(here), "..", "testdata", "torii-openapi.json")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("no OpenAPI document of Torii at %s; set TORII_OPENAPI", p)
	}
	return p, nil
}
