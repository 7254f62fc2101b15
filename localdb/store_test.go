package localdb

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"sinba/survey"
)

// testKDF keeps Argon2id cheap in tests; the production default is slow on
// purpose.
var testKDF = KDFParams{Time: 1, Memory: 64, Threads: 1}

var testOpts = Options{KDF: testKDF}

var pass = []byte("correct horse battery staple")

func newStore(t testing.TB) (*Store, string, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	st, rk, err := CreateWith(dir, pass, testOpts)
	if err != nil {
		t.Fatalf("CreateWith: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st, dir, rk
}

func reopen(t testing.TB, st *Store, dir string) *Store {
	t.Helper()
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	st2, err := OpenWith(dir, pass, testOpts)
	if err != nil {
		t.Fatalf("OpenWith: %v", err)
	}
	t.Cleanup(func() { st2.Close() })
	return st2
}

// caseRecord is the factory of test records.
func caseRecord(i int) survey.Record {
	return survey.Record{
		Instrument:   survey.InstrumentCase,
		Version:      1,
		Municipality: "063049",
		Answers: survey.Answers{
			PseudonymField:         fmt.Sprintf("PSN%06d", i),
			"AnnoNascita":          "2012",
			"CodicePrestazione":    []any{"A1.01", "A2.03"},
			"NumeroComponentiISEE": 4,
		},
		Meta: map[string]survey.FieldMeta{"ScuolaFrequentata": {NotHeld: true, Note: "l'ufficio non lo registra"}},
		Identity: &survey.Identity{
			Surname: fmt.Sprintf("Rossi%d", i), Name: "Mario", Sex: "M", BirthDate: "2012-03-04",
			BirthPlace: "Napoli", FiscalCode: fmt.Sprintf("RSSMRA12C04F%03dX", i%1000),
		},
	}
}

func TestSaveGetListLookup(t *testing.T) {
	ctx := context.Background()
	st, dir, _ := newStore(t)
	var ids []string
	for i := range 5 {
		info, err := st.Save(ctx, caseRecord(i), SaveOptions{Actor: "rilevatore"})
		if err != nil {
			t.Fatalf("Save: %v", err)
		}
		ids = append(ids, info.ID)
	}
	st = reopen(t, st, dir)
	rec, info, err := st.Get(ctx, ids[2])
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if rec.Identity.Surname != "Rossi2" || info.Label != "Rossi2 Mario" || info.Status != survey.StatusDraft || info.SyncState != SyncPending {
		t.Fatalf("Get = %+v %+v", rec.Identity, info)
	}
	list, err := st.List(ctx, Filter{Query: "rossi3"})
	if err != nil || len(list) != 1 || list[0].ID != ids[3] {
		t.Fatalf("List(rossi3) = %+v, %v; want record %s", list, err, ids[3])
	}
	got, err := st.Lookup(ctx, " rssmra12c04f004x ")
	if err != nil || len(got) != 1 || got[0].ID != ids[4] {
		t.Fatalf("Lookup(cf) = %+v, %v; want %s", got, err, ids[4])
	}
	got, err = st.Lookup(ctx, "PSN000001")
	if err != nil || len(got) != 1 || got[0].ID != ids[1] {
		t.Fatalf("Lookup(pseudonym) = %+v, %v; want %s", got, err, ids[1])
	}
}

func TestWrongPassphrase(t *testing.T) {
	st, dir, _ := newStore(t)
	st.Close()
	_, err := OpenWith(dir, []byte("wrong"), testOpts)
	if !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("Open with a wrong passphrase: %v, want ErrWrongPassphrase", err)
	}
}
