package coordinator

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/ui/dialogs"
)

// instrumentFiles are the files an instrument definition is read from.
var instrumentFiles = []string{".json", ".xlsx"}

// choosePublish asks for an instrument file, has it checked and compared
// with the version before it off the UI goroutine, and shows what is wrong
// with it or what it changes; it is published only once confirmed.
func (p *project) choosePublish() {
	ws := p.ws
	check := func(name string, data []byte) {
		p.say(ws.tr("project.checking", name))
		ws.background(func(c context.Context) func() {
			pc, err := ws.deps.Backend.CheckPublish(c, name, data)
			return func() {
				switch {
				case err != nil:
					p.say("")
					p.fail(errors.New(ws.tr("project.checkFailed", name, ws.errText(err))))
				case len(pc.Problems) > 0:
					p.say("")
					p.showProblems(name, pc.Problems)
				case pc.AlreadyPublished:
					p.say(ws.tr("project.alreadyPublished", pc.ID, pc.Version))
				default:
					p.say("")
					p.confirmPublish(name, pc)
				}
			}
		})
	}
	openFile(ws.win, ws.tr("file.publish"), ws.deps.OpenFile, instrumentFiles, check, func(name string) {
		p.fail(errors.New(ws.tr("project.readFailed", name)))
	})
}

// lines is a list of texts, each wrapped to the dialog's width so that a
// rule's new expression or a default's value is read whole, in a scroll
// (a version may change a hundred questions).
func lines(items []string) fyne.CanvasObject {
	box := container.NewVBox()
	for _, s := range items {
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		box.Add(l)
	}
	return container.NewVScroll(box)
}

// showProblems lists what is wrong with the file, each where it is.
func (p *project) showProblems(name string, problems []Problem) {
	ws := p.ws
	var items []string
	for _, pr := range problems {
		s := pr.Message.In(ws.lang)
		if pr.Where != "" {
			s = whereIn(pr.Where, ws.lang) + ": " + s
		}
		items = append(items, s)
	}
	intro := widget.NewLabel(ws.tr("project.invalid", name, len(problems)))
	intro.Wrapping = fyne.TextWrapWord
	dialogs.Show(ws.win, dialogs.Spec{Title: ws.tr("project.invalidTitle"), Body: container.NewBorder(intro, nil, nil, nil, lines(items)),
		Confirm: ws.tr("project.close"), Size: fyne.NewSize(760, 420)})
}

// whereIn keeps the part of a bilingual place ("riga 3, colonna 15 / line
// 3, column 15") in the screens' language.
func whereIn(where, lang string) string {
	it, en, ok := strings.Cut(where, " / ")
	switch {
	case !ok:
		return where
	case lang == "en":
		return en
	}
	return it
}

// confirmPublish shows the check passed and what the version changes, and
// publishes it when the coordinator confirms.
func (p *project) confirmPublish(name string, pc PublishCheck) {
	ws := p.ws
	ws.lastPublished = pc.ID
	var intro string
	switch {
	case pc.Previous == 0:
		intro = ws.tr("project.checkNew", name, pc.ID, pc.Version)
	case pc.PreviousPublished:
		intro = ws.tr("project.checkPublished", name, pc.ID, pc.Version, pc.Previous, len(pc.Changes))
	default:
		intro = ws.tr("project.checkBuiltIn", name, pc.ID, pc.Version, pc.Previous, len(pc.Changes))
	}
	head := widget.NewLabel(intro)
	head.Wrapping = fyne.TextWrapWord
	foot := widget.NewLabel(ws.tr("project.publishAsk"))
	foot.Wrapping = fyne.TextWrapWord
	var items []string
	for _, c := range pc.Changes {
		items = append(items, c.Line(ws.lang))
	}
	bottom := container.NewVBox(foot)
	if pc.Old != nil {
		// The report with the figures of the earlier version's records,
		// for the meeting that decides, before anything is published.
		old, new := pc.Old, pc.New
		bottom.Add(container.NewHBox(widget.NewButtonWithIcon(ws.tr("project.diffReport"), theme.DocumentSaveIcon(), func() { ws.saveDiffReport(old, new) })))
	}
	var body fyne.CanvasObject = container.NewVBox(head, bottom)
	if len(items) > 0 {
		body = container.NewBorder(head, bottom, nil, nil, lines(items))
	}
	dialogs.Show(ws.win, dialogs.Spec{Title: ws.tr("project.publishTitle", pc.ID, pc.Version), Body: body,
		Confirm: ws.tr("project.publishConfirm"), Cancel: ws.tr("project.cancel"),
		OnConfirm: func() { p.publish(name, pc.Body) }, Size: fyne.NewSize(900, 520)})
}

// publish sends a checked definition off the UI goroutine.
func (p *project) publish(name string, body []byte) {
	ws := p.ws
	p.say(ws.tr("project.publishing", name))
	ws.background(func(c context.Context) func() {
		in, err := ws.deps.Backend.Publish(c, body)
		return func() {
			if err != nil {
				p.say("")
				// The server's refusal says what is wrong with the file.
				p.fail(errors.New(ws.tr("project.publishRefused", name, ws.errText(err))))
				return
			}
			ws.lastPublished = in.ID
			p.say(ws.tr("project.published", in.ID, in.Version))
			// The instruments are read again: the differences dialog and
			// the review know the version at once (the records are as
			// they were, and the screens stay as they are).
			ws.refreshInstruments()
		}
	})
}

// refreshInstruments reads the instrument versions held again, off the UI
// goroutine, after a publish.
func (ws *Workspace) refreshInstruments() {
	ws.background(func(c context.Context) func() {
		reg, err := ws.deps.Backend.Instruments(c)
		return func() {
			if reg != nil {
				ws.deps.Registry = reg
			}
			if err != nil {
				ws.showError(err)
			}
		}
	})
}
