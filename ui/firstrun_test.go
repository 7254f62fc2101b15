package ui

import "testing"

// TestPassphraseStrength: repeats, sequences, keyboard runs, common
// passwords and common Italian and English words count for little; a long
// passphrase of several words and random characters count for much.
func TestPassphraseStrength(t *testing.T) {
	for _, c := range []struct {
		pass  string
		level int // StrengthLevel
	}{
		{"corta", 0},
		{"aaaaaaaaaaaa", 1},
		{"password1234", 1},
		{"napoli2024!", 1},
		{"qwertyuiop12", 1},
		{"abcdefghijklm", 1},
		{"abcd1234efgh", 1},
		{"ciaoamore123", 1},
		{"Juventus1897", 1},
		{"cane gatto topo", 2},
		{"xK9#mQ2!vL7p", 3},
		{"quattro parole lunghe sicure", 3},
		{"il treno per Bari parte alle sette", 3},
	} {
		if got := StrengthLevel(c.pass); got != c.level {
			t.Errorf("%q: level %d (%.1f bits), want %d", c.pass, got, PassphraseStrength(c.pass), c.level)
		}
	}
	// More of the same adds little: a repeat is not a longer passphrase.
	if a, b := PassphraseStrength("aaaaaaaaaaaa"), PassphraseStrength("aaaaaaaaaaaaaaaaaaaaaaaa"); b-a > 5 {
		t.Errorf("twice as many a's: %.1f bits from %.1f", b, a)
	}
}
