// Package ui holds the Fyne screens of the desktop app. It renders what the
// domain (package survey) defines and talks to storage and sync only through
// the small interfaces declared in deps.go: no SQL and no HTTP here.
package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// Options is what cmd/sinba gives the user interface.
type Options struct {
	Vault  Vault
	Syncer SyncerFactory
	// ServerURL and EnrolCode prefill the enrolment form (the demo set-up
	// passes them; otherwise the researcher types them).
	ServerURL string
	EnrolCode string
}

// App is the running user interface of one window.
type App struct {
	win    fyne.Window
	opts   Options
	store  Store
	syncer Syncer
	last   *SyncReport
}

// New builds the user interface in w. Call Start to show the first screen.
func New(w fyne.Window, opts Options) *App {
	return &App{win: w, opts: opts}
}

// Start shows the first-run screen on a new laptop, the unlock screen after.
func (a *App) Start() {
	if a.opts.Vault.Exists() {
		a.showUnlock()
	} else {
		a.showFirstRun()
	}
}

// Lock drops the store's keys and returns to the unlock screen.
func (a *App) Lock() {
	if a.store != nil {
		_ = a.store.Lock()
		a.store, a.syncer = nil, nil
	}
	a.showUnlock()
}

// Close drops the keys; cmd/sinba calls it when the app quits.
func (a *App) Close() {
	if a.store != nil {
		_ = a.store.Lock()
		a.store, a.syncer = nil, nil
	}
}

func (a *App) unlocked(s Store) {
	a.store = s
	if a.opts.Syncer != nil {
		a.syncer = a.opts.Syncer(s)
	}
}

func (a *App) setContent(title string, content fyne.CanvasObject) {
	a.win.SetTitle("sinba · " + title)
	a.win.SetContent(content)
}

// page lays out a screen: a heading, the body, and the actions at the bottom.
func page(title string, body fyne.CanvasObject, actions ...fyne.CanvasObject) fyne.CanvasObject {
	heading := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	var bottom fyne.CanvasObject
	if len(actions) > 0 {
		bottom = container.NewHBox(append([]fyne.CanvasObject{layoutSpacer()}, actions...)...)
	}
	return container.NewBorder(heading, bottom, nil, nil, body)
}

func ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 30*time.Second)
}
