package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/torii-convert/torii-convert/convert"
	"github.com/torii-convert/torii-convert/internal/text"
)

// progressDelay is how long work goes on before its progress shows: quick runs print
// nothing but their result.
var progressDelay = time.Second

// rowMeter shows, on a terminal, how a conversion is going: rows read and their rate,
// and for an export of known size a bar with the percent done and the time left. The
// bar is github.com/schollz/progressbar/v3's; it is cleared when the work ends, so
// that only the summary stays.
type rowMeter struct {
	t     *term
	name  string
	start time.Time
	mu    sync.Mutex
	bar   *progressbar.ProgressBar
}

// rowMeter returns nil, which shows nothing, when progress is not wanted.
func (t *term) rowMeter(name string, now time.Time) *rowMeter {
	if !t.progress() {
		return nil
	}
	return &rowMeter{t: t, name: name, start: now}
}

// update is convert.Options.Progress.
func (m *rowMeter) update(p convert.Progress) {
	elapsed := time.Since(m.start)
	if elapsed < progressDelay {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.bar == nil {
		m.bar = newBar(m.t, p.Size)
	}
	// The description first: the bar draws it when the value changes.
	m.bar.Describe(fmt.Sprintf("%s: %s rows, %s rows/s", m.name, text.Thousands(int64(p.Rows)), text.Thousands(int64(float64(p.Rows)/elapsed.Seconds()))))
	if p.Size > 0 {
		m.bar.Set64(p.Bytes)
	} else {
		m.bar.Set64(int64(p.Rows))
	}
}

// done clears the display.
func (m *rowMeter) done() {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.bar != nil {
		m.bar.Clear()
		m.bar.Exit()
	}
}

// progressFunc is what convert.Options.Progress gets: nil when nothing shows.
func (m *rowMeter) progressFunc() func(convert.Progress) {
	if m == nil {
		return nil
	}
	return m.update
}

// newBar makes a bar of size units, or a spinner when the size is not known.
func newBar(t *term, size int64) *progressbar.ProgressBar {
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(t.stderr),
		progressbar.OptionSetWidth(24),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionSetElapsedTime(false),
		progressbar.OptionEnableColorCodes(t.color),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionUseANSICodes(true),
		// No redrawing goroutine of its own: it would race with Clear and outlive the bar.
		progressbar.OptionSetSpinnerChangeInterval(0),
	}
	if size <= 0 {
		return progressbar.NewOptions64(-1, append(opts, progressbar.OptionSpinnerType(14))...)
	}
	return progressbar.NewOptions64(size, append(opts, progressbar.OptionSetPredictTime(true))...)
}

// waitLine keeps a wait (for a running sync, a rate limit, a retry) on one live line of
// the terminal: a spinner, the message, and the seconds left until the next try, so that a
// wait of minutes shows that it is alive. The next step's message, or endWait, clears it.
type waitLine struct {
	bar  *progressbar.ProgressBar
	stop chan struct{}
	done chan struct{}
}

// wait shows msg as the live line until the next message; until is when the next try
// is made (zero when not known).
func (t *term) wait(msg string, until time.Time) {
	t.endWait()
	w := &waitLine{stop: make(chan struct{}), done: make(chan struct{})}
	w.bar = progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(t.stderr),
		progressbar.OptionSetDescription(msg),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionSetSpinnerChangeInterval(0), // the ticker below turns it
		progressbar.OptionSetElapsedTime(false),
		progressbar.OptionEnableColorCodes(t.color),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionUseANSICodes(true),
	)
	t.waiting = w
	go func() {
		defer close(w.done)
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			if !until.IsZero() {
				w.bar.Describe(fmt.Sprintf("%s [%s]", msg, max(time.Until(until), 0).Round(time.Second)))
			}
			w.bar.Add(1) // turns the spinner and draws the line
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
		}
	}()
}

// endWait clears the live line of a wait, if there is one.
func (t *term) endWait() {
	w := t.waiting
	if w == nil {
		return
	}
	t.waiting = nil
	close(w.stop)
	<-w.done
	w.bar.Clear()
	w.bar.Exit()
}

// fileMeter shows, on a terminal, how the reading of whole files is going (validate's
// files, diff's two sides, report's file), several at once: the bytes read of all the
// files opened so far, as a bar with the percent done and the time left. Like rowMeter
// it shows only once the work has gone on for progressDelay, and clears itself when
// every byte is read.
type fileMeter struct {
	t           *term
	start       time.Time
	mu          sync.Mutex
	total, read int64
	bar         *progressbar.ProgressBar
}

// meteredFile is a file read through the term's fileMeter.
type meteredFile struct {
	m *fileMeter
	f *os.File
}

func (r meteredFile) Read(p []byte) (int, error) {
	n, err := r.f.Read(p)
	r.m.add(int64(n))
	return n, err
}

// reader returns what to read f through: f itself when progress does not show, or
// when it is not a regular file (its size is not known); else f counted by the term's
// one fileMeter.
func (t *term) reader(f *os.File) io.Reader {
	if t == nil || !t.progress() {
		return f
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
		return f
	}
	t.filesOnce.Do(func() { t.files = &fileMeter{t: t, start: time.Now()} })
	t.files.mu.Lock()
	t.files.total += st.Size()
	t.files.mu.Unlock()
	return meteredFile{t.files, f}
}

func (m *fileMeter) add(n int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.read += n
	switch {
	case m.bar == nil && (m.read >= m.total || time.Since(m.start) < progressDelay):
	case m.bar == nil:
		m.bar = newBar(m.t, m.total)
		m.bar.Describe("reading")
		fallthrough
	default:
		m.bar.ChangeMax64(m.total)
		m.bar.Set64(m.read)
		if m.read >= m.total {
			m.bar.Clear()
			m.bar.Exit()
			m.bar = nil
			m.start = time.Now()
		}
	}
}
