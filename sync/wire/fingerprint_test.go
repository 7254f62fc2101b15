package wire

import (
	"strings"
	"testing"
)

func TestDeviceFingerprint(t *testing.T) {
	a := DeviceFingerprint("age1aaaa")
	if len(a) != 19 || strings.Count(a, "-") != 3 {
		t.Fatalf("fingerprint %q: want XXXX-XXXX-XXXX-XXXX", a)
	}
	if a != DeviceFingerprint("age1aaaa") {
		t.Fatal("fingerprint not stable")
	}
	if a == DeviceFingerprint("age1aaab") {
		t.Fatal("two recipients, one fingerprint")
	}
}
