package wire

import (
	"strings"
	"testing"
)

func TestKeyFingerprint(t *testing.T) {
	a := KeyFingerprint("age1aaaa")
	if len(a) != 19 || strings.Count(a, "-") != 3 {
		t.Fatalf("fingerprint %q: want XXXX-XXXX-XXXX-XXXX", a)
	}
	if a != KeyFingerprint("age1aaaa") {
		t.Fatal("fingerprint not stable")
	}
	if a == KeyFingerprint("age1aaab") {
		t.Fatal("two recipients, one fingerprint")
	}
}
