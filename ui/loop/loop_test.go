package loop_test

import (
	"testing"
	"time"

	"sinba/ui/loop"
)

// Captured work runs on the goroutine that settles, in order, and only
// then; Busy holds until the UI part of Go and After work has run.
func TestCapturedWorkRunsOnTheSettlingGoroutine(t *testing.T) {
	loop.Capture()
	var got []string // touched only by this goroutine if the queue works
	release := make(chan struct{})
	loop.Go(func() func() {
		<-release
		return func() { got = append(got, "go") }
	})
	loop.After(20*time.Millisecond, func() {
		got = append(got, "after")
		loop.Go(func() func() { return func() { got = append(got, "nested") } })
	})
	if !loop.Busy() {
		t.Fatal("not busy with work handed out")
	}
	if loop.RunQueued() || len(got) != 0 {
		t.Fatalf("ran %v before the work was done", got)
	}
	close(release)
	if !loop.Settle(10 * time.Second) {
		t.Fatal("still busy after settling")
	}
	if loop.Busy() {
		t.Fatal("busy after Settle returned true")
	}
	if len(got) != 3 || got[len(got)-1] != "nested" {
		t.Fatalf("ran %v, want go, after and then nested", got)
	}

	ran := false
	loop.Do(func() { ran = true })
	if loop.Busy() {
		t.Fatal("Do counts as busy")
	}
	if ran || !loop.RunQueued() || !ran {
		t.Fatal("Do did not wait for RunQueued")
	}
}

// Settle gives up after its timeout while work is still out.
func TestSettleTimesOut(t *testing.T) {
	loop.Capture()
	release := make(chan struct{})
	loop.Go(func() func() { <-release; return nil })
	if loop.Settle(30 * time.Millisecond) {
		t.Fatal("settled while work was still running")
	}
	close(release)
	if !loop.Settle(10 * time.Second) {
		t.Fatal("still busy once the work returned")
	}
}
