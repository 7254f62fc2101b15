package coordinator

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"sinba/survey"
	"sinba/survey/quality"
	"sinba/ui/dialogs"
)

func pct(n, of int) string {
	if of == 0 {
		return "–"
	}
	return fmt.Sprintf("%d (%.0f%%)", n, 100*float64(n)/float64(of))
}

// qualityScreen is the critical points of the case record: a row per field,
// overall or in one municipality, or, where the records are of several
// instrument versions, the versions side by side; and the report for the
// meeting.
func (ws *Workspace) qualityScreen() fyne.CanvasObject {
	r := ws.analysis()
	ir, ok := r.Instrument(survey.InstrumentCase)
	var fields []quality.FieldStats
	var versions []int
	if ok {
		fields, versions = ir.Fields, ir.Versions
	}
	names := fieldNames(fields, ws.lang)
	muni := ""
	compare := false
	options := []string{ws.tr("quality.all")}
	codes := []string{""}
	for _, m := range r.Municipalities {
		options = append(options, m.Label())
		codes = append(codes, m.Code)
	}
	counts := func(f quality.FieldStats) quality.Counts {
		if muni == "" {
			return f.Total
		}
		return f.ByMunicipality[muni]
	}
	// After "not held", a column per reason: how many of those marks gave it.
	headers := []string{ws.tr("quality.field"), ws.tr("quality.applic"), ws.tr("quality.missing"), ws.tr("quality.notheld")}
	widths := []float32{320, 110, 130, 150}
	firstReason := len(headers)
	for _, r := range survey.NotHeldReasons {
		headers = append(headers, r.Short().In(ws.lang))
		widths = append(widths, 110)
	}
	lastReason := len(headers) - 1
	headers = append(headers, ws.tr("quality.errors"), ws.tr("quality.notes"))
	widths = append(widths, 120, 70)
	// Side by side: the field, then for each version its applicable,
	// missing, not held (with the reasons) and errors.
	const perVersion = 4
	vHeaders, vWidths := []string{ws.tr("quality.field")}, []float32{320}
	for _, v := range versions {
		vHeaders = append(vHeaders, ws.tr("quality.v.applic", v), ws.tr("quality.v.missing", v), ws.tr("quality.v.notheld", v), ws.tr("quality.v.errors", v))
		vWidths = append(vWidths, 130, 120, 220, 110)
	}
	shown := func() ([]string, []float32) {
		if compare {
			return vHeaders, vWidths
		}
		return headers, widths
	}
	versionCell := func(f quality.FieldStats, col int) string {
		v, part := versions[(col-1)/perVersion], (col-1)%perVersion
		if !slices.Contains(f.Versions, v) {
			if part == 0 {
				return ws.tr("quality.absent")
			}
			return "–"
		}
		c := f.ByVersion[v]
		switch part {
		case 0:
			return strconv.Itoa(c.Applicable)
		case 1:
			return pct(c.Missing, c.Applicable)
		case 2:
			s := pct(c.NotHeld, c.Applicable)
			var by []string
			for i, reason := range survey.NotHeldReasons {
				if n := c.NotHeldBy[i]; n > 0 {
					by = append(by, fmt.Sprintf("%s %d", reason.Short().In(ws.lang), n))
				}
			}
			if len(by) > 0 {
				s += ": " + strings.Join(by, ", ")
			}
			return s
		}
		return pct(c.Errors, c.Units)
	}
	table := widget.NewTableWithHeaders(
		func() (int, int) { h, _ := shown(); return len(fields), len(h) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			f, c := fields[id.Row], counts(fields[id.Row])
			var s string
			switch col := id.Col; {
			case col == 0:
				s = names[id.Row]
			case compare:
				s = versionCell(f, col)
			case col == 1:
				s = strconv.Itoa(c.Applicable)
			case col == 2:
				s = pct(c.Missing, c.Applicable)
			case col == 3:
				s = pct(c.NotHeld, c.Applicable)
			case col >= firstReason && col <= lastReason:
				s = strconv.Itoa(c.NotHeldBy[col-firstReason])
			case col == lastReason+1:
				s = pct(c.Errors, c.Units)
			case col == lastReason+2:
				s = strconv.Itoa(len(f.Notes))
			}
			o.(*widget.Label).SetText(s)
		})
	table.ShowHeaderColumn = false
	table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if h, _ := shown(); id.Row < 0 && id.Col >= 0 && id.Col < len(h) {
			o.(*widget.Label).SetText(h[id.Col])
		}
	}
	setWidths := func() {
		_, w := shown()
		for col, width := range w {
			table.SetColumnWidth(col, width)
		}
	}
	setWidths()
	pick := widget.NewSelect(options, func(s string) {
		for i, o := range options {
			if o == s {
				muni = codes[i]
			}
		}
		table.Refresh()
	})
	pick.SetSelectedIndex(0)
	discordant, cells := 0, 0
	for _, row := range r.Grid {
		for _, c := range row.Cells {
			if c.Verdict != quality.VerdictNoEvidence {
				cells++
			}
			if c.Verdict == quality.VerdictDiscordant {
				discordant++
			}
		}
	}
	report := widget.NewButton(ws.tr("quality.report"), ws.saveReport)
	report.Importance = widget.HighImportance
	choices := fyne.CanvasObject(pick)
	if len(versions) > 1 {
		// The versions side by side are over every municipality.
		modes := []string{ws.tr("quality.versions.together"), ws.tr("quality.versions.compare")}
		mode := widget.NewSelect(modes, func(s string) {
			compare = s == modes[1]
			if compare {
				pick.Disable()
			} else {
				pick.Enable()
			}
			setWidths()
			table.Refresh()
		})
		mode.SetSelectedIndex(0)
		choices = container.NewGridWithColumns(2, pick, mode)
	}
	diffs := widget.NewButton(ws.tr("versions.button"), ws.askVersionDiff)
	top := container.NewVBox(container.NewBorder(nil, nil, nil, container.NewHBox(diffs, report), choices), widget.NewLabel(ws.tr("quality.grid", discordant, cells)))
	return container.NewBorder(top, nil, nil, nil, table)
}

// fieldNames are what the critical points call each field: the question's
// label, as the coordinators know it; the id follows only where two fields
// share a label, to tell them apart (or stands alone for a field without
// one).
func fieldNames(fields []quality.FieldStats, lang string) []string {
	seen := map[string]int{}
	for _, f := range fields {
		seen[f.Label.In(lang)]++
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		switch l := f.Label.In(lang); {
		case l == "":
			names[i] = f.ID
		case seen[l] > 1:
			names[i] = l + " (" + f.ID + ")"
		default:
			names[i] = l
		}
	}
	return names
}

// saveReport writes the printable HTML report where the coordinator chooses.
func (ws *Workspace) saveReport() {
	write := func(path string) error {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		if err := quality.WriteHTML(f, *ws.analysis()); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	done := func(p string) error {
		if err := write(p); err != nil {
			ws.showError(err)
			return err
		}
		ws.say(ws.tr("quality.saved", p))
		return nil
	}
	if ws.deps.SaveFile != nil {
		ws.deps.SaveFile("criticita.html", done)
		return
	}
	dialogs.SaveFile(ws.win, dialogs.FileSpec{Title: ws.tr("file.critical"), Name: "criticita.html", Ext: ".html"}, func(path string) { _ = done(path) })
}

// resultsScreen shows the aggregated tables, protected with the threshold
// the coordinator sets.
func (ws *Workspace) resultsScreen() fyne.CanvasObject {
	r := ws.analysis()
	// The tables count approved records only, unless the coordinator
	// chooses every state, and they say which; both were made by the load.
	cases, approvedCases := ws.snap.cases, ws.snap.approvedCases
	onlyApproved, everyState := ws.tr("results.approved"), ws.tr("results.all")
	var raw []quality.Table
	scope := widget.NewLabel("")
	scope.Wrapping = fyne.TextWrapWord
	scope.TextStyle.Bold = true
	tables := func(every bool) {
		if every {
			raw = ws.snap.all
			scope.SetText(ws.tr("results.scopeAll", cases))
			scope.Importance = widget.WarningImportance
		} else {
			raw = ws.snap.approved
			scope.SetText(ws.tr("results.scopeApproved", approvedCases, cases))
			scope.Importance = widget.MediumImportance
		}
		scope.Refresh()
	}
	tables(false)
	k := quality.DefaultThreshold
	if r.Threshold > 0 {
		k = r.Threshold
	}
	var names []string
	for _, t := range raw {
		names = append(names, t.Title.In(ws.lang))
	}
	current := 0
	var shown quality.Table
	grid := widget.NewTableWithHeaders(
		func() (int, int) {
			if len(shown.Cells) == 0 {
				return 0, 0
			}
			return len(shown.Cells), len(shown.Cells[0])
		},
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(shown.Cell(id.Row, id.Col))
		})
	grid.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	grid.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		l := o.(*widget.Label)
		switch {
		case id.Row < 0 && id.Col >= 0 && id.Col < len(shown.Cols):
			l.SetText(shown.Cols[id.Col].Label.In(ws.lang))
		case id.Row < 0 && id.Col >= 0:
			l.SetText(ws.tr("results.total"))
		case id.Col < 0 && id.Row >= 0 && id.Row < len(shown.Rows):
			l.SetText(shown.Rows[id.Row].Label.In(ws.lang))
		case id.Col < 0 && id.Row >= 0:
			l.SetText(ws.tr("results.total"))
		}
	}
	grid.SetColumnWidth(-1, 280)
	show := func() {
		if current < len(raw) {
			shown = quality.Protect(raw[current], k)
		}
		for i := range len(shown.Cols) + 1 {
			grid.SetColumnWidth(i, 150)
		}
		grid.Refresh()
	}
	pick := widget.NewSelect(names, func(string) {})
	pick.OnChanged = func(string) {
		current = pick.SelectedIndex()
		show()
	}
	threshold := widget.NewEntry()
	threshold.SetText(strconv.Itoa(k))
	threshold.Validator = func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return fmt.Errorf("%s", ws.tr("results.bad"))
		}
		return nil
	}
	threshold.OnChanged = func(s string) {
		if threshold.Validator(s) == nil {
			k, _ = strconv.Atoi(s)
			show()
		}
	}
	if len(names) > 0 {
		pick.SetSelectedIndex(0)
	}
	states := widget.NewRadioGroup([]string{onlyApproved, everyState}, nil)
	states.Horizontal = true
	states.Required = true
	states.SetSelected(onlyApproved)
	states.OnChanged = func(s string) {
		tables(s == everyState)
		show()
	}
	form := widget.NewForm(widget.NewFormItem(ws.tr("results.table"), pick), widget.NewFormItem(ws.tr("results.threshold"), threshold),
		widget.NewFormItem(ws.tr("results.states"), states))
	return container.NewBorder(container.NewVBox(form, scope), nil, nil, nil, grid)
}
