package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"sync"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/klauspost/compress/zstd"
)

// Limits bound what one request may cost the server. The decoder never holds
// more than MaxDecompressed bytes of a batch, whatever the compressed input.
type Limits struct {
	MaxCompressed   int64 // bytes of a request body
	MaxDecompressed int64 // bytes of a batch once decompressed
	MaxRevisions    int   // revisions per batch
	MaxContent      int   // bytes of one revision's ciphertexts together
}

// DefaultLimits are the server's limits unless configured otherwise. The
// client sizes its batches well below them.
var DefaultLimits = Limits{
	MaxCompressed:   4 << 20,
	MaxDecompressed: 16 << 20,
	MaxRevisions:    500,
	MaxContent:      512 << 10,
}

var encoders = sync.Pool{New: func() any {
	e, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	if err != nil {
		panic(err) // only on invalid options, which are constant here
	}
	return e
}}

// Compress returns data compressed with zstd.
func Compress(data []byte) []byte {
	e := encoders.Get().(*zstd.Encoder)
	defer encoders.Put(e)
	return e.EncodeAll(data, make([]byte, 0, len(data)/3+64))
}

// Decompress inflates zstd data, refusing with CodeTooLarge beyond max bytes.
// The window and the decoder's memory are bounded by max, so a small hostile
// frame cannot make the decoder allocate more.
func Decompress(data []byte, max int64) ([]byte, error) {
	window := uint64(max)
	if window < zstd.MinWindowSize {
		window = zstd.MinWindowSize
	}
	d, err := zstd.NewReader(bytes.NewReader(data),
		zstd.WithDecoderConcurrency(1),
		zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxMemory(uint64(max)),
		zstd.WithDecoderMaxWindow(window))
	if err != nil {
		return nil, Errorf(CodeInvalid, "dati compressi non validi", "invalid compressed data")
	}
	defer d.Close()
	var out bytes.Buffer
	n, err := out.ReadFrom(io.LimitReader(d, max+1))
	if n > max || errors.Is(err, zstd.ErrDecoderSizeExceeded) || errors.Is(err, zstd.ErrWindowSizeExceeded) {
		return nil, NewError(CodeTooLarge)
	}
	if err != nil {
		return nil, Errorf(CodeInvalid, "dati compressi non validi", "invalid compressed data")
	}
	return out.Bytes(), nil
}

// EncodeBatch returns the batch as it goes on the wire.
func EncodeBatch(b *Batch) ([]byte, error) {
	data, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	return Compress(data), nil
}

// DecodeBatch reads a batch from the wire within lim. It fails only on what
// makes the whole batch unusable (bad compression or JSON, version, id,
// count); a malformed revision is left for ValidateRevision, so that the
// receipt can refuse it alone.
func DecodeBatch(data []byte, lim Limits) (*Batch, error) {
	if int64(len(data)) > lim.MaxCompressed {
		return nil, NewError(CodeTooLarge)
	}
	plain, err := Decompress(data, lim.MaxDecompressed)
	if err != nil {
		return nil, err
	}
	var head struct {
		Version   int               `json:"version"`
		ID        string            `json:"id"`
		Header    *Header           `json:"header"`
		Revisions []json.RawMessage `json:"revisions"`
	}
	if err := json.Unmarshal(plain, &head); err != nil {
		return nil, Errorf(CodeInvalid, "lotto non leggibile", "unreadable batch")
	}
	if head.Version != FormatV1 && head.Version != FormatV2 {
		return nil, NewError(CodeUnsupportedVersion)
	}
	if !IsUUID(head.ID) {
		return nil, Errorf(CodeInvalid, "identificativo del lotto non valido", "invalid batch id")
	}
	if len(head.Revisions) > lim.MaxRevisions {
		return nil, NewError(CodeTooManyRecords)
	}
	if e := checkHeader(head.Version, head.ID, head.Header); e != nil {
		return nil, e
	}
	b := &Batch{Version: head.Version, ID: head.ID, Header: head.Header, Revisions: make([]Revision, len(head.Revisions))}
	for i, raw := range head.Revisions {
		if err := json.Unmarshal(raw, &b.Revisions[i]); err != nil {
			// Keep what identifies it, so the receipt can name it.
			var ids struct {
				RecordID string `json:"record_id"`
				Revision string `json:"revision"`
			}
			_ = json.Unmarshal(raw, &ids)
			b.Revisions[i] = Revision{RecordID: clip(ids.RecordID), Revision: clip(ids.Revision), malformed: true}
		}
	}
	return b, nil
}

// MaxHeaderKey bounds each sealed key of a batch header: an age file of a
// 32-byte key for a few X25519 recipients is a few hundred bytes.
const MaxHeaderKey = 4 << 10

// checkHeader checks that a format-2 batch has a header of its own, and a
// format-1 batch none.
func checkHeader(version int, id string, h *Header) *Error {
	bad := func(it, en string) *Error { return Errorf(CodeInvalid, it, en) }
	switch {
	case version == FormatV1 && h != nil:
		return bad("intestazione in un lotto di formato 1", "header in a format-1 batch")
	case version == FormatV1:
		return nil
	case h == nil:
		return bad("intestazione del lotto mancante", "missing batch header")
	case h.Batch != id:
		return bad("intestazione di un altro lotto", "header of another batch")
	case len(h.Content) == 0 || len(h.Content) > MaxHeaderKey || len(h.Identity) > MaxHeaderKey:
		return bad("intestazione del lotto non valida", "invalid batch header")
	}
	return nil
}

// ExpandReceipt turns the receipt of a format-2 batch (a count, and only
// the exceptions listed) into the full receipt of the revisions sent: every
// revision not refused is accepted, with the flags the exceptions give. It
// fails on a receipt that does not add up to the batch.
func ExpandReceipt(r *Receipt, sent []Revision) error {
	flags := map[string]Accepted{}
	for _, a := range r.Accepted {
		flags[a.Revision] = a
	}
	refused := map[string]bool{}
	for _, f := range r.Refused {
		refused[f.Revision] = true
	}
	out := make([]Accepted, 0, len(sent))
	for _, s := range sent {
		if refused[s.Revision] {
			continue
		}
		a := flags[s.Revision]
		out = append(out, Accepted{RecordID: s.RecordID, Revision: s.Revision, Duplicate: a.Duplicate, Conflict: a.Conflict})
		delete(flags, s.Revision)
	}
	if len(out) != r.Count || len(flags) > 0 || len(out)+len(r.Refused) != len(sent) {
		return Errorf(CodeInvalid, "ricevuta che non corrisponde al lotto inviato", "receipt that does not match the batch sent")
	}
	r.Accepted, r.Count = out, 0
	return nil
}

// clip keeps an id short enough to echo back in a receipt.
func clip(s string) string {
	if len(s) > 64 || !utf8.ValidString(s) {
		return ""
	}
	return s
}

// EchoID returns s if it is a UUID, else "": what a receipt may say back of
// an id the server refused.
func EchoID(s string) string {
	if IsUUID(s) {
		return s
	}
	return ""
}

var (
	municipalityRE = regexp.MustCompile(`^[0-9]{6}$`)
	instrumentRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
)

// IsUUID reports whether s is a UUID in its canonical text form.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}

// ValidateRevision checks the shape of a revision's envelope; the server
// checks what the device may do with it.
func ValidateRevision(r *Revision, lim Limits) *Error {
	bad := func(it, en string) *Error { return Errorf(CodeInvalidRevision, it, en) }
	switch {
	case r.malformed:
		return bad("scheda non leggibile", "unreadable record")
	case !IsUUID(r.RecordID):
		return bad("identificativo della scheda non valido", "invalid record id")
	case !IsUUID(r.Revision):
		return bad("identificativo della versione non valido", "invalid revision id")
	case r.BaseRevision != "" && !IsUUID(r.BaseRevision):
		return bad("versione di partenza non valida", "invalid base revision")
	case r.MergedRevision != "" && !IsUUID(r.MergedRevision):
		return bad("versione unita non valida", "invalid merged revision")
	case r.BaseRevision == r.Revision:
		return bad("una versione non può partire da se stessa", "a revision cannot be based on itself")
	case !instrumentRE.MatchString(r.Instrument):
		return bad("strumento non valido", "invalid instrument")
	case r.InstrumentVersion < 1:
		return bad("versione dello strumento non valida", "invalid instrument version")
	case !municipalityRE.MatchString(r.Municipality):
		return bad("codice ISTAT del comune non valido", "invalid municipality ISTAT code")
	case !r.Status.Valid():
		return bad("stato della scheda non valido", "invalid record status")
	case r.SavedAt.IsZero():
		return bad("data di salvataggio mancante", "missing save time")
	case len(r.Content) == 0:
		return bad("contenuto mancante", "missing content")
	case len(r.Content)+len(r.Identity) > lim.MaxContent:
		return Errorf(CodeTooLarge, "scheda troppo grande", "record too large")
	}
	return nil
}
