package form

import (
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/survey"
	"sinba/ui/dialogs"
	"sinba/ui/palette"
)

// questionView is one question on a page: its label, the input, the
// "datum not held" box and the note, and the lines that show findings and
// the coordinator's comment.
type questionView struct {
	f    *Form
	q    *Question
	path string
	ans  answers
	page int

	parent *groupView // set inside a repeat group
	item   int

	box     *fyne.Container
	comment *widget.Label
	// commentBox shows comment in the comment colour, apart from warnings.
	commentBox fyne.CanvasObject
	issue      *widget.Label
	focus      fyne.Focusable
	notHeld    *focusCheck
	boxes      []*focusCheck // a multi-choice question's boxes
	reason     *focusSelect  // why not held: shown while the box is checked
	marks      *fyne.Container
	note       *FocusEntry
	typed      *widget.Label // under a choice: what the code typed narrows to
	enable     func(bool)
	fill       func() // shows the stored answer again (after a computed one)
	group      *groupView

	local string // the problem found while parsing what was typed, as shown
	// typing: the answer is being typed; its findings wait until the field
	// is left ("2 è sotto il minimo" is no news while "2008" is typed).
	typing bool
	hidden bool
	shown  string // the finding shown, to skip needless refreshes
}

func (f *Form) newQuestion(q *Question, path string, ans answers, page int, parent *groupView, item int) *questionView {
	v := &questionView{f: f, q: q, path: path, ans: ans, page: page, parent: parent, item: item}
	f.views[path] = v
	hook := func(o fyne.CanvasObject) { f.follow(v.box, o) }

	title := q.Label
	if q.Required {
		title += " *"
	}
	label := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: q.Kind == Group})
	label.Wrapping = fyne.TextWrapWord
	objs := []fyne.CanvasObject{label}
	if q.Help != "" {
		help := widget.NewLabelWithStyle(q.Help, fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
		help.Wrapping = fyne.TextWrapWord
		help.SizeName = theme.SizeNameCaptionText
		objs = append(objs, help)
	}
	v.comment = widget.NewLabel("")
	v.comment.Wrapping = fyne.TextWrapWord
	v.comment.Importance = widget.WarningImportance
	// A comment is not a rule's warning: its own colour.
	v.commentBox = palette.Comment(v.comment)
	v.commentBox.Hide()
	objs = append(objs, v.commentBox)

	if q.Kind == Group {
		v.group = newGroupView(v)
		objs = append(objs, v.group.box)
		v.focus = v.group.add
		v.enable = v.group.setEnabled
	} else {
		objs = append(objs, v.input(hook))
		if v.typed != nil {
			objs = append(objs, v.typed)
		}
		meta := f.rec.Meta[path]
		v.notHeld = newFocusCheck(lang.L("form.not_held"), func(on bool) {
			v.setMeta(func(m *survey.FieldMeta) {
				m.NotHeld = on
				if !on {
					m.Reason = survey.ReasonNotGiven // a reason goes with its mark
				}
			})
			v.showReason()
			v.applyEnabled()
			f.changed(v)
		})
		v.notHeld.onFocus = hook
		v.notHeld.Checked = meta.NotHeld
		v.marks = container.NewHBox(v.notHeld)
		if len(f.Spec.NotHeldReasons) > 0 {
			v.reason = v.reasonSelect(meta, hook)
			v.marks.Add(v.reason)
			v.showReason()
		}
		v.note = NewFocusEntry()
		v.note.SetPlaceHolder(lang.L("form.note"))
		v.note.Text = meta.Note
		v.note.OnFocus = hook
		v.note.OnSubmitted = func(string) { v.focusNextQuestion() }
		v.note.OnChanged = func(s string) {
			v.setMeta(func(m *survey.FieldMeta) { m.Note = s })
			f.changed(v)
		}
		// The marks before the note in the container, so that Tab goes from
		// the answer to "not held", its reason, then the note.
		objs = append(objs, container.New(layout.NewBorderLayout(nil, nil, v.marks, nil), v.marks, v.note))
		v.applyEnabled()
	}
	v.issue = widget.NewLabel("")
	v.issue.Wrapping = fyne.TextWrapWord
	v.issue.Importance = widget.DangerImportance
	v.issue.Hide()
	objs = append(objs, v.issue)
	if parent == nil {
		objs = append(objs, widget.NewSeparator())
	}
	v.box = container.NewVBox(objs...)
	return v
}

// reasonSelect is the choice of why the office does not hold the datum. With
// the keyboard: Tab from the box, then the reason's number (shown before
// it, as a choice's code), or Right and Left through the reasons, Space
// opens the list; Enter moves on to the next question.
func (v *questionView) reasonSelect(meta survey.FieldMeta, hook focusHook) *focusSelect {
	opts := v.f.Spec.NotHeldReasons
	texts := make([]string, len(opts))
	keys := make([]typeKey, len(opts))
	for i, o := range opts {
		n := strconv.Itoa(i + 1)
		texts[i] = Option{Code: n, Label: o.Label}.Text()
		keys[i] = typeKey{code: n, label: o.Label}
	}
	s := newFocusSelect(texts, nil)
	s.keys = keys
	s.onEnter = v.focusNextQuestion
	s.fitOptions = true
	s.PlaceHolder = lang.L("form.not_held_reason")
	s.onFocus = hook
	if meta.Reason != survey.ReasonNotGiven {
		i := slices.IndexFunc(opts, func(o Option) bool { return o.Code == string(meta.Reason) })
		if i >= 0 {
			s.Selected = texts[i]
		} else {
			// A reason this version does not know: show it rather than lose it.
			s.Options = append(s.Options, string(meta.Reason))
			s.Selected = string(meta.Reason)
		}
	}
	s.OnChanged = func(t string) {
		i := slices.Index(texts, t)
		if i < 0 {
			return
		}
		v.setMeta(func(m *survey.FieldMeta) { m.Reason = survey.NotHeldReason(opts[i].Code) })
		v.f.changed(v)
	}
	return s
}

// showReason shows the choice of reason while the datum is marked not held.
func (v *questionView) showReason() {
	if v.reason == nil {
		return
	}
	if v.notHeld.Checked {
		v.reason.Show()
	} else {
		v.reason.Hide()
		v.reason.ClearSelected() // no edit: OnChanged ignores the empty choice
	}
	v.marks.Refresh()
}

func (v *questionView) setMeta(edit func(*survey.FieldMeta)) {
	rec := v.f.rec
	if rec.Meta == nil {
		rec.Meta = map[string]survey.FieldMeta{}
	}
	m := rec.Meta[v.path]
	edit(&m)
	if m == (survey.FieldMeta{}) {
		delete(rec.Meta, v.path)
	} else {
		rec.Meta[v.path] = m
	}
}

func (v *questionView) applyEnabled() {
	on := !v.f.readOnly
	if v.notHeld != nil {
		setDisabled(v.notHeld, !on)
		setDisabled(v.note, !on)
		if v.reason != nil {
			setDisabled(v.reason, !on)
		}
		on = on && !v.notHeld.Checked
	}
	if v.enable != nil {
		v.enable(on)
	}
}

func setDisabled(d fyne.Disableable, off bool) {
	if off {
		d.Disable()
	} else {
		d.Enable()
	}
}

// input builds the widget that takes the answer.
func (v *questionView) input(hook focusHook) fyne.CanvasObject {
	q, cur := v.q, v.ans.get(v.q.ID)
	switch q.Kind {
	case Choice, Bool:
		if q.Open {
			return v.openChoice(hook, cur)
		}
		opts := q.Options
		if q.Kind == Bool {
			opts = []Option{{Code: "true", Label: lang.L("form.yes")}, {Code: "false", Label: lang.L("form.no")}}
		}
		texts := make([]string, 0, len(opts)+1)
		texts = append(texts, lang.L("form.no_answer"))
		for _, o := range opts {
			if q.Kind == Bool {
				texts = append(texts, o.Label)
			} else {
				texts = append(texts, o.Text())
			}
		}
		s := newFocusSelect(texts, nil)
		s.PlaceHolder = lang.L("form.choose")
		s.onFocus = hook
		// Typing the code chooses (Sì and No by their first letter); the
		// line under the choice shows what the typed code narrows to.
		s.keys = make([]typeKey, len(texts))
		for i, o := range opts {
			if q.Kind == Bool {
				s.keys[i+1] = typeKey{label: o.Label}
			} else {
				s.keys[i+1] = typeKey{code: o.Code, label: o.Label}
			}
		}
		hint := widget.NewLabel("")
		hint.SizeName = theme.SizeNameCaptionText
		hint.Wrapping = fyne.TextWrapWord
		hint.Hide()
		s.onTyped = func(typed string, matches []int) {
			msg := typedHint(typed, matches, s.keys, texts)
			hint.SetText(msg)
			if msg == "" {
				hint.Hide()
			} else {
				hint.Show()
			}
			v.f.layoutPage()
		}
		s.onEnter = v.focusNextQuestion
		if q.Kind == Bool {
			if b, ok := cur.(bool); ok {
				if b {
					s.Selected = texts[1]
				} else {
					s.Selected = texts[2]
				}
			}
		} else if c := text(q.Kind, cur); c != "" {
			for i, o := range opts {
				if o.Code == c {
					s.Selected = texts[i+1]
				}
			}
			if s.Selected == "" {
				// A code the list no longer has: show it rather than lose it.
				s.Options = append(s.Options, c)
				s.Selected = c
			}
		}
		s.OnChanged = func(t string) {
			i := slices.Index(texts, t)
			var val any
			switch {
			case i < 0: // the unknown code shown as it was: nothing changed
				return
			case i == 0: // "no answer" clears the question
				s.Selected = ""
				s.Refresh()
			case q.Kind == Bool:
				val = i == 1
			default:
				val = opts[i-1].Code
			}
			v.ans.set(q.ID, val)
			v.f.changed(v)
		}
		v.focus = s
		v.enable = func(on bool) { setDisabled(s, !on) }
		v.fill = func() {
			c := text(q.Kind, v.ans.get(q.ID))
			if c == "" {
				s.ClearSelected()
			}
			for i, o := range opts {
				if o.Code == c {
					s.SetSelected(texts[i+1])
				}
			}
		}
		v.typed = hint
		return s

	case Multi:
		chosen := codes(cur)
		options := q.Options
		// A code the list does not have (an open list, or an older version's
		// code) is shown, ticked, rather than kept out of sight.
		for _, c := range chosen {
			if indexOf(options, c) < 0 {
				options = append(slices.Clip(options), Option{Code: c})
			}
		}
		checks := make([]fyne.CanvasObject, len(options))
		boxes := make([]*focusCheck, len(options))
		for i, o := range options {
			code := o.Code
			c := newFocusCheck(o.Text(), nil)
			c.Checked = slices.Contains(chosen, code)
			c.onFocus = hook
			c.onEnter = v.focusNextQuestion
			c.OnChanged = func(on bool) {
				now := codes(v.ans.get(q.ID))
				now = slices.DeleteFunc(slices.Clone(now), func(s string) bool { return s == code })
				if on {
					now = append(now, code)
				}
				// Keep the list's order, so the answer reads the same whatever the
				// order of the clicks.
				slices.SortStableFunc(now, func(a, b string) int { return indexOf(options, a) - indexOf(options, b) })
				v.ans.set(q.ID, codesValue(now))
				v.f.changed(v)
			}
			checks[i], boxes[i] = c, c
		}
		if len(boxes) > 0 {
			v.focus = boxes[0]
		}
		v.boxes = boxes
		v.enable = func(on bool) {
			for _, c := range boxes {
				setDisabled(c, !on)
			}
		}
		if len(checks) > 8 {
			// Two columns where the width holds them, one where it does not.
			grid := &checkGrid{maxCols: 2, cols: 2}
			grid.relayout = v.f.heightChanging
			return container.New(grid, checks...)
		}
		return container.NewVBox(checks...)

	case Lookup:
		b := newFocusButton("", nil)
		b.Alignment = widget.ButtonAlignLeading
		b.Icon = theme.SearchIcon()
		show := func() {
			c := text(Text, v.ans.get(q.ID))
			switch {
			case c == "":
				b.SetText(lang.L("form.search_choose"))
			case q.Source != nil && q.Source.Label(c) != "":
				b.SetText(Option{Code: c, Label: q.Source.Label(c)}.Text())
			default:
				b.SetText(c)
			}
		}
		show()
		b.onFocus = hook
		b.onEnter = v.focusNextQuestion // Space opens the search
		b.OnTapped = func() {
			ShowSearch(v.f.win, q.Label, q.Source, func(o *Option) {
				if o == nil {
					v.ans.set(q.ID, nil)
				} else {
					v.ans.set(q.ID, o.Code)
				}
				show()
				v.f.changed(v)
				v.f.win.Canvas().Focus(b)
			})
		}
		v.focus = b
		v.enable = func(on bool) { setDisabled(b, !on) }
		v.fill = show
		return b
	}

	e := NewFocusEntry()
	switch q.Kind {
	case LongText:
		e.MultiLine = true
		e.Wrapping = fyne.TextWrapWord
		e.SetMinRowsVisible(3)
	case Date:
		e.SetPlaceHolder(lang.L("form.date_placeholder"))
	case MonthYear:
		e.SetPlaceHolder(lang.L("form.month_placeholder"))
	case Integer:
		e.SetPlaceHolder(lang.L("form.integer_placeholder"))
		if q.PlaceHolder != "" {
			e.SetPlaceHolder(q.PlaceHolder)
		}
	case Decimal:
		e.SetPlaceHolder(lang.L("form.decimal_placeholder"))
	}
	e.Text = text(q.Kind, cur)
	e.OnFocus = hook
	if !e.MultiLine {
		// Enter moves on, as from a choice; a long text takes it as a new line.
		e.OnSubmitted = func(string) { v.focusNextQuestion() }
	}
	e.OnChanged = func(s string) {
		val, problem := parse(q.Kind, s, v.f.Spec.Language)
		v.local = problem
		v.ans.set(q.ID, val)
		v.startTyping(e.hasFocus)
		v.f.changed(v)
	}
	e.OnBlur = v.stopTyping
	v.focus = e
	v.enable = func(on bool) { setDisabled(e, !on) }
	v.fill = func() { e.SetText(text(q.Kind, v.ans.get(q.ID))) }
	return e
}

// openChoice is a code of an open list: typed, or chosen from the known
// codes in the entry's drop-down ("A1.09 · Telesoccorso e teleassistenza";
// the code is what comes before " · ").
func (v *questionView) openChoice(hook focusHook, cur any) fyne.CanvasObject {
	q := v.q
	texts := make([]string, len(q.Options))
	for i, o := range q.Options {
		texts[i] = o.Text()
	}
	shown := func(c string) string {
		if i := indexOf(q.Options, c); i >= 0 {
			return texts[i]
		}
		return c
	}
	e := newFocusSelectEntry(texts)
	e.SetPlaceHolder(lang.L("form.open_code"))
	e.Text = shown(text(Choice, cur))
	e.onFocus = hook
	e.OnSubmitted = func(string) { v.focusNextQuestion() }
	e.OnChanged = func(s string) {
		code, _, _ := strings.Cut(s, " · ")
		code = strings.TrimSpace(code)
		var val any
		if code != "" {
			val = code
		}
		v.ans.set(q.ID, val)
		v.startTyping(e.hasFocus)
		v.f.changed(v)
	}
	// A known code typed bare ("a2.16") is shown, once left, as the list
	// shows it: the code, then its label.
	e.onBlur = func() {
		if typed := strings.TrimSpace(e.Text); typed != "" && !strings.Contains(typed, " · ") {
			if i := slices.IndexFunc(q.Options, func(o Option) bool { return strings.EqualFold(o.Code, typed) }); i >= 0 && texts[i] != typed {
				same := q.Options[i].Code == typed
				filling := v.f.filling
				v.f.filling = v.f.filling || same // the same code: no edit to save
				e.SetText(texts[i])
				v.f.filling = filling
			}
		}
		v.stopTyping()
	}
	v.focus = e
	v.enable = func(on bool) { setDisabled(e, !on) }
	v.fill = func() { e.SetText(shown(text(Choice, v.ans.get(q.ID)))) }
	return e
}

// startTyping marks the answer as being typed, when the researcher types it
// (focused, not the form filling it in).
func (v *questionView) startTyping(focused bool) {
	if focused && !v.f.filling {
		v.typing = true
	}
}

// stopTyping shows the findings of the answer just typed, now that the
// field is left. The field left stays where it is on the screen.
func (v *questionView) stopTyping() {
	if !v.typing {
		return
	}
	v.typing = false
	v.f.keepInPlace(v.f.evaluate)
}

// focusNextQuestion moves the focus past this question's own marks and
// note to what comes after it, as Enter does in a data-entry program. Past
// the last question of a section, that is "Successiva", not "Precedente"
// (which comes first among the buttons under the section).
func (v *questionView) focusNextQuestion() {
	c := fyne.CurrentApp().Driver().CanvasForObject(v.focus.(fyne.CanvasObject))
	if c == nil {
		return
	}
	c.FocusNext()
	for range 3 + len(v.boxes) {
		if !v.ownMark(c.Focused()) {
			break
		}
		c.FocusNext()
	}
	if c.Focused() == v.f.prev && !v.f.next.Disabled() {
		c.Focus(v.f.next)
	}
}

// ownMark reports whether f is one of this question's marks or its note,
// or another box of its own list, which Enter goes past.
func (v *questionView) ownMark(f fyne.Focusable) bool {
	switch f {
	case nil:
		return false
	case v.notHeld, v.reason, v.note:
		return true
	}
	for _, b := range v.boxes {
		if f == b {
			return true
		}
	}
	return false
}

// typedHint says what a code typed into a choice narrows to: nothing when
// it chose the one option it fits.
func typedHint(typed string, matches []int, keys []typeKey, texts []string) string {
	if typed == "" {
		return ""
	}
	if len(matches) == 0 {
		return lang.L("form.typed_none", map[string]any{"Typed": typed})
	}
	var others []string
	exact := false
	for _, i := range matches {
		if strings.EqualFold(keys[i].code, typed) {
			exact = true
			continue
		}
		others = append(others, texts[i])
	}
	if len(others) == 0 || !exact && len(matches) == 1 {
		return ""
	}
	const shown = 4
	list := strings.Join(others[:min(len(others), shown)], "; ")
	if len(others) > shown {
		list += lang.L("form.typed_more_count", map[string]any{"Count": len(others) - shown})
	}
	key := "form.typed_some"
	if exact {
		key = "form.typed_also"
	}
	return lang.L(key, map[string]any{"Typed": typed, "Options": list})
}

func indexOf(opts []Option, code string) int {
	return slices.IndexFunc(opts, func(o Option) bool { return o.Code == code })
}

// apply shows or hides the question and its finding; it reports whether its
// visibility changed, so the page is laid out again.
func (v *questionView) apply(hidden map[string]bool, issues map[string]Issue) bool {
	changed := false
	if h := hidden[v.path]; h != v.hidden {
		v.hidden = h
		if h {
			v.box.Hide()
		} else {
			v.box.Show()
		}
		changed = true
	}
	msg, imp := "", widget.DangerImportance
	if v.typing {
		// Nothing to say mid-word; a finding shown goes as soon as typing
		// starts, and what there is to say comes when the field is left.
	} else if v.local != "" {
		msg = v.local
	} else if is, ok := issues[v.path]; ok {
		msg = v.bare(is.Message)
		if is.Severity == Warning {
			imp = widget.WarningImportance
		}
	}
	if msg != v.shown || imp != v.issue.Importance {
		v.shown = msg
		v.issue.Importance = imp
		v.issue.SetText(msg)
		if msg == "" {
			v.issue.Hide()
		} else {
			v.issue.Show()
		}
		changed = true
	}
	if v.group != nil {
		for _, it := range v.group.views {
			for _, c := range it {
				if c.apply(hidden, issues) {
					changed = true
				}
			}
		}
	}
	return changed
}

// bare is a finding's message without the question's label in front: the
// label is already beside it.
func (v *questionView) bare(msg string) string {
	return strings.TrimPrefix(msg, v.q.Label+": ")
}

func (v *questionView) setComment(c string) {
	if c == "" {
		v.commentBox.Hide()
		return
	}
	v.comment.SetText(lang.L("form.comment", map[string]any{"Comment": c}))
	v.commentBox.Show()
}

// groupView is a repeat group: one card per item, each with the group's
// questions, and a button to add an item.
type groupView struct {
	qv    *questionView
	box   *fyne.Container
	list  *fyne.Container
	add   *focusButton
	items []map[string]any
	views [][]*questionView
	on    bool
}

func newGroupView(qv *questionView) *groupView {
	g := &groupView{qv: qv, on: true}
	g.items = items(qv.ans.get(qv.q.ID))
	name := qv.q.ItemName
	if name == "" {
		name = lang.L("form.item")
	}
	g.add = newFocusButton(lang.L("form.add_item", map[string]any{"Item": name}), g.addItem)
	g.add.Icon = theme.ContentAddIcon()
	g.add.onFocus = func(fyne.CanvasObject) { qv.f.reveal(g.add) }
	g.list = container.NewVBox()
	// The shortcut, where the researcher looks for the button.
	hint := widget.NewLabel(lang.L("form.add_item_shortcut"))
	hint.SizeName = theme.SizeNameCaptionText
	hint.Importance = widget.LowImportance
	g.box = container.NewVBox(g.list, container.NewHBox(g.add, hint))
	g.rebuild()
	return g
}

func (g *groupView) itemTitle(i int) string {
	name := g.qv.q.ItemName
	if name == "" {
		name = lang.L("form.item")
	}
	return lang.L("form.item_title", map[string]any{"Item": name, "N": i + 1})
}

func (g *groupView) rebuild() {
	f := g.qv.f
	for _, it := range g.views {
		for _, c := range it {
			delete(f.views, c.path)
		}
	}
	g.views = g.views[:0]
	cards := make([]fyne.CanvasObject, 0, len(g.items))
	filling := f.filling
	f.filling = true
	for i, item := range g.items {
		i := i
		remove := newFocusButton(lang.L("form.remove_item"), func() { g.removeItem(i) })
		remove.Icon = theme.DeleteIcon()
		remove.Importance = widget.LowImportance
		remove.onFocus = func(o fyne.CanvasObject) { f.reveal(o) }
		if !g.on {
			remove.Disable()
		}
		head := container.NewHBox(widget.NewLabelWithStyle(g.itemTitle(i), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), layout.NewSpacer(), remove)
		objs := []fyne.CanvasObject{head}
		var vs []*questionView
		for fi := range g.qv.q.Fields {
			fq := &g.qv.q.Fields[fi]
			c := f.newQuestion(fq, ItemPath(g.qv.q.ID, i, fq.ID), answers{rec: f.rec, item: item}, g.qv.page, g, i)
			vs = append(vs, c)
			objs = append(objs, c.box)
		}
		g.views = append(g.views, vs)
		cards = append(cards, widget.NewCard("", "", container.NewVBox(objs...)))
	}
	f.filling = filling
	g.list.Objects = cards
	g.list.Refresh()
	f.cover()
	if g.qv.q.MaxItems > 0 && len(g.items) >= g.qv.q.MaxItems || !g.on {
		g.add.Disable()
	} else {
		g.add.Enable()
	}
}

func (g *groupView) store() {
	g.qv.ans.set(g.qv.q.ID, itemsValue(g.items))
}

// addItem adds an empty item at the end; the scroll stays, moving only as
// far as needed to show the new item, and the focus goes to its first field.
func (g *groupView) addItem() {
	f := g.qv.f
	g.items = append(g.items, map[string]any{})
	g.store()
	g.rebuild()
	f.layoutPage()
	f.changed(g.qv)
	i := len(g.views) - 1
	g.focusItem(i)
	f.reveal(g.list.Objects[i])
}

// removeItem asks, then removes item i; the focus goes to the item that
// takes its place, else the one before it, else to "Aggiungi".
func (g *groupView) removeItem(i int) {
	f := g.qv.f
	dialogs.Confirm(f.win, lang.L("form.remove_item"), lang.L("form.remove_confirm", map[string]any{"Item": g.itemTitle(i)}),
		lang.L("form.remove_item"), lang.L("common.cancel"), func() {
			if i >= len(g.items) {
				return
			}
			g.items = slices.Delete(g.items, i, i+1)
			// Notes and "not held" marks follow their items down the list.
			renumberMeta(f.rec, g.qv.q.ID, i, len(g.items)+1, g.qv.q.Fields)
			g.store()
			g.rebuild()
			f.layoutPage()
			f.changed(g.qv)
			g.focusItem(min(i, len(g.views)-1))
		})
}

// focusItem focuses the first field of item i (or "Aggiungi" when there is
// no such item) and scrolls it into view.
func (g *groupView) focusItem(i int) {
	f := g.qv.f
	if f.win == nil {
		return
	}
	if i >= 0 && i < len(g.views) && len(g.views[i]) > 0 && g.views[i][0].focus != nil {
		first := g.views[i][0]
		f.win.Canvas().Focus(first.focus)
		f.reveal(first.box)
		return
	}
	f.win.Canvas().Focus(g.add)
	f.reveal(g.add)
}

func (g *groupView) setEnabled(on bool) {
	g.on = on
	if on && (g.qv.q.MaxItems == 0 || len(g.items) < g.qv.q.MaxItems) {
		g.add.Enable()
	} else {
		g.add.Disable()
	}
	for _, it := range g.views {
		for _, c := range it {
			c.applyEnabled()
		}
	}
}

// renumberMeta moves the notes of items after removed one place up.
func renumberMeta(rec *survey.Record, group string, removed, count int, fields []Question) {
	if rec.Meta == nil {
		return
	}
	for _, fq := range fields {
		delete(rec.Meta, ItemPath(group, removed, fq.ID))
		for j := removed + 1; j < count; j++ {
			if m, ok := rec.Meta[ItemPath(group, j, fq.ID)]; ok {
				rec.Meta[ItemPath(group, j-1, fq.ID)] = m
				delete(rec.Meta, ItemPath(group, j, fq.ID))
			}
		}
	}
}

// AddItem adds an item to a repeat group of the section shown, as its
// "Aggiungi" does (the app's shortcut for it, Alt+A): to the group the focus
// is in (the innermost), else to the first group after the focused field,
// else to the section's last group. The focus goes to the new item's first
// field and the scroll follows it. It reports whether an item was added.
func (f *Form) AddItem() bool {
	if f.readOnly {
		return false
	}
	var groups []*groupView
	var collect func(vs []*questionView)
	collect = func(vs []*questionView) {
		for _, v := range vs {
			if v.group == nil || !v.box.Visible() {
				continue
			}
			groups = append(groups, v.group)
			for _, it := range v.group.views {
				collect(it)
			}
		}
	}
	collect(f.pages[f.cur].views)
	if len(groups) == 0 {
		return false
	}
	g := groups[len(groups)-1]
	if o := f.focusedIn(); o != nil {
		at, _ := posIn(f.scroll.Content, o)
		inside, after := (*groupView)(nil), (*groupView)(nil)
		for _, gv := range groups {
			if _, ok := posIn(gv.box, o); ok {
				inside = gv // nested groups come after the group that holds them
			}
			if p, ok := posIn(f.scroll.Content, gv.box); ok && after == nil && p.Y > at.Y {
				after = gv
			}
		}
		switch {
		case inside != nil:
			g = inside
		case after != nil:
			g = after
		}
	}
	if g.add.Disabled() {
		return false
	}
	g.addItem()
	return true
}
