package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/survey"
	"sinba/survey/printout"
	"sinba/ui/dialogs"
	"sinba/ui/loop"
)

// Printer makes the PDF of a record, and of a blank instrument to fill in
// on paper (the version new records take); the Instruments of cmd/sinba
// implement it. The child's identification is printed only when
// withIdentity is true.
type Printer interface {
	PrintRecord(w io.Writer, rec survey.Record, info printout.Info, withIdentity bool, language string) error
	PrintBlank(w io.Writer, instrument string, language string) error
}

// printBlank offers the blank instruments to print, for an office that
// fills them in on paper first: a choice among buttons (Enter takes the
// focused one, Escape cancels), then where to save the PDF, written off the
// UI goroutine.
func (a *App) printBlank() {
	p, ok := a.opts.Instruments.(Printer)
	if !ok {
		return
	}
	var d *dialogs.Dialog
	list := container.NewVBox(dialogs.Text(T("print.blank_explain")))
	for _, id := range []string{survey.InstrumentCase, survey.InstrumentMunicipality} {
		version, _ := a.opts.Instruments.Current(id)
		label := T("print.blank_instrument", map[string]any{"Instrument": T("instrument." + id), "Version": version})
		list.Add(dialogs.NewButton(label, theme.DocumentPrintIcon(), func() {
			d.Dismiss()
			lang := a.lang
			a.saveFile(dialogs.FileSpec{Title: T("files.blank_pdf", map[string]any{"Instrument": T("instrument." + id)}),
				Name: fmt.Sprintf("%s-v%d-in-bianco.pdf", id, version), Ext: ".pdf"}, func(path string) {
				loop.Go(func() func() {
					var buf bytes.Buffer
					err := p.PrintBlank(&buf, id, lang)
					if err == nil {
						err = os.WriteFile(path, buf.Bytes(), 0o600)
					}
					return func() {
						if err != nil {
							dialogs.Error(a.win, T("record.print_failed", map[string]any{"Error": a.errText(err)}))
							return
						}
						dialogs.Inform(a.win, T("print.blank_title"), T("record.printed", map[string]any{"Path": path}))
					}
				})
			})
		}, func() { d.Dismiss() }))
	}
	d = dialogs.Show(a.win, dialogs.Spec{Title: T("print.blank_title"), Body: list, Cancel: T("common.cancel"),
		Focus: list.Objects[1].(fyne.Focusable)})
}

// printButton is "Stampa / salva PDF", hidden when the instruments cannot
// print.
func (r *recordScreen) printButton() *dialogs.Button {
	b := newButtonWithIcon(T("record.print"), theme.DocumentPrintIcon(), r.print)
	if _, ok := r.a.opts.Instruments.(Printer); !ok {
		b.Hide()
	}
	return b
}

// print asks whether the child's identification goes on the page (no by
// default: a printed record about a minor is sensitive), then where to save
// the PDF, and writes it off the UI goroutine.
func (r *recordScreen) print() {
	p, ok := r.a.opts.Instruments.(Printer)
	if !ok {
		return
	}
	// A copy, so that edits made while the PDF is written do not race it.
	var rec survey.Record
	if b, err := json.Marshal(r.rec); err != nil || json.Unmarshal(b, &rec) != nil {
		dialogs.Error(r.a.win, T("record.print_failed", map[string]any{"Error": r.a.errText(err)}))
		return
	}
	var info printout.Info
	if r.row != nil {
		info = printout.Info{Status: r.row.Status, Updated: r.row.Updated}
	}
	name := "scheda.pdf"
	if rec.ID != "" {
		name = "scheda-" + rec.ID[:min(8, len(rec.ID))] + ".pdf"
	}
	lang := r.a.lang
	save := func(withIdentity bool) {
		r.a.saveFile(dialogs.FileSpec{Title: T("files.record_pdf"), Name: name, Ext: ".pdf"}, func(path string) {
			loop.Go(func() func() {
				var buf bytes.Buffer
				err := p.PrintRecord(&buf, rec, info, withIdentity, lang)
				if err == nil {
					err = os.WriteFile(path, buf.Bytes(), 0o600)
				}
				return func() {
					if err != nil {
						dialogs.Error(r.a.win, T("record.print_failed", map[string]any{"Error": r.a.errText(err)}))
						return
					}
					r.saved.Importance = widget.MediumImportance
					r.saved.SetText(T("record.printed", map[string]any{"Path": path}))
				}
			})
		})
	}
	if rec.Instrument != survey.InstrumentCase || rec.Identity.Empty() {
		save(false)
		return
	}
	with := widget.NewCheck(T("record.print_identity"), nil)
	dialogs.Show(r.a.win, dialogs.Spec{
		Title:   T("record.print"),
		Body:    container.NewVBox(dialogs.Text(T("record.print_explain")), with),
		Confirm: T("record.print_choose"),
		Cancel:  T("common.cancel"),
		OnConfirm: func() {
			save(with.Checked)
		},
	})
}

// saveFile asks where to save the file s describes (Options.SaveFile in
// tests, else Fyne's save dialog) and calls done with the path chosen.
func (a *App) saveFile(s dialogs.FileSpec, done func(path string)) {
	if a.opts.SaveFile != nil {
		a.opts.SaveFile(s.Name, done)
		return
	}
	dialogs.SaveFile(a.win, s, done)
}
