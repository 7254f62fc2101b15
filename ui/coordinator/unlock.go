package coordinator

import (
	"context"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/ui"
	"sinba/ui/dialogs"
)

// ProfileStore is the coordinator profile on this computer before the
// workspace opens: its encrypted store, its enrolment with the server and
// the project key. cmd/sinba/internal/backend implements it over the same
// calls as the headless "sinba coord init" and "sinba coord key-import".
type ProfileStore interface {
	// Dir is the profile's data folder, as the screens name it.
	Dir() string
	// Exists reports whether the profile's store is on this computer.
	Exists() bool
	// Create makes the store, locked with passphrase, and returns its
	// recovery key, which is shown once.
	Create(passphrase []byte) (recoveryKey string, err error)
	// Open unlocks the store; a wrong passphrase is an error that says so.
	Open(passphrase []byte) error
	// Enrolment says where the profile stands.
	Enrolment(ctx context.Context) (Enrolment, error)
	// Enrol registers the profile with a one-time coordinator code. A code
	// that creates a project makes the project key and the pseudonym secret
	// here; a code for an existing project needs its key imported next.
	Enrol(ctx context.Context, server, code string) (Enrolment, error)
	// ImportKey imports a project key file, opened with its passphrase.
	ImportKey(ctx context.Context, data, passphrase []byte) error
	// Deps returns what the workspace needs, once the store is open.
	Deps(ctx context.Context) (Deps, error)
}

// Enrolment is where a coordinator profile stands.
type Enrolment struct {
	Enrolled      bool
	Project       string
	HasProjectKey bool
}

// StartOptions fill in the first run and choose files.
type StartOptions struct {
	Server, Code string // prefilled in the enrolment
	// OpenFile asks for a file to read (the project key); nil uses Fyne's
	// dialog. Tests pass their own.
	OpenFile func(pick func(name string, data []byte))
	// Background runs the slow calls (key derivation, the server); nil
	// starts a goroutine for each. Tests run them in place.
	Background func(run func())
	// Now is passed on to the workspace (see Deps.Now); nil is time.Now.
	Now func() time.Time
	// Printer saves the recovery key's page as PDF; nil offers only to
	// copy it.
	Printer ui.KeyPrinter
}

// starter walks a coordinator from an empty computer, or a locked profile,
// to the workspace.
type starter struct {
	ws  *Workspace // for tr and errText only
	w   fyne.Window
	p   ProfileStore
	opt StartOptions
}

// Start shows what the coordinator profile needs first: its creation on a
// computer that has none (passphrase, recovery key, enrolment with a new or
// existing project, the project key), the passphrase of an existing one,
// and then the workspace.
func Start(w fyne.Window, language string, p ProfileStore, opt StartOptions) {
	s := &starter{ws: &Workspace{win: w, lang: language}, w: w, p: p, opt: opt}
	if p.Exists() {
		s.unlock()
	} else {
		s.create()
	}
}

func (s *starter) tr(key string, a ...any) string { return s.ws.tr(key, a...) }

// run does slow work off the UI goroutine and then shows its outcome.
func (s *starter) run(work func(c context.Context) func()) { inBackground(s.opt.Background, work) }

func (s *starter) page(title string, body fyne.CanvasObject, actions ...fyne.CanvasObject) {
	s.w.SetTitle("sinba · " + title)
	heading := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.SizeName = theme.SizeNameSubHeadingText
	bottom := container.NewHBox(append([]fyne.CanvasObject{layout.NewSpacer()}, actions...)...)
	s.w.SetContent(container.NewPadded(container.NewBorder(heading, bottom, nil, nil, container.New(readable{}, body))))
}

func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func problemLabel() *widget.Label {
	l := wrapped("")
	l.Importance = widget.DangerImportance
	return l
}

// create asks for the new profile's passphrase twice, as the researchers'
// first run does, and makes the encrypted store.
func (s *starter) create() {
	pass := widget.NewPasswordEntry()
	pass.SetPlaceHolder(ui.T("passphrase.placeholder"))
	confirm := widget.NewPasswordEntry()
	confirm.SetPlaceHolder(ui.T("passphrase.confirm_placeholder"))
	meter := ui.NewStrengthMeter()
	problem := problemLabel()
	create := widget.NewButton(s.tr("first.create"), nil)
	create.Importance = widget.HighImportance
	create.OnTapped = func() {
		if msg := ui.PassphraseProblem(pass.Text, confirm.Text); msg != "" {
			problem.SetText(msg)
			return
		}
		create.Disable()
		problem.SetText(s.tr("first.working"))
		secret := []byte(pass.Text)
		s.run(func(context.Context) func() {
			key, err := s.p.Create(secret)
			return func() {
				create.Enable()
				if err != nil {
					problem.SetText(s.ws.errText(err))
					return
				}
				s.recovery(key)
			}
		})
	}
	pass.OnChanged = meter.Set
	pass.OnSubmitted = func(string) { s.w.Canvas().Focus(confirm) }
	confirm.OnSubmitted = func(string) { create.OnTapped() }
	form := widget.NewForm(
		widget.NewFormItem(ui.T("passphrase.label"), pass),
		widget.NewFormItem(ui.T("passphrase.confirm_label"), confirm),
		widget.NewFormItem("", meter.Object))
	s.page(s.tr("first.title"), container.NewVBox(wrapped(s.tr("first.intro", s.p.Dir())), form, problem), create)
	s.w.Canvas().Focus(pass)
}

// recovery shows the store's recovery key once.
func (s *starter) recovery(key string) {
	shown, messages := ui.RecoveryKeyView(s.w, key, s.ws.lang, s.opt.Printer, nil)
	next := widget.NewButton(s.tr("first.continue"), s.enrol)
	next.Importance = widget.HighImportance
	next.Disable()
	written := widget.NewCheck(ui.T("recovery.written"), func(on bool) {
		if on {
			next.Enable()
		} else {
			next.Disable()
		}
	})
	s.page(ui.T("recovery.title"), container.NewVBox(wrapped(ui.T("recovery.intro")), shown, written, messages), next)
	s.w.Canvas().Focus(written)
}

// enrol asks for the server, the coordinator code and whether the code
// creates a project or joins one.
func (s *starter) enrol() {
	server := widget.NewEntry()
	server.SetPlaceHolder("https://…")
	server.SetText(s.opt.Server)
	code := widget.NewEntry()
	code.SetPlaceHolder(s.tr("first.codeHint"))
	code.SetText(s.opt.Code)
	newProject, join := s.tr("first.new"), s.tr("first.join")
	kind := widget.NewRadioGroup([]string{newProject, join}, nil)
	kind.Required = true
	kind.SetSelected(newProject)
	problem := problemLabel()
	enrol := widget.NewButton(s.tr("first.enrol"), nil)
	enrol.Importance = widget.HighImportance
	enrol.OnTapped = func() {
		enrol.Disable()
		problem.SetText(s.tr("first.enrolling"))
		url, c, wantNew := server.Text, code.Text, kind.Selected == newProject
		s.run(func(cx context.Context) func() {
			e, err := s.p.Enrol(cx, url, c)
			return func() {
				enrol.Enable()
				if err != nil {
					problem.SetText(s.ws.errText(err))
					return
				}
				if e.HasProjectKey {
					s.created(e, wantNew)
				} else {
					s.keyImport(e, wantNew)
				}
			}
		})
	}
	server.OnSubmitted = func(string) { s.w.Canvas().Focus(code) }
	code.OnSubmitted = func(string) { enrol.OnTapped() }
	form := widget.NewForm(
		widget.NewFormItem(s.tr("first.server"), server),
		widget.NewFormItem(s.tr("first.code"), code),
		widget.NewFormItem(s.tr("first.kind"), kind))
	s.page(s.tr("first.enrolTitle"), container.NewVBox(wrapped(s.tr("first.enrolIntro")), form, problem), enrol)
	s.w.Canvas().Focus(server)
}

// created says that the project and its key were made here, and what to do
// with the key.
func (s *starter) created(e Enrolment, wantNew bool) {
	text := s.tr("first.created", e.Project)
	if !wantNew {
		text = s.tr("first.createdInstead") + " " + text
	}
	next := widget.NewButton(s.tr("first.open"), s.workspace)
	next.Importance = widget.HighImportance
	s.page(s.tr("first.createdTitle"), wrapped(text), next)
	s.w.Canvas().Focus(next)
}

// keyImport asks for the project key file and its passphrase.
func (s *starter) keyImport(e Enrolment, wantNew bool) {
	intro := s.tr("first.keyIntro", e.Project)
	if wantNew {
		intro = s.tr("first.joinedInstead") + " " + intro
	}
	var data []byte
	chosen := widget.NewLabel(s.tr("first.noFile"))
	pass := widget.NewPasswordEntry()
	problem := problemLabel()
	choose := widget.NewButtonWithIcon(s.tr("first.chooseKey"), theme.FolderOpenIcon(), nil)
	choose.OnTapped = func() {
		s.openFile(func(name string, b []byte) {
			data = b
			chosen.SetText(filepath.Base(name))
			problem.SetText("")
			s.w.Canvas().Focus(pass)
		})
	}
	imp := widget.NewButton(s.tr("first.import"), nil)
	imp.Importance = widget.HighImportance
	imp.OnTapped = func() {
		if data == nil {
			problem.SetText(s.tr("first.fileNeeded"))
			return
		}
		imp.Disable()
		problem.SetText(s.tr("first.importing"))
		secret := []byte(pass.Text)
		s.run(func(c context.Context) func() {
			err := s.p.ImportKey(c, data, secret)
			return func() {
				imp.Enable()
				if err != nil {
					problem.SetText(s.ws.errText(err))
					pass.SetText("")
					s.w.Canvas().Focus(pass)
					return
				}
				s.workspace()
			}
		})
	}
	pass.OnSubmitted = func(string) { imp.OnTapped() }
	later := widget.NewButton(s.tr("first.later"), s.workspace)
	form := widget.NewForm(
		widget.NewFormItem(s.tr("first.keyFile"), container.NewBorder(nil, nil, nil, choose, chosen)),
		widget.NewFormItem(s.tr("first.keyPass"), pass))
	s.page(s.tr("first.keyTitle"), container.NewVBox(wrapped(intro), form, problem), later, imp)
	s.w.Canvas().Focus(choose)
}

func (s *starter) openFile(pick func(name string, data []byte)) {
	openFile(s.w, s.tr("file.key"), s.opt.OpenFile, nil, pick, func(name string) {
		dialogs.Error(s.w, s.tr("project.readFailed", name))
	})
}

// unlock asks for the passphrase of the profile, then goes on to what the
// profile still lacks, or to the workspace.
func (s *starter) unlock() {
	pass := widget.NewPasswordEntry()
	problem := problemLabel()
	open := widget.NewButton(s.tr("unlock.open"), nil)
	open.Importance = widget.HighImportance
	open.OnTapped = func() {
		open.Disable()
		problem.SetText(s.tr("unlock.working"))
		secret := []byte(pass.Text)
		// The key derivation takes about half a second: not on the UI goroutine.
		s.run(func(c context.Context) func() {
			err := s.p.Open(secret)
			var e Enrolment
			if err == nil {
				e, err = s.p.Enrolment(c)
			}
			return func() {
				open.Enable()
				if err != nil {
					problem.SetText(s.ws.errText(err))
					pass.SetText("")
					s.w.Canvas().Focus(pass)
					return
				}
				switch {
				case !e.Enrolled:
					s.enrol()
				case !e.HasProjectKey:
					s.keyImport(e, false)
				default:
					s.workspace()
				}
			}
		})
	}
	pass.OnSubmitted = func(string) { open.OnTapped() }
	form := widget.NewForm(widget.NewFormItem(s.tr("unlock.passphrase"), pass))
	s.page(s.tr("unlock.title"), container.NewVBox(wrapped(s.tr("unlock.intro")), form, problem), open)
	s.w.Canvas().Focus(pass)
}

// workspace opens the coordinators' workspace over the profile.
func (s *starter) workspace() {
	c, cancel := ctx()
	deps, err := s.p.Deps(c)
	cancel()
	if err != nil {
		dialogs.Error(s.w, s.ws.errText(err))
		return
	}
	if s.opt.Background != nil && deps.Background == nil {
		deps.Background = s.opt.Background
	}
	if s.opt.OpenFile != nil && deps.OpenFile == nil {
		deps.OpenFile = s.opt.OpenFile
	}
	if s.opt.Now != nil {
		deps.Now = s.opt.Now
	}
	s.w.SetTitle("sinba · " + s.tr("title"))
	New(s.w, deps).Start()
}

// readable lays one object out at the top, centred, at most as wide as a
// line a person reads comfortably, and as tall as it needs at that width
// (wrapped text grows taller as it gets narrower).
type readable struct{}

const readableWidth = 680

func (readable) width(avail float32) float32 { return min(avail, readableWidth) }

func (r readable) MinSize(objs []fyne.CanvasObject) fyne.Size {
	if len(objs) == 0 {
		return fyne.Size{}
	}
	m := objs[0].MinSize()
	return fyne.NewSize(min(m.Width, readableWidth), m.Height)
}

func (r readable) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		w := r.width(size.Width)
		o.Resize(fyne.NewSize(w, o.MinSize().Height))
		o.Resize(fyne.NewSize(w, o.MinSize().Height)) // wrapped text knows its height once it has its width
		o.Move(fyne.NewPos((size.Width-w)/2, 0))
	}
}
