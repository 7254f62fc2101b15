package wire

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"
)

// Device authentication. Every request after enrolment carries the device
// id, a Unix timestamp, a random nonce and an Ed25519 signature over
//
//	sinba-v1 \n METHOD \n PATH?QUERY \n TIMESTAMP \n NONCE \n hex(SHA-256(body))
//
// The server checks the signature against the public key registered at
// enrolment, refuses a timestamp more than MaxSkew away from its clock, and
// refuses a nonce it has seen within that window. TLS protects the channel;
// the signature makes a stolen enrolment code or a proxy's log useless
// without the laptop's private key.

// MaxSkew is how far a request's timestamp may be from the server's clock.
const MaxSkew = 5 * time.Minute

// SigningString is the text a device signs for a request.
func SigningString(method, pathQuery string, ts int64, nonce string, body []byte) []byte {
	sum := sha256.Sum256(body)
	s := "sinba-v1\n" + method + "\n" + pathQuery + "\n" + strconv.FormatInt(ts, 10) + "\n" + nonce + "\n" + hex.EncodeToString(sum[:])
	return []byte(s)
}

// Sign sets the authentication headers of req, whose body is body.
func Sign(req *http.Request, deviceID string, key ed25519.PrivateKey, body []byte, now time.Time) {
	var n [16]byte
	_, _ = rand.Read(n[:])
	nonce := hex.EncodeToString(n[:])
	ts := now.Unix()
	sig := ed25519.Sign(key, SigningString(req.Method, req.URL.RequestURI(), ts, nonce, body))
	req.Header.Set(HeaderProtocol, strconv.Itoa(Version))
	req.Header.Set(HeaderDevice, deviceID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderNonce, nonce)
	req.Header.Set(HeaderSignature, base64.StdEncoding.EncodeToString(sig))
}

// Signed is the authentication a request claims, before it is checked.
type Signed struct {
	DeviceID  string
	Timestamp int64
	Nonce     string
	Signature []byte
}

// ReadSigned parses the authentication headers of r.
func ReadSigned(r *http.Request) (Signed, *Error) {
	var s Signed
	s.DeviceID = r.Header.Get(HeaderDevice)
	if !IsUUID(s.DeviceID) {
		return s, NewError(CodeUnauthenticated)
	}
	ts, err := strconv.ParseInt(r.Header.Get(HeaderTimestamp), 10, 64)
	if err != nil {
		return s, NewError(CodeBadSignature)
	}
	s.Timestamp = ts
	s.Nonce = r.Header.Get(HeaderNonce)
	if len(s.Nonce) != 32 {
		return s, NewError(CodeBadSignature)
	}
	if _, err := hex.DecodeString(s.Nonce); err != nil {
		return s, NewError(CodeBadSignature)
	}
	s.Signature, err = base64.StdEncoding.DecodeString(r.Header.Get(HeaderSignature))
	if err != nil || len(s.Signature) != ed25519.SignatureSize {
		return s, NewError(CodeBadSignature)
	}
	return s, nil
}

// Verify checks the signature of r (with body) by key and the timestamp
// against now. The caller checks the nonce for replays.
func (s Signed) Verify(r *http.Request, key ed25519.PublicKey, body []byte, now time.Time) *Error {
	if len(key) != ed25519.PublicKeySize {
		return NewError(CodeUnauthenticated)
	}
	if d := now.Sub(time.Unix(s.Timestamp, 0)); d > MaxSkew || d < -MaxSkew {
		return NewError(CodeClockSkew)
	}
	if !ed25519.Verify(key, SigningString(r.Method, r.URL.RequestURI(), s.Timestamp, s.Nonce, body), s.Signature) {
		return NewError(CodeBadSignature)
	}
	return nil
}
