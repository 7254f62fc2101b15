// Package seal is the end-to-end encryption of sync, built on filippo.io/age
// with X25519 recipients. A record's answers and notes are sealed for the
// project's coordinators and for the team; the child's identification is
// sealed for the team alone. The server only ever holds the ciphertexts.
//
// Keys:
//   - project key: made by the coordinators (sinba-server project add writes
//     the private half to a file they keep); the server stores the public half.
//   - team key: made by the first laptop of a team; each later laptop of the
//     team receives a copy wrapped for its own device key by a colleague's
//     laptop, through the server, which sees only the wrapped copy.
//   - device key: made by each laptop at enrolment; never leaves it.
package seal

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"filippo.io/age"

	"sinba/survey"
	"sinba/sync/wire"
)

// maxPlain bounds what opening a ciphertext may produce, so a hostile
// ciphertext from the network cannot exhaust the laptop's memory.
const maxPlain = 16 << 20

// Content is what is sealed for coordinators and team: everything of a
// record but its identification and the envelope the server keeps in clear.
type Content struct {
	Answers survey.Answers              `json:"answers"`
	Meta    map[string]survey.FieldMeta `json:"meta,omitempty"`
	Replies []survey.Comment            `json:"replies,omitempty"` // the researcher's replies to review comments
}

// NewKey makes an age X25519 key pair.
func NewKey() (*age.X25519Identity, error) {
	return age.GenerateX25519Identity()
}

// ParseRecipient reads an age X25519 recipient ("age1...").
func ParseRecipient(s string) (*age.X25519Recipient, error) {
	return age.ParseX25519Recipient(s)
}

// ParseIdentity reads an age X25519 identity ("AGE-SECRET-KEY-1...").
func ParseIdentity(s string) (*age.X25519Identity, error) {
	return age.ParseX25519Identity(s)
}

// Encrypt seals data for every recipient. The plaintext is compressed first:
// age output does not compress, and records are repetitive JSON.
func Encrypt(data []byte, to ...age.Recipient) ([]byte, error) {
	return ageEncrypt(wire.Compress(data), to...)
}

// ageEncrypt is an age file of data for every recipient.
func ageEncrypt(data []byte, to ...age.Recipient) ([]byte, error) {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, to...)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Decrypt opens a ciphertext made by Encrypt.
func Decrypt(ct []byte, id age.Identity) ([]byte, error) {
	r, err := age.Decrypt(bytes.NewReader(ct), id)
	if err != nil {
		return nil, err
	}
	z, err := io.ReadAll(io.LimitReader(r, maxPlain+1))
	if err != nil {
		return nil, err
	}
	if len(z) > maxPlain {
		return nil, errors.New("seal: plaintext too large")
	}
	return wire.Decompress(z, maxPlain)
}

// SecretLength is the length in bytes of a project's pseudonym secret
// (survey.Pseudonym wants at least survey.MinSecretLength).
const SecretLength = 32

// NewProjectSecret makes a project's pseudonym secret and seals it for the
// project key: whoever makes the project key makes the secret with it, so
// the project is ready for its laptops (the server refuses their codes
// until it is).
func NewProjectSecret(project age.Recipient) (secret, sealed []byte, err error) {
	secret = make([]byte, SecretLength)
	if _, err := rand.Read(secret); err != nil {
		return nil, nil, err
	}
	sealed, err = Encrypt(secret, project)
	return secret, sealed, err
}

// SealRecord seals rec's content for the project and the team, and its
// identification (if any) for the team only.
func SealRecord(rec survey.Record, project, team age.Recipient) (content, identity []byte, err error) {
	c, err := json.Marshal(Content{Answers: rec.Answers, Meta: rec.Meta, Replies: rec.Replies})
	if err != nil {
		return nil, nil, fmt.Errorf("seal: record %s: %w", rec.ID, err)
	}
	if content, err = Encrypt(c, project, team); err != nil {
		return nil, nil, err
	}
	if !rec.Identity.Empty() {
		i, err := json.Marshal(rec.Identity)
		if err != nil {
			return nil, nil, err
		}
		if identity, err = Encrypt(i, team); err != nil {
			return nil, nil, err
		}
	}
	return content, identity, nil
}

// OpenRecord rebuilds a record from a revision. With the team key it gets
// everything; with the project key (a coordinator) it gets all but the
// identification, which stays nil.
func OpenRecord(r *wire.Revision, id age.Identity) (survey.Record, error) {
	rec := survey.Record{ID: r.RecordID, Instrument: r.Instrument, Version: r.InstrumentVersion, Municipality: r.Municipality}
	plain, err := Decrypt(r.Content, id)
	if err != nil {
		return rec, fmt.Errorf("seal: record %s: %w", r.RecordID, err)
	}
	if err := fillContent(&rec, plain); err != nil {
		return rec, err
	}
	if len(r.Identity) > 0 {
		plain, err := Decrypt(r.Identity, id)
		if err == nil {
			if err := fillIdentity(&rec, plain); err != nil {
				return rec, err
			}
		} else if !errors.As(err, new(*age.NoIdentityMatchError)) {
			return rec, fmt.Errorf("seal: record %s identity: %w", r.RecordID, err)
		}
	}
	return rec, nil
}
