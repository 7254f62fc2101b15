package seal_test

import (
	"bytes"
	"testing"

	"sinba/assets"
	"sinba/survey"
	"sinba/sync/seal"
)

// The dictionary published with a version is made from the body alone
// (synthetic records, never real ones): the same body gives the same
// dictionary, another version another one, a version of an instrument
// synth does not make none, and a body that is not JSON an error.
func TestPublishedDictionary(t *testing.T) {
	ref, err := survey.LoadReference(assets.Reference)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := assets.Instruments.ReadFile("instruments/scheda-minore.v2.json")
	if err != nil {
		t.Fatal(err)
	}
	d, err := seal.PublishedDictionary(ref, v2)
	if err != nil || len(d) == 0 {
		t.Fatalf("version 2: %d bytes, %v", len(d), err)
	}
	if _, err := seal.DictionaryID(d); err != nil {
		t.Fatalf("version 2's dictionary is not one: %v", err)
	}
	again, err := seal.PublishedDictionary(ref, v2)
	if err != nil || !bytes.Equal(again, d) {
		t.Fatalf("the same body gave another dictionary (%v)", err)
	}
	v3 := bytes.Replace(v2, []byte(`"version": 2`), []byte(`"version": 3`), 1)
	if bytes.Equal(v3, v2) {
		v3 = bytes.Replace(v2, []byte(`"version":2`), []byte(`"version":3`), 1)
	}
	if bytes.Equal(v3, v2) {
		t.Fatal("version 2's body names no version")
	}
	if d3, err := seal.PublishedDictionary(ref, v3); err != nil || len(d3) == 0 || bytes.Equal(d3, d) {
		t.Fatalf("version 3: %d bytes (the same as version 2's: %t), %v", len(d3), bytes.Equal(d3, d), err)
	}
	if d, err := seal.PublishedDictionary(ref, []byte(`{"id":"altro-strumento","version":1}`)); err != nil || d != nil {
		t.Fatalf("an instrument synth does not make: %d bytes, %v", len(d), err)
	}
	if _, err := seal.PublishedDictionary(ref, []byte("{{")); err == nil {
		t.Fatal("a body that is not JSON gave a dictionary")
	}
}
