//go:build linux

package backend_test

import (
	"syscall"
	"time"
)

// threadCPU is the CPU time used so far by the calling OS thread (lock the
// goroutine to it first): what a goroutine cost, without the time the
// system gave the processor to others.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if syscall.Getrusage(rusageThread, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
