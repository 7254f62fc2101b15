package wire

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"
)

// Device authentication. Every request after enrolment carries the device
// id, a Unix timestamp, a random nonce, the SHA-256 of its body and an
// Ed25519 signature over
//
//	sinba-v1 \n METHOD \n PATH?QUERY \n TIMESTAMP \n NONCE \n hex(SHA-256(body))
//
// Because the body's hash travels in a header, the server checks the
// signature from the headers alone, before it reads a byte of the body or
// gives the request anything (a slot, a rate bucket, memory); it then reads
// the body within the route's limit and checks it against the signed hash.
// It refuses a timestamp more than MaxSkew away from its clock and a nonce
// it has seen within that window. TLS protects the channel; the signature
// makes a stolen enrolment code or a proxy's log useless without the
// laptop's private key.

// MaxSkew is how far a request's timestamp may be from the server's clock.
const MaxSkew = 5 * time.Minute

// SigningString is the text a device signs for a request.
func SigningString(method, pathQuery string, ts int64, nonce string, body []byte) []byte {
	sum := sha256.Sum256(body)
	return signingString(method, pathQuery, ts, nonce, hex.EncodeToString(sum[:]))
}

func signingString(method, pathQuery string, ts int64, nonce, bodyHex string) []byte {
	return []byte("sinba-v1\n" + method + "\n" + pathQuery + "\n" + strconv.FormatInt(ts, 10) + "\n" + nonce + "\n" + bodyHex)
}

// Sign sets the authentication headers of req, whose body is body.
func Sign(req *http.Request, deviceID string, key ed25519.PrivateKey, body []byte, now time.Time) {
	var n [16]byte
	_, _ = rand.Read(n[:])
	nonce := hex.EncodeToString(n[:])
	ts := now.Unix()
	sum := sha256.Sum256(body)
	bodyHex := hex.EncodeToString(sum[:])
	sig := ed25519.Sign(key, signingString(req.Method, req.URL.RequestURI(), ts, nonce, bodyHex))
	req.Header.Set(HeaderProtocol, strconv.Itoa(Version))
	req.Header.Set(HeaderDevice, deviceID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderNonce, nonce)
	req.Header.Set(HeaderContentSHA256, bodyHex)
	req.Header.Set(HeaderSignature, base64.StdEncoding.EncodeToString(sig))
}

// Signed is the authentication a request claims, before it is checked.
type Signed struct {
	DeviceID  string
	Timestamp int64
	Nonce     string
	BodyHash  [sha256.Size]byte // what the signature says the body's SHA-256 is
	Signature []byte
}

// ReadSigned parses the authentication headers of r. A request without the
// body's hash comes from a program older than this check: it is told to
// update.
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
	h := r.Header.Get(HeaderContentSHA256)
	if h == "" {
		return s, NewError(CodeUnsupportedVersion)
	}
	if len(h) != 2*sha256.Size {
		return s, NewError(CodeBadSignature)
	}
	if _, err := hex.Decode(s.BodyHash[:], []byte(h)); err != nil {
		return s, NewError(CodeBadSignature)
	}
	s.Signature, err = base64.StdEncoding.DecodeString(r.Header.Get(HeaderSignature))
	if err != nil || len(s.Signature) != ed25519.SignatureSize {
		return s, NewError(CodeBadSignature)
	}
	return s, nil
}

// Fresh reports whether the timestamp is within MaxSkew of now.
func (s Signed) Fresh(now time.Time) *Error {
	if d := now.Sub(time.Unix(s.Timestamp, 0)); d > MaxSkew || d < -MaxSkew {
		return NewError(CodeClockSkew)
	}
	return nil
}

// Verify checks the timestamp against now and the signature of r's headers
// by key, without the body: the signature covers the body's hash, which
// CheckBody compares with the body once it is read. The caller checks the
// nonce for replays.
func (s Signed) Verify(r *http.Request, key ed25519.PublicKey, now time.Time) *Error {
	if len(key) != ed25519.PublicKeySize {
		return NewError(CodeUnauthenticated)
	}
	if e := s.Fresh(now); e != nil {
		return e
	}
	if !ed25519.Verify(key, signingString(r.Method, r.URL.RequestURI(), s.Timestamp, s.Nonce, hex.EncodeToString(s.BodyHash[:])), s.Signature) {
		return NewError(CodeBadSignature)
	}
	return nil
}

// CheckBody reports whether body is the one the signature covers.
func (s Signed) CheckBody(body []byte) *Error {
	sum := sha256.Sum256(body)
	if subtle.ConstantTimeCompare(sum[:], s.BodyHash[:]) != 1 {
		return Errorf(CodeBadSignature, "il contenuto della richiesta non corrisponde alla firma", "the request's body does not match its signature")
	}
	return nil
}
