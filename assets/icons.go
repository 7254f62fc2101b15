package assets

import _ "embed"

// Icon is the application icon (512x512 PNG), drawn for sinba.
//
//go:embed icons/icon.png
var Icon []byte
