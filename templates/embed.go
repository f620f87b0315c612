// Package templates holds the built-in mapping templates and the JSON Schema of the
// template format. It is data only; convert reads it.
package templates

import "embed"

// FS holds the built-in templates, one NAME.json each, and template.schema.json.
//
//go:embed *.json
var FS embed.FS

// SchemaFile is the name of the template format's JSON Schema in FS.
const SchemaFile = "template.schema.json"
