package coord_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"sinba/assets"
	"sinba/localdb"
	"sinba/localdb/dataset"
	"sinba/localdb/registry"
	"sinba/survey"
	"sinba/survey/export"
	"sinba/survey/quality"
	"sinba/survey/synth"
	"sinba/sync/client"
	"sinba/sync/coord"
	"sinba/sync/seal"
	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

var refDate = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)

// operatorCF is a valid partita IVA for the SINBA flows' operator.
const operatorCF = "80078750587"

// pilot is a whole pilot in miniature: a real server on loopback, a
// coordinator's app and two teams of two laptops, each a real encrypted
// store in its own folder.
type pilot struct {
	t       *testing.T
	ctx     context.Context
	srv     *server.Store
	url     string
	coord   *coord.Coordinator
	laptops map[string][]*laptop // by team name
}

type laptop struct {
	name   string
	store  *localdb.Store
	client *client.Client
}

func newCoordinatorStore(t *testing.T) *localdb.Store {
	t.Helper()
	st, _, err := localdb.CreateWith(t.TempDir(), []byte("passphrase del coordinamento"), synctest.TestKDF)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func startPilot(t *testing.T) *pilot {
	t.Helper()
	ctx := context.Background()
	st, err := server.OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(server.New(st, server.Config{DisableLimits: true}, slog.New(slog.DiscardHandler)))
	t.Cleanup(func() {
		hs.Close()
		st.Close()
	})
	return &pilot{t: t, ctx: ctx, srv: st, url: hs.URL, laptops: map[string][]*laptop{}}
}

func (p *pilot) must(err error) {
	p.t.Helper()
	if err != nil {
		p.t.Fatal(err)
	}
}

func (p *pilot) syncLaptops(teams ...string) {
	p.t.Helper()
	for _, team := range teams {
		for _, l := range p.laptops[team] {
			if _, err := l.client.SyncOnce(p.ctx, nil); err != nil {
				p.t.Fatalf("sync %s: %v", l.name, err)
			}
		}
	}
}

func (p *pilot) syncCoordinator() *coord.Report {
	p.t.Helper()
	rep, err := p.coord.Sync(p.ctx)
	if err != nil {
		p.t.Fatalf("coordinator sync: %v", err)
	}
	return rep
}

// TestPilotInMiniature runs the review loop end to end and checks what the
// coordinators get out of it: exports of exactly the approved records, SINBA
// flows valid against INPS's schema, and critical-point figures equal to
// what the data planted.
func TestPilotInMiniature(t *testing.T) {
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Fatal("xmllint is needed to validate SINBA flows (Debian: apt-get install libxml2-utils)")
	}
	p := startPilot(t)
	ctx := p.ctx

	// Project set-up from the coordinator's app: the key pair and the
	// pseudonym secret are made there; the server gets the public half.
	code, _, err := p.srv.CreateProjectCode(ctx, "Pilota S.In.Ba", time.Hour)
	p.must(err)
	p.coord = coord.New(newCoordinatorStore(t), coord.Options{})
	prof, err := p.coord.Enrol(ctx, p.url, code)
	p.must(err)
	if !prof.HasProjectKey || !prof.HasSecret || prof.ProjectName != "Pilota S.In.Ba" {
		t.Fatalf("profile after creating the project: %+v", prof)
	}
	// Every shipped version, as the coordinators publish them.
	shipped, err := assets.Instruments.ReadDir("instruments")
	p.must(err)
	for _, e := range shipped {
		body, err := assets.Instruments.ReadFile("instruments/" + e.Name())
		p.must(err)
		_, err = p.coord.Publish(ctx, body)
		p.must(err)
	}
	teams := map[string]string{"Squadra Campania": synctest.MunicipalityA, "Squadra Basilicata": synctest.MunicipalityB}
	for team, m := range teams {
		_, err := p.coord.CreateTeam(ctx, team)
		p.must(err)
		p.must(p.coord.Assign(ctx, team, m, false))
		for i := range 2 {
			who := team + " rilevatore " + string(rune('1'+i))
			_, err := p.coord.CreateResearcher(ctx, team, who)
			p.must(err)
			c, err := p.coord.Code(ctx, who, time.Hour)
			p.must(err)
			st := synctest.Laptop(t, t.TempDir())
			cl := client.New(st, client.Options{})
			_, err = cl.Enrol(ctx, p.url, c.Code)
			p.must(err)
			p.laptops[team] = append(p.laptops[team], &laptop{name: who, store: st, client: cl})
		}
	}
	teamNames := []string{"Squadra Campania", "Squadra Basilicata"}
	// The first laptop of each team makes the team key; the second gets it
	// from the first, through the server, when a researcher of the team
	// confirms it there (its code is marked as made by the coordinator);
	// the coordinator's app hands every laptop the pseudonym secret.
	p.syncLaptops(teamNames...)
	p.syncLaptops(teamNames...)
	for _, team := range teamNames {
		first, second := p.laptops[team][0].client, p.laptops[team][1].client
		pending, err := first.PendingDevices(ctx)
		p.must(err)
		if len(pending) != 1 || !pending[0].MintedBy.ByCoordinator() || pending[0].Researcher != p.laptops[team][1].name {
			t.Fatalf("%s: pending devices %+v; want the second laptop, its code made by the coordinator", team, pending)
		}
		synctest.Confirm(t, first, second)
	}
	if rep := p.syncCoordinator(); rep.SecretsGranted != 4 {
		t.Fatalf("pseudonym secret handed to %d laptops, want 4", rep.SecretsGranted)
	}
	p.syncLaptops(teamNames...)
	secret, err := p.coord.PseudonymSecret(ctx)
	p.must(err)
	for _, team := range teamNames {
		for _, l := range p.laptops[team] {
			got, err := l.client.PseudonymSecret(ctx)
			if err != nil || !bytes.Equal(got, secret) {
				t.Fatalf("%s: pseudonym secret %x, %v; want the coordinator's", l.name, got, err)
			}
		}
	}

	// Records, pseudonyms derived with the project's secret, with planted
	// critical points: "not held", missing answers and rule failures.
	set, err := registry.Load(ctx, p.coord.Store())
	p.must(err)
	reg := set.Registry
	in, _ := reg.Latest(survey.InstrumentCase)
	data, err := synth.Generate(reg, in.Reference(), synth.Options{Seed: 7, Cases: 18, Municipalities: []string{synctest.MunicipalityA, synctest.MunicipalityB},
		RefDate: refDate, NotHeld: map[string]float64{}, NoteRate: -1, Secret: secret})
	p.must(err)
	type plant struct{ notHeld, missing, failure bool }
	planted := map[string]plant{}
	fixes := map[string]survey.Answers{} // what a correction puts back
	var wantNotHeld, wantMissing, wantFailures = map[string]int{}, map[string]int{}, map[string]int{}
	byTeam := map[string][]survey.Record{}
	v1Cases := map[string]bool{} // case records made with version 1, the others with 2
	i := 0
	for _, rec := range data.Records {
		team := "Squadra Campania"
		if rec.Municipality == synctest.MunicipalityB {
			team = "Squadra Basilicata"
		}
		if rec.Instrument == survey.InstrumentCase {
			var pl plant
			fix := survey.Answers{}
			if i%4 == 0 {
				delete(rec.Answers, "FasciaISEEBeneficiario")
				rec.Meta["FasciaISEEBeneficiario"] = survey.FieldMeta{NotHeld: true, Note: "ISEE non trasmesso dall'INPS"}
				pl.notHeld = true
				wantNotHeld[rec.Municipality]++
			}
			if i%5 == 1 {
				fix["FonteSegnalazione"] = rec.Answers["FonteSegnalazione"]
				delete(rec.Answers, "FonteSegnalazione")
				pl.missing = true
				wantMissing[rec.Municipality]++
			}
			if i%6 == 2 {
				fix["FasciaEtaBeneficiario"] = rec.Answers["FasciaEtaBeneficiario"]
				if rec.Answers["FasciaEtaBeneficiario"].(string) <= "3" {
					rec.Answers["FasciaEtaBeneficiario"] = "6"
				} else {
					rec.Answers["FasciaEtaBeneficiario"] = "1"
				}
				pl.failure = true
				wantFailures[rec.Municipality]++
			}
			planted[rec.ID] = pl
			if len(fix) > 0 {
				fixes[rec.ID] = fix
			}
			if i%3 == 0 && !pl.missing && !pl.failure {
				if old, ok := asVersion1(reg, rec); ok {
					rec = old
					v1Cases[rec.ID] = true
				}
			}
			i++
		}
		byTeam[team] = append(byTeam[team], rec)
	}
	for team, recs := range byTeam {
		for j, rec := range recs {
			l := p.laptops[team][j%2]
			_, err := l.store.Save(ctx, rec, localdb.SaveOptions{Status: survey.StatusFinal, Actor: l.name})
			p.must(err)
		}
	}
	p.syncLaptops(teamNames...)

	// The coordinator downloads and decrypts everything.
	if rep := p.syncCoordinator(); rep.Revisions != len(data.Records) || rep.Unreadable != 0 {
		t.Fatalf("coordinator received %d revisions (%d unreadable), want %d", rep.Revisions, rep.Unreadable, len(data.Records))
	}
	entries, _, err := dataset.Entries(ctx, p.coord.Store(), survey.StatusFinal)
	p.must(err)
	if len(entries) != len(data.Records) {
		t.Fatalf("review queue holds %d records, want %d", len(entries), len(data.Records))
	}
	for _, e := range entries {
		if e.Record.Identity != nil {
			t.Fatalf("record %s: the coordinator can read the identification", e.Record.ID)
		}
	}

	// Critical points: the figures equal what was planted.
	recs := make([]survey.Record, len(entries))
	for j, e := range entries {
		recs[j] = e.Record
	}
	report := quality.Analyse(reg, recs, quality.Options{Ref: refDate})
	caseReport, ok := report.Instrument(survey.InstrumentCase)
	if !ok {
		t.Fatal("no case-record figures in the report")
	}
	checkField := func(field string, want map[string]int, get func(quality.Counts) int) {
		t.Helper()
		fs, ok := caseReport.Field(field)
		if !ok {
			t.Fatalf("no figures for %s", field)
		}
		total := 0
		for m, n := range want {
			total += n
			if got := get(fs.ByMunicipality[m]); got != n {
				t.Errorf("%s in %s: %d, planted %d", field, m, got, n)
			}
		}
		if got := get(fs.Total); got != total {
			t.Errorf("%s overall: %d, planted %d", field, got, total)
		}
	}
	checkField("FasciaISEEBeneficiario", wantNotHeld, func(c quality.Counts) int { return c.NotHeld })
	checkField("FonteSegnalazione", wantMissing, func(c quality.Counts) int { return c.Missing })
	checkField("FasciaEtaBeneficiario", wantFailures, func(c quality.Counts) int { return c.Errors })
	// Records of both versions, each counted in its own: the reference
	// date, new in version 2, has figures for version 2 only.
	if fs, ok := caseReport.Field("DataRiferimento"); !ok || fmt.Sprint(caseReport.Versions) != "[1 2]" ||
		caseReport.RecordsByVersion[1] != len(v1Cases) || fmt.Sprint(fs.Versions) != "[2]" || fs.ByVersion[2].Units != 18-len(v1Cases) {
		t.Errorf("versions in the critical points: %v %v, DataRiferimento %+v", caseReport.Versions, caseReport.RecordsByVersion, fs)
	}
	if fs, _ := caseReport.Field("FasciaISEEBeneficiario"); len(fs.Notes) != wantNotHeld[synctest.MunicipalityA]+wantNotHeld[synctest.MunicipalityB] {
		t.Errorf("notes on FasciaISEEBeneficiario: %d", len(fs.Notes))
	}
	prog := quality.BuildProgress(entries, nil)
	if len(prog.ByTeam) != 2 || prog.Total.Cases[survey.StatusFinal] != 18 {
		t.Errorf("progress: %d teams, %d final cases; want 2 and 18", len(prog.ByTeam), prog.Total.Cases[survey.StatusFinal])
	}

	// Review: records with a missing answer or a rule failure go back with a
	// comment on the field; one record is left unreviewed; the rest are
	// approved.
	var returned, unreviewed string
	approved := map[string]bool{}
	ids := make([]string, 0, len(data.Records))
	for _, rec := range data.Records {
		ids = append(ids, rec.ID)
	}
	for _, id := range ids {
		pl := planted[id]
		switch {
		case pl.missing || pl.failure:
			var cs []survey.Comment
			if pl.missing {
				cs = append(cs, survey.Comment{Field: "FonteSegnalazione", Text: "Manca la fonte della segnalazione"})
			}
			if pl.failure {
				cs = append(cs, survey.Comment{Field: "FasciaEtaBeneficiario", Text: "La fascia d'età non corrisponde all'anno di nascita"})
			}
			_, err := p.coord.Review(ctx, id, survey.StatusReturned, cs, "Coordinamento")
			p.must(err)
			returned = id
		case unreviewed == "" && planted[id] == (plant{}) && isCase(data, id):
			unreviewed = id
		default:
			_, err := p.coord.Review(ctx, id, survey.StatusApproved, nil, "Coordinamento")
			p.must(err)
			approved[id] = true
		}
	}
	if _, err := p.coord.Review(ctx, unreviewed, survey.StatusReturned, nil, "x"); err == nil {
		t.Error("a record was returned without a comment")
	}

	// The second laptop of each team receives the decisions, with the
	// comments per field, and corrects the returned records (half of them
	// entered by its colleague). The first laptops stay offline until the
	// end, then get decisions and corrections in one page.
	syncSecond := func() {
		for _, team := range teamNames {
			if _, err := p.laptops[team][1].client.SyncOnce(ctx, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	syncSecond()
	// Before the return, what the coordinators decided on: the versions the
	// laptops sent.
	sentFirst := map[string]string{}
	for id := range fixes {
		_, info, err := p.coord.Store().Get(ctx, id)
		p.must(err)
		h, err := p.coord.Store().GetRevision(ctx, info.Revision)
		p.must(err)
		sentFirst[id] = h.BaseRevision
	}
	// The researcher first edits (the draft saves itself): the comments
	// stay, the record stays returned, the edited field's thread is
	// corrected; on the returned record one thread gets a reply instead.
	const reply = "Il fascicolo non riporta la fonte: chiesto all'ufficio"
	replyTo := ""
	for _, id := range sortedKeys(fixes) {
		if _, ok := fixes[id]["FonteSegnalazione"]; ok {
			replyTo = id
			break
		}
	}
	if replyTo == "" {
		t.Fatal("no record returned for a missing source: the data planted none")
	}
	correct := func(final bool) {
		t.Helper()
		for _, team := range teamNames {
			for _, l := range p.laptops[team][1:] {
				for id, fix := range fixes {
					rec, info, err := l.store.Get(ctx, id)
					if errors.Is(err, localdb.ErrNotFound) {
						continue
					}
					p.must(err)
					if info.Status != survey.StatusReturned {
						t.Fatalf("%s: record %s is %s, want returned (final=%v)", l.name, id, info.Status, final)
					}
					p.must(l.store.MarkSeen(ctx, id))
					rs, err := l.store.ReviewState(ctx, id, reg)
					p.must(err)
					for f := range fix {
						th, ok := rs.Thread(f)
						if !ok || len(th.Comments) == 0 || th.Comments[0].Text == "" {
							t.Fatalf("%s: record %s without the comment on %s (final=%v): %+v", l.name, id, f, final, rs.Threads)
						}
						if want := map[bool]survey.ThreadState{false: survey.ThreadSeen, true: survey.ThreadCorrected}[final]; th.State != want {
							t.Errorf("%s: record %s thread %s is %s, want %s", l.name, id, f, th.State, want)
						}
					}
					status := survey.StatusDraft
					if final {
						status = survey.StatusFinal
					}
					for f, v := range fix {
						if id == replyTo && f == "FonteSegnalazione" && !final {
							rec.Replies = append(rec.Replies, survey.Comment{Field: f, Text: reply, Author: l.name, At: time.Now().UTC(), Reply: true})
							continue
						}
						rec.Answers[f] = v
					}
					info, err = l.store.Save(ctx, rec, localdb.SaveOptions{Status: status, Actor: l.name})
					p.must(err)
					if want := map[bool]survey.Status{false: survey.StatusReturned, true: survey.StatusFinal}[final]; info.Status != want {
						t.Errorf("%s: record %s after the edit is %s, want %s", l.name, id, info.Status, want)
					}
				}
			}
		}
	}
	correct(false)
	if rows, err := p.laptops["Squadra Campania"][1].store.List(ctx, localdb.Filter{Status: survey.StatusReturned}); err != nil || len(rows) == 0 {
		t.Fatalf("the home's returned records after edits: %d (%v)", len(rows), err)
	}
	syncSecond()
	p.syncCoordinator()
	// The coordinators see the edits, still returned: nothing to decide yet.
	if q, _, _ := dataset.Entries(ctx, p.coord.Store(), survey.StatusFinal); len(q) != 1 {
		t.Fatalf("review queue while the researchers edit: %d, want only the unreviewed record", len(q))
	}
	if rs, err := p.coord.Store().ReviewState(ctx, returned, reg); err != nil || rs.Status != survey.StatusReturned || rs.Resubmitted {
		t.Fatalf("coordinators' view of an edited returned record: %+v, %v", rs, err)
	}
	correct(true)
	syncSecond()
	p.syncCoordinator()
	// Corrected after the return: the coordinators see what changed since
	// the version they returned, thread by thread, and the reply.
	for id, fix := range fixes {
		rs, err := p.coord.Store().ReviewState(ctx, id, reg)
		p.must(err)
		if !rs.Resubmitted || rs.Status != survey.StatusFinal || rs.Decision != survey.StatusReturned || rs.Reviewed != sentFirst[id] {
			t.Fatalf("record %s after the correction: %+v; want resubmitted after the return of %s", id, rs, sentFirst[id])
		}
		var changed []string
		for _, c := range rs.Changed {
			changed = append(changed, c.Field)
		}
		for f := range fix {
			if !slices.Contains(changed, f) {
				t.Errorf("record %s: %s not among the changes %v", id, f, changed)
			}
			if th, _ := rs.Thread(f); th.State != survey.ThreadResubmitted {
				t.Errorf("record %s: thread %s is %s, want resubmitted", id, f, th.State)
			}
		}
		if id == replyTo {
			th, _ := rs.Thread("FonteSegnalazione")
			if n := len(th.Comments); n < 2 || !th.Comments[n-1].Reply || th.Comments[n-1].Text != reply {
				t.Errorf("the researcher's reply did not reach the coordinators: %+v", th.Comments)
			}
		}
	}
	queue, _, err := dataset.Entries(ctx, p.coord.Store(), survey.StatusFinal)
	p.must(err)
	if len(queue) != len(fixes)+1 {
		t.Fatalf("review queue after corrections: %d, want %d corrected + 1 unreviewed", len(queue), len(fixes))
	}
	for _, e := range queue {
		if e.Record.ID == unreviewed {
			continue
		}
		if _, ok := fixes[e.Record.ID]; !ok {
			t.Fatalf("unexpected record %s in the queue", e.Record.ID)
		}
		if issues := survey.ValidateAt(mustInstrument(t, reg, e.Record), &e.Record, refDate); survey.HasErrors(issues) {
			t.Fatalf("corrected record %s still has errors: %v", e.Record.ID, issues)
		}
		_, err := p.coord.Review(ctx, e.Record.ID, survey.StatusApproved, nil, "Coordinamento")
		p.must(err)
		approved[e.Record.ID] = true
	}
	hist, err := p.coord.Store().History(ctx, returned)
	p.must(err)
	var states []survey.Status
	for _, h := range hist {
		states = append(states, h.Status)
	}
	if want := []survey.Status{survey.StatusFinal, survey.StatusReturned, survey.StatusDraft, survey.StatusFinal, survey.StatusApproved}; !slices.Equal(states, want) {
		t.Errorf("history of a returned record: %v, want %v", states, want)
	}
	p.syncLaptops(teamNames...)
	for _, team := range teamNames {
		for _, l := range p.laptops[team] {
			if c, err := l.store.List(ctx, localdb.Filter{Conflict: true}); err != nil || len(c) > 0 {
				t.Errorf("%s: %d records in conflict (%v)", l.name, len(c), err)
			}
			for id := range fixes {
				if _, info, err := l.store.Get(ctx, id); err == nil && info.Status != survey.StatusApproved {
					t.Errorf("%s: corrected record %s is %s, want approved", l.name, id, info.Status)
				}
			}
		}
	}

	// A laptop that claims to approve its own record (an altered or older
	// program speaking the protocol): the server refuses the version with a
	// coded reason, and it is counted nowhere as approved.
	claimCode, err := p.coord.Code(ctx, "Squadra Campania rilevatore 1", time.Hour)
	p.must(err)
	rogue := synctest.EnrolWithCode(t, p.url, claimCode.Code)
	var teamRecipient string
	list, err := p.coord.Teams(ctx)
	p.must(err)
	for _, tm := range list {
		if tm.Name == "Squadra Campania" {
			teamRecipient = tm.Recipient
		}
	}
	tr, err := seal.ParseRecipient(teamRecipient)
	p.must(err)
	claim, err := synctest.Revisions(1, synctest.MunicipalityA, rogue.Project, tr)
	p.must(err)
	claim[0].Status = survey.StatusApproved
	rcpt, err := rogue.SendBatch(ctx, claim)
	p.must(err)
	if len(rcpt.Accepted) != 0 || len(rcpt.Refused) != 1 || rcpt.Refused[0].Code != wire.CodeReviewDecision ||
		rcpt.Refused[0].MessageIT == "" || rcpt.Refused[0].MessageEN == "" {
		t.Fatalf("a laptop's approval: receipt %+v; want refused with %s", rcpt, wire.CodeReviewDecision)
	}
	p.syncCoordinator()
	all, _, err := dataset.Entries(ctx, p.coord.Store())
	p.must(err)
	for _, e := range all {
		if e.Record.ID == claim[0].RecordID {
			t.Fatalf("the refused claim reached the coordinators as %s", e.Status)
		}
	}
	// What "sinba coord status" prints: approved cases are the decisions.
	if got, want := quality.BuildProgress(all, nil).Total.Cases[survey.StatusApproved], countCases(data, approved); got != want {
		t.Errorf("approved cases in the progress table: %d, want the %d the coordinators approved", got, want)
	}

	// Exports hold exactly the approved records.
	wantApproved := sortedKeys(approved)
	for _, format := range dataset.Formats {
		dir := filepath.Join(t.TempDir(), format)
		m, err := dataset.Export(ctx, p.coord.Store(), reg, dataset.Options{Format: format, Dir: dir, Actor: "test",
			SINBA: export.SINBAOptions{Date: refDate, CFOperatore: operatorCF}})
		if err != nil {
			t.Fatalf("%s export: %v", format, err)
		}
		switch format {
		case export.FormatSINBA:
			// The records not approved are listed as left out for their
			// state; no approved one is refused.
			for _, r := range m.Refused {
				if !approved[r.RecordID] && strings.HasPrefix(r.Issues[0].Rule, "state.") {
					continue
				}
				t.Errorf("SINBA flows refused an approved record: %+v", r)
			}
			flows := 0
			for _, f := range m.Files {
				if !strings.HasSuffix(f.Name, ".xml") {
					continue
				}
				flows++
				out, err := exec.Command("xmllint", "--noout", "--schema", "../../survey/testdata/SINBA.xsd", filepath.Join(dir, f.Name)).CombinedOutput()
				if err != nil {
					t.Errorf("%s does not validate: %v\n%s", f.Name, err, out)
				}
			}
			if flows != 2 {
				t.Errorf("%d SINBA flows, want one per Ente (2)", flows)
			}
			if want := countCases(data, approved); m.Records != want {
				t.Errorf("SINBA flows hold %d records, want the %d approved case records", m.Records, want)
			}
		case export.FormatXLSX:
			if m.Records != len(wantApproved) {
				t.Errorf("xlsx holds %d records, want %d", m.Records, len(wantApproved))
			}
		default:
			var got []string
			for _, name := range []string{"scheda-minore.csv", "scheda-comune.csv"} {
				got = append(got, csvIDs(t, filepath.Join(dir, name))...)
			}
			sort.Strings(got)
			if !slices.Equal(got, wantApproved) {
				t.Errorf("%s export holds %d records, want exactly the %d approved", format, len(got), len(wantApproved))
			}
			checkVersions(t, dir, m, approved, v1Cases)
		}
	}
	audit, err := p.coord.Store().Audit(ctx, 0)
	p.must(err)
	exports := 0
	for _, a := range audit {
		if a.Action == "export" {
			exports++
		}
	}
	if exports != len(dataset.Formats) {
		t.Errorf("%d exports in the audit trail, want %d", exports, len(dataset.Formats))
	}

	// A second coordinator: enrolled with a coordinator code, it cannot
	// decrypt until it imports the key file the first one exported.
	cc, err := p.coord.CoordinatorCode(ctx, time.Hour)
	p.must(err)
	second := coord.New(newCoordinatorStore(t), coord.Options{})
	prof2, err := second.Enrol(ctx, p.url, cc.Code)
	p.must(err)
	if prof2.HasProjectKey || prof2.ProjectID != prof.ProjectID {
		t.Fatalf("second coordinator: %+v", prof2)
	}
	if _, err := second.Sync(ctx); !errors.Is(err, coord.ErrNoProjectKey) {
		t.Fatalf("sync without the project key: %v, want ErrNoProjectKey", err)
	}
	key, about, err := p.coord.KeyForExport(ctx)
	p.must(err)
	file, err := seal.SealKeyFile(key, about, []byte("una frase lunga per il file"), 10)
	p.must(err)
	if bytes.Contains(file, []byte("AGE-SECRET-KEY")) {
		t.Fatal("the exported key file holds the key in clear")
	}
	if _, err := seal.OpenKeyFile(file, []byte("frase sbagliata per il file")); !errors.Is(err, seal.ErrKeyFilePassphrase) {
		t.Fatalf("import with a wrong passphrase: %v", err)
	}
	other, err := seal.NewKey()
	p.must(err)
	if err := second.SetProjectKey(ctx, other); !errors.Is(err, coord.ErrWrongProjectKey) {
		t.Fatalf("import of another key: %v", err)
	}
	opened, err := seal.OpenKeyFile(file, []byte("una frase lunga per il file"))
	p.must(err)
	p.must(second.SetProjectKey(ctx, opened))
	rep2, err := second.Sync(ctx)
	p.must(err)
	if rep2.Unreadable != 0 {
		t.Errorf("second coordinator could not read %d items", rep2.Unreadable)
	}
	got2, _, err := dataset.Entries(ctx, second.Store(), survey.StatusApproved)
	p.must(err)
	if len(got2) != len(approved) {
		t.Errorf("second coordinator sees %d approved records, want %d", len(got2), len(approved))

	}
	if s2, err := second.PseudonymSecret(ctx); err != nil || !bytes.Equal(s2, secret) {
		t.Errorf("second coordinator's pseudonym secret differs: %v", err)
	}

	// Phase 4: a new version of the case record, with the changes planted,
	// published after its check and diff; the version diff report lists
	// exactly those, with the critical points of version 2's records.
	checkVersionDiff(t, p, recs, total(wantMissing), total(wantFailures))
}

func total(byMunicipality map[string]int) int {
	n := 0
	for _, v := range byMunicipality {
		n += v
	}
	return n
}

func isCase(d *synth.Dataset, id string) bool {
	for _, r := range d.Records {
		if r.ID == id {
			return r.Instrument == survey.InstrumentCase
		}
	}
	return false
}

func countCases(d *synth.Dataset, ids map[string]bool) int {
	n := 0
	for _, r := range d.Records {
		if ids[r.ID] && r.Instrument == survey.InstrumentCase {
			n++
		}
	}
	return n
}

func mustInstrument(t *testing.T, reg *survey.Registry, rec survey.Record) *survey.Instrument {
	t.Helper()
	in, err := reg.ForRecord(&rec)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// csvIDs reads the scheda_id column of an exported wide table.
func csvIDs(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	col := slices.Index(rows[0], export.ColID)
	if col < 0 {
		t.Fatalf("%s has no %s column", path, export.ColID)
	}
	var ids []string
	for _, r := range rows[1:] {
		ids = append(ids, r[col])
	}
	return ids
}

// asVersion1 makes a case record of version 2 one of version 1, which has
// no reference date and no description of an intervention, if it is a
// valid record of version 1 then (version 1 knows fewer benefit codes).
func asVersion1(reg *survey.Registry, rec survey.Record) (survey.Record, bool) {
	v1, _ := reg.Get(survey.InstrumentCase, 1)
	old := rec
	old.Version = 1
	old.Answers = survey.Answers{}
	for k, v := range rec.Answers {
		old.Answers[k] = v
	}
	delete(old.Answers, "DataRiferimento")
	if items, ok := rec.Answers["DettaglioInterventi"].([]any); ok {
		kept := make([]any, len(items))
		for j, it := range items {
			m := map[string]any{}
			for k, v := range it.(map[string]any) {
				if k != "Descrizione" {
					m[k] = v
				}
			}
			kept[j] = m
		}
		old.Answers["DettaglioInterventi"] = kept
	}
	return old, !survey.HasErrors(survey.ValidateAt(v1, &old, refDate))
}

// checkVersions checks that an export of the approved case records of both
// versions has one codebook: a row per record with its version, "not in
// this version" where version 1 lacks a field, the codebook giving each
// variable's versions, the manifest counting the records per version.
func checkVersions(t *testing.T, dir string, m export.Manifest, approved, v1 map[string]bool) {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(mustRead(t, filepath.Join(dir, "scheda-minore.csv")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for j, h := range rows[0] {
		col[h] = j
	}
	want := map[int]int{}
	for _, r := range rows[1:] {
		v, ref := r[col[export.ColVersione]], r[col["DataRiferimento"]]
		switch {
		case v1[r[0]] && (v != "1" || ref != export.NotInVersion):
			t.Errorf("record %s of version 1: version %q, DataRiferimento %q", r[0], v, ref)
		case !v1[r[0]] && (v != "2" || ref == export.NotInVersion || ref == ""):
			t.Errorf("record %s of version 2: version %q, DataRiferimento %q", r[0], v, ref)
		}
		want[map[bool]int{true: 1, false: 2}[v1[r[0]]]]++
	}
	if want[1] == 0 || want[2] == 0 {
		t.Fatalf("approved case records by version %v: the export needs both", want)
	}
	var got []string
	for _, vc := range m.Versions {
		if vc.Instrument == survey.InstrumentCase {
			got = append(got, fmt.Sprintf("v%d:%d", vc.Version, vc.Records))
		}
	}
	if fmt.Sprint(got) != fmt.Sprintf("[v1:%d v2:%d]", want[1], want[2]) {
		t.Errorf("manifest: case records by version %v, want v1:%d v2:%d", got, want[1], want[2])
	}
	book, err := csv.NewReader(bytes.NewReader(mustRead(t, filepath.Join(dir, export.CodebookName+".csv")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	versions := map[string]string{}
	for _, r := range book[1:] {
		versions[r[0]+"/"+r[1]] = r[slices.Index(book[0], "versioni")]
	}
	if versions["scheda-minore/DataRiferimento"] != "2" || versions["scheda-minore/LuogoVita"] != "1, 2" ||
		versions["scheda-minore.DettaglioInterventi/Descrizione"] != "2" {
		t.Errorf("codebook versions: DataRiferimento %q, LuogoVita %q, Descrizione %q", versions["scheda-minore/DataRiferimento"],
			versions["scheda-minore/LuogoVita"], versions["scheda-minore.DettaglioInterventi/Descrizione"])
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
