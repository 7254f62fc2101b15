package ui

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"sinba/survey"
)

func (a *App) newCase() {
	a.showCase(survey.Record{Instrument: survey.InstrumentCase, Version: 1, Answers: survey.Answers{}})
}

func (a *App) openRecord(id string) {
	cx, cancel := ctx()
	rec, _, err := a.store.Get(cx, id)
	cancel()
	if err != nil {
		a.showError(err)
		return
	}
	a.showCase(rec)
}

// showCase is the case record form. It shows the identification of the child
// (kept on this laptop only) and the first answers of the data set.
func (a *App) showCase(rec survey.Record) {
	if rec.Identity == nil {
		rec.Identity = &survey.Identity{}
	}
	municipality := widget.NewEntry()
	municipality.SetPlaceHolder(T("case.municipality_placeholder"))
	municipality.SetText(rec.Municipality)
	surname := widget.NewEntry()
	surname.SetText(rec.Identity.Surname)
	name := widget.NewEntry()
	name.SetText(rec.Identity.Name)
	cf := widget.NewEntry()
	cf.SetText(rec.Identity.FiscalCode)
	year := widget.NewEntry()
	year.SetPlaceHolder("AAAA")
	if v, ok := rec.Answers["AnnoNascita"]; ok {
		year.SetText(answerText(v))
	}
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord

	save := widget.NewButton(T("case.save"), nil)
	save.Importance = widget.HighImportance
	save.OnTapped = func() {
		rec.Municipality = strings.TrimSpace(municipality.Text)
		rec.Identity.Surname = strings.TrimSpace(surname.Text)
		rec.Identity.Name = strings.TrimSpace(name.Text)
		rec.Identity.FiscalCode = strings.ToUpper(strings.TrimSpace(cf.Text))
		if y := strings.TrimSpace(year.Text); y != "" {
			n, err := strconv.Atoi(y)
			if err != nil {
				problem.SetText(T("case.year_invalid"))
				return
			}
			rec.Answers["AnnoNascita"] = float64(n)
		} else {
			delete(rec.Answers, "AnnoNascita")
		}
		cx, cancel := ctx()
		_, err := a.store.Save(cx, rec, survey.StatusDraft)
		cancel()
		if err != nil {
			problem.SetText(err.Error())
			return
		}
		a.showHome()
	}
	back := widget.NewButton(T("common.back"), a.showHome)
	form := widget.NewForm(
		widget.NewFormItem(T("case.municipality"), municipality),
		widget.NewFormItem(T("case.surname"), surname),
		widget.NewFormItem(T("case.name"), name),
		widget.NewFormItem(T("case.fiscal_code"), cf),
		widget.NewFormItem(T("case.birth_year"), year),
	)
	a.setContent(T("case.title"), page(T("case.title"),
		container.NewVScroll(container.NewVBox(form, problem)), back, save))
	a.win.Canvas().Focus(municipality)
}

func answerText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	}
	return ""
}

func (a *App) showError(err error) {
	msg := widget.NewLabel(err.Error())
	msg.Wrapping = fyne.TextWrapWord
	a.setContent(T("common.error"), page(T("common.error"), container.NewVBox(msg),
		widget.NewButton(T("common.back"), a.showHome)))
}
