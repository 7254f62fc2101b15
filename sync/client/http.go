package client

import (
	"context"

	"sinba/sync/session"
)

// identity is the laptop's identity for its session.
func (d *deviceState) identity() session.Identity {
	return session.Identity{ServerURL: d.ServerURL, ID: d.DeviceID, Key: d.signKey()}
}

// do sends one request of the laptop with retries (session.Session.Do).
func (c *Client) do(ctx context.Context, d *deviceState, method, path string, body []byte, contentType string, out any) error {
	return c.sess.Do(ctx, d.identity(), method, path, body, contentType, out)
}
