package form

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/survey"
	"sinba/ui/dialogs"
)

// showGroup opens the section of the respondents with n items.
func showGroup(t *testing.T, n int) (*Form, fyne.Window, *groupView) {
	t.Helper()
	items := make([]any, n)
	for i := range items {
		items[i] = map[string]any{"Servizio": "servizio " + string(rune('A'+i))}
	}
	rec := &survey.Record{Municipality: "063049", Answers: survey.Answers{"Rispondenti": items}}
	f, w := open(t, rec)
	f.win = w // open renders the form before its window exists
	v := f.views["Rispondenti"]
	if v == nil || v.group == nil {
		t.Fatal("no respondents group in the Scheda Comune")
	}
	f.ShowPage(v.page)
	return f, w, v.group
}

// inView reports where o is in the scroll's content, and whether all of it
// is in view.
func inView(t *testing.T, f *Form, o fyne.CanvasObject) (top float32, shown bool) {
	t.Helper()
	p, ok := posIn(f.scroll.Content, o)
	if !ok {
		t.Fatalf("%T is not on the section shown", o)
	}
	off, view := f.scroll.Offset.Y, f.scroll.Size().Height
	return p.Y, p.Y >= off && p.Y+o.Size().Height <= off+view
}

// scrollTo puts o at the bottom of the view, as after scrolling down to it.
func scrollTo(t *testing.T, f *Form, o fyne.CanvasObject) {
	t.Helper()
	p, ok := posIn(f.scroll.Content, o)
	if !ok {
		t.Fatalf("%T is not on the section shown", o)
	}
	f.scroll.ScrollToOffset(fyne.NewPos(0, p.Y+o.Size().Height-f.scroll.Size().Height))
}

// TestAddItemKeepsScrollAndFocus: "Aggiungi" keeps the scroll where it was,
// moving down only as far as shows the new item, and puts the focus on the
// item's first field, whether it was clicked or pressed from the keyboard.
func TestAddItemKeepsScrollAndFocus(t *testing.T) {
	f, w, g := showGroup(t, 3)
	scrollTo(t, f, g.add)
	before := f.scroll.Offset.Y
	if before <= 0 {
		t.Fatalf("offset %v: the section is too short to test scrolling", before)
	}
	test.Tap(g.add) // the mouse: the button does not take the focus
	if len(g.views) != 4 {
		t.Fatalf("%d items after Aggiungi, want 4", len(g.views))
	}
	if got, want := w.Canvas().Focused(), g.views[3][0].focus; got != want {
		t.Errorf("focused %T after Aggiungi, want the new item's first field", got)
	}
	card := g.list.Objects[3]
	top, shown := inView(t, f, card)
	after := f.scroll.Offset.Y
	if !shown {
		t.Errorf("the new item (top %v, height %v) is not in view at offset %v", top, card.Size().Height, after)
	}
	// Just enough: the new item's bottom at the bottom of the view.
	if want := top + card.Size().Height - f.scroll.Size().Height; after != want {
		t.Errorf("offset %v after Aggiungi (was %v), want %v: just enough to show the new item", after, before, want)
	}

	// From the keyboard: Space on the focused button.
	w.Canvas().Focus(g.add)
	scrollTo(t, f, g.add)
	key(w, fyne.KeySpace)
	if len(g.views) != 5 || w.Canvas().Focused() != g.views[4][0].focus {
		t.Fatalf("Space on Aggiungi: %d items, focused %T; want 5, the new item's first field", len(g.views), w.Canvas().Focused())
	}
	if _, shown := inView(t, f, g.list.Objects[4]); !shown {
		t.Errorf("the item added from the keyboard is not in view at offset %v", f.scroll.Offset.Y)
	}

	// Typing in the new item does not move the scroll.
	off := f.scroll.Offset.Y
	w.Canvas().Focus(g.views[4][1].focus)
	for _, r := range "Ufficio di piano" {
		w.Canvas().Focused().TypedRune(r)
	}
	if f.scroll.Offset.Y != off {
		t.Errorf("typing moved the scroll from %v to %v", off, f.scroll.Offset.Y)
	}
}

// TestAddItemPositionWithoutDriver: the position the form scrolls to is
// found in its own tree and agrees with the driver's on a laid-out section
// (the desktop driver knows no position of an item it has not painted yet).
func TestAddItemPositionWithoutDriver(t *testing.T) {
	f, w, g := showGroup(t, 2)
	w.Canvas().Refresh(w.Content())
	d := fyne.CurrentApp().Driver()
	for _, o := range []fyne.CanvasObject{g.list.Objects[1], g.views[1][1].box, g.add} {
		p, ok := posIn(f.scroll.Content, o)
		want := d.AbsolutePositionForObject(o).Subtract(d.AbsolutePositionForObject(f.scroll.Content))
		if !ok || p != want {
			t.Errorf("%T at %v (found %v), the driver says %v", o, p, ok, want)
		}
	}
}

// confirm confirms the dialog on top from the keyboard: Enter, wherever the
// focus is.
func confirm(t *testing.T, w fyne.Window) {
	t.Helper()
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal("no dialog")
	}
	press(w, fyne.KeyReturn)
	if w.Canvas().Overlays().Top() != nil {
		t.Fatal("Enter left the dialog open")
	}
}

// press types key where the keyboard sends it: to the focused widget, or to
// the window when nothing holds the focus.
func press(w fyne.Window, key fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: key}
	if f := w.Canvas().Focused(); f != nil {
		f.TypedKey(ev)
	} else if h := w.Canvas().OnTypedKey(); h != nil {
		h(ev)
	}
}

// Escape on the question "Rimuovere …?" removes nothing and gives the focus
// back to "Rimuovi"; the dialog speaks Italian.
func TestRemoveItemEscapeKeepsIt(t *testing.T) {
	_, w, g := showGroup(t, 3)
	rm := removeButton(t, g, 1)
	w.Canvas().Focus(rm)
	test.Tap(rm)
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no question before removing")
	}
	var labels []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *dialogs.Button:
			labels = append(labels, o.Text)
		case *fyne.Container:
			for _, c := range o.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(o).Objects() {
				walk(c)
			}
		}
	}
	walk(top)
	press(w, fyne.KeyEscape)
	if w.Canvas().Overlays().Top() != nil || len(g.views) != 3 {
		t.Fatalf("Escape: dialog open %v, %d items; want closed, 3", w.Canvas().Overlays().Top() != nil, len(g.views))
	}
	if w.Canvas().Focused() != rm {
		t.Errorf("focused %T after Escape, want Rimuovi", w.Canvas().Focused())
	}
	if !slices.Contains(labels, "Rimuovi") || !slices.Contains(labels, "Annulla") {
		t.Errorf("the question's buttons are %q; want Rimuovi and Annulla", labels)
	}
}

// removeButton is the "Rimuovi" of item i.
func removeButton(t *testing.T, g *groupView, i int) *focusButton {
	t.Helper()
	head := g.list.Objects[i].(*widget.Card).Content.(*fyne.Container).Objects[0].(*fyne.Container)
	for _, o := range head.Objects {
		if b, ok := o.(*focusButton); ok {
			return b
		}
	}
	t.Fatal("no Rimuovi in the item's header")
	return nil
}

// TestRemoveItemKeepsScrollAndFocus: "Rimuovi" leaves the scroll where it
// was and focuses the item that takes the removed one's place, the one
// before when the last went, and "Aggiungi" when none is left.
func TestRemoveItemKeepsScrollAndFocus(t *testing.T) {
	f, w, g := showGroup(t, 3)
	rm := removeButton(t, g, 1)
	w.Canvas().Focus(rm)
	before := f.scroll.Offset.Y
	if before <= 0 {
		t.Fatalf("offset %v: the item is in view without scrolling; the test cannot see a jump", before)
	}
	test.Tap(rm)
	confirm(t, w)
	if len(g.views) != 2 {
		t.Fatalf("%d items after Rimuovi, want 2", len(g.views))
	}
	if got := g.items[1]["Servizio"]; got != "servizio C" {
		t.Errorf("item 2 after removing item 2 is %v, want the third one", got)
	}
	if got := w.Canvas().Focused(); got != g.views[1][0].focus {
		t.Errorf("focused %T after Rimuovi, want the first field of the item now second", got)
	}
	// The scroll stays, or moves just enough to show the focused field.
	box := g.views[1][0].box
	top, shown := inView(t, f, box)
	after := f.scroll.Offset.Y
	if just := top + box.Size().Height - f.scroll.Size().Height; !shown || after != before && after != just && after != top {
		t.Errorf("offset %v after Rimuovi, was %v; the focused field at %v-%v, view %v", after, before, top, top+box.Size().Height, f.scroll.Size().Height)
	}

	test.Tap(removeButton(t, g, 1))
	confirm(t, w)
	if got := w.Canvas().Focused(); len(g.views) != 1 || got != g.views[0][0].focus {
		t.Errorf("removing the last: %d items, focused %T; want 1, the first field of the one before", len(g.views), got)
	}
	test.Tap(removeButton(t, g, 0))
	confirm(t, w)
	if got := w.Canvas().Focused(); len(g.views) != 0 || got != g.add {
		t.Errorf("removing the only one: %d items, focused %T; want none, Aggiungi", len(g.views), got)
	}
	if _, shown := inView(t, f, g.add); !shown {
		t.Errorf("Aggiungi is not in view at offset %v", f.scroll.Offset.Y)
	}
}

// TestSkipLogicKeepsScrollAndFocus: an answer that shows or hides the
// questions after it leaves the scroll and the focus where they are.
func TestSkipLogicKeepsScrollAndFocus(t *testing.T) {
	rec := &survey.Record{Municipality: "063049"}
	f, w := open(t, rec)
	f.win = w
	v, dep := f.views["ServizioCentriDiurni"], f.views["MinoriCentriDiurni"]
	if v == nil || dep == nil {
		t.Fatal("no ServizioCentriDiurni / MinoriCentriDiurni in the Scheda Comune")
	}
	f.FocusField(v.path)
	scrollTo(t, f, v.box)
	before := f.scroll.Offset.Y
	s := v.focus.(*focusSelect)
	for _, choice := range []int{2, 1, 3} { // shown, hidden, shown
		s.SetSelected(s.Options[choice])
		if f.scroll.Offset.Y != before || w.Canvas().Focused() != s {
			t.Errorf("choice %q: offset %v (was %v), focused %T; want both unchanged", s.Options[choice], f.scroll.Offset.Y, before, w.Canvas().Focused())
		}
		if hidden := !dep.box.Visible(); hidden != (choice == 1) {
			t.Errorf("choice %q: the number of minors hidden %v", s.Options[choice], hidden)
		}
	}
}

// TestSidebarFocusesTheSection: a section chosen in the sidebar is shown
// from its top with the focus on its first question.
func TestSidebarFocusesTheSection(t *testing.T) {
	f, w := open(t, &survey.Record{Municipality: "063049"})
	f.win = w
	w.Canvas().Focus(f.views["Comune"].focus)
	f.sections.Select(2)
	first := f.pages[2].views[0]
	if f.Page() != 2 || w.Canvas().Focused() != first.focus {
		t.Errorf("section %d shown, focused %T; want section 3 and its first question %s", f.Page()+1, w.Canvas().Focused(), first.path)
	}
	if f.scroll.Offset.Y != 0 {
		t.Errorf("section shown at offset %v, want its top", f.scroll.Offset.Y)
	}
}

// TestRemoveClearOfTheScrollBar: an item's "Rimuovi" ends left of the strip
// the scroll bar is drawn over, so that the bar never hides it.
func TestRemoveClearOfTheScrollBar(t *testing.T) {
	f, _, g := showGroup(t, 3)
	rm := removeButton(t, g, 0)
	d := fyne.CurrentApp().Driver()
	right := d.AbsolutePositionForObject(rm).X + rm.Size().Width
	bar := d.AbsolutePositionForObject(f.scroll).X + f.scroll.Size().Width - theme.Size(theme.SizeNameScrollBar)
	if right > bar {
		t.Errorf("Rimuovi ends at x=%.0f, under the scroll bar that starts at x=%.0f", right, bar)
	}
}
