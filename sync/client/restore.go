package client

import (
	"context"

	"sinba/localdb"
)

// ForgetDevice makes a store restored from a backup a new laptop in the
// server's eyes: it drops the device identity (its signing and sealing keys
// and its enrolment) and the download cursor that went with it. Two laptops
// with one identity would share one device on the server, so the team-key
// hand-over and revocation could no longer tell them apart. Everything else
// stays: records, history, the unsent outbox, the team key and the pseudonym
// secret. The laptop then enrols again with a new code, and its first sync
// sends what was not yet sent and downloads the team's feed from the start
// (applying it again changes nothing).
func ForgetDevice(ctx context.Context, store *localdb.Store) error {
	for _, key := range []string{secretDevice, secretCursor} {
		if err := store.SetSecret(ctx, key, nil); err != nil {
			return err
		}
	}
	return nil
}
