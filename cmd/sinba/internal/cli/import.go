package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"sinba/localdb"
	"sinba/localdb/registry"
	"sinba/survey"
)

func init() {
	register(&Command{
		Name:  "import",
		Usage: "--data DIR [--instrument ID] [--actor NOME] [--passphrase-file FILE] FILE.jsonl|FILE.csv",
		Short: "importa record esistenti (JSON Lines o CSV con intestazione di id di campo) / imports existing records (JSON Lines, or CSV with a header of field ids)",
		Run:   runImport,
	})
}

// importRow is one record read from the file, with where it came from.
type importRow struct {
	line   int
	rec    survey.Record
	status survey.Status
}

// readJSONLines reads one record per line with the reader of sinba check
// and sinba flow, so that import takes every record they take.
func readJSONLines(r io.Reader) ([]importRow, error) {
	lines, err := readRecords(r, "")
	var rows []importRow
	var errs []error
	for _, l := range lines {
		if l.err != nil {
			errs = append(errs, fmt.Errorf("riga / line %d: %v", l.n, l.err))
			continue
		}
		rows = append(rows, importRow{line: l.n, rec: l.rec, status: l.status})
	}
	if err != nil {
		errs = append(errs, err)
	}
	return rows, errors.Join(errs...)
}

// The CSV columns that are not answers. identity.* hold the child's
// identification; FIELD.note and FIELD.not_held the pilot's per-field notes.
var csvRecordColumns = map[string]bool{"id": true, "instrument": true, "version": true, "municipality": true, "status": true}

// readCSV reads a CSV whose header names field ids. Empty cells are left
// unanswered; a cell of several values separated by "|" becomes a list
// (repeatable fields such as CodicePrestazione). Cells are read as text here;
// completeRows then brings each answer to the form its question stores
// (numbers, yes/no, codes as strings).
func readCSV(r io.Reader) ([]importRow, error) {
	// Excel saves CSV with ';' in Italian locales: guess from the header.
	br := bufio.NewReader(r)
	first, _ := br.Peek(4096)
	cr := csv.NewReader(br)
	if line, _, _ := bytes.Cut(first, []byte("\n")); bytes.Count(line, []byte(";")) > bytes.Count(line, []byte(",")) {
		cr.Comma = ';'
	}
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("intestazione CSV illeggibile / unreadable CSV header: %v", err)
	}
	for i := range header {
		header[i] = strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff"))
	}
	var rows []importRow
	var errs []error
	for {
		cells, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		line, _ := cr.FieldPos(0)
		row := importRow{line: line, rec: survey.Record{Answers: survey.Answers{}}}
		if err := fillCSVRow(&row, header, cells); err != nil {
			errs = append(errs, fmt.Errorf("riga / line %d: %v", line, err))
			continue
		}
		rows = append(rows, row)
	}
	return rows, errors.Join(errs...)
}

func fillCSVRow(row *importRow, header, cells []string) error {
	rec := &row.rec
	for i, col := range header {
		if i >= len(cells) {
			break
		}
		v := strings.TrimSpace(cells[i])
		if v == "" || col == "" {
			continue
		}
		switch {
		case csvRecordColumns[col]:
			switch col {
			case "id":
				rec.ID = v
			case "instrument":
				rec.Instrument = v
			case "municipality":
				rec.Municipality = v
			case "status":
				row.status = survey.Status(v)
			case "version":
				n, err := strconv.Atoi(v)
				if err != nil {
					return fmt.Errorf("version %q non è un numero / is not a number", v)
				}
				rec.Version = n
			}
		case strings.HasPrefix(col, "identity."):
			if rec.Identity == nil {
				rec.Identity = &survey.Identity{}
			}
			id := rec.Identity
			switch strings.TrimPrefix(col, "identity.") {
			case "surname":
				id.Surname = v
			case "name":
				id.Name = v
			case "sex":
				id.Sex = strings.ToUpper(v)
			case "birth_date":
				id.BirthDate = v
			case "birth_place":
				id.BirthPlace = v
			case "fiscal_code":
				id.FiscalCode = v
			default:
				return fmt.Errorf("colonna sconosciuta / unknown column %q", col)
			}
		case strings.HasSuffix(col, ".note"), strings.HasSuffix(col, ".not_held"):
			field, kind, _ := strings.Cut(col, ".")
			if rec.Meta == nil {
				rec.Meta = map[string]survey.FieldMeta{}
			}
			m := rec.Meta[field]
			if kind == "note" {
				m.Note = v
			} else {
				b, err := parseBool(v)
				if err != nil {
					return fmt.Errorf("%s: %v", col, err)
				}
				m.NotHeld = b
			}
			rec.Meta[field] = m
		case strings.Contains(v, "|"):
			var list []any
			for _, p := range strings.Split(v, "|") {
				if p = strings.TrimSpace(p); p != "" {
					list = append(list, p)
				}
			}
			rec.Answers[col] = list
		default:
			rec.Answers[col] = v
		}
	}
	return nil
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true", "si", "sì", "s", "yes", "y", "x":
		return true, nil
	case "0", "false", "no", "n":
		return false, nil
	}
	return false, fmt.Errorf("%q non è sì/no / is not yes/no", v)
}

func runImport(env Env, args []string) int {
	fs := newFlagSet(env, command("import"))
	var sf storeFlags
	sf.add(fs, env)
	instrument := fs.String("instrument", survey.InstrumentCase, "strumento dei record che non lo indicano, come per sinba check / instrument of records that do not name one, as for sinba check")
	actor := fs.String("actor", "import", "chi importa, per il registro delle attività / who imports, for the audit trail")
	if st, ok := parseFlags(fs, args); !ok {
		return st
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return fail(env, "non riesco ad aprire / cannot open %s: %v", path, err)
	}
	defer f.Close()
	var rows []importRow
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		rows, err = readCSV(f)
	case ".jsonl", ".ndjson", ".json":
		rows, err = readJSONLines(f)
	default:
		return fail(env, "formato sconosciuto: usa un file .jsonl o .csv / unknown format: use a .jsonl or .csv file")
	}
	if err != nil {
		return fail(env, "%s non importato, nulla è stato scritto / not imported, nothing was written:\n%v", path, err)
	}
	ctx := context.Background()
	st, set, err := sf.openWithRegistry(ctx, env)
	if err != nil {
		return fail(env, "%v", err)
	}
	defer st.Close()
	// Nothing is written unless the whole file reads: a half-imported file
	// is harder to put right than a rejected one.
	if err := completeRows(set, rows, *instrument); err != nil {
		return fail(env, "%s non importato, nulla è stato scritto / not imported, nothing was written:\n%v", path, err)
	}
	var created, updated, same int
	for _, row := range rows {
		kind, err := importOne(ctx, st, row, *actor)
		if err != nil {
			printImported(env, created, updated, same)
			return fail(env, "riga / line %d: %v\nLe righe precedenti sono salvate: correggi e importa di nuovo il file, non si duplicano. / The earlier lines are saved: fix and import the file again, they do not duplicate.", row.line, err)
		}
		switch kind {
		case "new":
			created++
		case "updated":
			updated++
		default:
			same++
		}
	}
	if err := st.Close(); err != nil {
		return fail(env, "%v", err)
	}
	printImported(env, created, updated, same)
	return 0
}

// printImported says what an import did, with the words agreeing with the
// numbers ("1 nuovo", "2 nuovi").
func printImported(env Env, created, updated, same int) {
	fmt.Fprintf(env.Stdout, "Importati / imported: %s / new, %s / updated, %s / unchanged\n",
		count(created, "nuovo", "nuovi"), count(updated, "aggiornato", "aggiornati"), count(same, "invariato", "invariati"))
}

func completeRows(set *registry.Set, rows []importRow, instrument string) error {
	var errs []error
	for i := range rows {
		r := &rows[i]
		if r.rec.Instrument == "" {
			r.rec.Instrument = instrument
		}
		if r.rec.Instrument == "" {
			errs = append(errs, fmt.Errorf("riga / line %d: manca lo strumento: passa --instrument / the instrument is missing: pass --instrument", r.line))
		}
		if r.status == "" {
			r.status = survey.StatusDraft
		}
		if !r.status.Valid() {
			errs = append(errs, fmt.Errorf("riga / line %d: stato sconosciuto / unknown status %q", r.line, r.status))
		} else if r.status.Decision() {
			errs = append(errs, fmt.Errorf("riga / line %d: lo stato %q è una decisione del coordinamento: importare le schede come draft o final / "+
				"the status %q is a coordinators' decision: import the records as draft or final", r.line, r.status, r.status))
		}
		if r.rec.Answers == nil {
			r.rec.Answers = survey.Answers{}
		}
		if r.rec.Instrument == "" {
			continue
		}
		// Answers are stored as their questions define them, whatever the
		// file's own typing ("2012" in a CSV is the number 2012); a value
		// that cannot be read refuses the file rather than being kept wrong.
		// A record that names no version is made with the one new records
		// take: the newest published that the store has received.
		in, err := set.Registry.ForRecord(&r.rec)
		if r.rec.Version == 0 {
			if cur, _, ok := set.ForNew(r.rec.Instrument); ok {
				in, err = cur, nil
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("riga / line %d: %v", r.line, err))
			continue
		}
		r.rec.Version = in.Version
		ans, issues := survey.Normalize(in, r.rec.Answers)
		for _, is := range issues {
			errs = append(errs, fmt.Errorf("riga / line %d: %s / %s", r.line, is.MessageIT, is.MessageEN))
		}
		r.rec.Answers = ans
	}
	return errors.Join(errs...)
}

// importOne saves a row as a new record, or as a new revision of the record
// it already is (same id, or the same child by codice fiscale or pseudonym),
// and skips it when nothing changed: importing a file twice adds nothing.
func importOne(ctx context.Context, st *localdb.Store, row importRow, actor string) (string, error) {
	rec := row.rec
	if rec.ID == "" {
		if key := identityKey(&rec); key != "" {
			found, err := st.Lookup(ctx, key)
			if err != nil {
				return "", err
			}
			for _, info := range found {
				if info.Instrument == rec.Instrument {
					rec.ID = info.ID
					break
				}
			}
		}
	}
	kind := "new"
	if rec.ID != "" {
		cur, info, err := st.Get(ctx, rec.ID)
		switch {
		case err == nil:
			if sameRecord(&cur, &rec) && info.Status == row.status {
				return "same", nil
			}
			kind = "updated"
		case !errors.Is(err, localdb.ErrNotFound):
			return "", err
		}
	}
	_, err := st.Save(ctx, rec, localdb.SaveOptions{Status: row.status, Actor: actor})
	return kind, err
}

func identityKey(rec *survey.Record) string {
	if rec.Identity != nil && rec.Identity.FiscalCode != "" {
		return rec.Identity.FiscalCode
	}
	if p, ok := rec.Answers[localdb.PseudonymField].(string); ok {
		return p
	}
	return ""
}

// sameRecord compares two records through their JSON, which is how they are
// stored; numbers compare by their text.
func sameRecord(a, b *survey.Record) bool {
	ca, cb := *a, *b
	ca.ID, cb.ID = "", ""
	ja, err1 := json.Marshal(ca)
	jb, err2 := json.Marshal(cb)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}
