// Package loop is the one way the screens hand work to the UI goroutine:
// from a goroutine of their own (Do), after a delay (After), or as the
// result of a long job run off the UI goroutine (Go).
//
// In the app, Do is fyne.Do. Fyne's test driver runs fyne.Do on the
// goroutine that calls it, beside the test's own goroutine, so the widgets
// would be touched from two goroutines at once. Tests therefore call
// Capture: what is handed over then waits in a queue, and the test
// goroutine runs it when it calls Settle or RunQueued, as the app's event
// loop would.
package loop

import (
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
)

var (
	mu       sync.Mutex
	captured bool
	queue    []func()
	wake     = make(chan struct{}, 1)

	pending atomic.Int32 // Go and After work whose UI part has not run yet
)

// Do runs f on the UI goroutine.
func Do(f func()) {
	mu.Lock()
	if !captured {
		mu.Unlock()
		fyne.Do(f)
		return
	}
	queue = append(queue, f)
	mu.Unlock()
	select {
	case wake <- struct{}{}:
	default:
	}
}

// Go runs work off the UI goroutine, then what it returns (if not nil) on
// the UI goroutine. The app is Busy until that has run.
func Go(work func() (apply func())) {
	pending.Add(1)
	go func() {
		apply := work()
		Do(func() {
			defer pending.Add(-1)
			if apply != nil {
				apply()
			}
		})
	}()
}

// After runs f on the UI goroutine once d has passed. The app is Busy
// until f has run.
func After(d time.Duration, f func()) {
	pending.Add(1)
	time.AfterFunc(d, func() {
		Do(func() {
			defer pending.Add(-1)
			f()
		})
	})
}

// Busy reports whether work handed out with Go or After has not finished
// showing its result yet.
func Busy() bool { return pending.Load() > 0 }

// Capture makes Do queue its work for RunQueued and Settle instead of
// calling fyne.Do; tests call it before they build any screen.
func Capture() {
	mu.Lock()
	captured = true
	mu.Unlock()
}

// RunQueued runs on the calling goroutine, in order, what Do has queued so
// far (also what the queued work queues in turn); it reports whether it ran
// anything.
func RunQueued() bool {
	ran := false
	for {
		mu.Lock()
		q := queue
		queue = nil
		mu.Unlock()
		if len(q) == 0 {
			return ran
		}
		for _, f := range q {
			f()
		}
		ran = true
	}
}

// Settle runs queued work on the calling goroutine until nothing is Busy
// and nothing waits in the queue; it reports false if that did not happen
// within timeout.
func Settle(timeout time.Duration) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		RunQueued()
		if !Busy() {
			mu.Lock()
			empty := len(queue) == 0
			mu.Unlock()
			if empty {
				return true
			}
			continue
		}
		select {
		case <-wake:
		case <-deadline.C:
			RunQueued()
			return !Busy()
		}
	}
}
