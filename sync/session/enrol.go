package session

import (
	"context"
	"crypto/ed25519"
	"net/http"

	"filippo.io/age"

	"sinba/survey"
	"sinba/sync/seal"
)

// Keys are the key pairs an app makes when it enrols: it signs its requests
// with Sign, and what is handed to it (a team key, the pseudonym secret) is
// sealed for Age's recipient. Only the public halves leave the computer.
type Keys struct {
	Sign ed25519.PrivateKey
	Age  *age.X25519Identity
}

// SignPublic is the public half of the signing key.
func (k Keys) SignPublic() ed25519.PublicKey { return k.Sign.Public().(ed25519.PublicKey) }

// Enrolled is what Enrol did: the server's address as normalised, whether
// it is plain HTTP to another computer (the caller warns:
// InsecureWarning), and the app's new keys.
type Enrolled struct {
	ServerURL string
	Insecure  bool
	Keys      Keys
}

// ErrProjectKey refuses an enrolment answer whose project key is not one.
var ErrProjectKey = survey.NewError("il server ha inviato una chiave di progetto non valida", "the server sent an invalid project key")

// Enrol enrols an app with a one-time code, for either role: it checks the
// server's address (ServerURL), makes the app's keys, sends the request
// that request builds from them to path, unsigned and once only (an
// enrolment spends its code: no blind retries of it), decodes the answer
// into resp and checks that the project key it names (projectKey, read
// from resp) is one. Nothing is kept: the caller keeps the keys with what
// the server answered.
func (s *Session) Enrol(ctx context.Context, serverURL string, allowHTTP bool, path string, request func(Keys) any, resp any, projectKey func() string) (Enrolled, error) {
	url, insecure, err := ServerURL(serverURL, allowHTTP)
	if err != nil {
		return Enrolled{}, err
	}
	_, sign, err := ed25519.GenerateKey(nil)
	if err != nil {
		return Enrolled{}, err
	}
	ident, err := seal.NewKey()
	if err != nil {
		return Enrolled{}, err
	}
	keys := Keys{Sign: sign, Age: ident}
	body, err := jsonBody(request(keys))
	if err != nil {
		return Enrolled{}, err
	}
	if err := s.Once(ctx, Identity{ServerURL: url}, http.MethodPost, path, body, "application/json", resp); err != nil {
		return Enrolled{}, Explain(ctx, err)
	}
	if _, err := seal.ParseRecipient(projectKey()); err != nil {
		return Enrolled{}, ErrProjectKey
	}
	return Enrolled{ServerURL: url, Insecure: insecure, Keys: keys}, nil
}
