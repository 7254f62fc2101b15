package backend

import (
	"fmt"
	"io"
	"sync"
	"time"

	"sinba/assets"
	"sinba/survey"
	"sinba/survey/printout"
	"sinba/ui"
	"sinba/ui/form"
)

// Instruments serves the forms of the instruments shipped with the app.
// Specs are built once per instrument version and language: building one
// walks thousands of reference entries no more than the form needs.
type Instruments struct {
	Registry *survey.Registry
	Ref      *survey.Reference
	// Now is the reference date of the rules; nil means time.Now.
	Now func() time.Time

	mu    sync.Mutex
	specs map[string]*form.Spec
}

// LoadInstruments reads the embedded reference lists and instrument
// definitions.
func LoadInstruments() (*Instruments, error) {
	ref, err := survey.LoadReference(assets.Reference)
	if err != nil {
		return nil, err
	}
	reg, err := survey.LoadInstruments(assets.Instruments, ref)
	if err != nil {
		return nil, err
	}
	return &Instruments{Registry: reg, Ref: ref}, nil
}

var _ ui.Instruments = (*Instruments)(nil)

// Form implements ui.Instruments.
func (in *Instruments) Form(instrument string, version int, language string) (*form.Spec, error) {
	var def *survey.Instrument
	var ok bool
	if version == 0 {
		def, ok = in.Registry.Latest(instrument)
	} else {
		def, ok = in.Registry.Get(instrument, version)
	}
	if !ok {
		return nil, survey.Errorf("definizione dello strumento %s v%d non disponibile: aggiorna l'applicazione",
			"instrument definition %s v%d not available: update the application", instrument, version)
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
	return form.SourceOf(in.Ref.List(survey.ListMunicipalities), language)
}

var (
	fontsOnce sync.Once
	fonts     printout.Fonts
	fontsErr  error
)

// PrintRecoveryKey implements ui.KeyPrinter: the page of a recovery key.
func (in *Instruments) PrintRecoveryKey(w io.Writer, key, language string) error {
	fontsOnce.Do(func() { fonts, fontsErr = printout.LoadFonts(assets.Fonts) })
	if fontsErr != nil {
		return fontsErr
	}
	o := printout.Options{Lang: language, Fonts: fonts}
	if in.Now != nil {
		o.Now = in.Now()
	}
	return printout.RecoveryKey(w, key, o)
}

// PrintRecord implements ui.Printer: the PDF of a record, with the child's
// identification only when withIdentity is true.
func (in *Instruments) PrintRecord(w io.Writer, rec survey.Record, info printout.Info, withIdentity bool, language string) error {
	def, err := in.Registry.ForRecord(&rec)
	if err != nil {
		return err
	}
	fontsOnce.Do(func() { fonts, fontsErr = printout.LoadFonts(assets.Fonts) })
	if fontsErr != nil {
		return fontsErr
	}
	o := printout.Options{Lang: language, Fonts: fonts, WithIdentity: withIdentity}
	if in.Now != nil {
		o.Now = in.Now()
	}
	return printout.Record(w, def, rec, info, o)
}
