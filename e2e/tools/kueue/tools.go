//go:build tools

// Package tools pins the Kueue controller manager built from this module: the upstream
// sigs.k8s.io/kueue/cmd/kueue, unchanged, for the Kueue side-by-side benchmark.
package tools

import _ "sigs.k8s.io/kueue/cmd/kueue"
