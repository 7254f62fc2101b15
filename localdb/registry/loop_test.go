package registry_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"sinba/assets"
	"sinba/localdb"
	"sinba/localdb/registry"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/sync/server"
	"sinba/sync/session"
	"sinba/sync/synctest"
)

var fast = client.Options{Backoff: session.Backoff{Base: time.Millisecond, Max: 20 * time.Millisecond, Attempts: 4}}

type laptop struct {
	st *localdb.Store
	c  *client.Client
}

func enrol(t *testing.T, p *synctest.Project) laptop {
	t.Helper()
	st := synctest.Laptop(t, t.TempDir())
	c := client.New(st, fast)
	if _, err := c.Enrol(t.Context(), p.URL, p.Code(t, p.TeamA)); err != nil {
		t.Fatalf("enrol: %v", err)
	}
	return laptop{st, c}
}

func (l laptop) sync(t *testing.T) *client.Report {
	t.Helper()
	rep, err := l.c.SyncOnce(t.Context(), nil)
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	if rep.Refused != 0 {
		t.Fatalf("sync: %d refused: %+v", rep.Refused, rep.Receipts)
	}
	return rep
}

func (l laptop) set(t *testing.T) *registry.Set {
	t.Helper()
	s, err := registry.Load(t.Context(), l.st)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func forNew(t *testing.T, s *registry.Set) (int, bool) {
	t.Helper()
	in, published, ok := s.ForNew(survey.InstrumentCase)
	if !ok {
		t.Fatal("no case record instrument")
	}
	return in.Version, published
}

// TestPublishedVersionReachesLaptops is the instrument loop end to end, on
// a real server and two real laptop stores of one team: versions 2 and 3
// (3 declaring how records of 2 move) are published; both laptops receive
// them at sync and take version 3 for new records; a draft of version 1
// moves forward by the declared mapping, with its history; a colleague's
// record of version 3, received in the same round as version 3 itself, opens
// and validates on a laptop that had only version 1; a version this app
// cannot read is reported, never used.
func TestPublishedVersionReachesLaptops(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir()) // publishes version 1
	p.Serve(t, server.Config{})
	l1 := enrol(t, p)
	l1.sync(t)
	l2 := enrol(t, p)
	l2.sync(t)
	synctest.Confirm(t, l1.c, l2.c)
	l2.sync(t)

	// Before anything is received the built-in newest is used, unpublished;
	// once version 1 arrives, new records take it, though the app ships 2.
	fresh := synctest.Laptop(t, t.TempDir())
	if v, pub := forNew(t, must(registry.Load(ctx, fresh))); v != 2 || pub {
		t.Fatalf("a laptop that received nothing: new records take version %d (published %v), want 2 built in", v, pub)
	}
	for i, l := range []laptop{l1, l2} {
		if v, pub := forNew(t, l.set(t)); v != 1 || !pub {
			t.Fatalf("laptop %d with version 1 published: new records take %d (published %v), want 1", i+1, v, pub)
		}
	}

	// A draft of version 1 on laptop 1.
	draft := survey.Record{Instrument: survey.InstrumentCase, Version: 1, Municipality: synctest.MunicipalityA, Answers: survey.Answers{
		"IDBeneficiario": "IDBOZZA1", "AnnoNascita": 2012, "NumeroComponentiISEE": 4,
		"TitoloStudioPadre": "3", "OccupazionePadre": "2",
	}}
	di, err := l1.st.Save(ctx, draft, localdb.SaveOptions{Actor: "rilevatore"})
	if err != nil {
		t.Fatal(err)
	}
	l1.sync(t)

	b2, err := assets.Instruments.ReadFile("instruments/scheda-minore.v2.json")
	if err != nil {
		t.Fatal(err)
	}
	p.PublishCase(t, 2, b2)
	p.PublishCase(t, 3, synctest.CaseV3(t))

	if rep := l1.sync(t); rep.Instruments != 2 {
		t.Fatalf("laptop 1 received %d instrument versions, want 2", rep.Instruments)
	}
	s1 := l1.set(t)
	if v, pub := forNew(t, s1); v != 3 || !pub {
		t.Fatalf("laptop 1 after sync: new records take %d (published %v), want 3", v, pub)
	}
	if got := s1.Published(survey.InstrumentCase); !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("published versions %v, want [1 2 3]", got)
	}

	// Laptop 1 makes a record of version 3 and finalises it; laptop 2 has
	// had only version 1 so far, and receives version 3 with the record.
	colleague := synctest.RealisticCase(synctest.MunicipalityA, 42)
	colleague.Version = 2
	if _, err := s1.Registry.Move(&colleague, 3); err != nil {
		t.Fatal(err)
	}
	ci, err := l1.st.Save(ctx, colleague, localdb.SaveOptions{Status: survey.StatusFinal, Actor: "rilevatore"})
	if err != nil {
		t.Fatal(err)
	}
	l1.sync(t)
	in3, _ := s1.Registry.Get(survey.InstrumentCase, 3)
	at := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	want := survey.ValidateAt(in3, &colleague, at)

	rep := l2.sync(t)
	if rep.Instruments != 2 || rep.Received == 0 {
		t.Fatalf("laptop 2's round: %d instrument versions and %d records received, want 2 and the colleague's", rep.Instruments, rep.Received)
	}
	s2 := l2.set(t)
	if v, _ := forNew(t, s2); v != 3 {
		t.Fatalf("laptop 2 after sync: new records take %d, want 3", v)
	}
	got, _, err := l2.st.Get(ctx, ci.ID)
	if err != nil {
		t.Fatal(err)
	}
	in, err := s2.Registry.ForRecord(&got)
	if err != nil {
		t.Fatalf("the colleague's version 3 record does not open on laptop 2: %v", err)
	}
	if in.Version != 3 || got.Answers[synctest.V3Renamed] == nil {
		t.Fatalf("opened with version %d, answers %v", in.Version, got.Answers)
	}
	if issues := survey.ValidateAt(in, &got, at); len(issues) != len(want) {
		t.Fatalf("laptop 2 finds %d issues, laptop 1 %d: %v / %v", len(issues), len(want), issues, want)
	}

	// A finalised record never moves.
	if _, _, err := registry.MoveRecord(ctx, l1.st, s1, ci.ID, 0, "rilevatore"); !errors.Is(err, registry.ErrNotMovable) {
		t.Fatalf("moving a finalised record: %v, want ErrNotMovable", err)
	}

	// The draft of version 1 moves to 3: by field id to 2, by the declared
	// migration to 3.
	m, info, err := registry.MoveRecord(ctx, l1.st, s1, di.ID, 0, "rilevatore")
	if err != nil {
		t.Fatal(err)
	}
	if m.From != 1 || m.To != 3 || info.InstrumentVersion != 3 || info.Status != survey.StatusDraft {
		t.Fatalf("moved %d -> %d, stored version %d status %s", m.From, m.To, info.InstrumentVersion, info.Status)
	}
	moved, _, err := l1.st.Get(ctx, di.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(moved.Answers[synctest.V3Renamed]) != "4" {
		t.Fatalf("renamed answer: %v (%T)", moved.Answers[synctest.V3Renamed], moved.Answers[synctest.V3Renamed])
	}
	if moved.Answers[synctest.V3Merged] != "3" {
		t.Fatalf("merged answer %v, want the father's 3", moved.Answers[synctest.V3Merged])
	}
	if _, ok := moved.Answers[synctest.V3Dropped]; ok || m.Dropped[synctest.V3Dropped] != "2" {
		t.Fatalf("dropped answer: still %v, reported %v", moved.Answers[synctest.V3Dropped], m.Dropped)
	}
	if moved.Answers[synctest.V3Defaulted] != synctest.V3Default || !slices.Contains(m.Defaulted, synctest.V3Defaulted) {
		t.Fatalf("default: %v, reported %v", moved.Answers[synctest.V3Defaulted], m.Defaulted)
	}
	hist, err := l1.st.History(ctx, di.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := hist[len(hist)-1]
	if len(hist) != 2 || hist[0].Record.Version != 1 || last.Record.Version != 3 {
		t.Fatalf("history: %d versions, want the version 1 draft and the moved one", len(hist))
	}
	// The history line is a Text: each language whole, neither joined to
	// the other.
	for _, w := range []string{"Passata dalla versione 1 alla 3", ": la risposta resta (4)", ": riunisce le risposte a «",
		": la risposta è tolta (2 · ", ": domanda nuova, risposta iniziale 2 · "} {
		if !strings.Contains(last.Note.IT, w) {
			t.Errorf("history line %q lacks %q", last.Note.IT, w)
		}
	}
	if !strings.HasPrefix(last.Note.EN, "Moved from version 1 to 3") || !strings.Contains(last.Note.EN, ": the answer stays (4)") ||
		strings.Contains(last.Note.IT, "Moved") || strings.Contains(last.Note.EN, "Passata") {
		t.Errorf("history line in English %q, in Italian %q: want each language on its own", last.Note.EN, last.Note.IT)
	}
	// The researcher reads questions, not field ids.
	for _, id := range []string{"NumeroComponentiISEE", synctest.V3Renamed, synctest.V3Merged, synctest.V3Dropped, synctest.V3Defaulted} {
		if strings.Contains(last.Note.IT, id) || strings.Contains(last.Note.EN, id) {
			t.Errorf("history line names the field id %s: %+v", id, last.Note)
		}
	}
	// The moved draft is of a published version: the server takes it.
	l1.sync(t)

	// A version this app cannot read is reported and not used.
	p.PublishCase(t, 4, []byte(`{"id":"scheda-minore","version":4,"sections":"not a list"}`))
	l2.sync(t)
	s2 = l2.set(t)
	if len(s2.Problems) != 1 || s2.Problems[0].Version != 4 || !strings.Contains(s2.Problems[0].Text().IT, "aggiorna l'applicazione") {
		t.Fatalf("problems %+v, want version 4 reported", s2.Problems)
	}
	if v, _ := forNew(t, s2); v != 3 {
		t.Fatalf("with an unreadable version 4, new records take %d, want 3", v)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
