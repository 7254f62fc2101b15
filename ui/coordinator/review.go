package coordinator

import (
	"fmt"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"sinba/survey"
	"sinba/survey/quality"
)

// queue is the records waiting for a decision: sent final by a laptop, new
// or changed since the last decision.
func (ws *Workspace) queue() []quality.Entry {
	var q []quality.Entry
	for _, e := range sortedEntries(ws.entries) {
		if e.Status == survey.StatusFinal {
			q = append(q, e)
		}
	}
	return q
}

func (ws *Workspace) entryLabel(e quality.Entry) string {
	who := e.Record.Municipality
	if ws.deps.Ref != nil {
		if m, ok := ws.deps.Ref.Municipality(e.Record.Municipality); ok {
			who = m.Name
		}
	}
	id := e.Record.ID
	if p, ok := e.Record.Answers["IDBeneficiario"].(string); ok && p != "" {
		id = p
	}
	if len(id) > 12 {
		id = id[:12]
	}
	kind := "●"
	if e.Record.Instrument == survey.InstrumentMunicipality {
		kind = "■"
	}
	return fmt.Sprintf("%s %s · %s · %s", kind, who, e.Team, id)
}

func (ws *Workspace) reviewScreen() fyne.CanvasObject {
	q := ws.queue()
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
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(ws.entryLabel(q[i])) })
	list.OnSelected = func(i widget.ListItemID) {
		ws.selected = q[i].Record.ID
		detail.Objects = []fyne.CanvasObject{ws.recordPanel(q[i])}
		detail.Refresh()
	}
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

// answerText is an answer as the coordinator reads it, with the pilot's
// marks.
func (ws *Workspace) answerText(rec survey.Record, field string) string {
	var parts []string
	if v, ok := rec.Answers[field]; ok {
		parts = append(parts, fmt.Sprint(v))
	}
	if m, ok := rec.Meta[field]; ok {
		if m.NotHeld {
			parts = append(parts, "["+ws.tr("review.notheld")+"]")
		}
		if m.Note != "" {
			parts = append(parts, ws.tr("review.note", m.Note))
		}
	}
	return strings.Join(parts, " ")
}

// recordPanel shows one record: its answers, a composer of comments per
// field, its history, and the two decisions.
func (ws *Workspace) recordPanel(e quality.Entry) fyne.CanvasObject {
	rec := e.Record
	var fields []string
	seen := map[string]bool{}
	if in, ok := ws.deps.Registry.Latest(rec.Instrument); ok {
		for _, q := range in.Questions() {
			if _, answered := rec.Answers[q.ID]; answered || rec.Meta[q.ID] != (survey.FieldMeta{}) {
				fields = append(fields, q.ID)
				seen[q.ID] = true
			}
		}
	}
	var extra []string
	for f := range rec.Answers {
		if !seen[f] {
			extra = append(extra, f)
		}
	}
	sort.Strings(extra)
	fields = append(fields, extra...)

	answers := container.NewVBox()
	for _, f := range fields {
		l := widget.NewLabel(ws.answerText(rec, f))
		l.Wrapping = fyne.TextWrapWord
		answers.Add(widget.NewForm(widget.NewFormItem(ws.fieldLabel(rec.Instrument, f), l)))
	}

	var pending []Comment
	options := append([]string{ws.tr("review.whole")}, fields...)
	field := widget.NewSelect(options, nil)
	field.SetSelectedIndex(0)
	text := widget.NewMultiLineEntry()
	text.SetPlaceHolder(ws.tr("review.comment"))
	text.SetMinRowsVisible(2)
	pendingLabel := widget.NewLabel(ws.tr("review.comments", 0))
	pendingList := widget.NewLabel("")
	pendingList.Wrapping = fyne.TextWrapWord
	add := widget.NewButton(ws.tr("review.add"), func() {
		t := strings.TrimSpace(text.Text)
		if t == "" {
			return
		}
		f := field.Selected
		if field.SelectedIndex() == 0 {
			f = ""
		}
		pending = append(pending, Comment{Field: f, Text: t})
		text.SetText("")
		pendingLabel.SetText(ws.tr("review.comments", len(pending)))
		var lines []string
		for _, c := range pending {
			name := ws.tr("review.whole")
			if c.Field != "" {
				name = ws.fieldLabel(rec.Instrument, c.Field)
			}
			lines = append(lines, "• "+name+": "+c.Text)
		}
		pendingList.SetText(strings.Join(lines, "\n"))
	})
	decide := func(d survey.Status) {
		if d == survey.StatusReturned && len(pending) == 0 {
			dialog.ShowInformation(ws.tr("review.return"), ws.tr("review.needs"), ws.win)
			return
		}
		c, cancel := ctx()
		defer cancel()
		if err := ws.deps.Backend.Review(c, rec.ID, d, pending); err != nil {
			ws.showError(err)
			return
		}
		ws.status.SetText(ws.tr("review.done"))
		ws.Reload()
		ws.tabs.Select(ws.review)
	}
	approve := widget.NewButton(ws.tr("review.approve"), func() { decide(survey.StatusApproved) })
	approve.Importance = widget.SuccessImportance
	ret := widget.NewButton(ws.tr("review.return"), func() { decide(survey.StatusReturned) })
	ret.Importance = widget.WarningImportance

	composer := widget.NewCard(ws.tr("review.comment"), "", container.NewVBox(
		widget.NewForm(widget.NewFormItem(ws.tr("review.field"), field)), text, add, pendingLabel, pendingList,
		container.NewHBox(approve, ret)))
	body := container.NewVBox(
		widget.NewLabelWithStyle(ws.entryLabel(e), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		composer, ws.historyCard(rec.ID), widget.NewCard("", "", answers))
	return container.NewVScroll(body)
}

func (ws *Workspace) historyCard(id string) fyne.CanvasObject {
	c, cancel := ctx()
	defer cancel()
	hist, err := ws.deps.Backend.History(c, id)
	box := container.NewVBox()
	if err != nil {
		box.Add(widget.NewLabel(ws.errText(err)))
	}
	for _, v := range hist {
		who := ws.tr("review.byLaptop")
		if v.ByCoord {
			who = ws.tr("review.byCoord")
		}
		line := fmt.Sprintf("%s · %s · %s", v.At.UTC().Format("2006-01-02 15:04"), ws.statusName(v.Status), who)
		box.Add(widget.NewLabel(line))
		for _, c := range v.Comments {
			name := ws.tr("review.whole")
			if c.Field != "" {
				name = c.Field
			}
			l := widget.NewLabel("    " + name + ": " + c.Text)
			l.Wrapping = fyne.TextWrapWord
			box.Add(l)
		}
	}
	return widget.NewCard(ws.tr("review.history"), "", box)
}
