package coordinator

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"sinba/survey"
	"sinba/ui/dialogs"
)

// Formats offered, with what each one is for.
var exportFormats = []struct{ id, it, en string }{
	{"csv", "CSV (una tabella per strumento, gruppi ripetuti in formato lungo)", "CSV (a table per instrument, repeat groups in long format)"},
	{"spss", "SPSS (sintassi con etichette accanto ai CSV)", "SPSS (syntax with labels beside the CSV)"},
	{"stata", "Stata (do-file con etichette accanto ai CSV)", "Stata (do-file with labels beside the CSV)"},
	{"xlsx", "Excel (XLSX, con dizionario)", "Excel (XLSX, with codebook)"},
	{"sinba", "Flussi SINBA per l'INPS (uno per Ente)", "SINBA flows for INPS (one per Ente)"},
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
	running  bool // an export is under way; choose is disabled
	activity *fyne.Container
	bar      *widget.ProgressBarInfinite
	result   *widget.Label
	content  fyne.CanvasObject
}

// exportsScreen returns the exports tab, building it the first time.
func (ws *Workspace) exportsScreen() fyne.CanvasObject {
	if ws.exporter == nil {
		ws.exporter = newExporter(ws)
	}
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
	x.operator = widget.NewEntry()
	x.operator.SetPlaceHolder("80078750587")
	x.result = widget.NewLabel("")
	x.result.Wrapping = fyne.TextWrapWord
	x.bar = widget.NewProgressBarInfinite()
	x.bar.Stop()
	x.activity = container.NewBorder(nil, nil, widget.NewLabel(ws.tr("export.running")), nil, x.bar)
	x.activity.Hide()
	x.choose = widget.NewButton(ws.tr("export.choose"), func() {
		if x.running {
			return
		}
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
	})
	x.choose.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem(ws.tr("export.format"), x.format),
		widget.NewFormItem("", x.all),
		widget.NewFormItem(ws.tr("export.operator"), x.operator),
	)
	x.content = container.NewVScroll(container.NewVBox(form, x.choose, x.activity, x.result, widget.NewLabel(ws.tr("export.note"))))
	return x
}

// request is the export the choices on screen ask for, into dir.
func (x *exporter) request(dir string) ExportRequest {
	req := ExportRequest{Dir: dir, CFOperatore: strings.TrimSpace(x.operator.Text), Statuses: []survey.Status{survey.StatusApproved}}
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
	x.running = true
	x.choose.Disable()
	x.result.SetText("")
	x.activity.Show()
	x.bar.Start()
	be := ws.deps.Backend
	ws.background(func(c context.Context) func() {
		res, err := be.Export(c, req)
		return func() { x.finished(res, err) }
	})
}

func (x *exporter) finished(res ExportResult, err error) {
	ws := x.ws
	x.running = false
	x.bar.Stop()
	x.activity.Hide()
	x.choose.Enable()
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
	if res.Refused > 0 {
		msg += "\n" + ws.tr("export.refused", res.Refused)
	}
	x.result.SetText(msg)
}
