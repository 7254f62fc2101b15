package export

import (
	"strconv"
	"strings"

	"sinba/survey"
)

// CodebookName is the file stem of the codebook an export writes beside its
// tables (dizionario.csv), and CodebookSheet its sheet in a workbook.
const (
	CodebookName  = "dizionario"
	CodebookSheet = "Dizionario"
)

// history is what the codebook says of a variable across versions.
type history struct {
	versions string      // "1, 2": the versions that have it
	earlier  string      // "OldID (v1)": its other ids in older versions
	origin   survey.Text // merged from, merged into, dropped
}

func versionList(vs []int) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ", ")
}

// columnHistory is the history of a column of a field; none for a column of
// the record.
func columnHistory(c Column) history {
	if c.field == nil {
		return history{}
	}
	return history{versions: versionList(c.Versions), earlier: c.field.EarlierIDList(), origin: c.field.History()}
}

// codeText lists a column's value labels, code = label, with the versions of
// a code that not every version of the variable has and the labels older
// versions gave it where they differ, then the codes that say why there is
// no answer.
func codeText(c Column) string {
	var codes []string
	for _, code := range c.Codes {
		s := code.Code + " = " + code.Label.IT
		if vs, ok := c.CodeVersions[code.Code]; ok {
			s += " (v" + strings.ReplaceAll(versionList(vs), ", ", ", v") + ")"
		}
		if e, ok := c.relabelled[code.Code]; ok {
			s += " [" + e + "]"
		}
		codes = append(codes, s)
	}
	for _, code := range missingCodes(c) {
		codes = append(codes, code.Code+" = "+code.Label.IT)
	}
	return strings.Join(codes, "; ")
}

// codebookHead are the codebook's columns: variable names for the CSV file,
// bilingual headings for the sheet.
var codebookHead = []Column{
	{Name: "tabella", Label: survey.Text{IT: "Tabella", EN: "Table"}},
	{Name: "variabile", Label: survey.Text{IT: "Variabile", EN: "Variable"}},
	{Name: "campo", Label: survey.Text{IT: "Campo", EN: "Field"}},
	{Name: "etichetta", Label: survey.Text{IT: "Etichetta (it)", EN: "Label (it)"}},
	{Name: "label", Label: survey.Text{IT: "Etichetta (en)", EN: "Label (en)"}},
	{Name: "tipo", Label: survey.Text{IT: "Tipo", EN: "Type"}},
	{Name: "codici", Label: survey.Text{IT: "Codici", EN: "Codes"}},
	{Name: "elenco", Label: survey.Text{IT: "Elenco di riferimento", EN: "Reference list"}},
	{Name: "versioni", Label: survey.Text{IT: "Versioni", EN: "Versions"}},
	{Name: "nomi_precedenti", Label: survey.Text{IT: "Nomi precedenti", EN: "Earlier ids"}},
	{Name: "origine", Label: survey.Text{IT: "Origine (it)", EN: "Origin (it)"}},
	{Name: "origin", Label: survey.Text{IT: "Origine (en)", EN: "Origin (en)"}},
}

// Codebook is one table describing every variable of every table of the
// sets: its table (as tableName names it: the file stem, or the sheet of a
// workbook), name, field, labels, type, value labels, reference list, the
// versions that have it, its earlier ids and what migrations made of it.
func Codebook(sets []*Dataset, tableName func(*Table) string) *Table {
	cb := &Table{Name: CodebookName, Title: survey.Text{IT: "Dizionario delle variabili", EN: "Codebook"}}
	for _, c := range codebookHead {
		c.Kind = String
		cb.Columns = append(cb.Columns, c)
	}
	for _, d := range sets {
		for _, t := range d.Tables {
			for _, c := range t.Columns {
				kind := "numerica / numeric"
				if c.Kind == String {
					kind = "testo / text"
				}
				if c.DateFormat != "" {
					kind = "data / date " + c.DateFormat + " (ISO 8601)"
				}
				h := columnHistory(c)
				cb.Rows = append(cb.Rows, []string{tableName(t), c.Name, c.Field, oneLine(c.Label.IT), oneLine(c.Label.EN), kind,
					oneLine(codeText(c)), c.Lookup, h.versions, h.earlier, h.origin.IT, h.origin.EN})
			}
		}
	}
	cb.measure()
	return cb
}

// writeCodebook writes the codebook of the sets as dizionario.csv.
func writeCodebook(m *Manifest, dir string, sets []*Dataset) error {
	cb := Codebook(sets, func(t *Table) string { return t.Name })
	f, err := writeFile(dir, CodebookName+".csv", len(cb.Rows), cb.WriteCSV)
	if err != nil {
		return err
	}
	m.Files = append(m.Files, f)
	return nil
}
