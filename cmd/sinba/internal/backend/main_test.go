package backend_test

import (
	"os"
	"testing"

	"sinba/ui/loop"
)

// TestMain makes the screens' work from other goroutines wait for the test
// goroutine (waitFor, settle), as it waits for the app's event loop: Fyne's
// test driver would run it beside the test.
func TestMain(m *testing.M) {
	loop.Capture()
	os.Exit(m.Run())
}
