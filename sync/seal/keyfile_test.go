package seal_test

import (
	"bytes"
	"errors"
	"testing"

	"sinba/sync/seal"
)

// A project key file opens to its key: plain (as sinba-server writes it)
// without a passphrase, sealed only with the passphrase it was sealed
// with; a short passphrase, a wrong one, a damaged file and a file without
// a key are refused with an error that says which.
func TestKeyFiles(t *testing.T) {
	id, err := seal.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	plain := seal.KeyFile(id, "sinba project key for Pilota")
	if seal.KeyFileSealed(plain) || !bytes.HasPrefix(plain, []byte("# sinba project key for Pilota\n")) {
		t.Fatalf("plain key file: %q", plain)
	}
	if got, err := seal.OpenKeyFile(plain, nil); err != nil || got.String() != id.String() {
		t.Fatalf("plain key file opened to %v, %v", got, err)
	}
	if _, err := seal.SealKeyFile(id, "Pilota", []byte("corta"), 10); !errors.Is(err, seal.ErrKeyFileShort) {
		t.Fatalf("short passphrase: %v", err)
	}
	pass := []byte("una frase lunga per il file")
	sealed, err := seal.SealKeyFile(id, "Pilota", pass, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !seal.KeyFileSealed(sealed) || bytes.Contains(sealed, []byte("AGE-SECRET-KEY-")) || bytes.Contains(sealed, []byte("Pilota")) {
		t.Fatalf("sealed key file shows what it seals: %s", sealed)
	}
	if got, err := seal.OpenKeyFile(sealed, pass); err != nil || got.String() != id.String() {
		t.Fatalf("sealed key file opened to %v, %v", got, err)
	}
	damaged := bytes.Replace(sealed, sealed[60:64], []byte("AAAA"), 1)
	for name, c := range map[string]struct{ data, pass []byte }{
		"wrong passphrase": {sealed, []byte("un'altra frase lunga")},
		"no passphrase":    {sealed, nil},
		"damaged":          {damaged, pass},
	} {
		if _, err := seal.OpenKeyFile(c.data, c.pass); !errors.Is(err, seal.ErrKeyFilePassphrase) {
			t.Errorf("%s: %v, want ErrKeyFilePassphrase", name, err)
		}
	}
	if _, err := seal.OpenKeyFile([]byte("# nothing here\n"), nil); !errors.Is(err, seal.ErrKeyFileNoKey) {
		t.Fatalf("file without a key: %v", err)
	}
}

// FuzzOpenKeyFile: whatever a key file holds, OpenKeyFile returns a key or
// an error, never panics, and a key it returns is one.
func FuzzOpenKeyFile(f *testing.F) {
	id, err := seal.NewKey()
	if err != nil {
		f.Fatal(err)
	}
	pass := []byte("una frase lunga per il file")
	sealed, err := seal.SealKeyFile(id, "Pilota", pass, 2)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seal.KeyFile(id, "Pilota"), []byte{})
	f.Add(sealed, pass)
	f.Add(sealed[:len(sealed)/2], pass)
	f.Add([]byte("age-encryption.org/v1\n-> scrypt AAAA 2\n"), pass)
	f.Add([]byte("# nothing\nAGE-SECRET-KEY-1XYZ\n"), []byte{})
	f.Fuzz(func(t *testing.T, data, pass []byte) {
		got, err := seal.OpenKeyFile(data, pass)
		if err != nil {
			return
		}
		if _, err := seal.ParseIdentity(got.String()); err != nil {
			t.Fatalf("OpenKeyFile returned %v, not a key: %v", got, err)
		}
	})
}
