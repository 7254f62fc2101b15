package export

import (
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// maxSheetName is Excel's limit on a sheet name.
const maxSheetName = 31

// sheetNames hands out sheet names Excel accepts: at most 31 characters,
// none of : \ / ? * [ ], unique whatever the case.
type sheetNames map[string]bool

func (s sheetNames) name(table string) string {
	n := strings.TrimPrefix(table, "scheda-")
	n = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]'`, r) {
			return '_'
		}
		return r
	}, n)
	n = truncChars(n, maxSheetName)
	cand := n
	for i := 2; s[strings.ToLower(cand)]; i++ {
		suffix := "~" + strconv.Itoa(i)
		cand = truncChars(n, maxSheetName-len(suffix)) + suffix
	}
	s[strings.ToLower(cand)] = true
	return cand
}

// SheetName returns the sheet a table goes to in a workbook of these sets.
func SheetName(sets []*Dataset, table string) string {
	s := sheetNames{strings.ToLower(CodebookSheet): true}
	for _, d := range sets {
		for _, t := range d.Tables {
			if n := s.name(t.Name); t.Name == table {
				return n
			}
		}
	}
	return ""
}

// WriteXLSX writes one workbook at path (its folder must exist): a sheet per
// table (the wide table of each instrument, its long tables, its notes) and
// a codebook sheet (see Codebook). Numeric
// columns are numbers; codes that are not numbers, and reference codes with
// their leading zeros, stay text.
func WriteXLSX(path string, sets ...*Dataset) (Manifest, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	m := newManifest(FormatXLSX, filepath.Clean(dir), sets)
	if err := checkDir(dir); err != nil {
		return m, err
	}
	rows := 0
	for _, d := range sets {
		rows += d.Records
	}
	f, err := writeFile(dir, base, rows, func(w io.Writer) error { return writeWorkbook(w, sets) })
	if err != nil {
		return m, err
	}
	m.Files = append(m.Files, f)
	return m, nil
}

func writeWorkbook(w io.Writer, sets []*Dataset) error {
	wb := excelize.NewFile()
	defer wb.Close()
	bold, err := wb.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEF1F5"}}})
	if err != nil {
		return err
	}
	first := true
	sheets := sheetNames{strings.ToLower(CodebookSheet): true}
	type entry struct {
		sheet string
		t     *Table
	}
	var written []entry
	for _, d := range sets {
		for _, t := range d.Tables {
			name := sheets.name(t.Name)
			if first {
				if err := wb.SetSheetName(wb.GetSheetName(0), name); err != nil {
					return err
				}
				first = false
			} else if _, err := wb.NewSheet(name); err != nil {
				return err
			}
			if err := writeSheet(wb, name, t, bold); err != nil {
				return err
			}
			written = append(written, entry{name, t})
		}
	}
	if first {
		if err := wb.SetSheetName(wb.GetSheetName(0), CodebookSheet); err != nil {
			return err
		}
	} else if _, err := wb.NewSheet(CodebookSheet); err != nil {
		return err
	}
	sw, err := wb.NewStreamWriter(CodebookSheet)
	if err != nil {
		return err
	}
	sheetOf := map[*Table]string{}
	for _, e := range written {
		sheetOf[e.t] = e.sheet
	}
	cb := Codebook(sets, func(t *Table) string { return sheetOf[t] })
	head := make([]any, len(cb.Columns))
	for i, c := range cb.Columns {
		head[i] = c.Label.IT + " / " + c.Label.EN
	}
	head[0] = "Foglio / Sheet"
	if err := sw.SetRow("A1", styled(head, bold)); err != nil {
		return err
	}
	row := make([]any, len(cb.Columns))
	for r, values := range cb.Rows {
		for i, v := range values {
			row[i] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = wb.WriteTo(w)
	return err
}

func styled(values []any, style int) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = excelize.Cell{StyleID: style, Value: v}
	}
	return out
}

func writeSheet(wb *excelize.File, sheet string, t *Table, bold int) error {
	sw, err := wb.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = c.Name
	}
	if err := sw.SetRow("A1", styled(head, bold)); err != nil {
		return err
	}
	row := make([]any, len(t.Columns))
	for i, r := range t.Rows {
		for j, v := range r {
			row[j] = nil
			if v == "" {
				continue
			}
			if t.Columns[j].Kind == Numeric {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					row[j] = f
					continue
				}
			}
			row[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	return sw.Flush()
}
