package localdb

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// KDFParams are the Argon2id parameters of a passphrase wrap. They are stored
// beside the wrap so that a store made on a slow laptop opens on a fast one
// and the defaults can grow without locking anyone out.
type KDFParams struct {
	Time    uint32 `json:"t"`
	Memory  uint32 `json:"m"` // KiB
	Threads uint8  `json:"p"`
}

// DefaultKDF takes about half a second on an ordinary two-core laptop
// (calibrated on the pilot's reference machine), which makes guessing a
// passphrase offline expensive while unlocking stays bearable.
var DefaultKDF = KDFParams{Time: 4, Memory: 128 * 1024, Threads: 2}

// Upper bounds checked before running Argon2id on parameters read from disk:
// a tampered store or backup must not make the app allocate gigabytes or spin
// for minutes before it can say the passphrase is wrong.
const (
	maxKDFTime    = 16
	maxKDFMemory  = 1024 * 1024 // 1 GiB in KiB
	maxKDFThreads = 16
)

func (p KDFParams) check() error {
	if p.Time == 0 || p.Memory < 8 || p.Threads == 0 ||
		p.Time > maxKDFTime || p.Memory > maxKDFMemory || p.Threads > maxKDFThreads {
		return fmt.Errorf("%w: %+v", ErrBadKeyFile, p)
	}
	return nil
}

const (
	keySize      = chacha20poly1305.KeySize
	saltSize     = 16
	recoverySize = 30 // 240 random bits; two more bytes of checksum make 32
)

// keys is the material that exists only while the store is unlocked. Every
// key is derived from the one random data key, so the wraps protect just it.
type keys struct {
	data  []byte // the random data key: wrapped by the passphrase and by the recovery key
	seal  []byte // XChaCha20-Poly1305 key for every payload
	blind []byte // HMAC key of the blind index
}

func deriveKeys(data []byte) (*keys, error) {
	k := &keys{data: data}
	var err error
	if k.seal, err = hkdf.Key(sha256.New, data, nil, "sinba localdb seal v1", keySize); err != nil {
		return nil, err
	}
	if k.blind, err = hkdf.Key(sha256.New, data, nil, "sinba localdb blind index v1", keySize); err != nil {
		return nil, err
	}
	return k, nil
}

// wipe overwrites the key bytes. Go may have left copies behind (the AEAD is
// built per call so no long-lived cipher holds one), so this is best effort:
// it shortens how long keys stay in memory, it does not prove they are gone.
func (k *keys) wipe() {
	if k == nil {
		return
	}
	for _, b := range [][]byte{k.data, k.seal, k.blind} {
		clear(b)
	}
}

// seal encrypts plaintext bound to ad; the random 24-byte nonce is prefixed.
func sealWith(key, plaintext, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, chacha20poly1305.NonceSizeX, chacha20poly1305.NonceSizeX+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, err
	}
	return aead.Seal(out, out, plaintext, ad), nil
}

var errOpen = errors.New("authentication failed")

func openWith(key, sealed, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < chacha20poly1305.NonceSizeX+aead.Overhead() {
		return nil, errOpen
	}
	nonce, ct := sealed[:chacha20poly1305.NonceSizeX], sealed[chacha20poly1305.NonceSizeX:]
	pt, err := aead.Open(nil, nonce, ct, ad)
	if err != nil {
		return nil, errOpen
	}
	return pt, nil
}

// assocData builds the associated data that binds a ciphertext to its row:
// the kind of payload and every identifying column, length-prefixed so that
// no two different rows can produce the same bytes.
func assocData(kind string, parts ...string) []byte {
	b := make([]byte, 0, 64)
	b = append(b, "sinba/localdb/v1"...)
	for _, p := range append([]string{kind}, parts...) {
		b = binary.AppendUvarint(b, uint64(len(p)))
		b = append(b, p...)
	}
	return b
}

// blindMAC is the keyed blind index of a normalised value: equal inputs give
// equal tags, but without the data key nobody can test a guess (a codice
// fiscale has little entropy, so an unkeyed hash would be reversible).
func (k *keys) blindMAC(kind, normalised string) []byte {
	m := hmac.New(sha256.New, k.blind)
	m.Write(assocData("blind", kind, normalised))
	return m.Sum(nil)
}

// keySlot is one wrap of the data key, as stored in the keyslots table and
// in a backup's header.
type keySlot struct {
	Slot    string    `json:"slot"` // slotPassphrase or slotRecovery
	KDF     string    `json:"kdf"`  // "argon2id" or "hkdf-sha256"
	Params  KDFParams `json:"params"`
	Salt    []byte    `json:"salt"`
	Wrapped []byte    `json:"wrapped"`
}

const (
	slotPassphrase = "passphrase"
	slotRecovery   = "recovery"
)

func (s *keySlot) ad() []byte {
	return assocData("keyslot", s.Slot, s.KDF,
		fmt.Sprint(s.Params.Time), fmt.Sprint(s.Params.Memory), fmt.Sprint(s.Params.Threads))
}

func passphraseKEK(pass []byte, salt []byte, p KDFParams) []byte {
	return argon2.IDKey(pass, salt, p.Time, p.Memory, p.Threads, keySize)
}

// recoveryKEK needs no slow KDF: the recovery key is 240 random bits.
func recoveryKEK(rk []byte, salt []byte) ([]byte, error) {
	return hkdf.Key(sha256.New, rk, salt, "sinba localdb recovery wrap v1", keySize)
}

func wrapPassphrase(data, pass []byte, p KDFParams) (*keySlot, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	s := &keySlot{Slot: slotPassphrase, KDF: "argon2id", Params: p, Salt: randBytes(saltSize)}
	kek := passphraseKEK(pass, s.Salt, p)
	defer clear(kek)
	var err error
	s.Wrapped, err = sealWith(kek, data, s.ad())
	return s, err
}

func wrapRecovery(data, rk []byte) (*keySlot, error) {
	s := &keySlot{Slot: slotRecovery, KDF: "hkdf-sha256", Salt: randBytes(saltSize)}
	kek, err := recoveryKEK(rk, s.Salt)
	if err != nil {
		return nil, err
	}
	defer clear(kek)
	s.Wrapped, err = sealWith(kek, data, s.ad())
	return s, err
}

// unwrap returns the data key, or ErrWrongPassphrase / ErrWrongRecoveryKey.
func (s *keySlot) unwrap(secret []byte) ([]byte, error) {
	var kek []byte
	switch s.KDF {
	case "argon2id":
		if err := s.Params.check(); err != nil {
			return nil, err
		}
		kek = passphraseKEK(secret, s.Salt, s.Params)
	case "hkdf-sha256":
		var err error
		if kek, err = recoveryKEK(secret, s.Salt); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: kdf %q", ErrBadKeyFile, s.KDF)
	}
	defer clear(kek)
	data, err := openWith(kek, s.Wrapped, s.ad())
	if err != nil {
		if s.Slot == slotRecovery {
			return nil, ErrWrongRecoveryKey
		}
		return nil, ErrWrongPassphrase
	}
	if len(data) != keySize {
		return nil, fmt.Errorf("%w: data key size %d", ErrBadKeyFile, len(data))
	}
	return data, nil
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("localdb: no randomness: " + err.Error()) // crypto/rand never fails on supported systems
	}
	return b
}

var recoveryEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newRecoveryKey returns the raw key and the form shown to the user: 52
// base32 characters in groups of four, with a two-byte checksum so that a
// mistyped key is told apart from a wrong one.
func newRecoveryKey() (raw []byte, text string) {
	raw = randBytes(recoverySize)
	sum := sha256.Sum256(raw)
	enc := recoveryEncoding.EncodeToString(append(append([]byte{}, raw...), sum[:2]...))
	var b strings.Builder
	for i := 0; i < len(enc); i += 4 {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(enc[i:min(i+4, len(enc))])
	}
	return raw, b.String()
}

// parseRecoveryKey accepts the key as printed, in any case, with or without
// dashes and spaces.
func parseRecoveryKey(text string) ([]byte, error) {
	clean := strings.Map(func(r rune) rune {
		switch r {
		case '-', ' ', '\t', '\n', '\r':
			return -1
		}
		return r
	}, strings.ToUpper(text))
	b, err := recoveryEncoding.DecodeString(clean)
	if err != nil || len(b) != recoverySize+2 {
		return nil, ErrMalformedRecoveryKey
	}
	raw := b[:recoverySize]
	sum := sha256.Sum256(raw)
	if !hmac.Equal(sum[:2], b[recoverySize:]) {
		return nil, ErrMalformedRecoveryKey
	}
	return raw, nil
}
