package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/ui/dialogs"
	"sinba/ui/loop"
)

// The team key opens every record of the team, children's names and codici
// fiscali included. A new laptop of the team gets it only when a researcher
// confirms it on a laptop that holds it: the sync screen lists the laptops
// waiting, and each is confirmed in a dialog after comparing its
// verification code with the one the new laptop shows.

// devicesView is the sync screen's part about the team's laptops.
type devicesView struct {
	own    *widget.Label // this laptop's verification code
	origin *widget.Label // which laptops made and handed over the team key held here
	card   *widget.Card  // laptops waiting for the team key
	list   *fyne.Container
}

func (a *App) devicesContent() (*devicesView, bool) {
	td, ok := a.syncer.(TeamDevices)
	if !ok {
		return nil, false
	}
	v := &devicesView{own: wrapLabel(""), origin: wrapLabel(""), list: container.NewVBox()}
	v.card = widget.NewCard(T("devices.title"), T("devices.subtitle"), v.list)
	v.card.Hide()
	cx, cancel := ctx()
	if codes := td.Codes(cx); codes.Own != "" {
		text := T("devices.own", map[string]any{"Code": codes.Own})
		if codes.TeamKey != "" {
			text += "\n" + T("devices.key_codes", map[string]any{"Team": codes.TeamKey, "Project": codes.ProjectKey})
		}
		v.own.SetText(text)
	} else {
		v.own.Hide()
	}
	if o := td.TeamKeyOrigin(cx); o != nil {
		v.origin.SetText(T("devices.origin", map[string]any{
			"Made": a.deviceText(o.MadeBy), "Granted": a.deviceText(o.GrantedBy),
		}))
		if o.MadeBy.ByCoordinator || o.GrantedBy.ByCoordinator {
			v.origin.Importance = widget.DangerImportance
			v.origin.SetText(v.origin.Text + "\n" + T("devices.origin_coordinator"))
		}
	} else {
		v.origin.Hide()
	}
	cancel()
	return v, true
}

// deviceText names a laptop the way the list of waiting ones does.
func (a *App) deviceText(d PendingDevice) string {
	return T("devices.named", map[string]any{"Label": d.Label, "Researcher": d.Researcher, "By": a.minterText(d)})
}

// loadPending asks, off the UI goroutine, which laptops wait for the team
// key, and lists them on the sync screen.
func (a *App) loadPending() {
	td, ok := a.syncer.(TeamDevices)
	v := a.devV
	if !ok || v == nil {
		return
	}
	loop.Go(func() func() {
		cx, cancel := ctx()
		defer cancel()
		pending, err := td.PendingDevices(cx)
		return func() {
			if err == nil {
				a.setPendingCount(len(pending))
			}
			if a.devV != v {
				return // another screen meanwhile
			}
			v.list.RemoveAll()
			if err != nil || len(pending) == 0 {
				v.card.Hide()
				return
			}
			for _, d := range pending {
				v.list.Add(a.pendingRow(td, d))
			}
			v.card.Show()
			v.card.Refresh()
		}
	})
}

// pendingRow is one waiting laptop: what the server says of it, who made
// its code included, and the button that opens the confirmation.
func (a *App) pendingRow(td TeamDevices, d PendingDevice) fyne.CanvasObject {
	info := wrapLabel(T("devices.row", map[string]any{
		"Label": d.Label, "Researcher": d.Researcher, "At": d.EnrolledAt.Local().Format("02/01/2006 15:04"), "By": a.minterText(d),
	}))
	b := newButtonWithIcon(T("devices.review"), theme.ConfirmIcon(), func() { a.confirmDevice(td, d) })
	return container.NewBorder(nil, nil, nil, b, info)
}

// setPendingCount says in the last receipt, the status line and the sync
// screen how many laptops wait for the team key, as last read: a laptop
// handed the key here leaves the count at once, not at the next round.
func (a *App) setPendingCount(n int) {
	if a.last == nil || a.last.PendingDevices == n {
		return
	}
	r := *a.last
	r.PendingDevices = n
	a.last = &r
	a.showLast()
}

func (a *App) minterText(d PendingDevice) string {
	if d.ByCoordinator {
		return T("devices.by_coordinator", map[string]any{"Name": d.Coordinator})
	}
	return T("devices.by_admin")
}

// confirmDevice asks whether to hand the team key to d. Enter confirms,
// Escape cancels; nothing is handed over unless the person confirms.
func (a *App) confirmDevice(td TeamDevices, d PendingDevice) {
	code := widget.NewLabel(d.Fingerprint)
	code.TextStyle = fyne.TextStyle{Monospace: true}
	code.SizeName = theme.SizeNameHeadingText
	code.Selectable = true
	by := widget.NewLabel(a.minterText(d))
	facts := container.New(layout.NewFormLayout(),
		widget.NewLabel(T("devices.device")), widget.NewLabel(d.Label),
		widget.NewLabel(T("devices.researcher")), widget.NewLabel(d.Researcher),
		widget.NewLabel(T("devices.enrolled")), widget.NewLabel(d.EnrolledAt.Local().Format("02/01/2006 15:04")),
		widget.NewLabel(T("devices.code_by")), by,
		widget.NewLabel(T("devices.fingerprint")), code,
	)
	parts := []fyne.CanvasObject{wrapLabel(T("devices.explain"))}
	if d.ByCoordinator {
		// The README's way of enrolling a researcher's laptop: a coordinator
		// makes its code. A coordinator could also enrol a laptop of their
		// own under a researcher's name, and only the researcher can tell:
		// the dialog says, in one plain sentence, what to check with whom,
		// not an alarm a team would learn to click through.
		warn := wrapLabel(T("devices.coordinator_warning", map[string]any{"Name": d.Coordinator, "Researcher": d.Researcher}))
		warn.TextStyle = fyne.TextStyle{Bold: true}
		parts = append(parts, warn)
	}
	parts = append(parts, facts, wrapLabel(T("devices.compare")))
	body := container.NewVBox(parts...)

	dialogs.Show(a.win, dialogs.Spec{
		Title: T("devices.confirm_title"), Body: container.NewVScroll(body),
		Confirm: T("devices.grant"), Cancel: T("common.cancel"),
		OnConfirm: func() { a.grantDevice(td, d) },
		Size:      fyne.NewSize(720, 640),
	})
}

// grantDevice hands the key over off the UI goroutine and says how it went.
func (a *App) grantDevice(td TeamDevices, d PendingDevice) {
	loop.Go(func() func() {
		cx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		err := td.GrantTeamKey(cx, d)
		return func() {
			if err != nil {
				dialogs.Error(a.win, T("devices.grant_failed", map[string]any{"Error": a.errText(err)}))
			} else {
				dialogs.Inform(a.win, T("devices.granted_title"), T("devices.granted", map[string]any{"Label": d.Label, "Researcher": d.Researcher}))
			}
			a.loadPending()
		}
	})
}
