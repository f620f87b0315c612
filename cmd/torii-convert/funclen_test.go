package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// maxFuncLines is the longest a function may be, from its func line to its closing brace.
const maxFuncLines = 60

// longFuncs are the functions allowed past maxFuncLines: only byte scanners, whose
// state lives in their locals and whose cases read best side by side. A function that
// comes back under the limit must leave this list.
var longFuncs = map[string]string{
	// The workbook's XML scanner: the text up to a tag, then what kind of markup the
	// tag is, over the bytes of a buffered reader, kept whole as the readers' hot loop.
	"convert/source/xmlscan.go (*xmlScanner).next": "the XML byte scanner",
}

// TestFunctionLength keeps functions short enough to read at once: none of the
// module's non-test Go files has one over maxFuncLines lines, but for longFuncs.
func TestFunctionLength(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			name := filepath.ToSlash(rel) + " " + funcName(fn)
			lines := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1
			if lines <= maxFuncLines {
				continue
			}
			if _, ok := longFuncs[name]; ok {
				seen[name] = true
				continue
			}
			t.Errorf("%s is %d lines, over %d: split it into named steps", name, lines, maxFuncLines)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name := range longFuncs {
		if !seen[name] {
			t.Errorf("%s is allowed past %d lines but is no longer there or no longer that long: take it off longFuncs", name, maxFuncLines)
		}
	}
}

// funcName is a function's name as go doc writes it: "(*T).M" for a method.
func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	typ := fn.Recv.List[0].Type
	star := ""
	if s, ok := typ.(*ast.StarExpr); ok {
		star, typ = "*", s.X
	}
	switch x := typ.(type) {
	case *ast.IndexExpr: // a generic type's method
		typ = x.X
	case *ast.IndexListExpr:
		typ = x.X
	}
	return fmt.Sprintf("(%s%s).%s", star, typ.(*ast.Ident).Name, fn.Name.Name)
}
