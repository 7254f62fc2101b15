package backend

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"sinba/assets"
	"sinba/localdb"
	"sinba/localdb/registry"
	"sinba/survey"
	"sinba/survey/printout"
	"sinba/ui"
	"sinba/ui/form"
)

// Instruments serves the forms of the instruments of one store: those built
// into the app and those published in the project that the store has
// received (see package localdb/registry). Refresh reads the store again;
// until the first Refresh only the built-in versions are known. Specs are
// built once per instrument version and language: building one walks
// thousands of reference entries no more than the form needs.
type Instruments struct {
	// Now is the reference date of the rules; nil means time.Now.
	Now func() time.Time

	loader  *registry.Loader
	set     atomic.Pointer[registry.Set]
	loadErr atomic.Pointer[loadError] // the last Refresh failed

	mu    sync.Mutex
	specs map[string]*form.Spec
}

// LoadInstruments reads the embedded reference lists and instrument
// definitions.
func LoadInstruments() (*Instruments, error) {
	l, err := registry.NewLoader()
	if err != nil {
		return nil, err
	}
	in := &Instruments{loader: l}
	in.set.Store(l.Builtin())
	return in, nil
}

var _ ui.Instruments = (*Instruments)(nil)

// Registry is the registry as of the last Refresh.
func (in *Instruments) Registry() *survey.Registry { return in.set.Load().Registry }

// Set is the store's registry as of the last Refresh.
func (in *Instruments) Set() *registry.Set { return in.set.Load() }

// Ref returns the reference lists.
func (in *Instruments) Ref() *survey.Reference { return in.loader.Reference() }

// Refresh implements ui.Instruments: it reads the versions the store holds.
func (in *Instruments) Refresh(ctx context.Context, s ui.Store) error {
	st, ok := s.(*Store)
	if !ok {
		return fmt.Errorf("backend: store %T", s)
	}
	return in.refresh(ctx, st.DB)
}

func (in *Instruments) refresh(ctx context.Context, db *localdb.Store) error {
	set, err := in.loader.Load(ctx, db)
	if err != nil {
		// The store still opens with the built-in versions; Problems says
		// why the published ones are missing until a refresh reads them.
		in.loadErr.Store(&loadError{err})
		return err
	}
	in.loadErr.Store(nil)
	in.set.Store(set)
	return nil
}

type loadError struct{ err error }

// Problems implements ui.Instruments.
func (in *Instruments) Problems() []survey.Text {
	var out []survey.Text
	if e := in.loadErr.Load(); e != nil {
		out = append(out, survey.Errorf("Le versioni degli strumenti pubblicate ricevute non sono state lette (%v): si usano quelle incluse nell'applicazione finché la prossima sincronizzazione non le riscrive.",
			"The published instrument versions received could not be read (%v): the ones built into the application are used until the next sync writes them again.", e.err).Text)
	}
	for _, p := range in.set.Load().Problems {
		out = append(out, p.Text())
	}
	return out
}

var _ ui.PublishedInstruments = (*Instruments)(nil)

// Published implements ui.PublishedInstruments: the published versions the
// store held at the last Refresh, those this app cannot read with the
// reason.
func (in *Instruments) Published() ([]ui.PublishedVersion, error) {
	set := in.set.Load()
	var out []ui.PublishedVersion
	for _, id := range set.Registry.IDs() {
		for _, v := range set.Published(id) {
			out = append(out, ui.PublishedVersion{InstrumentVersion: ui.InstrumentVersion{Instrument: id, Version: v}})
		}
	}
	for _, p := range set.Problems {
		why := survey.Text{IT: survey.ErrorText(p.Err, "it"), EN: survey.ErrorText(p.Err, "en")}
		out = append(out, ui.PublishedVersion{InstrumentVersion: ui.InstrumentVersion{Instrument: p.ID, Version: p.Version}, Problem: &why})
	}
	slices.SortFunc(out, func(a, b ui.PublishedVersion) int {
		return cmp.Or(cmp.Compare(a.Instrument, b.Instrument), cmp.Compare(a.Version, b.Version))
	})
	var err error
	if e := in.loadErr.Load(); e != nil {
		err = e.err
	}
	return out, err
}

// Title implements ui.PublishedInstruments: the title of the instrument's
// newest version this app reads.
func (in *Instruments) Title(instrument, language string) string {
	if def, ok := in.Registry().Latest(instrument); ok {
		return def.Title.In(language)
	}
	return instrument
}

// Current implements ui.Instruments.
func (in *Instruments) Current(instrument string) (int, bool) {
	def, published, ok := in.set.Load().ForNew(instrument)
	if !ok {
		return 0, false
	}
	return def.Version, published
}

// Move implements ui.Instruments: rec moved to version to, not saved.
func (in *Instruments) Move(rec survey.Record, to int) (survey.Record, *survey.Moved, error) {
	m, err := in.Registry().Move(&rec, to)
	return rec, m, err
}

// MoveLines implements ui.Instruments.
func (in *Instruments) MoveLines(instrument string, m *survey.Moved) []survey.Text {
	from, to := in.versions(instrument, m)
	return m.Lines(from, to)
}

// versions returns the instrument versions a move went between (nil when unknown).
func (in *Instruments) versions(instrument string, m *survey.Moved) (from, to *survey.Instrument) {
	reg := in.Registry()
	from, _ = reg.Get(instrument, m.From)
	to, _ = reg.Get(instrument, m.To)
	return from, to
}

// Form implements ui.Instruments: version 0 is the version new records
// take (see registry.Set.ForNew).
func (in *Instruments) Form(instrument string, version int, language string) (*form.Spec, error) {
	set := in.set.Load()
	var def *survey.Instrument
	var ok bool
	if version == 0 {
		def, _, ok = set.ForNew(instrument)
	} else {
		def, ok = set.Registry.Get(instrument, version)
	}
	if !ok {
		for _, p := range set.Problems {
			if p.ID == instrument && p.Version == version {
				return nil, &survey.Error{Text: p.Text()}
			}
		}
		return nil, survey.Errorf("la versione %[2]d dello strumento %[1]s non è ancora su questo computer: sincronizza; se non arriva, aggiorna l'applicazione",
			"version %[2]d of instrument %[1]s is not on this computer yet: sync; if it does not arrive, update the application", instrument, version)
	}
	key := fmt.Sprintf("%s@%d/%s", def.ID, def.Version, language)
	in.mu.Lock()
	defer in.mu.Unlock()
	if s := in.specs[key]; s != nil {
		return s, nil
	}
	now := in.Now
	if now == nil {
		now = time.Now
	}
	s := form.FromSurvey(def, language, now)
	if in.specs == nil {
		in.specs = map[string]*form.Spec{}
	}
	in.specs[key] = s
	return s, nil
}

// Municipalities implements ui.Instruments.
func (in *Instruments) Municipalities(language string) form.Source {
	return form.SourceOf(in.Ref().List(survey.ListMunicipalities), language)
}

var (
	fontsOnce sync.Once
	fonts     printout.Fonts
	fontsErr  error
)

// printFonts are the fonts of every printout, read once.
func printFonts() (printout.Fonts, error) {
	fontsOnce.Do(func() { fonts, fontsErr = printout.LoadFonts(assets.Fonts) })
	return fonts, fontsErr
}

// printOptions are the options of every printout in language: the fonts,
// read once, and the time it is printed (the instruments' clock in tests).
func (in *Instruments) printOptions(language string, withIdentity bool) (printout.Options, error) {
	fonts, err := printFonts()
	if err != nil {
		return printout.Options{}, err
	}
	o := printout.Options{Lang: language, Fonts: fonts, WithIdentity: withIdentity}
	if in.Now != nil {
		o.Now = in.Now()
	}
	return o, nil
}

// PrintRecoveryKey implements ui.KeyPrinter: the page of a recovery key.
func (in *Instruments) PrintRecoveryKey(w io.Writer, key, language string) error {
	o, err := in.printOptions(language, false)
	if err != nil {
		return err
	}
	return printout.RecoveryKey(w, key, o)
}

// PrintBlank implements ui.Printer: the PDF of the version of instrument
// that new records take, blank, to fill in on paper.
func (in *Instruments) PrintBlank(w io.Writer, instrument string, language string) error {
	def, _, ok := in.set.Load().ForNew(instrument)
	if !ok {
		return survey.Errorf("strumento %s sconosciuto", "unknown instrument %s", instrument)
	}
	o, err := in.printOptions(language, false)
	if err != nil {
		return err
	}
	return printout.Blank(w, def, o)
}

// PrintRecord implements ui.Printer: the PDF of a record, with the child's
// identification only when withIdentity is true.
func (in *Instruments) PrintRecord(w io.Writer, rec survey.Record, info printout.Info, withIdentity bool, language string) error {
	def, err := in.Registry().ForRecord(&rec)
	if err != nil {
		return err
	}
	o, err := in.printOptions(language, withIdentity)
	if err != nil {
		return err
	}
	return printout.Record(w, def, rec, info, o)
}
