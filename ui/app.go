// Package ui holds the Fyne screens of the desktop app. It renders what the
// domain (package survey) defines and talks to storage and sync only through
// the small interfaces declared in deps.go: no SQL and no HTTP here.
package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/ui/dialogs"
	"sinba/ui/loop"
)

// Preference keys. Preferences hold nothing sensitive: the data and the
// server settings live in the encrypted store.
const (
	PrefLanguage = "language"
	PrefIdle     = "idle_minutes"
)

// DefaultIdleMinutes is the idle lock delay until the researcher changes it.
const DefaultIdleMinutes = 10

// IdleUnit is what the idle delay counts in; tests shorten it.
var IdleUnit = time.Minute

// Options is what cmd/sinba gives the user interface.
type Options struct {
	Vault       Vault
	Instruments Instruments
	Syncer      SyncerFactory
	// Translations reads a translation file by name (it.json, en.json), so
	// the language can change while the app runs.
	Translations func(name string) ([]byte, error)
	// ServerURL and EnrolCode prefill the enrolment form (the demo set-up
	// passes them; otherwise the researcher types them).
	ServerURL string
	EnrolCode string
	// SaveFile, when set, stands in for the save dialog: it is given a
	// file name and calls done with the path chosen (tests).
	SaveFile func(name string, done func(path string))
}

// App is the running user interface of one window.
type App struct {
	win    fyne.Window
	opts   Options
	prefs  fyne.Preferences
	lang   string
	store  Store
	syncer Syncer
	last   *SyncReport

	rec     *recordScreen // the record being edited, if the form is shown
	cases   caseListState // the case list's search, filters and order, kept across screens
	refresh func()        // rebuilds the current screen (after a language change)
	syncing bool
	status  *widget.Label // the sync line of the top bar

	unlockMsg *widget.Label // the message line of the unlock screen
	syncV     *syncView
	devV      *devicesView // the team's laptops on the sync screen, when shown

	// home is what the overview on the screen was built from, nil when
	// another screen is shown: a round that changes it rebuilds it.
	home *homeBasis
}

// New builds the user interface in w. Call Start to show the first screen.
func New(w fyne.Window, opts Options) *App {
	a := &App{win: w, opts: opts, prefs: fyne.CurrentApp().Preferences()}
	a.lang = a.prefs.StringWithFallback(PrefLanguage, "it")
	a.setMenu()
	w.Canvas().SetOnTypedKey(func(*fyne.KeyEvent) { a.touch() })
	return a
}

// Language is the language of the interface, "it" or "en".
func (a *App) Language() string { return a.lang }

// Start shows the first-run screen on a new laptop, the unlock screen after.
func (a *App) Start() {
	if a.opts.Vault.Exists() {
		a.showUnlock()
	} else {
		a.showLanguage()
	}
}

// Lock saves what is being typed, drops the store's keys and returns to the
// unlock screen.
func (a *App) Lock() {
	a.Close()
	a.showUnlock()
}

// Close saves what is being typed and drops the keys; cmd/sinba calls it
// when the app quits.
func (a *App) Close() {
	a.leaveRecord()
	if bs, ok := a.syncer.(BackgroundSyncer); ok {
		bs.StopBackground()
	}
	if a.store != nil {
		_ = a.store.Lock()
		a.store, a.syncer, a.last = nil, nil, nil
	}
	a.rec = nil
}

// lockedByIdle runs (on the UI goroutine) after the store locked itself.
func (a *App) lockedByIdle() {
	if a.store == nil {
		return
	}
	// The store is already locked: whatever the form still holds was saved
	// by the autosave, which runs a second after every edit.
	a.store, a.syncer, a.last, a.rec = nil, nil, nil, nil
	a.showUnlock()
	a.unlockNotice(T("unlock.idle"))
}

func (a *App) unlocked(s Store) {
	a.store = s
	if a.opts.Syncer != nil {
		a.syncer = a.opts.Syncer(s)
	}
	a.applyIdle()
	a.startBackgroundSync()
	if a.syncer != nil {
		cx, cancel := ctx()
		if r, err := a.syncer.LastReport(cx); err == nil {
			a.last = r
		}
		cancel()
	}
}

// showLast shows the last receipt in the status line and, when it is open,
// on the sync screen.
func (a *App) showLast() {
	if a.status != nil {
		a.status.SetText(a.syncLine())
	}
	if a.syncV != nil && a.syncV.report != nil {
		a.syncV.setReport(a.receiptText())
	}
}

func (a *App) idleMinutes() int { return a.prefs.IntWithFallback(PrefIdle, DefaultIdleMinutes) }

func (a *App) applyIdle() {
	if a.store == nil {
		return
	}
	s := a.store
	a.store.SetIdleLock(time.Duration(a.idleMinutes())*IdleUnit, func() {
		loop.Do(func() {
			if a.store == s {
				a.lockedByIdle()
			}
		})
	})
}

func (a *App) touch() {
	if a.store != nil {
		a.store.Touch()
	}
}

func (a *App) setContent(title string, content fyne.CanvasObject) {
	a.home = nil // showHome sets it again when the overview is shown
	a.win.SetTitle("sinba · " + title)
	a.win.SetContent(content)
}

// show puts an unlocked screen under the top bar, and remembers how to build
// it again when the language changes.
func (a *App) show(title string, build func() fyne.CanvasObject, rebuild func()) {
	a.refresh = rebuild
	a.setContent(title, container.NewBorder(a.topBar(), nil, nil, nil, build()))
}

// topBar holds the way to every screen and the state of sync.
func (a *App) topBar() fyne.CanvasObject {
	nav := func(label string, icon fyne.Resource, to func()) *dialogs.Button {
		b := newButtonWithIcon(label, icon, to)
		b.Importance = widget.LowImportance
		return b
	}
	a.status = widget.NewLabel(a.syncLine())
	a.status.Truncation = fyne.TextTruncateEllipsis
	return container.NewVBox(container.NewBorder(nil, nil,
		container.NewHBox(
			nav(T("nav.home"), theme.HomeIcon(), a.showHome),
			nav(T("nav.cases"), theme.ListIcon(), a.showCases),
			nav(T("nav.sync"), theme.ViewRefreshIcon(), a.showSync),
			nav(T("nav.settings"), theme.SettingsIcon(), a.showSettings),
		),
		nav(T("nav.lock"), theme.LogoutIcon(), a.Lock),
		a.status), widget.NewSeparator())
}

// page lays out a screen: a heading, the body, and the actions at the bottom.
func page(title string, body fyne.CanvasObject, actions ...fyne.CanvasObject) fyne.CanvasObject {
	heading := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.SizeName = theme.SizeNameSubHeadingText
	var bottom fyne.CanvasObject
	if len(actions) > 0 {
		bottom = container.NewHBox(append([]fyne.CanvasObject{layout.NewSpacer()}, actions...)...)
	}
	return container.NewPadded(container.NewBorder(heading, bottom, nil, nil, body))
}

// narrow keeps a short form (passphrase, enrolment) at a readable width in
// the middle of a large window.
func narrow(o fyne.CanvasObject) fyne.CanvasObject {
	sized := container.NewGridWrap(fyne.NewSize(620, o.MinSize().Height), o)
	return container.NewVBox(container.NewHBox(layout.NewSpacer(), sized, layout.NewSpacer()))
}

func ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 30*time.Second)
}

// Shortcut names, as the main menu shows them.
var (
	scNewCase  = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}
	scSave     = &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault}
	scSearch   = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}
	scNext     = &desktop.CustomShortcut{KeyName: fyne.KeyPageDown, Modifier: fyne.KeyModifierShortcutDefault}
	scPrev     = &desktop.CustomShortcut{KeyName: fyne.KeyPageUp, Modifier: fyne.KeyModifierShortcutDefault}
	scSync     = &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault}
	scLock     = &desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault}
	scHome     = &desktop.CustomShortcut{KeyName: fyne.Key1, Modifier: fyne.KeyModifierShortcutDefault}
	scCases    = &desktop.CustomShortcut{KeyName: fyne.Key2, Modifier: fyne.KeyModifierShortcutDefault}
	scFinalise = &desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault}
	// Alt+A ("Aggiungi"): Ctrl+Enter is taken by Finalizza, and Ctrl+A
	// selects an entry's text.
	scAddItem = &desktop.CustomShortcut{KeyName: fyne.KeyA, Modifier: fyne.KeyModifierAlt}
)

// setMenu builds the main menu. Its shortcuts are the app's keyboard
// shortcuts: Fyne runs main-menu shortcuts before the focused widget sees the
// keys, so they work while the cursor is in a field.
//
// While a dialog (or any pop-up) is open they do nothing: a screen changed
// behind a question would leave the question acting on a form no longer
// shown, and what it confirms lost. Only Lock still acts; it closes the
// dialogs, cancelling them.
func (a *App) setMenu() {
	item := func(label string, sc fyne.Shortcut, do func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, func() {
			if a.store == nil {
				return
			}
			if sc != scLock && a.win.Canvas().Overlays().Top() != nil {
				return
			}
			a.touch()
			do()
		})
		it.Shortcut = sc
		return it
	}
	a.win.SetMainMenu(fyne.NewMainMenu(
		fyne.NewMenu(T("menu.file"),
			item(T("menu.new_case"), scNewCase, a.newCase),
			item(T("menu.save"), scSave, a.saveShortcut),
			item(T("menu.finalise"), scFinalise, a.finaliseShortcut),
			item(T("menu.add_item"), scAddItem, func() {
				if a.rec != nil {
					a.rec.form.AddItem()
				}
			}),
			item(T("menu.print_blank"), nil, a.printBlank),
			fyne.NewMenuItemSeparator(),
			item(T("menu.sync"), scSync, a.runSync),
			item(T("menu.lock"), scLock, a.Lock),
		),
		fyne.NewMenu(T("menu.go"),
			item(T("nav.home"), scHome, a.showHome),
			item(T("nav.cases"), scCases, a.showCases),
			item(T("menu.search"), scSearch, a.searchShortcut),
			fyne.NewMenuItemSeparator(),
			item(T("menu.next_page"), scNext, func() {
				if a.rec != nil {
					a.rec.form.Next()
				}
			}),
			item(T("menu.prev_page"), scPrev, func() {
				if a.rec != nil {
					a.rec.form.Prev()
				}
			}),
			fyne.NewMenuItemSeparator(),
			item(T("nav.settings"), nil, a.showSettings),
		),
	))
}

// Shortcut runs the action of a main-menu shortcut, as the keyboard would;
// tests use it because the test driver does not read the main menu.
func (a *App) Shortcut(sc fyne.Shortcut) bool {
	menu := a.win.MainMenu()
	if menu == nil {
		return false
	}
	for _, m := range menu.Items {
		for _, it := range m.Items {
			if it.Shortcut != nil && it.Shortcut.ShortcutName() == sc.ShortcutName() && it.Action != nil {
				it.Action()
				return true
			}
		}
	}
	return false
}

// The app's shortcuts, exported for tests and for the keyboard reference.
var (
	ShortcutNewCase  fyne.Shortcut = scNewCase
	ShortcutSave     fyne.Shortcut = scSave
	ShortcutSearch   fyne.Shortcut = scSearch
	ShortcutNextPage fyne.Shortcut = scNext
	ShortcutPrevPage fyne.Shortcut = scPrev
	ShortcutSync     fyne.Shortcut = scSync
	ShortcutLock     fyne.Shortcut = scLock
	ShortcutFinalise fyne.Shortcut = scFinalise
	ShortcutHome     fyne.Shortcut = scHome
	ShortcutAddItem  fyne.Shortcut = scAddItem
	ShortcutCases    fyne.Shortcut = scCases
)

func (a *App) saveShortcut() {
	if a.rec != nil {
		a.rec.saveNow(true)
	}
}

func (a *App) finaliseShortcut() {
	if a.rec != nil {
		a.rec.finalise()
	}
}

func (a *App) searchShortcut() {
	a.showCases()
	if a.cases.search != nil {
		a.win.Canvas().Focus(a.cases.search)
	}
}

// SearchEntry is the case list's search box, once the list has been shown.
func (a *App) SearchEntry() fyne.Focusable {
	if a.cases.search == nil {
		return nil
	}
	return a.cases.search
}

// CaseRows are the rows the case list shows, in its order.
func (a *App) CaseRows() []RecordRow { return a.cases.rows }

// Busy reports whether work started by the user interface (opening the
// store, a sync round, a focus after a key) has not finished showing its
// result yet (see package loop).
func (a *App) Busy() bool { return loop.Busy() }

// FocusField focuses a question of the record being edited, as a link of
// the findings list does; it reports whether there was one.
func (a *App) FocusField(path string) bool {
	return a.rec != nil && a.rec.form.FocusField(path)
}

// focusSoon focuses o once the key that opened the screen has been handled:
// a Space that pressed a button is also delivered as a typed space, which
// must not land in the new screen's first field (a passphrase, say).
func (a *App) focusSoon(o fyne.Focusable) {
	a.afterKey(func() { a.win.Canvas().Focus(o) })
}

// afterKey runs do on the UI goroutine once the key being handled is done.
func (a *App) afterKey(do func()) {
	a.win.Canvas().Unfocus()
	loop.After(150*time.Millisecond, do)
}

// startBackgroundSync lets an enrolled laptop sync by itself: a round every
// few minutes and one after each save, quietly; what it did shows in the
// status line, and a failure waits for the next round (nothing is lost).
func (a *App) startBackgroundSync() {
	bs, ok := a.syncer.(BackgroundSyncer)
	if !ok {
		return
	}
	cx, cancel := ctx()
	enrolled := a.syncer.Enrolled(cx)
	cancel()
	if !enrolled {
		return
	}
	syncer := a.syncer
	bs.StartBackground(BackgroundEvery, func(r SyncReport, err error) {
		loop.Do(func() {
			if a.syncer != syncer {
				return
			}
			a.loadSyncHistory(a.syncV) // a failure is in the history too
			if err == nil {
				a.refreshHome(r)
			}
			if err != nil {
				return
			}
			if r.Idle() {
				// The receipt stays the last round that moved something; the
				// laptops waiting for the key are as this round found them.
				a.setPendingCount(r.PendingDevices)
				return
			}
			a.last = &r
			a.showLast()
			if r.Instruments > 0 {
				a.refreshInstruments()
			}
		})
	})
}

// kickSync asks the background loop, if any, to send what was just saved.
func (a *App) kickSync() {
	if bs, ok := a.syncer.(BackgroundSyncer); ok {
		bs.Kick()
	}
}
