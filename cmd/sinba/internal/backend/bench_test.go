package backend_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sinba/localdb"
	"sinba/survey"
	"sinba/ui"
	"sinba/ui/form"
)

var bigStore string

// store20k makes, once per run, a real store of 20,000 case records.
func store20k(b *testing.B) string {
	b.Helper()
	if bigStore != "" {
		return bigStore
	}
	dir, err := os.MkdirTemp("", "sinba-bench-")
	if err != nil {
		b.Fatal(err)
	}
	dir = filepath.Join(dir, "store")
	st, _, err := localdb.CreateWith(dir, []byte(pass), storeOpts)
	if err != nil {
		b.Fatal(err)
	}
	surnames := []string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco"}
	munis := []string{"063049", "065116", "015146", "058091"}
	statuses := []survey.Status{survey.StatusDraft, survey.StatusFinal, survey.StatusReturned}
	for i := 0; i < 20000; i++ {
		rec := survey.Record{Instrument: survey.InstrumentCase, Version: 1, Municipality: munis[i%len(munis)],
			Identity: &survey.Identity{Surname: surnames[i%len(surnames)], Name: fmt.Sprintf("Nome%05d", i)},
			Answers:  survey.Answers{"IDBeneficiario": fmt.Sprintf("P%07d", i), "AnnoNascita": 2005 + i%18}}
		if _, err := st.Save(context.Background(), rec, localdb.SaveOptions{Status: statuses[i%len(statuses)]}); err != nil {
			b.Fatal(err)
		}
	}
	st.Lock()
	bigStore = dir
	return dir
}

func benchHarness(b *testing.B) *harness {
	h := newHarness(b, store20k(b))
	h.vault.Options = storeOpts
	h.ui.Start()
	h.typeText(pass)
	h.tap("Apri")
	h.waitTitle("Panoramica")
	return h
}

// BenchmarkCaseListOpen20k is opening the case list over 20,000 records:
// reading the rows from the store's index and laying out the table.
func BenchmarkCaseListOpen20k(b *testing.B) {
	h := benchHarness(b)
	for b.Loop() {
		h.ui.Shortcut(ui.ShortcutSearch)
	}
}

// BenchmarkCaseListFilter20k is one key press in the search box: the
// matching rows of 20,000 read again and the table refreshed.
func BenchmarkCaseListFilter20k(b *testing.B) {
	h := benchHarness(b)
	h.ui.Shortcut(ui.ShortcutSearch)
	search := h.ui.SearchEntry().(*form.FocusEntry)
	queries := []string{"ros", "rossi", "nome0012", "p00199", ""}
	i := 0
	for b.Loop() {
		search.SetText(queries[i%len(queries)])
		i++
	}
}

// BenchmarkCaseFormBuild is building the whole case record form (every
// section, not only the one shown) from the instrument definition, and
// laying out its first section in a window.
func BenchmarkCaseFormBuild(b *testing.B) {
	test.NewTempApp(b)
	if err := ui.LoadTranslations(readTranslation, "it"); err != nil {
		b.Fatal(err)
	}
	spec, err := instruments(b).Form(survey.InstrumentCase, 0, "it")
	if err != nil {
		b.Fatal(err)
	}
	w := test.NewTempWindow(b, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1100, 760))
	for b.Loop() {
		rec := survey.Record{Instrument: survey.InstrumentCase, Municipality: "063049", Answers: survey.Answers{}}
		f := form.New(spec, &rec, w)
		w.SetContent(f.Object())
	}
}
