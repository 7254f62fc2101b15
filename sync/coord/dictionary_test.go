package coord_test

import (
	"bytes"
	"testing"
	"time"

	"sinba/assets"
	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/sync/coord"
	"sinba/sync/synctest"
)

// A coordinator publishing a version ships a dictionary trained for it on
// synthetic records; the laptops seal that version's records with it, and
// a record sealed with the dictionary of an older version still opens on
// the coordinators' side once a newer version brought its own.
func TestPublishedVersionsBringTheirDictionaries(t *testing.T) {
	p := startPilot(t)
	ctx := p.ctx
	code, _, err := p.srv.CreateProjectCode(ctx, "Pilota", time.Hour)
	p.must(err)
	p.coord = coord.New(newCoordinatorStore(t), coord.Options{})
	prof, err := p.coord.Enrol(ctx, p.url, code)
	p.must(err)
	v2, err := assets.Instruments.ReadFile("instruments/scheda-minore.v2.json")
	p.must(err)
	_, err = p.coord.Publish(ctx, v2)
	p.must(err)
	dictionary := func(v int) []byte {
		t.Helper()
		ins, err := p.srv.Instruments(ctx, prof.ProjectID)
		p.must(err)
		for _, in := range ins {
			if in.ID == survey.InstrumentCase && in.Version == v {
				return in.Dictionary
			}
		}
		t.Fatalf("version %d not published", v)
		return nil
	}
	d2 := dictionary(2)
	if len(d2) == 0 {
		t.Fatal("version 2 published without a dictionary")
	}

	_, err = p.coord.CreateTeam(ctx, "Squadra")
	p.must(err)
	p.must(p.coord.Assign(ctx, "Squadra", synctest.MunicipalityA, false))
	_, err = p.coord.CreateResearcher(ctx, "Squadra", "Rilevatrice")
	p.must(err)
	c, err := p.coord.Code(ctx, "Rilevatrice", time.Hour)
	p.must(err)
	st := synctest.Laptop(t, t.TempDir())
	cl := client.New(st, client.Options{})
	_, err = cl.Enrol(ctx, p.url, c.Code)
	p.must(err)
	p.laptops["Squadra"] = []*laptop{{name: "Rilevatrice", store: st, client: cl}}
	p.syncLaptops("Squadra")
	save := func(version int, marker string) string {
		t.Helper()
		rec := synctest.CaseRecord(synctest.MunicipalityA, marker)
		rec.Version = version
		rec.Answers["FasciaEtaBeneficiario"] = "3"
		info, err := st.Save(ctx, rec, localdb.SaveOptions{Status: survey.StatusFinal})
		p.must(err)
		return info.ID
	}
	old := save(2, "v2")
	p.syncLaptops("Squadra")

	// Version 3 brings a dictionary of its own; the server keeps version
	// 2's as it was.
	_, err = p.coord.Publish(ctx, synctest.CaseV3(t))
	p.must(err)
	if d3 := dictionary(3); len(d3) == 0 || bytes.Equal(d3, d2) {
		t.Fatalf("version 3 published with dictionary of %d bytes (version 2's: %t)", len(d3), bytes.Equal(d3, d2))
	}
	if !bytes.Equal(dictionary(2), d2) {
		t.Fatal("version 2's dictionary changed")
	}
	p.syncLaptops("Squadra")
	newer := save(3, "v3")
	p.syncLaptops("Squadra")

	rep := p.syncCoordinator()
	if rep.Unreadable != 0 || rep.Revisions != 2 {
		t.Fatalf("coordinators' sync: %+v, want both records read", rep)
	}
	for id, want := range map[string]string{old: "nota v2", newer: "nota v3"} {
		rec, _, err := p.coord.Store().Get(ctx, id)
		if err != nil || rec.Answers["Note"] != want || rec.Answers["FasciaEtaBeneficiario"] != "3" {
			t.Errorf("record %s on the coordinators' side: %+v %v", id, rec.Answers, err)
		}
	}
}
