package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"sinba/assets"
	"sinba/localdb"
	"sinba/localdb/registry"
	"sinba/survey"
)

func init() {
	register(&Command{
		Name:  "check",
		Usage: "[--instrument ID] [--ref-date AAAA-MM-GG] [FILE|-]",
		Short: "controlla record JSON Lines; una riga JSON per record (index = numero di riga) / checks JSON Lines records; one JSON line per record (index = line number)",
		Run:   runCheck,
	})
}

// domain is the shipped instruments and reference data, loaded once.
type domain struct {
	reg *survey.Registry
	ref *survey.Reference
}

var (
	domainOnce sync.Once
	theDomain  domain
	domainErr  error
)

func loadDomain() (domain, error) {
	domainOnce.Do(func() {
		theDomain.ref, domainErr = survey.LoadReference(assets.Reference)
		if domainErr == nil {
			theDomain.reg, domainErr = survey.LoadInstruments(assets.Instruments, theDomain.ref)
		}
		if domainErr != nil {
			domainErr = fmt.Errorf("dati incorporati illeggibili / embedded data unreadable: %w", domainErr)
		}
	})
	return theDomain, domainErr
}

// domainOf is the built-in domain, or, with --data, the registry of that
// store: the built-in versions plus the published ones it has received (see
// localdb/registry), so that a record of a version published after this
// binary was built is read as the laptop reads it. Versions received but
// unusable are named on standard error.
func domainOf(env Env, sf *storeFlags) (domain, error) {
	if sf.data == "" {
		return loadDomain()
	}
	st, set, err := sf.openWithRegistry(context.Background(), env)
	if err != nil {
		return domain{}, err
	}
	st.Close()
	return domain{reg: set.Registry, ref: set.Reference}, nil
}

// openWithRegistry unlocks the store named by the flags and reads its
// registry; versions received but unusable are named on standard error.
func (f *storeFlags) openWithRegistry(ctx context.Context, env Env) (*localdb.Store, *registry.Set, error) {
	st, err := f.open(env)
	if err != nil {
		return nil, nil, err
	}
	set, err := registry.Load(ctx, st)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	warnProblems(env, set)
	return st, set, nil
}

// warnProblems names on standard error the published versions a store holds
// that this binary cannot use.
func warnProblems(env Env, set *registry.Set) {
	for _, p := range set.Problems {
		t := p.Text()
		fmt.Fprintf(env.Stderr, "sinba: %s / %s\n", t.IT, t.EN)
	}
}

// inputLine is one non-blank line of JSON Lines input.
type inputLine struct {
	n      int // line number, from 1
	rec    survey.Record
	status survey.Status // the review state the line gives, if any (sinba import)
	err    error         // the line could not be read as a record
}

// readInput reads the records of FILE, or of standard input when the file
// is "-" or absent (see readRecords).
func readInput(env Env, args []string, instrument string) ([]inputLine, error) {
	var r io.Reader = env.Stdin
	switch {
	case len(args) > 1:
		return nil, fmt.Errorf("un solo file alla volta / one file at a time")
	case len(args) == 1 && args[0] != "-":
		f, err := os.Open(args[0])
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	return readRecords(r, instrument)
}

// readRecords is the one reader of JSON Lines records of sinba import, check
// and flow. Each line is an envelope {"instrument", "version",
// "municipality", "answers", "meta", "identity", "status"} or a flat object
// of field id -> answer beside the same reserved keys (see
// survey.DecodeRecordLine); blank lines are skipped.
func readRecords(r io.Reader, instrument string) ([]inputLine, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	var lines []inputLine
	for n := 1; sc.Scan(); n++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		l, err := survey.DecodeRecordLine(b, instrument)
		lines = append(lines, inputLine{n: n, rec: l.Record, status: l.Status, err: err})
	}
	return lines, sc.Err()
}

// checkLine is the output of `sinba check` for one record; keep it stable.
type checkLine struct {
	Index  int            `json:"index"`
	Valid  bool           `json:"valid"`
	Issues []survey.Issue `json:"issues"`
}

// validateLine checks one input record at ref.
func validateLine(d domain, l inputLine, ref time.Time) []survey.Issue {
	if l.err != nil {
		return []survey.Issue{{Rule: "input", Severity: survey.SeverityError, Fields: []string{},
			MessageIT: l.err.Error(), MessageEN: l.err.Error()}}
	}
	in, err := d.reg.ForRecord(&l.rec)
	if err != nil {
		return []survey.Issue{{Rule: "instrument", Severity: survey.SeverityError, Fields: []string{},
			MessageIT: err.Error(), MessageEN: err.Error()}}
	}
	return survey.ValidateAt(in, &l.rec, ref)
}

func parseDate(s string) (time.Time, error) {
	if s == "" {
		now := time.Now()
		return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC), nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return t, fmt.Errorf("data %q: serve AAAA-MM-GG / date %q: YYYY-MM-DD is needed", s, s)
	}
	return t, nil
}

func runCheck(env Env, args []string) int {
	c := command("check")
	fs := newFlagSet(env, c)
	instrument := fs.String("instrument", survey.InstrumentCase, "strumento dei record che non lo indicano / instrument of records that do not name one")
	var sf storeFlags
	fs.StringVar(&sf.data, "data", "", "cartella dei dati: usa anche le versioni pubblicate ricevute da quell'archivio / data folder: also use the published versions that store received")
	fs.StringVar(&sf.passFile, "passphrase-file", "", "file con la passphrase, con --data (altrimenti $SINBA_PASSPHRASE) / file holding the passphrase, with --data (else $SINBA_PASSPHRASE)")
	refDate := fs.String("ref-date", "", "data di riferimento dei controlli delle schede senza la propria (DataRiferimento), AAAA-MM-GG (oggi se omessa) / reference date of the checks of records without their own (DataRiferimento; today if omitted)")
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	ref, err := parseDate(*refDate)
	if err != nil {
		return fail(env, "%v", err)
	}
	d, err := domainOf(env, &sf)
	if err != nil {
		return fail(env, "%v", err)
	}
	if _, ok := d.reg.Latest(*instrument); !ok {
		return fail(env, "strumento sconosciuto / unknown instrument %q (%v)", *instrument, d.reg.IDs())
	}
	lines, err := readInput(env, fs.Args(), *instrument)
	if err != nil {
		return fail(env, "lettura / reading: %v", err)
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	status := 0
	for _, l := range lines {
		issues := validateLine(d, l, ref)
		if issues == nil {
			issues = []survey.Issue{}
		}
		for i := range issues {
			if issues[i].Fields == nil {
				issues[i].Fields = []string{}
			}
		}
		valid := !survey.HasErrors(issues)
		if !valid {
			status = 1
		}
		if err := enc.Encode(checkLine{Index: l.n, Valid: valid, Issues: issues}); err != nil {
			return fail(env, "scrittura / writing: %v", err)
		}
	}
	return status
}
