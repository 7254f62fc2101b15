package coordinator

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/survey"
	"sinba/survey/export"
	"sinba/ui/dialogs"
)

// Formats offered, with what each one is for.
var exportFormats = []struct{ id, it, en string }{
	{export.FormatCSV, "CSV (una tabella per strumento, gruppi ripetuti in formato lungo)", "CSV (a table per instrument, repeat groups in long format)"},
	{export.FormatSPSS, "SPSS (sintassi con etichette accanto ai CSV)", "SPSS (syntax with labels beside the CSV)"},
	{export.FormatStata, "Stata (do-file con etichette accanto ai CSV)", "Stata (do-file with labels beside the CSV)"},
	{export.FormatXLSX, "Excel (XLSX, con dizionario)", "Excel (XLSX, with codebook)"},
	{export.FormatSINBA, "Flussi SINBA per l'INPS (uno per Ente)", "SINBA flows for INPS (one per Ente)"},
}

// exporter is the exports tab, built once: a reload of the records leaves
// the choices made and an export under way as they are. It is touched on
// the UI goroutine only.
type exporter struct {
	ws       *Workspace
	labels   []string
	format   *widget.RadioGroup
	all      *widget.Check
	operator *widget.Entry
	choose   *widget.Button
	running  bool // an export (or its plan) is under way; choose is disabled
	activity *fyne.Container
	bar      *widget.ProgressBarInfinite
	result   *widget.Label
	// left shows the records the last SINBA export left out, and why.
	left    *fyne.Container
	content fyne.CanvasObject
}

// exportsScreen returns the exports tab, building it the first time.
func (ws *Workspace) exportsScreen() fyne.CanvasObject {
	if ws.exporter == nil {
		ws.exporter = newExporter(ws)
	}
	ws.exporter.remembered(ws.snap.profile.Operator)
	return ws.exporter.content
}

func newExporter(ws *Workspace) *exporter {
	x := &exporter{ws: ws}
	for _, f := range exportFormats {
		if ws.lang == "en" {
			x.labels = append(x.labels, f.en)
		} else {
			x.labels = append(x.labels, f.it)
		}
	}
	x.format = widget.NewRadioGroup(x.labels, nil)
	x.format.SetSelected(x.labels[0])
	x.all = widget.NewCheck(ws.tr("export.all"), nil)
	// No example number: one would look like a value given. What the
	// field takes is said under it, and what is typed is checked.
	x.operator = widget.NewEntry()
	x.operator.SetPlaceHolder(ws.tr("export.operatorHint"))
	x.operator.Validator = func(s string) error {
		if why := survey.OperatorCodeProblem(s); why != (survey.Text{}) {
			return errors.New(why.In(ws.lang))
		}
		return nil
	}
	help := widget.NewLabel(ws.tr("export.operatorHelp"))
	help.Wrapping = fyne.TextWrapWord
	x.result = widget.NewLabel("")
	x.result.Wrapping = fyne.TextWrapWord
	x.left = container.NewVBox()
	x.bar = widget.NewProgressBarInfinite()
	x.bar.Stop()
	x.activity = container.NewBorder(nil, nil, widget.NewLabel(ws.tr("export.running")), nil, x.bar)
	x.activity.Hide()
	x.choose = widget.NewButton(ws.tr("export.choose"), x.start)
	x.choose.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem(ws.tr("export.format"), x.format),
		widget.NewFormItem("", x.all),
		widget.NewFormItem(ws.tr("export.operator"), x.operator),
		widget.NewFormItem("", help),
	)
	x.content = container.NewVScroll(container.NewVBox(form, x.choose, x.activity, x.result, x.left, widget.NewLabel(ws.tr("export.note"))))
	return x
}

// remembered puts the operator code the project last sent flows with in
// the field, unless something is typed there already.
func (x *exporter) remembered(code string) {
	if code != "" && x.operator.Text == "" {
		x.operator.SetText(code)
	}
}

// request is the export the choices on screen ask for, into dir.
func (x *exporter) request(dir string) ExportRequest {
	req := ExportRequest{Dir: dir, CFOperatore: strings.ToUpper(strings.TrimSpace(x.operator.Text)), Statuses: []survey.Status{survey.StatusApproved}}
	for i, l := range x.labels {
		if l == x.format.Selected {
			req.Format = exportFormats[i].id
		}
	}
	if x.all.Checked {
		req.Statuses = []survey.Status{survey.StatusDraft, survey.StatusFinal, survey.StatusReturned, survey.StatusApproved}
	}
	return req
}

// start begins an export. SINBA flows need the operator's code, asked for
// and checked first, and show what would go into the flows and what would
// be left out, and why, before the folder is chosen.
func (x *exporter) start() {
	if x.running {
		return
	}
	ws := x.ws
	req := x.request("")
	if req.Format != export.FormatSINBA {
		x.chooseFolder()
		return
	}
	if why := survey.OperatorCodeProblem(req.CFOperatore); why != (survey.Text{}) {
		focus := func() { ws.win.Canvas().Focus(x.operator) }
		dialogs.Show(ws.win, dialogs.Spec{Title: ws.tr("export.operatorTitle"), Body: dialogs.Text(ws.tr("export.operatorMissing", why.In(ws.lang))),
			Confirm: ws.tr("project.close"), OnConfirm: focus, OnCancel: focus})
		return
	}
	x.busy(true)
	be := ws.deps.Backend
	ws.background(func(c context.Context) func() {
		res, err := be.PlanExport(c, req)
		return func() {
			x.busy(false)
			if err != nil {
				ws.showError(err)
				return
			}
			x.showPlan(res)
		}
	})
}

// showPlan shows what a SINBA export would write and leave out; the folder
// is asked for once the coordinator confirms.
func (x *exporter) showPlan(res ExportResult) {
	ws := x.ws
	head := dialogs.Text(ws.tr("export.plan", res.Records, res.Files, len(res.Refused)))
	var body fyne.CanvasObject = head
	if len(res.Refused) > 0 {
		body = container.NewBorder(head, nil, nil, nil, ws.refusals(res.Refused))
	}
	spec := dialogs.Spec{Title: ws.tr("export.planTitle"), Body: body, Size: fyne.NewSize(820, 520)}
	if res.Records == 0 {
		spec.Confirm = ws.tr("project.close") // nothing would go into a flow
	} else {
		spec.Confirm, spec.Cancel, spec.OnConfirm = ws.tr("export.choose"), ws.tr("cancel"), x.chooseFolder
	}
	dialogs.Show(ws.win, spec)
}

// chooseFolder asks where the export goes, and runs it there.
func (x *exporter) chooseFolder() {
	ws := x.ws
	if ws.deps.ChooseFolder != nil {
		ws.deps.ChooseFolder(x.run)
		return
	}
	format, _, _ := strings.Cut(x.format.Selected, " (") // "CSV", "Excel"
	dialogs.ShowFile(ws.win, ws.tr("file.export", format), dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil || u == nil {
			return
		}
		x.run(u.Path())
	}, ws.win))
}

// busy disables the button and shows the activity line while an export or
// its plan runs.
func (x *exporter) busy(on bool) {
	x.running = on
	if on {
		x.choose.Disable()
		x.activity.Show()
		x.bar.Start()
		return
	}
	x.bar.Stop()
	x.activity.Hide()
	x.choose.Enable()
}

// run exports into dir off the UI goroutine: reading, decrypting and
// writing every record takes a while. Meanwhile the button is disabled and
// an activity line shows; the result (or the error) comes back to the UI
// goroutine.
func (x *exporter) run(dir string) {
	if x.running {
		return
	}
	ws := x.ws
	req := x.request(dir)
	x.busy(true)
	x.result.SetText("")
	x.left.RemoveAll()
	be := ws.deps.Backend
	ws.background(func(c context.Context) func() {
		res, err := be.Export(c, req)
		return func() { x.finished(res, err) }
	})
}

func (x *exporter) finished(res ExportResult, err error) {
	ws := x.ws
	x.busy(false)
	if err != nil {
		ws.showError(err)
		return
	}
	msg := ws.tr("export.done", res.Records, res.Files, res.Dir)
	if len(res.Versions) > 1 {
		var by []string
		for _, v := range res.Versions {
			title := v.Instrument
			if in, ok := ws.deps.Registry.Latest(v.Instrument); ok {
				title = in.Title.In(ws.lang)
			}
			by = append(by, ws.tr("export.version", title, v.Version, v.Records))
		}
		msg += "\n" + ws.tr("export.versions", strings.Join(by, " · "))
	}
	if res.Manifest != "" {
		msg += "\n" + ws.tr("export.manifest", res.Manifest)
	}
	if len(res.Refused) > 0 {
		msg += "\n" + ws.tr("export.refused", len(res.Refused))
		x.left.Add(ws.refusals(res.Refused))
	}
	x.result.SetText(msg)
}

// refusals lists the records left out of SINBA flows: how many for each
// reason, most frequent first, then each record with its reasons. Reasons
// are read as the screens read findings: by the question's label, in the
// screens' language.
func (ws *Workspace) refusals(refused []export.Refusal) fyne.CanvasObject {
	byID := make(map[string]int, len(ws.entries))
	for i, e := range ws.entries {
		byID[e.Record.ID] = i
	}
	count := map[string]int{}
	var reasons []string
	lines := make([]string, len(refused))
	for i, r := range refused {
		var why []string
		for _, is := range r.Issues {
			t := survey.Text{IT: is.MessageIT, EN: is.MessageEN}.In(ws.lang)
			if count[t] == 0 {
				reasons = append(reasons, t)
			}
			count[t]++
			why = append(why, t)
		}
		who := r.Municipality
		if k, ok := byID[r.RecordID]; ok {
			who = ws.entryLabel(ws.entries[k])
		} else if ws.deps.Ref != nil {
			if m, ok := ws.deps.Ref.Municipality(r.Municipality); ok {
				who = m.Name
			}
		}
		lines[i] = who + ": " + strings.Join(why, "; ")
	}
	sort.SliceStable(reasons, func(i, j int) bool { return count[reasons[i]] > count[reasons[j]] })
	const shown = 12 // the most frequent reasons; every one is in the list and the manifest
	var sum []string
	for i, t := range reasons {
		if i == shown {
			sum = append(sum, ws.tr("export.moreReasons", len(reasons)-shown))
			break
		}
		sum = append(sum, fmt.Sprintf("%d × %s", count[t], t))
	}
	head := widget.NewLabelWithStyle(ws.tr("export.reasons"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	summary := dialogs.Text(strings.Join(sum, "\n"))
	list := widget.NewList(func() int { return len(lines) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(lines[i]) })
	each := widget.NewLabelWithStyle(ws.tr("export.leftOut", len(lines)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	// Up to eight rows in view; the list scrolls through the rest.
	tall := canvas.NewRectangle(color.Transparent)
	tall.SetMinSize(fyne.NewSize(0, float32(min(len(lines), 8))*(widget.NewLabel("X").MinSize().Height+theme.Padding()+theme.SeparatorThicknessSize())))
	return container.NewVBox(head, summary, each, container.NewStack(tall, list))
}
