package survey

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
)

// frozen pins every shipped instrument version. Records keep the version
// they were made with, laptops and servers hold published copies, and a
// server refuses a version published again with other content: a version,
// once shipped, never changes. A change to an instrument is a new version
// (with its migration); a new version is added here with its digest.
var frozen = map[string]string{
	"scheda-comune@1": "93ec2798c88a9d05eca9900cdaa91797f31440453e2853787741badcdf97ba17",
	"scheda-comune@2": "9e1e89665a426d2b02fa2173788cd7cdd2df58ba9789880a57469936eabe6dc1",
	"scheda-minore@1": "d0036cfde213e676a7870d65460fc447496bec7c1a469079c1a5db3b5b3af428",
	"scheda-minore@2": "62533b28498803a4983c0cc03550a1274d4ce6598cf09584fe46c3c1bd858d35",
}

func TestShippedVersionsAreFrozen(t *testing.T) {
	reg, _ := load(t)
	held := 0
	for _, id := range reg.IDs() {
		for _, v := range reg.Versions(id) {
			in, _ := reg.Get(id, v)
			held++
			b, err := json.Marshal(in)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(b)
			got := hex.EncodeToString(sum[:])
			want, ok := frozen[in.Key()]
			switch {
			case !ok:
				t.Errorf("%s is shipped but not frozen: add %q: %q to frozen", in.Key(), in.Key(), got)
			case got != want:
				t.Errorf("%s changed after it was shipped (digest %s, frozen %s): make the change a new version with its migration", in.Key(), got, want)
			}
		}
	}
	if held != len(frozen) {
		t.Errorf("%d versions shipped, %d frozen: a frozen version is no longer shipped, and its records could not be read", held, len(frozen))
	}
}
