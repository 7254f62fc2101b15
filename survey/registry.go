package survey

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Registry holds every version of every instrument, keyed by id and version.
type Registry struct {
	byKey  map[string]*Instrument
	latest map[string]*Instrument
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byKey: map[string]*Instrument{}, latest: map[string]*Instrument{}}
}

// Add adds an instrument; a second definition of the same id and version is
// refused, since records rely on a version never changing.
func (r *Registry) Add(in *Instrument) error {
	if _, dup := r.byKey[in.Key()]; dup {
		return fmt.Errorf("instrument %s defined twice", in.Key())
	}
	r.byKey[in.Key()] = in
	if err := r.checkMigrations(in); err != nil {
		delete(r.byKey, in.Key())
		return err
	}
	if l, ok := r.latest[in.ID]; !ok || in.Version > l.Version {
		r.latest[in.ID] = in
	}
	return nil
}

// Get returns the given version of an instrument.
func (r *Registry) Get(id string, version int) (*Instrument, bool) {
	in, ok := r.byKey[fmt.Sprintf("%s@%d", id, version)]
	return in, ok
}

// Latest returns the newest version of an instrument.
func (r *Registry) Latest(id string) (*Instrument, bool) {
	in, ok := r.latest[id]
	return in, ok
}

// IDs returns the instrument ids, sorted.
func (r *Registry) IDs() []string {
	ids := make([]string, 0, len(r.latest))
	for id := range r.latest {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Versions returns the versions of an instrument, oldest first.
func (r *Registry) Versions(id string) []int {
	var v []int
	for _, in := range r.byKey {
		if in.ID == id {
			v = append(v, in.Version)
		}
	}
	sort.Ints(v)
	return v
}

// ForRecord returns the instrument version a record was made with; a record
// with no version yet gets the latest.
func (r *Registry) ForRecord(rec *Record) (*Instrument, error) {
	if rec.Version == 0 {
		if in, ok := r.Latest(rec.Instrument); ok {
			return in, nil
		}
	} else if in, ok := r.Get(rec.Instrument, rec.Version); ok {
		return in, nil
	}
	return nil, Errorf("strumento %q versione %d sconosciuto", "unknown instrument %q version %d", rec.Instrument, rec.Version)
}

// LoadInstruments parses every *.json file of fsys (in any folder) as an
// instrument definition, against the reference data ref.
func LoadInstruments(fsys fs.FS, ref *Reference) (*Registry, error) {
	reg := NewRegistry()
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".json") {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		in, err := ParseInstrument(b, ref)
		if err != nil {
			return fmt.Errorf("%s: %w", path.Base(p), err)
		}
		return reg.Add(in)
	})
	if err != nil {
		return nil, err
	}
	if len(reg.byKey) == 0 {
		return nil, fmt.Errorf("no instrument definitions found")
	}
	return reg, nil
}
