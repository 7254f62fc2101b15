package coordinator

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/ui/dialogs"
	"sinba/ui/loop"
)

// minKeyPassphrase is the shortest passphrase accepted for a key file: the
// file may travel by e-mail, so the passphrase is all that protects the
// project key.
const minKeyPassphrase = 10

// searchLimit is how many municipalities a search offers at once.
const searchLimit = 8

// project is the tab where the coordinator administers the project: teams,
// researchers and their enrolment codes, the municipalities of each team,
// instrument versions and the key for a second coordinator.
type project struct {
	ws       *Workspace
	teams    []Team
	selected string // team id

	list    *widget.List
	detail  *fyne.Container
	message *widget.Label
}

// background runs work off the UI goroutine, since every call of the tab
// goes to the server, and applies what it returns on the UI goroutine.
func (ws *Workspace) background(work func(c context.Context) func()) {
	inBackground(ws.deps.Background, work)
}

// inBackground runs work with bg (nil: loop.Go) and applies what it
// returns on the UI goroutine.
func inBackground(bg func(run func()), work func(c context.Context) func()) {
	if bg == nil {
		loop.Go(func() func() {
			c, cancel := ctx()
			defer cancel()
			return work(c)
		})
		return
	}
	bg(func() {
		c, cancel := ctx()
		defer cancel()
		if apply := work(c); apply != nil {
			loop.Do(apply)
		}
	})
}

func (ws *Workspace) projectScreen() fyne.CanvasObject {
	p := &project{ws: ws}
	p.message = widget.NewLabel("")
	p.message.Wrapping = fyne.TextWrapWord
	p.list = widget.NewList(
		func() int { return len(p.teams) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			t := p.teams[i]
			o.(*widget.Label).SetText(ws.tr("project.teamRow", t.Name, len(t.Researchers), len(t.Municipalities)))
		})
	p.list.OnSelected = func(i widget.ListItemID) {
		p.selected = p.teams[i].ID
		p.showTeam()
	}
	p.detail = container.NewStack(widget.NewLabel(ws.tr("project.pick")))

	name := widget.NewEntry()
	name.SetPlaceHolder(ws.tr("project.teamName"))
	add := widget.NewButtonWithIcon(ws.tr("project.addTeam"), theme.ContentAddIcon(), func() { p.createTeam(name) })
	name.OnSubmitted = func(string) { p.createTeam(name) }
	left := container.NewBorder(
		widget.NewLabelWithStyle(ws.tr("project.teams"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, add, name), nil, nil, p.list)

	publish := widget.NewButtonWithIcon(ws.tr("project.publish"), theme.UploadIcon(), p.choosePublish)
	key := widget.NewButtonWithIcon(ws.tr("project.exportKey"), theme.AccountIcon(), p.askKeyPassphrase)
	bottom := container.NewVBox(widget.NewSeparator(), container.NewHBox(publish, key), p.message)

	split := container.NewHSplit(left, container.NewVScroll(p.detail))
	split.Offset = 0.3
	p.load("")
	return container.NewBorder(nil, bottom, nil, nil, split)
}

// load asks the server for the teams, then shows them with selectID (or the
// team shown before) selected.
func (p *project) load(selectID string) {
	p.ws.background(func(c context.Context) func() {
		teams, err := p.ws.deps.Backend.Teams(c)
		return func() {
			if err != nil {
				p.say(p.ws.tr("project.teamsFailed", p.ws.errText(err)))
			}
			p.teams = teams
			if selectID != "" {
				p.selected = selectID
			}
			p.list.UnselectAll()
			p.list.Refresh()
			for i, t := range p.teams {
				if t.ID == p.selected {
					p.list.Select(i) // shows the team
					return
				}
			}
			p.selected = ""
			p.detail.Objects = []fyne.CanvasObject{widget.NewLabel(p.ws.tr("project.pick"))}
			p.detail.Refresh()
		}
	})
}

func (p *project) say(msg string) { p.message.SetText(msg) }

// fail shows an error in a dialog: the person has to notice it.
func (p *project) fail(err error) { p.ws.showError(err) }

func (p *project) team() (Team, bool) {
	for _, t := range p.teams {
		if t.ID == p.selected {
			return t, true
		}
	}
	return Team{}, false
}

func (p *project) createTeam(name *widget.Entry) {
	n := strings.TrimSpace(name.Text)
	if n == "" {
		p.fail(errors.New(p.ws.tr("project.teamNameNeeded")))
		return
	}
	p.ws.background(func(c context.Context) func() {
		err := p.ws.deps.Backend.CreateTeam(c, n)
		return func() {
			if err != nil {
				p.fail(err)
				return
			}
			name.SetText("")
			p.say(p.ws.tr("project.teamAdded", n))
			p.load("")
		}
	})
}

// municipalityName is "Name (code)" from the ISTAT list, or the code alone
// when the list does not know it.
func (p *project) municipalityName(code string) string {
	if p.ws.deps.Ref != nil {
		if l := p.ws.deps.Ref.List("comuni"); l != nil {
			if e, ok := l.Get(code); ok {
				return fmt.Sprintf("%s (%s)", e.Label.In(p.ws.lang), code)
			}
		}
	}
	return code
}

func (p *project) showTeam() {
	t, ok := p.team()
	if !ok {
		return
	}
	ws := p.ws
	title := widget.NewLabelWithStyle(t.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})

	// The enrolment code is shown large and selectable: it is read aloud or
	// copied into a message to the researcher.
	code := widget.NewLabel("")
	code.SizeName = theme.SizeNameHeadingText
	code.TextStyle = fyne.TextStyle{Monospace: true}
	code.Selectable = true
	codeInfo := widget.NewLabel("")
	codeInfo.Wrapping = fyne.TextWrapWord
	codeBox := container.NewVBox(code, codeInfo)
	codeBox.Hide()

	people := container.New(layout.NewFormLayout())
	for _, r := range t.Researchers {
		people.Add(widget.NewLabel(r.Name))
		people.Add(container.NewHBox(widget.NewButtonWithIcon(ws.tr("project.code"), theme.LoginIcon(), func() {
			ws.background(func(c context.Context) func() {
				k, err := ws.deps.Backend.EnrolmentCode(c, r.ID)
				return func() {
					if err != nil {
						p.fail(err)
						return
					}
					code.SetText(k.Code)
					codeInfo.SetText(ws.tr("project.codeFor", r.Name, k.Expires.Local().Format("02/01/2006 15:04")))
					codeBox.Show()
				}
			})
		})))
	}
	if len(t.Researchers) == 0 {
		people.Add(widget.NewLabel(ws.tr("project.noResearchers")))
		people.Add(widget.NewLabel(""))
	}
	person := widget.NewEntry()
	person.SetPlaceHolder(ws.tr("project.researcherName"))
	addPerson := func() {
		n := strings.TrimSpace(person.Text)
		if n == "" {
			p.fail(errors.New(ws.tr("project.researcherNameNeeded")))
			return
		}
		ws.background(func(c context.Context) func() {
			err := ws.deps.Backend.CreateResearcher(c, t.ID, n)
			return func() {
				if err != nil {
					p.fail(err)
					return
				}
				p.say(ws.tr("project.researcherAdded", n, t.Name))
				p.load(t.ID)
			}
		})
	}
	person.OnSubmitted = func(string) { addPerson() }
	researchers := widget.NewCard(ws.tr("project.researchers"), "", container.NewVBox(people,
		container.NewBorder(nil, nil, nil, widget.NewButtonWithIcon(ws.tr("project.addResearcher"), theme.ContentAddIcon(), addPerson), person),
		codeBox))

	assigned := container.New(layout.NewFormLayout())
	for _, m := range t.Municipalities {
		assigned.Add(widget.NewLabel(p.municipalityName(m)))
		assigned.Add(container.NewHBox(widget.NewButtonWithIcon(ws.tr("project.unassign"), theme.ContentRemoveIcon(), func() {
			ws.confirm(ws.tr("project.unassign")+"?", ws.tr("project.unassignAsk", p.municipalityName(m), t.Name), ws.tr("project.unassign"),
				func() { p.assign(t, m, true) })
		})))
	}
	if len(t.Municipalities) == 0 {
		assigned.Add(widget.NewLabel(ws.tr("project.noMunicipalities")))
		assigned.Add(widget.NewLabel(""))
	}
	var found []string // codes behind the radio's options
	results := widget.NewRadioGroup(nil, nil)
	search := widget.NewEntry()
	search.SetPlaceHolder(ws.tr("project.search"))
	search.OnChanged = func(q string) {
		found = found[:0]
		var labels []string
		if l := ws.deps.Ref.List("comuni"); l != nil && len(strings.TrimSpace(q)) >= 2 {
			for _, e := range l.Search(q, searchLimit) {
				found = append(found, e.Code)
				label := fmt.Sprintf("%s (%s)", e.Label.In(ws.lang), e.Code)
				if e.Detail != "" {
					label += " · " + e.Detail
				}
				labels = append(labels, label)
			}
		}
		results.Options = labels
		results.Selected = ""
		results.Refresh()
	}
	assignBtn := widget.NewButtonWithIcon(ws.tr("project.assign"), theme.ConfirmIcon(), func() {
		for i, o := range results.Options {
			if o == results.Selected {
				p.assign(t, found[i], false)
				return
			}
		}
		p.fail(errors.New(ws.tr("project.pickMunicipality")))
	})
	municipalities := widget.NewCard(ws.tr("project.municipalities"), "", container.NewVBox(assigned, search, results, assignBtn))

	p.detail.Objects = []fyne.CanvasObject{container.NewVBox(title, researchers, p.devicesCard(t), municipalities)}
	p.detail.Refresh()
}

func (p *project) assign(t Team, municipality string, remove bool) {
	ws := p.ws
	ws.background(func(c context.Context) func() {
		err := ws.deps.Backend.Assign(c, t.ID, municipality, remove)
		return func() {
			if err != nil {
				p.fail(err)
				return
			}
			key := "project.assigned"
			if remove {
				key = "project.unassigned"
			}
			p.say(ws.tr(key, p.municipalityName(municipality), t.Name))
			p.load(t.ID)
		}
	})
}

// askKeyPassphrase asks twice for the passphrase of the key file, then where
// to write it.
func (p *project) askKeyPassphrase() {
	ws := p.ws
	first, second := dialogs.NewPasswordEntry(), dialogs.NewPasswordEntry()
	intro := widget.NewLabel(ws.tr("project.keyIntro"))
	intro.Wrapping = fyne.TextWrapWord
	items := []*widget.FormItem{
		widget.NewFormItem("", intro),
		widget.NewFormItem(ws.tr("project.keyPass"), first),
		widget.NewFormItem(ws.tr("project.keyPassAgain"), second),
	}
	// Enter in the first passphrase goes on to the second; Enter in the
	// second writes the key.
	first.OnSubmitted = func(string) { ws.win.Canvas().Focus(second) }
	dialogs.Show(ws.win, dialogs.Spec{Title: ws.tr("project.exportKey"), Body: widget.NewForm(items...),
		Confirm: ws.tr("project.keyWrite"), Cancel: ws.tr("project.cancel"), Focus: first,
		OnConfirm: func() { p.exportKey(first.Text, second.Text) }, Size: fyne.NewSize(520, 320)})
}

// exportKey checks the passphrase, has the key encrypted in the background
// (scrypt takes a moment) and then asks where to write it.
func (p *project) exportKey(pass, again string) {
	ws := p.ws
	switch {
	case pass != again:
		p.fail(errors.New(ws.tr("project.keyMismatch")))
		return
	case utf8.RuneCountInString(pass) < minKeyPassphrase:
		p.fail(errors.New(ws.tr("project.keyShort", minKeyPassphrase)))
		return
	}
	ws.background(func(c context.Context) func() {
		data, err := ws.deps.Backend.ExportKey(c, []byte(pass))
		return func() {
			if err != nil {
				p.fail(err)
				return
			}
			write := func(path string) error {
				if err := os.WriteFile(path, data, 0o600); err != nil {
					p.fail(errors.New(ws.tr("project.keyWriteFailed", path)))
					return err
				}
				p.say(ws.tr("project.keyWritten", path))
				return nil
			}
			const name = "chiave-progetto.age"
			if ws.deps.SaveFile != nil {
				ws.deps.SaveFile(name, write)
				return
			}
			dialogs.SaveFile(ws.win, dialogs.FileSpec{Title: ws.tr("file.keyExport"), Name: name, Ext: ".age"}, func(path string) { _ = write(path) })
		}
	})
}

// devicesCard lists the team's laptops; one whose code a coordinator made is
// marked, in red, as the team's laptops mark it when they are asked to hand
// it the team key.
func (p *project) devicesCard(t Team) fyne.CanvasObject {
	ws := p.ws
	box := container.NewVBox()
	for _, d := range t.Devices {
		by := ws.tr("project.deviceByAdmin")
		if d.ByCoordinator {
			by = ws.tr("project.deviceByCoordinator", d.Coordinator)
		}
		key := ws.tr("project.deviceWaiting")
		switch {
		case d.Revoked:
			key = ws.tr("project.deviceRevoked")
		case d.HasTeamKey:
			key = ws.tr("project.deviceHasKey")
		}
		l := widget.NewLabel(ws.tr("project.deviceRow", d.Label, d.Researcher, d.EnrolledAt.Local().Format("02/01/2006 15:04"), key, by))
		l.Wrapping = fyne.TextWrapWord
		if d.ByCoordinator {
			l.Importance = widget.DangerImportance
		}
		box.Add(l)
	}
	if len(t.Devices) == 0 {
		box.Add(widget.NewLabel(ws.tr("project.noDevices")))
	}
	return widget.NewCard(ws.tr("project.devices"), ws.tr("project.devicesNote"), box)
}
