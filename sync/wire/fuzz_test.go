package wire

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"
)

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzDecodeBatch feeds the decoder arbitrary bytes, raw and as zstd frames:
// it must never panic, never return more than the limits allow, and the
// validator must cope with whatever it returns. Corpus: testdata/fuzz.
func FuzzDecodeBatch(f *testing.F) {
	good, _ := EncodeBatch(&Batch{Version: Version, ID: uuid.NewString(), Revisions: []Revision{validRevision()}})
	f.Add(good, false)
	id := uuid.NewString()
	v2, _ := EncodeBatch(&Batch{Version: FormatV2, ID: id, Header: &Header{Batch: id, Content: []byte("age"), Identity: []byte("age")}, Revisions: []Revision{validRevision()}})
	f.Add(v2, false)
	f.Add([]byte(`{"version":2,"id":"`+id+`","header":{"batch":"`+uuid.NewString()+`","content":"YWdl"},"revisions":[]}`), true)
	f.Add([]byte(`{"version":2,"id":"`+id+`","revisions":[]}`), true)
	f.Add([]byte(`{"version":1,"id":"`+id+`","header":{"batch":"`+id+`","content":"YWdl"},"revisions":[]}`), true)
	f.Add([]byte(`{"version":1,"id":"`+uuid.NewString()+`","revisions":[{"record_id":1}]}`), true)
	f.Add([]byte(`{"version":1,"revisions":null}`), true)
	f.Add(make([]byte, 1<<16), true)
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, false)
	lim := Limits{MaxCompressed: 1 << 20, MaxDecompressed: 256 << 10, MaxRevisions: 20, MaxContent: 4 << 10}
	f.Fuzz(func(t *testing.T, data []byte, compress bool) {
		if compress {
			data = Compress(data)
		}
		b, err := DecodeBatch(data, lim)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T is not a coded refusal: %v", err, err)
			}
			return
		}
		if len(b.Revisions) > lim.MaxRevisions || !IsUUID(b.ID) || (b.Version != FormatV1 && b.Version != FormatV2) {
			t.Fatalf("decoded a batch outside the limits: %d revisions, id %q, version %d", len(b.Revisions), b.ID, b.Version)
		}
		if (b.Version == FormatV2) != (b.Header != nil) || b.Header != nil && (b.Header.Batch != b.ID || len(b.Header.Content) == 0 || len(b.Header.Content) > MaxHeaderKey) {
			t.Fatalf("decoded a batch of format %d with header %+v", b.Version, b.Header)
		}
		for i := range b.Revisions {
			_ = ValidateRevision(&b.Revisions[i], lim)
		}
	})
}

// FuzzExpandReceipt gives the laptop's expansion of a format-2 receipt any
// receipt for a batch of three: it must refuse what does not add up, and
// what it accepts must name each revision sent once, refused ones aside.
func FuzzExpandReceipt(f *testing.F) {
	sent := []Revision{{RecordID: "r1", Revision: "a"}, {RecordID: "r2", Revision: "b"}, {RecordID: "r3", Revision: "c"}}
	f.Add([]byte(`{"count":3,"accepted":[],"refused":[]}`))
	f.Add([]byte(`{"count":2,"accepted":[{"revision":"b","duplicate":true}],"refused":[{"revision":"c","code":"not_assigned"}]}`))
	f.Add([]byte(`{"count":3,"accepted":[{"revision":"z","conflict":true}],"refused":[]}`))
	f.Add([]byte(`{"count":1,"accepted":[],"refused":[{"revision":"a"},{"revision":"a"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r Receipt
		if json.Unmarshal(data, &r) != nil {
			return
		}
		refused := len(r.Refused)
		if err := ExpandReceipt(&r, sent); err != nil {
			return
		}
		seen := map[string]bool{}
		for _, a := range r.Accepted {
			if seen[a.Revision] {
				t.Fatalf("revision %s accepted twice", a.Revision)
			}
			seen[a.Revision] = true
		}
		if len(r.Accepted)+refused != len(sent) {
			t.Fatalf("%d accepted and %d refused of %d sent", len(r.Accepted), refused, len(sent))
		}
	})
}
