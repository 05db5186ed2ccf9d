// Package docs carries the documents that the running service serves, so
// that the copy in docs/ and the one on /api/v1/openapi.json are one file.
package docs

import _ "embed"

// OpenAPI is the JSON API's OpenAPI 3.1 document.
//
//go:embed openapi.json
var OpenAPI []byte
