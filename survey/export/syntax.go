package export

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"sinba/survey"
)

// Limits of the labels the tools keep.
const (
	spssVarLabelBytes   = 250 // SPSS keeps 256 bytes; the line must stay short too
	spssValueLabelBytes = 120
	stataVarLabelChars  = 80
	stataDataLabelChars = 80
	stataValueLabelMax  = 32000
)

// truncBytes cuts s to at most n bytes, at a character boundary.
func truncBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func truncChars(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

// spssQuote quotes s for SPSS syntax: apostrophes doubled.
func spssQuote(s string) string {
	return "'" + strings.ReplaceAll(oneLine(s), "'", "''") + "'"
}

// stataQuote quotes s with Stata's compound quotes, which take any double
// quote inside; a backtick or dollar would start a macro and is replaced.
func stataQuote(s string) string {
	s = strings.NewReplacer("`", "'", "$", "S", "\"'", "\" '").Replace(oneLine(s))
	return "`\"" + s + "\"'"
}

func decimals(t *Table, j int) int {
	d := 0
	for _, r := range t.Rows {
		if i := strings.IndexByte(r[j], '.'); i >= 0 && len(r[j])-i-1 > d {
			d = len(r[j]) - i - 1
		}
	}
	return d
}

// writeSPS writes SPSS syntax that reads the table's CSV file from folder
// dir, with variable labels, value labels and the "not held" codes as
// user-missing values.
func writeSPS(w io.Writer, t *Table, dir string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "* Encoding: UTF-8.\n* %s: %s.\n", t.Name, oneLine(t.Title.IT))
	b.WriteString("* Legge il file CSV della stessa cartella; se la cartella viene spostata, correggere CD.\n")
	b.WriteString("* Reads the CSV file of the same folder; if the folder is moved, correct CD.\n")
	fmt.Fprintf(&b, "CD %s.\n", spssQuote(dir))
	fmt.Fprintf(&b, "GET DATA\n  /TYPE=TXT\n  /FILE=%s\n  /ENCODING='UTF8'\n  /ARRANGEMENT=DELIMITED\n  /DELCASE=LINE\n  /FIRSTCASE=2\n  /DELIMITERS=\",\"\n  /QUALIFIER='\"'\n  /VARIABLES=\n",
		spssQuote(t.Name+".csv"))
	for j, c := range t.Columns {
		format := fmt.Sprintf("A%d", min(c.Width, 32767))
		if c.Kind == Numeric {
			d := decimals(t, j)
			format = fmt.Sprintf("F%d.%d", max(8, c.Width+1), d)
		}
		fmt.Fprintf(&b, "    %s %s\n", c.Name, format)
	}
	b.WriteString(".\nVARIABLE LABELS\n")
	for j, c := range t.Columns {
		sep := "  /"
		if j == 0 {
			sep = "  "
		}
		fmt.Fprintf(&b, "%s%s %s\n", sep, c.Name, spssQuote(truncBytes(oneLine(c.Label.IT), spssVarLabelBytes)))
	}
	b.WriteString(".\n")
	first := true
	for _, c := range t.Columns {
		if len(c.Codes) == 0 && !((c.MayBeNotHeld || c.MayBeAbsent) && c.Kind == Numeric) {
			continue
		}
		if first {
			b.WriteString("VALUE LABELS\n  ")
			first = false
		} else {
			b.WriteString("  /")
		}
		b.WriteString(c.Name + "\n")
		for _, code := range c.Codes {
			v := code.Code
			if c.Kind == String {
				v = spssQuote(v)
			}
			fmt.Fprintf(&b, "    %s %s\n", v, spssQuote(truncBytes(oneLine(code.Label.IT), spssValueLabelBytes)))
		}
		for _, code := range missingCodes(c) {
			v := code.Code
			if c.Kind == String {
				v = spssQuote(v)
			}
			fmt.Fprintf(&b, "    %s %s\n", v, spssQuote(code.Label.IT))
		}
	}
	if !first {
		b.WriteString(".\n")
	}
	for j, c := range t.Columns {
		if !c.MayBeNotHeld && !c.MayBeAbsent {
			continue
		}
		if c.Kind == Numeric {
			switch {
			case c.MayBeNotHeld && c.MayBeAbsent:
				fmt.Fprintf(&b, "MISSING VALUES %s (%s THRU %s).\n", c.Name, NotInVersion, notHeldHigh)
			case c.MayBeNotHeld:
				fmt.Fprintf(&b, "MISSING VALUES %s (%s THRU %s).\n", c.Name, notHeldLow, notHeldHigh)
			default:
				fmt.Fprintf(&b, "MISSING VALUES %s (%s).\n", c.Name, NotInVersion)
			}
			continue
		}
		// SPSS takes no range and at most three values for a string
		// variable: declare the codes the column holds.
		held := stringMissing(t, j)
		declared := held[:min(len(held), 3)]
		if len(held) > 3 {
			fmt.Fprintf(&b, "* %s: variabile di testo, SPSS ammette al massimo tre valori mancanti; anche %s indicano un dato non disponibile.\n",
				c.Name, strings.Join(held[3:], ", "))
			fmt.Fprintf(&b, "* %s: a string variable takes at most three missing values in SPSS; %s also mean not held.\n",
				c.Name, strings.Join(held[3:], ", "))
		}
		quoted := make([]string, len(declared))
		for i, v := range declared {
			quoted[i] = spssQuote(v)
		}
		fmt.Fprintf(&b, "MISSING VALUES %s (%s).\n", c.Name, strings.Join(quoted, ", "))
	}
	// Measurement levels: a coded variable is nominal (no code list says
	// its order), a number scale; SPSS would guess scale for every numeric
	// code.
	b.WriteString("VARIABLE LEVEL")
	for j, c := range t.Columns {
		sep := "\n  /"
		if j == 0 {
			sep = "\n  "
		}
		fmt.Fprintf(&b, "%s%s (%s)", sep, c.Name, spssLevel(c))
	}
	b.WriteString(".\n")
	// The codebook's history of every variable, as custom attributes
	// (DISPLAY ATTRIBUTES shows them).
	var attrs []string
	for _, c := range t.Columns {
		h := columnHistory(c)
		if h.versions == "" {
			continue
		}
		a := fmt.Sprintf("VARIABLES=%s ATTRIBUTE=Versioni(%s)", c.Name, spssQuote(h.versions))
		// One attribute a line: the lines stay short.
		if h.earlier != "" {
			a += fmt.Sprintf("\n    NomiPrecedenti(%s)", spssQuote(truncBytes(h.earlier, spssValueLabelBytes)))
		}
		if h.origin.IT != "" {
			a += fmt.Sprintf("\n    Origine(%s)", spssQuote(truncBytes(h.origin.IT, spssValueLabelBytes)))
		}
		attrs = append(attrs, a)
	}
	if len(attrs) > 0 {
		fmt.Fprintf(&b, "VARIABLE ATTRIBUTE %s.\n", strings.Join(attrs, "\n  /"))
	}
	fmt.Fprintf(&b, "DATASET NAME %s.\nEXECUTE.\n", spssDatasetName(t.Name))
	_, err := io.WriteString(w, b.String())
	return err
}

// spssLevel is the measurement level of column c: NOMINAL for codes (value
// labels, a reference list, yes/no) and text, SCALE for numbers.
func spssLevel(c Column) string {
	if c.Kind == String || len(c.Codes) > 0 || c.Lookup != "" {
		return "NOMINAL"
	}
	return "SCALE"
}

// missingCodes are the codes of column c that are no answer: NotInVersion
// where a version lacks the field, then the "not held" reasons.
func missingCodes(c Column) []survey.Code {
	var out []survey.Code
	if c.MayBeAbsent {
		out = append(out, survey.Code{Code: NotInVersion, Label: notInVersionLabel})
	}
	if c.MayBeNotHeld {
		out = append(out, reasonCodes()...)
	}
	return out
}

// stringMissing returns the codes of missingCodes that string column j
// holds, in their order; the first of them alone when it holds none.
func stringMissing(t *Table, j int) []string {
	present := map[string]bool{}
	for _, r := range t.Rows {
		present[r[j]] = true
	}
	codes := missingCodes(t.Columns[j])
	var out []string
	for _, code := range codes {
		if present[code.Code] {
			out = append(out, code.Code)
		}
	}
	if len(out) == 0 {
		if t.Columns[j].MayBeNotHeld {
			return []string{NotHeld}
		}
		return []string{codes[0].Code}
	}
	return out
}

// spssDatasetName makes a dataset name of a table's name.
func spssDatasetName(name string) string {
	return names{}.name(strings.NewReplacer("-", "_", ".", "_").Replace(name))
}

// writeDo writes a Stata do-file that reads the table's CSV file from
// folder dir, with variable labels, value labels and the "not held" codes
// as the extended missing values .a to .f.
func writeDo(w io.Writer, t *Table, dir string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "* %s: %s\n", t.Name, oneLine(t.Title.IT))
	b.WriteString("* Legge il file CSV della stessa cartella; se la cartella viene spostata, correggere cd.\n")
	b.WriteString("* Reads the CSV file of the same folder; if the folder is moved, correct cd.\n")
	b.WriteString("version 14\nclear\n")
	fmt.Fprintf(&b, "cd %s\n", stataQuote(dir))
	var strCols, numCols []string
	for j, c := range t.Columns {
		if c.Kind == String {
			strCols = append(strCols, strconv.Itoa(j+1))
		} else {
			numCols = append(numCols, strconv.Itoa(j+1))
		}
	}
	fmt.Fprintf(&b, "import delimited using %s, delimiters(\",\") varnames(1) case(preserve) encoding(\"utf-8\") bindquotes(strict)", stataQuote(t.Name+".csv"))
	if len(strCols) > 0 {
		fmt.Fprintf(&b, " stringcols(%s)", strings.Join(strCols, " "))
	}
	if len(numCols) > 0 {
		fmt.Fprintf(&b, " numericcols(%s)", strings.Join(numCols, " "))
	}
	b.WriteString(" clear\n")
	fmt.Fprintf(&b, "label data %s\n", stataQuote(truncChars(oneLine(t.Title.IT), stataDataLabelChars)))
	// notes takes the rest of the line as it is: no quotes.
	var legend []string
	for _, r := range survey.NotHeldReasons {
		legend = append(legend, fmt.Sprintf("%s = %s %s", NotHeldCode(r), StataMissing(r), r.Short().IT))
	}
	fmt.Fprintf(&b, "notes _dta: dato non disponibile presso l'ufficio / not held by the office: %s (nelle variabili di testo il codice / in string variables the code)\n",
		strings.Join(legend, ", "))
	for _, c := range t.Columns {
		if c.MayBeAbsent {
			fmt.Fprintf(&b, "notes _dta: %s = %s %s / %s (nelle variabili di testo il codice / in string variables the code)\n",
				NotInVersion, StataNotInVersion, lowerFirst(notInVersionLabel.IT), lowerFirst(notInVersionLabel.EN))
			break
		}
	}
	for _, c := range t.Columns {
		fmt.Fprintf(&b, "label variable %s %s\n", c.Name, stataQuote(truncChars(oneLine(c.Label.IT), stataVarLabelChars)))
	}
	for _, c := range t.Columns {
		if c.Kind != Numeric {
			continue
		}
		var mv, missing []string
		if c.MayBeNotHeld {
			for _, r := range survey.NotHeldReasons {
				mv = append(mv, NotHeldCode(r)+"="+StataMissing(r))
				missing = append(missing, StataMissing(r)+" "+stataQuote(notHeldLabel(r).IT))
			}
		}
		if c.MayBeAbsent {
			mv = append(mv, NotInVersion+"="+StataNotInVersion)
			missing = append(missing, StataNotInVersion+" "+stataQuote(notInVersionLabel.IT))
		}
		if len(mv) > 0 {
			fmt.Fprintf(&b, "mvdecode %s, mv(%s)\n", c.Name, strings.Join(mv, " \\ "))
		}
		if len(c.Codes) == 0 && len(missing) == 0 {
			continue
		}
		var parts []string
		for _, code := range c.Codes {
			parts = append(parts, code.Code+" "+stataQuote(truncChars(oneLine(code.Label.IT), stataValueLabelMax)))
		}
		parts = append(parts, missing...)
		// One code a line, joined by ///, so a long list stays readable.
		fmt.Fprintf(&b, "label define %s %s, replace\n", c.Name, strings.Join(parts, " ///\n    "))
		fmt.Fprintf(&b, "label values %s %s\n", c.Name, c.Name)
	}
	// The codebook's history of every variable, as notes (notes list
	// shows them); notes takes the rest of the line as it is.
	for _, c := range t.Columns {
		h := columnHistory(c)
		if h.versions == "" {
			continue
		}
		note := "versioni / versions " + h.versions
		if h.earlier != "" {
			note += "; nomi precedenti / earlier ids " + h.earlier
		}
		if h.origin.IT != "" {
			note += "; " + h.origin.IT + " / " + h.origin.EN
		}
		fmt.Fprintf(&b, "notes %s: %s\n", c.Name, stataNote(note))
	}
	b.WriteString("compress\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// stataNote makes s safe as the text of a note: no macro characters, no
// quotes.
func stataNote(s string) string {
	return strings.NewReplacer("`", "'", "$", "S", "\"", "'").Replace(oneLine(s))
}

func absDir(dir string) string {
	if a, err := filepath.Abs(dir); err == nil {
		return a
	}
	return dir
}

// WriteSPSS writes, into dir (which must exist), the CSV files of every
// table and beside each an SPSS syntax file (<table>.sps) that reads it with
// variable labels, value labels and the "not held" codes (-8 to -3) declared
// missing. The syntax changes
// to dir first (CD), so it runs from anywhere until the folder is moved.
func WriteSPSS(dir string, sets ...*Dataset) (Manifest, error) {
	return writeWithSyntax(FormatSPSS, ".sps", writeSPS, dir, sets)
}

// WriteStata writes, into dir (which must exist), the CSV files of every
// table and beside each a Stata do-file (<table>.do) that reads it with
// variable labels, value labels (numeric codes) and the "not held" codes
// recoded to .a (-8) to .f (-3).
func WriteStata(dir string, sets ...*Dataset) (Manifest, error) {
	return writeWithSyntax(FormatStata, ".do", writeDo, dir, sets)
}

func writeWithSyntax(format, ext string, syntax func(io.Writer, *Table, string) error, dir string, sets []*Dataset) (Manifest, error) {
	m := newManifest(format, dir, sets)
	if err := checkDir(dir); err != nil {
		return m, err
	}
	if err := writeTables(&m, dir, sets); err != nil {
		return m, err
	}
	abs := absDir(dir)
	for _, d := range sets {
		for _, t := range d.Tables {
			f, err := writeFile(dir, t.Name+ext, 0, func(w io.Writer) error { return syntax(w, t, abs) })
			if err != nil {
				return m, err
			}
			m.Files = append(m.Files, f)
		}
	}
	return m, nil
}
