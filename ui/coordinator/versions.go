package coordinator

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"sinba/survey"
	"sinba/survey/quality"
	"sinba/ui/dialogs"
)

// askVersionDiff asks which two versions of an instrument to compare, then
// where to write the version diff report: the changes, with the critical
// points of the changed fields in the earlier version's records.
func (ws *Workspace) askVersionDiff() {
	reg := ws.deps.Registry
	var ids []string
	for _, id := range reg.IDs() {
		if len(reg.Versions(id)) > 1 {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		ws.showError(errors.New(ws.tr("versions.none")))
		return
	}
	// The instruments by title, as the coordinators know them; the one
	// published last from this workspace first proposed.
	titles, byTitle := make([]string, len(ids)), map[string]string{}
	pick := 0
	for i, id := range ids {
		in, _ := reg.Latest(id)
		t := in.Title.In(ws.lang)
		if t == "" || byTitle[t] != "" {
			t = strings.TrimSpace(t + " (" + id + ")")
		}
		titles[i], byTitle[t] = t, id
		if id == ws.lastPublished {
			pick = i
		}
	}
	older, newer := dialogs.NewSelect(nil, nil), dialogs.NewSelect(nil, nil)
	instrument := dialogs.NewSelect(titles, func(title string) {
		var vs []string
		for _, v := range reg.Versions(byTitle[title]) {
			vs = append(vs, strconv.Itoa(v))
		}
		older.Options, newer.Options = vs, vs
		older.SetSelectedIndex(len(vs) - 2)
		newer.SetSelectedIndex(len(vs) - 1)
	})
	instrument.SetSelectedIndex(pick)
	intro := widget.NewLabel(ws.tr("versions.intro"))
	intro.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem("", intro),
		widget.NewFormItem(ws.tr("versions.instrument"), instrument),
		widget.NewFormItem(ws.tr("versions.older"), older),
		widget.NewFormItem(ws.tr("versions.newer"), newer))
	dialogs.Show(ws.win, dialogs.Spec{Title: ws.tr("versions.title"), Body: form,
		Confirm: ws.tr("project.keyWrite"), Cancel: ws.tr("project.cancel"), Size: fyne.NewSize(560, 340),
		OnConfirm: func() {
			a, _ := strconv.Atoi(older.Selected)
			b, _ := strconv.Atoi(newer.Selected)
			ws.saveVersionDiff(byTitle[instrument.Selected], a, b)
		}})
}

// saveVersionDiff asks where to write the report of id from version a to b
// and writes it off the UI goroutine.
func (ws *Workspace) saveVersionDiff(id string, a, b int) {
	old, okA := ws.deps.Registry.Get(id, a)
	new, okB := ws.deps.Registry.Get(id, b)
	if !okA || !okB || a == b {
		ws.showError(errors.New(ws.tr("versions.same")))
		return
	}
	ws.saveDiffReport(old, new)
}

// saveDiffReport asks where to write the version diff report from old to
// new, over the records held, and writes it off the UI goroutine.
func (ws *Workspace) saveDiffReport(old, new *survey.Instrument) {
	recs := make([]survey.Record, len(ws.entries))
	for i, e := range ws.entries {
		recs[i] = e.Record
	}
	ref := ws.deps.Now()
	write := func(path string) error {
		ws.say(ws.tr("versions.writing"))
		ws.background(func(context.Context) func() {
			err := writeVersionDiff(path, quality.NewVersionDiff(old, new, recs, quality.Options{Ref: ref}))
			return func() {
				if err != nil {
					ws.say("")
					ws.showError(errors.New(ws.tr("versions.failed", path)))
					return
				}
				ws.say(ws.tr("quality.saved", path))
			}
		})
		return nil
	}
	name := fmt.Sprintf("differenze-%s-v%d-v%d.html", new.ID, old.Version, new.Version)
	if ws.deps.SaveFile != nil {
		ws.deps.SaveFile(name, write)
		return
	}
	dialogs.SaveFile(ws.win, dialogs.FileSpec{Title: ws.tr("file.versions"), Name: name, Ext: ".html"}, func(path string) { _ = write(path) })
}

func writeVersionDiff(path string, d quality.VersionDiff) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	return errors.Join(quality.WriteVersionDiffHTML(f, d), f.Close())
}
