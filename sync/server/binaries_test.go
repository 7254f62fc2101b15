package server_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"sinba/sync/server"
	"sinba/sync/synctest"
)

// TestTwoServerBinariesThroughTheFaultProxy is the test of two processes
// with real ones: the sinba-server binary, built from this tree, started
// twice with "serve" on one PostgreSQL database, each on a port of its
// own, the laptops' traffic spread over both through the chaos proxy; one
// is killed with SIGKILL in the middle of a round and started again later.
// Every revision is held once, every laptop holds its team's records, and a
// request one process served is refused as a replay by the other.
func TestTwoServerBinariesThroughTheFaultProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds sinba-server and runs it twice for a few seconds")
	}
	p := synctest.NewProject(t, t.TempDir())
	t.Cleanup(func() { p.Store.Close() })
	if !server.IsPostgres(p.Database) {
		t.Skip("server processes share a PostgreSQL database: runs in the tests on PostgreSQL")
	}
	bin := buildServer(t)
	dir := t.TempDir()
	a := &binary{t: t, bin: bin, database: p.Database, dir: dir, name: "a"}
	b := &binary{t: t, bin: bin, database: p.Database, dir: dir, name: "b"}
	t.Cleanup(func() {
		if t.Failed() {
			for _, x := range []*binary{a, b} {
				x.dumpLogs()
			}
		}
	})
	twoProcesses(t, p, a, b, 100)
	if !b.killed[1] {
		t.Error("process b's first start did not end by SIGKILL")
	}
}

// buildServer builds cmd/sinba-server into a temporary folder.
func buildServer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "sinba-server")
	cmd := exec.Command("go", "build", "-o", bin, "sinba/cmd/sinba-server")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build sinba-server: %v\n%s", err, out)
	}
	return bin
}

// binary is a sinba-server process, started by the test.
type binary struct {
	t                  *testing.T
	bin, database, dir string
	name               string
	mu                 sync.Mutex
	cmd                *exec.Cmd
	addr               string
	starts             int
	killed             map[int]bool // the starts whose process ended by SIGKILL
	log                *os.File
	exited             chan struct{}
}

func (x *binary) start() {
	x.t.Helper()
	x.mu.Lock()
	defer x.mu.Unlock()
	x.starts++
	addrFile := filepath.Join(x.dir, fmt.Sprintf("%s-%d.addr", x.name, x.starts))
	log, err := os.Create(filepath.Join(x.dir, fmt.Sprintf("%s-%d.log", x.name, x.starts)))
	if err != nil {
		x.t.Fatal(err)
	}
	cmd := exec.Command(x.bin, "serve", "--database", x.database, "--addr", "127.0.0.1:0", "--addr-file", addrFile,
		"--log", "json", "--device-rate", "1000", "--device-burst", "1000")
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlives the test
	if err := cmd.Start(); err != nil {
		x.t.Fatal(err)
	}
	exited, n := make(chan struct{}), x.starts
	go func() {
		_ = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			x.mu.Lock()
			if x.killed == nil {
				x.killed = map[int]bool{}
			}
			x.killed[n] = true
			x.mu.Unlock()
		}
		close(exited)
	}()
	x.cmd, x.log, x.exited = cmd, log, exited
	x.t.Cleanup(func() { x.stop(cmd, exited) })
	deadline := time.Now().Add(30 * time.Second)
	for {
		if b, err := os.ReadFile(addrFile); err == nil && bytes.HasSuffix(b, []byte("\n")) {
			x.addr = strings.TrimSpace(string(b))
			return
		}
		select {
		case <-exited:
			out, _ := os.ReadFile(log.Name())
			x.t.Fatalf("sinba-server %s stopped before it listened:\n%s", x.name, out)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("sinba-server %s not listening after 30 s", x.name)
		}
	}
}

// dumpLogs puts the processes' logs in the test's output.
func (x *binary) dumpLogs() {
	for i := 1; i <= x.starts; i++ {
		out, _ := os.ReadFile(filepath.Join(x.dir, fmt.Sprintf("%s-%d.log", x.name, i)))
		if len(out) > 8000 {
			out = out[len(out)-8000:]
		}
		x.t.Logf("sinba-server %s, start %d, the end of its log:\n%s", x.name, i, out)
	}
}

func (x *binary) address() string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.addr
}

// kill sends SIGKILL: the process ends at once, its requests in flight, its
// transactions and its connections to PostgreSQL cut where they are.
func (x *binary) kill() {
	x.mu.Lock()
	cmd, exited := x.cmd, x.exited
	x.mu.Unlock()
	x.stop(cmd, exited)
}

func (x *binary) stop(cmd *exec.Cmd, exited chan struct{}) {
	if cmd == nil {
		return
	}
	select {
	case <-exited:
		return
	default:
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-exited
}
