package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// node is one compiled subschema. The validator supports the keywords the contract uses
// and refuses to compile any other, so an edit to the schema can never be silently ignored.
type node struct {
	loc       string // keyword location, "#/$defs/user"
	types     kind   // allowed kinds; 0 allows every kind
	props     map[string]*prop
	byLen     [24][]*prop // the same by the length of their names (the last: longer), so a lookup compares one or two
	required  []*prop
	closed    bool  // additionalProperties: false
	extra     *node // additionalProperties as a schema
	items     *node
	minItems  int
	enum      []string
	format    string
	formatFn  func(any) bool
	fast      fastFormat
	minimum   float64
	hasMin    bool
	minLength int
	anyOf     []*node
	ref       string
	target    *node
}

type prop struct {
	name string
	node *node
	bit  uint64 // set for required properties
	key  uint64 // its place among the object's properties, as a bit
	fact fact   // what the rules read of the member's value, when a checker taps a record
}

var annotations = map[string]bool{
	"$schema": true, "$id": true, "$comment": true, "$defs": true, "definitions": true,
	"title": true, "description": true, "examples": true, "default": true,
}

type compiler struct {
	root map[string]any
	refs map[string]*node
}

func compile(src []byte) (*node, error) {
	var root map[string]any
	if err := json.Unmarshal(src, &root); err != nil {
		return nil, err
	}
	c := &compiler{root: root, refs: map[string]*node{}}
	n, err := c.node(root, "#")
	if err != nil {
		return nil, err
	}
	return n, nil
}

func (c *compiler) node(v any, loc string) (*node, error) {
	m, ok := v.(map[string]any)
	if !ok {
		if b, ok := v.(bool); ok && b {
			return nil, nil // true: anything goes
		}
		return nil, fmt.Errorf("%s: only object schemas and true are supported", loc)
	}
	n := &node{loc: loc}
	for _, k := range sortedKeys(m) {
		if err := c.keyword(n, k, m[k], loc+"/"+k); err != nil {
			return nil, err
		}
	}
	if n.ref != "" && (n.types != 0 || n.props != nil || n.items != nil || n.enum != nil || n.format != "" || n.anyOf != nil) {
		return nil, fmt.Errorf("%s: $ref beside other keywords is not supported", loc)
	}
	if len(n.props) > 64 {
		return nil, fmt.Errorf("%s: at most 64 properties are supported", loc)
	}
	for i, k := range sortedKeys(n.props) {
		n.props[k].key = 1 << i
		at := min(len(k), len(n.byLen)-1)
		n.byLen[at] = append(n.byLen[at], n.props[k])
	}
	return n, nil
}

// keyword compiles one keyword k of a schema, with value val at location at, into n.
func (c *compiler) keyword(n *node, k string, val any, at string) (err error) {
	switch k {
	case "type":
		return n.setTypes(val, at)
	case "properties":
		return c.properties(n, val, at)
	case "required":
		return n.setRequired(val, at)
	case "additionalProperties":
		if b, ok := val.(bool); ok {
			n.closed = !b
			return nil
		}
		n.extra, err = c.node(val, at)
	case "items":
		n.items, err = c.node(val, at)
	case "minItems":
		n.minItems, err = count(val, at)
	case "minLength":
		n.minLength, err = count(val, at)
	case "minimum":
		f, ok := val.(float64)
		if !ok {
			return fmt.Errorf("%s: want a number", at)
		}
		n.minimum, n.hasMin = f, true
	case "enum":
		return n.setEnum(val, at)
	case "format":
		n.format, _ = val.(string)
		n.fast = fastFormats[n.format]
		if n.formatFn = jsonschema.Formats[n.format]; n.formatFn == nil {
			return fmt.Errorf("%s: unknown format %v", at, val)
		}
	case "anyOf":
		list, ok := val.([]any)
		if !ok || len(list) == 0 {
			return fmt.Errorf("%s: want a non-empty array", at)
		}
		for i, sub := range list {
			s, err := c.node(sub, fmt.Sprintf("%s/%d", at, i))
			if err != nil {
				return err
			}
			n.anyOf = append(n.anyOf, s)
		}
	case "$ref":
		n.ref, _ = val.(string)
		n.target, err = c.resolve(n.ref, at)
	default:
		if !annotations[k] {
			return fmt.Errorf("%s: keyword not supported by the validator", at)
		}
	}
	return err
}

func (c *compiler) resolve(ref, at string) (*node, error) {
	if n, ok := c.refs[ref]; ok {
		return n, nil
	}
	parts := strings.Split(strings.TrimPrefix(ref, "#/"), "/")
	if !strings.HasPrefix(ref, "#/") || len(parts) != 2 || parts[0] != "$defs" {
		return nil, fmt.Errorf("%s: only references to #/$defs/NAME are supported", at)
	}
	defs, _ := c.root["$defs"].(map[string]any)
	def, ok := defs[parts[1]]
	if !ok {
		return nil, fmt.Errorf("%s: %s does not exist", at, ref)
	}
	// The placeholder is stored first so a definition may refer to itself.
	placeholder := &node{}
	c.refs[ref] = placeholder
	n, err := c.node(def, ref)
	if err != nil {
		return nil, err
	}
	if n == nil {
		n = &node{loc: ref}
	}
	*placeholder = *n
	return placeholder, nil
}

func (c *compiler) properties(n *node, val any, at string) error {
	m, ok := val.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: want an object", at)
	}
	if n.props == nil {
		n.props = map[string]*prop{}
	}
	for name, sub := range m {
		s, err := c.node(sub, at+"/"+name)
		if err != nil {
			return err
		}
		p := n.props[name]
		if p == nil {
			p = &prop{name: name}
			n.props[name] = p
		}
		p.node = s
	}
	return nil
}

func (n *node) setRequired(val any, at string) error {
	list, ok := val.([]any)
	if !ok || len(list) > 64 {
		return fmt.Errorf("%s: want an array of at most 64 names", at)
	}
	if n.props == nil {
		n.props = map[string]*prop{}
	}
	for i, v := range list {
		name, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s/%d: want a string", at, i)
		}
		p := n.props[name]
		if p == nil {
			p = &prop{name: name}
			n.props[name] = p
		}
		p.bit = 1 << i
		n.required = append(n.required, p)
	}
	return nil
}

func (n *node) setTypes(val any, at string) error {
	names := map[string]kind{
		"null": kNull, "boolean": kBool, "number": kNumber | kInteger, "integer": kInteger,
		"string": kString, "array": kArray, "object": kObject,
	}
	var list []any
	switch v := val.(type) {
	case string:
		list = []any{v}
	case []any:
		list = v
	}
	for _, v := range list {
		s, _ := v.(string)
		k, ok := names[s]
		if !ok {
			return fmt.Errorf("%s: unknown type %v", at, v)
		}
		n.types |= k
	}
	if n.types == 0 {
		return fmt.Errorf("%s: want a type name or a list of them", at)
	}
	return nil
}

func (n *node) setEnum(val any, at string) error {
	list, ok := val.([]any)
	if !ok || len(list) == 0 {
		return fmt.Errorf("%s: want a non-empty array", at)
	}
	for _, v := range list {
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: only string values are supported", at)
		}
		n.enum = append(n.enum, s)
	}
	return nil
}

func count(val any, at string) (int, error) {
	f, ok := val.(float64)
	if !ok || f < 0 || f != math.Trunc(f) {
		return 0, fmt.Errorf("%s: want a non-negative integer", at)
	}
	return int(f), nil
}

// resolved follows $ref.
func (n *node) resolved() *node {
	for n != nil && n.target != nil {
		n = n.target
	}
	return n
}

// child returns the subschema for a member of an object node, and whether the member
// is allowed at all.
func (n *node) child(key []byte) (*prop, *node, bool) {
	for _, p := range n.byLen[min(len(key), len(n.byLen)-1)] {
		if p.name == string(key) {
			return p, p.node, true
		}
	}
	if n.closed {
		return nil, nil, false
	}
	return nil, n.extra, true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
