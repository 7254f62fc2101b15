package xlsform

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"sinba/survey"
)

// row is one row of a sheet by column key: a string, an int, a float64.
type row map[string]any

// table is a sheet to write.
type table struct {
	name string
	keys []string
	rows []row
}

// columnWidths are the widths Write gives columns, in characters.
var columnWidths = map[string]float64{
	colType: 26, colName: 26, colLabelIT: 48, colLabelEN: 48, colHintIT: 40, colHintEN: 40,
	colRelevant: 36, colCalculation: 30, colRequired: 14, colRequiredIf: 30, colPattern: 20,
	colListName: 28, colListSource: 40, colTitleIT: 40, colTitleEN: 40, colDescriptionIT: 48,
	colDescriptionEN: 48, colSource: 40, colDefaultLanguage: 18, colID: 26, colFields: 30, colWhen: 36,
	colAssert: 48, colMessageIT: 48, colMessageEN: 48, colChange: 12, colField: 26, colOld: 30, colValue: 36,
}

func buildWorkbook(in *survey.Instrument) (*excelize.File, error) {
	tables := []*table{surveyTable(in), choicesTable(in), settingsTable(in), rulesTable(in), migrationsTable(in)}
	wb := excelize.NewFile()
	bold, err := wb.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEF1F5"}}})
	if err != nil {
		wb.Close()
		return nil, err
	}
	for i, t := range tables {
		if i == 0 {
			err = wb.SetSheetName(wb.GetSheetName(0), t.name)
		} else {
			_, err = wb.NewSheet(t.name)
		}
		if err == nil {
			err = writeTable(wb, t, bold)
		}
		if err != nil {
			wb.Close()
			return nil, err
		}
	}
	wb.SetActiveSheet(0)
	return wb, nil
}

func writeTable(wb *excelize.File, t *table, headerStyle int) error {
	for c, key := range t.keys {
		cell, _ := excelize.CoordinatesToCellName(c+1, 1)
		if err := wb.SetCellStr(t.name, cell, header(key)); err != nil {
			return err
		}
		col, _ := excelize.ColumnNumberToName(c + 1)
		w := columnWidths[key]
		if w == 0 {
			w = 12
		}
		if err := wb.SetColWidth(t.name, col, col, w); err != nil {
			return err
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(t.keys), 1)
	if err := wb.SetCellStyle(t.name, "A1", last, headerStyle); err != nil {
		return err
	}
	if err := wb.SetPanes(t.name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := addChoices(wb, t); err != nil {
		return err
	}
	for r, rw := range t.rows {
		for c, key := range t.keys {
			v, ok := rw[key]
			if !ok {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
			var err error
			switch x := v.(type) {
			case string:
				if x == "" {
					continue
				}
				if bad := strings.IndexFunc(x, unholdable); bad >= 0 {
					return fmt.Errorf("%s!%s: il carattere %U non può stare in un foglio di calcolo / character %U cannot go into a spreadsheet", t.name, cell, []rune(x[bad:])[0], []rune(x[bad:])[0])
				}
				x = ooxmlEscape.ReplaceAllString(x, "_x005F$0")
				if n := len(utf16.Encode([]rune(x))); n > excelize.TotalCellChars {
					// excelize would cut it short without a word.
					return fmt.Errorf("%s!%s: testo di %d caratteri, più dei %d che una cella tiene / a text of %d characters, more than the %d a cell holds",
						t.name, cell, n, excelize.TotalCellChars, n, excelize.TotalCellChars)
				}
				err = wb.SetCellStr(t.name, cell, x)
			case int:
				err = wb.SetCellInt(t.name, cell, int64(x))
			case float64:
				err = wb.SetCellFloat(t.name, cell, x, -1, 64)
			default:
				err = fmt.Errorf("cell %s: unexpected %T", cell, v)
			}
			if err != nil {
				return fmt.Errorf("%s!%s: %w", t.name, cell, err)
			}
		}
	}
	return nil
}

// dropLists are the values a column takes, offered as a drop-down list in
// the spreadsheet (the reader takes a few more spellings of yes).
var dropLists = map[string][]string{
	colRequiredSeverity: {"error", "warning"}, colNotFuture: {"yes"}, colIdentifying: {"yes"},
	colListOpen: {"yes"}, colSeverity: {"error", "warning"},
	colChange: {changeRenamed, changeMerged, changeDropped, changeDefault},
}

// dropRows is how far down the drop-down lists reach.
const dropRows = 5000

// addChoices offers the drop-down lists of t's columns.
func addChoices(wb *excelize.File, t *table) error {
	for c, key := range t.keys {
		values, ok := dropLists[key]
		if !ok {
			continue
		}
		col, _ := excelize.ColumnNumberToName(c + 1)
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("%s2:%s%d", col, col, dropRows)
		if err := dv.SetDropList(values); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleWarning, header(key), strings.Join(values, ", "))
		if err := wb.AddDataValidation(t.name, dv); err != nil {
			return err
		}
	}
	return nil
}

// unholdable reports the characters XML 1.0, and so a workbook, cannot hold.
func unholdable(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF
}

// ooxmlEscape matches what a workbook reads as an escaped character
// (_x000D_ is a carriage return): a text holding it literally has its
// underscore escaped, _x005F_.
var ooxmlEscape = regexp.MustCompile(`_x[0-9A-Fa-f]{4}_`)

// flag is the yes of a yes/no column.
func flag(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

// positive is n, or nothing when 0.
func positive(n int) any {
	if n == 0 {
		return ""
	}
	return n
}

func typeCell(q *survey.Question) string {
	switch q.Type {
	case survey.TypeSingle:
		return "select_one " + q.Codelist
	case survey.TypeMulti:
		return "select_multiple " + q.Codelist
	case survey.TypeLookup:
		return "lookup " + q.Lookup
	case survey.TypeGroup:
		return "begin repeat"
	}
	return string(q.Type)
}

func surveyTable(in *survey.Instrument) *table {
	t := &table{name: SheetSurvey}
	needRequiredIf := false
	question := func(q *survey.Question) row {
		rw := row{colType: typeCell(q), colName: q.ID, colLabelIT: q.Label.IT, colLabelEN: q.Label.EN,
			colHintIT: q.Help.IT, colHintEN: q.Help.EN, colRelevant: q.Relevant, colCalculation: q.Computed,
			colMinLength: positive(q.MinLength), colMaxLength: positive(q.MaxLength), colPattern: q.Pattern,
			colNotFuture: flag(q.NotFuture), colMinItems: positive(q.MinItems), colMaxItems: positive(q.MaxItems),
			colIdentifying: flag(q.Identifying)}
		if q.Required {
			rw[colRequired] = "yes"
		}
		if q.RequiredIf != "" {
			// XLSForm's required takes a condition; one that reads as yes or
			// no, or beside required=yes, goes to required_if.
			if _, isFlag := yes(q.RequiredIf); q.Required || isFlag {
				rw[colRequiredIf] = q.RequiredIf
				needRequiredIf = true
			} else {
				rw[colRequired] = q.RequiredIf
			}
		}
		if q.RequiredSeverity == survey.SeverityWarning {
			rw[colRequiredSeverity] = string(survey.SeverityWarning)
		}
		if q.Min != nil {
			rw[colMin] = *q.Min
		}
		if q.Max != nil {
			rw[colMax] = *q.Max
		}
		return rw
	}
	for _, s := range in.Sections {
		t.rows = append(t.rows, row{colType: "begin group", colName: s.ID, colLabelIT: s.Title.IT, colLabelEN: s.Title.EN, colRelevant: s.Relevant})
		for _, q := range s.Questions {
			t.rows = append(t.rows, question(q))
			if q.Type == survey.TypeGroup {
				for _, it := range q.Items {
					t.rows = append(t.rows, question(it))
				}
				t.rows = append(t.rows, row{colType: "end repeat"})
			}
		}
		t.rows = append(t.rows, row{colType: "end group"})
	}
	for _, k := range sheetColumns[SheetSurvey] {
		if k != colRequiredIf || needRequiredIf {
			t.keys = append(t.keys, k)
		}
	}
	return t
}

// listOrder is the code lists in the order the questions first use them,
// then those no question uses, by name.
func listOrder(in *survey.Instrument) []string {
	seen := map[string]bool{}
	var names []string
	var visit func(q *survey.Question)
	visit = func(q *survey.Question) {
		if q.Codelist != "" && !seen[q.Codelist] && in.Codelists[q.Codelist] != nil {
			seen[q.Codelist] = true
			names = append(names, q.Codelist)
		}
		for _, it := range q.Items {
			visit(it)
		}
	}
	for _, s := range in.Sections {
		for _, q := range s.Questions {
			visit(q)
		}
	}
	var rest []string
	for name := range in.Codelists {
		if !seen[name] {
			rest = append(rest, name)
		}
	}
	sort.Strings(rest)
	return append(names, rest...)
}

func choicesTable(in *survey.Instrument) *table {
	t := &table{name: SheetChoices, keys: sheetColumns[SheetChoices]}
	for _, name := range listOrder(in) {
		cl := in.Codelists[name]
		for i, c := range cl.Codes {
			rw := row{colListName: name, colName: c.Code, colLabelIT: c.Label.IT, colLabelEN: c.Label.EN}
			if i == 0 {
				rw[colListOpen] = flag(cl.Open)
				rw[colListSource] = cl.Source
			}
			t.rows = append(t.rows, rw)
		}
	}
	return t
}

func settingsTable(in *survey.Instrument) *table {
	return &table{name: SheetSettings, keys: sheetColumns[SheetSettings], rows: []row{{
		colFormID: in.ID, colVersion: in.Version, colTitleIT: in.Title.IT, colTitleEN: in.Title.EN,
		colDescriptionIT: in.Description.IT, colDescriptionEN: in.Description.EN, colSource: in.Source,
		colDefaultLanguage: "Italiano (it)",
	}}}
}

func rulesTable(in *survey.Instrument) *table {
	t := &table{name: SheetRules, keys: sheetColumns[SheetRules]}
	for _, r := range in.Rules {
		t.rows = append(t.rows, row{colID: r.ID, colSeverity: string(r.Severity), colFields: strings.Join(r.Fields, " "),
			colEach: r.Each, colWhen: r.When, colAssert: r.Assert, colMessageIT: r.Message.IT, colMessageEN: r.Message.EN})
	}
	return t
}

// valueCell writes a default so that cellValue reads it back: a text that
// would read as JSON (a number, true, "") is quoted.
func valueCell(v any) string {
	if s, ok := v.(string); ok && s != "" && !json.Valid([]byte(s)) {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func migrationsTable(in *survey.Instrument) *table {
	t := &table{name: SheetMigrations, keys: sheetColumns[SheetMigrations]}
	for _, old := range slices.Sorted(maps.Keys(in.Renamed)) {
		t.rows = append(t.rows, row{colChange: changeRenamed, colOld: old, colField: in.Renamed[old]})
	}
	for _, m := range in.Migrations {
		n := len(t.rows)
		for _, old := range slices.Sorted(maps.Keys(m.Renamed)) {
			t.rows = append(t.rows, row{colFrom: m.From, colChange: changeRenamed, colOld: old, colField: m.Renamed[old]})
		}
		for _, g := range m.Merged {
			t.rows = append(t.rows, row{colFrom: m.From, colChange: changeMerged, colField: g.Into, colOld: strings.Join(g.From, " "), colValue: g.Value})
		}
		for _, old := range m.Dropped {
			t.rows = append(t.rows, row{colFrom: m.From, colChange: changeDropped, colOld: old})
		}
		for _, id := range slices.Sorted(maps.Keys(m.Defaults)) {
			t.rows = append(t.rows, row{colFrom: m.From, colChange: changeDefault, colField: id, colValue: valueCell(m.Defaults[id])})
		}
		if len(t.rows) == n {
			t.rows = append(t.rows, row{colFrom: m.From}) // declared, with no change
		}
	}
	return t
}
