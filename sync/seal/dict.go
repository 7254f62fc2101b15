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

// TrainDictionary makes a zstd dictionary for an instrument version from
// sample records of it (synthetic ones: the dictionary is public). It is for
// the records' contents: identifications are compressed without one.
func TrainDictionary(instrument string, version int, samples []survey.Record) ([]byte, error) {
	var contents [][]byte
	for _, rec := range samples {
		c, err := json.Marshal(Content{Answers: rec.Answers, Meta: rec.Meta, Replies: rec.Replies})
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
	sum := sha256.Sum256(append([]byte(instrument+"@"+strconv.Itoa(version)+"\x00"), hist...))
	// Ids below 2^15 and from 2^31 up are reserved by the zstd format.
	id := 1<<15 + binary.BigEndian.Uint32(sum[:4])%(1<<31-1<<15)
	return zstd.BuildDict(zstd.BuildDictOptions{ID: id, Contents: contents, History: hist, Offsets: [3]int{1, 4, 8}, Level: zstd.SpeedDefault})
}

// Dictionaries are the dictionaries of the instrument versions a laptop or
// the coordinators know. The zero value and nil have none. Safe for
// concurrent use.
type Dictionaries struct {
	mu        sync.Mutex
	byVersion map[string]uint32 // instrument@version -> dictionary id
	raw       map[uint32][]byte
	enc       map[uint32]*zstd.Encoder
	dec       *zstd.Decoder // with every dictionary; nil until needed
}

// DictionariesOf are the dictionaries of published instruments. One that
// is not a valid dictionary is left out (and named in the error): records
// of its version are then compressed without one.
func DictionariesOf(ins []wire.Instrument) (*Dictionaries, error) {
	d := &Dictionaries{}
	var errs []error
	for _, in := range ins {
		if len(in.Dictionary) > 0 {
			if err := d.Add(in.ID, in.Version, in.Dictionary); err != nil {
				errs = append(errs, fmt.Errorf("seal: dictionary of %s@%d: %w", in.ID, in.Version, err))
			}
		}
	}
	return d, errors.Join(errs...)
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
	d.byVersion[instrument+"@"+strconv.Itoa(version)] = id
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
	id, ok := d.byVersion[instrument+"@"+strconv.Itoa(version)]
	var e *zstd.Encoder
	if ok {
		if e = d.enc[id]; e == nil {
			var err error
			e, err = zstd.NewWriter(nil, zstd.WithEncoderDict(d.raw[id]), zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedDefault))
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
			zstd.WithDecoderMaxWindow(maxPlain), zstd.WithDecoderConcurrency(2))
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
