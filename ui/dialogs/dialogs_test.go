package dialogs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sinba/assets"
	"sinba/ui/dialogs"
	"sinba/ui/loop"
)

// setup opens a window with the app's translations of language registered,
// as cmd/sinba does.
func setup(t *testing.T, language string) fyne.Window {
	t.Helper()
	test.NewTempApp(t)
	data, err := assets.Translations.ReadFile("translations/" + language + ".json")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"it", "en"} {
		if err := lang.AddTranslationsForLocale(data, fyne.Locale(l)); err != nil {
			t.Fatal(err)
		}
	}
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(800, 600))
	return w
}

// press types key as the keyboard does: to the focused widget, or to the
// canvas when nothing holds the focus.
func press(c fyne.Canvas, key fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: key}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
	} else if h := c.OnTypedKey(); h != nil {
		h(ev)
	}
}

type outcome struct{ confirmed, cancelled int }

func (o *outcome) spec(body fyne.CanvasObject) dialogs.Spec {
	return dialogs.Spec{Title: "Titolo", Body: body, Confirm: "Procedi", Cancel: "Annulla",
		OnConfirm: func() { o.confirmed++ }, OnCancel: func() { o.cancelled++ }}
}

func open(w fyne.Window) bool { return w.Canvas().Overlays().Top() != nil }

// Enter confirms and Escape cancels whatever holds the focus: the default
// button, the cancel button, an entry of the body, or nothing.
func TestEnterConfirmsEscapeCancelsWhateverHoldsTheFocus(t *testing.T) {
	w := setup(t, "it")
	c := w.Canvas()
	cases := []struct {
		name  string
		focus func(d *dialogs.Dialog, e *dialogs.Entry)
		key   fyne.KeyName
		want  outcome
	}{
		{"Enter on the default button", func(*dialogs.Dialog, *dialogs.Entry) {}, fyne.KeyReturn, outcome{confirmed: 1}},
		{"Escape on the default button", func(*dialogs.Dialog, *dialogs.Entry) {}, fyne.KeyEscape, outcome{cancelled: 1}},
		{"keypad Enter in the entry", func(_ *dialogs.Dialog, e *dialogs.Entry) { c.Focus(e) }, fyne.KeyEnter, outcome{confirmed: 1}},
		{"Escape in the entry", func(_ *dialogs.Dialog, e *dialogs.Entry) { c.Focus(e) }, fyne.KeyEscape, outcome{cancelled: 1}},
		{"Enter on the cancel button", func(d *dialogs.Dialog, _ *dialogs.Entry) { c.Focus(d.Back) }, fyne.KeyReturn, outcome{cancelled: 1}},
		{"Escape on the cancel button", func(d *dialogs.Dialog, _ *dialogs.Entry) { c.Focus(d.Back) }, fyne.KeyEscape, outcome{cancelled: 1}},
		{"Enter with nothing focused", func(*dialogs.Dialog, *dialogs.Entry) { c.Unfocus() }, fyne.KeyReturn, outcome{confirmed: 1}},
		{"Escape with nothing focused", func(*dialogs.Dialog, *dialogs.Entry) { c.Unfocus() }, fyne.KeyEscape, outcome{cancelled: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got outcome
			e := dialogs.NewPasswordEntry()
			d := dialogs.Show(w, got.spec(widget.NewForm(widget.NewFormItem("Frase segreta", e))))
			tc.focus(d, e)
			press(c, tc.key)
			if got != tc.want {
				t.Fatalf("confirmed %d, cancelled %d; want %+v", got.confirmed, got.cancelled, tc.want)
			}
			if open(w) {
				t.Fatal("the dialog is still open")
			}
			// The keys go back to the window: Enter now reaches no dialog.
			press(c, fyne.KeyReturn)
			if got != tc.want {
				t.Fatalf("a key after the dialog closed reached it: %+v", got)
			}
		})
	}
}

// An entry whose Enter means something else (go on to the next field) keeps
// it; Enter in the last field confirms; the passphrase reaches OnConfirm.
func TestPassphraseFormSubmitsOnEnter(t *testing.T) {
	w := setup(t, "it")
	c := w.Canvas()
	first, second := dialogs.NewPasswordEntry(), dialogs.NewPasswordEntry()
	first.OnSubmitted = func(string) { c.Focus(second) }
	var got string
	dialogs.Show(w, dialogs.Spec{Title: "Chiave", Body: widget.NewForm(widget.NewFormItem("Frase", first), widget.NewFormItem("Ancora", second)),
		Confirm: "Scrivi", Cancel: "Annulla", Focus: first, OnConfirm: func() { got = first.Text + "|" + second.Text }})
	if c.Focused() != first {
		t.Fatalf("focus on %T, want the first passphrase", c.Focused())
	}
	test.Type(first, "uno")
	press(c, fyne.KeyReturn)
	if c.Focused() != second || !open(w) {
		t.Fatal("Enter in the first passphrase did not go on to the second")
	}
	test.Type(second, "due")
	press(c, fyne.KeyReturn)
	if got != "uno|due" || open(w) {
		t.Fatalf("Enter in the last passphrase: confirmed with %q, open %v", got, open(w))
	}
}

// Closing the dialog gives the focus back to what held it before.
func TestFocusGoesBackWhenTheDialogCloses(t *testing.T) {
	w := setup(t, "it")
	before := widget.NewEntry()
	w.SetContent(before)
	w.Canvas().Focus(before)
	dialogs.Confirm(w, "Rimuovi", "Rimuovere?", "Rimuovi", "Annulla", func() {})
	press(w.Canvas(), fyne.KeyEscape)
	if w.Canvas().Focused() != before {
		t.Fatalf("focus on %T after Escape, want the entry that held it", w.Canvas().Focused())
	}
}

// each calls fn on o and every object under it, rendered widgets included.
func each(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	fn(o)
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			each(c, fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			each(c, fn)
		}
	}
}

func buttons(o fyne.CanvasObject) map[string]*widget.Button {
	out := map[string]*widget.Button{}
	each(o, func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widget.Button:
			out[v.Text] = v
		case *dialogs.Button:
			out[v.Text] = &v.Button
		}
	})
	return out
}

func texts(o fyne.CanvasObject) map[string]bool {
	out := map[string]bool{}
	each(o, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			out[l.Text] = true
		}
	})
	return out
}

// Messages and errors close with Enter or Escape and speak the app's
// language; Fyne's own dialogs (files, folders) too.
func TestLabelsInTheAppsLanguage(t *testing.T) {
	for _, tc := range []struct {
		language                         string
		ok, errTitle, cancel, open, save string
		openFile, openFolder, saveFile   string
	}{
		{"it", "OK", "Errore", "Annulla", "Apri", "Salva", "Apri file", "Apri cartella", "Salva file"},
		{"en", "OK", "Error", "Cancel", "Open", "Save", "Open File", "Open Folder", "Save File"},
	} {
		t.Run(tc.language, func(t *testing.T) {
			w := setup(t, tc.language)
			for _, key := range []fyne.KeyName{fyne.KeyReturn, fyne.KeyEscape} {
				dialogs.Error(w, "qualcosa")
				top := w.Canvas().Overlays().Top()
				if buttons(top)[tc.ok] == nil || !texts(top)[tc.errTitle] {
					t.Fatalf("error dialog: buttons %v, texts %v", buttons(top), texts(top))
				}
				press(w.Canvas(), key)
				if open(w) {
					t.Fatalf("%s left the error dialog open", key)
				}
			}

			for _, f := range []struct {
				show          func()
				title, button string
			}{
				{func() { dialog.ShowFileOpen(func(fyne.URIReadCloser, error) {}, w) }, tc.openFile, tc.open},
				{func() { dialog.ShowFolderOpen(func(fyne.ListableURI, error) {}, w) }, tc.openFolder, tc.open},
				{func() { dialog.ShowFileSave(func(fyne.URIWriteCloser, error) {}, w) }, tc.saveFile, tc.save},
			} {
				f.show()
				top := w.Canvas().Overlays().Top()
				bs, ls := buttons(top), texts(top)
				if bs[tc.cancel] == nil || bs[f.button] == nil || !ls[f.title] {
					t.Errorf("file dialog %q: buttons %v, labels %v", f.title, keys(bs), ls)
				}
				w.Canvas().Overlays().Remove(top)
			}
		})
	}
}

func keys(m map[string]*widget.Button) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Escape closes Fyne's file and folder dialogs shown through ShowFile,
// choosing nothing; the keys go back to the window.
func TestFileDialogClosesOnEscape(t *testing.T) {
	w := setup(t, "it")
	chose := 0
	dialogs.ShowFile(w, "Scegli la cartella", dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if u == nil && err == nil {
			chose++
		}
	}, w))
	if !open(w) {
		t.Fatal("no folder dialog")
	}
	press(w.Canvas(), fyne.KeyEscape)
	if open(w) || chose != 1 {
		t.Fatalf("Escape: dialog open %v, callback told of no choice %d times", open(w), chose)
	}
	if w.Canvas().OnTypedKey() != nil {
		t.Fatal("the window's keys still go to the closed dialog")
	}
}

// Enter presses the default button of Fyne's folder dialog shown through
// ShowFile ("Apri cartella"): the folder shown is chosen.
func TestFileDialogConfirmsOnEnter(t *testing.T) {
	w := setup(t, "it")
	var chosen fyne.ListableURI
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) { chosen = u }, w)
	dir, err := storage.ListerForURI(storage.NewFileURI(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	d.SetLocation(dir)
	dialogs.ShowFile(w, "Scegli la cartella", d)
	if !open(w) {
		t.Fatal("no folder dialog")
	}
	press(w.Canvas(), fyne.KeyReturn)
	if open(w) || chosen == nil || chosen.Path() != dir.Path() {
		t.Fatalf("Enter: dialog open %v, chosen %v; want closed with %s", open(w), chosen, dir.Path())
	}
	if w.Canvas().OnTypedKey() != nil {
		t.Fatal("the window's keys still go to the closed dialog")
	}
}

// fileItem is the item of a file dialog that shows name, to click.
func fileItem(t *testing.T, o fyne.CanvasObject, name string) fyne.Tappable {
	t.Helper()
	var item fyne.Tappable
	each(o, func(o fyne.CanvasObject) {
		if tp, ok := o.(fyne.Tappable); ok && item == nil && fmt.Sprintf("%T", o) == "*dialog.fileDialogItem" && texts(o)[name] {
			item = tp
		}
	})
	if item == nil {
		t.Fatalf("no item %q in the file dialog", name)
	}
	return item
}

// A file picked with the mouse is opened by Enter, and saved to by Enter
// in a save dialog; each dialog's title says what it is for.
func TestFileDialogsSayWhatForAndEnterConfirmsAMousePick(t *testing.T) {
	w := setup(t, "it")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "strumento.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	loc, err := storage.ListerForURI(storage.NewFileURI(dir))
	if err != nil {
		t.Fatal(err)
	}
	var opened string
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if r != nil {
			opened = r.URI().Name()
			r.Close()
		}
	}, w)
	d.SetLocation(loc)
	dialogs.ShowFile(w, "Apri lo strumento da pubblicare", d)
	top := w.Canvas().Overlays().Top()
	if !texts(top)["Apri lo strumento da pubblicare"] {
		t.Errorf("the open dialog's title is not what it is for: %v", texts(top))
	}
	test.Tap(fileItem(t, top, "strumento")) // Fyne shows the name without its extension
	press(w.Canvas(), fyne.KeyReturn)
	if opened != "strumento.json" || open(w) {
		t.Fatalf("Enter after a click on the file: opened %q, dialog open %v", opened, open(w))
	}

	// Saving over a file picked with the mouse asks first; Enter there
	// confirms, as in every dialog.
	var saved string
	dialogs.SaveFile(w, dialogs.FileSpec{Title: "Salva l'esportazione CSV", Name: "nuovo.json", Ext: ".json", Location: loc}, func(path string) { saved = path })
	top = w.Canvas().Overlays().Top()
	if !texts(top)["Salva l'esportazione CSV"] {
		t.Errorf("the save dialog's title is not what it is for: %v", texts(top))
	}
	test.Tap(fileItem(t, top, "strumento")) // Fyne shows the name without its extension
	press(w.Canvas(), fyne.KeyReturn)
	if top := w.Canvas().Overlays().Top(); top != nil {
		press(w.Canvas(), fyne.KeyReturn) // "replace it?"
	}
	if saved != filepath.Join(dir, "strumento.json") || open(w) {
		t.Fatalf("Enter after a click on the file: saved to %q, dialog open %v", saved, open(w))
	}
}

// A save dialog opened from the keyboard (Space on a button) names the file
// as proposed: the Space that pressed the button types nothing into the
// file name, which gets the focus once that key has passed. Escape cancels
// it with the focus in the file name or on "Annulla", or with nothing
// focused; Enter in the name saves.
func TestSaveDialogFromTheKeyboard(t *testing.T) {
	loop.Capture()
	w := setup(t, "it")
	home := t.TempDir()
	t.Setenv("HOME", home)
	c := w.Canvas()
	var saved []string
	btn := widget.NewButton("Stampa / salva PDF", func() {
		dialogs.SaveFile(w, dialogs.FileSpec{Title: "Salva la chiave di recupero", Name: "chiave-di-recupero.pdf", Ext: ".pdf"}, func(p string) { saved = append(saved, p) })
	})
	w.SetContent(btn)
	// pressSpace is the Space key on the focused widget as the driver sends
	// it: the key, then its character, to whatever holds the focus then.
	pressSpace := func() {
		c.Focus(btn)
		c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
		if f := c.Focused(); f != nil {
			f.TypedRune(' ')
		} else if r := c.OnTypedRune(); r != nil {
			r(' ')
		}
	}
	// The event loop runs what was handed to it once the key has passed.
	nameFocused := func() *widget.Entry {
		t.Helper()
		loop.RunQueued()
		e, ok := c.Focused().(*dialogs.Entry)
		if !ok {
			t.Fatalf("focus on %T, want the file name", c.Focused())
		}
		return e.EntryWidget()
	}

	pressSpace()
	if name := nameFocused(); name.Text != "chiave-di-recupero.pdf" {
		t.Fatalf("file name %q after Space, want the proposed one", name.Text)
	}
	press(c, fyne.KeyEscape)
	if open(w) || len(saved) != 0 {
		t.Fatalf("Escape in the file name: dialog open %v, saved %q", open(w), saved)
	}

	pressSpace()
	nameFocused()
	var annulla fyne.Focusable
	each(c.Overlays().Top(), func(o fyne.CanvasObject) {
		if b, ok := o.(fyne.Focusable); ok && annulla == nil {
			if l := buttons(o); l["Annulla"] != nil {
				annulla = b
			}
		}
	})
	if annulla == nil {
		t.Fatal("no Annulla that takes the focus")
	}
	c.Focus(annulla)
	press(c, fyne.KeyEscape)
	if open(w) || len(saved) != 0 {
		t.Fatalf("Escape on Annulla: dialog open %v, saved %q", open(w), saved)
	}

	pressSpace()
	nameFocused()
	c.Unfocus()
	press(c, fyne.KeyEscape)
	if open(w) || len(saved) != 0 {
		t.Fatalf("Escape with nothing focused: dialog open %v, saved %q", open(w), saved)
	}

	pressSpace()
	nameFocused()
	press(c, fyne.KeyReturn)
	if open(w) || len(saved) != 1 || filepath.Base(saved[0]) != "chiave-di-recupero.pdf" {
		t.Fatalf("Enter in the file name: dialog open %v, saved %q; want %s", open(w), saved, filepath.Join(home, "chiave-di-recupero.pdf"))
	}
}
