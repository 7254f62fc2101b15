package coord

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"

	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/seal"
)

func hostLabel() string {
	h, _ := os.Hostname()
	return "coordinamento " + h
}

// pseudonymSecret returns the secret held here, making one if there is none.
func (c *Coordinator) pseudonymSecret(ctx context.Context) ([]byte, error) {
	b, err := c.store.Secret(ctx, secretPseudonym)
	if err == nil && len(b) >= survey.MinSecretLength {
		return b, nil
	}
	if err != nil && !errors.Is(err, localdb.ErrNotFound) {
		return nil, err
	}
	b = make([]byte, seal.SecretLength)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return b, c.store.SetSecret(ctx, secretPseudonym, b)
}

// PseudonymSecret returns the project's pseudonym secret held here (after a
// Sync on a second coordinator's app), or ErrNoProjectKey.
func (c *Coordinator) PseudonymSecret(ctx context.Context) ([]byte, error) {
	b, err := c.store.Secret(ctx, secretPseudonym)
	if errors.Is(err, localdb.ErrNotFound) {
		return nil, ErrNoProjectKey
	}
	return b, err
}

// keyFileHeader starts the plaintext of an exported key.
const keyFileHeader = "# sinba project key"

// ExportKey returns the project key encrypted with passphrase (age's scrypt
// recipient, ASCII-armoured), for a second coordinator to import. The
// passphrase must reach that coordinator by another channel than the file.
func (c *Coordinator) ExportKey(ctx context.Context, passphrase []byte) ([]byte, error) {
	if len(passphrase) < 10 {
		return nil, survey.NewError("passphrase del file troppo corta: almeno 10 caratteri", "file passphrase too short: at least 10 characters")
	}
	p, err := c.profile(ctx)
	if err != nil {
		return nil, err
	}
	id, err := c.projectKey(ctx)
	if err != nil {
		return nil, err
	}
	r, err := age.NewScryptRecipient(string(passphrase))
	if err != nil {
		return nil, err
	}
	if c.opt.ScryptWorkFactor > 0 {
		r.SetWorkFactor(c.opt.ScryptWorkFactor)
	}
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	w, err := age.Encrypt(aw, r)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "%s for %s (%s)\n# exported: %s\n%s\n", keyFileHeader, p.ProjectName, p.ProjectID, time.Now().UTC().Format(time.RFC3339), id)
	if err := errors.Join(w.Close(), aw.Close()); err != nil {
		return nil, err
	}
	_ = c.store.Log(ctx, "", "key-export", "", p.ProjectName)
	return buf.Bytes(), nil
}

// ImportKey reads a project key file: one written by ExportKey (opened with
// passphrase), or the plain file of "sinba-server project --key-out". The key
// must be the project's; it is then kept sealed in the store.
func (c *Coordinator) ImportKey(ctx context.Context, data, passphrase []byte) error {
	p, err := c.profile(ctx)
	if err != nil {
		return err
	}
	plain := data
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte(armor.Header)) || bytes.HasPrefix(data, []byte("age-encryption.org/")) {
		id, err := age.NewScryptIdentity(string(passphrase))
		if err != nil {
			return ErrKeyFilePassphrase
		}
		var src io.Reader = bytes.NewReader(data)
		if bytes.HasPrefix(bytes.TrimSpace(data), []byte(armor.Header)) {
			src = armor.NewReader(bytes.NewReader(bytes.TrimSpace(data)))
		}
		r, err := age.Decrypt(src, id)
		if err != nil {
			return ErrKeyFilePassphrase
		}
		if plain, err = io.ReadAll(io.LimitReader(r, 64<<10)); err != nil {
			return ErrKeyFilePassphrase
		}
	}
	var key string
	sc := bufio.NewScanner(bytes.NewReader(plain))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, "AGE-SECRET-KEY-") {
			key = line
		}
	}
	id, err := seal.ParseIdentity(key)
	if err != nil {
		return ErrWrongProjectKey
	}
	if id.Recipient().String() != p.ProjectRecipient {
		return ErrWrongProjectKey
	}
	if err := c.store.SetSecret(ctx, secretProjectKey, []byte(id.String())); err != nil {
		return err
	}
	return c.store.Log(ctx, "", "key-import", "", p.ProjectName)
}
