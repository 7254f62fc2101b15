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
		if len(b.Revisions) > lim.MaxRevisions || !IsUUID(b.ID) || b.Version != Version {
			t.Fatalf("decoded a batch outside the limits: %d revisions, id %q, version %d", len(b.Revisions), b.ID, b.Version)
		}
		for i := range b.Revisions {
			_ = ValidateRevision(&b.Revisions[i], lim)
		}
	})
}
