package wire

import (
	"crypto/ed25519"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// FuzzReadSigned feeds the authentication headers arbitrary text: ReadSigned
// reads them before anything else looks at a request, so it must never
// panic, and what it accepts must be well formed. A request signed by Sign
// must be read back and verified. Corpus: testdata/fuzz.
func FuzzReadSigned(f *testing.F) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	good, _ := http.NewRequest("POST", "http://x/v1/batches", nil)
	Sign(good, uuid.NewString(), priv, []byte("body"), time.Now())
	h := good.Header
	f.Add(h.Get(HeaderDevice), h.Get(HeaderTimestamp), h.Get(HeaderNonce), h.Get(HeaderContentSHA256), h.Get(HeaderSignature))
	f.Add(h.Get(HeaderDevice), h.Get(HeaderTimestamp), h.Get(HeaderNonce), strings.Repeat("ab", 200), h.Get(HeaderSignature))
	f.Add(h.Get(HeaderDevice), "-1", strings.Repeat("z", 32), "", "")
	f.Fuzz(func(t *testing.T, device, ts, nonce, sum, sig string) {
		r, _ := http.NewRequest("POST", "http://x/v1/batches", nil)
		r.Header.Set(HeaderDevice, device)
		r.Header.Set(HeaderTimestamp, ts)
		r.Header.Set(HeaderNonce, nonce)
		r.Header.Set(HeaderContentSHA256, sum)
		r.Header.Set(HeaderSignature, sig)
		s, e := ReadSigned(r)
		if e != nil {
			return
		}
		if !IsUUID(s.DeviceID) || len(s.Nonce) != 32 || len(s.Signature) != ed25519.SignatureSize {
			t.Fatalf("accepted malformed headers: %+v", s)
		}
		_ = s.Verify(r, pub, time.Now())
		_ = s.CheckBody([]byte("body"))
	})
}

func TestSignedRequestVerifiesFromItsHeaders(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	r, _ := http.NewRequest("POST", "http://x/v1/batches?idempotency_key=k", nil)
	Sign(r, uuid.NewString(), priv, []byte("body"), time.Now())
	s, e := ReadSigned(r)
	if e != nil {
		t.Fatal(e)
	}
	if e := s.Verify(r, pub, time.Now()); e != nil {
		t.Fatalf("verify from the headers: %v", e)
	}
	if e := s.CheckBody([]byte("body")); e != nil {
		t.Fatalf("the signed body: %v", e)
	}
	if e := s.CheckBody([]byte("other")); e == nil || e.Code != CodeBadSignature {
		t.Fatalf("another body: %v, want %s", e, CodeBadSignature)
	}
	r.URL.RawQuery = "idempotency_key=other"
	if e := s.Verify(r, pub, time.Now()); e == nil || e.Code != CodeBadSignature {
		t.Fatalf("another idempotency key: %v, want %s", e, CodeBadSignature)
	}
	r.Header.Del(HeaderContentSHA256)
	if _, e := ReadSigned(r); e == nil || e.Code != CodeUnsupportedVersion {
		t.Fatalf("no body hash (an older program): %v, want %s", e, CodeUnsupportedVersion)
	}
}
