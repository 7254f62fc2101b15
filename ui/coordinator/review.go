package coordinator

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/survey"
	"sinba/survey/quality"
	"sinba/ui/form"
	"sinba/ui/palette"
)

// queue is the records waiting for a decision: sent final by a laptop, new
// or changed since the last decision.
func (ws *Workspace) queue() []quality.Entry { return ws.snap.queue }

func (ws *Workspace) entryLabel(e quality.Entry) string {
	who := e.Record.Municipality
	if ws.deps.Ref != nil {
		if m, ok := ws.deps.Ref.Municipality(e.Record.Municipality); ok {
			who = m.Name
		}
	}
	// The pseudonym whole, first, where a narrow queue cannot cut it; a
	// record without one by the start of its id.
	id := e.Record.ID
	if len(id) > 12 {
		id = id[:12]
	}
	if p, ok := e.Record.Answers["IDBeneficiario"].(string); ok && p != "" {
		id = p
	}
	kind := "●"
	if e.Record.Instrument == survey.InstrumentMunicipality {
		kind = "■"
	}
	return fmt.Sprintf("%s %s · %s · %s", kind, id, who, e.Team)
}

func (ws *Workspace) reviewScreen() fyne.CanvasObject {
	q := ws.queue()
	// Whether a record came back corrected after a return, read for the
	// rows shown only, once each.
	known := map[string]bool{}
	resubmitted := func(id string) bool {
		if v, ok := known[id]; ok {
			return v
		}
		c, cancel := ctx()
		defer cancel()
		rs, err := ws.deps.Backend.ReviewState(c, id)
		known[id] = err == nil && rs.Resubmitted
		return known[id]
	}
	detail := container.NewStack(container.NewCenter(widget.NewLabel(ws.tr("review.pick"))))
	if len(q) == 0 {
		detail.Objects = []fyne.CanvasObject{container.NewCenter(widget.NewLabel(ws.tr("review.empty")))}
	}
	list := widget.NewList(func() int { return len(q) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			text := ws.entryLabel(q[i])
			if resubmitted(q[i].Record.ID) {
				text = "↺ " + ws.tr("review.resubmittedShort") + " · " + text
			}
			o.(*widget.Label).SetText(text)
		})
	list.OnSelected = func(i widget.ListItemID) {
		ws.selected = q[i].Record.ID
		detail.Objects = []fyne.CanvasObject{ws.recordPanel(q[i])}
		detail.Refresh()
	}
	ws.queueList = list
	head := widget.NewLabelWithStyle(ws.tr("review.queue", len(q)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	split := container.NewHSplit(container.NewBorder(head, nil, nil, nil, list), detail)
	split.Offset = 0.3
	return split
}

// SelectForReview opens a record of the queue in the review tab (tests, and
// links from other screens).
func (ws *Workspace) SelectForReview(recordID string) bool {
	for _, e := range ws.queue() {
		if e.Record.ID == recordID {
			ws.tabs.Select(ws.review)
			split := ws.review.Content.(*container.Split)
			detail := split.Trailing.(*fyne.Container)
			ws.selected = recordID
			detail.Objects = []fyne.CanvasObject{ws.recordPanel(e)}
			detail.Refresh()
			return true
		}
	}
	return false
}

// reading is one record laid out as the form lays it out, in the screens'
// language: the instrument's pages, the questions that apply, and how to
// name and show every field.
type reading struct {
	ws      *Workspace
	in      *survey.Instrument
	spec    *form.Spec
	rec     survey.Record
	hidden  map[string]bool
	issues  map[string][]form.Issue // by path; "" holds those about no field shown
	pages   map[string]string       // top-level question id -> page title
	qs      map[string]*form.Question
	threads map[string]*survey.Thread // review threads by field ("" = the whole record)
	// pick chooses a field in the comment composer and puts the cursor in
	// the comment.
	pick func(path string)
}

func (ws *Workspace) read(rec survey.Record) (*reading, error) {
	in, err := ws.deps.Registry.ForRecord(&rec)
	if err != nil {
		return nil, err
	}
	spec := form.FromSurvey(in, ws.lang, ws.deps.Now)
	r := &reading{ws: ws, in: in, spec: spec, rec: rec, issues: map[string][]form.Issue{},
		pages: map[string]string{}, qs: map[string]*form.Question{}}
	for pi := range spec.Pages {
		for qi := range spec.Pages[pi].Questions {
			q := &spec.Pages[pi].Questions[qi]
			r.pages[q.ID], r.qs[q.ID] = spec.Pages[pi].Title, q
		}
	}
	res := spec.Check(&r.rec, true)
	r.hidden = res.Hidden
	for _, is := range res.Issues {
		paths := is.Fields
		if len(paths) == 0 {
			paths = []string{""}
		}
		for _, p := range paths {
			if strings.HasPrefix(p, "identity.") {
				continue // the identification stays on the laptops
			}
			r.issues[p] = append(r.issues[p], is)
		}
	}
	return r, nil
}

// question returns the question of a path (Group[n].Field for an item of a
// repeat group) with the group and item number, n from 1.
func (r *reading) question(path string) (q, group *form.Question, item int) {
	if q, ok := r.qs[path]; ok {
		return q, nil, 0
	}
	g, rest, ok := strings.Cut(path, "[")
	if !ok {
		return nil, nil, 0
	}
	num, field, ok := strings.Cut(rest, "].")
	n, err := strconv.Atoi(num)
	if group = r.qs[g]; !ok || err != nil || group == nil {
		return nil, nil, 0
	}
	for i := range group.Fields {
		if group.Fields[i].ID == field {
			return &group.Fields[i], group, n
		}
	}
	return nil, nil, 0
}

// name is how a coordinator reads a field: its page, the item of a repeat
// group, and its label, never its technical id (unless the instrument does
// not define it).
func (r *reading) name(path string) string {
	if path == "" {
		return r.ws.tr("review.whole")
	}
	q, g, n := r.question(path)
	switch {
	case q == nil:
		return path
	case g != nil:
		return fmt.Sprintf("%s › %s %d › %s", r.pages[g.ID], g.ItemName, n, q.Label)
	}
	return r.pages[path] + " › " + q.Label
}

// value is an answer with the pilot's marks, as a coordinator reads it:
// codes with their labels, lists one a line; "" when there is nothing.
func (r *reading) value(path string, v any, meta survey.FieldMeta) string {
	var parts []string
	if q, _, _ := r.question(path); q != nil && q.Kind != form.Group {
		if s := form.Display(q, v); s != "" {
			parts = append(parts, s)
		}
	} else if survey.Answered(v) {
		parts = append(parts, fmt.Sprint(v))
	}
	if reason, ok := meta.NotHeldBecause(); ok {
		s := r.ws.tr("review.notheld")
		if reason != survey.ReasonNotGiven {
			s += ": " + reason.Label().In(r.ws.lang)
		}
		parts = append(parts, s)
	}
	if meta.Note != "" {
		parts = append(parts, r.ws.tr("review.note", meta.Note))
	}
	return strings.Join(parts, "\n")
}

// field is the row of one answer: its label on the left; on the right the
// answer, the marks, what changed and the rule issues about it.
func (r *reading) field(path, label string, v any, changed *survey.Change) fyne.CanvasObject {
	name := widget.NewLabel(label)
	name.Wrapping = fyne.TextWrapWord
	text := r.value(path, v, r.rec.Meta[path])
	if text == "" {
		text = "—"
	}
	ans := widget.NewLabel(text)
	ans.Wrapping = fyne.TextWrapWord
	ans.TextStyle.Bold = true
	right := container.NewVBox(ans)
	if changed != nil {
		was := r.value(path, changed.Old, changed.OldMeta)
		if was == "" {
			was = "—"
		}
		l := widget.NewLabel(r.ws.tr("review.was", strings.ReplaceAll(was, "\n", "; ")))
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.WarningImportance
		right.Add(l)
	}
	for _, is := range r.issues[path] {
		right.Add(r.issueLabel(is))
	}
	if t := r.threads[path]; t != nil {
		right.Add(r.threadBox(t))
	}
	comment := newTapIcon(theme.MailComposeIcon(), func() {
		if r.pick != nil {
			r.pick(path)
		}
	})
	return container.NewBorder(nil, nil, nil, comment, container.NewGridWithColumns(2, name, right))
}

// threadBox is a field's review thread: the coordinators' comments and the
// researcher's replies, with where the thread stands.
func (r *reading) threadBox(t *survey.Thread) fyne.CanvasObject {
	box := container.NewVBox()
	state := widget.NewLabelWithStyle(r.ws.tr("thread."+string(t.State)), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	box.Add(state)
	for _, c := range t.Comments {
		who := r.ws.tr("thread.coord")
		if c.Reply {
			who = r.ws.tr("thread.reply")
		}
		l := widget.NewLabel(who + ": " + c.Text)
		l.Wrapping = fyne.TextWrapWord
		if !c.Reply {
			// The comment colour, as on the laptop, apart from warnings.
			l.Importance = widget.WarningImportance
			box.Add(palette.Comment(l))
			continue
		}
		box.Add(l)
	}
	return box
}

func (r *reading) issueLabel(is form.Issue) *widget.Label {
	l := widget.NewLabel(is.Message)
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.DangerImportance
	if is.Severity == form.Warning {
		l.Importance = widget.WarningImportance
	}
	return l
}

// sections lays the record out by the instrument's pages, in its order: the
// questions that apply, repeat groups item by item. It returns the paths of
// the fields shown, in that order, for the comment's field picker.
func (r *reading) sections(changes map[string]*survey.Change) (fyne.CanvasObject, []string) {
	box := container.NewVBox()
	var paths []string
	shown := map[string]bool{}
	for _, p := range r.spec.Pages {
		if p.ID == "identita" {
			continue // kept on the laptops, never synced
		}
		rows := container.NewVBox()
		for qi := range p.Questions {
			q := &p.Questions[qi]
			if r.hidden[q.ID] {
				continue
			}
			v := r.rec.Answers[q.ID]
			if q.Kind != form.Group {
				rows.Add(r.field(q.ID, q.Label, v, changes[q.ID]))
				paths = append(paths, q.ID)
				shown[q.ID] = true
				continue
			}
			items, _ := v.([]any)
			head := r.field(q.ID, q.Label, nil, changes[q.ID])
			if len(items) > 0 {
				head = container.NewGridWithColumns(2, widget.NewLabel(q.Label), widget.NewLabel(r.ws.tr("review.items", len(items))))
			}
			rows.Add(head)
			paths = append(paths, q.ID)
			shown[q.ID] = true
			for i, it := range items {
				m, _ := it.(map[string]any)
				item := container.NewVBox()
				for fi := range q.Fields {
					f := &q.Fields[fi]
					path := form.ItemPath(q.ID, i, f.ID)
					if r.hidden[path] {
						continue
					}
					item.Add(r.field(path, f.Label, m[f.ID], changes[path]))
					paths = append(paths, path)
					shown[path] = true
				}
				rows.Add(container.NewPadded(widget.NewCard("", fmt.Sprintf("%s %d", q.ItemName, i+1), item)))
			}
		}
		if len(rows.Objects) > 0 {
			box.Add(widget.NewCard(p.Title, "", rows))
		}
	}
	// Issues about no field shown (a rule on the whole record, a field
	// that does not apply) go first, above the pages.
	var loose []form.Issue
	for path, list := range r.issues {
		if !shown[path] {
			loose = append(loose, list...)
		}
	}
	if len(loose) > 0 {
		top := container.NewVBox()
		for _, is := range loose {
			top.Add(r.issueLabel(is))
		}
		box.Objects = append([]fyne.CanvasObject{widget.NewCard(r.ws.tr("review.checks"), "", top)}, box.Objects...)
	}
	if t := r.threads[""]; t != nil {
		box.Objects = append([]fyne.CanvasObject{widget.NewCard(r.ws.tr("review.whole"), "", r.threadBox(t))}, box.Objects...)
	}
	return box, paths
}

// changesCard lists what changed since the version last decided on, field by
// field, old → new, with labels.
func (r *reading) changesCard(changes []survey.Change) fyne.CanvasObject {
	rows := container.NewVBox()
	if len(changes) == 0 {
		rows.Add(widget.NewLabel(r.ws.tr("review.nochange")))
	}
	for _, c := range changes {
		was, now := r.value(c.Field, c.Old, c.OldMeta), r.value(c.Field, c.New, c.NewMeta)
		if was == "" {
			was = "—"
		}
		if now == "" {
			now = "—"
		}
		l := widget.NewLabel(fmt.Sprintf("%s: %s → %s", r.name(c.Field), strings.ReplaceAll(was, "\n", "; "), strings.ReplaceAll(now, "\n", "; ")))
		l.Wrapping = fyne.TextWrapWord
		rows.Add(l)
	}
	return widget.NewCard(r.ws.tr("review.changed"), r.ws.tr("review.changedSub"), rows)
}

// recordPanel shows one record: the decision with its comments, what
// changed since the last decision, the answers by page with their issues,
// and, at the bottom, the record's history.
func (ws *Workspace) recordPanel(e quality.Entry) fyne.CanvasObject {
	rec := e.Record
	r, err := ws.read(rec)
	if err != nil {
		return container.NewCenter(widget.NewLabel(ws.errText(err)))
	}
	c, cancel := ctx()
	hist, histErr := ws.deps.Backend.History(c, rec.ID)
	rs, rsErr := ws.deps.Backend.ReviewState(c, rec.ID)
	cancel()
	if rsErr != nil && histErr == nil {
		histErr = rsErr
	}
	r.threads = map[string]*survey.Thread{}
	for i := range rs.Threads {
		r.threads[rs.Threads[i].Field] = &rs.Threads[i]
	}
	decided := rs.Decision != ""
	byPath := map[string]*survey.Change{}
	for i := range rs.Changed {
		byPath[rs.Changed[i].Field] = &rs.Changed[i]
	}
	answers, paths := r.sections(byPath)

	title := widget.NewLabelWithStyle(ws.entryLabel(e), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	sub := widget.NewLabel(ws.tr("review.about", r.in.Title.In(ws.lang), r.in.Version, ws.statusName(e.Status), e.Updated.Local().Format("02/01/2006 15:04")))
	sub.Wrapping = fyne.TextWrapWord
	head := container.NewVBox(container.NewBorder(nil, nil, nil, ws.printButton(r.in, e), title), sub)
	if rs.Resubmitted {
		mark := widget.NewLabelWithStyle(ws.tr("review.resubmitted"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		mark.Importance = widget.WarningImportance
		head.Add(mark)
	}

	comp, pick := ws.composer(r, e, paths)
	r.pick = pick // the comment buttons of the fields call it
	body := container.NewVBox()
	if decided {
		body.Add(r.changesCard(rs.Changed))
	}
	body.Add(answers)
	body.Add(ws.historyCard(r, e, hist, histErr))
	return container.NewBorder(container.NewVBox(head, widget.NewSeparator()), comp, nil, nil, container.NewVScroll(body))
}

// composer is the comments to send with the decision, one per field or on
// the whole record, and the two decisions, each confirmed first.
func (ws *Workspace) composer(r *reading, e quality.Entry, paths []string) (fyne.CanvasObject, func(path string)) {
	var pending []survey.Comment
	options := []string{ws.tr("review.whole")}
	pathOf := map[string]string{options[0]: ""}
	for _, p := range paths {
		n := r.name(p)
		if _, dup := pathOf[n]; !dup {
			options = append(options, n)
			pathOf[n] = p
		}
	}
	field := widget.NewSelect(options, nil)
	field.SetSelectedIndex(0)
	text := widget.NewEntry() // one line: Enter adds it, Tab goes on to the decisions
	text.SetPlaceHolder(ws.tr("review.comment"))
	pendingLabel := widget.NewLabel(ws.tr("review.comments", 0))
	pendingList := container.NewVBox()
	var showPending func()
	showPending = func() {
		pendingLabel.SetText(ws.tr("review.comments", len(pending)))
		pendingList.RemoveAll()
		for i, c := range pending {
			l := widget.NewLabel("• " + r.name(c.Field) + ": " + c.Text)
			l.Wrapping = fyne.TextWrapWord
			drop := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
				pending = append(pending[:i:i], pending[i+1:]...)
				showPending()
			})
			pendingList.Add(container.NewBorder(nil, nil, nil, drop, l))
		}
	}
	add := widget.NewButtonWithIcon(ws.tr("review.add"), theme.ContentAddIcon(), func() {
		t := strings.TrimSpace(text.Text)
		if t == "" {
			ws.showError(fmt.Errorf("%s", ws.tr("review.empty.comment")))
			return
		}
		pending = append(pending, survey.Comment{Field: pathOf[field.Selected], Text: t})
		text.SetText("")
		showPending()
	})
	text.OnSubmitted = func(string) { add.OnTapped() }
	decide := func(d survey.Status) {
		if d == survey.StatusReturned && len(pending) == 0 {
			ws.inform(ws.tr("review.return"), ws.tr("review.needs"))
			return
		}
		_, place, _ := strings.Cut(ws.entryLabel(e), " ") // without the kind's mark
		var ask, yes string
		if d == survey.StatusReturned {
			ask, yes = ws.tr("review.askReturn", place, ws.comments(len(pending))), ws.tr("review.return")
		} else {
			ask, yes = ws.tr("review.askApprove", place), ws.tr("review.approve")
			if len(pending) > 0 {
				ask += "\n\n" + ws.tr("review.askApproveComments", ws.comments(len(pending)))
			}
		}
		ws.confirm(yes+"?", ask, yes, func() {
			sent := append([]survey.Comment(nil), pending...)
			ws.background(func(c context.Context) func() {
				err := ws.deps.Backend.Review(c, e.Record.ID, d, sent)
				return func() {
					if err != nil {
						ws.showError(err)
						return
					}
					ws.Reload()
					ws.say(ws.tr("review.done."+string(d), place))
					ws.tabs.Select(ws.review)
				}
			})
		})
	}
	approve := widget.NewButtonWithIcon(ws.tr("review.approve"), theme.ConfirmIcon(), func() { decide(survey.StatusApproved) })
	approve.Importance = widget.SuccessImportance
	ret := widget.NewButtonWithIcon(ws.tr("review.return"), theme.MailReplyIcon(), func() { decide(survey.StatusReturned) })
	ret.Importance = widget.WarningImportance
	pick := func(path string) {
		field.SetSelected(r.name(path))
		ws.win.Canvas().Focus(text)
	}
	pendingScroll := container.NewVScroll(pendingList)
	pendingScroll.SetMinSize(fyne.NewSize(0, 60))
	row := container.NewBorder(nil, nil, widget.NewLabel(ws.tr("review.field")), nil, field)
	return container.NewVBox(widget.NewSeparator(), row,
		container.NewBorder(nil, nil, nil, container.NewVBox(add), text),
		container.NewBorder(nil, nil, pendingLabel, container.NewHBox(approve, ret), pendingScroll)), pick
}

// historyCard is the record's history at the bottom of the panel, folded:
// one line per working session, the sending and every decision on their own.
func (ws *Workspace) historyCard(r *reading, e quality.Entry, hist []Version, err error) fyne.CanvasObject {
	box := container.NewVBox()
	if err != nil {
		box.Add(widget.NewLabel(ws.errText(err)))
	}
	when := func(l historyLine) string {
		from := l.From.Local().Format("02/01/2006 15:04")
		if l.To.Sub(l.From) >= time.Minute && l.To.Local().Format("02/01/2006") == l.From.Local().Format("02/01/2006") {
			return from + "–" + l.To.Local().Format("15:04")
		}
		return from
	}
	lines := collapse(hist, sessionGap)
	for _, l := range lines {
		var s string
		switch l.Kind {
		case histWork:
			s = ws.tr("history.work", when(l), e.Team, shortDevice(l.Origin), l.Saves, ws.statusName(l.Status))
		case histSent:
			key := "history.sent"
			if l.Again {
				key = "history.sentAgain"
			}
			s = ws.tr(key, when(l))
		case histDecision:
			s = ws.tr("history.decision", when(l), ws.statusName(l.Status), len(l.Comments))
		}
		line := widget.NewLabel(s)
		line.Wrapping = fyne.TextWrapWord
		if l.Kind != histWork {
			line.TextStyle.Bold = true
		}
		box.Add(line)
		for _, c := range l.Comments {
			cl := widget.NewLabel("    " + r.name(c.Field) + ": " + c.Text)
			cl.Wrapping = fyne.TextWrapWord
			box.Add(cl)
		}
	}
	item := widget.NewAccordionItem(ws.tr("review.history", len(hist), len(lines)), box)
	return widget.NewAccordion(item)
}

// shortDevice is a laptop's id cut to what tells laptops apart on screen.
func shortDevice(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// comments is "1 commento" or "N commenti".
func (ws *Workspace) comments(n int) string {
	if n == 1 {
		return ws.tr("review.oneComment")
	}
	return ws.tr("review.nComments", n)
}
