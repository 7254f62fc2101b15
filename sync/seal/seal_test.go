package seal_test

import (
	"testing"

	"sinba/sync/seal"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

func TestWhoCanOpenWhat(t *testing.T) {
	project, _ := seal.NewKey()
	team, _ := seal.NewKey()
	other, _ := seal.NewKey()
	rec := synctest.CaseRecord(synctest.MunicipalityA, "s")
	rec.ID = "0b6f8a3e-2a55-4f0e-9d7e-1c2b3a4d5e6f"
	content, identity, err := seal.SealRecord(rec, project.Recipient(), team.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	r := &wire.Revision{RecordID: rec.ID, Instrument: rec.Instrument, InstrumentVersion: 1, Municipality: rec.Municipality, Content: content, Identity: identity}

	got, err := seal.OpenRecord(r, team)
	if err != nil || got.Identity == nil || *got.Identity != *rec.Identity || got.Answers["Note"] != "nota s" || got.Meta["FasciaISEEBeneficiario"] != rec.Meta["FasciaISEEBeneficiario"] {
		t.Fatalf("team opens %+v (%v); want the whole record", got, err)
	}
	got, err = seal.OpenRecord(r, project)
	if err != nil || got.Identity != nil || got.Answers["Note"] != "nota s" {
		t.Fatalf("coordinators open %+v (%v); want answers without identity", got, err)
	}
	if _, err := seal.OpenRecord(r, other); err == nil {
		t.Fatal("an unrelated key opened the record")
	}
	if _, err := seal.Decrypt(identity, project); err == nil {
		t.Fatal("the project key opened the identification")
	}
	rec.Identity = nil
	if _, identity, _ := seal.SealRecord(rec, project.Recipient(), team.Recipient()); identity != nil {
		t.Fatal("a record without identification got an identity ciphertext")
	}
}
