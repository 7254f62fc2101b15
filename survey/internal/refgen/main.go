// Command refgen derives the compact reference files embedded in
// assets/reference from the sources the project keeps in ../shared/reference
// and from Debian's iso-codes package. The build never reads those sources:
// run this by hand when a source changes, review the diff and commit it.
//
//	go run ./survey/internal/refgen -shared ../shared/reference -out assets/reference
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	shared := flag.String("shared", "../shared/reference", "folder of the project's reference sources")
	out := flag.String("out", "assets/reference", "folder to write the derived files to")
	isoJSON := flag.String("iso-json", "/usr/share/iso-codes/json/iso_3166-1.json", "iso-codes JSON of ISO 3166-1")
	isoMO := flag.String("iso-mo", "/usr/share/locale/it/LC_MESSAGES/iso_3166-1.mo", "Italian translations of ISO 3166-1 names")
	flag.Parse()
	log.SetFlags(0)
	steps := []func() error{
		func() error { return municipalities(*shared, *out) },
		func() error { return regions(*shared, *out) },
		func() error { return provinces(*shared, *out) },
		func() error { return historic(*shared, *out) },
		func() error { return foreignStates(*shared, *out) },
		func() error { return countries(*isoJSON, *isoMO, *out) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			log.Fatal(err)
		}
	}
}

// writeCSV writes a ';'-separated file whose first lines are '#' comments
// carrying the provenance, then a header, then the rows.
func writeCSV(path string, provenance []string, header []string, rows [][]string) error {
	var buf bytes.Buffer
	for _, p := range provenance {
		fmt.Fprintf(&buf, "# %s\n", p)
	}
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	if err := w.Write(header); err != nil {
		return err
	}
	if err := w.WriteAll(rows); err != nil {
		return err
	}
	log.Printf("%s: %d rows", path, len(rows))
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func readCSV(path string, comma rune) ([][]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	r := csv.NewReader(bytes.NewReader(b))
	r.Comma = comma
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("%s: no data rows", path)
	}
	return rows, nil
}

func municipalities(shared, out string) error {
	rows, err := readCSV(filepath.Join(shared, "istat", "Elenco-comuni-italiani.utf8.csv"), ';')
	if err != nil {
		return err
	}
	var res [][]string
	for _, r := range rows[1:] {
		if len(r) < 20 {
			return fmt.Errorf("ISTAT row with %d columns: %q", len(r), r)
		}
		// istat code, name, Belfiore code, region code, supra-municipal unit code, car plate abbreviation
		res = append(res, []string{r[4], strings.TrimSpace(r[5]), r[19], r[0], r[1], r[14]})
	}
	return writeCSV(filepath.Join(out, "comuni.csv"), []string{
		"Comuni italiani / Italian municipalities: derived from ISTAT Elenco-comuni-italiani (snapshot 2023-11), Fonte: ISTAT (CC BY).",
		"Columns taken: Codice Comune formato alfanumerico, Denominazione (Italiana e straniera), Codice Catastale, Codice Regione, Codice UTS, Sigla automobilistica.",
	}, []string{"istat", "nome", "belfiore", "regione", "uts", "sigla"}, res)
}

func regions(shared, out string) error {
	rows, err := readCSV(filepath.Join(shared, "istat", "regioni.derived.csv"), ',')
	if err != nil {
		return err
	}
	var res [][]string
	for _, r := range rows[1:] {
		res = append(res, []string{r[0], r[1]})
	}
	return writeCSV(filepath.Join(out, "regioni.csv"), []string{
		"Regioni / Italian regions (2-digit ISTAT codes): from ISTAT Elenco-comuni-italiani (snapshot 2023-11), Fonte: ISTAT (CC BY).",
	}, []string{"codice", "nome"}, res)
}

func provinces(shared, out string) error {
	rows, err := readCSV(filepath.Join(shared, "istat", "unita_sovracomunali.derived.csv"), ',')
	if err != nil {
		return err
	}
	var res [][]string
	for _, r := range rows[1:] {
		res = append(res, []string{r[0], r[1], r[3], r[4]})
	}
	return writeCSV(filepath.Join(out, "province.csv"), []string{
		"Unita territoriali sovracomunali / provinces: from ISTAT Elenco-comuni-italiani (snapshot 2023-11), Fonte: ISTAT (CC BY).",
	}, []string{"codice", "nome", "sigla", "regione"}, res)
}

func historic(shared, out string) error {
	rows, err := readCSV(filepath.Join(shared, "anpr", "ANPR_archivio_comuni.csv"), ',')
	if err != nil {
		return err
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, want := range []string{"DATAISTITUZIONE", "DATACESSAZIONE", "CODCATASTALE", "DENOMINAZIONE_IT", "SIGLAPROVINCIA", "STATO"} {
		if _, ok := col[want]; !ok {
			return fmt.Errorf("ANPR archive: no column %s", want)
		}
	}
	seen := map[string]bool{}
	var res [][]string
	for _, r := range rows[1:] {
		row := []string{r[col["CODCATASTALE"]], r[col["DENOMINAZIONE_IT"]], r[col["SIGLAPROVINCIA"]],
			r[col["DATAISTITUZIONE"]], r[col["DATACESSAZIONE"]]}
		k := strings.Join(row, ";")
		if seen[k] {
			continue
		}
		seen[k] = true
		res = append(res, row)
	}
	sort.SliceStable(res, func(i, j int) bool {
		if res[i][0] != res[j][0] {
			return res[i][0] < res[j][0]
		}
		return res[i][3] < res[j][3]
	})
	return writeCSV(filepath.Join(out, "comuni-storici.csv"), []string{
		"Comuni italiani attivi e cessati / active and ceased Italian municipalities with validity ranges (to 9999-12-31 = still active).",
		"Derived from ANPR_archivio_comuni.csv (ANPR, Ministero dell'Interno; last update 2023-05-16) as republished in giufus/belfiore-search (MIT).",
	}, []string{"belfiore", "nome", "sigla", "dal", "al"}, res)
}

type anprCountry struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	NameAltEN   string `json:"name_alt_en"`
	DateCreated string `json:"date_created"`
	DateDeleted string `json:"date_deleted"`
}

func foreignStates(shared, out string) error {
	var all []anprCountry
	for _, f := range []string{"countries.json", "deleted-countries.json"} {
		b, err := os.ReadFile(filepath.Join(shared, "anpr", f))
		if err != nil {
			return err
		}
		var cs []anprCountry
		if err := json.Unmarshal(b, &cs); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		all = append(all, cs...)
	}
	day := func(s string) string {
		if s == "" {
			return ""
		}
		return strings.SplitN(s, "T", 2)[0]
	}
	seen := map[string]bool{}
	var res [][]string
	for _, c := range all {
		to := day(c.DateDeleted)
		if to == "" {
			to = "9999-12-31"
		}
		row := []string{c.Code, c.Name, c.NameAltEN, day(c.DateCreated), to}
		k := strings.Join(row, ";")
		if seen[k] {
			continue
		}
		seen[k] = true
		res = append(res, row)
	}
	sort.SliceStable(res, func(i, j int) bool { return res[i][0] < res[j][0] })
	return writeCSV(filepath.Join(out, "stati-esteri.csv"), []string{
		"Stati esteri con codice Belfiore (Z...) / foreign states with their Belfiore codes and validity ranges (to 9999-12-31 = not deleted).",
		"Derived from countries.json and deleted-countries.json of fabiocaccamo/python-codicefiscale (MIT; origin: ANPR decoding tables).",
	}, []string{"belfiore", "nome", "nome_en", "dal", "al"}, res)
}

func countries(isoJSON, isoMO, out string) error {
	b, err := os.ReadFile(isoJSON)
	if err != nil {
		return err
	}
	var doc struct {
		Entries []struct {
			Alpha2  string `json:"alpha_2"`
			Numeric string `json:"numeric"`
			Name    string `json:"name"`
		} `json:"3166-1"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return err
	}
	f, err := os.Open(isoMO)
	if err != nil {
		return err
	}
	defer f.Close()
	it, err := readMO(f)
	if err != nil {
		return fmt.Errorf("%s: %w", isoMO, err)
	}
	var res [][]string
	for _, e := range doc.Entries {
		nameIT := it[e.Name]
		if nameIT == "" {
			nameIT = e.Name
		}
		res = append(res, []string{e.Numeric, e.Alpha2, nameIT, e.Name})
	}
	sort.Slice(res, func(i, j int) bool { return res[i][0] < res[j][0] })
	return writeCSV(filepath.Join(out, "paesi-iso3166.csv"), []string{
		"Paesi ISO 3166-1 numerici con nomi italiani / ISO 3166-1 numeric countries with Italian and English names.",
		"Derived from Debian iso-codes 4.15.0 (iso_3166-1.json and it/iso_3166-1.mo; LGPL-2.1+).",
	}, []string{"numerico", "alpha2", "nome", "nome_en"}, res)
}

// readMO reads a GNU gettext catalogue (no plural forms are needed here).
func readMO(r io.Reader) (map[string]string, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if len(b) < 28 {
		return nil, errors.New("too short for a .mo file")
	}
	var bo binary.ByteOrder
	switch binary.LittleEndian.Uint32(b) {
	case 0x950412de:
		bo = binary.LittleEndian
	case 0xde120495:
		bo = binary.BigEndian
	default:
		return nil, errors.New("not a .mo file")
	}
	n := int(bo.Uint32(b[8:]))
	origOff := int(bo.Uint32(b[12:]))
	transOff := int(bo.Uint32(b[16:]))
	str := func(tab, i int) (string, error) {
		p := tab + 8*i
		if p+8 > len(b) {
			return "", errors.New("string table out of range")
		}
		l, o := int(bo.Uint32(b[p:])), int(bo.Uint32(b[p+4:]))
		if o+l > len(b) {
			return "", errors.New("string out of range")
		}
		return string(b[o : o+l]), nil
	}
	m := make(map[string]string, n)
	for i := 0; i < n; i++ {
		k, err := str(origOff, i)
		if err != nil {
			return nil, err
		}
		v, err := str(transOff, i)
		if err != nil {
			return nil, err
		}
		m[k] = v
	}
	return m, nil
}
