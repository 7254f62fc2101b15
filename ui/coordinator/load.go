package coordinator

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"sinba/survey"
	"sinba/survey/quality"
	"sinba/ui/loop"
)

// snapshot is everything the screens show that is slow to compute: the
// records read and decrypted, the analysis, the review queue and the result
// tables. load makes one off the UI goroutine; the screens only lay it out.
type snapshot struct {
	// reg is the instruments the load read the records with: read again
	// at each load, so a version just published or downloaded is there.
	reg        *survey.Registry
	profile    Profile
	profileErr error
	entries    []quality.Entry
	err        error
	report     *quality.Report
	queue      []quality.Entry // records to review, oldest change first
	// The result tables over the approved records and over every state,
	// with the case records each counts.
	approved, all        []quality.Table
	cases, approvedCases int
}

// loadStep is what a load is doing, for the activity line.
type loadStep struct {
	key string // a key of texts
	n   int    // records read so far, when known
}

// load reads and analyses every record; step tells the UI goroutine what
// it is doing. It touches no widget.
func load(c context.Context, be Backend, reg *survey.Registry, ref *survey.Reference, now time.Time, step func(loadStep)) snapshot {
	var s snapshot
	s.profile, s.profileErr = be.Profile(c)
	if r, err := be.Instruments(c); r != nil {
		reg = r
	} else if err != nil && s.profileErr == nil {
		s.profileErr = err // the instruments as before; the header says why
	}
	s.reg = reg
	step(loadStep{key: "load.reading"})
	s.entries, s.err = be.Entries(c)
	step(loadStep{key: "load.analysing", n: len(s.entries)})
	s.report = analyse(reg, ref, now, s.entries)
	for _, e := range sortedEntries(s.entries) {
		if e.Status == survey.StatusFinal {
			s.queue = append(s.queue, e)
		}
	}
	step(loadStep{key: "load.results", n: len(s.entries)})
	var approved, all []survey.Record
	for _, e := range s.entries {
		all = append(all, e.Record)
		isCase := e.Record.Instrument == survey.InstrumentCase
		if isCase {
			s.cases++
		}
		if e.Status == survey.StatusApproved {
			approved = append(approved, e.Record)
			if isCase {
				s.approvedCases++
			}
		}
	}
	s.approved = quality.Results(reg, approved, now)
	s.all = quality.Results(reg, all, now)
	return s
}

// analyse computes the critical points and the progress of entries.
func analyse(reg *survey.Registry, ref *survey.Reference, now time.Time, entries []quality.Entry) *quality.Report {
	recs := make([]survey.Record, len(entries))
	for i, e := range entries {
		recs[i] = e.Record
	}
	r := quality.Analyse(reg, recs, quality.Options{Ref: now})
	p := quality.BuildProgress(entries, ref)
	r.Progress = &p
	return &r
}

// loader is the state of the workspace's loads, touched on the UI goroutine
// only.
type loader struct {
	running bool     // a load is under way
	queued  bool     // a reload was asked for while it ran
	waiting []func() // called once the queued reload has rebuilt the screens
	locked  bool     // the profile is locked: nothing more is loaded or shown

	text *widget.Label
	bar  *widget.ProgressBarInfinite
	row  *fyne.Container
}

func newLoader() *loader {
	l := &loader{text: widget.NewLabel(""), bar: widget.NewProgressBarInfinite()}
	l.row = container.NewBorder(nil, nil, l.text, nil, l.bar)
	l.bar.Stop()
	l.row.Hide()
	return l
}

// Reload reads the records again and rebuilds every screen. The reading and
// the analysis run off the UI goroutine, with an activity line in the
// workspace meanwhile; a Reload asked for while one runs is folded into one
// more load after it.
func (ws *Workspace) Reload() { ws.ReloadThen(nil) }

// ReloadThen is Reload, calling done on the UI goroutine once the screens
// show the records read (never, if the profile is locked first).
func (ws *Workspace) ReloadThen(done func()) {
	l := ws.load
	if l.locked {
		return
	}
	if l.running {
		l.queued = true
		if done != nil {
			l.waiting = append(l.waiting, done)
		}
		return
	}
	l.running = true
	ws.showStep(loadStep{key: "load.reading"})
	be, reg, ref, now := ws.deps.Backend, ws.deps.Registry, ws.deps.Ref, ws.deps.Now()
	ws.background(func(c context.Context) func() {
		snap := load(c, be, reg, ref, now, func(s loadStep) { loop.Do(func() { ws.showStep(s) }) })
		return func() { ws.loaded(snap, done) }
	})
}

// Lock stops the workspace when the profile is locked: a load still under
// way drops what it read when it ends.
func (ws *Workspace) Lock() {
	l := ws.load
	l.locked, l.queued, l.waiting = true, false, nil
	ws.hideSteps()
}

func (ws *Workspace) showStep(s loadStep) {
	l := ws.load
	if l.locked || !l.running {
		return
	}
	if s.n > 0 {
		l.text.SetText(ws.tr(s.key, s.n))
	} else {
		l.text.SetText(ws.tr(s.key))
	}
	if !l.row.Visible() {
		l.row.Show()
		l.bar.Start()
	}
}

func (ws *Workspace) hideSteps() {
	ws.load.bar.Stop()
	ws.load.row.Hide()
}

// loaded shows a load's snapshot, unless the profile was locked meanwhile
// or a newer reload was asked for (then that one runs, and shows).
func (ws *Workspace) loaded(s snapshot, done func()) {
	l := ws.load
	l.running = false
	if l.locked {
		return
	}
	if l.queued {
		waiting := l.waiting
		if done != nil {
			waiting = append([]func(){done}, waiting...)
		}
		l.queued, l.waiting = false, nil
		ws.ReloadThen(func() {
			for _, f := range waiting {
				f()
			}
		})
		return
	}
	ws.hideSteps()
	if s.profileErr == nil {
		if !s.profile.HasProjectKey {
			ws.keyBtn.Show()
		} else {
			ws.keyBtn.Hide()
		}
	}
	// The project's name stays in the header; messages (a decision, a
	// download) have their own line under it.
	if s.profileErr != nil {
		ws.profile.SetText(ws.errText(s.profileErr))
	} else {
		line := ws.tr("profile", s.profile.Project, s.profile.Server)
		if !s.profile.HasProjectKey {
			line += " · " + ws.tr("profile.nokey")
		}
		ws.profile.SetText(line)
	}
	if s.err != nil {
		ws.showError(s.err)
	}
	ws.snap = s
	ws.deps.Registry = s.reg
	ws.entries, ws.report = s.entries, s.report
	ws.progress.Content = ws.progressScreen()
	ws.review.Content = ws.reviewScreen()
	ws.quality.Content = ws.qualityScreen()
	ws.results.Content = ws.resultsScreen()
	ws.exports.Content = ws.exportsScreen()
	ws.project.Content = ws.projectScreen()
	ws.tabs.Refresh()
	if done != nil {
		done()
	}
}
