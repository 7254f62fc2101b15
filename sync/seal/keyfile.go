package seal

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"

	"sinba/survey"
)

// A project key file holds the coordinators' project key: comment lines
// ("#"), then the key (AGE-SECRET-KEY-...). It is plain when
// "sinba-server project --key-out" writes it (readable by its owner only),
// or sealed with a passphrase (age's scrypt recipient, ASCII-armoured) when
// a coordinator's app exports the key for a second coordinator: the
// passphrase must reach that coordinator by another channel than the file.

// Errors of the project key files.
var (
	ErrKeyFilePassphrase = survey.NewError("passphrase del file della chiave errata, o file danneggiato", "wrong passphrase for the key file, or damaged file")
	ErrKeyFileShort      = survey.NewError("passphrase del file troppo corta: almeno 10 caratteri", "file passphrase too short: at least 10 characters")
	ErrKeyFileNoKey      = survey.NewError("il file non contiene una chiave di progetto", "the file holds no project key")
)

// maxKeyFile bounds what is read of a key file's plaintext.
const maxKeyFile = 64 << 10

// keyFileWorkFactor is the scrypt cost (log2 of N) of a sealed key file,
// about a second and 256 MiB; a file that asks for more is refused, so a
// crafted one cannot make its reader spend gigabytes.
const keyFileWorkFactor = 18

// KeyFile is the plain key file of id; about says what the key is, on the
// file's first line.
func KeyFile(id *age.X25519Identity, about string) []byte {
	return fmt.Appendf(nil, "# %s\n# created: %s\n%s\n", about, time.Now().UTC().Format(time.RFC3339), id)
}

// SealKeyFile is the key file of id sealed with passphrase (at least 10
// characters), for a second coordinator to open with OpenKeyFile.
// workFactor is log2 of scrypt's N, at most 18; 0 is 18. Tests pass less.
func SealKeyFile(id *age.X25519Identity, about string, passphrase []byte, workFactor int) ([]byte, error) {
	if len(passphrase) < 10 {
		return nil, ErrKeyFileShort
	}
	r, err := age.NewScryptRecipient(string(passphrase))
	if err != nil {
		return nil, err
	}
	if workFactor <= 0 || workFactor > keyFileWorkFactor {
		workFactor = keyFileWorkFactor
	}
	r.SetWorkFactor(workFactor)
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	w, err := age.Encrypt(aw, r)
	if err != nil {
		return nil, err
	}
	_, err = w.Write(KeyFile(id, about))
	if err := errors.Join(err, w.Close(), aw.Close()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// KeyFileSealed reports whether a key file is sealed with a passphrase
// (which OpenKeyFile then needs).
func KeyFileSealed(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimSpace(data), []byte(armor.Header)) || bytes.HasPrefix(data, []byte("age-encryption.org/"))
}

// OpenKeyFile reads a project key file, plain or sealed (opened with
// passphrase), and returns its key.
func OpenKeyFile(data, passphrase []byte) (*age.X25519Identity, error) {
	plain := data
	if KeyFileSealed(data) {
		id, err := age.NewScryptIdentity(string(passphrase))
		if err != nil {
			return nil, ErrKeyFilePassphrase
		}
		id.SetMaxWorkFactor(keyFileWorkFactor)
		var src io.Reader = bytes.NewReader(data)
		if bytes.HasPrefix(bytes.TrimSpace(data), []byte(armor.Header)) {
			src = armor.NewReader(bytes.NewReader(bytes.TrimSpace(data)))
		}
		r, err := age.Decrypt(src, id)
		if err != nil {
			return nil, ErrKeyFilePassphrase
		}
		if plain, err = io.ReadAll(io.LimitReader(r, maxKeyFile)); err != nil {
			return nil, ErrKeyFilePassphrase
		}
	}
	var key string
	sc := bufio.NewScanner(bytes.NewReader(plain))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, "AGE-SECRET-KEY-") {
			key = line
		}
	}
	id, err := ParseIdentity(key)
	if err != nil {
		return nil, ErrKeyFileNoKey
	}
	return id, nil
}
