package seal

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/klauspost/compress/zstd"

	"sinba/survey"
	"sinba/sync/wire"
)

// A dictionary belongs to a published instrument version (wire.Instrument):
// records of that version are compressed with it before they are sealed.
// It is public (the server keeps and hands it out), so it is trained on
// synthetic records only (survey/synth), never on real ones. A zstd frame
// names its dictionary's id, so a record compressed with the dictionary of
// an older version opens as long as that version's dictionary is known,
// and one compressed without any opens everywhere.

// dictionaryHistory bounds the content of a trained dictionary.
const dictionaryHistory = 16 << 10

// TrainDictionary makes a zstd dictionary for an instrument version (in:
// its id, version and published body) from sample records of it
// (synthetic ones: the dictionary is public). It is trained on the contents
// as they are sealed: in the compact form of the version's body when it has
// one (JSON otherwise). Identifications are compressed without one.
func TrainDictionary(in wire.Instrument, samples []survey.Record) ([]byte, error) {
	d := &Dictionaries{}
	if len(in.Body) > 0 {
		if err := d.AddInstrument(wire.Instrument{ID: in.ID, Version: in.Version, Body: in.Body}); err != nil {
			return nil, err
		}
	}
	var contents [][]byte
	for _, rec := range samples {
		c, err := d.contentPlain(in.ID, in.Version, &Content{Answers: rec.Answers, Meta: rec.Meta, Replies: rec.Replies})
		if err != nil {
			return nil, err
		}
		contents = append(contents, c)
	}
	if len(contents) < 8 {
		return nil, errors.New("seal: too few samples to train a dictionary")
	}
	// The history is every other sample, the latest last (closest to what
	// is compressed); the entropy tables are built from all of them, so the
	// samples left out of the history give them literals to count.
	var hist []byte
	for i := len(contents) - 1; i >= 0 && len(hist)+len(contents[i]) <= dictionaryHistory; i -= 2 {
		hist = append(append([]byte{}, contents[i]...), hist...)
	}
	sum := sha256.Sum256(append([]byte(in.ID+"@"+strconv.Itoa(in.Version)+"\x00"), hist...))
	// Ids below 2^15 and from 2^31 up are reserved by the zstd format.
	id := 1<<15 + binary.BigEndian.Uint32(sum[:4])%(1<<31-1<<15)
	return zstd.BuildDict(zstd.BuildDictOptions{ID: id, Contents: contents, History: hist, Offsets: [3]int{1, 4, 8}, Level: zstd.SpeedDefault})
}

// Dictionaries are the dictionaries of the instrument versions a laptop or
// the coordinators know. The zero value and nil have none. Safe for
// concurrent use.
type Dictionaries struct {
	mu        sync.Mutex
	byVersion map[string]uint32  // instrument@version -> dictionary id
	schemas   map[string]*schema // instrument@version -> its questions, for the compact content
	raw       map[uint32][]byte
	enc       map[uint32]*zstd.Encoder
	dec       *zstd.Decoder // with every dictionary; nil until needed
}

// DictionariesOf are the dictionaries and the question lists of published
// instruments. A dictionary that is not a valid one, or a body that cannot
// be read, is left out (and named in the error): records of its version are
// then sealed without it (without a dictionary, or as JSON).
func DictionariesOf(ins []wire.Instrument) (*Dictionaries, error) {
	d := &Dictionaries{}
	var errs []error
	for _, in := range ins {
		if err := d.AddInstrument(in); err != nil {
			errs = append(errs, err)
		}
	}
	return d, errors.Join(errs...)
}

// AddInstrument registers what a published instrument version brings: its
// question list (from the body, for the compact content) and its
// dictionary, each when it has one.
func (d *Dictionaries) AddInstrument(in wire.Instrument) error {
	var errs []error
	if len(in.Body) > 0 {
		if s, err := schemaOf(in.Body); err != nil {
			errs = append(errs, fmt.Errorf("seal: instrument %s@%d: %w", in.ID, in.Version, err))
		} else {
			d.mu.Lock()
			if d.schemas == nil {
				d.schemas = map[string]*schema{}
			}
			d.schemas[versionKey(in.ID, in.Version)] = s
			d.mu.Unlock()
		}
	}
	if len(in.Dictionary) > 0 {
		if err := d.Add(in.ID, in.Version, in.Dictionary); err != nil {
			errs = append(errs, fmt.Errorf("seal: dictionary of %s@%d: %w", in.ID, in.Version, err))
		}
	}
	return errors.Join(errs...)
}

func versionKey(instrument string, version int) string {
	return instrument + "@" + strconv.Itoa(version)
}

// schema is the question list of instrument version, nil if unknown.
func (d *Dictionaries) schema(instrument string, version int) *schema {
	if d == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.schemas[versionKey(instrument, version)]
}

// contentPlain is c as it is sealed: in the compact form when the version's
// questions are known and it can be written so, in JSON otherwise.
func (d *Dictionaries) contentPlain(instrument string, version int, c *Content) ([]byte, error) {
	if s := d.schema(instrument, version); s != nil {
		if b, err := encodeContent(s, c); err == nil {
			return b, nil
		}
	}
	return json.Marshal(c)
}

// readContent reads a content of either form.
func (d *Dictionaries) readContent(instrument string, version int, plain []byte) (*Content, error) {
	if len(plain) > 0 && plain[0] == contentCompact {
		s := d.schema(instrument, version)
		if s == nil {
			return nil, fmt.Errorf("seal: instrument %s version %d not known here", instrument, version)
		}
		return decodeContent(s, plain)
	}
	var c Content
	if err := json.Unmarshal(plain, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// Add registers the dictionary of instrument version.
func (d *Dictionaries) Add(instrument string, version int, dict []byte) error {
	id, err := DictionaryID(dict)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if old, ok := d.raw[id]; ok && !bytes.Equal(old, dict) {
		return errors.New("seal: two dictionaries with one id")
	}
	if d.byVersion == nil {
		d.byVersion, d.raw, d.enc = map[string]uint32{}, map[uint32][]byte{}, map[uint32]*zstd.Encoder{}
	}
	d.byVersion[versionKey(instrument, version)] = id
	d.raw[id] = dict
	d.dec = nil
	return nil
}

// DictionaryID checks a zstd dictionary and returns its id.
func DictionaryID(dict []byte) (uint32, error) {
	// magic, id, then the entropy tables the decoder checks.
	if len(dict) < 8 || binary.LittleEndian.Uint32(dict) != 0xEC30A437 {
		return 0, errors.New("seal: not a zstd dictionary")
	}
	id := binary.LittleEndian.Uint32(dict[4:])
	if id == 0 {
		return 0, errors.New("seal: dictionary without an id")
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderDicts(dict), zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
	if err != nil {
		return 0, fmt.Errorf("seal: %w", err)
	}
	dec.Close()
	return id, nil
}

// compress compresses a record of instrument version with its dictionary,
// or without one.
func (d *Dictionaries) compress(instrument string, version int, plain []byte) []byte {
	if d == nil {
		return wire.Compress(plain)
	}
	d.mu.Lock()
	id, ok := d.byVersion[versionKey(instrument, version)]
	var e *zstd.Encoder
	if ok {
		if e = d.enc[id]; e == nil {
			var err error
			e, err = zstd.NewWriter(nil, zstd.WithEncoderDict(d.raw[id]), zstd.WithEncoderConcurrency(1),
				// With a dictionary the fastest level compresses a
				// record as well as the default one, in half the time.
				zstd.WithEncoderLevel(zstd.SpeedFastest),
				// The AEAD authenticates the frame: its checksum would add
				// four bytes a record and check nothing more.
				zstd.WithEncoderCRC(false))
			if err != nil {
				e = nil // checked by Add; never here
			}
			d.enc[id] = e
		}
	}
	d.mu.Unlock()
	if e == nil {
		return wire.Compress(plain)
	}
	return e.EncodeAll(plain, make([]byte, 0, len(plain)/3+64))
}

// decompress inflates a record compressed by compress, within maxPlain.
func (d *Dictionaries) decompress(z []byte) ([]byte, error) {
	if d == nil {
		return wire.Decompress(z, maxPlain)
	}
	d.mu.Lock()
	if len(d.raw) == 0 {
		d.mu.Unlock()
		return wire.Decompress(z, maxPlain)
	}
	if d.dec == nil {
		dicts := make([][]byte, 0, len(d.raw))
		for _, raw := range d.raw {
			dicts = append(dicts, raw)
		}
		dec, err := zstd.NewReader(nil, zstd.WithDecoderDicts(dicts...), zstd.WithDecoderMaxMemory(maxPlain),
			zstd.WithDecoderMaxWindow(maxPlain), zstd.WithDecoderConcurrency(0))
		if err != nil {
			d.mu.Unlock()
			return nil, err
		}
		d.dec = dec
	}
	dec := d.dec
	d.mu.Unlock()
	out, err := dec.DecodeAll(z, nil)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	if len(out) > maxPlain {
		return nil, errors.New("seal: plaintext too large")
	}
	return out, nil
}
