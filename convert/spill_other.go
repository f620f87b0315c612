//go:build !linux

package convert

// spillFile would keep users in a temporary file: only on Linux for now (see
// spill_linux.go), elsewhere they all stay in memory and the notice says so.
type spillFile struct{}

func outOfSpace(error) bool { return false }

func openSpill(string) (*spillFile, error) { return nil, errNoSpill }

func (*spillFile) extend(int) ([]byte, error) { return nil, errNoSpill }
func (*spillFile) drop([]byte)                {}
func (*spillFile) unmap([]byte)               {}
func (*spillFile) close()                     {}
