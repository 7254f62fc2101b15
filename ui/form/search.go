package form

import (
	"sinba/ui/dialogs"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// searchLimit is how many matches the search shows; typing more narrows it.
const searchLimit = 200

// ShowSearch opens a search over a long list (municipalities, countries).
// The researcher types; Up and Down move through the matches and Enter picks
// the one highlighted. pick gets nil for "no answer", and is not called when
// the search is closed without choosing.
func ShowSearch(win fyne.Window, title string, src Source, pick func(*Option)) {
	var results []Option
	sel := 0
	query := NewFocusEntry()
	query.SetPlaceHolder(lang.L("form.search_placeholder"))
	count := widget.NewLabel("")
	list := widget.NewList(
		func() int { return len(results) },
		func() fyne.CanvasObject { return widget.NewLabel("000000 · a place name of some length") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(results[i].Text()) },
	)
	var d *dialog.CustomDialog
	choose := func(o *Option) {
		d.Hide()
		pick(o)
	}
	run := func(q string) {
		if src != nil {
			results = src.Search(q, searchLimit)
		}
		sel = 0
		list.Refresh()
		list.ScrollToTop()
		if len(results) > 0 {
			list.Select(0)
		} else {
			list.UnselectAll()
		}
		if len(results) >= searchLimit {
			count.SetText(lang.L("form.search_more", map[string]any{"Count": len(results)}))
		} else {
			count.SetText(lang.L("form.search_count", map[string]any{"Count": len(results)}))
		}
	}
	query.OnChanged = run
	query.OnUpDown = func(down bool) {
		if len(results) == 0 {
			return
		}
		if down && sel < len(results)-1 {
			sel++
		} else if !down && sel > 0 {
			sel--
		}
		list.Select(sel)
		list.ScrollTo(sel)
	}
	query.OnSubmitted = func(string) {
		if sel < len(results) {
			o := results[sel]
			choose(&o)
		}
	}
	list.OnSelected = func(i widget.ListItemID) { sel = i }
	// Enter presses the focused button, Escape cancels.
	hide := func() { d.Hide() }
	clear := dialogs.NewButton(lang.L("form.no_answer"), nil, func() { choose(nil) }, hide)
	cancel := dialogs.NewButton(lang.L("common.cancel"), nil, hide, hide)
	ok := dialogs.NewButton(lang.L("form.pick"), nil, func() { query.OnSubmitted("") }, hide)
	ok.Importance = widget.HighImportance
	body := container.NewBorder(container.NewVBox(query, count), nil, nil, nil, list)
	d = dialog.NewCustomWithoutButtons(title, body, win)
	d.SetButtons([]fyne.CanvasObject{clear, cancel, ok})
	d.Resize(fyne.NewSize(560, 480))
	run("")
	d.Show()
	win.Canvas().Focus(query)
}
