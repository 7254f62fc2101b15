package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

func (a *App) showHome() {
	cx, cancel := ctx()
	rows, err := a.store.List(cx)
	cancel()
	status := widget.NewLabel(a.syncStatusText())
	status.Wrapping = fyne.TextWrapWord
	if err != nil {
		status.SetText(err.Error())
	}

	list := widget.NewList(
		func() int { return len(rows) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewLabel("label"), layoutSpacer(), widget.NewLabel("state"))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			r := rows[i]
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(fmt.Sprintf("%s · %s", r.Label, r.Municipality))
			box.Objects[2].(*widget.Label).SetText(a.stateText(r))
		},
	)
	list.OnSelected = func(i widget.ListItemID) {
		list.Unselect(i)
		a.openRecord(rows[i].ID)
	}
	empty := widget.NewLabel(T("home.empty"))
	var body fyne.CanvasObject = list
	if len(rows) == 0 {
		body = container.NewCenter(empty)
	}

	newCase := widget.NewButton(T("home.new_case"), a.newCase)
	newCase.Importance = widget.HighImportance
	syncBtn := widget.NewButton(T("sync.now"), a.runSync)
	lock := widget.NewButton(T("home.lock"), a.Lock)
	enrol := widget.NewButton(T("enrol.title"), func() { a.showEnrol(false) })

	top := container.NewVBox(
		widget.NewLabelWithStyle(T("home.records", map[string]any{"Count": len(rows)}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
	)
	actions := []fyne.CanvasObject{lock}
	cx, cancel = ctx()
	if a.syncer != nil && !a.syncer.Enrolled(cx) {
		actions = append(actions, enrol)
	}
	cancel()
	actions = append(actions, syncBtn, newCase)
	a.setContent(T("home.title"), container.NewBorder(top,
		container.NewVBox(status, container.NewHBox(append([]fyne.CanvasObject{layoutSpacer()}, actions...)...)),
		nil, nil, body))
}

func (a *App) stateText(r RecordRow) string {
	switch {
	case r.Conflict:
		return T("state.conflict")
	case r.Synced:
		return T("state.synced")
	}
	return T("state." + string(r.Status))
}

func (a *App) syncStatusText() string {
	if a.last == nil {
		return T("sync.never")
	}
	return a.reportText(*a.last)
}

func (a *App) reportText(r SyncReport) string {
	s := T("sync.report", map[string]any{
		"Sent": r.Sent, "Accepted": r.Accepted, "Refused": r.Refused, "Received": r.Received,
		"Receipt": r.ReceiptID, "At": r.At.Local().Format("02/01/2006 15:04"),
	})
	for _, m := range r.Messages {
		s += "\n" + m
	}
	return s
}
