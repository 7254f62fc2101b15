package wire

import (
	"crypto/sha256"
	"strings"
)

// KeyFingerprint is a short code of an age recipient: 80 bits of SHA-256 in
// Crockford's base 32, typed as XXXX-XXXX-XXXX-XXXX, for people to compare.
// Of a device's key (the one a teammate wraps the team key for): the new
// laptop shows its own, the teammate's laptop shows the one of the device
// the server lists, and when they match the team key goes to that laptop
// and to no other, whatever the server says about names, researchers and
// dates (which the laptop cannot check). Of the team key and the project
// key: every laptop of a team, and every laptop and coordinator's app of the
// project, must show the same one; a laptop that shows another was given a
// key by someone else than its team or its coordinators.
func KeyFingerprint(recipient string) string {
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	sum := sha256.Sum256([]byte("sinba-key-fingerprint\n" + recipient))
	var b strings.Builder
	// 16 groups of 5 bits from the first 10 bytes.
	var acc uint64
	bits := 0
	n := 0
	for _, c := range sum[:10] {
		acc = acc<<8 | uint64(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			if n > 0 && n%4 == 0 {
				b.WriteByte('-')
			}
			b.WriteByte(alphabet[(acc>>bits)&31])
			n++
		}
	}
	return b.String()
}
