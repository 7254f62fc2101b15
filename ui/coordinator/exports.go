package coordinator

import (
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

func (ws *Workspace) exportsScreen() fyne.CanvasObject {
	var labels []string
	for _, f := range exportFormats {
		if ws.lang == "en" {
			labels = append(labels, f.en)
		} else {
			labels = append(labels, f.it)
		}
	}
	format := widget.NewRadioGroup(labels, nil)
	format.SetSelected(labels[0])
	all := widget.NewCheck(ws.tr("export.all"), nil)
	operator := widget.NewEntry()
	operator.SetPlaceHolder("80078750587")
	result := widget.NewLabel("")
	result.Wrapping = fyne.TextWrapWord
	run := func(dir string) {
		req := ExportRequest{Dir: dir, CFOperatore: strings.TrimSpace(operator.Text), Statuses: []survey.Status{survey.StatusApproved}}
		for i, l := range labels {
			if l == format.Selected {
				req.Format = exportFormats[i].id
			}
		}
		if all.Checked {
			req.Statuses = []survey.Status{survey.StatusDraft, survey.StatusFinal, survey.StatusReturned, survey.StatusApproved}
		}
		c, cancel := ctx()
		defer cancel()
		res, err := ws.deps.Backend.Export(c, req)
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
		result.SetText(msg)
	}
	choose := widget.NewButton(ws.tr("export.choose"), func() {
		if ws.deps.ChooseFolder != nil {
			ws.deps.ChooseFolder(run)
			return
		}
		dialogs.ShowFile(ws.win, dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
			if err != nil || u == nil {
				return
			}
			run(u.Path())
		}, ws.win))
	})
	choose.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem(ws.tr("export.format"), format),
		widget.NewFormItem("", all),
		widget.NewFormItem(ws.tr("export.operator"), operator),
	)
	return container.NewVScroll(container.NewVBox(form, choose, result, widget.NewLabel(ws.tr("export.note"))))
}
