package backend_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"sinba/cmd/sinba/internal/backend"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/ui"
)

// The laptop derives IDBeneficiario with the project secret that sync
// delivered; before it arrives it says so instead of inventing one.
func TestPseudonymFromTheProjectSecret(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	v := backend.NewVault(dir)
	v.Options = storeOpts
	st, _, err := v.Create([]byte(pass))
	if err != nil {
		t.Fatal(err)
	}
	ps, ok := st.(ui.Pseudonymizer)
	if !ok {
		t.Fatal("the laptop's store does not derive pseudonyms")
	}
	const cf = "RSSMRA80A01H501U"
	if _, err := ps.Pseudonym(cf); !errors.Is(err, client.ErrNoPseudonymSecret) {
		t.Fatalf("without the project secret: %v, want ErrNoPseudonymSecret", err)
	}

	secret := []byte("0123456789abcdef0123456789abcdef")
	db := st.(*backend.Store).DB
	if err := db.SetSecret(context.Background(), client.SecretPseudonym, secret); err != nil {
		t.Fatal(err)
	}
	got, err := ps.Pseudonym(cf)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := survey.Pseudonym(cf, secret)
	if got != want || len(got) != survey.PseudonymLength {
		t.Fatalf("pseudonym %q, want %q (%d characters)", got, want, survey.PseudonymLength)
	}
	// The omocodic form of the same code is the same child.
	if again, _ := ps.Pseudonym("RSSMRA80A01H5LMX"); again != got {
		t.Fatalf("omocodic form gives %q, want %q", again, got)
	}
}
