package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"filippo.io/age"

	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/seal"
	"sinba/sync/wire"
)

// SecretPseudonym is the key, in the local store's sealed secrets, of the
// project's pseudonym secret: the key of survey.Pseudonym, shared by every
// laptop of the project and unknown to the server. A coordinator's app makes
// it at project set-up and hands it to each laptop sealed for the laptop's
// device key; a laptop that holds it passes it on to colleagues the same way.
const SecretPseudonym = "sync/pseudonym-secret"

// ErrNoPseudonymSecret means the laptop has not received the project's
// pseudonym secret yet.
var ErrNoPseudonymSecret = survey.NewError("il segreto del progetto non è ancora arrivato: sincronizzare; nel frattempo le schede senza codice fiscale ricevono un identificativo casuale",
	"the project secret has not arrived yet: sync; meanwhile records without a codice fiscale get a random identifier")

// PseudonymSecret returns the project's pseudonym secret, or
// ErrNoPseudonymSecret before the first sync that delivers it.
func (c *Client) PseudonymSecret(ctx context.Context) ([]byte, error) {
	return PseudonymSecret(ctx, c.store)
}

// PseudonymSecret reads the pseudonym secret from a laptop's store.
func PseudonymSecret(ctx context.Context, store *localdb.Store) ([]byte, error) {
	b, err := store.Secret(ctx, SecretPseudonym)
	if errors.Is(err, localdb.ErrNotFound) {
		return nil, ErrNoPseudonymSecret
	}
	return b, err
}

// pseudonymSecret keeps the copy of the secret the server holds for this
// laptop, and hands it on to colleagues still waiting for it.
func (c *Client) pseudonymSecret(ctx context.Context, d *deviceState, mine *age.X25519Identity, ks *wire.KeyState) error {
	if len(ks.ProjectSecret) == 0 {
		return nil
	}
	held, err := c.store.Secret(ctx, SecretPseudonym)
	if err != nil && !errors.Is(err, localdb.ErrNotFound) {
		return err
	}
	if held == nil {
		plain, err := seal.Decrypt(ks.ProjectSecret, mine)
		if err != nil {
			return fmt.Errorf("sync: project secret: %w", err)
		}
		if len(plain) < survey.MinSecretLength {
			return errors.New("sync: project secret too short")
		}
		if err := c.store.SetSecret(ctx, SecretPseudonym, plain); err != nil {
			return err
		}
		held = plain
	}
	if len(ks.SecretPending) == 0 {
		return nil
	}
	var req wire.KeysRequest
	for _, p := range ks.SecretPending {
		r, err := seal.ParseRecipient(p.Recipient)
		if err != nil || p.DeviceID == d.DeviceID {
			continue
		}
		w, err := seal.Encrypt(bytes.Clone(held), r)
		if err != nil {
			return err
		}
		req.SecretGrants = append(req.SecretGrants, wire.Grant{DeviceID: p.DeviceID, Wrapped: w})
	}
	if len(req.SecretGrants) == 0 {
		return nil
	}
	body, _ := json.Marshal(req)
	return c.do(ctx, d, http.MethodPost, wire.PathKeys, body, "application/json", nil)
}
