package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// runSync runs one sync round in the background, with a progress bar, and
// shows the receipt in plain words when it ends.
func (a *App) runSync() {
	if a.syncer == nil {
		dialog.ShowInformation(T("sync.title"), T("sync.unavailable"), a.win)
		return
	}
	cx, cancel := ctx()
	enrolled := a.syncer.Enrolled(cx)
	cancel()
	if !enrolled {
		a.showEnrol(false)
		return
	}
	bar := widget.NewProgressBar()
	label := widget.NewLabel(T("sync.running"))
	d := dialog.NewCustomWithoutButtons(T("sync.title"), container.NewVBox(label, bar), a.win)
	d.Show()
	syncer := a.syncer
	go func() {
		cx, cancel := ctx()
		defer cancel()
		report, err := syncer.SyncOnce(cx, func(done, total int) {
			fyne.Do(func() {
				if total > 0 {
					bar.SetValue(float64(done) / float64(total))
				}
			})
		})
		fyne.Do(func() {
			d.Hide()
			if err != nil {
				dialog.ShowInformation(T("sync.failed"), err.Error(), a.win)
				return
			}
			a.last = &report
			a.showHome()
			dialog.ShowInformation(T("sync.title"), a.reportText(report), a.win)
		})
	}()
}
