package ui

import (
	"slices"
	"sort"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/survey"
	"sinba/ui/form"
)

// municipalityState is one line of the home screen.
type municipalityState struct {
	Code          string
	Questionnaire *RecordRow // nil until it is started
	Cases         map[State]int
}

// overview counts the records of every pilot municipality: the team's
// assignments, and any municipality that already has records.
func overview(assigned []string, rows []RecordRow) []municipalityState {
	by := map[string]*municipalityState{}
	get := func(code string) *municipalityState {
		m := by[code]
		if m == nil {
			m = &municipalityState{Code: code, Cases: map[State]int{}}
			by[code] = m
		}
		return m
	}
	for _, c := range assigned {
		get(c)
	}
	for i := range rows {
		r := &rows[i]
		m := get(r.Municipality)
		if r.Instrument == survey.InstrumentMunicipality {
			if m.Questionnaire == nil || r.Updated.After(m.Questionnaire.Updated) {
				m.Questionnaire = r
			}
			continue
		}
		m.Cases[r.State()]++
	}
	out := make([]municipalityState, 0, len(by))
	for _, m := range by {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// municipalityName is "Name (code)", or the code where the list has no name.
func (a *App) municipalityName(code string) string {
	if code == "" {
		return T("home.no_municipality")
	}
	if a.opts.Instruments != nil {
		if src := a.opts.Instruments.Municipalities(a.lang); src != nil {
			if l := src.Label(code); l != "" {
				return l
			}
		}
	}
	return code
}

func (a *App) knownMunicipalities() []string {
	var assigned []string
	if a.syncer != nil {
		cx, cancel := ctx()
		assigned = a.syncer.Assignments(cx)
		cancel()
	}
	cx, cancel := ctx()
	rows, _ := a.store.List(cx, Filter{Instrument: survey.InstrumentMunicipality})
	cancel()
	for _, r := range rows {
		if !slices.Contains(assigned, r.Municipality) {
			assigned = append(assigned, r.Municipality)
		}
	}
	sort.Strings(assigned)
	return assigned
}

func (a *App) showHome() {
	if !a.leaveRecord() {
		return
	}
	var basis *homeBasis
	a.show(T("home.title"), func() fyne.CanvasObject {
		c, b := a.homeContent()
		basis = b
		return c
	}, a.showHome)
	a.home = basis
}

// homeBasis is what an overview on the screen was built from.
type homeBasis struct {
	assigned []string // the team's municipalities
}

// refreshHome rebuilds the overview on the screen when round r changed what
// it shows: the team's municipalities (the first round after enrolment
// brings them), or records received or decided. Any other screen is built
// afresh when it is next shown; an overview nothing changed stays as it is,
// focus and all.
func (a *App) refreshHome(r SyncReport) {
	if a.home == nil || a.syncer == nil {
		return
	}
	cx, cancel := ctx()
	assigned := a.syncer.Assignments(cx)
	cancel()
	if slices.Equal(assigned, a.home.assigned) && r.Received+r.Approved+r.Returned+r.Conflicts == 0 {
		return
	}
	a.showHome()
}

// homeContent builds the overview, and says what it was built from.
// twoLines breaks a long heading of several words at the space nearest its
// middle, so that a column of short counts is not as wide as its heading
// (the overview's columns fit a small laptop's screen).
func twoLines(s string) string {
	if len([]rune(s)) <= 16 {
		return s
	}
	mid, at := len(s)/2, -1
	for i, r := range s {
		if r == ' ' && (at < 0 || abs(i-mid) < abs(at-mid)) {
			at = i
		}
	}
	if at < 0 {
		return s
	}
	return s[:at] + "\n" + s[at+1:]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// overviewStates are the overview's columns of case records, in the order a
// record goes through them; every state has one, so each case record is
// counted once (an approved record too).
var overviewStates = []State{StateDraft, StateFinal, StateSynced, StateReturned, StateApproved, StateConflict}

func (a *App) homeContent() (fyne.CanvasObject, *homeBasis) {
	cx, cancel := ctx()
	rows, err := a.store.List(cx, Filter{})
	cancel()
	var assigned []string
	if a.syncer != nil {
		cx, cancel := ctx()
		assigned = a.syncer.Assignments(cx)
		cancel()
	}
	munis := overview(assigned, rows)

	body := container.NewVBox()
	if err != nil {
		e := widget.NewLabel(a.errText(err))
		e.Importance = widget.DangerImportance
		body.Add(e)
	}
	if att := a.attention(rows); att != nil {
		body.Add(att)
	}

	// Each column as wide as its cells, the names taking what is left.
	grid := container.New(columns{n: 3 + len(overviewStates)})
	head := func(s string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	grid.Add(head(T("home.municipality")))
	grid.Add(head(T("home.questionnaire")))
	for _, s := range overviewStates {
		grid.Add(head(twoLines(T("state." + string(s)))))
	}
	grid.Add(head(""))
	for _, m := range munis {
		m := m
		name := widget.NewLabel(a.municipalityName(m.Code))
		name.Truncation = fyne.TextTruncateEllipsis
		// In the middle of its row, as the buttons' text beside it.
		grid.Add(container.NewVBox(layout.NewSpacer(), name, layout.NewSpacer()))
		q := T("home.not_started")
		if m.Questionnaire != nil {
			q = T("state." + string(m.Questionnaire.State()))
		}
		qb := newButtonWithIcon(q, theme.DocumentIcon(), func() { a.openQuestionnaire(m.Code, m.Questionnaire) })
		qb.Alignment = widget.ButtonAlignLeading
		grid.Add(qb)
		for _, s := range overviewStates {
			n := m.Cases[s]
			s := s
			b := newButton(strconv.Itoa(n), func() {
				a.cases.filter = Filter{Instrument: survey.InstrumentCase, Municipality: m.Code, State: s}
				a.showCases()
			})
			// Counts and dashes line up under their headings: every cell a
			// button aligned as the headings, a dash one that does nothing.
			b.Alignment = widget.ButtonAlignLeading
			if n == 0 {
				b.SetText("–")
				b.Importance = widget.LowImportance
				b.Disable()
				grid.Add(b)
				continue
			}
			if s == StateConflict || s == StateReturned {
				b.Importance = widget.WarningImportance
			} else {
				b.Importance = widget.LowImportance
			}
			grid.Add(b)
		}
		nb := newButtonWithIcon(T("home.new_case_short"), theme.ContentAddIcon(), func() { a.newCaseIn(m.Code) })
		grid.Add(nb)
	}
	if len(munis) == 0 {
		empty := widget.NewLabel(a.emptyText())
		empty.Wrapping = fyne.TextWrapWord
		body.Add(empty)
	} else {
		body.Add(widget.NewCard(T("home.municipalities"), "", grid))
	}

	add := newButtonWithIcon(T("home.add_municipality"), theme.SearchIcon(), a.addMunicipality)
	newCase := newButtonWithIcon(T("home.new_case"), theme.ContentAddIcon(), a.newCase)
	newCase.Importance = widget.HighImportance
	actions := []fyne.CanvasObject{add, newCase}
	if _, ok := a.opts.Instruments.(Printer); ok {
		actions = append([]fyne.CanvasObject{newButtonWithIcon(T("print.blank_button"), theme.DocumentPrintIcon(), a.printBlank)}, actions...)
	}
	return page(T("home.title"), container.NewVScroll(body), actions...), &homeBasis{assigned: assigned}
}

// attention lists what to do first: conflicts, returned records, finalised
// records not yet sent. It is nil when there is nothing to do.
func (a *App) attention(rows []RecordRow) fyne.CanvasObject {
	// The lines that open the case list count case records, the ones it
	// shows; a questionnaire in conflict or returned has a line of its own
	// that opens it. Every record counts towards what is still to send.
	count := map[State]int{}
	var questionnaires []RecordRow // in conflict or returned
	for i := range rows {
		st := rows[i].State()
		if rows[i].Instrument == survey.InstrumentMunicipality {
			if st == StateConflict || st == StateReturned {
				questionnaires = append(questionnaires, rows[i])
			}
			if st != StateFinal {
				continue
			}
		}
		count[st]++
	}
	box := container.NewVBox()
	line := func(key string, n int, imp widget.Importance, action string, do func()) {
		l := widget.NewLabel(T(key, map[string]any{"Count": n}))
		l.Importance = imp
		l.Wrapping = fyne.TextWrapWord
		b := newButton(action, do)
		box.Add(container.NewBorder(nil, nil, nil, b, l))
	}
	filter := func(s State) func() {
		return func() {
			a.cases.filter = Filter{State: s}
			a.showCases()
		}
	}
	for _, q := range questionnaires {
		id := q.ID
		open := func() { a.openRecord(id) }
		name := a.municipalityName(q.Municipality)
		if q.State() == StateConflict {
			l := widget.NewLabel(T("home.attention_questionnaire_conflict", map[string]any{"Municipality": name}))
			l.Importance, l.Wrapping = widget.DangerImportance, fyne.TextWrapWord
			box.Add(container.NewBorder(nil, nil, nil, newButton(T("home.resolve"), open), l))
		} else {
			l := widget.NewLabel(T("home.attention_questionnaire_returned", map[string]any{"Municipality": name}))
			l.Importance, l.Wrapping = widget.WarningImportance, fyne.TextWrapWord
			box.Add(container.NewBorder(nil, nil, nil, newButton(T("home.review"), open), l))
		}
	}
	if n := count[StateConflict]; n > 0 {
		line("home.attention_conflicts", n, widget.DangerImportance, T("home.resolve"), filter(StateConflict))
	}
	if n := count[StateReturned]; n > 0 {
		line("home.attention_returned", n, widget.WarningImportance, T("home.review"), filter(StateReturned))
	}
	if n := count[StateFinal]; n > 0 {
		line("home.attention_unsent", n, widget.MediumImportance, T("sync.now"), a.runSync)
	}
	if n := count[StateDraft]; n > 0 {
		line("home.attention_drafts", n, widget.MediumImportance, T("home.show"), filter(StateDraft))
	}
	if len(box.Objects) == 0 {
		return nil
	}
	return widget.NewCard(T("home.attention"), "", box)
}

// addMunicipality starts the questionnaire of a municipality chosen by
// searching the ISTAT list (before enrolment, or for a municipality added
// to the team's sample later).
func (a *App) addMunicipality() {
	var src form.Source
	if a.opts.Instruments != nil {
		src = a.opts.Instruments.Municipalities(a.lang)
	}
	form.ShowSearch(a.win, T("home.add_municipality"), src, func(o *form.Option) {
		if o != nil {
			a.openQuestionnaire(o.Code, nil)
		}
	})
}

// openQuestionnaire opens the municipality questionnaire, starting it if
// there is none yet.
func (a *App) openQuestionnaire(code string, row *RecordRow) {
	if row != nil {
		a.openRecord(row.ID)
		return
	}
	rec := survey.Record{Instrument: survey.InstrumentMunicipality, Municipality: code,
		Answers: survey.Answers{"Comune": code}}
	a.showRecord(rec, nil)
}

// newCase starts a case record in the municipality the researcher is working
// on: the one the case list is filtered on, the only one known, or one
// chosen in a short list.
func (a *App) newCase() {
	if a.cases.filter.Municipality != "" {
		a.newCaseIn(a.cases.filter.Municipality)
		return
	}
	if a.rec != nil && a.rec.rec.Municipality != "" {
		a.newCaseIn(a.rec.rec.Municipality)
		return
	}
	known := a.knownMunicipalities()
	if len(known) == 1 {
		a.newCaseIn(known[0])
		return
	}
	a.chooseMunicipality(known, a.newCaseIn)
}

func (a *App) newCaseIn(code string) {
	if !a.leaveRecord() {
		return
	}
	a.showRecord(survey.Record{Instrument: survey.InstrumentCase, Municipality: code, Answers: survey.Answers{}}, nil)
}

// emptyText says why the overview lists no municipality yet and what
// brings them: enrolling the laptop, the team key a colleague hands over,
// or the coordinators' assignment.
func (a *App) emptyText() string {
	if a.syncer == nil {
		return T("home.empty")
	}
	cx, cancel := ctx()
	enrolled := a.syncer.Enrolled(cx)
	cancel()
	switch {
	case !enrolled:
		return T("home.empty")
	case a.last != nil && a.last.WaitingTeamKey:
		return T("home.empty_waiting_key")
	}
	return T("home.empty_unassigned")
}
