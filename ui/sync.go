package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/ui/loop"
)

// syncView is the sync screen's moving parts, kept so that a round started
// by the shortcut from another screen shows its progress here.
type syncView struct {
	bar    *widget.ProgressBar
	state  *widget.Label
	report *widget.Label
	button *widget.Button
}

func (a *App) showSync() {
	if !a.leaveRecord() {
		return
	}
	a.show(T("sync.title"), a.syncContent, a.showSync)
}

func (a *App) syncContent() fyne.CanvasObject {
	v := &syncView{bar: widget.NewProgressBar(), state: wrapLabel(""), report: wrapLabel(a.syncLine())}
	a.syncV = v
	v.bar.Hide()
	server := wrapLabel("")
	var actions []fyne.CanvasObject
	enrolled := false
	if a.syncer == nil {
		v.state.SetText(T("sync.unavailable"))
	} else {
		cx, cancel := ctx()
		enrolled = a.syncer.Enrolled(cx)
		if enrolled {
			server.SetText(T("sync.server", map[string]any{"Server": a.syncer.Server(cx)}))
			v.state.SetText(T("sync.ready"))
		} else {
			v.state.SetText(T("sync.not_enrolled"))
		}
		cancel()
	}
	v.button = widget.NewButtonWithIcon(T("sync.now"), theme.ViewRefreshIcon(), a.runSync)
	v.button.Importance = widget.HighImportance
	if a.syncing {
		v.button.Disable()
		v.bar.Show()
		v.state.SetText(T("sync.running"))
	}
	if a.syncer != nil && !enrolled {
		actions = append(actions, widget.NewButton(T("enrol.title"), func() { a.showEnrol(false) }))
	}
	actions = append(actions, v.button)
	body := container.NewVBox(v.state, server, v.bar,
		widget.NewCard(T("sync.last"), "", v.report))
	a.devV = nil
	if enrolled {
		if dv, ok := a.devicesContent(); ok {
			a.devV = dv
			body.Add(dv.own)
			body.Add(dv.origin)
			body.Add(dv.card)
			a.loadPending()
		}
	}
	return page(T("sync.title"), container.NewVScroll(body), actions...)
}

// runSync runs one sync round in the background; the sync screen shows the
// progress and, at the end, the receipt in plain words.
func (a *App) runSync() {
	if a.syncing {
		return
	}
	if a.syncer == nil {
		a.showSync()
		return
	}
	cx, cancel := ctx()
	enrolled := a.syncer.Enrolled(cx)
	cancel()
	if !enrolled {
		a.showEnrol(false)
		return
	}
	if !a.leaveRecord() {
		return
	}
	a.syncing = true
	a.showSync()
	v, syncer := a.syncV, a.syncer
	v.state.SetText(T("sync.running"))
	loop.Go(func() func() {
		cx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		report, err := syncer.SyncOnce(cx, func(done, total int) {
			loop.Do(func() {
				if total > 0 {
					v.bar.SetValue(float64(done) / float64(total))
				}
			})
		})
		return func() {
			a.syncing = false
			if a.syncer != syncer {
				return // locked meanwhile: the next unlock reads the last receipt
			}
			v.bar.Hide()
			v.button.Enable()
			if err != nil {
				v.state.Importance = widget.DangerImportance
				v.state.SetText(a.syncErrText(err))
				return
			}
			a.last = &report
			v.state.Importance = widget.SuccessImportance
			v.state.SetText(T("sync.done"))
			v.report.SetText(a.syncLine())
			if a.status != nil {
				a.status.SetText(a.syncLine())
			}
			a.loadPending()
		}
	})
}

// syncErrText says what went wrong and what to do about it.
func (a *App) syncErrText(err error) string {
	msg := a.errText(err)
	switch {
	case errors.Is(err, ErrOffline):
		return T("sync.err_network")
	case errors.Is(err, context.DeadlineExceeded):
		return T("sync.err_timeout")
	case strings.Contains(msg, "connection refused"), strings.Contains(msg, "no such host"),
		strings.Contains(msg, "network is unreachable"), strings.Contains(msg, "i/o timeout"):
		return T("sync.err_network")
	}
	return T("sync.err_other", map[string]any{"Error": msg})
}

func (a *App) syncLine() string {
	if a.last == nil {
		return T("sync.never")
	}
	return a.reportText(*a.last)
}

func (a *App) reportText(r SyncReport) string {
	s := T("sync.report", map[string]any{
		"Sent": r.Sent, "Accepted": r.Accepted, "Refused": r.Refused, "Received": r.Received,
		"At": r.At.Local().Format("02/01/2006 15:04"),
	})
	if r.Returned > 0 {
		s += " " + T("sync.report_returned", map[string]any{"Count": r.Returned})
	}
	if r.Conflicts > 0 {
		s += " " + T("sync.report_conflicts", map[string]any{"Count": r.Conflicts})
	}
	if r.ReceiptID != "" {
		s += " " + T("sync.report_receipt", map[string]any{"Receipt": r.ReceiptID})
	}
	for _, m := range r.Messages {
		s += "\n" + m.In(a.lang)
	}
	return s
}
