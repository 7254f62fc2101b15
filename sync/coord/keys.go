package coord

import (
	"context"
	"crypto/rand"
	"errors"
	"os"

	"filippo.io/age"

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

// KeyForExport returns the project key held here (ErrNoProjectKey if
// none) and what names it in a key file, for seal.SealKeyFile: the file a
// second coordinator imports (SetProjectKey). Each time the key is taken
// out of the store for a file is logged (key-export).
func (c *Coordinator) KeyForExport(ctx context.Context) (*age.X25519Identity, string, error) {
	p, err := c.profile(ctx)
	if err != nil {
		return nil, "", err
	}
	id, err := c.projectKey(ctx)
	if err != nil {
		return nil, "", err
	}
	_ = c.store.Log(ctx, "", "key-export", "", p.ProjectName)
	return id, "sinba project key for " + p.ProjectName + " (" + p.ProjectID + ")", nil
}

// SetProjectKey keeps the project key read from a key file
// (seal.OpenKeyFile: one a coordinator exported, or the plain file of
// "sinba-server project --key-out") sealed in the store, if it is the
// project's; ErrWrongProjectKey otherwise.
func (c *Coordinator) SetProjectKey(ctx context.Context, id *age.X25519Identity) error {
	p, err := c.profile(ctx)
	if err != nil {
		return err
	}
	if id == nil || id.Recipient().String() != p.ProjectRecipient {
		return ErrWrongProjectKey
	}
	if err := c.store.SetSecret(ctx, secretProjectKey, []byte(id.String())); err != nil {
		return err
	}
	return c.store.Log(ctx, "", "key-import", "", p.ProjectName)
}
