package main

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// output is where a converted file goes. It is written to a temporary file first, and
// only once the whole file is known to be valid is that renamed over the destination, or
// copied to a stream (stdout, /dev/null, a pipe) by the kernel. On any failure nothing
// is written and an existing file is left as it was.
type output struct {
	tmp    *os.File
	dest   string    // the regular file to replace; "" to copy to stream
	stream io.Writer // where the file goes when dest is ""
	name   string    // the destination, for messages
	mode   fs.FileMode
	done   bool
}

func newOutput(dest string, stdout io.Writer) (*output, error) {
	o := &output{stream: stdout, name: "stdout", mode: 0o644}
	dir := "" // the system's temporary folder, unless the file goes next to its destination
	if dest != "" && dest != "-" {
		o.name = dest
		dest = resolveLink(dest)
		switch st, err := os.Stat(dest); {
		case err == nil && st.IsDir():
			return nil, usageError("--output %s is a directory; give a file name", o.name)
		case err == nil && !st.Mode().IsRegular():
			f, err := os.OpenFile(dest, os.O_WRONLY, 0)
			if err != nil {
				return nil, failure("writing %s: %v", o.name, err)
			}
			o.stream = f
		default:
			if err == nil {
				o.mode = st.Mode().Perm()
			}
			o.dest, dir = dest, filepath.Dir(dest)
		}
	}
	tmp, err := os.CreateTemp(dir, ".torii-convert-*.json")
	if err != nil {
		return nil, failure("writing %s: %v", o.name, err)
	}
	o.tmp = tmp
	return o, nil
}

// sink is what the conversion writes to as it checks: the temporary file.
func (o *output) sink() io.Writer { return o.tmp }

// path is the file that holds the output once committed, for an upload.
func (o *output) path() string {
	if o.done {
		return o.dest
	}
	return o.tmp.Name()
}

// commit moves a valid file into place, or writes it to the stream.
func (o *output) commit() error {
	fail := func(err error) error {
		return failure("writing %s: %v", o.name, err)
	}
	if o.dest == "" && o.stream == nil {
		return nil // the file is only uploaded
	}
	if o.dest == "" {
		// The kernel copies the spool (copy_file_range, sendfile): no bytes pass through here.
		if _, err := o.tmp.Seek(0, io.SeekStart); err != nil {
			return fail(err)
		}
		if _, err := io.Copy(o.stream, o.tmp); err != nil {
			return fail(err)
		}
		return nil
	}
	if err := o.tmp.Chmod(o.mode); err != nil {
		return fail(err)
	}
	if err := o.tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := o.tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(o.tmp.Name(), o.dest); err != nil {
		return fail(err)
	}
	o.done = true
	return nil
}

// discard removes the temporary file unless it became the destination.
func (o *output) discard() {
	if o.tmp != nil {
		o.tmp.Close()
		if !o.done {
			os.Remove(o.tmp.Name())
		}
	}
	if c, ok := o.stream.(io.Closer); ok && o.name != "stdout" {
		c.Close()
	}
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
