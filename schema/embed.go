package schema

import _ "embed"

// Source is the JSON Schema of Torii's customIntegrationData file.
//
//go:embed customIntegrationData.json
var Source []byte
