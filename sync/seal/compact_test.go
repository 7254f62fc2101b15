package seal_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"sinba/assets"
	"sinba/survey"
	"sinba/survey/synth"
	"sinba/sync/seal"
	"sinba/sync/wire"
)

// caseBody is the published body of the shipped case record, version 2.
func caseBody(t testing.TB) []byte {
	t.Helper()
	b, err := assets.Instruments.ReadFile("instruments/scheda-minore.v2.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// synthCases are synthetic case records of the shipped version 2, with a
// free note unique to each record on some.
func synthCases(t testing.TB, n int) []survey.Record {
	t.Helper()
	ref, err := survey.LoadReference(assets.Reference)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := survey.LoadInstruments(assets.Instruments, ref)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := synth.Generate(reg, ref, synth.Options{Seed: 16, Cases: n, Municipalities: []string{"063049", "065116"},
		RefDate: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), NoQuestionnaires: true, NoteRate: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	return ds.Records
}

// viaJSON is what the JSON form gives back for c: what the compact form
// must give back too.
func viaJSON(t testing.TB, c *seal.Content) *seal.Content {
	t.Helper()
	j, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back seal.Content
	if err := json.Unmarshal(j, &back); err != nil {
		t.Fatal(err)
	}
	if back.Answers == nil {
		back.Answers = survey.Answers{}
	}
	return &back
}

func checkRoundTrip(t *testing.T, body []byte, c *seal.Content) []byte {
	t.Helper()
	b, err := seal.EncodeContent(body, c)
	if err != nil {
		t.Fatalf("encode %+v: %v", c, err)
	}
	got, err := seal.DecodeContent(body, b)
	if err != nil {
		t.Fatalf("decode %x: %v", b, err)
	}
	if want := viaJSON(t, c); !reflect.DeepEqual(got, want) {
		t.Fatalf("compact form gives back\n%#v\nJSON gives back\n%#v", got, want)
	}
	return b
}

// Synthetic case records come back from the compact form exactly as from
// JSON, in a fraction of its size.
func TestCompactContentOfSyntheticRecords(t *testing.T) {
	body := caseBody(t)
	var compact, js int
	for _, rec := range synthCases(t, 300) {
		c := &seal.Content{Answers: rec.Answers, Meta: rec.Meta, Replies: rec.Replies}
		b := checkRoundTrip(t, body, c)
		j, _ := json.Marshal(c)
		compact, js = compact+len(b), js+len(j)
	}
	if compact*4 > js {
		t.Errorf("compact form %d bytes, JSON %d: want under a quarter", compact, js)
	}
	t.Logf("compact %d bytes a record, JSON %d", compact/300, js/300)
}

// Whatever does not fit its question still comes back as JSON gives it:
// unknown fields, codes outside the list, values of another kind, numbers
// that are not integers, -0, invalid UTF-8, Go types JSON writes its own way.
func TestCompactContentOfOddAnswers(t *testing.T) {
	body := caseBody(t)
	cases := []survey.Answers{
		{},
		{"AnnoNascita": 2012, "NumeroComponentiISEE": int64(4), "FasciaEtaBeneficiario": "9", "ComposizioneFamiglia": []string{"1", "99"}},
		{"AnnoNascita": 2012.5, "NumeroComponentiISEE": math.Copysign(0, -1), "Disabilita": true, "DataRiferimento": "2026-2-1"},
		{"AnnoNascita": float32(0.1), "NumeroComponentiISEE": json.Number("7"), "DataPrimaSegnalazione": "13/2024", "DataSegnalazione": "01/2024"},
		{"AnnoNascita": 1e300, "NumeroComponentiISEE": -3, "IDBeneficiario": "a\xffb", "Sconosciuto": map[string]any{"b": []any{nil, true, 1.5, "x"}, "a": map[string]any{}}},
		{"DettaglioInterventi": []any{map[string]any{"CodicePrestazione": "A1.01", "Altro": 3}, map[string]any{}}, "ComposizioneFamiglia": []any{}},
		{"DettaglioInterventi": []any{"not an item"}, "CodicePrestazione": []any{"A1.01", 5}, "Vuoto": nil, "Lista": []any{}},
		{"DataRiferimento": "1899-12-31", "DataPrimaSegnalazione": "12/1999", "AnnoNascita": float64(1 << 53), "NumeroComponentiISEE": float64(1<<53 + 2)},
	}
	metas := []map[string]survey.FieldMeta{
		nil,
		{"TitoloStudioPadre": {NotHeld: true, Reason: survey.ReasonOther, Note: "Padre non presente"}},
		{"OccupazionePadre": {NotHeld: true}, "Campo.sconosciuto": {Note: "nota"}, "FasciaISEEBeneficiario": {NotHeld: true, Reason: "motivo nuovo"}},
		{},
	}
	replies := []survey.Comment{{Field: "AnnoNascita", Text: "corretto", Reply: true, At: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)}}
	for i, a := range cases {
		c := &seal.Content{Answers: a, Meta: metas[i%len(metas)]}
		if i%3 == 1 {
			c.Replies = replies
		}
		checkRoundTrip(t, body, c)
		// Against an instrument that has no questions at all, everything
		// is an unknown field.
		checkRoundTrip(t, []byte(`{"id":"x","version":1}`), c)
	}
}

// A content the compact decoder refuses: cut, with bytes after it, naming
// a field or code the version does not have, or not in the compact form.
func TestCompactContentRefusesWhatItDidNotWrite(t *testing.T) {
	body := caseBody(t)
	good, err := seal.EncodeContent(body, &seal.Content{Answers: survey.Answers{"FasciaEtaBeneficiario": "1", "Note": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"empty":         {},
		"json":          []byte(`{"answers":{}}`),
		"cut":           good[:len(good)-1],
		"trailing":      append(append([]byte{}, good...), 0),
		"field too far": {0x02, 1, 200, 1, 0, 0, 0},
		"code too far":  {0x02, 1, 2, 100, 0, 0, 0},
		"huge count":    {0x02, 0xff, 0xff, 0x03},
	} {
		if _, err := seal.DecodeContent(body, b); err == nil {
			t.Errorf("%s: %x decoded", name, b)
		}
	}
}

// A record sealed with the JSON form (before the compact one, or by a
// laptop that does not know its version's questions) still opens where the
// questions are known; a compact one needs them, and says so.
func TestJSONContentStillOpens(t *testing.T) {
	project, team := newKey(t), newKey(t)
	rec := synthCases(t, 1)[0]
	rec.ID = uuid.NewString()
	in := wire.Instrument{ID: rec.Instrument, Version: rec.Version, Body: caseBody(t)}
	withBody, err := seal.DictionariesOf([]wire.Instrument{in})
	if err != nil {
		t.Fatal(err)
	}
	old, h := sealedBatch(t, nil, project, team, rec)
	got, err := seal.NewOpener(project, withBody).Open(&old[0], &h)
	if err != nil || !reflect.DeepEqual(got.Answers, viaJSON(t, &seal.Content{Answers: rec.Answers}).Answers) {
		t.Fatalf("JSON content: %+v %v", got.Answers, err)
	}
	compact, h2 := sealedBatch(t, withBody, project, team, rec)
	if len(compact[0].Content) >= len(old[0].Content) {
		t.Errorf("compact content %d bytes, JSON %d", len(compact[0].Content), len(old[0].Content))
	}
	if got, err = seal.NewOpener(project, withBody).Open(&compact[0], &h2); err != nil || !reflect.DeepEqual(got.Meta, rec.Meta) {
		t.Fatalf("compact content: %+v %v", got, err)
	}
	if _, err := seal.NewOpener(project, nil).Open(&compact[0], &h2); err == nil {
		t.Fatal("a compact content opened without its version's questions")
	}
}

// compactVector is a test vector of the compact content: the instrument
// body it is written against, the content as JSON, and its compact form.
type compactVector struct {
	Instrument json.RawMessage `json:"instrument"`
	Content    json.RawMessage `json:"content"`
	Compact    string          `json:"compact"`
}

func TestCompactVectors(t *testing.T) {
	path := filepath.Join("testdata", "compact-vectors.json")
	body := []byte(`{"id":"esempio","version":1,"codelists":{"SiNo":{"codes":[{"code":"1"},{"code":"2"}]},"Lingue":{"codes":[{"code":"it"},{"code":"en"},{"code":"fr"}]}},` +
		`"sections":[{"id":"s","questions":[{"id":"Nome","type":"text"},{"id":"Anni","type":"integer"},{"id":"Risposta","type":"single","codelist":"SiNo"},` +
		`{"id":"Lingue","type":"multi","codelist":"Lingue"},{"id":"Nato","type":"date"},{"id":"Dal","type":"monthyear"},{"id":"Ok","type":"yesno"},` +
		`{"id":"Figli","type":"group","items":[{"id":"Nome","type":"text"},{"id":"Anni","type":"integer"}]}]}]}`)
	contents := []string{
		`{"answers":{}}`,
		`{"answers":{"Nome":"Ada","Anni":12,"Risposta":"2","Lingue":["it","fr"],"Nato":"2014-03-04","Dal":"09/2025","Ok":true}}`,
		`{"answers":{"Anni":12.5,"Risposta":"3","Lingue":["it","de"],"Nato":"4 marzo","Altro":{"x":[null,false]},"Figli":[{"Nome":"Bea","Anni":3},{}]},` +
			`"meta":{"Risposta":{"not_held":true,"reason":"other_body","note":"all'INPS"},"Figli[0].Anni":{"note":"stimata"}}}`,
	}
	if *update {
		var vs []compactVector
		for _, c := range contents {
			var content seal.Content
			if err := json.Unmarshal([]byte(c), &content); err != nil {
				t.Fatal(err)
			}
			b, err := seal.EncodeContent(body, &content)
			if err != nil {
				t.Fatal(err)
			}
			vs = append(vs, compactVector{body, json.RawMessage(c), hex.EncodeToString(b)})
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
	var vs []compactVector
	if err := json.Unmarshal(data, &vs); err != nil || len(vs) != len(contents) {
		t.Fatalf("vectors: %d, %v", len(vs), err)
	}
	for _, v := range vs {
		var want seal.Content
		if err := json.Unmarshal(v.Content, &want); err != nil {
			t.Fatal(err)
		}
		b, err := seal.EncodeContent(v.Instrument, &want)
		if err != nil || hex.EncodeToString(b) != v.Compact {
			t.Errorf("%s: encoded %x (%v), want %s", v.Content, b, err, v.Compact)
		}
		raw, _ := hex.DecodeString(v.Compact)
		got, err := seal.DecodeContent(v.Instrument, raw)
		if err != nil || !reflect.DeepEqual(got, viaJSON(t, &want)) {
			t.Errorf("%s: decoded %+v (%v)", v.Content, got, err)
		}
	}
}

// FuzzDecodeContent gives the compact content's decoder arbitrary bytes: it
// must never panic, and what it reads it writes back to the same content.
// Corpus: testdata/fuzz.
func FuzzDecodeContent(f *testing.F) {
	body := caseBody(f)
	// Seeds of a realistic shape, made without the reference data, which
	// would slow every fuzzing worker's start.
	seeds := []seal.Content{
		{Answers: survey.Answers{"IDBeneficiario": "ITRE3M47GPLYBSFZZC3I", "AnnoNascita": 2010, "FasciaEtaBeneficiario": "6",
			"CodiceNazioneResidenza": "380", "ComposizioneFamiglia": []any{"1", "4", "5"}, "DataRiferimento": "2026-12-01",
			"DataPrimaSegnalazione": "02/2023", "NumeroComponentiISEE": 4, "CodicePrestazione": []any{"A1.12"}},
			Meta: map[string]survey.FieldMeta{"OccupazionePadre": {NotHeld: true, Reason: survey.ReasonOther, Note: "Padre non presente"}}},
		{Answers: survey.Answers{"DettaglioInterventi": []any{map[string]any{"CodicePrestazione": "A1.01"}}, "Altro": map[string]any{"a": 1.5}}},
	}
	for _, c := range seeds {
		b, err := seal.EncodeContent(body, &c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{0x02, 0, 0, 0})
	f.Add([]byte{0x02, 0, 1, 1, 'k', 6, 1, 1, 'a', 5, 1, 7, 3})
	s, err := seal.Schema(body)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := s.Decode(b)
		if err != nil {
			return
		}
		again, err := s.Encode(c)
		if err != nil {
			t.Fatalf("read %+v from %x, cannot write it: %v", c, b, err)
		}
		back, err := s.Decode(again)
		if err != nil || !reflect.DeepEqual(back, c) {
			t.Fatalf("read %+v from %x; written again %x reads %+v (%v)", c, b, again, back, err)
		}
		if !bytes.Equal(again[:1], []byte{0x02}) {
			t.Fatalf("written without its version byte: %x", again)
		}
	})
}
