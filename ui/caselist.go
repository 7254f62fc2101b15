package ui

import (
	"image/color"
	"slices"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/survey"
	"sinba/ui/dialogs"
	"sinba/ui/form"
	"sinba/ui/palette"
)

// caseListState is the case list's search, filters and order, kept while the
// researcher opens a record and comes back.
type caseListState struct {
	filter Filter
	search *form.FocusEntry
	table  *caseTable
	rows   []RecordRow
}

// caseColumns are the columns of the case list and their widths: together
// within a 1024-px screen.
var caseColumns = []struct {
	key   string
	width float32
}{
	{"cases.col_name", 240},
	{"cases.col_municipality", 200},
	{"cases.col_instrument", 150},
	{"cases.col_version", 80},
	{"cases.col_state", 180},
	{"cases.col_updated", 135},
}

// CaseList is the case list widget tree; it is built by showCases and, for
// benchmarks and tests, by BuildCaseList.
type CaseList struct {
	a       *App
	Object  fyne.CanvasObject
	Table   *caseTable
	Search  *form.FocusEntry
	Count   *widget.Label
	Problem *widget.Label
	names   map[string]string // municipality names, looked up once
}

func (a *App) showCases() {
	if !a.leaveRecord() {
		return
	}
	a.show(T("cases.title"), func() fyne.CanvasObject { return a.buildCaseList().Object }, a.showCases)
	if a.cases.search != nil {
		a.win.Canvas().Focus(a.cases.search)
	}
}

func (a *App) buildCaseList() *CaseList {
	cl := &CaseList{a: a, names: map[string]string{}}
	st := &a.cases
	cl.Search = form.NewFocusEntry()
	cl.Search.SetPlaceHolder(T("cases.search_placeholder"))
	cl.Search.Text = st.filter.Query
	st.search = cl.Search
	cl.Count = widget.NewLabel("")
	cl.Problem = widget.NewLabel("")
	cl.Problem.Importance = widget.DangerImportance
	cl.Problem.Hide()

	// The rows are read by Reload below, once the columns have their widths:
	// every width set lays the visible cells out again.
	st.rows = nil
	cl.Table = &caseTable{}
	cl.Table.Length = func() (int, int) { return len(st.rows), len(caseColumns) }
	cl.Table.CreateCell = newCaseCell
	cl.Table.UpdateCell = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Row < len(st.rows) {
			cl.Table.showCell(o, id.Row, cl.cell(&st.rows[id.Row], id.Col))
		}
	}
	cl.Table.ShowHeaderRow = true
	cl.Table.ExtendBaseWidget(cl.Table)
	cl.Table.open = func(row int) { a.openRecord(st.rows[row].ID) }
	cl.Table.back = func() { a.win.Canvas().Focus(cl.Search) }
	cl.Table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	cl.Table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(T(caseColumns[id.Col].key))
		}
	}
	for i, c := range caseColumns {
		cl.Table.SetColumnWidth(i, c.width)
	}
	cl.Table.OnSelected = func(id widget.TableCellID) {
		cl.Table.UnselectAll()
		if cl.Table.moving {
			return
		}
		if id.Row >= 0 && id.Row < len(st.rows) {
			a.openRecord(st.rows[id.Row].ID)
		}
	}
	st.table = cl.Table

	// Filters: municipality, state, order.
	all := T("cases.all_municipalities")
	munis := a.knownMunicipalities()
	muniOpts := []string{all}
	for _, c := range munis {
		muniOpts = append(muniOpts, cl.name(c))
	}
	muni := widget.NewSelect(muniOpts, nil)
	muni.Selected = all
	if i := slices.Index(munis, st.filter.Municipality); i >= 0 {
		muni.Selected = muniOpts[i+1]
	}
	muni.OnChanged = func(s string) {
		st.filter.Municipality = ""
		if i := slices.Index(muniOpts, s); i > 0 {
			st.filter.Municipality = munis[i-1]
		}
		cl.Reload()
	}
	allStates := T("cases.all_states")
	stateOpts := []string{allStates}
	for _, s := range States {
		stateOpts = append(stateOpts, T("state."+string(s)))
	}
	state := widget.NewSelect(stateOpts, nil)
	state.Selected = allStates
	if i := slices.Index(States, st.filter.State); i >= 0 {
		state.Selected = stateOpts[i+1]
	}
	state.OnChanged = func(s string) {
		st.filter.State = ""
		if i := slices.Index(stateOpts, s); i > 0 {
			st.filter.State = States[i-1]
		}
		cl.Reload()
	}
	sorts := []Sort{SortUpdated, SortLabel, SortStatus}
	sortOpts := []string{T("cases.sort_updated"), T("cases.sort_label"), T("cases.sort_status")}
	order := widget.NewSelect(sortOpts, nil)
	order.Selected = sortOpts[max(0, slices.Index(sorts, st.filter.Sort))]
	order.OnChanged = func(s string) {
		st.filter.Sort = sorts[max(0, slices.Index(sortOpts, s))]
		cl.Reload()
	}
	cl.Search.OnChanged = func(q string) {
		st.filter.Query = q
		cl.Reload()
	}
	// Enter in the search opens the first match; Down goes to the table.
	cl.Search.OnSubmitted = func(string) {
		if len(st.rows) > 0 {
			a.openRecord(st.rows[0].ID)
		}
	}
	cl.Search.OnUpDown = func(down bool) {
		if down && len(st.rows) > 0 {
			a.win.Canvas().Focus(cl.Table)
		}
	}

	newCase := newButtonWithIcon(T("home.new_case"), theme.ContentAddIcon(), a.newCase)
	newCase.Importance = widget.HighImportance
	filters := container.NewGridWithColumns(3, muni, state, order)
	top := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewIcon(theme.SearchIcon()), nil, cl.Search),
		filters,
		container.NewHBox(cl.Count, cl.Problem),
	)
	// The table is laid out once it is in the window: refreshing it before,
	// at size zero, would make Fyne lay out a divider for every row.
	cl.load()
	// The search and the filters come before the table in the objects, so
	// that Tab goes from the last filter to the table, as the eye reads.
	body := container.New(layout.NewBorderLayout(top, nil, nil, nil), top, cl.Table)
	cl.Object = page(T("cases.title"), body, newCase)
	return cl
}

// Reload reads the rows matching the filter again and shows them.
func (cl *CaseList) Reload() {
	cl.load()
	cl.Table.Refresh()
	cl.Table.ScrollToTop()
	cl.Table.row = -1
}

// load reads the rows matching the filter.
func (cl *CaseList) load() {
	st := &cl.a.cases
	f := st.filter
	if f.Instrument == "" {
		f.Instrument = survey.InstrumentCase
	}
	cx, cancel := ctx()
	rows, err := cl.a.store.List(cx, f)
	cancel()
	if err != nil {
		cl.Problem.SetText(cl.a.errText(err))
		cl.Problem.Show()
	} else {
		cl.Problem.Hide()
	}
	st.rows = rows
	cl.Count.SetText(T("cases.count", map[string]any{"Count": len(rows)}))
}

// caseTable is the case list's table driven by rows from the keyboard:
// Up and Down (Page Up, Page Down, Home, End) move among the records, Enter
// or Space opens the one marked, Up on the first row or Escape goes back to
// the search. Fyne's own table moves a cell at a time and opens nothing.
type caseTable struct {
	widget.Table
	row     int  // the row the keyboard marks; -1 until the table is entered
	focused bool // the mark shows while the table has the focus
	moving  bool // the marker moves: the selection it makes opens nothing
	open    func(row int)
	back    func()
}

// newCaseCell is a cell of the case list: its text over a background that
// marks, across the whole row, the row the keyboard is on (Fyne's own
// marker is a faint outline of one cell).
func newCaseCell() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateClip
	bg := canvas.NewRectangle(color.Transparent)
	return container.NewStack(bg, l)
}

// showCell shows text in cell o of row, marked if the keyboard is on it.
func (t *caseTable) showCell(o fyne.CanvasObject, row int, text string) {
	c := o.(*fyne.Container)
	bg, l := c.Objects[0].(*canvas.Rectangle), c.Objects[1].(*widget.Label)
	var fill color.Color = color.Transparent
	if t.IsMarked(row) {
		fill = palette.Marked(fyne.CurrentApp().Settings().ThemeVariant())
	}
	if bg.FillColor != fill {
		bg.FillColor = fill
		bg.Refresh()
	}
	l.SetText(text)
}

// IsMarked reports whether row shows as marked: the keyboard is on it in
// the focused table.
func (t *caseTable) IsMarked(row int) bool { return t.focused && row == t.row && row >= 0 }

// pageRows is how far Page Up and Page Down move.
const pageRows = 10

func (t *caseTable) rows() int {
	n, _ := t.Length()
	return n
}

// FocusGained marks the first row when the table is entered after a reload.
func (t *caseTable) FocusGained() {
	t.focused = true
	if t.row < 0 || t.row >= t.rows() {
		t.moveTo(0)
	} else {
		t.refreshRow(t.row)
	}
	t.Table.FocusGained()
}

// FocusLost implements fyne.Focusable: the mark goes with the focus.
func (t *caseTable) FocusLost() {
	t.focused = false
	if t.row >= 0 {
		t.refreshRow(t.row)
	}
	t.Table.FocusLost()
}

// moveTo marks row: Fyne's table moves its focus marker only by selecting,
// which here opens nothing and is undone at once.
func (t *caseTable) moveTo(row int) {
	n := t.rows()
	if n == 0 {
		t.row = -1
		return
	}
	row = max(0, min(row, n-1))
	old := t.row
	t.row = row
	t.moving = true
	t.Select(widget.TableCellID{Row: row, Col: 0})
	t.UnselectAll()
	t.moving = false
	// Both rows are drawn again: the mark leaves one for the other.
	if old >= 0 && old != row {
		t.refreshRow(old)
	}
	t.refreshRow(row)
}

func (t *caseTable) refreshRow(row int) {
	_, cols := t.Length()
	for c := range cols {
		t.RefreshItem(widget.TableCellID{Row: row, Col: c})
	}
}

// Marked is the row the keyboard marks, -1 if none.
func (t *caseTable) Marked() int { return t.row }

// TypedKey implements fyne.Focusable.
func (t *caseTable) TypedKey(k *fyne.KeyEvent) {
	row := max(t.row, 0)
	switch k.Name {
	case fyne.KeyDown:
		t.moveTo(row + 1)
	case fyne.KeyUp:
		if row == 0 && t.back != nil {
			t.back()
			return
		}
		t.moveTo(row - 1)
	case fyne.KeyPageDown:
		t.moveTo(row + pageRows)
	case fyne.KeyPageUp:
		t.moveTo(row - pageRows)
	case fyne.KeyHome:
		t.moveTo(0)
	case fyne.KeyEnd:
		t.moveTo(t.rows() - 1)
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeySpace:
		if t.row >= 0 && t.row < t.rows() && t.open != nil {
			t.open(t.row)
		}
	case fyne.KeyEscape:
		if t.back != nil {
			t.back()
		}
	}
}

// Rows is what the list shows.
func (cl *CaseList) Rows() []RecordRow { return cl.a.cases.rows }

func (cl *CaseList) name(code string) string {
	n, ok := cl.names[code]
	if !ok {
		n = cl.a.municipalityName(code)
		cl.names[code] = n
	}
	return n
}

func (cl *CaseList) cell(r *RecordRow, col int) string {
	switch col {
	case 0:
		if r.Label == "" {
			return T("cases.unnamed")
		}
		return r.Label
	case 1:
		return cl.name(r.Municipality)
	case 2:
		return T("instrument." + r.Instrument)
	case 3:
		return strconv.Itoa(r.Version)
	case 4:
		return T("state." + string(r.State()))
	case 5:
		return r.Updated.Local().Format("02/01/2006 15:04")
	}
	return ""
}

// chooseMunicipality asks which municipality a new case record belongs to:
// one of the known ones, or another one found by searching.
func (a *App) chooseMunicipality(known []string, then func(code string)) {
	search := func() {
		var src form.Source
		if a.opts.Instruments != nil {
			src = a.opts.Instruments.Municipalities(a.lang)
		}
		form.ShowSearch(a.win, T("home.choose_municipality"), src, func(o *form.Option) {
			if o != nil {
				then(o.Code)
			}
		})
	}
	if len(known) == 0 {
		search()
		return
	}
	// A choice among buttons: Enter takes the focused one, Escape cancels.
	var d *dialogs.Dialog
	list := container.NewVBox()
	for _, c := range known {
		c := c
		list.Add(dialogs.NewButton(a.municipalityName(c), nil, func() {
			d.Dismiss()
			then(c)
		}, func() { d.Dismiss() }))
	}
	other := dialogs.NewButton(T("home.other_municipality"), theme.SearchIcon(), func() {
		d.Dismiss()
		search()
	}, func() { d.Dismiss() })
	list.Add(other)
	d = dialogs.Show(a.win, dialogs.Spec{Title: T("home.choose_municipality"), Body: list, Cancel: T("common.cancel"),
		Focus: list.Objects[0].(fyne.Focusable)})
}
