package wire

import (
	"bytes"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/google/uuid"

	"sinba/survey"
)

func validRevision() Revision {
	return Revision{
		RecordID: uuid.NewString(), Revision: uuid.NewString(), Instrument: survey.InstrumentCase, InstrumentVersion: 1,
		Municipality: "063049", Status: survey.StatusDraft, SavedAt: time.Now().UTC(), Content: []byte("ciphertext"),
	}
}

func TestBatchRoundTrip(t *testing.T) {
	b := &Batch{Version: Version, ID: uuid.NewString(), Revisions: []Revision{validRevision(), validRevision()}}
	data, err := EncodeBatch(b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeBatch(data, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != b.ID || len(got.Revisions) != 2 || got.Revisions[1].Revision != b.Revisions[1].Revision {
		t.Fatalf("decoded %+v, want %+v", got, b)
	}
	for i := range got.Revisions {
		if e := ValidateRevision(&got.Revisions[i], DefaultLimits); e != nil {
			t.Fatalf("revision %d refused: %v", i, e)
		}
	}
}

func code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestDecodeBatchRefusals(t *testing.T) {
	small := Limits{MaxCompressed: 1 << 20, MaxDecompressed: 64 << 10, MaxRevisions: 3, MaxContent: 1 << 10}
	many := &Batch{Version: Version, ID: uuid.NewString()}
	for range 4 {
		many.Revisions = append(many.Revisions, validRevision())
	}
	manyData, _ := EncodeBatch(many)
	oldData, _ := EncodeBatch(&Batch{Version: FormatV2 + 1, ID: uuid.NewString()})
	badID, _ := EncodeBatch(&Batch{Version: Version, ID: "1"})
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, CodeInvalid},
		{"not zstd", []byte("hello, world"), CodeInvalid},
		{"zstd of garbage", Compress([]byte("{not json")), CodeInvalid},
		{"bomb", Compress(make([]byte, 8<<20)), CodeTooLarge},
		{"too many revisions", manyData, CodeTooManyRecords},
		{"unknown format", oldData, CodeUnsupportedVersion},
		{"bad id", badID, CodeInvalid},
		{"too large compressed", make([]byte, 2<<20), CodeTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeBatch(c.data, small)
			if code(err) != c.want {
				t.Fatalf("got %v, want code %s", err, c.want)
			}
		})
	}
}

// A small frame that inflates to a gigabyte must be refused without the
// decoder allocating anything like it.
func TestDecompressBoundsMemory(t *testing.T) {
	var buf bytes.Buffer
	zeros := make([]byte, 1<<20)
	for range 64 {
		buf.Write(zeros)
	}
	bomb := Compress(buf.Bytes())
	buf = bytes.Buffer{}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := Decompress(bomb, 1<<20)
	runtime.ReadMemStats(&after)
	if code(err) != CodeTooLarge {
		t.Fatalf("bomb of %d bytes: %v, want %s", len(bomb), err, CodeTooLarge)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 32<<20 {
		t.Fatalf("decoding the bomb allocated %d MiB, want it bounded near the 1 MiB limit", grew>>20)
	}
}

func TestValidateRevision(t *testing.T) {
	lim := DefaultLimits
	mod := func(f func(*Revision)) Revision { r := validRevision(); f(&r); return r }
	cases := map[string]Revision{
		"record id":    mod(func(r *Revision) { r.RecordID = "x" }),
		"revision id":  mod(func(r *Revision) { r.Revision = "" }),
		"base":         mod(func(r *Revision) { r.BaseRevision = "nope" }),
		"self base":    mod(func(r *Revision) { r.BaseRevision = r.Revision }),
		"instrument":   mod(func(r *Revision) { r.Instrument = "../etc" }),
		"version":      mod(func(r *Revision) { r.InstrumentVersion = 0 }),
		"municipality": mod(func(r *Revision) { r.Municipality = "Napoli" }),
		"status":       mod(func(r *Revision) { r.Status = "deleted" }),
		"saved at":     mod(func(r *Revision) { r.SavedAt = time.Time{} }),
		"no content":   mod(func(r *Revision) { r.Content = nil }),
		"too large":    mod(func(r *Revision) { r.Content = make([]byte, lim.MaxContent+1) }),
	}
	for name, r := range cases {
		if e := ValidateRevision(&r, lim); e == nil {
			t.Errorf("%s: accepted, want a refusal", name)
		}
	}
}

// A revision whose JSON does not parse is refused alone, by id.
func TestMalformedRevisionIsRefusedAlone(t *testing.T) {
	good := validRevision()
	raw := []byte(`{"version":1,"id":"` + uuid.NewString() + `","revisions":[{"record_id":"r1","revision":"v1","saved_at":"yesterday"},` +
		string(mustJSON(t, good)) + `]}`)
	b, err := DecodeBatch(Compress(raw), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if e := ValidateRevision(&b.Revisions[0], DefaultLimits); e == nil || b.Revisions[0].Revision != "v1" {
		t.Fatalf("malformed revision: %v, id %q; want refused and named", e, b.Revisions[0].Revision)
	}
	if e := ValidateRevision(&b.Revisions[1], DefaultLimits); e != nil {
		t.Fatalf("good revision refused: %v", e)
	}
}

// A decision taken in the same second as the version it decides on sorts
// after it: the server keeps the decision's time to the second only.
func TestReviewDecidedAtNotBeforeTheReviewedVersion(t *testing.T) {
	saved := time.Date(2025, 6, 30, 10, 0, 0, 158e6, time.UTC)
	rv := Review{At: saved.Truncate(time.Second), Reviewed: Revision{SavedAt: saved}}
	if got := rv.DecidedAt(); !got.Equal(saved) {
		t.Errorf("DecidedAt %v, want the reviewed version's %v", got, saved)
	}
	rv.At = saved.Add(time.Minute)
	if got := rv.DecidedAt(); !got.Equal(rv.At) {
		t.Errorf("DecidedAt %v, want the decision's own %v", got, rv.At)
	}
}
