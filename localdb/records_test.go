package localdb

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"sinba/survey"
)

func TestRevisionsOutboxAndMarkSent(t *testing.T) {
	ctx := context.Background()
	st, dir, _ := newStore(t)
	rec := caseRecord(1)
	first, err := st.Save(ctx, rec, SaveOptions{Actor: "anna"})
	if err != nil {
		t.Fatal(err)
	}
	rec.ID = first.ID
	rec.Answers["AnnoNascita"] = "2013"
	second, err := st.Save(ctx, rec, SaveOptions{Actor: "anna", Status: survey.StatusFinal})
	if err != nil {
		t.Fatal(err)
	}
	if second.BaseRevision != first.Revision || second.Status != survey.StatusFinal || second.Conflict {
		t.Fatalf("second revision = %+v, want base %s, final, no conflict", second, first.Revision)
	}
	out, err := st.Outbox(ctx, 0)
	if err != nil || len(out) != 2 || out[0].Revision != first.Revision || out[1].Revision != second.Revision {
		t.Fatalf("Outbox = %+v, %v; want both revisions oldest first", out, err)
	}
	if out[1].Record.Answers["AnnoNascita"] != "2013" || out[1].Status != survey.StatusFinal {
		t.Fatalf("Outbox entry = %+v", out[1])
	}
	for range 2 { // idempotent
		if err := st.MarkSent(ctx, []string{first.Revision, second.Revision}, "rcpt-9"); err != nil {
			t.Fatal(err)
		}
	}
	st = reopen(t, st, dir)
	if out, _ := st.Outbox(ctx, 0); len(out) != 0 {
		t.Fatalf("Outbox after MarkSent = %+v", out)
	}
	_, info, err := st.Get(ctx, first.ID)
	if err != nil || info.SyncState != SyncSent || info.Revision != second.Revision {
		t.Fatalf("Get = %+v, %v; want head %s sent", info, err, second.Revision)
	}
	h, err := st.History(ctx, first.ID)
	if err != nil || len(h) != 2 || h[0].Record.Answers["AnnoNascita"] != "2012" || h[1].ReceiptID != "rcpt-9" || h[0].Actor != "anna" {
		t.Fatalf("History = %+v, %v", h, err)
	}
	audit, err := st.Audit(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range audit {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, ","); got != "unlock,sent,save,save,create" {
		t.Errorf("audit actions (newest first) = %s", got)
	}
}

func TestConflictKeepsBoth(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	rec := caseRecord(2)
	r1, err := st.Save(ctx, rec, SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rec.ID = r1.ID
	st.MarkSent(ctx, []string{r1.Revision}, "rc1")

	// A review decision on our sent head: fast-forward.
	remote := rec
	conflict, err := st.ApplyRemote(ctx, RemoteRevision{RecordID: rec.ID, Revision: "rv-2", BaseRevision: r1.Revision,
		Status: survey.StatusReturned, Record: remote, Origin: OriginCoordinators,
		Comments: []survey.Comment{{Field: "AnnoNascita", Text: "controllare l'anno"}}})
	if err != nil || conflict {
		t.Fatalf("ApplyRemote on head: conflict=%v err=%v", conflict, err)
	}
	_, info, _ := st.Get(ctx, rec.ID)
	if info.Revision != "rv-2" || info.Status != survey.StatusReturned || info.SyncState != SyncRemote {
		t.Fatalf("after fast-forward: %+v", info)
	}
	if rs, _ := st.ReviewState(ctx, rec.ID, nil); len(rs.Threads) != 1 || rs.Threads[0].Field != "AnnoNascita" || rs.Threads[0].State != survey.ThreadReturned {
		t.Fatalf("review threads = %+v", rs.Threads)
	}

	// We edit locally (unsent) while another laptop edits the same version.
	local := rec
	local.Answers = survey.Answers{"AnnoNascita": "2011"}
	r3, err := st.Save(ctx, local, SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	other := rec
	other.Answers = survey.Answers{"AnnoNascita": "2010"}
	rv := RemoteRevision{RecordID: rec.ID, Revision: "rv-4", BaseRevision: "rv-2", Record: other, Origin: "laptop-2"}
	for range 2 { // idempotent
		conflict, err = st.ApplyRemote(ctx, rv)
		if err != nil || !conflict {
			t.Fatalf("concurrent edit: conflict=%v err=%v, want conflict", conflict, err)
		}
	}
	got, info, _ := st.Get(ctx, rec.ID)
	if info.Revision != r3.Revision || info.OtherRevision != "rv-4" || !info.Conflict || got.Answers["AnnoNascita"] != "2011" {
		t.Fatalf("in conflict: head %+v answers %v; want our head kept and rv-4 beside it", info, got.Answers)
	}
	if l, _ := st.List(ctx, Filter{Conflict: true}); len(l) != 1 {
		t.Fatalf("List(conflict) = %d records", len(l))
	}
	theirs, err := st.GetRevision(ctx, "rv-4")
	if err != nil || theirs.Record.Answers["AnnoNascita"] != "2010" || theirs.Origin != "laptop-2" {
		t.Fatalf("GetRevision(rv-4) = %+v, %v", theirs, err)
	}

	merged := rec
	merged.Answers = survey.Answers{"AnnoNascita": "2010", "Nota": "verificato"}
	res, err := st.Resolve(ctx, rec.ID, merged, "anna")
	if err != nil || res.Conflict || res.BaseRevision != r3.Revision {
		t.Fatalf("Resolve = %+v, %v", res, err)
	}
	out, _ := st.Outbox(ctx, 0)
	last := out[len(out)-1]
	if last.Revision != res.Revision || last.BaseRevision != r3.Revision || last.MergedRevision != "rv-4" {
		t.Fatalf("resolution in the outbox = %+v", last)
	}
	h, _ := st.History(ctx, rec.ID)
	if len(h) != 5 {
		t.Fatalf("History has %d revisions, want 5 (nothing dropped)", len(h))
	}

	// A remote version identical to our head is no conflict. (The record is
	// still returned: its head revision is the researcher's draft.)
	if res.Status != survey.StatusReturned {
		t.Fatalf("a resolved returned record is %s, want returned", res.Status)
	}
	same := RemoteRevision{RecordID: rec.ID, Revision: "rv-6", BaseRevision: "elsewhere", Record: merged, Status: survey.StatusDraft}
	if conflict, err := st.ApplyRemote(ctx, same); err != nil || conflict {
		t.Fatalf("identical remote: conflict=%v err=%v", conflict, err)
	}

	// Two windows: a save based on a stale revision keeps both.
	stale, err := st.Save(ctx, merged, SaveOptions{BaseRevision: r3.Revision})
	if err != nil || !stale.Conflict || stale.OtherRevision != "rv-6" {
		t.Fatalf("stale save = %+v, %v; want conflict with rv-6", stale, err)
	}
	if _, err := st.Save(ctx, merged, SaveOptions{BaseRevision: "nope"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("save on an unknown base: %v", err)
	}
}

func TestNewRemoteRecord(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	rec := caseRecord(3)
	rec.ID = "11111111-2222-3333-4444-555555555555"
	if c, err := st.ApplyRemote(ctx, RemoteRevision{RecordID: rec.ID, Revision: "rv-1", Record: rec, Origin: "laptop-3"}); err != nil || c {
		t.Fatalf("ApplyRemote(new) = %v, %v", c, err)
	}
	got, err := st.Lookup(ctx, rec.Identity.FiscalCode)
	if err != nil || len(got) != 1 || got[0].ID != rec.ID || got[0].SyncState != SyncRemote {
		t.Fatalf("Lookup = %+v, %v", got, err)
	}
	if out, _ := st.Outbox(ctx, 0); len(out) != 0 {
		t.Fatalf("a remote revision must not be sent back: %+v", out)
	}
}

func TestSecretsAndReceipts(t *testing.T) {
	ctx := context.Background()
	st, dir, _ := newStore(t)
	if _, err := st.Secret(ctx, "server-url"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("absent secret: %v", err)
	}
	st.SetSecret(ctx, "server-url", []byte("https://sinba.example"))
	st.SetSecret(ctx, "server-url", []byte("https://sinba.example/v2"))
	st.SaveReceipt(ctx, "r1", []byte(`{"n":1}`))
	st = reopen(t, st, dir)
	if v, err := st.Secret(ctx, "server-url"); err != nil || string(v) != "https://sinba.example/v2" {
		t.Fatalf("Secret = %q, %v", v, err)
	}
	if rs, err := st.Receipts(ctx, 10); err != nil || len(rs) != 1 || string(rs[0].Body) != `{"n":1}` {
		t.Fatalf("Receipts = %+v, %v", rs, err)
	}
	db := rawDB(t, dir)
	mustExec(t, db, `UPDATE secrets SET key = 'other' WHERE key = 'server-url'`)
	if _, err := st.Secret(ctx, "other"); !errors.Is(err, ErrTampered) {
		t.Fatalf("moved secret: %v, want ErrTampered", err)
	}
	st.SetSecret(ctx, "other", nil)
	if _, err := st.Secret(ctx, "other"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted secret: %v", err)
	}
}

func TestLockAndIdleLock(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	locked := make(chan struct{})
	st.SetIdleLock(30*time.Millisecond, func() { close(locked) })
	select {
	case <-locked:
	case <-time.After(10 * time.Second):
		t.Fatal("the idle lock never fired")
	}
	if !st.Locked() || st.k != nil || st.idx != nil {
		t.Fatal("keys or index still in memory after the idle lock")
	}
	if _, err := st.List(ctx, Filter{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("List after lock: %v", err)
	}
	if _, err := st.Save(ctx, caseRecord(1), SaveOptions{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("Save after lock: %v", err)
	}

	st2, _, _ := newStore(t)
	data := st2.k.data
	st2.Lock()
	for _, b := range data {
		if b != 0 {
			t.Fatal("Lock left the data key bytes in memory")
		}
	}
	if err := st2.Lock(); err != nil {
		t.Fatalf("second Lock: %v", err)
	}
}

func TestDiskFullLosesNothing(t *testing.T) {
	ctx := context.Background()
	st, dir, _ := newStore(t)
	var saved []RecordInfo
	for i := range 3 {
		info, err := st.Save(ctx, caseRecord(i), SaveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		saved = append(saved, info)
	}
	// Cap the database at its present size: SQLite then reports SQLITE_FULL,
	// exactly as on a full disk.
	var pages int
	st.w.QueryRow(`PRAGMA page_count`).Scan(&pages)
	mustExec(t, st.w, `PRAGMA max_page_count = `+strconv.Itoa(pages))
	big := caseRecord(9)
	big.Answers["Nota"] = strings.Repeat("dati ", 200000)
	if _, err := st.Save(ctx, big, SaveOptions{}); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("Save on a full disk: %v, want ErrDiskFull", err)
	}
	if !strings.Contains(ErrDiskFull.Error(), "disco pieno") {
		t.Errorf("message: %s", ErrDiskFull)
	}
	mustExec(t, st.w, `PRAGMA max_page_count = 1073741823`)
	if _, err := st.Save(ctx, big, SaveOptions{}); err != nil {
		t.Fatalf("Save after freeing space: %v", err)
	}
	st = reopen(t, st, dir)
	for i, info := range saved {
		if rec, _, err := st.Get(ctx, info.ID); err != nil || rec.Identity.Surname != caseRecord(i).Identity.Surname {
			t.Fatalf("record %d after the full disk: %v", i, err)
		}
	}
	if l, _ := st.List(ctx, Filter{}); len(l) != 4 {
		t.Fatalf("List = %d records, want 4", len(l))
	}
}

// When the normaliser changes (here: from a plain one that does not fold
// omocodia to survey's), the next unlock rebuilds the blind index, and the
// omocodic form of a code finds the child saved under it.
func TestNormaliserChangeReindexes(t *testing.T) {
	ctx := context.Background()
	plain := func(cf string) string { return strings.ToUpper(strings.Join(strings.Fields(cf), "")) }
	normalizeFiscalCode = plain
	t.Cleanup(func() { normalizeFiscalCode = survey.NormalizeFiscalCode })

	st, dir, _ := newStore(t)
	rec := caseRecord(5)
	rec.Identity.FiscalCode = "RSSMRA80A01H5LMX" // omocodic form of RSSMRA80A01H501U
	info, err := st.Save(ctx, rec, SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Lookup(ctx, "RSSMRA80A01H501U"); len(got) != 0 {
		t.Fatalf("the plain normaliser does not fold omocodia, yet Lookup found %+v", got)
	}
	normalizeFiscalCode = survey.NormalizeFiscalCode
	st = reopen(t, st, dir)
	got, err := st.Lookup(ctx, "rssmra80a01h501u")
	if err != nil || len(got) != 1 || got[0].ID != info.ID {
		t.Fatalf("Lookup after the normaliser changed = %+v, %v", got, err)
	}
}

// TestSentSummary: records held by the server, held at their newest
// version, and waiting; a colleague's record received here is not this
// laptop's work.
func TestSentSummary(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	if got, err := st.SentSummary(ctx); err != nil || got != (SentSummary{}) {
		t.Fatalf("empty store: %+v, %v", got, err)
	}
	var revs []string
	var ids []string
	for i := range 3 {
		info, err := st.Save(ctx, caseRecord(i+1), SaveOptions{Actor: "anna"})
		if err != nil {
			t.Fatal(err)
		}
		revs, ids = append(revs, info.Revision), append(ids, info.ID)
	}
	if got, _ := st.SentSummary(ctx); got != (SentSummary{Waiting: 3}) {
		t.Errorf("three unsent: %+v", got)
	}
	if err := st.MarkSent(ctx, revs[:2], "rc1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.SentSummary(ctx); got != (SentSummary{Held: 2, HeldLatest: 2, Waiting: 1}) {
		t.Errorf("two sent: %+v", got)
	}
	// A new version of a sent record waits: the server holds an older one.
	rec, _, err := st.Get(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	rec.Answers["AnnoNascita"] = 2013
	if _, err := st.Save(ctx, rec, SaveOptions{Actor: "anna"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.SentSummary(ctx); got != (SentSummary{Held: 2, HeldLatest: 1, Waiting: 2}) {
		t.Errorf("one edited after sending: %+v", got)
	}
	// A colleague's record applied here counts for nothing.
	other := caseRecord(9)
	other.ID = "colleague-record"
	if _, err := st.ApplyRemote(ctx, RemoteRevision{RecordID: other.ID, Revision: "rv-c1", Status: survey.StatusFinal,
		Record: other, Origin: "device-b", SavedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.SentSummary(ctx); got != (SentSummary{Held: 2, HeldLatest: 1, Waiting: 2}) {
		t.Errorf("with a colleague's record: %+v", got)
	}
}
