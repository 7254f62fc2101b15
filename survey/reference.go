package survey

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// Names of the reference lists a lookup question can name.
const (
	ListMunicipalities = "comuni"         // active Italian municipalities by ISTAT code
	ListRegions        = "regioni"        // regions by 2-digit ISTAT code
	ListProvinces      = "province"       // supra-municipal units by ISTAT code
	ListCountries      = "paesi"          // countries by ISO 3166-1 numeric code, with 990
	ListBirthplaces    = "luoghi-nascita" // Belfiore codes: municipalities active and ceased, foreign states
)

// CountryNotAvailable is the country code SINBA uses for "not available"
// (Allegato C: "990 - non disponibile").
const CountryNotAvailable = "990"

// Reference files, as assets/reference holds them (see its PROVENANCE.md).
const (
	fileMunicipalities = "comuni.csv"
	fileRegions        = "regioni.csv"
	fileProvinces      = "province.csv"
	fileHistoric       = "comuni-storici.csv"
	fileForeign        = "stati-esteri.csv"
	fileCountries      = "paesi-iso3166.csv"
)

// Municipality is an active Italian municipality.
type Municipality struct {
	ISTAT    string // 6-digit ISTAT code
	Name     string
	Belfiore string // cadastral code, 4 characters
	Region   string // 2-digit ISTAT region code
	Province string // ISTAT code of the supra-municipal unit
	Plate    string // car plate abbreviation (TO, MI, ...)
}

// Place is a Belfiore code with a name over a validity range: a municipality
// (active or ceased) or a foreign state. From and To are YYYY-MM-DD; To is
// 9999-12-31 for a place still in existence.
type Place struct {
	Belfiore string
	Name     string
	Province string // plate abbreviation; "EE" for foreign states
	From, To string
	Foreign  bool
}

// Reference is the reference data: ISTAT municipalities, regions and
// provinces, ANPR historic municipalities and foreign states, ISO countries.
type Reference struct {
	lists          map[string]*LookupList
	municipalities map[string]Municipality // by ISTAT code
	byBelfiore     map[string]Municipality // active, by Belfiore code
	places         map[string][]Place      // by Belfiore code, oldest first
}

// LoadReference reads the reference files from fsys, at its root or in a
// reference/ folder.
func LoadReference(fsys fs.FS) (*Reference, error) {
	read := func(name string) ([][]string, error) {
		b, err := fs.ReadFile(fsys, path.Join("reference", name))
		if err != nil {
			var err2 error
			if b, err2 = fs.ReadFile(fsys, name); err2 != nil {
				return nil, fmt.Errorf("reference data: %w", err)
			}
		}
		r := csv.NewReader(bytes.NewReader(b))
		r.Comma = ';'
		r.Comment = '#'
		r.ReuseRecord = false
		var rows [][]string
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("reference data %s: %w", name, err)
			}
			rows = append(rows, rec)
		}
		if len(rows) < 2 {
			return nil, fmt.Errorf("reference data %s: no rows", name)
		}
		return rows[1:], nil // without the header
	}
	ref := &Reference{lists: map[string]*LookupList{}, municipalities: map[string]Municipality{},
		byBelfiore: map[string]Municipality{}, places: map[string][]Place{}}

	rows, err := read(fileMunicipalities)
	if err != nil {
		return nil, err
	}
	var entries []Entry
	for _, r := range rows {
		if len(r) != 6 {
			return nil, fmt.Errorf("reference data %s: row %q: want 6 columns", fileMunicipalities, r)
		}
		m := Municipality{ISTAT: r[0], Name: r[1], Belfiore: r[2], Region: r[3], Province: r[4], Plate: r[5]}
		ref.municipalities[m.ISTAT] = m
		ref.byBelfiore[m.Belfiore] = m
		entries = append(entries, Entry{Code: m.ISTAT, Label: Text{IT: m.Name}, Detail: m.Plate})
	}
	sortEntries(entries)
	ref.lists[ListMunicipalities] = newLookupList(ListMunicipalities, entries)

	for _, f := range []struct{ file, list string }{{fileRegions, ListRegions}, {fileProvinces, ListProvinces}} {
		rows, err := read(f.file)
		if err != nil {
			return nil, err
		}
		entries = nil
		for _, r := range rows {
			e := Entry{Code: r[0], Label: Text{IT: r[1]}}
			if len(r) > 2 {
				e.Detail = r[2]
			}
			entries = append(entries, e)
		}
		ref.lists[f.list] = newLookupList(f.list, entries)
	}

	rows, err = read(fileCountries)
	if err != nil {
		return nil, err
	}
	entries = []Entry{{Code: CountryNotAvailable, Label: Text{IT: "Non disponibile", EN: "Not available"}}}
	var countries []Entry
	for _, r := range rows {
		if len(r) != 4 {
			return nil, fmt.Errorf("reference data %s: row %q: want 4 columns", fileCountries, r)
		}
		countries = append(countries, Entry{Code: r[0], Label: Text{IT: r[2], EN: r[3]}, Detail: r[1]})
	}
	sortEntries(countries)
	ref.lists[ListCountries] = newLookupList(ListCountries, append(entries, countries...))

	entries = nil
	for _, f := range []string{fileHistoric, fileForeign} {
		rows, err := read(f)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if len(r) != 5 {
				return nil, fmt.Errorf("reference data %s: row %q: want 5 columns", f, r)
			}
			p := Place{Belfiore: r[0], Name: r[1], Province: r[2], From: r[3], To: r[4], Foreign: f == fileForeign}
			label := Text{IT: p.Name}
			if p.Foreign {
				label.EN = r[2]
				p.Province = "EE"
			}
			ref.places[p.Belfiore] = append(ref.places[p.Belfiore], p)
			detail := p.Province
			if p.To != "9999-12-31" {
				detail += fmt.Sprintf(", %s – %s", italianDate(p.From), italianDate(p.To))
			}
			entries = append(entries, Entry{Code: p.Belfiore, Label: label, Detail: detail})
		}
	}
	for _, ps := range ref.places {
		sort.Slice(ps, func(i, j int) bool { return ps[i].From < ps[j].From })
	}
	// Places still in existence first, so Get returns the current name.
	sort.SliceStable(entries, func(i, j int) bool {
		ci, cj := strings.Contains(entries[i].Detail, " – "), strings.Contains(entries[j].Detail, " – ")
		if ci != cj {
			return !ci
		}
		return Fold(entries[i].Label.IT) < Fold(entries[j].Label.IT)
	})
	ref.lists[ListBirthplaces] = newLookupList(ListBirthplaces, entries)
	return ref, nil
}

func sortEntries(e []Entry) {
	sort.SliceStable(e, func(i, j int) bool { return Fold(e[i].Label.IT) < Fold(e[j].Label.IT) })
}

// List returns the named reference list, or nil.
func (r *Reference) List(name string) *LookupList {
	if r == nil {
		return nil
	}
	return r.lists[name]
}

// Names returns the names of the reference lists.
func (r *Reference) Names() []string {
	if r == nil {
		return nil
	}
	var n []string
	for k := range r.lists {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// Municipality returns the active municipality with the given ISTAT code.
func (r *Reference) Municipality(istat string) (Municipality, bool) {
	m, ok := r.municipalities[istat]
	return m, ok
}

// MunicipalityByBelfiore returns the active municipality with the given
// Belfiore code.
func (r *Reference) MunicipalityByBelfiore(code string) (Municipality, bool) {
	m, ok := r.byBelfiore[strings.ToUpper(code)]
	return m, ok
}

// Places returns every validity range of a Belfiore code, oldest first.
func (r *Reference) Places(belfiore string) []Place {
	return r.places[strings.ToUpper(belfiore)]
}

// PlaceOn returns the place a Belfiore code stood for on day d. When the code
// is known but not valid on d, it returns ok=false and the known ranges.
func (r *Reference) PlaceOn(belfiore string, d time.Time) (p Place, ok bool, known []Place) {
	known = r.Places(belfiore)
	day := d.Format("2006-01-02")
	for _, k := range known {
		if k.From <= day && day <= k.To {
			return k, true, known
		}
	}
	return Place{}, false, known
}
