package wire

import (
	"crypto/sha256"
	"strings"
)

// DeviceFingerprint is a short code of a device's age recipient, the key a
// teammate wraps the team key for: 80 bits of SHA-256 in Crockford's base 32,
// typed as XXXX-XXXX-XXXX-XXXX. The new laptop shows its own; the teammate's
// laptop shows the one of the device the server lists. When they match, the
// team key goes to that laptop and to no other, whatever the server says
// about names, researchers and dates (which the laptop cannot check).
func DeviceFingerprint(recipient string) string {
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	sum := sha256.Sum256([]byte("sinba-device-fingerprint\n" + recipient))
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
