package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// output is where a converted file goes. It is spooled to a temporary file first, and
// only once the whole file is known to be valid, and the run was not interrupted, is that
// renamed over the destination, or copied to a stream (stdout, a FIFO, /dev/null). On
// any failure nothing is written and an existing file is left as it was.
//
// Where the system allows (Linux), the spool has no name until it is committed: a run
// that dies in any way, even killed or crashed, leaves no temporary file behind.
type output struct {
	spool  *spool
	dest   string    // the regular file to replace; "" to copy to a stream
	device string    // a file that is not regular (FIFO, device): opened only to commit
	stream io.Writer // where the file goes when dest is ""
	name   string    // the destination, for messages
	mode   fs.FileMode
	done   bool
}

func newOutput(dest string, stdout io.Writer) (*output, error) {
	o := &output{stream: stdout, name: "stdout", mode: 0o644}
	dir := os.TempDir() // unless the file goes next to its destination
	if dest != "" && dest != "-" {
		o.name = dest
		dest = resolveLink(dest)
		switch st, err := os.Stat(dest); {
		case err == nil && st.IsDir():
			return nil, usageError("--output %s is a directory; give a file name", o.name)
		case err == nil && !st.Mode().IsRegular():
			// Opening a FIFO blocks until someone reads it: not before there is a file.
			o.device = dest
		default:
			if err == nil {
				o.mode = st.Mode().Perm()
			}
			o.dest, dir = dest, filepath.Dir(dest)
		}
	}
	sp, err := newSpool(dir)
	if err != nil {
		return nil, failure("writing %s: %v", o.name, err)
	}
	o.spool = sp
	spools.Store(sp, true)
	return o, nil
}

// sink is what the conversion writes to as it checks: the spool.
func (o *output) sink() io.Writer { return o.spool.f }

// path is a name to read the output back by, for an upload: the same bytes that were
// checked, even when the spool has no name of its own. An unnamed spool is read through
// its descriptor even once renamed into place, so that a file put in its place by
// someone else in the meantime is not what gets uploaded.
func (o *output) path() string {
	if o.done && o.dest != "" && !o.spool.unnamed {
		return o.dest
	}
	return o.spool.path()
}

// commit moves a valid file into place, or writes it to the stream. It gives up, leaving
// everything as it was, when ctx is done; writing to a stream that blocks (a FIFO nobody
// reads) is given up too.
func (o *output) commit(ctx context.Context) error {
	fail := func(err error) error { return failure("writing %s: %v", o.name, err) }
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("writing %s: %w", o.name, err)
	}
	if o.dest == "" && o.device == "" && o.stream == nil {
		return nil // the file is only uploaded
	}
	if o.dest == "" {
		done := make(chan error, 1)
		go func() { done <- o.copyOut() }()
		select {
		case err := <-done:
			if err != nil {
				return fail(err)
			}
			o.done = true
			return nil
		case <-ctx.Done():
			return fmt.Errorf("writing %s: %w", o.name, ctx.Err())
		}
	}
	if err := o.spool.f.Chmod(o.mode); err != nil {
		return fail(err)
	}
	if err := o.spool.f.Sync(); err != nil {
		return fail(err)
	}
	tmp, err := o.spool.link()
	if err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("writing %s: %w", o.name, err)
	}
	if err := os.Rename(tmp, o.dest); err != nil {
		return fail(err)
	}
	o.done = true
	return nil
}

// copyOut copies the spool to the stream; the kernel does the copying (copy_file_range,
// sendfile): no bytes pass through here.
func (o *output) copyOut() error {
	if o.device != "" {
		f, err := os.OpenFile(o.device, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		o.stream = f
	}
	if _, err := o.spool.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if f, ok := o.stream.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&fs.ModeCharDevice != 0 {
			// A terminal or /dev/null: the kernel copies nothing to these for us, and
			// io.Copy's 32 KB reads and writes would make thousands of calls.
			_, err := io.CopyBuffer(struct{ io.Writer }{f}, struct{ io.Reader }{o.spool.f}, make([]byte, copyBuffer))
			return err
		}
	}
	_, err := io.Copy(o.stream, o.spool.f) // a file or a pipe: copy_file_range, splice
	return err
}

// copyBuffer is the buffer the file is copied to a character device through.
const copyBuffer = 1 << 20

// discard removes the spool unless it became the destination.
func (o *output) discard() {
	if o.spool != nil {
		o.spool.discard(o.done && o.dest != "")
		spools.Delete(o.spool)
	}
}

// dropSpool removes a spool that was only ever a private copy.
func dropSpool(sp *spool) {
	sp.discard(false)
	spools.Delete(sp)
}

// spools are those not yet discarded, for abandonSpools.
var spools sync.Map

// abandonSpools removes the named temporary files of runs that never returned, when the
// process ends without them.
func abandonSpools() {
	spools.Range(func(sp, _ any) bool {
		sp.(*spool).abandon()
		return true
	})
}

// resolveLink follows symbolic links, even to a file that does not exist yet, so that
// the file a link points to is replaced and the link stays.
func resolveLink(path string) string {
	for range 16 {
		st, err := os.Lstat(path)
		if err != nil || st.Mode()&fs.ModeSymlink == 0 {
			return path
		}
		target, err := os.Readlink(path)
		if err != nil {
			return path
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	return path
}

// sameFile refuses an output that is one of the files the run reads (the export, the
// template, the price list), by any name: a link to it, hard or symbolic, included.
func sameFile(output string, inputs ...string) error {
	return sameFileAs("--output", "-o", output, inputs...)
}

// sameFileAs is sameFile for the output of another flag, named in the message.
func sameFileAs(flag, short, output string, inputs ...string) error {
	if output == "" || output == "-" {
		return nil
	}
	out, err := os.Stat(output)
	if err != nil {
		return nil // it does not exist yet: it is none of them
	}
	for _, in := range inputs {
		if in == "" || in == "-" {
			continue
		}
		if st, err := os.Stat(in); err == nil && os.SameFile(st, out) {
			return &cmdError{kind: kindUsage, msg: fmt.Sprintf("%s %s is %s, which this run reads; writing it would destroy it", flag, output, in),
				hint: "give " + short + " another file name"}
		}
	}
	return nil
}
