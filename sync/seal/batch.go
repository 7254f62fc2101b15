package seal

import (
	"bytes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"filippo.io/age"
	"golang.org/x/crypto/chacha20poly1305"

	"sinba/survey"
	"sinba/sync/wire"
)

// Wire format 2 seals a batch, not each record, with age: the batch header
// carries two random 32-byte keys, one sealed with age for the project and
// the team (contents), one for the team alone (identities). Each record's
// own key is derived from the batch key with HKDF-SHA-256, naming the
// revision and the part (content or identity), and the record is sealed
// with XChaCha20-Poly1305 under that key, with the record's envelope
// (record id, revision, instrument@version, sending device) as associated
// data: a ciphertext moved to another record, another revision, instrument
// or device does not open. A record stays openable on its own, given its
// batch header. The content is zstd, with the dictionary of the record's
// instrument version when there is one; the identification is in a compact
// form of its own (encodeIdentity), uncompressed.
//
// Each derived key seals exactly one plaintext (a batch seals a revision
// once, see BatchSealer.Seal), so the AEAD nonce is fixed at zero, as in
// age's own payload; a fresh batch key is made for every batch.

// batchKeySize is the size of a batch key.
const batchKeySize = 32

// recordKey derives the key of one part of one revision from a batch key.
func recordKey(batchKey []byte, part, revision string) ([]byte, error) {
	prk, err := hkdf.Extract(sha256.New, batchKey, nil)
	if err != nil {
		return nil, err
	}
	return expandKey(prk, part, revision)
}

// expandKey is the HKDF-Expand step of recordKey, from the batch key's
// pseudorandom key (HKDF-Extract of the batch key, taken once per batch).
func expandKey(prk []byte, part, revision string) ([]byte, error) {
	return hkdf.Expand(sha256.New, prk, "sinba/v2/record\x00"+part+"\x00"+revision, chacha20poly1305.KeySize)
}

// partKey is a batch key ready to derive its records' keys.
type partKey struct{ prk []byte }

func newPartKey(batchKey []byte) (partKey, error) {
	prk, err := hkdf.Extract(sha256.New, batchKey, nil)
	return partKey{prk}, err
}

// aead is the XChaCha20-Poly1305 of one part of one revision.
func (k partKey) aead(part, revision string) (cipher.AEAD, error) {
	key, err := expandKey(k.prk, part, revision)
	if err != nil {
		return nil, err
	}
	return chacha20poly1305.NewX(key)
}

// Envelope is what a v2 ciphertext is bound to: the associated data of its
// AEAD.
type Envelope struct {
	RecordID, Revision string
	Instrument         string
	Version            int
	Device             string // the device that sent the revision (Revision.Origin downstream)
}

// EnvelopeOf is the envelope of a revision as it travels downstream.
func EnvelopeOf(r *wire.Revision) Envelope {
	return Envelope{RecordID: r.RecordID, Revision: r.Revision, Instrument: r.Instrument, Version: r.InstrumentVersion, Device: r.Origin}
}

func (e Envelope) ad() []byte {
	return []byte("sinba/v2\x00" + e.RecordID + "\x00" + e.Revision + "\x00" + e.Instrument + "@" + strconv.Itoa(e.Version) + "\x00" + e.Device)
}

// Parts of a record under a batch key.
const (
	partContent  = "content"
	partIdentity = "identity"
)

// BatchSealer seals the records of one v2 batch. It is not for concurrent use.
type BatchSealer struct {
	header            wire.Header
	content, identity partKey
	device            string
	dicts             *Dictionaries
	sealed            map[string]bool
}

// NewBatchSealer makes the keys of batch (its id) sent by device, and its
// header: the content key sealed for project and team, the identity key
// for the team alone. dicts may be nil.
func NewBatchSealer(batch, device string, project, team age.Recipient, dicts *Dictionaries) (*BatchSealer, error) {
	s := &BatchSealer{device: device, dicts: dicts, sealed: map[string]bool{}}
	content, identity := make([]byte, batchKeySize), make([]byte, batchKeySize)
	if _, err := rand.Read(content); err != nil {
		return nil, err
	}
	if _, err := rand.Read(identity); err != nil {
		return nil, err
	}
	var err error
	s.header.Batch = batch
	if s.header.Content, err = ageSeal(content, project, team); err != nil {
		return nil, err
	}
	if s.header.Identity, err = ageSeal(identity, team); err != nil {
		return nil, err
	}
	if s.content, err = newPartKey(content); err != nil {
		return nil, err
	}
	if s.identity, err = newPartKey(identity); err != nil {
		return nil, err
	}
	return s, nil
}

// Header is the batch's header, to send with it.
func (s *BatchSealer) Header() wire.Header { return s.header }

// Seal seals rec (saved as revision) under the batch's keys: its content
// and, if any, its identification. A revision is sealed at most once per batch.
func (s *BatchSealer) Seal(rec survey.Record, revision string) (content, identity []byte, err error) {
	if s.sealed[revision] {
		return nil, nil, fmt.Errorf("seal: revision %s sealed twice in one batch", revision)
	}
	s.sealed[revision] = true
	env := Envelope{RecordID: rec.ID, Revision: revision, Instrument: rec.Instrument, Version: rec.Version, Device: s.device}
	c, err := s.dicts.contentPlain(rec.Instrument, rec.Version, &Content{Answers: rec.Answers, Meta: rec.Meta, Replies: rec.Replies})
	if err != nil {
		return nil, nil, fmt.Errorf("seal: record %s: %w", rec.ID, err)
	}
	if content, err = sealPart(partContent, s.content, env, s.dicts.compress(env.Instrument, env.Version, c)); err != nil {
		return nil, nil, err
	}
	if !rec.Identity.Empty() {
		// The identification is never compressed with a dictionary: the
		// server hands dictionaries out, and one of its making must not be
		// able to tell, by the length of the ciphertext, whether a name it
		// guesses is in there. It is short, so it is not compressed at all.
		if identity, err = sealPart(partIdentity, s.identity, env, encodeIdentity(rec.Identity)); err != nil {
			return nil, nil, err
		}
	}
	return content, identity, nil
}

// sealPart seals the plaintext of one part of a record under its key.
func sealPart(part string, key partKey, env Envelope, plain []byte) ([]byte, error) {
	aead, err := key.aead(part, env.Revision)
	if err != nil {
		return nil, err
	}
	return aead.Seal(nil, zeroNonce[:], plain, env.ad()), nil
}

// identityCompact is the first byte of an identification in its compact
// form; no zstd frame starts with it.
const identityCompact = 0x01

// encodeIdentity is the compact form of an identification: identityCompact,
// then its six fields in a fixed order (surname, name, sex, birth date,
// birth place, codice fiscale), each as a uvarint length and its bytes.
func encodeIdentity(id *survey.Identity) []byte {
	fields := identityFields(id)
	out := []byte{identityCompact}
	for _, f := range fields {
		out = binary.AppendUvarint(out, uint64(len(*f)))
		out = append(out, *f...)
	}
	return out
}

func identityFields(id *survey.Identity) [6]*string {
	return [6]*string{&id.Surname, &id.Name, &id.Sex, &id.BirthDate, &id.BirthPlace, &id.FiscalCode}
}

// decodeIdentity reads what encodeIdentity wrote.
func decodeIdentity(b []byte) (*survey.Identity, error) {
	bad := errors.New("seal: identification not readable")
	if len(b) == 0 || b[0] != identityCompact {
		return nil, bad
	}
	b = b[1:]
	id := &survey.Identity{}
	for _, f := range identityFields(id) {
		n, k := binary.Uvarint(b)
		// Only the shortest form of a length: one identification, one encoding.
		if k <= 0 || n > uint64(len(b)-k) || k != len(binary.AppendUvarint(nil, n)) {
			return nil, bad
		}
		b = b[k:]
		if !utf8.Valid(b[:n]) {
			return nil, bad
		}
		*f = string(b[:n])
		b = b[n:]
	}
	if len(b) > 0 {
		return nil, bad
	}
	return id, nil
}

var zeroNonce [chacha20poly1305.NonceSizeX]byte

// ageSeal seals a batch key with age, uncompressed.
func ageSeal(key []byte, to ...age.Recipient) ([]byte, error) { return ageEncrypt(key, to...) }

// ageOpen opens a batch key sealed by ageSeal.
func ageOpen(ct []byte, id age.Identity) ([]byte, error) {
	r, err := age.Decrypt(bytes.NewReader(ct), id)
	if err != nil {
		return nil, err
	}
	key, err := io.ReadAll(io.LimitReader(r, batchKeySize+1))
	if err != nil {
		return nil, err
	}
	if len(key) != batchKeySize {
		return nil, errors.New("seal: batch key of the wrong size")
	}
	return key, nil
}

// Opener opens records of both wire formats with one identity (the team
// key, or the project key), opening each batch header once. It is safe for
// concurrent use.
type Opener struct {
	id    age.Identity
	dicts *Dictionaries

	mu   sync.Mutex
	keys map[string]*headerKeys // by batch id
}

// headerKeys are what a header gave this identity, opened once.
type headerKeys struct {
	once              sync.Once
	content, identity partKey // identity.prk nil: not for this identity
	err               error   // the content key did not open
}

// NewOpener opens with id; dicts (may be nil) are the dictionaries and
// question lists of the instrument versions the records may use.
func NewOpener(id age.Identity, dicts *Dictionaries) *Opener {
	return &Opener{id: id, dicts: dicts, keys: map[string]*headerKeys{}}
}

// Opened is one revision opened by OpenAll.
type Opened struct {
	Record survey.Record
	Err    error
}

// OpenAll opens revs, each with its header from headers, on every core,
// and returns them in their order.
func (o *Opener) OpenAll(revs []*wire.Revision, headers map[string]*wire.Header) []Opened {
	out := make([]Opened, len(revs))
	var next atomic.Int64
	work := func() {
		for {
			i := int(next.Add(1)) - 1
			if i >= len(revs) {
				return
			}
			out[i].Record, out[i].Err = o.Open(revs[i], headers[revs[i].Header])
		}
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(revs)) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	return out
}

// Open rebuilds a record from a revision, as OpenRecord does: v1 with age
// per record, v2 (r.Header set) with the batch header h, which must be the
// header r names.
func (o *Opener) Open(r *wire.Revision, h *wire.Header) (survey.Record, error) {
	if r.Header == "" {
		return OpenRecord(r, o.id)
	}
	rec := survey.Record{ID: r.RecordID, Instrument: r.Instrument, Version: r.InstrumentVersion, Municipality: r.Municipality}
	if h == nil || h.Batch != r.Header {
		return rec, fmt.Errorf("seal: record %s: batch header %s missing", r.RecordID, r.Header)
	}
	keys := o.headerKeys(h)
	if keys.err != nil {
		return rec, fmt.Errorf("seal: record %s: %w", r.RecordID, keys.err)
	}
	env := EnvelopeOf(r)
	z, err := openPart(partContent, keys.content, env, r.Content)
	if err == nil {
		z, err = o.dicts.decompress(z)
	}
	if err != nil {
		return rec, fmt.Errorf("seal: record %s: %w", r.RecordID, err)
	}
	c, err := o.dicts.readContent(r.Instrument, r.InstrumentVersion, z)
	if err != nil {
		return rec, fmt.Errorf("seal: record %s: %w", r.RecordID, err)
	}
	rec.Answers, rec.Meta, rec.Replies = c.Answers, c.Meta, c.Replies
	if rec.Answers == nil {
		rec.Answers = survey.Answers{}
	}
	if len(r.Identity) > 0 && keys.identity.prk != nil {
		plain, err := openPart(partIdentity, keys.identity, env, r.Identity)
		if err == nil {
			rec.Identity, err = decodeIdentity(plain)
		}
		if err != nil {
			return rec, fmt.Errorf("seal: record %s identity: %w", r.RecordID, err)
		}
	}
	return rec, nil
}

func (o *Opener) headerKeys(h *wire.Header) *headerKeys {
	o.mu.Lock()
	k, ok := o.keys[h.Batch]
	if !ok {
		k = &headerKeys{}
		o.keys[h.Batch] = k
	}
	o.mu.Unlock()
	k.once.Do(func() {
		var content []byte
		if content, k.err = ageOpen(h.Content, o.id); k.err != nil {
			return
		}
		if k.content, k.err = newPartKey(content); k.err != nil {
			return
		}
		if len(h.Identity) > 0 {
			// The project key is not among the identity's recipients:
			// nothing to open, and no error.
			if key, err := ageOpen(h.Identity, o.id); err == nil {
				k.identity, _ = newPartKey(key)
			}
		}
	})
	return k
}

// openPart opens one part of a record sealed by sealPart.
func openPart(part string, key partKey, env Envelope, ct []byte) ([]byte, error) {
	aead, err := key.aead(part, env.Revision)
	if err != nil {
		return nil, err
	}
	plain, err := aead.Open(nil, zeroNonce[:], ct, env.ad())
	if err != nil {
		return nil, errors.New("seal: ciphertext does not open for this record")
	}
	return plain, nil
}

func fillContent(rec *survey.Record, plain []byte) error {
	var c Content
	if err := json.Unmarshal(plain, &c); err != nil {
		return fmt.Errorf("seal: record %s: %w", rec.ID, err)
	}
	rec.Answers, rec.Meta, rec.Replies = c.Answers, c.Meta, c.Replies
	if rec.Answers == nil {
		rec.Answers = survey.Answers{}
	}
	return nil
}

func fillIdentity(rec *survey.Record, plain []byte) error {
	var ident survey.Identity
	if err := json.Unmarshal(plain, &ident); err != nil {
		return fmt.Errorf("seal: record %s identity: %w", rec.ID, err)
	}
	rec.Identity = &ident
	return nil
}

// HeaderIndex finds a page's headers by batch id.
func HeaderIndex(hs []wire.Header) map[string]*wire.Header {
	m := make(map[string]*wire.Header, len(hs))
	for i := range hs {
		m[hs[i].Batch] = &hs[i]
	}
	return m
}
