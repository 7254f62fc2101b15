package ui

import (
	"reflect"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"sinba/survey"
	"sinba/ui/dialogs"
	"sinba/ui/form"
)

// conflictField is one question on which the two versions disagree.
type conflictField struct {
	q            *form.Question
	mine, theirs any
	meta         [2]survey.FieldMeta
	takeTheirs   bool
}

// differences lists, in page order, the questions whose answer, "not held"
// mark or note differ between two versions of a record.
func differences(spec *form.Spec, mine, theirs *survey.Record) []*conflictField {
	var out []*conflictField
	for pi := range spec.Pages {
		for qi := range spec.Pages[pi].Questions {
			q := &spec.Pages[pi].Questions[qi]
			a, b := form.Value(mine, q.ID), form.Value(theirs, q.ID)
			ma, mb := mine.Meta[q.ID], theirs.Meta[q.ID]
			if !reflect.DeepEqual(a, b) || ma != mb {
				out = append(out, &conflictField{q: q, mine: a, theirs: b, meta: [2]survey.FieldMeta{ma, mb}})
			}
		}
	}
	return out
}

// merge builds the version a person chose: this laptop's, with the other
// version's answer wherever they picked it.
func merge(mine, theirs *survey.Record, fields []*conflictField) survey.Record {
	out := form.Clone(*mine)
	for _, f := range fields {
		if !f.takeTheirs {
			continue
		}
		form.SetValue(&out, f.q.ID, f.theirs)
		if out.Meta == nil {
			out.Meta = map[string]survey.FieldMeta{}
		}
		if f.meta[1] == (survey.FieldMeta{}) {
			delete(out.Meta, f.q.ID)
		} else {
			out.Meta[f.q.ID] = f.meta[1]
		}
	}
	return out
}

// showConflict puts the two versions of a record side by side, field by
// field, for a person to choose: nothing is overwritten without them.
func (a *App) showConflict(row RecordRow) {
	cx, cancel := ctx()
	mine, theirs, err := a.store.Conflict(cx, row.ID)
	cancel()
	if err != nil {
		dialogs.Error(a.win, a.errText(err))
		return
	}
	spec, err := a.opts.Instruments.Form(mine.Instrument, mine.Version, a.lang)
	if err != nil {
		dialogs.Error(a.win, a.errText(err))
		return
	}
	fields := differences(spec, &mine, &theirs)
	a.show(T("conflict.title"), func() fyne.CanvasObject { return a.conflictContent(row, spec, &mine, &theirs, fields) }, nil)
}

func (a *App) conflictContent(row RecordRow, spec *form.Spec, mine, theirs *survey.Record, fields []*conflictField) fyne.CanvasObject {
	intro := widget.NewLabel(TN("conflict.intro", len(fields), map[string]any{"Count": len(fields)}))
	intro.Wrapping = fyne.TextWrapWord
	grid := container.NewGridWithColumns(4,
		bold(T("conflict.field")), bold(T("conflict.mine")), bold(T("conflict.theirs")), bold(T("conflict.keep")))
	mineText, theirsText := T("conflict.keep_mine"), T("conflict.keep_theirs")
	for _, f := range fields {
		f := f
		grid.Add(wrapLabel(f.q.Label))
		grid.Add(wrapLabel(answerWithMeta(spec, f.q, f.mine, f.meta[0])))
		grid.Add(wrapLabel(answerWithMeta(spec, f.q, f.theirs, f.meta[1])))
		choice := widget.NewRadioGroup([]string{mineText, theirsText}, func(s string) { f.takeTheirs = s == theirsText })
		choice.Horizontal = true
		choice.Required = true
		choice.Selected = mineText
		grid.Add(choice)
	}
	resolve := newButton(T("conflict.resolve"), func() {
		merged := merge(mine, theirs, fields)
		cx, cancel := ctx()
		saved, err := a.store.Resolve(cx, row.ID, merged)
		cancel()
		if err != nil {
			dialogs.Error(a.win, a.errText(err))
			return
		}
		merged.ID = saved.ID
		a.showRecord(merged, &saved)
	})
	resolve.Importance = widget.HighImportance
	back := newButton(T("common.back"), a.showCases)
	return page(T("conflict.title")+" · "+a.municipalityName(row.Municipality)+" · "+row.Label,
		container.NewBorder(intro, nil, nil, nil, container.NewVScroll(grid)), back, resolve)
}

func answerWithMeta(spec *form.Spec, q *form.Question, v any, m survey.FieldMeta) string {
	s := form.Display(q, v)
	if s == "" {
		s = "—"
	}
	if nh := spec.NotHeldText(m, T("form.not_held")); nh != "" {
		s += "\n" + nh
	}
	if m.Note != "" {
		s += "\n" + T("conflict.note", map[string]any{"Note": m.Note})
	}
	return s
}

func bold(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func wrapLabel(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}
