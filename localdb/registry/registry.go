// Package registry is the instrument registry of one local store: the
// instrument versions built into the app plus those published in the project
// that the store has received (a laptop at its sync rounds, a coordinator's
// app at its downloads). The desktop app, the headless commands and the
// coordinators' screens all read records through it, so a record made with
// a version this laptop received opens wherever the store does.
package registry

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"

	"sinba/assets"
	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/wire"
)

// Keys are the store secrets that hold the published definitions as the
// sync clients keep them (a JSON list of wire.Instrument): the laptop's
// (sync/client) and the coordinators' (sync/coord).
var Keys = []string{"sync/instruments", "coord/instruments"}

// Problem is a published version the store holds but this app cannot use:
// its definition does not parse, or its migration does not fit the versions
// before it. It is reported, never used; records of that version do not
// open until the app is updated.
type Problem struct {
	ID      string
	Version int
	Err     error
}

// Text says what is wrong and what to do, Italian first.
func (p Problem) Text() survey.Text {
	return survey.Errorf("Lo strumento %s versione %d pubblicato dal coordinamento non è leggibile da questa applicazione (%v): aggiorna l'applicazione; le schede di quella versione si apriranno dopo l'aggiornamento.",
		"Instrument %s version %d published by the coordinators cannot be read by this application (%v): update the application; records of that version will open after the update.",
		p.ID, p.Version, p.Err).Text
}

// Set is the registry of one store at one moment. It is never changed after
// Load returns it: a refresh builds a new Set.
type Set struct {
	Registry  *survey.Registry
	Reference *survey.Reference
	// Problems are the published versions held but not usable.
	Problems  []Problem
	published map[string][]int // instrument -> versions published and usable, ascending
}

// Published returns the versions of an instrument published in the project
// that the store has received and can use, oldest first.
func (s *Set) Published(id string) []int { return slices.Clone(s.published[id]) }

// ForNew returns the version a new record of the instrument takes: the
// newest published version the store has received (the server accepts
// records of published versions only), or, before any has been received,
// the newest built into the app, with published false. Records of that
// version wait on the laptop until the coordinators publish it (the server
// keeps refusing them as retryable, so nothing is lost).
func (s *Set) ForNew(id string) (in *survey.Instrument, published bool, ok bool) {
	if vs := s.published[id]; len(vs) > 0 {
		in, ok = s.Registry.Get(id, vs[len(vs)-1])
		return in, ok, ok
	}
	in, ok = s.Registry.Latest(id)
	return in, false, ok
}

// IsPublished reports whether the store has received version v of id as
// published.
func (s *Set) IsPublished(id string, v int) bool { return slices.Contains(s.published[id], v) }

// Loader builds Sets. It parses the built-in instruments and the reference
// lists once, and each published definition once (by its content), so a
// refresh after a sync round costs only what is new.
type Loader struct {
	ref     *survey.Reference
	builtin []*survey.Instrument

	mu     sync.Mutex
	parsed map[[sha256.Size]byte]parsed
}

type parsed struct {
	in  *survey.Instrument
	err error
}

// NewLoader reads the reference lists and the instruments built into the app.
func NewLoader() (*Loader, error) {
	ref, err := survey.LoadReference(assets.Reference)
	if err != nil {
		return nil, survey.Errorf("liste di riferimento illeggibili: %w", "reference lists unreadable: %w", err)
	}
	reg, err := survey.LoadInstruments(assets.Instruments, ref)
	if err != nil {
		return nil, survey.Errorf("strumenti incorporati illeggibili: %w", "built-in instruments unreadable: %w", err)
	}
	l := &Loader{ref: ref, parsed: map[[sha256.Size]byte]parsed{}}
	for _, id := range reg.IDs() {
		for _, v := range reg.Versions(id) {
			in, _ := reg.Get(id, v)
			l.builtin = append(l.builtin, in)
		}
	}
	return l, nil
}

// Reference returns the reference lists.
func (l *Loader) Reference() *survey.Reference { return l.ref }

// Builtin returns the Set of the built-in instruments alone: what a store
// that has received nothing, or no store at all, reads records with.
func (l *Loader) Builtin() *Set {
	s, _ := l.build(nil)
	return s
}

// Load returns the Set of a store: the built-in versions plus the published
// ones it holds.
func (l *Loader) Load(ctx context.Context, store *localdb.Store) (*Set, error) {
	var all []wire.Instrument
	for _, key := range Keys {
		b, err := store.Secret(ctx, key)
		if errors.Is(err, localdb.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var ins []wire.Instrument
		if err := json.Unmarshal(b, &ins); err != nil {
			return nil, survey.Errorf("elenco degli strumenti pubblicati illeggibile (%s): %w", "list of published instruments unreadable (%s): %w", key, err)
		}
		all = append(all, ins...)
	}
	return l.build(all)
}

func (l *Loader) build(pub []wire.Instrument) (*Set, error) {
	reg := survey.NewRegistry()
	for _, in := range l.builtin {
		if err := reg.Add(in); err != nil {
			return nil, err
		}
	}
	s := &Set{Registry: reg, Reference: l.ref, published: map[string][]int{}}
	// Oldest first, so that each version's migration is checked against the
	// versions before it as it is added.
	sort.SliceStable(pub, func(i, j int) bool {
		if pub[i].ID != pub[j].ID {
			return pub[i].ID < pub[j].ID
		}
		return pub[i].Version < pub[j].Version
	})
	seen := map[string]bool{}
	for _, w := range pub {
		key := fmt.Sprintf("%s@%d", w.ID, w.Version)
		if seen[key] {
			continue // both a laptop's and a coordinator's copy
		}
		seen[key] = true
		if _, ok := reg.Get(w.ID, w.Version); ok {
			// Built into the app: the app's copy reads the records, which
			// is the definition the version was published from.
			s.published[w.ID] = append(s.published[w.ID], w.Version)
			continue
		}
		in, err := l.parse(w.Body)
		if err == nil && (in.ID != w.ID || in.Version != w.Version) {
			err = survey.Errorf("la definizione è di %s versione %d", "the definition is of %s version %d", in.ID, in.Version)
		}
		if err == nil {
			err = reg.Add(in)
		}
		if err != nil {
			s.Problems = append(s.Problems, Problem{ID: w.ID, Version: w.Version, Err: err})
			continue
		}
		s.published[w.ID] = append(s.published[w.ID], w.Version)
	}
	for id := range s.published {
		slices.Sort(s.published[id])
	}
	return s, nil
}

// parse parses a published definition once per content.
func (l *Loader) parse(body []byte) (*survey.Instrument, error) {
	h := sha256.Sum256(body)
	l.mu.Lock()
	p, ok := l.parsed[h]
	l.mu.Unlock()
	if ok {
		return p.in, p.err
	}
	in, err := survey.ParseInstrument(body, l.ref)
	l.mu.Lock()
	l.parsed[h] = parsed{in, err}
	l.mu.Unlock()
	return in, err
}

// Load returns the Set of a store with a loader of its own: for a command
// that reads one store once.
func Load(ctx context.Context, store *localdb.Store) (*Set, error) {
	l, err := NewLoader()
	if err != nil {
		return nil, err
	}
	return l.Load(ctx, store)
}
