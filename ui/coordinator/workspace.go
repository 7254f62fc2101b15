package coordinator

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"sort"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/survey"
	"sinba/survey/quality"
	"sinba/ui/dialogs"
)

// Workspace is the coordinators' window content: a tab per task.
type Workspace struct {
	win  fyne.Window
	deps Deps
	lang string

	entries []quality.Entry
	report  *quality.Report // computed on demand, dropped on reload

	tabs *container.AppTabs
	// profile names the project and its server, always; status is the
	// line of messages under it (a download's summary, a decision taken, a
	// file written), hidden while there is none.
	profile *widget.Label
	status  *widget.Label
	keyBtn  *widget.Button // shown while the project key is missing

	progress, review, quality, results, exports, project *container.TabItem
	selected                                             string       // record id in the review tab
	queueList                                            *widget.List // the review queue

	load *loader  // the loads of the records, and the activity line
	snap snapshot // what the last load read and computed

	// lastPublished is the instrument last published (or checked for
	// publishing) from this workspace: the differences dialog proposes it.
	lastPublished string

	exporter *exporter // the exports tab, built once
}

// New builds the workspace over deps; call Reload to read the records, or
// Start to do it and show the workspace in the window.
func New(w fyne.Window, deps Deps) *Workspace {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	ws := &Workspace{win: w, deps: deps, lang: deps.Language}
	ws.profile = widget.NewLabel("")
	ws.profile.Truncation = fyne.TextTruncateEllipsis
	ws.status = widget.NewLabel("")
	ws.status.Wrapping = fyne.TextWrapWord
	ws.status.Hide()
	ws.load = newLoader()
	ws.keyBtn = widget.NewButtonWithIcon(ws.tr("key.import"), theme.FolderOpenIcon(), ws.importKey)
	ws.keyBtn.Importance = widget.WarningImportance
	ws.keyBtn.Hide()
	ws.progress = container.NewTabItemWithIcon(ws.tr("tab.progress"), theme.InfoIcon(), widget.NewLabel(""))
	ws.review = container.NewTabItemWithIcon(ws.tr("tab.review"), theme.DocumentIcon(), widget.NewLabel(""))
	ws.quality = container.NewTabItemWithIcon(ws.tr("tab.quality"), theme.WarningIcon(), widget.NewLabel(""))
	ws.results = container.NewTabItemWithIcon(ws.tr("tab.results"), theme.GridIcon(), widget.NewLabel(""))
	ws.exports = container.NewTabItemWithIcon(ws.tr("tab.exports"), theme.DownloadIcon(), widget.NewLabel(""))
	ws.project = container.NewTabItemWithIcon(ws.tr("tab.project"), theme.SettingsIcon(), widget.NewLabel(""))
	ws.tabs = container.NewAppTabs(ws.progress, ws.review, ws.quality, ws.results, ws.exports, ws.project)
	return ws
}

// Start reads the records and puts the workspace in the window, with a
// main menu whose shortcuts work wherever the cursor is: Ctrl+1 to Ctrl+6
// open the tabs (the review tab with the cursor in its queue), Ctrl+R
// downloads from the server.
func (ws *Workspace) Start() {
	ws.Reload()
	ws.win.SetContent(ws.Content())
	ws.tabs.OnSelected = func(t *container.TabItem) {
		if t == ws.review && ws.queueList != nil {
			ws.win.Canvas().Focus(ws.queueList)
		}
	}
	tabs := []*container.TabItem{ws.progress, ws.review, ws.quality, ws.results, ws.exports, ws.project}
	// The shortcuts do nothing while a dialog is open: a tab changed or a
	// download started behind a question would leave it acting on a screen
	// no longer shown.
	inert := func(do func()) func() {
		return func() {
			if ws.win.Canvas().Overlays().Top() == nil {
				do()
			}
		}
	}
	var goItems []*fyne.MenuItem
	for i, t := range tabs {
		it := fyne.NewMenuItem(t.Text, inert(func() { ws.tabs.Select(t) }))
		it.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyName(strconv.Itoa(i + 1)), Modifier: fyne.KeyModifierShortcutDefault}
		goItems = append(goItems, it)
	}
	download := fyne.NewMenuItem(ws.tr("sync"), inert(ws.Sync))
	download.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault}
	ws.win.SetMainMenu(fyne.NewMainMenu(
		fyne.NewMenu(ws.tr("title"), download),
		fyne.NewMenu(ws.tr("menu.go"), goItems...)))
}

// Content is the workspace's canvas object: a bar with the profile and the
// download button above the tabs.
func (ws *Workspace) Content() fyne.CanvasObject {
	syncBtn := widget.NewButtonWithIcon(ws.tr("sync"), theme.ViewRefreshIcon(), ws.Sync)
	syncBtn.Importance = widget.HighImportance
	bar := container.NewBorder(nil, nil, nil, container.NewHBox(ws.keyBtn, syncBtn), ws.profile)
	return container.NewBorder(container.NewVBox(bar, ws.status, ws.load.row, widget.NewSeparator()), nil, nil, nil, ws.tabs)
}

// say shows msg on the line of messages under the project's name; "" hides
// the line.
func (ws *Workspace) say(msg string) {
	ws.status.SetText(msg)
	if msg == "" {
		ws.status.Hide()
	} else {
		ws.status.Show()
	}
}

// Tabs exposes the tabs, for tests.
func (ws *Workspace) Tabs() *container.AppTabs { return ws.tabs }

func ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 2*time.Minute)
}

// Sync downloads in the background, then reloads.
func (ws *Workspace) Sync() {
	ws.say(ws.tr("sync") + "…")
	ws.background(func(c context.Context) func() {
		sum, err := ws.deps.Backend.Sync(c)
		return func() {
			ws.Reload()
			if err != nil {
				ws.showError(err)
				return
			}
			msg := ws.tr("sync.done", sum.Revisions, sum.Reviews, sum.SecretsGranted)
			if sum.Unreadable > 0 {
				msg += " · " + ws.tr("sync.unreadable", sum.Unreadable)
			}
			ws.say(msg)
		}
	})
}

func (ws *Workspace) showError(err error) {
	dialogs.Error(ws.win, ws.errText(err))
}

// analysis returns the critical points of the records held, computed once
// per reload: analysing every record is the slow part of these screens.
func (ws *Workspace) analysis() *quality.Report {
	if ws.report == nil {
		ws.report = analyse(ws.deps.Registry, ws.deps.Ref, ws.deps.Now(), ws.entries)
	}
	return ws.report
}

// statusColors are the bars' colours, one per state in quality.Statuses.
var statusColors = map[survey.Status]color.Color{
	survey.StatusDraft:    color.NRGBA{R: 0x9e, G: 0x9e, B: 0x9e, A: 0xff},
	survey.StatusFinal:    color.NRGBA{R: 0x1e, G: 0x88, B: 0xe5, A: 0xff},
	survey.StatusReturned: color.NRGBA{R: 0xfb, G: 0x8c, B: 0x00, A: 0xff},
	survey.StatusApproved: color.NRGBA{R: 0x43, G: 0xa0, B: 0x47, A: 0xff},
}

// bar draws counts by state as one stacked bar of canvas rectangles, scaled
// so that max fills width.
func bar(counts quality.StatusCounts, max int, width float32) fyne.CanvasObject {
	var parts []fyne.CanvasObject
	for _, s := range quality.Statuses {
		n := counts[s]
		if n == 0 || max == 0 {
			continue
		}
		r := canvas.NewRectangle(statusColors[s])
		r.SetMinSize(fyne.NewSize(width*float32(n)/float32(max), 18))
		parts = append(parts, r)
	}
	box := container.New(&tight{}, parts...)
	return box
}

// tight lays objects side by side at their minimum size with no gap, so a
// stacked bar reads as one.
type tight struct{}

func (*tight) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		m := o.MinSize()
		s.Width += m.Width
		s.Height = max(s.Height, m.Height)
	}
	return s
}

func (*tight) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	x := float32(0)
	for _, o := range objs {
		m := o.MinSize()
		o.Move(fyne.NewPos(x, (size.Height-m.Height)/2))
		o.Resize(fyne.NewSize(m.Width, m.Height))
		x += m.Width
	}
}

func (ws *Workspace) statusName(s survey.Status) string { return ws.tr("status." + string(s)) }

func (ws *Workspace) legend() fyne.CanvasObject {
	items := []fyne.CanvasObject{}
	for _, s := range quality.Statuses {
		r := canvas.NewRectangle(statusColors[s])
		r.SetMinSize(fyne.NewSize(14, 14))
		items = append(items, container.NewCenter(r), widget.NewLabel(ws.statusName(s)))
	}
	return container.NewHBox(items...)
}

func (ws *Workspace) progressScreen() fyne.CanvasObject {
	p := ws.analysis().Progress
	total := widget.NewLabelWithStyle(ws.tr("progress.total", p.Total.Cases.Total(), p.Total.Questionnaires.Total()), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	rows := func(title string, list []quality.ProgressRow) fyne.CanvasObject {
		most := 0
		for _, r := range list {
			most = max(most, r.Cases.Total())
		}
		grid := container.New(layout.NewFormLayout())
		for _, r := range list {
			counts := fmt.Sprintf("%d", r.Cases.Total())
			grid.Add(widget.NewLabel(r.Label))
			grid.Add(container.NewHBox(bar(r.Cases, most, 360), widget.NewLabel(counts)))
		}
		return widget.NewCard(title, "", grid)
	}
	weeks := container.New(layout.NewFormLayout())
	most := 0
	for _, w := range p.Weeks {
		most = max(most, w.Cumulative)
	}
	for _, w := range p.Weeks {
		r := canvas.NewRectangle(statusColors[survey.StatusFinal])
		if most > 0 {
			r.SetMinSize(fyne.NewSize(360*float32(w.Cumulative)/float32(most), 14))
		}
		weeks.Add(widget.NewLabel(quality.WeekLabel(w.Start, ws.lang)))
		weeks.Add(container.NewHBox(container.NewCenter(r), widget.NewLabel(fmt.Sprintf("+%d → %d", w.Created, w.Cumulative))))
	}
	body := container.NewVBox(total, ws.legend(), rows(ws.tr("progress.byMuni"), p.ByMunicipality), rows(ws.tr("progress.byTeam"), p.ByTeam),
		widget.NewCard(ws.tr("progress.weeks"), "", weeks))
	return container.NewVScroll(body)
}

// fieldLabel is the label of a field of an instrument in the screens' language.
func (ws *Workspace) fieldLabel(instrument, field string) string {
	if in, ok := ws.deps.Registry.Latest(instrument); ok {
		if q, ok := in.Question(field); ok {
			return q.Label.In(ws.lang)
		}
	}
	return field
}

func sortedEntries(es []quality.Entry) []quality.Entry {
	out := append([]quality.Entry(nil), es...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Updated.Before(out[j].Updated) })
	return out
}

// importKey asks for the project key file and its passphrase, and imports it.
func (ws *Workspace) importKey() {
	openFile(ws.win, ws.tr("file.key"), ws.deps.OpenFile, nil, func(name string, data []byte) {
		pass := dialogs.NewPasswordEntry()
		body := container.NewVBox(widget.NewLabel(ws.tr("key.ask", name)), pass)
		dialogs.Show(ws.win, dialogs.Spec{Title: ws.tr("key.import"), Body: body, Confirm: ws.tr("key.do"), Cancel: ws.tr("cancel"), Focus: pass, OnConfirm: func() {
			secret := []byte(pass.Text)
			ws.background(func(c context.Context) func() {
				err := ws.deps.Backend.ImportKey(c, data, secret)
				return func() {
					if err != nil {
						ws.showError(err)
						return
					}
					ws.Reload()
					ws.say(ws.tr("key.done"))
				}
			})
		}})
	}, func(name string) { ws.showError(errors.New(ws.tr("project.readFailed", name))) })
}
