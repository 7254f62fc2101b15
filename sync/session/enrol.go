package session

import (
	"context"
	"crypto/ed25519"
	"net/http"

	"filippo.io/age"

	"sinba/survey"
	"sinba/sync/seal"
	"sinba/sync/wire"
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
// InsecureWarning), the app's new keys, and the server's answer (who the
// app is from now on).
type Enrolled struct {
	ServerURL string
	Insecure  bool
	Keys      Keys
	Answer    wire.EnrolResponse
}

// ErrProjectKey refuses an enrolment answer whose project key is not one.
var ErrProjectKey = survey.NewError("il server ha inviato una chiave di progetto non valida", "the server sent an invalid project key")

// errRole refuses an enrolment answer of another role than the request's.
var errRole = survey.NewError("il server ha iscritto questo programma con un altro ruolo", "the server enrolled this program with another role")

// Enrol enrols an app with a one-time code, for either role, on the one
// enrolment path (wire.PathEnrol): it checks the server's address
// (ServerURL), makes the app's keys, completes req with them (req names the
// code, the role and what else the role sends), sends it unsigned and once
// only (an enrolment spends its code: no blind retries of it), and checks
// that the answer is of the role asked for and that the project key it
// names is one. Nothing is kept: the caller keeps the keys with what the
// server answered.
func (s *Session) Enrol(ctx context.Context, serverURL string, allowHTTP bool, req wire.EnrolRequest) (Enrolled, error) {
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
	req.Version, req.SignKey, req.Recipient = wire.Version, keys.SignPublic(), ident.Recipient().String()
	body, err := jsonBody(req)
	if err != nil {
		return Enrolled{}, err
	}
	en := Enrolled{ServerURL: url, Insecure: insecure, Keys: keys}
	if err := s.Once(ctx, Identity{ServerURL: url}, http.MethodPost, wire.PathEnrol, body, "application/json", &en.Answer); err != nil {
		return Enrolled{}, Explain(ctx, err)
	}
	if en.Answer.Role == "" {
		// A server not yet updated names the role only by the id it
		// answers with; its laptops' code is spent by now, so the answer
		// is read rather than thrown away.
		en.Answer.Role = en.Answer.ImpliedRole()
	}
	if en.Answer.Role != req.Role || en.Answer.ID() == "" {
		return Enrolled{}, errRole
	}
	if _, err := seal.ParseRecipient(en.Answer.ProjectRecipient); err != nil {
		return Enrolled{}, ErrProjectKey
	}
	return en, nil
}
