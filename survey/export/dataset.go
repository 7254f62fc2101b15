// Package export writes the pilot's records for the analysts' tools and for
// INPS: CSV, SPSS syntax and Stata do-files beside the CSV, XLSX workbooks
// and SINBA XML flows, one per Ente. Every export returns a Manifest (what
// was written, how many records, when, checksums) for the caller to log.
//
// # Layout of the data
//
// One wide table per instrument: a row per record, a column per
// single-valued question, after three record columns (scheda_id,
// scheda_comune: the ISTAT code, scheda_versione). Codes are written as
// codes; yes/no as 1/0; dates in ISO 8601: YYYY-MM-DD, and YYYY-MM for a month and
// year (SINBA's MM/YYYY); the codebook gives each date column's format.
// Multi-valued answers and repeat groups go to long tables, one row per code
// or item (scheda_id, scheda_versione, voce from 1, then the values), and
// leave in the wide table a count column named <field>_n: 0 where the
// question applies and has no code or item, empty where it does not apply. The notes and the
// "not held" marks go to a long table <instrument>.note (scheda_id,
// scheda_versione, campo, non_disponibile, motivo, nota).
//
// # Versions
//
// The records of every version of an instrument share one codebook (see
// survey.Union): a variable per field any of the exported versions had,
// under its newest id, a field renamed by a declared migration being one
// variable; the codebook (Codebook) gives each variable's versions, its
// earlier ids, the fields a merge made it of, and the versions of every code
// where the code lists changed. A record of a version that lacks a field has
// NotInVersion (-9) there, never an empty cell: SPSS declares it
// user-missing, Stata reads it as .v.
//
// Line breaks in free text become spaces, so that every row is one line.
// An empty cell is a question with no answer or that does not apply to the
// record (its answer, if any, is dropped, as in a SINBA flow). "The office
// does not hold this datum" is a negative code that says why, from -8 to -3
// (see NotHeldCode): -8 is a mark with no reason given, as every mark made
// before reasons existed. SPSS declares the codes user-missing values with
// value labels, Stata reads them as the extended missing values .a to .f,
// and the notes table repeats the reason beside the note.
//
// Identification never leaves: records pass through
// survey.StripIdentification, so exports carry the pseudonym only.
//
// Variable names are valid in SPSS and Stata alike (at most 32 characters,
// a letter first, then letters, digits and _, unique whatever the case, no
// reserved word); the SINBA attribute names are all valid already and are
// kept.
package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"sinba/survey"
)

// NotHeld is the value of an answer the office does not hold, with no
// reason given. NotHeldCode gives the value of every reason.
const NotHeld = "-8"

// NotInVersion is the value of a field in a record whose instrument
// version does not have it: neither missing nor not held. SPSS declares it
// user-missing beside the "not held" codes; Stata reads it as .v.
const NotInVersion = "-9"

// StataNotInVersion is the extended missing value of NotInVersion in Stata.
const StataNotInVersion = ".v"

// notInVersionLabel is the value label of NotInVersion.
var notInVersionLabel = survey.Text{IT: "Non presente in questa versione dello strumento", EN: "Not in this version of the instrument"}

// notHeldFirst is the code of the first reason (survey.ReasonNotGiven); the
// others follow it upwards, in the order of survey.NotHeldReasons.
const notHeldFirst = -8

// NotHeldCode is the value written for an answer the office does not hold
// for reason r: -8 (no reason given), -7 (not collected), -6 (paper only),
// -5 (another body), -4 (not applicable), -3 (other). An unknown reason
// counts as not given.
func NotHeldCode(r survey.NotHeldReason) string {
	return strconv.Itoa(notHeldFirst + max(r.Index(), 0))
}

// StataMissing is the extended missing value of reason r in Stata: .a to .f.
func StataMissing(r survey.NotHeldReason) string {
	return "." + string(rune('a'+max(r.Index(), 0)))
}

// notHeldLow and notHeldHigh bound the codes, the range SPSS declares missing.
var notHeldLow, notHeldHigh = NotHeldCode(survey.NotHeldReasons[0]), NotHeldCode(survey.NotHeldReasons[len(survey.NotHeldReasons)-1])

// notHeldLabel is the value label of the code of reason r.
func notHeldLabel(r survey.NotHeldReason) survey.Text {
	l := r.Label()
	return survey.Text{IT: "Dato non disponibile: " + lowerFirst(l.IT), EN: "Not held: " + lowerFirst(l.EN)}
}

// reasonCodes are the value labels of every "not held" code.
func reasonCodes() []survey.Code {
	codes := make([]survey.Code, len(survey.NotHeldReasons))
	for i, r := range survey.NotHeldReasons {
		codes[i] = survey.Code{Code: NotHeldCode(r), Label: notHeldLabel(r)}
	}
	return codes
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// Kind is how a column is read by the analysts' tools.
type Kind int

// The kinds of column.
const (
	Numeric Kind = iota
	String
)

// Column is one variable of a table.
type Column struct {
	Name  string      // variable name, valid in SPSS and Stata
	Field string      // question id, or "" for a column of the record
	Label survey.Text // variable label
	Kind  Kind
	Codes []survey.Code // value labels
	// Lookup names the reference list a code column draws from (too large
	// for value labels: the codebook names it).
	Lookup string
	// MayBeNotHeld says the column can hold the "not held" codes (see
	// NotHeldCode).
	MayBeNotHeld bool
	// DateFormat is the format of a date column (DateFormat or
	// MonthYearFormat), "" for any other.
	DateFormat string
	// Width is the longest value in bytes, at least 1 (the SPSS A format).
	Width int

	// Versions are the instrument versions that have the column's field
	// (none for the columns of the record). MayBeAbsent says a record of
	// a version without it holds NotInVersion there.
	Versions    []int
	MayBeAbsent bool
	// CodeVersions gives, for each code of Codes that not every version in
	// Versions has, the versions that have it.
	CodeVersions map[string][]int

	field *survey.UnionField
	// relabelled is, by code, the labels older versions gave it (see
	// survey.UnionCode.EarlierLabels).
	relabelled map[string]string
}

// Table is a rectangular set of rows, as written to one CSV file or sheet.
type Table struct {
	Name    string      // file stem: scheda-minore, scheda-minore.DettaglioInterventi
	Title   survey.Text // what a row is
	Columns []Column
	Rows    [][]string
}

// Dataset is what an instrument's records become for export: the wide table
// first, then the long tables.
type Dataset struct {
	Instrument *survey.Instrument // the newest version of Union
	Union      *survey.Union
	Records    int
	// ByVersion counts the records by their instrument version.
	ByVersion map[int]int
	Tables    []*Table
	// Omitted are the answers left out of the tables because skip logic
	// hides them, per record.
	Omitted []Omission
}

// Wide returns the wide table of the dataset.
func (d *Dataset) Wide() *Table { return d.Tables[0] }

// Table returns the table with the given name.
func (d *Dataset) Table(name string) (*Table, bool) {
	for _, t := range d.Tables {
		if t.Name == name {
			return t, true
		}
	}
	return nil, false
}

// Column returns the column with the given name.
func (t *Table) Column(name string) (int, bool) {
	for i, c := range t.Columns {
		if c.Name == name {
			return i, true
		}
	}
	return -1, false
}

// Column names of the record and of the long tables.
const (
	ColID       = "scheda_id"
	ColComune   = "scheda_comune"
	ColVersione = "scheda_versione"
	ColVoce     = "voce"
	ColCampo    = "campo"
	ColNonDisp  = "non_disponibile"
	ColMotivo   = "motivo"
	ColNota     = "nota"
	notesSuffix = "note"
)

// reserved are the words neither SPSS nor Stata accept as a variable name.
var reserved = map[string]bool{
	"all": true, "and": true, "by": true, "eq": true, "ge": true, "gt": true, "le": true, "lt": true,
	"ne": true, "not": true, "or": true, "to": true, "with": true,
	"_all": true, "_b": true, "byte": true, "_coef": true, "_cons": true, "double": true, "float": true,
	"if": true, "in": true, "int": true, "long": true, "_n": true, "_pi": true, "_pred": true, "_rc": true,
	"_skip": true, "strl": true, "using": true,
}

// MaxNameLength is the longest variable name (Stata's limit; SPSS allows 64).
const MaxNameLength = 32

// names hands out variable names unique within a table, whatever the case.
type names map[string]bool

func (n names) name(base string) string {
	var b strings.Builder
	for _, r := range base {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	s := b.String()
	if s == "" || !unicode.IsLetter(rune(s[0])) {
		s = "v" + s
	}
	if isReserved(s) {
		s += "_v"
	}
	if len(s) > MaxNameLength {
		s = s[:MaxNameLength]
	}
	cand := s
	for i := 2; n[strings.ToLower(cand)]; i++ {
		suffix := strconv.Itoa(i)
		if len(s)+len(suffix) > MaxNameLength {
			cand = s[:MaxNameLength-len(suffix)] + suffix
		} else {
			cand = s + suffix
		}
	}
	n[strings.ToLower(cand)] = true
	return cand
}

func isReserved(s string) bool {
	l := strings.ToLower(s)
	if reserved[l] {
		return true
	}
	// Stata's str1 ... str2045
	if strings.HasPrefix(l, "str") {
		if _, err := strconv.Atoi(l[3:]); err == nil {
			return true
		}
	}
	return false
}

// numericCodes reports whether every code is a whole number without leading
// zeros, so the column can be numeric and carry value labels in Stata.
func numericCodes(codes []survey.Code) bool {
	if len(codes) == 0 {
		return false
	}
	for _, c := range codes {
		n, err := strconv.Atoi(c.Code)
		if err != nil || strconv.Itoa(n) != c.Code || len(c.Code) > 9 {
			return false
		}
	}
	return true
}

// column describes the column of a question.
func column(in *survey.Instrument, q *survey.Question, name string) Column {
	c := Column{Name: name, Field: q.ID, Label: q.Label, Kind: String}
	switch q.Type {
	case survey.TypeInteger, survey.TypeDecimal:
		c.Kind = Numeric
	case survey.TypeYesNo:
		c.Kind = Numeric
		c.Codes = []survey.Code{{Code: "1", Label: survey.Text{IT: "Sì", EN: "Yes"}}, {Code: "0", Label: survey.Text{IT: "No", EN: "No"}}}
	case survey.TypeSingle, survey.TypeMulti:
		if cl := in.Codelist(q); cl != nil {
			c.Codes = cl.Codes
			if numericCodes(cl.Codes) {
				c.Kind = Numeric
			}
		}
	case survey.TypeLookup:
		c.Lookup = q.Lookup
	case survey.TypeDate:
		c.DateFormat = DateFormat
	case survey.TypeMonthYear:
		c.DateFormat = MonthYearFormat
	}
	return c
}

// unionColumn describes the column of a field across the versions of u: the
// newest version's question, numeric only if every version's is, one set of
// value labels with every code any version had. within are the versions the
// column is read in (the dataset's, or a group's for its items).
func unionColumn(u *survey.Union, f *survey.UnionField, name string, within []int) Column {
	in, _ := u.Version(f.Versions[len(f.Versions)-1])
	c := column(in, f.Question(), name)
	c.Field = f.ID
	c.field = f
	c.Versions = f.Versions
	c.MayBeAbsent = len(f.Versions) < len(within)
	for _, v := range f.Versions[:len(f.Versions)-1] {
		vin, _ := u.Version(v)
		q, _ := f.In(v)
		if column(vin, q, name).Kind == String {
			c.Kind = String
		}
	}
	if q := f.Question(); q.Type == survey.TypeSingle || q.Type == survey.TypeMulti {
		codes := u.Codes(f)
		c.Codes = make([]survey.Code, len(codes))
		for i, uc := range codes {
			c.Codes[i] = uc.Code
			if len(uc.Versions) < len(f.Versions) {
				if c.CodeVersions == nil {
					c.CodeVersions = map[string][]int{}
				}
				c.CodeVersions[uc.Code.Code] = uc.Versions
			}
			if e := uc.EarlierLabels(); e != "" {
				if c.relabelled == nil {
					c.relabelled = map[string]string{}
				}
				c.relabelled[uc.Code.Code] = e
			}
		}
		if c.Kind == Numeric && !numericCodes(c.Codes) {
			c.Kind = String
		}
	}
	return c
}

func countColumn(q *survey.Question, name string) Column {
	return Column{Name: name, Field: q.ID, Kind: Numeric, MayBeNotHeld: true,
		Label: survey.Text{IT: q.Label.IT + " (numero)", EN: q.Label.In("en") + " (count)"}}
}

// cell writes an answer as text.
func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return oneLine(x)
	case bool:
		if x {
			return "1"
		}
		return "0"
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// The date formats of the tables: ISO 8601, a full date as the record keeps
// it, a month and year (SINBA's MM/YYYY) at month precision, so every date
// column sorts and reads the same way.
const (
	DateFormat      = "AAAA-MM-GG"
	MonthYearFormat = "AAAA-MM"
)

// answerCell writes the answer v to question q as text: a month and year
// MM/YYYY as YYYY-MM (see MonthYearFormat); anything else as cell does.
func answerCell(q *survey.Question, v any) string {
	if s, ok := v.(string); ok && q.Type == survey.TypeMonthYear {
		if m, y, ok := strings.Cut(s, "/"); ok && len(m) == 2 && len(y) == 4 {
			return y + "-" + m
		}
	}
	return cell(v)
}

// oneLine turns line breaks into spaces: SPSS reads one case per line, even
// inside quotes.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}

// fieldNames names the variables of fields in a table: the fields of the
// newest version take their ids first (with suffix, as <field>_n); a field
// only older versions had whose id a newer one took is <id>_v<its newest
// version>.
func fieldNames(n names, fields []*survey.UnionField, newest int, suffix string) map[*survey.UnionField]string {
	out := map[*survey.UnionField]string{}
	for _, f := range fields {
		if f.Versions[len(f.Versions)-1] == newest {
			out[f] = n.name(f.ID + suffix)
		}
	}
	for _, f := range fields {
		if _, ok := out[f]; ok {
			continue
		}
		base := f.ID + suffix
		if n[strings.ToLower(base)] {
			base = fmt.Sprintf("%s_v%d%s", f.ID, f.Versions[len(f.Versions)-1], suffix)
		}
		out[f] = n.name(base)
	}
	return out
}

// NewDataset lays out the records of instrument u.ID (other instruments'
// records are left out) in one codebook for the versions of u: a column per
// field any of them had (see survey.Union), each record read in its own
// version, with NotInVersion where that version lacks the field. A record of
// a version u does not cover is read in the newest by field id.
// Identification is stripped.
func NewDataset(u *survey.Union, recs []survey.Record) *Dataset {
	in := u.Latest()
	all := u.VersionNumbers()
	d := &Dataset{Instrument: in, Union: u, ByVersion: map[int]int{}}
	wideNames := names{}
	wide := &Table{Name: in.ID, Title: in.Title}
	idCol := Column{Name: wideNames.name(ColID), Label: survey.Text{IT: "Identificativo della scheda", EN: "Record identifier"}, Kind: String}
	comCol := Column{Name: wideNames.name(ColComune), Label: survey.Text{IT: "Comune (codice ISTAT)", EN: "Municipality (ISTAT code)"}, Kind: String, Lookup: survey.ListMunicipalities}
	verCol := Column{Name: wideNames.name(ColVersione), Label: survey.Text{IT: "Versione dello strumento", EN: "Instrument version"}, Kind: Numeric}
	wide.Columns = []Column{idCol, comCol, verCol}
	d.Tables = append(d.Tables, wide)
	wideCol := map[*survey.UnionField]int{}
	longs := map[*survey.UnionField]*Table{}
	var scalar, counted []*survey.UnionField
	for _, f := range u.Fields {
		if t := f.Question().Type; t == survey.TypeMulti || t == survey.TypeGroup {
			counted = append(counted, f)
		} else {
			scalar = append(scalar, f)
		}
	}
	// Names in two passes that give the same result as one in page order
	// when the newest version has every field.
	plain := fieldNames(wideNames, scalar, in.Version, "")
	counts := fieldNames(wideNames, counted, in.Version, "_n")
	for _, f := range u.Fields {
		q := f.Question()
		switch q.Type {
		case survey.TypeMulti, survey.TypeGroup:
			wideCol[f] = len(wide.Columns)
			cc := countColumn(q, counts[f])
			cc.Field, cc.field, cc.Versions, cc.MayBeAbsent = f.ID, f, f.Versions, len(f.Versions) < len(all)
			wide.Columns = append(wide.Columns, cc)
			ln := names{}
			lt := &Table{Name: in.ID + "." + f.ID, Title: q.Label, Columns: []Column{
				{Name: ln.name(ColID), Label: idCol.Label, Kind: String},
				{Name: ln.name(ColVersione), Label: verCol.Label, Kind: Numeric},
				{Name: ln.name(ColVoce), Label: survey.Text{IT: "Numero della voce", EN: "Item number"}, Kind: Numeric},
			}}
			if q.Type == survey.TypeMulti {
				lt.Columns = append(lt.Columns, unionColumn(u, f, ln.name(f.ID), f.Versions))
			} else {
				items := fieldNames(ln, f.Items, f.Versions[len(f.Versions)-1], "")
				for _, it := range f.Items {
					lt.Columns = append(lt.Columns, unionColumn(u, it, items[it], f.Versions))
				}
			}
			longs[f] = lt
			d.Tables = append(d.Tables, lt)
		default:
			wideCol[f] = len(wide.Columns)
			c := unionColumn(u, f, plain[f], all)
			c.MayBeNotHeld = true
			wide.Columns = append(wide.Columns, c)
		}
	}
	nn := names{}
	notes := &Table{Name: in.ID + "." + notesSuffix, Title: survey.Text{IT: "Note e dati non disponibili", EN: "Notes and data not held"},
		Columns: []Column{
			{Name: nn.name(ColID), Label: idCol.Label, Kind: String},
			{Name: nn.name(ColVersione), Label: verCol.Label, Kind: Numeric},
			{Name: nn.name(ColCampo), Label: survey.Text{IT: "Campo (nome più recente)", EN: "Field (newest id)"}, Kind: String},
			{Name: nn.name(ColNonDisp), Label: survey.Text{IT: "Dato non disponibile presso l'ufficio", EN: "Not held by the office"}, Kind: Numeric,
				Codes: []survey.Code{{Code: "1", Label: survey.Text{IT: "Sì", EN: "Yes"}}, {Code: "0", Label: survey.Text{IT: "No", EN: "No"}}}},
			{Name: nn.name(ColMotivo), Label: survey.Text{IT: "Motivo per cui il dato non è disponibile", EN: "Why the datum is not held"}, Kind: Numeric,
				Codes: reasonCodes()},
			{Name: nn.name(ColNota), Label: survey.Text{IT: "Nota", EN: "Note"}, Kind: String},
		}}
	d.Tables = append(d.Tables, notes)

	for i := range recs {
		rec := recs[i]
		if rec.Instrument == "" {
			rec.Instrument = survey.InstrumentCase
		}
		if rec.Instrument != u.ID {
			continue
		}
		rin := u.For(&rec)
		rec = survey.StripIdentification(rin, copyRecord(rec))
		if rec.Version == 0 {
			rec.Version = rin.Version
		}
		d.Records++
		d.ByVersion[rec.Version]++
		ver := strconv.Itoa(rec.Version)
		ans, _ := survey.Normalize(rin, rec.Answers)
		rel := survey.Relevance(rin, &rec, time.Now())
		row := make([]string, len(wide.Columns))
		row[0], row[1], row[2] = rec.ID, rec.Municipality, ver
		var omitted []string
		for _, f := range u.Fields {
			j := wideCol[f]
			q, ok := f.In(rin.Version)
			if !ok {
				row[j] = NotInVersion
				continue
			}
			v := ans[q.ID]
			has := rel[q.ID] && survey.Answered(v)
			if !rel[q.ID] && survey.Answered(v) {
				omitted = append(omitted, q.ID)
			}
			if !has {
				if r, nh := rec.Meta[q.ID].NotHeldBecause(); rel[q.ID] && nh {
					row[j] = NotHeldCode(r)
				} else if rel[q.ID] && (q.Type == survey.TypeMulti || q.Type == survey.TypeGroup) {
					// A count where the question applies: no code
					// chosen, no item given is 0, not a missing answer.
					row[j] = "0"
				}
				continue
			}
			switch q.Type {
			case survey.TypeMulti:
				codes, _ := v.([]any)
				row[j] = strconv.Itoa(len(codes))
				lt := longs[f]
				for k, c := range codes {
					lt.Rows = append(lt.Rows, []string{rec.ID, ver, strconv.Itoa(k + 1), cell(c)})
				}
			case survey.TypeGroup:
				items, _ := v.([]any)
				row[j] = strconv.Itoa(len(items))
				lt := longs[f]
				for k, it := range items {
					m, _ := it.(map[string]any)
					lr := []string{rec.ID, ver, strconv.Itoa(k + 1)}
					for _, itf := range f.Items {
						if iq, ok := itf.In(rin.Version); ok {
							lr = append(lr, answerCell(iq, m[iq.ID]))
						} else {
							lr = append(lr, NotInVersion)
						}
					}
					lt.Rows = append(lt.Rows, lr)
				}
			default:
				row[j] = answerCell(q, v)
			}
		}
		wide.Rows = append(wide.Rows, row)
		if len(omitted) > 0 {
			d.Omitted = append(d.Omitted, Omission{RecordID: rec.ID, Municipality: rec.Municipality, Fields: omitted})
		}
		metaKeys := make([]string, 0, len(rec.Meta))
		for k := range rec.Meta {
			metaKeys = append(metaKeys, k)
		}
		sort.Strings(metaKeys)
		for _, k := range metaKeys {
			m := rec.Meta[k]
			note := strings.TrimSpace(m.Note)
			if !m.NotHeld && note == "" {
				continue
			}
			nd, why := "0", ""
			if r, nh := m.NotHeldBecause(); nh {
				nd, why = "1", NotHeldCode(r)
			}
			notes.Rows = append(notes.Rows, []string{rec.ID, ver, newestPath(u, rin.Version, k), nd, why, oneLine(note)})
		}
	}
	for _, t := range d.Tables {
		t.measure()
	}
	return d
}

// newestPath is the path of a record's meta key (F, or G[n].F inside a
// repeat group) in version v, with the fields' newest ids.
func newestPath(u *survey.Union, v int, key string) string {
	if f, ok := u.Field(v, key); ok {
		return f.ID
	}
	open, shut := strings.IndexByte(key, '['), strings.Index(key, "].")
	if open < 0 || shut < open {
		return key
	}
	g, ok := u.Field(v, key[:open])
	if !ok {
		return key
	}
	item := key[shut+2:]
	if it, ok := g.Item(v, item); ok {
		item = it.ID
	}
	return g.ID + key[open:shut+2] + item
}

// copyRecord copies the maps StripIdentification and Upgrade may change.
func copyRecord(rec survey.Record) survey.Record {
	ans := make(survey.Answers, len(rec.Answers))
	for k, v := range rec.Answers {
		ans[k] = v
	}
	rec.Answers = ans
	if rec.Meta != nil {
		meta := make(map[string]survey.FieldMeta, len(rec.Meta))
		for k, v := range rec.Meta {
			meta[k] = v
		}
		rec.Meta = meta
	}
	return rec
}

// measure sets the width of every column and makes a numeric column that
// holds anything else a string one (an answer that could not be normalised).
func (t *Table) measure() {
	for j := range t.Columns {
		c := &t.Columns[j]
		c.Width = 1
		if c.MayBeNotHeld || c.MayBeAbsent {
			c.Width = len(notHeldLow) // a string column must hold the codes
		}
		for _, r := range t.Rows {
			v := r[j]
			if len(v) > c.Width {
				c.Width = len(v)
			}
			if c.Kind == Numeric && v != "" {
				if _, err := strconv.ParseFloat(v, 64); err != nil {
					c.Kind = String
					c.Codes = nil
				}
			}
		}
	}
}

// WriteCSV writes the table as CSV (RFC 4180, UTF-8, comma, a header row of
// variable names).
func (t *Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = c.Name
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range t.Rows {
		if err := cw.Write(r); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// CSV writes the wide table of the records of u's instrument to w: one row
// per record. The long tables (multi-valued answers, repeat groups, notes)
// are written by WriteCSV.
func CSV(w io.Writer, u *survey.Union, recs []survey.Record) error {
	return NewDataset(u, recs).Wide().WriteCSV(w)
}

// Datasets lays out recs by instrument, in the order of the registry's ids:
// one dataset per instrument, in one codebook for the versions its records
// have and its newest (see NewDataset), so variables keep the newest names
// whichever records are exported.
func Datasets(reg *survey.Registry, recs []survey.Record) []*Dataset {
	byID := map[string][]survey.Record{}
	for _, r := range recs {
		id := r.Instrument
		if id == "" {
			id = survey.InstrumentCase
		}
		byID[id] = append(byID[id], r)
	}
	var out []*Dataset
	for _, id := range reg.IDs() {
		latest, ok := reg.Latest(id)
		if !ok || len(byID[id]) == 0 {
			continue
		}
		versions := []int{latest.Version}
		for _, r := range byID[id] {
			r.Instrument = id
			if in, err := reg.ForRecord(&r); err == nil && !slices.Contains(versions, in.Version) {
				versions = append(versions, in.Version)
			}
		}
		u, err := reg.Union(id, versions...)
		if err != nil {
			continue
		}
		out = append(out, NewDataset(u, byID[id]))
	}
	return out
}
