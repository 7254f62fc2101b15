package xlsform

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"sinba/survey"
)

// maxErrors bounds the problems reported: past that, the workbook needs a
// look as a whole, not a longer list.
const maxErrors = 100

// maxRows bounds the rows of a sheet: the case record has a few hundred.
const maxRows = 20000

var (
	idPattern         = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	instrumentPattern = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
)

// reader is the state of one Read.
type reader struct {
	ref    *survey.Reference
	errs   Errors
	sheets map[string]*sheet

	in *survey.Instrument

	// Where things were read, for the errors found later.
	sectionRow  map[string]int
	questionRow map[string]int // top-level id, or group.item
	listRow     map[string]int
	ruleRow     map[string]int
	migRow      map[int]int // from -> first row
	renamedRow  map[string]int
	defaultRow  map[string]int // "from:field"

	exprs []exprCell
}

// exprCell is an expression read from a cell, compiled once every question
// is known.
type exprCell struct {
	s      *sheet
	row    int
	col    string
	src    string
	group  *survey.Question // its items are in scope too
	asBool bool
	syntax bool // a migration's merge value: checked for syntax only here
}

// sheet is one sheet's cells by row and column key.
type sheet struct {
	name  string
	rows  [][]string
	cols  map[string]int
	heads []string // the header as written, by column index
}

// get returns the cell of row r (0-based; row 0 is the header) in the column
// key, or "".
func (s *sheet) get(r int, key string) string {
	c, ok := s.cols[key]
	if !ok || r >= len(s.rows) || c >= len(s.rows[r]) {
		return ""
	}
	return s.rows[r][c]
}

// word is the cell trimmed: for names, keywords and numbers.
func (s *sheet) word(r int, key string) string { return strings.TrimSpace(s.get(r, key)) }

// blank reports whether row r has nothing in it.
func (s *sheet) blank(r int) bool {
	if r >= len(s.rows) {
		return true
	}
	for _, v := range s.rows[r] {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// add records a problem; past maxErrors, one more says the list stops.
func (rd *reader) add(e *Error) {
	switch {
	case len(rd.errs) < maxErrors:
		rd.errs = append(rd.errs, e)
	case len(rd.errs) == maxErrors:
		rd.errs = append(rd.errs, &Error{Message: survey.Text{
			IT: fmt.Sprintf("più di %d problemi: l'elenco si ferma qui", maxErrors),
			EN: fmt.Sprintf("more than %d problems: the list stops here", maxErrors)}})
	}
}

func (rd *reader) fail(s *sheet, r int, key string, it, en string) {
	e := &Error{Sheet: s.name, Row: r + 1, Message: survey.Text{IT: it, EN: en}}
	if r < 0 {
		e.Row = 0
	}
	if key != "" {
		e.Column = key
		if c, ok := s.cols[key]; ok {
			if h := s.heads[c]; h != "" {
				e.Column = h
			}
			if e.Row > 0 {
				e.Cell, _ = excelize.CoordinatesToCellName(c+1, e.Row)
			}
		}
	}
	rd.add(e)
}

func (rd *reader) failFile(it, en string) {
	rd.add(&Error{Message: survey.Text{IT: it, EN: en}})
}

// readWorkbook reads every sheet, builds the instrument, and has
// survey.ParseInstrument check it. The reader says where things were read.
func readWorkbook(wb *excelize.File, ref *survey.Reference) (*survey.Instrument, *reader, error) {
	rd := &reader{
		ref: ref, sheets: map[string]*sheet{},
		sectionRow: map[string]int{}, questionRow: map[string]int{}, listRow: map[string]int{},
		ruleRow: map[string]int{}, migRow: map[int]int{}, renamedRow: map[string]int{}, defaultRow: map[string]int{},
		in: &survey.Instrument{Codelists: map[string]*survey.Codelist{}, Sections: []*survey.Section{}, Rules: []*survey.Rule{}},
	}
	for _, name := range wb.GetSheetList() {
		key := strings.ToLower(strings.TrimSpace(name))
		rows, err := wb.GetRows(name, excelize.Options{RawCellValue: true})
		if err != nil {
			rd.failFile(fmt.Sprintf("foglio %q non leggibile: %v", name, err), fmt.Sprintf("cannot read sheet %q: %v", name, err))
			continue
		}
		if _, ours := sheetColumns[key]; !ours {
			if !strings.HasPrefix(key, "#") && !emptyRows(rows) {
				rd.failFile(fmt.Sprintf("foglio %q sconosciuto: i fogli sono survey, choices, settings, rules e migrations (un foglio di appunti ha un nome che comincia con #)", name),
					fmt.Sprintf("unknown sheet %q: the sheets are survey, choices, settings, rules and migrations (a sheet of notes has a name starting with #)", name))
			}
			continue
		}
		if rd.sheets[key] != nil {
			rd.failFile(fmt.Sprintf("il foglio %s compare due volte", key), fmt.Sprintf("sheet %s appears twice", key))
			continue
		}
		if len(rows) > maxRows {
			rd.failFile(fmt.Sprintf("foglio %s: più di %d righe", key, maxRows), fmt.Sprintf("sheet %s: more than %d rows", key, maxRows))
			continue
		}
		rd.sheets[key] = rd.readHeader(key, name, rows)
	}
	missing := false
	for _, need := range []string{SheetSettings, SheetSurvey} {
		if rd.sheets[need] == nil {
			missing = true
			rd.failFile(fmt.Sprintf("manca il foglio %s", need), fmt.Sprintf("the %s sheet is missing", need))
		}
	}
	if missing {
		return nil, rd, rd.errs
	}
	rd.readSettings()
	rd.readChoices()
	rd.readSurvey()
	rd.readRules()
	rd.readMigrations()
	rd.compileExprs()
	if len(rd.errs) > 0 {
		rd.sortErrors()
		return nil, rd, rd.errs
	}
	data, err := json.Marshal(rd.in)
	if err != nil {
		return nil, rd, Errors{{Message: survey.Text{IT: "strumento non scrivibile: " + err.Error(), EN: "cannot write the instrument: " + err.Error()}}}
	}
	in, err := survey.ParseInstrument(data, ref)
	if err != nil {
		return nil, rd, Errors{rd.locate(err)}
	}
	return in, rd, nil
}

// questionCell is where question id (a top-level id, or group.item) was
// read: its name cell, "survey!B14"; "" when there is none.
func (rd *reader) questionCell(id string) string {
	r, ok := rd.questionRow[id]
	s := rd.sheets[SheetSurvey]
	if !ok || s == nil {
		return ""
	}
	e := &Error{Sheet: s.name, Row: r + 1}
	if c, ok := s.cols[colName]; ok {
		e.Cell, _ = excelize.CoordinatesToCellName(c+1, r+1)
	}
	return e.Where()
}

// sortErrors puts the errors in sheet and row order, the file's first.
func (rd *reader) sortErrors() {
	order := map[string]int{"": 0, SheetSurvey: 1, SheetChoices: 2, SheetSettings: 3, SheetRules: 4, SheetMigrations: 5}
	for key, s := range rd.sheets {
		order[s.name] = order[key]
	}
	errs := rd.errs
	if len(errs) > maxErrors {
		errs = errs[:maxErrors] // the last says the list stops
	}
	sort.SliceStable(errs, func(i, j int) bool {
		a, b := errs[i], errs[j]
		if order[a.Sheet] != order[b.Sheet] {
			return order[a.Sheet] < order[b.Sheet]
		}
		return a.Row < b.Row
	})
}

func emptyRows(rows [][]string) bool {
	for _, r := range rows {
		for _, v := range r {
			if strings.TrimSpace(v) != "" {
				return false
			}
		}
	}
	return true
}

// readHeader reads the header row of an instrument sheet and refuses
// columns the sheet does not have (a misspelt column would be lost).
func (rd *reader) readHeader(key, name string, rows [][]string) *sheet {
	s := &sheet{name: name, rows: rows, cols: map[string]int{}}
	if len(rows) == 0 {
		return s
	}
	allowed := map[string]bool{}
	for _, k := range sheetColumns[key] {
		allowed[k] = true
	}
	s.heads = make([]string, len(rows[0]))
	copy(s.heads, rows[0])
	for c, h := range rows[0] {
		if strings.TrimSpace(h) == "" {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(c+1, 1)
		col, lang := columnKey(h)
		switch {
		case lang != "":
			rd.add(&Error{Sheet: name, Row: 1, Cell: cell, Column: h, Message: survey.Text{
				IT: fmt.Sprintf("lingua %q: gli strumenti sono in italiano (it) e inglese (en)", lang),
				EN: fmt.Sprintf("language %q: instruments are in Italian (it) and English (en)", lang)}})
		case !allowed[col]:
			rd.add(&Error{Sheet: name, Row: 1, Cell: cell, Column: h, Message: survey.Text{
				IT: fmt.Sprintf("colonna sconosciuta nel foglio %s (le colonne sono: %s)", name, headers(key)),
				EN: fmt.Sprintf("unknown column in the %s sheet (the columns are: %s)", name, headers(key))}})
		default:
			if _, dup := s.cols[col]; dup {
				rd.add(&Error{Sheet: name, Row: 1, Cell: cell, Column: h, Message: survey.Text{
					IT: "colonna ripetuta", EN: "column repeated"}})
				continue
			}
			s.cols[col] = c
		}
	}
	// A value under no header would be lost.
	for r := 1; r < len(rows); r++ {
		for c, v := range rows[r] {
			if strings.TrimSpace(v) != "" && (c >= len(rows[0]) || strings.TrimSpace(rows[0][c]) == "") {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				rd.add(&Error{Sheet: name, Row: r + 1, Cell: cell, Message: survey.Text{
					IT: "valore in una colonna senza intestazione", EN: "a value in a column without a header"}})
				break
			}
		}
	}
	return s
}

func headers(name string) string {
	var h []string
	for _, k := range sheetColumns[name] {
		h = append(h, header(k))
	}
	return strings.Join(h, ", ")
}

// yes reads a yes/no cell; ok is false for anything else.
func yes(v string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "no", "false", "falso", "0":
		return false, true
	case "yes", "true", "vero", "sì", "si", "1":
		return true, true
	}
	return false, false
}

func (rd *reader) yesCell(s *sheet, r int, key string) bool {
	v, ok := yes(s.get(r, key))
	if !ok {
		rd.fail(s, r, key, fmt.Sprintf("%q: serve yes oppure niente", s.word(r, key)), fmt.Sprintf("%q: yes or nothing is expected", s.word(r, key)))
	}
	return v
}

// intCell reads a whole number of at least lo; blank is 0.
func (rd *reader) intCell(s *sheet, r int, key string, lo int) int {
	v := s.word(r, key)
	if v == "" {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f != math.Trunc(f) || f < float64(lo) || f > 1e9 {
		rd.fail(s, r, key, fmt.Sprintf("%q: serve un numero intero da %d in su", v, lo), fmt.Sprintf("%q: a whole number from %d up is expected", v, lo))
		return 0
	}
	return int(f)
}

// floatCell reads a number; blank is nil.
func (rd *reader) floatCell(s *sheet, r int, key string) *float64 {
	v := s.word(r, key)
	if v == "" {
		return nil
	}
	f, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		rd.fail(s, r, key, fmt.Sprintf("%q: serve un numero", v), fmt.Sprintf("%q: a number is expected", v))
		return nil
	}
	return &f
}

func (rd *reader) readSettings() {
	s := rd.sheets[SheetSettings]
	var row = -1
	for r := 1; r < len(s.rows); r++ {
		if s.blank(r) {
			continue
		}
		if row >= 0 {
			rd.fail(s, r, "", "il foglio settings ha una sola riga di valori, sotto l'intestazione", "the settings sheet has one row of values, under the header")
			break
		}
		row = r
	}
	if row < 0 {
		rd.fail(s, 1, "", "manca la riga dei valori (form_id, version, form_title...) sotto l'intestazione",
			"the row of values (form_id, version, form_title...) under the header is missing")
		return
	}
	in := rd.in
	in.ID = s.word(row, colFormID)
	if !instrumentPattern.MatchString(in.ID) {
		rd.fail(s, row, colFormID, fmt.Sprintf("%q: lettere minuscole, cifre e trattini, a cominciare da una lettera", in.ID),
			fmt.Sprintf("%q: lowercase letters, digits and dashes, starting with a letter", in.ID))
	}
	if s.word(row, colVersion) == "" {
		rd.fail(s, row, colVersion, "manca la versione (1, 2, ...)", "the version (1, 2, ...) is missing")
	}
	in.Version = rd.intCell(s, row, colVersion, 1)
	in.Title = survey.Text{IT: s.get(row, colTitleIT), EN: s.get(row, colTitleEN)}
	if strings.TrimSpace(in.Title.IT) == "" {
		rd.fail(s, row, colTitleIT, "manca il titolo in italiano", "the Italian title is missing")
	}
	in.Description = survey.Text{IT: s.get(row, colDescriptionIT), EN: s.get(row, colDescriptionEN)}
	in.Source = s.get(row, colSource)
	if l := s.word(row, colDefaultLanguage); l != "" {
		if k, _ := columnKey("label::" + l); k != "label::it" {
			rd.fail(s, row, colDefaultLanguage, fmt.Sprintf("%q: la lingua principale degli strumenti è l'italiano, Italiano (it)", l),
				fmt.Sprintf("%q: the main language of instruments is Italian, Italiano (it)", l))
		}
	}
}

func (rd *reader) readChoices() {
	s := rd.sheets[SheetChoices]
	if s == nil {
		return
	}
	type pending struct {
		list string
		row  int
	}
	var noLabel []pending
	openRow := map[string]int{}
	sourceRow := map[string]int{}
	for r := 1; r < len(s.rows); r++ {
		if s.blank(r) {
			continue
		}
		name := s.word(r, colListName)
		if name == "" {
			rd.fail(s, r, colListName, "manca il nome dell'elenco", "the list name is missing")
			continue
		}
		if !idPattern.MatchString(name) {
			rd.fail(s, r, colListName, fmt.Sprintf("%q: lettere, cifre e _, a cominciare da una lettera", name),
				fmt.Sprintf("%q: letters, digits and _, starting with a letter", name))
			continue
		}
		cl := rd.in.Codelists[name]
		if cl == nil {
			cl = &survey.Codelist{}
			rd.in.Codelists[name] = cl
			rd.listRow[name] = r
		}
		if v := s.word(r, colListOpen); v != "" {
			open := rd.yesCell(s, r, colListOpen)
			if prev, ok := openRow[name]; ok && open != cl.Open {
				rd.fail(s, r, colListOpen, fmt.Sprintf("l'elenco %s è già detto diversamente alla riga %d", name, prev+1),
					fmt.Sprintf("list %s is already marked otherwise at row %d", name, prev+1))
			}
			cl.Open = open
			openRow[name] = r
		}
		if v := s.get(r, colListSource); strings.TrimSpace(v) != "" {
			if prev, ok := sourceRow[name]; ok && v != cl.Source {
				rd.fail(s, r, colListSource, fmt.Sprintf("l'elenco %s ha già un'altra fonte alla riga %d", name, prev+1),
					fmt.Sprintf("list %s already has another source at row %d", name, prev+1))
			}
			cl.Source = v
			sourceRow[name] = r
		}
		code := s.word(r, colName)
		if code == "" {
			rd.fail(s, r, colName, "manca il codice (name)", "the code (name) is missing")
			continue
		}
		for _, c := range cl.Codes {
			if c.Code == code {
				rd.fail(s, r, colName, fmt.Sprintf("il codice %q compare due volte nell'elenco %s", code, name),
					fmt.Sprintf("code %q appears twice in list %s", code, name))
			}
		}
		label := survey.Text{IT: s.get(r, colLabelIT), EN: s.get(r, colLabelEN)}
		if strings.TrimSpace(label.IT) == "" {
			noLabel = append(noLabel, pending{name, r})
		}
		cl.Codes = append(cl.Codes, survey.Code{Code: code, Label: label})
	}
	// An open list may have codes without a published label.
	for _, p := range noLabel {
		if !rd.in.Codelists[p.list].Open {
			rd.fail(s, p.row, colLabelIT, "manca l'etichetta in italiano (solo un elenco aperto, list_open, ammette codici senza etichetta)",
				"the Italian label is missing (only an open list, list_open, allows codes without a label)")
		}
	}
}

// The question types of the type column, with the XLSForm spelling first.
var questionTypes = map[string]survey.QuestionType{
	"text": survey.TypeText, "integer": survey.TypeInteger, "decimal": survey.TypeDecimal,
	"date": survey.TypeDate, "monthyear": survey.TypeMonthYear, "month_year": survey.TypeMonthYear,
	"yesno": survey.TypeYesNo, "yes_no": survey.TypeYesNo,
	"select_one": survey.TypeSingle, "select_multiple": survey.TypeMulti, "lookup": survey.TypeLookup,
}

// sectionColumns are those a begin group row may fill.
var sectionColumns = map[string]bool{colType: true, colName: true, colLabelIT: true, colLabelEN: true, colRelevant: true}

func (rd *reader) readSurvey() {
	s := rd.sheets[SheetSurvey]
	var (
		sec      *survey.Section
		secRow   int
		group    *survey.Question
		groupRow int
		used     = map[string]int{} // code list -> first row using it
	)
	top := map[string]int{}
	for r := 1; r < len(s.rows); r++ {
		if s.blank(r) {
			continue
		}
		typ := s.word(r, colType)
		if typ == "" {
			rd.fail(s, r, colType, "manca il tipo (text, integer, select_one ELENCO, begin group...)", "the type (text, integer, select_one LIST, begin group...) is missing")
			continue
		}
		words := strings.Fields(strings.ToLower(typ))
		kind, args := words[0], words[1:]
		if (kind == "begin" || kind == "end") && len(args) > 0 {
			kind, args = kind+"_"+args[0], args[1:]
		}
		orig := strings.Fields(typ)[len(strings.Fields(typ))-len(args):] // list names keep their case
		switch kind {
		case "begin_group":
			if len(args) > 0 {
				rd.fail(s, r, colType, "begin group non prende altro: il nome della sezione va nella colonna name", "begin group takes nothing more: the section's name goes in the name column")
			}
			if group != nil {
				rd.fail(s, r, colType, fmt.Sprintf("una sezione dentro il gruppo ripetuto %s (riga %d): manca end repeat", group.ID, groupRow+1),
					fmt.Sprintf("a section inside repeat group %s (row %d): end repeat is missing", group.ID, groupRow+1))
				group = nil
			}
			if sec != nil {
				rd.fail(s, r, colType, fmt.Sprintf("le sezioni non si annidano: manca end group della sezione %s (riga %d)", sec.ID, secRow+1),
					fmt.Sprintf("sections do not nest: end group of section %s (row %d) is missing", sec.ID, secRow+1))
			}
			for key := range s.cols {
				if !sectionColumns[key] && strings.TrimSpace(s.get(r, key)) != "" {
					rd.fail(s, r, key, "una sezione ha solo name, label e relevant", "a section has only name, label and relevant")
				}
			}
			sec = &survey.Section{ID: s.word(r, colName), Title: survey.Text{IT: s.get(r, colLabelIT), EN: s.get(r, colLabelEN)}, Relevant: s.get(r, colRelevant)}
			secRow = r
			if !idPattern.MatchString(sec.ID) {
				rd.fail(s, r, colName, fmt.Sprintf("nome della sezione %q: lettere, cifre e _, a cominciare da una lettera", sec.ID),
					fmt.Sprintf("section name %q: letters, digits and _, starting with a letter", sec.ID))
			} else if prev, dup := rd.sectionRow[sec.ID]; dup {
				rd.fail(s, r, colName, fmt.Sprintf("la sezione %s c'è già alla riga %d", sec.ID, prev+1), fmt.Sprintf("section %s is already at row %d", sec.ID, prev+1))
			} else {
				rd.sectionRow[sec.ID] = r
			}
			if strings.TrimSpace(sec.Title.IT) == "" {
				rd.fail(s, r, colLabelIT, "manca il titolo della sezione in italiano", "the section's Italian title is missing")
			}
			rd.expr(s, r, colRelevant, sec.Relevant, nil, true)
			rd.in.Sections = append(rd.in.Sections, sec)
		case "end_group":
			rd.endRow(s, r)
			switch {
			case group != nil:
				rd.fail(s, r, colType, fmt.Sprintf("end group dentro il gruppo ripetuto %s (riga %d): serve prima end repeat", group.ID, groupRow+1),
					fmt.Sprintf("end group inside repeat group %s (row %d): end repeat comes first", group.ID, groupRow+1))
				group = nil
			case sec == nil:
				rd.fail(s, r, colType, "end group senza begin group", "end group without begin group")
				continue
			}
			if len(sec.Questions) == 0 {
				rd.fail(s, secRow, colName, fmt.Sprintf("la sezione %s non ha domande", sec.ID), fmt.Sprintf("section %s has no questions", sec.ID))
			}
			sec = nil
		case "end_repeat":
			rd.endRow(s, r)
			if group == nil {
				rd.fail(s, r, colType, "end repeat senza begin repeat", "end repeat without begin repeat")
				continue
			}
			if len(group.Items) == 0 {
				rd.fail(s, groupRow, colName, fmt.Sprintf("il gruppo ripetuto %s non ha domande", group.ID), fmt.Sprintf("repeat group %s has no questions", group.ID))
			}
			group = nil
		default:
			q := rd.question(s, r, kind, args, orig, used)
			if q == nil {
				continue
			}
			if sec == nil {
				rd.fail(s, r, colType, "domanda fuori da una sezione: prima serve begin group", "a question outside any section: begin group comes first")
				continue
			}
			if group != nil {
				if q.Type == survey.TypeGroup {
					rd.fail(s, r, colType, fmt.Sprintf("un gruppo ripetuto dentro il gruppo ripetuto %s (riga %d) non è previsto", group.ID, groupRow+1),
						fmt.Sprintf("a repeat group inside repeat group %s (row %d) is not supported", group.ID, groupRow+1))
					continue
				}
				for _, it := range group.Items {
					if it.ID == q.ID {
						rd.fail(s, r, colName, fmt.Sprintf("%s c'è già nel gruppo ripetuto %s (riga %d)", q.ID, group.ID, rd.questionRow[group.ID+"."+q.ID]+1),
							fmt.Sprintf("%s is already in repeat group %s (row %d)", q.ID, group.ID, rd.questionRow[group.ID+"."+q.ID]+1))
					}
				}
				if _, ok := rd.questionRow[group.ID+"."+q.ID]; !ok {
					rd.questionRow[group.ID+"."+q.ID] = r
				}
				group.Items = append(group.Items, q)
				rd.questionExprs(s, r, q, group)
				continue
			}
			if prev, dup := top[q.ID]; dup && q.ID != "" {
				rd.fail(s, r, colName, fmt.Sprintf("il nome %s c'è già alla riga %d", q.ID, prev+1), fmt.Sprintf("name %s is already at row %d", q.ID, prev+1))
			} else {
				top[q.ID] = r
				rd.questionRow[q.ID] = r
			}
			sec.Questions = append(sec.Questions, q)
			rd.questionExprs(s, r, q, nil)
			if q.Type == survey.TypeGroup {
				group, groupRow = q, r
			}
		}
	}
	if group != nil {
		rd.fail(s, groupRow, colType, fmt.Sprintf("begin repeat %s senza end repeat", group.ID), fmt.Sprintf("begin repeat %s without end repeat", group.ID))
	}
	if sec != nil {
		rd.fail(s, secRow, colType, fmt.Sprintf("begin group %s senza end group", sec.ID), fmt.Sprintf("begin group %s without end group", sec.ID))
	}
	if len(rd.in.Sections) == 0 && len(rd.errs) == 0 {
		rd.fail(s, -1, "", "nessuna sezione: le domande stanno tra begin group ed end group", "no sections: questions go between begin group and end group")
	}
	// Items whose expressions name the group's items need the items known:
	// scopes are fixed once the sheet is read, in compileExprs.
	if c := rd.sheets[SheetChoices]; c != nil {
		for name, cl := range rd.in.Codelists {
			if _, ok := used[name]; !ok && len(cl.Codes) == 0 {
				rd.fail(c, rd.listRow[name], colListName, fmt.Sprintf("l'elenco %s non ha codici", name), fmt.Sprintf("list %s has no codes", name))
			}
		}
	}
}

// endRow refuses what an end row cannot hold.
func (rd *reader) endRow(s *sheet, r int) {
	for key := range s.cols {
		if key != colType && key != colName && strings.TrimSpace(s.get(r, key)) != "" {
			rd.fail(s, r, key, "una riga end ha solo il tipo (e, se si vuole, il nome)", "an end row has only its type (and, if wanted, the name)")
		}
	}
}

// question reads a question row (a begin repeat row included).
func (rd *reader) question(s *sheet, r int, kind string, args, orig []string, used map[string]int) *survey.Question {
	q := &survey.Question{ID: s.word(r, colName)}
	switch kind {
	case "begin_repeat":
		q.Type = survey.TypeGroup
		if len(args) > 0 {
			rd.fail(s, r, colType, "begin repeat non prende altro: il nome del gruppo va nella colonna name", "begin repeat takes nothing more: the group's name goes in the name column")
		}
	default:
		t, ok := questionTypes[kind]
		if !ok {
			rd.fail(s, r, colType, fmt.Sprintf("tipo %q sconosciuto (text, integer, decimal, date, monthyear, yesno, select_one ELENCO, select_multiple ELENCO, lookup ELENCO, begin group, begin repeat...)", s.word(r, colType)),
				fmt.Sprintf("unknown type %q (text, integer, decimal, date, monthyear, yesno, select_one LIST, select_multiple LIST, lookup LIST, begin group, begin repeat...)", s.word(r, colType)))
			// The question stays, so that what names it is not reported too.
		}
		q.Type = t
		needsList := t == survey.TypeSingle || t == survey.TypeMulti || t == survey.TypeLookup
		switch {
		case needsList && len(args) != 1:
			rd.fail(s, r, colType, fmt.Sprintf("%s vuole il nome di un elenco: %s ELENCO", kind, kind), fmt.Sprintf("%s takes the name of a list: %s LIST", kind, kind))
		case !needsList && len(args) > 0:
			rd.fail(s, r, colType, fmt.Sprintf("%s non prende un elenco", kind), fmt.Sprintf("%s takes no list", kind))
		case t == survey.TypeLookup:
			q.Lookup = orig[0]
			if rd.ref == nil {
				rd.fail(s, r, colType, "una domanda lookup richiede i dati di riferimento", "a lookup question needs the reference data")
			} else if rd.ref.List(q.Lookup) == nil {
				rd.fail(s, r, colType, fmt.Sprintf("elenco di riferimento %q sconosciuto (ci sono: %s)", q.Lookup, strings.Join(rd.ref.Names(), ", ")),
					fmt.Sprintf("unknown reference list %q (there are: %s)", q.Lookup, strings.Join(rd.ref.Names(), ", ")))
			}
		case needsList:
			q.Codelist = orig[0]
			if rd.in.Codelists[q.Codelist] == nil {
				rd.fail(s, r, colType, fmt.Sprintf("l'elenco %q non è nel foglio choices", q.Codelist), fmt.Sprintf("list %q is not in the choices sheet", q.Codelist))
			} else if _, ok := used[q.Codelist]; !ok {
				used[q.Codelist] = r
			}
		}
	}
	switch {
	case q.ID == "":
		rd.fail(s, r, colName, "manca il nome (name)", "the name is missing")
	case !idPattern.MatchString(q.ID):
		rd.fail(s, r, colName, fmt.Sprintf("%q: lettere, cifre e _, a cominciare da una lettera", q.ID), fmt.Sprintf("%q: letters, digits and _, starting with a letter", q.ID))
	}
	q.Label = survey.Text{IT: s.get(r, colLabelIT), EN: s.get(r, colLabelEN)}
	if strings.TrimSpace(q.Label.IT) == "" {
		rd.fail(s, r, colLabelIT, "manca l'etichetta in italiano", "the Italian label is missing")
	}
	q.Help = survey.Text{IT: s.get(r, colHintIT), EN: s.get(r, colHintEN)}
	if req := s.get(r, colRequired); strings.TrimSpace(req) != "" {
		if v, ok := yes(req); ok {
			q.Required = v
		} else {
			q.RequiredIf = req // XLSForm: required is yes or a condition
		}
	}
	if v := s.get(r, colRequiredIf); strings.TrimSpace(v) != "" {
		if q.RequiredIf != "" {
			rd.fail(s, r, colRequiredIf, "la condizione è già nella colonna required", "the condition is already in the required column")
		}
		q.RequiredIf = v
	}
	switch v := strings.ToLower(s.word(r, colRequiredSeverity)); v {
	case "", "error":
	case "warning":
		q.RequiredSeverity = survey.SeverityWarning
	default:
		rd.fail(s, r, colRequiredSeverity, fmt.Sprintf("%q: serve error o warning", v), fmt.Sprintf("%q: error or warning is expected", v))
	}
	q.Relevant = s.get(r, colRelevant)
	q.Computed = s.get(r, colCalculation)
	q.Min = rd.floatCell(s, r, colMin)
	q.Max = rd.floatCell(s, r, colMax)
	if q.Min != nil && q.Max != nil && *q.Min > *q.Max {
		rd.fail(s, r, colMax, "max è minore di min", "max is below min")
	}
	q.MinLength = rd.intCell(s, r, colMinLength, 0)
	q.MaxLength = rd.intCell(s, r, colMaxLength, 0)
	if q.MaxLength > 0 && q.MinLength > q.MaxLength {
		rd.fail(s, r, colMaxLength, "max_length è minore di min_length", "max_length is below min_length")
	}
	q.Pattern = s.get(r, colPattern)
	if q.Pattern != "" {
		if _, err := regexp.Compile(`^(?:` + q.Pattern + `)$`); err != nil {
			rd.fail(s, r, colPattern, "espressione regolare non valida: "+err.Error(), "bad regular expression: "+err.Error())
		}
	}
	q.NotFuture = rd.yesCell(s, r, colNotFuture)
	q.MinItems = rd.intCell(s, r, colMinItems, 0)
	q.MaxItems = rd.intCell(s, r, colMaxItems, 0)
	if q.Type != survey.TypeGroup {
		for _, key := range []string{colMinItems, colMaxItems} {
			if s.word(r, key) != "" {
				rd.fail(s, r, key, "solo un gruppo ripetuto (begin repeat) ha un numero di voci", "only a repeat group (begin repeat) has a number of items")
			}
		}
	}
	q.Identifying = rd.yesCell(s, r, colIdentifying)
	return q
}

// questionExprs notes the expressions of a question, in the scope of its
// group's items when it is one.
func (rd *reader) questionExprs(s *sheet, r int, q, group *survey.Question) {
	reqCol := colRequired
	if strings.TrimSpace(s.get(r, colRequiredIf)) != "" {
		reqCol = colRequiredIf
	}
	rd.expr(s, r, reqCol, q.RequiredIf, group, true)
	rd.expr(s, r, colRelevant, q.Relevant, group, true)
	rd.expr(s, r, colCalculation, q.Computed, group, false)
}

func (rd *reader) expr(s *sheet, r int, col, src string, group *survey.Question, asBool bool) {
	if src != "" {
		rd.exprs = append(rd.exprs, exprCell{s: s, row: r, col: col, src: src, group: group, asBool: asBool})
	}
}

// splitIDs reads a list of names separated by spaces, commas or semicolons.
func splitIDs(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' || r == ';' || r == '\t' || r == '\n' })
}

func (rd *reader) readRules() {
	s := rd.sheets[SheetRules]
	if s == nil {
		return
	}
	for r := 1; r < len(s.rows); r++ {
		if s.blank(r) {
			continue
		}
		rule := &survey.Rule{
			ID: s.word(r, colID), Severity: survey.Severity(strings.ToLower(s.word(r, colSeverity))),
			Fields: splitIDs(s.get(r, colFields)), Each: s.word(r, colEach),
			When: s.get(r, colWhen), Assert: s.get(r, colAssert),
			Message: survey.Text{IT: s.get(r, colMessageIT), EN: s.get(r, colMessageEN)},
		}
		if rule.ID == "" {
			rd.fail(s, r, colID, "manca l'identificativo della regola", "the rule's id is missing")
		} else if prev, dup := rd.ruleRow[rule.ID]; dup {
			rd.fail(s, r, colID, fmt.Sprintf("la regola %s c'è già alla riga %d", rule.ID, prev+1), fmt.Sprintf("rule %s is already at row %d", rule.ID, prev+1))
		} else {
			rd.ruleRow[rule.ID] = r
		}
		if rule.Severity != survey.SeverityError && rule.Severity != survey.SeverityWarning {
			rd.fail(s, r, colSeverity, fmt.Sprintf("%q: serve error (blocca la finalizzazione) o warning (chiede conferma)", rule.Severity),
				fmt.Sprintf("%q: error (blocks finalising) or warning (asks to confirm) is expected", rule.Severity))
		}
		if strings.TrimSpace(rule.Assert) == "" {
			rd.fail(s, r, colAssert, "manca la condizione che deve valere", "the condition that must hold is missing")
		}
		if strings.TrimSpace(rule.Message.IT) == "" {
			rd.fail(s, r, colMessageIT, "manca il messaggio in italiano", "the Italian message is missing")
		}
		if strings.TrimSpace(rule.Message.EN) == "" {
			rd.fail(s, r, colMessageEN, "manca il messaggio in inglese", "the English message is missing")
		}
		var group *survey.Question
		if rule.Each != "" {
			q := rd.topQuestion(rule.Each)
			if q == nil || q.Type != survey.TypeGroup {
				q = nil
				rd.fail(s, r, colEach, fmt.Sprintf("%s non è un gruppo ripetuto (begin repeat) del foglio survey", rule.Each),
					fmt.Sprintf("%s is not a repeat group (begin repeat) of the survey sheet", rule.Each))
			}
			group = q
		}
		for _, f := range rule.Fields {
			if !rd.hasQuestion(f) {
				rd.fail(s, r, colFields, fmt.Sprintf("%s non è una domanda del foglio survey", f), fmt.Sprintf("%s is not a question of the survey sheet", f))
			}
		}
		rd.expr(s, r, colWhen, rule.When, group, true)
		rd.expr(s, r, colAssert, rule.Assert, group, true)
		rd.in.Rules = append(rd.in.Rules, rule)
	}
}

// topQuestion returns the top-level question id.
func (rd *reader) topQuestion(id string) *survey.Question {
	for _, sec := range rd.in.Sections {
		for _, q := range sec.Questions {
			if q.ID == id {
				return q
			}
		}
	}
	return nil
}

// hasQuestion reports whether id is a question, group items included.
func (rd *reader) hasQuestion(id string) bool {
	for _, sec := range rd.in.Sections {
		for _, q := range sec.Questions {
			if q.ID == id {
				return true
			}
			for _, it := range q.Items {
				if it.ID == id {
					return true
				}
			}
		}
	}
	return false
}

// The changes of the migrations sheet.
const (
	changeRenamed = "renamed"
	changeMerged  = "merged"
	changeDropped = "dropped"
	changeDefault = "default"
)

func (rd *reader) readMigrations() {
	s := rd.sheets[SheetMigrations]
	if s == nil {
		return
	}
	byFrom := map[int]*survey.Migration{}
	for r := 1; r < len(s.rows); r++ {
		if s.blank(r) {
			continue
		}
		change := strings.ToLower(s.word(r, colChange))
		field, old, value := s.word(r, colField), s.word(r, colOld), s.get(r, colValue)
		only := func(keep ...string) {
			allowed := map[string]bool{colFrom: true, colChange: true}
			for _, k := range keep {
				allowed[k] = true
			}
			for key := range s.cols {
				if !allowed[key] && strings.TrimSpace(s.get(r, key)) != "" {
					rd.fail(s, r, key, fmt.Sprintf("non si usa per %q", change), fmt.Sprintf("not used by %q", change))
				}
			}
		}
		names := func(key, v string, many bool) {
			ids := splitIDs(v)
			if !many && len(ids) > 1 {
				rd.fail(s, r, key, fmt.Sprintf("%q: un solo nome", v), fmt.Sprintf("%q: one name only", v))
			}
			for _, id := range ids {
				if !idPattern.MatchString(id) {
					rd.fail(s, r, key, fmt.Sprintf("%q: lettere, cifre e _, a cominciare da una lettera", id), fmt.Sprintf("%q: letters, digits and _, starting with a letter", id))
				}
			}
		}
		if old != "" {
			names(colOld, old, change == changeMerged)
		}
		need := func(key, v string) bool {
			if strings.TrimSpace(v) == "" {
				rd.fail(s, r, key, fmt.Sprintf("%q lo richiede", change), fmt.Sprintf("%q needs it", change))
				return false
			}
			return true
		}
		isQuestion := func(key, id string, topLevel bool) {
			if q := rd.topQuestion(id); q != nil && (!topLevel || q.Type != survey.TypeGroup) {
				return
			}
			if !topLevel && rd.hasQuestion(id) {
				return
			}
			rd.fail(s, r, key, fmt.Sprintf("%s non è una domanda di questa versione", id), fmt.Sprintf("%s is not a question of this version", id))
		}
		if s.word(r, colFrom) == "" {
			// The legacy renamed map of the instrument, for any earlier version.
			if change != changeRenamed {
				rd.fail(s, r, colFrom, "manca la versione da cui si parte (from); senza, solo renamed", "the version moved from (from) is missing; without it, only renamed")
				continue
			}
			only(colField, colOld)
			if need(colOld, old) && need(colField, field) {
				isQuestion(colField, field, false)
				if rd.in.Renamed == nil {
					rd.in.Renamed = map[string]string{}
				}
				if _, dup := rd.in.Renamed[old]; dup {
					rd.fail(s, r, colOld, fmt.Sprintf("%s è già rinominato", old), fmt.Sprintf("%s is already renamed", old))
				}
				rd.in.Renamed[old] = field
				rd.renamedRow[old] = r
			}
			continue
		}
		from := rd.intCell(s, r, colFrom, 1)
		if from == 0 {
			continue
		}
		if rd.in.Version > 0 && from >= rd.in.Version {
			rd.fail(s, r, colFrom, fmt.Sprintf("%d: serve una versione precedente alla %d", from, rd.in.Version), fmt.Sprintf("%d: an earlier version than %d is expected", from, rd.in.Version))
		}
		m := byFrom[from]
		if m == nil {
			m = &survey.Migration{From: from}
			byFrom[from] = m
			rd.migRow[from] = r
			rd.in.Migrations = append(rd.in.Migrations, m)
		}
		switch change {
		case "":
			only() // a migration that declares no change
		case changeRenamed:
			only(colField, colOld)
			if need(colOld, old) && need(colField, field) {
				isQuestion(colField, field, false)
				if m.Renamed == nil {
					m.Renamed = map[string]string{}
				}
				if _, dup := m.Renamed[old]; dup {
					rd.fail(s, r, colOld, fmt.Sprintf("%s è già rinominato", old), fmt.Sprintf("%s is already renamed", old))
				}
				m.Renamed[old] = field
			}
		case changeMerged:
			only(colField, colOld, colValue)
			if need(colField, field) && need(colOld, old) {
				isQuestion(colField, field, true)
				for _, g := range m.Merged {
					if g.Into == field {
						rd.fail(s, r, colField, fmt.Sprintf("%s riceve già un'unione", field), fmt.Sprintf("%s already receives a merge", field))
					}
				}
				m.Merged = append(m.Merged, &survey.Merge{Into: field, From: splitIDs(old), Value: value})
				if value != "" {
					rd.exprs = append(rd.exprs, exprCell{s: s, row: r, col: colValue, src: value, syntax: true})
				}
			}
		case changeDropped:
			only(colOld)
			if need(colOld, old) {
				m.Dropped = append(m.Dropped, old)
			}
		case changeDefault:
			only(colField, colValue)
			if need(colField, field) && need(colValue, value) {
				isQuestion(colField, field, true)
				if m.Defaults == nil {
					m.Defaults = map[string]any{}
				}
				if _, dup := m.Defaults[field]; dup {
					rd.fail(s, r, colField, fmt.Sprintf("%s ha già un valore iniziale", field), fmt.Sprintf("%s already has a default", field))
				}
				m.Defaults[field] = cellValue(value)
				rd.defaultRow[fmt.Sprintf("%d:%s", from, field)] = r
			}
		default:
			rd.fail(s, r, colChange, fmt.Sprintf("%q: serve renamed, merged, dropped o default", change), fmt.Sprintf("%q: renamed, merged, dropped or default is expected", change))
		}
	}
	sort.SliceStable(rd.in.Migrations, func(i, j int) bool { return rd.migRow[rd.in.Migrations[i].From] < rd.migRow[rd.in.Migrations[j].From] })
}

// cellValue reads a default: JSON when the cell is JSON (9, "09", true,
// ["1", "2"]), else the text as it is.
func cellValue(v string) any {
	var x any
	if json.Unmarshal([]byte(v), &x) == nil {
		return x
	}
	return v
}

// compileExprs compiles every expression read, over the questions of the
// instrument (and the items of its group), as survey.ParseInstrument will.
func (rd *reader) compileExprs() {
	top := map[string]survey.QuestionType{}
	for _, sec := range rd.in.Sections {
		for _, q := range sec.Questions {
			top[q.ID] = q.Type
		}
	}
	for _, e := range rd.exprs {
		var err error
		if e.syntax {
			err = survey.ParseExpression(e.src)
		} else {
			fields := top
			if e.group != nil {
				fields = make(map[string]survey.QuestionType, len(top)+len(e.group.Items))
				for k, v := range top {
					fields[k] = v
				}
				seen := map[string]bool{} // a repeated item is reported; the first counts
				for _, it := range e.group.Items {
					if !seen[it.ID] {
						seen[it.ID] = true
						fields[it.ID] = it.Type
					}
				}
			}
			_, err = survey.CompileExpression(e.src, fields, rd.ref, e.asBool)
		}
		if err != nil {
			it, en := exprMessage(err)
			rd.fail(e.s, e.row, e.col, it, en)
		}
	}
}

var unknownName = regexp.MustCompile(`^unknown name (\S+)`)

// exprMessage is the first line of a compiler error, which is what a person
// needs, with the usual case in Italian.
func exprMessage(err error) (it, en string) {
	en, _, _ = strings.Cut(err.Error(), "\n")
	en = strings.TrimSpace(en)
	if m := unknownName.FindStringSubmatch(en); m != nil {
		return "nome sconosciuto " + m[1] + " (non è una domanda né una funzione del linguaggio)", en
	}
	return "espressione non valida: " + en, en
}

var (
	prefixPattern   = regexp.MustCompile(`^[a-z][a-z0-9-]* v-?\d+: `)
	questionPattern = regexp.MustCompile(`^question ([A-Za-z0-9_]+)(?:\.([A-Za-z0-9_]+))?[: ]`)
	sectionPattern  = regexp.MustCompile(`^section (?:id )?"?([A-Za-z0-9_]*)"?[: ]`)
	codelistPattern = regexp.MustCompile(`^codelist ([A-Za-z0-9_]+)`)
	rulePattern     = regexp.MustCompile(`^rule ([A-Za-z0-9_]+)`)
	migPattern      = regexp.MustCompile(`^migration from (\d+)`)
	defaultPattern  = regexp.MustCompile(`default for ([A-Za-z0-9_]+)`)
	renamedPattern  = regexp.MustCompile(`^renamed: (\S+) ->`)
)

// translations of survey.ParseInstrument's messages that the reader does not
// find first.
var translations = map[string]string{
	"the id is reserved for the expression language": "il nome è riservato al linguaggio delle espressioni",
	"a lookup question needs reference data":         "una domanda lookup richiede i dati di riferimento",
	"is not a code of":                               "non è un codice di",
	"must be an earlier version than":                "deve essere una versione precedente a",
}

// locate places an error of survey.ParseInstrument at the row it is about:
// the reader checks most things first, and this covers the rest.
func (rd *reader) locate(err error) *Error {
	msg := prefixPattern.ReplaceAllString(err.Error(), "")
	it := "strumento non valido: " + msg
	for en, tr := range translations {
		if strings.Contains(msg, en) {
			it = "strumento non valido: " + strings.Replace(msg, en, tr, 1)
		}
	}
	e := &Error{Message: survey.Text{IT: it, EN: "invalid instrument: " + msg}}
	at := func(sheetName string, r int, col string) {
		s := rd.sheets[sheetName]
		if s == nil {
			return
		}
		e.Sheet, e.Row = s.name, r+1
		if c, ok := s.cols[col]; ok {
			e.Column = s.heads[c]
			e.Cell, _ = excelize.CoordinatesToCellName(c+1, r+1)
		}
	}
	column := func() string {
		for _, k := range []struct{ word, col string }{
			{"relevant", colRelevant}, {"requiredIf", colRequired}, {"computed", colCalculation}, {"pattern", colPattern},
			{"codelist", colType}, {"lookup", colType}, {"type", colType}, {"label", colLabelIT}, {"min", colMin}, {"max", colMax},
			{"reserved", colName}, {"id", colName},
		} {
			if strings.Contains(msg, k.word) {
				return k.col
			}
		}
		return ""
	}
	switch {
	case questionPattern.MatchString(msg):
		m := questionPattern.FindStringSubmatch(msg)
		key := m[1]
		if m[2] != "" {
			key += "." + m[2]
		}
		if r, ok := rd.questionRow[key]; ok {
			at(SheetSurvey, r, column())
		}
	case sectionPattern.MatchString(msg):
		if r, ok := rd.sectionRow[sectionPattern.FindStringSubmatch(msg)[1]]; ok {
			at(SheetSurvey, r, column())
		}
	case codelistPattern.MatchString(msg):
		if r, ok := rd.listRow[codelistPattern.FindStringSubmatch(msg)[1]]; ok {
			at(SheetChoices, r, colListName)
		}
	case rulePattern.MatchString(msg):
		if r, ok := rd.ruleRow[rulePattern.FindStringSubmatch(msg)[1]]; ok {
			at(SheetRules, r, "")
		}
	case migPattern.MatchString(msg):
		from, _ := strconv.Atoi(migPattern.FindStringSubmatch(msg)[1])
		if m := defaultPattern.FindStringSubmatch(msg); m != nil {
			if r, ok := rd.defaultRow[fmt.Sprintf("%d:%s", from, m[1])]; ok {
				at(SheetMigrations, r, colValue)
				break
			}
		}
		if r, ok := rd.migRow[from]; ok {
			at(SheetMigrations, r, colFrom)
		}
	case renamedPattern.MatchString(msg):
		if r, ok := rd.renamedRow[renamedPattern.FindStringSubmatch(msg)[1]]; ok {
			at(SheetMigrations, r, colField)
		}
	}
	return e
}
