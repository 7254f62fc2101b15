package seal_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"
	"github.com/google/uuid"

	"sinba/survey"
	"sinba/sync/seal"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

const device = "5d0c7f0e-9a51-4a3f-8a3e-2b6b1c0d9e11"

// sealedBatch seals recs as one format-2 batch and returns the revisions as
// they come back downstream (Header and Origin set) and the header.
func sealedBatch(t *testing.T, dicts *seal.Dictionaries, project, team *ageKey, recs ...survey.Record) ([]wire.Revision, wire.Header) {
	t.Helper()
	bs, err := seal.NewBatchSealer(uuid.NewString(), device, project.Recipient(), team.Recipient(), dicts)
	if err != nil {
		t.Fatal(err)
	}
	var revs []wire.Revision
	for _, rec := range recs {
		rev := uuid.NewString()
		content, identity, err := bs.Seal(rec, rev)
		if err != nil {
			t.Fatal(err)
		}
		revs = append(revs, wire.Revision{RecordID: rec.ID, Revision: rev, Instrument: rec.Instrument, InstrumentVersion: rec.Version,
			Municipality: rec.Municipality, Content: content, Identity: identity, Origin: device, Header: bs.Header().Batch})
	}
	return revs, bs.Header()
}

func TestBatchWhoCanOpenWhat(t *testing.T) {
	project, team, other := newKey(t), newKey(t), newKey(t)
	rec := synctest.CaseRecord(synctest.MunicipalityA, "b")
	rec.ID = uuid.NewString()
	revs, h := sealedBatch(t, nil, project, team, rec)
	r := &revs[0]

	got, err := seal.NewOpener(team, nil).Open(r, &h)
	if err != nil || got.Identity == nil || *got.Identity != *rec.Identity || got.Answers["Note"] != "nota b" {
		t.Fatalf("team opens %+v (%v); want the whole record", got, err)
	}
	got, err = seal.NewOpener(project, nil).Open(r, &h)
	if err != nil || got.Identity != nil || got.Answers["Note"] != "nota b" {
		t.Fatalf("coordinators open %+v (%v); want answers without identity", got, err)
	}
	if _, err := seal.NewOpener(other, nil).Open(r, &h); err == nil {
		t.Fatal("an unrelated key opened the record")
	}
	if _, err := seal.NewOpener(team, nil).Open(r, nil); err == nil {
		t.Fatal("a format-2 record opened without its header")
	}
	// A header is the key to its batch only.
	_, h2 := sealedBatch(t, nil, project, team, rec)
	h2.Batch = h.Batch
	if _, err := seal.NewOpener(team, nil).Open(r, &h2); err == nil {
		t.Fatal("another batch's header opened the record")
	}
	rec.Identity = nil
	if revs, _ := sealedBatch(t, nil, project, team, rec); revs[0].Identity != nil {
		t.Fatal("a record without identification got an identity ciphertext")
	}
}

// The envelope is the associated data: a ciphertext moved to another
// record, revision, instrument version or device does not open.
func TestBatchRecordIsBoundToItsEnvelope(t *testing.T) {
	project, team := newKey(t), newKey(t)
	a, b := synctest.CaseRecord(synctest.MunicipalityA, "a"), synctest.CaseRecord(synctest.MunicipalityA, "b")
	a.ID, b.ID = uuid.NewString(), uuid.NewString()
	revs, h := sealedBatch(t, nil, project, team, a, b)
	open := seal.NewOpener(team, nil)
	for name, change := range map[string]func(r *wire.Revision){
		"content of the other record":  func(r *wire.Revision) { r.Content = revs[1].Content },
		"identity of the other record": func(r *wire.Revision) { r.Identity = revs[1].Identity },
		"record id":                    func(r *wire.Revision) { r.RecordID = b.ID },
		"revision":                     func(r *wire.Revision) { r.Revision = uuid.NewString() },
		"instrument version":           func(r *wire.Revision) { r.InstrumentVersion++ },
		"instrument":                   func(r *wire.Revision) { r.Instrument = survey.InstrumentMunicipality },
		"device":                       func(r *wire.Revision) { r.Origin = uuid.NewString() },
		"one bit":                      func(r *wire.Revision) { r.Content = append([]byte{}, r.Content...); r.Content[3] ^= 1 },
	} {
		r := revs[0]
		change(&r)
		if _, err := open.Open(&r, &h); err == nil {
			t.Errorf("%s changed: the record still opens", name)
		}
	}
	if _, err := open.Open(&revs[0], &h); err != nil {
		t.Fatalf("the record itself: %v", err)
	}
}

func TestBatchRevisionIsSealedOncePerBatch(t *testing.T) {
	project, team := newKey(t), newKey(t)
	bs, _ := seal.NewBatchSealer(uuid.NewString(), device, project.Recipient(), team.Recipient(), nil)
	rec := synctest.CaseRecord(synctest.MunicipalityA, "o")
	if _, _, err := bs.Seal(rec, "r1"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := bs.Seal(rec, "r1"); err == nil {
		t.Fatal("a revision was sealed twice under one batch key")
	}
}

// A record compressed with the dictionary of its version opens wherever
// that dictionary is known, also after later versions brought their own;
// it is smaller than without one.
func TestDictionaryOfAnOlderVersionStaysReadable(t *testing.T) {
	project, team := newKey(t), newKey(t)
	var samples []survey.Record
	for i := range 40 {
		samples = append(samples, synctest.CaseRecord(synctest.MunicipalityA, uuid.NewString()[:i%8+1]))
	}
	d1, err := seal.TrainDictionary(wire.Instrument{ID: survey.InstrumentCase, Version: 1}, samples)
	if err != nil {
		t.Fatal(err)
	}
	for i := range samples {
		samples[i].Answers["Nuova"] = "campo della versione 2"
	}
	d2, err := seal.TrainDictionary(wire.Instrument{ID: survey.InstrumentCase, Version: 2}, samples)
	if err != nil {
		t.Fatal(err)
	}
	old := &seal.Dictionaries{}
	if err := old.Add(survey.InstrumentCase, 1, d1); err != nil {
		t.Fatal(err)
	}
	rec := synctest.CaseRecord(synctest.MunicipalityA, "d")
	rec.ID = uuid.NewString()
	with, h := sealedBatch(t, old, project, team, rec)
	without, _ := sealedBatch(t, nil, project, team, rec)
	if len(with[0].Content) >= len(without[0].Content) {
		t.Errorf("content with the dictionary %d bytes, without %d: want smaller", len(with[0].Content), len(without[0].Content))
	}
	both, err := seal.DictionariesOf([]wire.Instrument{
		{ID: survey.InstrumentCase, Version: 2, Dictionary: d2},
		{ID: survey.InstrumentCase, Version: 1, Dictionary: d1},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := seal.NewOpener(project, both).Open(&with[0], &h)
	if err != nil || got.Answers["Note"] != "nota d" {
		t.Fatalf("with both dictionaries: %+v %v", got.Answers, err)
	}
	if _, err := seal.NewOpener(project, nil).Open(&with[0], &h); err == nil {
		t.Fatal("a record compressed with a dictionary opened without it")
	}
	if _, err := seal.DictionariesOf([]wire.Instrument{{ID: "x", Version: 1, Dictionary: []byte("not a dictionary")}}); err == nil {
		t.Fatal("a broken dictionary was taken")
	}
}

var update = flag.Bool("update", false, "rewrite the test vectors in testdata")

// vector is one test vector of the format-2 record construction: the key
// derived with HKDF-SHA-256 from the batch key, and the XChaCha20-Poly1305
// ciphertext of the plaintext (hex: the zstd frame of a content, the
// compact form of an identification) under it, with the envelope as
// associated data.
type vector struct {
	BatchKey   string        `json:"batch_key"`
	Part       string        `json:"part"`
	Envelope   seal.Envelope `json:"envelope"`
	Plaintext  string        `json:"plaintext"`
	RecordKey  string        `json:"record_key"`
	Ciphertext string        `json:"ciphertext"`
}

func TestVectors(t *testing.T) {
	path := filepath.Join("testdata", "v2-vectors.json")
	if *update {
		var vs []vector
		for i, part := range []string{"content", "identity"} {
			key := bytes.Repeat([]byte{byte(i + 1)}, 32)
			env := seal.Envelope{RecordID: "0b6f8a3e-2a55-4f0e-9d7e-1c2b3a4d5e6f", Revision: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
				Instrument: survey.InstrumentCase, Version: 1, Device: device}
			plain := wire.Compress([]byte(`{"answers":{"AnnoNascita":"2012"}}`))
			if part == "identity" {
				plain = seal.EncodeIdentity(&survey.Identity{Surname: "Rossi", Name: "Maria", Sex: "F", BirthDate: "2012-03-04", BirthPlace: "F839", FiscalCode: "RSSMRA12C44F839X"})
			}
			rk, ct, err := seal.SealWithKey(key, part, env, plain)
			if err != nil {
				t.Fatal(err)
			}
			vs = append(vs, vector{hex.EncodeToString(key), part, env, hex.EncodeToString(plain), hex.EncodeToString(rk), hex.EncodeToString(ct)})
		}
		data, _ := json.MarshalIndent(vs, "", "  ")
		if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(data, &vs); err != nil || len(vs) == 0 {
		t.Fatalf("vectors: %v", err)
	}
	for _, v := range vs {
		key, _ := hex.DecodeString(v.BatchKey)
		want, _ := hex.DecodeString(v.Plaintext)
		rk, ct, err := seal.SealWithKey(key, v.Part, v.Envelope, want)
		if err != nil || hex.EncodeToString(rk) != v.RecordKey || hex.EncodeToString(ct) != v.Ciphertext {
			t.Errorf("%s: derived %x sealed %x (%v); want %s %s", v.Part, rk, ct, err, v.RecordKey, v.Ciphertext)
		}
		sealed, _ := hex.DecodeString(v.Ciphertext)
		plain, err := seal.OpenWithKey(key, v.Part, v.Envelope, sealed)
		if err != nil || !bytes.Equal(plain, want) {
			t.Errorf("%s: opened %q (%v)", v.Part, plain, err)
		}
	}
}

type ageKey = age.X25519Identity

func newKey(t testing.TB) *ageKey {
	t.Helper()
	k, err := seal.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// FuzzOpen gives the format-2 record decoder arbitrary ciphertexts and
// headers: it must never panic, and must open only what was sealed.
// Corpus: testdata/fuzz.
func FuzzOpen(f *testing.F) {
	project, team := newKey(f), newKey(f)
	bs, _ := seal.NewBatchSealer("b", device, project.Recipient(), team.Recipient(), nil)
	rec := synctest.CaseRecord(synctest.MunicipalityA, "f")
	rec.ID = "r"
	content, identity, _ := bs.Seal(rec, "v")
	h := bs.Header()
	f.Add(content, identity, h.Content, h.Identity)
	f.Add(content[:10], []byte{}, h.Content[:20], []byte{})
	f.Add([]byte{}, []byte{}, []byte("age-encryption.org/v1\n-> X25519 \n"), []byte{})
	f.Fuzz(func(t *testing.T, content, identity, hContent, hIdentity []byte) {
		r := &wire.Revision{RecordID: "r", Revision: "v", Instrument: rec.Instrument, InstrumentVersion: rec.Version, Origin: device,
			Header: "b", Content: content, Identity: identity}
		hd := &wire.Header{Batch: "b", Content: hContent, Identity: hIdentity}
		got, err := seal.NewOpener(team, nil).Open(r, hd)
		if err == nil && got.Answers == nil {
			t.Fatal("opened without answers")
		}
	})
}

// FuzzDictionary gives the dictionary loader arbitrary bytes: it must never
// panic, and a dictionary it takes must compress and open a record.
func FuzzDictionary(f *testing.F) {
	var samples []survey.Record
	for i := range 10 {
		samples = append(samples, synctest.CaseRecord(synctest.MunicipalityA, string(rune('a'+i))))
	}
	good, _ := seal.TrainDictionary(wire.Instrument{ID: survey.InstrumentCase, Version: 1}, samples)
	f.Add(good)
	f.Add(good[:64])
	f.Add([]byte{0x37, 0xa4, 0x30, 0xec, 1, 0, 0, 0})
	project := newKey(f)
	f.Fuzz(func(t *testing.T, dict []byte) {
		d := &seal.Dictionaries{}
		if d.Add(survey.InstrumentCase, 1, dict) != nil {
			return
		}
		bs, _ := seal.NewBatchSealer("b", device, project.Recipient(), project.Recipient(), d)
		content, _, err := bs.Seal(samples[0], "v")
		if err != nil {
			t.Fatal(err)
		}
		r := &wire.Revision{RecordID: samples[0].ID, Revision: "v", Instrument: survey.InstrumentCase, InstrumentVersion: 1, Origin: device, Header: "b", Content: content}
		h := bs.Header()
		if _, err := seal.NewOpener(project, d).Open(r, &h); err != nil {
			t.Fatalf("a record compressed with a dictionary that was taken does not open: %v", err)
		}
	})
}

// FuzzDecodeIdentity gives the compact identification's decoder arbitrary
// bytes: it must never panic, and what it reads it writes back the same.
func FuzzDecodeIdentity(f *testing.F) {
	f.Add(seal.EncodeIdentity(synctest.CaseRecord(synctest.MunicipalityA, "x").Identity))
	f.Add(seal.EncodeIdentity(&survey.Identity{}))
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Add([]byte{1, 2, 0xc3, 0x28, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		id, err := seal.DecodeIdentity(b)
		if err != nil {
			return
		}
		if again := seal.EncodeIdentity(id); !bytes.Equal(again, b) {
			t.Fatalf("read %+v from %x, writes %x", id, b, again)
		}
	})
}
