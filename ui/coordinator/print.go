package coordinator

import (
	"bytes"
	"os"

	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/survey"
	"sinba/survey/printout"
	"sinba/survey/quality"
	"sinba/ui/dialogs"
)

// printButton is "Stampa / salva PDF" for the record under review, made as
// the researchers' record screen makes it (survey/printout): answers as
// code · label, "not held" with its reason, notes. The coordinators never
// hold the child's identification in clear, so the page carries the
// pseudonym only. Hidden when the app has no fonts to set the page in.
func (ws *Workspace) printButton(in *survey.Instrument, e quality.Entry) *widget.Button {
	b := widget.NewButtonWithIcon(ws.tr("review.print"), theme.DocumentPrintIcon(), func() { ws.printRecord(in, e) })
	if len(ws.deps.Fonts.Regular) == 0 {
		b.Hide()
	}
	return b
}

func (ws *Workspace) printRecord(in *survey.Instrument, e quality.Entry) {
	rec := e.Record
	rec.Identity = nil // never held here; never printed
	info := printout.Info{Status: e.Status, Updated: e.Updated}
	o := printout.Options{Lang: ws.lang, Fonts: ws.deps.Fonts}
	if ws.deps.Now != nil {
		o.Now = ws.deps.Now()
	}
	name := "scheda-" + rec.ID[:min(8, len(rec.ID))] + ".pdf"
	write := func(path string) error {
		var buf bytes.Buffer
		err := printout.Record(&buf, in, rec, info, o)
		if err == nil {
			err = os.WriteFile(path, buf.Bytes(), 0o600)
		}
		if err != nil {
			ws.showError(err)
			return err
		}
		ws.say(ws.tr("review.printed", path))
		return nil
	}
	if ws.deps.SaveFile != nil {
		ws.deps.SaveFile(name, write)
		return
	}
	dialogs.SaveFile(ws.win, dialogs.FileSpec{Title: ws.tr("file.recordPDF"), Name: name, Ext: ".pdf"}, func(path string) { _ = write(path) })
}
