package ui

import (
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/survey"
	"sinba/ui/dialogs"
	"sinba/ui/form"
	"sinba/ui/loop"
)

// AutosaveDelay is how long after the last edit a draft saves itself.
var AutosaveDelay = 2 * time.Second

// recordScreen is a municipality questionnaire or a case record being
// edited: the form, the save state, and the findings of the last attempt
// to finalise.
type recordScreen struct {
	a         *App
	rec       *survey.Record
	row       *RecordRow
	form      *form.Form
	saved     *widget.Label
	issues    *fyne.Container // the list of findings, each a link to its field
	panel     fyne.CanvasObject
	panelCard *widget.Card // the panel's card: its subtitle counts the findings
	body      *fyne.Container
	saveBtn   *dialogs.Button // hidden while finalised: nothing to save
	reopen    *dialogs.Button
	final     *dialogs.Button
	version   *widget.Label   // which instrument version the record uses
	newer     *fyne.Container // a newer version exists: the line and "Passa alla versione N…"

	reviewCard *widget.Card    // the coordinators' threads, when the record has any open
	threads    *fyne.Container // inside reviewCard

	dirty bool
	timer *time.Timer
	gen   int // edits so far: a pending autosave of an older edit is skipped
	// pseudonymFor is the codice fiscale the pseudonym was last derived
	// from while typing (pseudonymFromFiscalCode).
	pseudonymFor string
}

func (a *App) openRecord(id string) {
	if !a.leaveRecord() {
		return
	}
	cx, cancel := ctx()
	rec, row, err := a.store.Get(cx, id)
	cancel()
	if err != nil {
		dialogs.Error(a.win, a.errText(err))
		return
	}
	if row.Conflict {
		a.showConflict(row)
		return
	}
	a.showRecord(rec, &row)
}

// showRecord opens the form of rec; row is nil for a record not saved yet.
func (a *App) showRecord(rec survey.Record, row *RecordRow) {
	if a.opts.Instruments == nil {
		dialogs.Error(a.win, T("record.no_instruments"))
		return
	}
	spec, err := a.opts.Instruments.Form(rec.Instrument, rec.Version, a.lang)
	if err != nil {
		dialogs.Error(a.win, a.errText(err))
		return
	}
	if rec.Version == 0 {
		rec.Version = spec.Version
	}
	r := &recordScreen{a: a, row: row}
	r.rec = &rec
	a.rec = r
	a.refresh = nil // the form is not rebuilt under the researcher's fingers
	a.setContent(r.title(spec), container.NewBorder(a.topBar(), nil, nil, nil, r.build(spec)))
	r.form.ShowPage(0)
	a.afterKey(func() {
		if a.rec == r {
			r.form.FocusField(firstQuestion(spec))
		}
	})
}

func firstQuestion(spec *form.Spec) string {
	if len(spec.Pages) > 0 && len(spec.Pages[0].Questions) > 0 {
		return spec.Pages[0].Questions[0].ID
	}
	return ""
}

func (r *recordScreen) title(spec *form.Spec) string {
	t := spec.Title + " · " + r.a.municipalityName(r.rec.Municipality)
	if r.row != nil && r.row.Label != "" {
		t += " · " + r.row.Label
	}
	return t
}

func (r *recordScreen) build(spec *form.Spec) fyne.CanvasObject {
	a := r.a
	r.form = form.New(spec, r.rec, a.win)
	r.form.OnChanged = r.changed

	heading := widget.NewLabelWithStyle(r.title(spec), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.Truncation = fyne.TextTruncateEllipsis
	// The state line wraps: a long one ("errori 12, avvisi 3: ...") must not
	// make the screen wider than the window.
	r.saved = wrapLabel(r.stateLine())
	back := newButtonWithIcon(T("record.back"), theme.NavigateBackIcon(), func() {
		if r.rec.Instrument == survey.InstrumentCase {
			a.showCases()
		} else {
			a.showHome()
		}
	})
	r.saveBtn = newButtonWithIcon(T("record.save"), theme.DocumentSaveIcon(), func() { r.saveNow(true) })
	r.final = newButtonWithIcon(T("record.finalise"), theme.ConfirmIcon(), r.finalise)
	r.final.Importance = widget.HighImportance
	r.reopen = newButtonWithIcon(T("record.reopen"), theme.DocumentCreateIcon(), r.reopenRecord)
	r.issues = container.NewVBox()
	r.panelCard = widget.NewCard(T("record.issues"), "", container.NewVScroll(r.issues))
	r.panel = container.New(fixedWidth(issuesWidth), r.panelCard)
	r.panel.Hide()

	var top []fyne.CanvasObject
	top = append(top, container.NewBorder(nil, nil, nil, container.NewHBox(back, r.saveBtn, r.printButton(), r.reopen, r.final), heading))
	top = append(top, r.saved)
	r.version = wrapLabel("")
	r.newer = container.NewVBox()
	r.showVersion()
	top = append(top, r.version, r.newer)
	if r.row != nil {
		if c := r.comments(); c != nil {
			top = append(top, c)
		}
	}
	r.applyStatus()
	r.body = container.NewBorder(container.NewVBox(top...), nil, nil, r.panel, r.form.Object())
	return r.body
}

// showVersion says which instrument version the record uses, whether the
// project has published it, and, for a draft or returned record of an older
// version, that a newer one exists, with the way to move to it.
func (r *recordScreen) showVersion() {
	a := r.a
	spec := r.form.Spec
	cur, published := a.opts.Instruments.Current(r.rec.Instrument)
	line := T("record.version", map[string]any{"Title": spec.Title, "Version": r.rec.Version})
	if r.rec.Version == cur && !published {
		line += " " + T("record.version_unpublished")
	}
	r.version.SetText(line)
	r.newer.RemoveAll()
	if r.body != nil {
		// The lines above the form change height: lay the screen out again.
		defer r.body.Refresh()
	}
	// A move goes only to a published version: the server refuses records
	// of any other, so a move to the built-in one could leave the record
	// waiting on the laptop for a publication that never comes.
	if r.row == nil || !published || cur <= r.rec.Version || !movable(r.row.Status) {
		return
	}
	move := newButtonWithIcon(T("record.move", map[string]any{"Version": cur}), theme.MoveUpIcon(), func() { r.askMove(cur) })
	r.newer.Add(container.NewBorder(nil, nil, nil, move, wrapLabel(T("record.newer", map[string]any{"Version": cur}))))
}

// movable reports whether a record in status may move to a newer version:
// only what the researcher is still working on.
func movable(st survey.Status) bool { return st == survey.StatusDraft || st == survey.StatusReturned }

// askMove shows what moving the record to version to will do and, once
// confirmed, saves the moved record as a new version of it.
func (r *recordScreen) askMove(to int) {
	a := r.a
	if !r.saveNow(false) {
		return
	}
	moved, m, err := a.opts.Instruments.Move(*r.rec, to)
	if err != nil {
		dialogs.Error(a.win, a.errText(err))
		return
	}
	body := container.NewVBox(wrapLabel(T("record.move_intro", map[string]any{"From": m.From, "To": m.To})))
	lines := a.opts.Instruments.MoveLines(r.rec.Instrument, m)
	if len(lines) == 0 {
		body.Add(wrapLabel(T("record.move_nothing")))
	}
	for _, l := range lines {
		body.Add(wrapLabel("• " + l.In(a.lang)))
	}
	body.Add(wrapLabel(T("record.move_history")))
	dialogs.Show(a.win, dialogs.Spec{
		Title: T("record.move_title", map[string]any{"Version": to}), Body: container.NewVScroll(body),
		Confirm: T("record.move_confirm", map[string]any{"Version": to}), Cancel: T("common.cancel"),
		Size:      fyne.NewSize(640, 440),
		OnConfirm: func() { r.doMove(moved, m) },
	})
}

func (r *recordScreen) doMove(moved survey.Record, m *survey.Moved) {
	a := r.a
	cx, cancel := ctx()
	row, err := a.store.SaveMoved(cx, moved, r.row.Revision, m)
	cancel()
	if err != nil {
		dialogs.Error(a.win, a.errText(err))
		return
	}
	// The form is of the old version: open the record again in the new one.
	a.rec = nil
	a.showRecord(moved, &row)
	if a.rec != nil {
		a.rec.saved.SetText(T("record.moved", map[string]any{"Version": m.To}))
	}
}

// comments shows the coordinators' review threads: each field's beside the
// field, and a card above the form that lists them all with their state, a
// link to each field and a way to reply. They stay through the researcher's
// edits until the coordinators approve the record. Opening the record marks
// its open threads seen.
func (r *recordScreen) comments() fyne.CanvasObject {
	if r.rec.ID == "" {
		return nil
	}
	st, ok := r.loadReview()
	if !ok {
		return nil
	}
	if st.OpenThreads() > 0 {
		cx, cancel := ctx()
		err := r.a.store.MarkSeen(cx, r.rec.ID)
		cancel()
		if err == nil {
			st, _ = r.loadReview()
		}
	}
	r.threads = container.NewVBox()
	r.reviewCard = widget.NewCard("", "", r.threads)
	r.showThreads(st)
	return r.reviewCard
}

// loadReview reads the record's review state; ok is false when it has no
// thread still open to the researcher's eyes (none, or all approved).
func (r *recordScreen) loadReview() (survey.ReviewState, bool) {
	cx, cancel := ctx()
	st, err := r.a.store.ReviewState(cx, r.rec.ID)
	cancel()
	if err != nil {
		return st, false
	}
	for _, t := range st.Threads {
		if t.State != survey.ThreadApproved {
			return st, true
		}
	}
	return st, false
}

// refreshThreads shows the threads' states again after a save.
func (r *recordScreen) refreshThreads() {
	if r.threads == nil {
		return
	}
	if st, ok := r.loadReview(); ok {
		r.showThreads(st)
	}
}

func (r *recordScreen) showThreads(st survey.ReviewState) {
	// Returned until finalised again; then the threads wait for the
	// coordinators' new decision.
	if st.Status == survey.StatusReturned {
		r.reviewCard.SetTitle(T("record.returned"))
		r.reviewCard.SetSubTitle(T("record.returned_help"))
	} else {
		r.reviewCard.SetTitle(T("record.review"))
		r.reviewCard.SetSubTitle(T("record.review_help"))
	}
	byField := map[string]string{}
	for _, t := range st.Threads {
		if t.State == survey.ThreadApproved {
			continue
		}
		byField[t.Field] = threadText(t) + "\n" + T("thread.state", map[string]any{"State": T("thread." + string(t.State))})
	}
	unplaced := r.form.SetComments(byField)
	r.threads.RemoveAll()
	for _, t := range st.Threads {
		if t.State == survey.ThreadApproved {
			continue
		}
		t := t
		name := T("record.whole")
		if t.Field != "" {
			name = r.form.Label(t.Field)
		}
		state := widget.NewLabel(T("thread." + string(t.State)))
		state.Importance = widget.WarningImportance
		if !t.State.Open() {
			state.Importance = widget.SuccessImportance
		}
		reply := newButtonWithIcon(T("record.reply"), theme.MailReplyIcon(), func() { r.reply(t.Field) })
		reply.Importance = widget.LowImportance
		if r.row != nil && r.row.Status != survey.StatusDraft && r.row.Status != survey.StatusReturned {
			reply.Disable() // finalised: reopen it to write
		}
		var head fyne.CanvasObject = widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		if _, ok := unplaced[t.Field]; !ok && t.Field != "" {
			b := newButton(name, func() { r.form.FocusField(t.Field) })
			b.Alignment = widget.ButtonAlignLeading
			b.Importance = widget.LowImportance
			head = b
		}
		r.threads.Add(container.NewBorder(nil, nil, nil, container.NewHBox(state, reply), head))
		// What the coordinators wrote, also for a field that shows it
		// beside itself: the banner alone tells what to correct.
		l := widget.NewLabel(threadText(t))
		l.Wrapping = fyne.TextWrapWord
		r.threads.Add(l)
	}
	r.threads.Refresh()
}

// threadText is a thread as the researcher reads it: the coordinators'
// comments, then the replies, oldest first.
func threadText(t survey.Thread) string {
	var lines []string
	for _, c := range t.Comments {
		if c.Reply {
			lines = append(lines, T("thread.reply", map[string]any{"Text": c.Text}))
		} else {
			lines = append(lines, c.Text)
		}
	}
	return strings.Join(lines, "\n")
}

// reply asks for a note to the coordinators on a thread and saves it with
// the record (it travels sealed with the next sync).
func (r *recordScreen) reply(field string) {
	entry := dialogs.NewEntry()
	entry.SetPlaceHolder(T("record.reply_hint"))
	dialogs.Show(r.a.win, dialogs.Spec{
		Title: T("record.reply_title"), Body: widget.NewForm(widget.NewFormItem(T("record.reply"), entry)),
		Confirm: T("record.reply_send"), Cancel: T("common.cancel"),
		OnConfirm: func() {
			text := strings.TrimSpace(entry.Text)
			if text == "" {
				return
			}
			r.rec.Replies = append(r.rec.Replies, survey.Comment{Field: field, Text: text, At: time.Now().UTC(), Reply: true})
			r.dirty = true
			r.gen++
			if r.saveNow(true) {
				r.refreshThreads()
			}
		},
		Focus: entry, Size: fyne.NewSize(520, 0),
	})
}

// applyStatus makes a finalised record read-only until it is reopened.
func (r *recordScreen) applyStatus() {
	locked := r.row != nil && r.row.Status != survey.StatusDraft && r.row.Status != survey.StatusReturned
	r.form.SetReadOnly(locked)
	// A finalised record cannot be edited, so there is nothing to save:
	// "Riapri per modificare" takes the place of "Salva" and "Finalizza".
	if locked {
		r.saveBtn.Hide()
		r.reopen.Show()
		r.final.Hide()
	} else {
		r.saveBtn.Show()
		r.reopen.Hide()
		r.final.Show()
	}
	if r.version != nil {
		r.showVersion()
	}
}

func (r *recordScreen) stateLine() string {
	if r.row == nil {
		return T("record.new")
	}
	return T("record.state", map[string]any{"State": T("state." + string(r.row.State())),
		"At": r.row.Updated.Local().Format("02/01/2006 15:04")})
}

// changed runs after every edit: the draft saves itself a moment later, and
// the list of findings follows the answers.
func (r *recordScreen) changed() {
	r.a.touch()
	r.dirty = true
	r.gen++
	gen := r.gen
	r.saved.SetText(T("record.unsaved"))
	r.pseudonymFromFiscalCode()
	if r.timer != nil {
		r.timer.Stop()
	}
	r.timer = time.AfterFunc(AutosaveDelay, func() {
		loop.Do(func() {
			if r.a.rec == r && r.gen == gen {
				r.saveNow(false)
			}
		})
	})
	if r.panel.Visible() {
		r.showIssues(r.form.Findings())
	}
}

// saveNow saves the record as a draft; a returned record stays returned,
// with its comments, until it is finalised again. It reports whether the
// record is safely stored.
func (r *recordScreen) saveNow(explicit bool) bool {
	if !r.dirty {
		if explicit && r.row != nil {
			r.saved.SetText(r.stateLine())
		}
		return true
	}
	if r.timer != nil {
		r.timer.Stop()
	}
	// The store keeps a returned record returned: the version is the
	// researcher's draft, the decision stays the coordinators'.
	return r.save(survey.StatusDraft)
}

func (r *recordScreen) save(status survey.Status) bool {
	if r.a.store == nil {
		return false
	}
	cx, cancel := ctx()
	base := ""
	if r.row != nil {
		base = r.row.Revision
	}
	row, err := r.a.store.Save(cx, *r.rec, status, base)
	cancel()
	if err != nil {
		r.saved.Importance = widget.DangerImportance
		r.saved.SetText(T("record.save_failed", map[string]any{"Error": r.a.errText(err)}))
		return false
	}
	r.rec.ID = row.ID
	r.row = &row
	r.dirty = false
	r.saved.Importance = widget.MediumImportance
	key := "record.saved"
	if row.Status == survey.StatusReturned {
		key = "record.saved_returned" // still returned until finalised again
	}
	r.saved.SetText(T(key, map[string]any{"At": row.Updated.Local().Format("15:04:05")}))
	r.refreshThreads()
	// A finalised record goes at once; drafts travel with the next
	// periodic round rather than one round per autosave.
	if status != survey.StatusDraft {
		r.a.kickSync()
	}
	return true
}

// finalise checks the whole record; errors are listed, each a link to its
// field; warnings ask for confirmation; a clean record is saved final.
func (r *recordScreen) finalise() {
	if err := r.fillPseudonym(); err != nil {
		// Say why the pseudonym is missing, not that it is "required".
		r.saveNow(false)
		msg := r.a.errText(err)
		if errors.Is(err, ErrNoPseudonymSecret) {
			msg = T("record.no_secret")
		}
		r.saved.Importance = widget.DangerImportance
		r.saved.SetText(msg)
		dialogs.Inform(r.a.win, T("record.finalise"), msg)
		return
	}
	fs := r.form.Validate(true)
	r.showIssues(fs)
	switch {
	case fs.Errors > 0:
		r.saveNow(false)
		r.saved.Importance = widget.DangerImportance
		r.saved.SetText(T("record.has_errors", map[string]any{"Errors": fs.Errors, "Warnings": fs.Warnings}))
		r.focusIssue(fs)
	case fs.Warnings > 0:
		dialogs.Show(r.a.win, dialogs.Spec{
			Title: T("record.finalise"), Body: dialogs.Text(T("record.confirm_warnings", map[string]any{"Warnings": fs.Warnings})),
			Confirm: T("record.finalise"), Cancel: T("common.cancel"),
			OnConfirm: r.doFinalise,
			OnCancel:  func() { r.focusIssue(fs) },
		})
	default:
		r.doFinalise()
	}
}

func (r *recordScreen) doFinalise() {
	if r.save(survey.StatusFinal) {
		r.form.Keep()
		r.form.SetFinal(false)
		r.panel.Hide()
		r.applyStatus()
		r.saved.SetText(T("record.finalised"))
		r.body.Refresh()
	}
}

func (r *recordScreen) reopenRecord() {
	r.dirty = true
	if r.save(survey.StatusDraft) {
		r.applyStatus()
		r.form.FocusField(firstQuestion(r.form.Spec))
	}
}

// focusIssue focuses the field of the first finding in the list's order.
func (r *recordScreen) focusIssue(fs form.Findings) {
	for _, g := range fs.Groups {
		for _, is := range g.Issues {
			if r.form.FocusField(r.form.Target(is)) {
				return
			}
		}
	}
}

// issuesWidth is the width of the list of findings beside the form: wide
// enough that a finding reads in two or three lines.
const issuesWidth = 340

// showIssues fills the panel of findings: a scrollable list grouped by
// section, in the sections' order, each finding once with its field's label
// once, a link that takes the researcher to its field. The counts are those
// of the sidebar.
func (r *recordScreen) showIssues(fs form.Findings) {
	r.issues.RemoveAll()
	r.panelCard.SetSubTitle(fs.Text())
	for _, g := range fs.Groups {
		head := g.Title
		if c := form.CountText(g.Errors, g.Warnings); c != "" {
			head += " · " + c
		}
		title := widget.NewLabelWithStyle(head, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		title.Wrapping = fyne.TextWrapWord
		r.issues.Add(title)
		for _, is := range g.Issues {
			r.issues.Add(r.issueEntry(is))
		}
	}
	if len(fs.Groups) == 0 {
		l := widget.NewLabel(T("record.no_issues"))
		l.Wrapping = fyne.TextWrapWord
		r.issues.Add(l)
	}
	r.panel.Show()
	r.body.Refresh()
}

// issueEntry is one finding: its icon, and its text as a link to its field
// (plain text when it concerns no field the form shows).
func (r *recordScreen) issueEntry(is form.Issue) fyne.CanvasObject {
	icon := widget.NewIcon(theme.WarningIcon())
	if is.Severity == form.Error {
		icon = widget.NewIcon(theme.ErrorIcon())
	}
	text := r.form.IssueText(is)
	var body fyne.CanvasObject
	if path := r.form.Target(is); path != "" {
		body = newIssueLink(text, func() { r.form.FocusField(path) })
	} else {
		l := widget.NewLabel(text)
		l.Wrapping = fyne.TextWrapWord
		body = l
	}
	return container.NewBorder(nil, nil, container.NewVBox(icon), nil, body)
}

// issueLink is a finding's link to its field: clicked, or Enter or Space
// from the keyboard.
type issueLink struct {
	widget.Hyperlink
}

func newIssueLink(text string, tapped func()) *issueLink {
	l := &issueLink{}
	l.Text = text
	l.Wrapping = fyne.TextWrapWord
	l.OnTapped = tapped
	l.ExtendBaseWidget(l)
	return l
}

// TypedKey implements fyne.Focusable.
func (l *issueLink) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter {
		l.OnTapped()
		return
	}
	l.Hyperlink.TypedKey(ev)
}

// fixedWidth lays its objects out at a given width and the height they get.
type fixedWidth float32

func (w fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(float32(w), h)
}

func (w fixedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.Position{})
		o.Resize(size)
	}
}

// fillPseudonym gives the child an IDBeneficiario: derived from the codice
// fiscale where the store can (same child, same code on every laptop), also
// replacing the random one given before the codice fiscale was known or a
// different one typed by hand; random where the child has no codice fiscale
// and no pseudonym yet, or has one that looks like a codice fiscale. It
// returns why a pseudonym due from the codice fiscale cannot be computed
// for a child who has none (e.g. ErrNoPseudonymSecret before the project
// secret has arrived); a pseudonym already there is kept until it can.
func (r *recordScreen) fillPseudonym() error {
	if r.rec.Instrument != survey.InstrumentCase {
		return nil
	}
	cur, _ := r.rec.Answers["IDBeneficiario"].(string)
	var p string
	var err error
	if r.rec.Identity != nil && r.rec.Identity.FiscalCode != "" {
		if !survey.DecodeFiscalCode(r.rec.Identity.FiscalCode, nil).Valid {
			return nil // the codice fiscale's own field says what is wrong with it
		}
		ps, ok := r.a.store.(Pseudonymizer)
		if !ok {
			return nil
		}
		if p, err = ps.Pseudonym(r.rec.Identity.FiscalCode); err != nil {
			if cur != "" {
				return nil // kept until the derived one can be computed
			}
			return err
		}
	} else if cur == "" || survey.LooksLikeFiscalCode(cur) {
		if p, err = survey.RandomPseudonym(); err != nil {
			return nil // the rule on the required field says it
		}
	}
	if p == "" || p == cur {
		return nil
	}
	r.rec.Answers["IDBeneficiario"] = p
	r.dirty = true
	r.form.Refill("IDBeneficiario")
	return nil
}

// pseudonymFromFiscalCode fills the child's pseudonym as soon as a whole
// codice fiscale is typed, where the laptop can derive it (the project
// secret held, the code valid), rather than at finalising only: an empty
// required "Codice pseudonimo" would invite typing one by hand. What cannot
// be derived yet is said at finalising, as before.
func (r *recordScreen) pseudonymFromFiscalCode() {
	if r.rec.Identity == nil {
		return
	}
	cf := survey.NormalizeFiscalCode(r.rec.Identity.FiscalCode)
	if len(cf) != 16 || cf == r.pseudonymFor {
		return
	}
	r.pseudonymFor = cf
	_ = r.fillPseudonym()
}

// leaveRecord saves the record being edited before another screen replaces
// it; it reports false, and keeps the form, when the save failed.
func (a *App) leaveRecord() bool {
	r := a.rec
	if r == nil {
		return true
	}
	if r.timer != nil {
		r.timer.Stop()
	}
	if r.dirty && !r.saveNow(false) {
		dialogs.Error(a.win, r.saved.Text)
		return false
	}
	a.rec = nil
	return true
}

type plainError string

func (e plainError) Error() string { return string(e) }

func errorf(s string) error { return plainError(s) }
