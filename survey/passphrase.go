package survey

import "unicode/utf8"

// MinPassphraseLength is the shortest passphrase, in characters, that opens
// a new store or replaces a store's passphrase, on the laptop and in the
// coordinators' app alike, whether chosen on the first-run screen or with
// `sinba init`: the one rule, checked where stores are made (localdb).
const MinPassphraseLength = 10

// ErrShortPassphrase is the refusal of a passphrase shorter than
// MinPassphraseLength.
var ErrShortPassphrase = Errorf("la frase segreta è troppo corta: usane una di almeno %d caratteri",
	"the passphrase is too short: use one of at least %d characters", MinPassphraseLength)

// CheckPassphrase says whether p can be a store's new passphrase.
func CheckPassphrase(p []byte) error {
	if utf8.RuneCount(p) < MinPassphraseLength {
		return ErrShortPassphrase
	}
	return nil
}
