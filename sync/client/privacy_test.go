package client_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/server"
	"sinba/sync/synctest"
)

// TestServerHoldsNoReadableData plants a distinct marker in every text field
// of the records two laptops sync (answers, nested repeat groups, notes,
// every identification field) and in a review comment, then reads every
// byte of the server's database files and of its log: no marker may be
// there. The envelope (ids, instrument, ISTAT code, status) is in clear by
// design and carries no marker.
func TestServerHoldsNoReadableData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	p := synctest.NewProject(t, dir)
	var logs bytes.Buffer
	hs := httptest.NewServer(server.New(p.Store, server.Config{}, slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	defer hs.Close()
	p.URL = hs.URL

	var markers []string
	marker := func() string {
		m := fmt.Sprintf("MARKER%04dZQ", len(markers))
		markers = append(markers, m)
		return m
	}
	laptop1, c1 := enrolled(t, p, p.TeamA)
	laptop2, c2 := enrolled(t, p, p.TeamA)
	var heads []string
	for _, st := range []*localdb.Store{laptop1, laptop2} {
		for range 3 {
			rec := survey.Record{
				Instrument: survey.InstrumentCase, Version: 1, Municipality: synctest.MunicipalityA,
				Answers: survey.Answers{
					"IDBeneficiario":    marker(),
					"Note":              marker(),
					"CodicePrestazione": []any{marker(), marker()},
					"Interventi":        []any{map[string]any{"Fornitore": marker(), "Inizio": marker()}},
				},
				Meta: map[string]survey.FieldMeta{"FasciaISEEBeneficiario": {NotHeld: true, Note: marker()}, "Disabilita": {Note: marker()}},
				Identity: &survey.Identity{Surname: marker(), Name: marker(), Sex: marker(), BirthDate: marker(),
					BirthPlace: marker(), FiscalCode: marker()},
			}
			info, err := st.Save(ctx, rec, localdb.SaveOptions{Status: survey.StatusFinal})
			if err != nil {
				t.Fatal(err)
			}
			heads = append(heads, info.Revision)
		}
	}
	syncOnce(t, c1)
	syncOnce(t, c2)
	synctest.Confirm(t, c1, c2)
	syncOnce(t, c1)
	syncOnce(t, c2)
	if _, err := p.Store.AddReview(ctx, heads[0], survey.StatusReturned, []survey.Comment{{Text: marker(), Field: "Note", At: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, c2)
	if rec, _, err := laptop2.Get(ctx, mustRecordOf(t, laptop1, heads[0])); err != nil || rec.Identity == nil {
		t.Fatalf("the colleague's laptop must hold the record with its identity: %v", err)
	}
	hs.Close()
	if err := p.Store.Close(); err != nil {
		t.Fatal(err)
	}

	files := server.Files(dir)
	if len(files) == 0 {
		t.Fatal("no database files found")
	}
	var scanned int
	envelopeSeen := false
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		scanned += len(data)
		envelopeSeen = envelopeSeen || bytes.Contains(data, []byte(synctest.MunicipalityA))
		for _, m := range markers {
			if bytes.Contains(data, []byte(m)) {
				t.Errorf("%s holds marker %s in clear", f, m)
			}
		}
	}
	if !envelopeSeen {
		t.Fatal("the clear envelope (the ISTAT code) is not in the files either: the scan read nothing real")
	}
	for _, m := range markers {
		if bytes.Contains(logs.Bytes(), []byte(m)) {
			t.Errorf("the server's log holds marker %s", m)
		}
	}
	t.Logf("%d markers, %d bytes of database files scanned, %d bytes of log", len(markers), scanned, logs.Len())
}

func mustRecordOf(t *testing.T, st *localdb.Store, revision string) string {
	t.Helper()
	r, err := st.GetRevision(context.Background(), revision)
	if err != nil {
		t.Fatal(err)
	}
	return r.RecordID
}
