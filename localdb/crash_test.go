package localdb

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"sinba/survey"
)

const crashEnv = "SINBA_LOCALDB_CRASH_DIR"

// TestCrashChild is the child of TestKilledMidSave: it saves records until
// it is killed and prints every acknowledged save.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("run by TestKilledMidSave")
	}
	ctx := context.Background()
	st, err := OpenWith(dir, pass, testOpts)
	if err != nil {
		fmt.Printf("open failed: %v\n", err)
		os.Exit(3)
	}
	var ids []string
	for i := 0; ; i++ {
		rec := caseRecord(rand.IntN(100000))
		if len(ids) > 0 && rand.IntN(2) == 0 {
			rec.ID = ids[rand.IntN(len(ids))]
		}
		status := []survey.Status{survey.StatusDraft, survey.StatusFinal}[rand.IntN(2)]
		info, err := st.Save(ctx, rec, SaveOptions{Status: status, Actor: "crash"})
		if err != nil {
			fmt.Printf("save failed: %v\n", err)
			os.Exit(4)
		}
		ids = append(ids, info.ID)
		// Unbuffered: a line the parent reads is a save that returned.
		os.Stdout.WriteString("ack " + info.ID + " " + info.Revision + "\n")
		if i%7 == 6 {
			out, _ := st.Outbox(ctx, 3)
			var revs []string
			for _, e := range out {
				revs = append(revs, e.Revision)
			}
			st.MarkSent(ctx, revs, "r")
		}
	}
}

// TestKilledMidSave kills a child process with SIGKILL at random points of a
// stream of saves, 200 times: every acknowledged save must be there and
// every row must decrypt.
func TestKilledMidSave(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	kills := 200
	dir := filepath.Join(t.TempDir(), "crash")
	st, _, err := CreateWith(dir, pass, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	ctx := context.Background()
	acked := map[string]string{} // revision -> record
	var totalAcks int
	for round := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Kill anywhere from start-up (opening, recovering the WAL) to well
		// into the saves.
		time.Sleep(time.Duration(rand.IntN(80)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		var other []string
		for l := range lines {
			if f := strings.Fields(l); len(f) == 3 && f[0] == "ack" {
				acked[f[2]] = f[1]
				totalAcks++
			} else if strings.Contains(l, "failed") {
				other = append(other, l)
			}
		}
		cmd.Wait()
		if len(other) > 0 {
			t.Fatalf("round %d: the child failed: %v", round, other)
		}
		st, err := OpenWith(dir, pass, testOpts)
		if err != nil {
			t.Fatalf("round %d: open after SIGKILL: %v", round, err)
		}
		for rev, id := range acked {
			r, err := st.GetRevision(ctx, rev)
			if err != nil || r.RecordID != id {
				t.Fatalf("round %d: acknowledged revision %s of %s: %+v, %v", round, rev, id, r, err)
			}
		}
		if round%50 == 49 || round == kills-1 {
			if bad, err := st.Verify(ctx); err != nil || len(bad) > 0 {
				t.Fatalf("round %d: Verify: %v %v", round, bad, err)
			}
		}
		st.Close()
	}
	t.Logf("%d kills, %d acknowledged saves, all present", kills, totalAcks)
	if totalAcks == 0 {
		t.Fatal("no save was ever acknowledged: the kills came too early to test anything")
	}
}
