package form

import (
	"fmt"
	"image/color"
	"reflect"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/survey"
	"sinba/ui/loop"
	"sinba/ui/palette"
)

// Form is an instrument rendered for one record: a list of sections on the
// left, the current section's questions in a scroll, and the buttons to move
// between sections. Every edit goes straight into the record.
type Form struct {
	Spec *Spec
	rec  *survey.Record
	win  fyne.Window

	// OnChanged is called after every edit, on the UI goroutine.
	OnChanged func()

	pages    []*pageView
	views    map[string]*questionView
	cur      int
	result   Result
	findings Findings

	scroll    *container.Scroll
	sections  *widget.List
	pageLabel *widget.Label
	prev      *focusButton
	next      *focusButton // Enter presses it too: Enter reaches it from the last question
	root      fyne.CanvasObject
	legible   *palette.ReadOnly // the form, legible while read-only
	filling   bool              // widgets are being set from the record: not an edit
	readOnly  bool
	final     bool           // show the findings as finalising sees them
	proposed  map[string]any // computed answers the researcher has not changed
	comments  map[string]string
	lastFocus string

	// A relayout is pending (heightChanging), to keep relayAnchor, which
	// was at relayY, where it was.
	relayPending bool
	relayAnchor  fyne.CanvasObject
	relayY       float32
}

type pageView struct {
	page  *Page
	box   *fyne.Container
	views []*questionView
}

// New renders spec for rec in win. The form edits rec in place.
func New(spec *Spec, rec *survey.Record, win fyne.Window) *Form {
	if rec.Answers == nil {
		rec.Answers = survey.Answers{}
	}
	f := &Form{Spec: spec, rec: rec, win: win, views: map[string]*questionView{}}
	f.filling = true
	for i := range spec.Pages {
		f.pages = append(f.pages, f.buildPage(i))
	}
	f.filling = false

	f.scroll = container.NewVScroll(container.NewVBox())
	f.pageLabel = widget.NewLabel("")
	f.prev = newFocusButton(lang.L("form.previous"), f.Prev)
	f.prev.Icon = theme.NavigateBackIcon()
	f.next = newFocusButton(lang.L("form.next"), f.Next)
	f.next.Icon = theme.NavigateNextIcon()
	f.next.IconPlacement = widget.ButtonIconTrailingText
	f.sections = widget.NewList(
		func() int { return len(f.pages) },
		newSectionRow,
		func(i widget.ListItemID, o fyne.CanvasObject) { f.showSection(i, o) },
	)
	// A section chosen in the sidebar is shown with the focus on its first
	// question, where the researcher goes on typing.
	f.sections.OnSelected = func(i widget.ListItemID) {
		if i != f.cur {
			f.ShowPage(i)
			f.focusFirst()
		}
	}
	nav := container.NewHBox(f.prev, layout.NewSpacer(), f.pageLabel, layout.NewSpacer(), f.next)
	split := container.NewHSplit(f.sections, container.NewBorder(nil, nav, nil, nil, f.scroll))
	split.Offset = 0.24
	f.legible = palette.NewReadOnly(split)
	f.root = f.legible.Object
	// What can be proposed is proposed at once: the region of the
	// questionnaire's municipality, the reference date of a new record.
	if spec.Computed != nil {
		f.recompute(nil)
	}
	f.evaluate()
	f.ShowPage(0)
	return f
}

// Object is the form's widget tree, to put in a screen.
func (f *Form) Object() fyne.CanvasObject { return f.root }

// Record is the record the form edits.
func (f *Form) Record() *survey.Record { return f.rec }

// Page is the index of the section shown.
func (f *Form) Page() int { return f.cur }

// Result is what the rules said at the last edit.
func (f *Form) Result() Result { return f.result }

// Findings is what the rules said at the last edit, grouped and counted
// once: the sidebar's badges, the list of findings, the state line and the
// confirmation at finalising all show these, so they cannot disagree.
func (f *Form) Findings() Findings { return f.findings }

// Findings are the findings of one check, by section, with their counts.
type Findings struct {
	Groups   []IssueGroup
	Errors   int
	Warnings int
}

// Text says how many errors and warnings there are ("" for none).
func (fs Findings) Text() string { return CountText(fs.Errors, fs.Warnings) }

// Page is the findings about section i (zero when none).
func (fs Findings) Page(i int) IssueGroup {
	for _, g := range fs.Groups {
		if g.Page == i {
			return g
		}
	}
	return IssueGroup{Page: i}
}

// SetReadOnly disables every input (a finalised record is looked at, not
// edited, until the researcher reopens it) and draws the disabled inputs in
// the legible read-only colours (ui/palette), in every section.
// A record looked at shows what it holds: the proposals made when the form
// opened, untouched, are withdrawn.
func (f *Form) SetReadOnly(ro bool) {
	f.readOnly = ro
	if ro && len(f.proposed) > 0 {
		f.filling = true
		f.refill(f.withdraw())
		f.filling = false
		f.evaluate()
	}
	for _, v := range f.views {
		v.applyEnabled()
	}
	f.legible.Set(ro)
}

// cover draws what was just put into the form (a section shown, a repeat
// group's items rebuilt) in the form's colours: Fyne's theme override
// covers only what was in it when it was last refreshed.
func (f *Form) cover() {
	if f.legible != nil {
		f.legible.Cover()
	}
}

// sectionText is a section as the sidebar names it, with its badge.
func (f *Form) sectionText(i int) string {
	if b := f.sectionBadge(i); b != "" {
		return f.sectionTitle(i) + "  " + b
	}
	return f.sectionTitle(i)
}

func (f *Form) sectionTitle(i int) string {
	return fmt.Sprintf("%d. %s", i+1, f.pages[i].page.Title)
}

// sectionBadge counts the findings of section i ("⚠ 2 errori"), as the
// list of findings does; "" for none.
func (f *Form) sectionBadge(i int) string {
	if c := f.findings.Page(i); c.Errors+c.Warnings > 0 {
		return "⚠ " + CountText(c.Errors, c.Warnings)
	}
	return ""
}

// A row of the sidebar: the section's title, cut short with "…" where the
// sidebar is narrow (the list of findings open beside the form), and its
// badge on the right, always whole: a long title used to push the badge
// out of sight, and the sidebar then showed fewer findings than the list.
// The sidebar keeps the width it had when each row was one label: a
// strut as wide as a typical title.
func newSectionRow() fyne.CanvasObject {
	title := widget.NewLabel("")
	title.Truncation = fyne.TextTruncateEllipsis
	badge := widget.NewLabel("")
	badge.Hide()
	strut := canvas.NewRectangle(color.Transparent)
	strut.SetMinSize(fyne.NewSize(widget.NewLabel("00. section title of some length").MinSize().Width, 0))
	return container.NewStack(strut, container.NewBorder(nil, nil, nil, badge, title))
}

func (f *Form) showSection(i int, o fyne.CanvasObject) {
	row := o.(*fyne.Container).Objects[1].(*fyne.Container)
	title, badge := row.Objects[0].(*widget.Label), row.Objects[1].(*widget.Label)
	title.SetText(f.sectionTitle(i))
	if b := f.sectionBadge(i); b != "" {
		badge.SetText(b)
		badge.Show()
	} else {
		badge.Hide()
	}
	row.Refresh()
}

// CountText says how many errors and warnings there are ("2 errori, 1
// avviso"); "" for none.
func CountText(errors, warnings int) string {
	var parts []string
	if errors > 0 {
		parts = append(parts, lang.N("form.errors", errors, map[string]any{"Count": errors}))
	}
	if warnings > 0 {
		parts = append(parts, lang.N("form.warnings", warnings, map[string]any{"Count": warnings}))
	}
	return strings.Join(parts, ", ")
}

// IssueGroup is the findings about one section, in a list of issues.
type IssueGroup struct {
	Page     int // index of the section; -1 for findings about no field the form shows
	Title    string
	Issues   []Issue
	Errors   int
	Warnings int
}

// Target is the field a finding leads to: the first of its fields that the
// form shows, "" when none.
func (f *Form) Target(is Issue) string {
	for _, p := range is.Fields {
		if f.views[p] != nil {
			return p
		}
	}
	return ""
}

// Grouped is r's findings by section, in the order of the sections (those
// about no field shown first); each finding is in the section of the field
// it leads to, once. The sidebar counts the same groups.
func (f *Form) Grouped(r Result) []IssueGroup {
	loose := IssueGroup{Page: -1, Title: lang.L("record.whole")}
	pages := make([]IssueGroup, len(f.pages))
	for _, is := range r.Issues {
		g := &loose
		if v := f.views[f.Target(is)]; v != nil {
			g = &pages[v.page]
			g.Page, g.Title = v.page, fmt.Sprintf("%d. %s", v.page+1, f.pages[v.page].page.Title)
		}
		g.Issues = append(g.Issues, is)
		if is.Severity == Error {
			g.Errors++
		} else {
			g.Warnings++
		}
	}
	var out []IssueGroup
	if len(loose.Issues) > 0 {
		out = append(out, loose)
	}
	for _, g := range pages {
		if len(g.Issues) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// IssueText is a finding as a list of issues shows it: the label of the
// field it leads to, once, and the message.
func (f *Form) IssueText(is Issue) string {
	path := f.Target(is)
	if path == "" {
		return is.Message
	}
	return f.Label(path) + ": " + f.views[path].bare(is.Message)
}

// ShowPage shows section i.
func (f *Form) ShowPage(i int) {
	if i < 0 || i >= len(f.pages) {
		return
	}
	f.cur = i
	f.scroll.Content = f.pages[i].box
	f.scroll.Offset = fyne.Position{}
	f.scroll.Refresh()
	f.cover()
	f.pageLabel.SetText(lang.L("form.page_of", map[string]any{"Page": i + 1, "Pages": len(f.pages)}))
	if i == 0 {
		f.prev.Disable()
	} else {
		f.prev.Enable()
	}
	if i == len(f.pages)-1 {
		f.next.Disable()
	} else {
		f.next.Enable()
	}
	f.sections.Select(i)
}

// Next shows the next section and focuses its first question.
func (f *Form) Next() {
	if f.cur < len(f.pages)-1 {
		f.ShowPage(f.cur + 1)
		f.focusFirst()
	}
}

// Prev shows the previous section and focuses its first question.
func (f *Form) Prev() {
	if f.cur > 0 {
		f.ShowPage(f.cur - 1)
		f.focusFirst()
	}
}

func (f *Form) focusFirst() {
	if f.win == nil || f.readOnly {
		return
	}
	for _, v := range f.pages[f.cur].views {
		if v.box.Visible() && v.focus != nil {
			f.win.Canvas().Focus(v.focus)
			return
		}
	}
}

// FocusField shows the section of the question at path, focuses it and
// scrolls it into view. It reports whether the path is a question of the form.
func (f *Form) FocusField(path string) bool {
	v := f.views[path]
	if v == nil {
		return false
	}
	if v.page != f.cur {
		f.ShowPage(v.page)
	}
	if v.focus != nil && !f.readOnly {
		f.win.Canvas().Focus(v.focus)
	}
	f.reveal(v.box)
	return true
}

// Refill shows again the stored answer of the question at path, after the
// screen changed it.
func (f *Form) Refill(path string) {
	if v := f.views[path]; v != nil && v.fill != nil {
		f.filling = true
		v.fill()
		f.filling = false
		f.evaluate()
	}
}

// Has reports whether path is a question the form shows.
func (f *Form) Has(path string) bool { return f.views[path] != nil }

// Label returns the label of the question at path, for issue lists.
func (f *Form) Label(path string) string {
	if v := f.views[path]; v != nil {
		if v.parent != nil {
			return v.parent.itemTitle(v.item) + " · " + v.q.Label
		}
		return v.q.Label
	}
	return path
}

// follow keeps the widget that has just gained the focus (o, an input of
// the question shown in box) in view, on every focus change: Tab, Shift+Tab,
// a click, a link to a field. Nothing moves while o is in view already;
// else the section scrolls just enough to show the whole question when the
// view holds it, or o itself (a checkbox far down a long grid) when it does
// not.
func (f *Form) follow(box, o fyne.CanvasObject) {
	p, ok := posIn(f.scroll.Content, o)
	if !ok {
		return
	}
	top, bottom := p.Y, p.Y+o.Size().Height
	off, view := f.scroll.Offset.Y, f.scroll.Size().Height
	if top >= off && bottom <= off+view {
		return
	}
	if box != nil && box.Size().Height <= view {
		f.reveal(box)
		return
	}
	f.revealSpan(top, bottom)
}

// reveal scrolls the section just enough that o is in view (its top, when
// it is taller than the view).
func (f *Form) reveal(o fyne.CanvasObject) {
	p, ok := posIn(f.scroll.Content, o)
	if !ok {
		return
	}
	f.revealSpan(p.Y, p.Y+o.Size().Height)
}

// revealSpan scrolls the section just enough that the span from top to
// bottom of its content is in view (its top, when it is taller).
func (f *Form) revealSpan(top, bottom float32) {
	view := f.scroll.Size().Height
	off := f.scroll.Offset.Y
	switch {
	case top < off:
		off = top
	case bottom > off+view:
		off = min(top, bottom-view)
	default:
		return
	}
	f.scroll.ScrollToOffset(fyne.NewPos(0, max(0, off)))
}

// posIn is the position of o inside root, found through the containers and
// cards of the form. The driver cannot be asked: it knows no position of an
// object it has not painted yet (an item just added), and answers (0, 0).
func posIn(root, o fyne.CanvasObject) (fyne.Position, bool) {
	if root == o {
		return fyne.Position{}, true
	}
	var kids []fyne.CanvasObject
	switch r := root.(type) {
	case *fyne.Container:
		kids = r.Objects
	case *widget.Card:
		if r.Content != nil {
			kids = []fyne.CanvasObject{r.Content}
		}
	}
	for _, k := range kids {
		if k == nil || !k.Visible() {
			continue
		}
		if p, ok := posIn(k, o); ok {
			return p.Add(k.Position()), true
		}
	}
	return fyne.Position{}, false
}

// layoutPage lays the section out again at once, after items were added or
// removed, so that positions are right before the driver's next frame.
func (f *Form) layoutPage() {
	c := f.scroll.Content
	box, ok := c.(*fyne.Container)
	if !ok {
		return
	}
	min, view := c.MinSize(), f.scroll.Size()
	size := fyne.NewSize(max(min.Width, view.Width), max(min.Height, view.Height))
	if size != c.Size() {
		c.Resize(size)
	} else if box.Layout != nil {
		box.Layout.Layout(box.Objects, size)
	}
}

// heightChanging is told, while the section is being laid out, that a part
// of it changed its height (a grid of checkboxes changed its columns): what
// comes after it is laid out again later, on the UI goroutine (relayout),
// and the section scrolls by what the focused field moved, or, without a
// focused field on it (a dialog holds the focus, as when finalising opens
// the list of findings beside the form), the question at the top of the
// view, so that it stays where the researcher sees it. Where it was is
// taken now: other layouts may come before relayout.
func (f *Form) heightChanging() {
	if f.scroll == nil || f.relayPending {
		return
	}
	f.relayPending = true
	f.relayAnchor = f.focusedIn()
	if f.relayAnchor == nil {
		f.relayAnchor = f.topShown()
	}
	if f.relayAnchor != nil {
		p, _ := posIn(f.scroll.Content, f.relayAnchor)
		f.relayY = p.Y
	}
	loop.Do(f.relayout)
}

func (f *Form) relayout() {
	anchor := f.relayAnchor
	f.relayPending, f.relayAnchor = false, nil
	f.layoutPage()
	if anchor != nil {
		if p, ok := posIn(f.scroll.Content, anchor); ok && p.Y != f.relayY {
			f.scroll.ScrollToOffset(fyne.NewPos(0, max(0, f.scroll.Offset.Y+p.Y-f.relayY)))
		}
	}
	f.scroll.Refresh()
}

// topShown is the first question of the section shown that starts in the
// view (a question above it, the grid of codes say, may be what changed
// height), else the one the view is in; nil if none.
func (f *Form) topShown() fyne.CanvasObject {
	var spanning fyne.CanvasObject
	off := f.scroll.Offset.Y
	for _, v := range f.pages[f.cur].views {
		if !v.box.Visible() {
			continue
		}
		p, ok := posIn(f.scroll.Content, v.box)
		switch {
		case !ok:
		case p.Y >= off:
			return v.box
		case p.Y+v.box.Size().Height > off:
			spanning = v.box
		}
	}
	return spanning
}

// focusedIn is the focused widget, when it is on the section shown.
func (f *Form) focusedIn() fyne.CanvasObject {
	if f.win == nil {
		return nil
	}
	o, _ := f.win.Canvas().Focused().(fyne.CanvasObject)
	if o == nil {
		return nil
	}
	if _, ok := posIn(f.scroll.Content, o); !ok {
		return nil
	}
	return o
}

// keepInPlace runs change (which may show or hide questions and findings
// above the focused field) and scrolls by what the focused field moved, so
// that it stays where the researcher sees it.
func (f *Form) keepInPlace(change func()) {
	anchor := f.focusedIn()
	if anchor == nil || f.scroll == nil {
		change()
		return
	}
	before, _ := posIn(f.scroll.Content, anchor)
	change()
	f.layoutPage()
	after, ok := posIn(f.scroll.Content, anchor)
	if d := after.Y - before.Y; ok && d != 0 {
		f.scroll.ScrollToOffset(fyne.NewPos(0, max(0, f.scroll.Offset.Y+d)))
	}
}

// Validate runs the rules as finalising does and shows every finding beside
// its field.
func (f *Form) Validate(final bool) Findings {
	f.final = final
	for _, v := range f.views {
		v.typing = false // finalising says everything, the field being typed too
	}
	f.check(final)
	return f.findings
}

// Keep makes the answers the form proposed the record's own: the record was
// saved final with them, and a record looked at shows what it holds.
// (Withdrawn when the form turned read-only, they left the finalised record
// on screen without its age band, and a finding that was not there.)
func (f *Form) Keep() { f.proposed = map[string]any{} }

func (f *Form) changed(v *questionView) {
	if f.filling {
		return
	}
	if v != nil {
		f.lastFocus = v.path
	}
	f.keepInPlace(func() {
		if f.Spec.Computed != nil {
			f.recompute(v)
		}
		f.evaluate()
	})
	if f.OnChanged != nil {
		f.OnChanged()
	}
}

// recompute refreshes the proposed answers. A proposal the researcher has
// not touched is withdrawn and proposed again, so the age band follows the
// birth year while it is being typed; one they changed is theirs. One they
// have just emptied (origin, the question edited) stays empty while they
// type their own; a later change elsewhere proposes it again.
func (f *Form) recompute(origin *questionView) {
	f.filling = true
	defer func() { f.filling = false }()
	refill := f.withdraw()
	for _, id := range f.Spec.Computed(f.rec) {
		if origin != nil && origin.parent == nil && origin.path == id {
			delete(f.rec.Answers, id)
			delete(refill, id)
			continue
		}
		f.proposed[id] = f.rec.Answers[id]
		refill[id] = true
	}
	f.refill(refill)
}

// withdraw takes back the proposals the researcher has not changed and
// returns the ids of every proposal there was.
func (f *Form) withdraw() map[string]bool {
	ids := make(map[string]bool, len(f.proposed))
	for id, v := range f.proposed {
		if reflect.DeepEqual(f.rec.Answers[id], v) {
			delete(f.rec.Answers, id)
		}
		ids[id] = true
	}
	f.proposed = map[string]any{}
	return ids
}

// refill shows again the stored answers of the questions ids.
func (f *Form) refill(ids map[string]bool) {
	for id := range ids {
		if cv := f.views[id]; cv != nil && cv.fill != nil {
			cv.fill()
		}
	}
}

func (f *Form) evaluate() { f.check(f.final) }

// SetFinal makes the form show, from now on, every finding that finalising
// would report (required answers included), updated as the researcher fixes
// them.
func (f *Form) SetFinal(on bool) {
	f.final = on
	f.evaluate()
}

func (f *Form) check(final bool) {
	var r Result
	if f.Spec.Check != nil {
		r = f.Spec.Check(f.rec, final)
	}
	f.result = r
	byPath := make(map[string]Issue, len(r.Issues))
	for _, is := range r.Issues {
		for _, path := range is.Fields {
			if old, ok := byPath[path]; !ok || (old.Severity == Warning && is.Severity == Error) {
				byPath[path] = is
			}
		}
	}
	f.findings = Findings{Groups: f.Grouped(r)}
	for _, g := range f.findings.Groups {
		f.findings.Errors += g.Errors
		f.findings.Warnings += g.Warnings
	}
	for _, p := range f.pages {
		relayout := false
		for _, v := range p.views {
			if v.apply(r.Hidden, byPath) {
				relayout = true
			}
		}
		if relayout {
			p.box.Refresh()
		}
	}
	if f.sections != nil {
		f.sections.Refresh()
	}
}

// SetComments shows the coordinator's comments beside the fields they
// concern; comments keyed by a path the form does not show are returned, for
// the screen to show on their own.
func (f *Form) SetComments(comments map[string]string) (unplaced map[string]string) {
	f.comments = comments
	unplaced = map[string]string{}
	for _, v := range f.views {
		v.setComment("")
	}
	for path, c := range comments {
		if v := f.views[path]; v != nil {
			v.setComment(c)
		} else {
			unplaced[path] = c
		}
	}
	for _, p := range f.pages {
		p.box.Refresh()
	}
	return unplaced
}

func (f *Form) buildPage(i int) *pageView {
	p := &f.Spec.Pages[i]
	pv := &pageView{page: p}
	objs := []fyne.CanvasObject{widget.NewLabelWithStyle(p.Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	if p.Intro != "" {
		intro := widget.NewLabel(p.Intro)
		intro.Wrapping = fyne.TextWrapWord
		objs = append(objs, intro)
	}
	top := answers{rec: f.rec}
	for qi := range p.Questions {
		v := f.newQuestion(&p.Questions[qi], p.Questions[qi].ID, top, i, nil, 0)
		pv.views = append(pv.views, v)
		objs = append(objs, v.box)
	}
	pv.box = container.New(gutter{layout.NewVBoxLayout()}, objs...)
	return pv
}

// gutter lays a page out as its inner layout does, short of a strip on the
// right as wide as the scroll bar: Fyne draws the bar over the content, and
// it hid the right edge of the inputs and a repeat group's "Rimuovi".
type gutter struct{ inner fyne.Layout }

func gutterWidth() float32 { return theme.Size(theme.SizeNameScrollBar) }

func (g gutter) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	g.inner.Layout(objs, fyne.NewSize(max(0, size.Width-gutterWidth()), size.Height))
}

func (g gutter) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return g.inner.MinSize(objs).AddWidthHeight(gutterWidth(), 0)
}
