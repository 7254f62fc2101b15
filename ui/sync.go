package ui

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/ui/dialogs"
	"sinba/ui/loop"
)

// syncView is the sync screen's moving parts, kept so that a round started
// by the shortcut from another screen shows its progress here.
type syncView struct {
	bar    *widget.ProgressBar
	state  *widget.Label
	report *widget.Label
	button *dialogs.Button
	held   *widget.Label   // what the server holds of this laptop's work
	rounds *fyne.Container // the recent rounds, one line each
	scroll *container.Scroll
}

// setReport shows a receipt, and lays the screen out again for its height
// (a receipt can gain lines: the instrument versions, refusals).
func (v *syncView) setReport(s string) {
	v.report.SetText(s)
	if v.scroll != nil {
		v.scroll.Refresh()
	}
}

func (a *App) showSync() {
	if !a.leaveRecord() {
		return
	}
	a.show(T("sync.title"), a.syncContent, a.showSync)
}

func (a *App) syncContent() fyne.CanvasObject {
	v := &syncView{bar: widget.NewProgressBar(), state: wrapLabel(""), report: wrapLabel(a.receiptText())}
	a.syncV = v
	v.bar.Hide()
	server := wrapLabel("")
	var actions []fyne.CanvasObject
	enrolled := false
	if a.syncer == nil {
		v.state.SetText(T("sync.unavailable"))
	} else {
		cx, cancel := ctx()
		enrolled = a.syncer.Enrolled(cx)
		if enrolled {
			server.SetText(T("sync.server", map[string]any{"Server": a.syncer.Server(cx)}))
			v.state.SetText(T("sync.ready"))
		} else {
			v.state.SetText(T("sync.not_enrolled"))
		}
		cancel()
	}
	v.button = newButtonWithIcon(T("sync.now"), theme.ViewRefreshIcon(), a.runSync)
	v.button.Importance = widget.HighImportance
	if a.syncing {
		v.button.Disable()
		v.bar.Show()
		v.state.SetText(T("sync.running"))
	}
	if a.syncer != nil && !enrolled {
		actions = append(actions, newButton(T("enrol.title"), func() { a.showEnrol(false) }))
	}
	actions = append(actions, v.button)
	body := container.NewVBox(v.state, server, v.bar,
		widget.NewCard(T("sync.last"), "", v.report))
	if _, ok := a.syncer.(SyncHistory); ok && enrolled {
		v.held = wrapLabel("")
		v.rounds = container.NewVBox()
		body.Add(widget.NewCard(T("sync.held_title"), "", v.held))
		body.Add(widget.NewCard(T("sync.rounds_title"), "", v.rounds))
		a.loadSyncHistory(v)
	}
	a.devV = nil
	if enrolled {
		if dv, ok := a.devicesContent(); ok {
			a.devV = dv
			body.Add(dv.own)
			body.Add(dv.origin)
			body.Add(dv.card)
			a.loadPending()
		}
	}
	v.scroll = container.NewVScroll(body)
	return page(T("sync.title"), v.scroll, actions...)
}

// runSync runs one sync round in the background; the sync screen shows the
// progress and, at the end, the receipt in plain words.
func (a *App) runSync() {
	if a.syncing {
		return
	}
	if a.syncer == nil {
		a.showSync()
		return
	}
	cx, cancel := ctx()
	enrolled := a.syncer.Enrolled(cx)
	cancel()
	if !enrolled {
		a.showEnrol(false)
		return
	}
	if !a.leaveRecord() {
		return
	}
	a.syncing = true
	a.showSync()
	v, syncer := a.syncV, a.syncer
	v.state.SetText(T("sync.running"))
	loop.Go(func() func() {
		cx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		report, err := syncer.SyncOnce(cx, func(done, total int) {
			loop.Do(func() {
				if total > 0 {
					v.bar.SetValue(float64(done) / float64(total))
				}
			})
		})
		return func() {
			a.syncing = false
			if a.syncer != syncer {
				return // locked meanwhile: the next unlock reads the last receipt
			}
			v.bar.Hide()
			v.button.Enable()
			a.loadSyncHistory(v)
			if err != nil {
				v.state.Importance = widget.DangerImportance
				v.state.SetText(a.syncErrText(err))
				return
			}
			if report.Idle() && a.last != nil {
				// Say what the last round that moved something brought (the
				// background one, a minute ago, as the history lists it).
				report.Before = a.last
				if a.last.Idle() {
					report.Before = a.last.Before
				}
			}
			a.last = &report
			if report.Instruments > 0 {
				a.refreshInstruments()
			}
			v.state.Importance = widget.SuccessImportance
			v.state.SetText(T("sync.done"))
			v.setReport(a.receiptText())
			if a.status != nil {
				a.status.SetText(a.syncLine())
			}
			a.loadPending()
		}
	})
}

// loadSyncHistory reads, off the UI goroutine, what the server holds of
// this laptop's work and the recent rounds, and shows them in v.
func (a *App) loadSyncHistory(v *syncView) {
	h, ok := a.syncer.(SyncHistory)
	if !ok || v == nil || v.held == nil {
		return
	}
	syncer := a.syncer
	loop.Go(func() func() {
		cx, cancel := ctx()
		defer cancel()
		held, herr := h.Holdings(cx)
		rounds, rerr := h.Rounds(cx)
		return func() {
			if a.syncer != syncer || a.syncV != v {
				return // locked, or the screen was left meanwhile
			}
			if herr != nil {
				v.held.SetText(a.errText(herr))
			} else {
				v.held.SetText(a.heldText(held))
			}
			objs := make([]fyne.CanvasObject, 0, len(rounds)+1)
			for _, r := range rounds {
				l := wrapLabel(a.roundText(r))
				if r.Failure != "" {
					l.Importance = widget.WarningImportance
				}
				objs = append(objs, l)
			}
			if rerr != nil {
				objs = append(objs, wrapLabel(a.errText(rerr)))
			} else if len(rounds) == 0 {
				objs = append(objs, wrapLabel(T("sync.rounds_none")))
			}
			v.rounds.Objects = objs
			v.rounds.Refresh()
		}
	})
}

// heldText says what the server holds of this laptop's work and what waits
// to be sent: "Il server conserva 37 schede di questo computer, tutte
// all'ultima versione; 2 in attesa di invio."
func (a *App) heldText(h SyncHoldings) string {
	var s string
	switch {
	case h.Held == 0:
		s = T("sync.held_nothing")
	case h.HeldLatest == h.Held:
		s = tn("sync.held", h.Held) + tn("sync.held_latest_all", h.Held)
	default:
		s = tn("sync.held", h.Held) + T("sync.held_latest_some", map[string]any{"Latest": h.HeldLatest})
	}
	if h.Waiting > 0 {
		s += tn("sync.held_waiting", h.Waiting)
	} else {
		s += T("sync.held_waiting_none")
	}
	s += "."
	if h.Refused > 0 {
		s += " " + tn("sync.held_refused", h.Refused)
	}
	return s
}

// roundText is one line of the history of rounds: when, what moved, how it
// ended.
func (a *App) roundText(r SyncRound) string {
	s := r.At.Local().Format("02/01/2006 15:04") + " · "
	parts := a.movedParts(r.Sent, r.Refused, r.Received, r.Approved, r.Returned, r.Conflicts)
	if p := a.instrumentsPart(r.Instruments, r.InstrumentVersions); p != "" {
		parts = append(parts, p)
	}
	switch r.Failure {
	case "":
		if len(parts) == 0 {
			return s + T("sync.round_idle")
		}
		return s + strings.Join(parts, "; ")
	case SyncOffline:
		parts = append(parts, T("sync.round_offline"))
	case SyncTimeout:
		parts = append(parts, T("sync.round_timeout"))
	case SyncRefused:
		parts = append(parts, T("sync.round_refused", map[string]any{"Message": r.Message.In(a.lang)}))
	default:
		parts = append(parts, T("sync.round_failed", map[string]any{"Message": r.Message.In(a.lang)}))
	}
	s += strings.Join(parts, "; ")
	if r.Repeats > 0 {
		s += " " + tn("sync.round_attempts", r.Repeats+1)
	}
	return s
}

// movedParts names what a round moved, leaving out what it did not.
func (a *App) movedParts(sent, refused, received, approved, returned, conflicts int) []string {
	var parts []string
	if sent > 0 {
		p := tn("sync.part_sent", sent)
		if refused > 0 {
			p += tn("sync.part_refused", refused)
		} else {
			p += tn("sync.part_accepted", sent)
		}
		parts = append(parts, p)
	}
	if received > 0 {
		parts = append(parts, tn("sync.part_received", received))
	}
	if approved > 0 {
		parts = append(parts, tn("sync.part_approved", approved))
	}
	if returned > 0 {
		parts = append(parts, tn("sync.part_returned", returned))
	}
	if conflicts > 0 {
		parts = append(parts, tn("sync.part_conflicts", conflicts))
	}
	return parts
}

// syncErrText says what went wrong and what to do about it.
func (a *App) syncErrText(err error) string {
	msg := a.errText(err)
	switch {
	case errors.Is(err, ErrOffline):
		return T("sync.err_network")
	case errors.Is(err, context.DeadlineExceeded):
		return T("sync.err_timeout")
	case strings.Contains(msg, "connection refused"), strings.Contains(msg, "no such host"),
		strings.Contains(msg, "network is unreachable"), strings.Contains(msg, "i/o timeout"):
		return T("sync.err_network")
	}
	return T("sync.err_other", map[string]any{"Error": msg})
}

// syncLine is the last round's receipt in the status line.
func (a *App) syncLine() string {
	if a.last == nil {
		return T("sync.never")
	}
	return a.reportText(*a.last, false)
}

// receiptText is the last round's receipt on the sync screen: the status
// line's, and which published instrument versions this laptop holds.
func (a *App) receiptText() string {
	if a.last == nil {
		return T("sync.never")
	}
	return a.reportText(*a.last, true)
}

func (a *App) reportText(r SyncReport, full bool) string {
	at := r.At.Local().Format("02/01/2006 15:04")
	var s string
	if parts := a.reportParts(r); len(parts) == 0 {
		// The background sync had already sent everything: say so, rather
		// than "0 sent, 0 received", and say what the round before brought
		// (the history lists it, maybe in the same minute).
		s = T("sync.report_idle", map[string]any{"At": at})
		if b := r.Before; b != nil {
			s += " " + T("sync.report_before", map[string]any{"At": b.At.Local().Format("02/01/2006 15:04"),
				"Moved": strings.Join(a.reportParts(*b), "; ")})
		}
	} else {
		s = T("sync.report", map[string]any{"At": at, "Moved": strings.Join(parts, "; ")})
	}
	if r.ReceiptID != "" {
		s += " " + T("sync.report_receipt", map[string]any{"Receipt": r.ReceiptID})
	}
	for _, m := range r.Messages {
		s += "\n" + m.In(a.lang)
	}
	if r.PendingDevices > 0 {
		s += "\n" + tn("sync.pending_devices", r.PendingDevices)
	}
	if pi, ok := a.opts.Instruments.(PublishedInstruments); ok && full {
		s += "\n" + a.publishedText(pi, r.FeedUnread)
	} else if a.opts.Instruments != nil {
		for _, p := range a.opts.Instruments.Problems() {
			s += "\n" + p.In(a.lang)
		}
	}
	return s
}

// reportParts names what a round moved.
func (a *App) reportParts(r SyncReport) []string {
	parts := a.movedParts(r.Sent, r.Refused, r.Received, r.Approved, r.Returned, r.Conflicts)
	if p := a.instrumentsPart(r.Instruments, r.InstrumentVersions); p != "" {
		parts = append(parts, p)
	}
	return parts
}

// instrumentsPart names the instrument versions a round received
// ("ricevuta Scheda minore, versione 3"); of a round kept before they were
// named, only the count is known.
func (a *App) instrumentsPart(n int, vs []InstrumentVersion) string {
	if len(vs) == 0 {
		if n == 0 {
			return ""
		}
		return tn("sync.part_instruments", n)
	}
	return TN("sync.part_instruments_named", len(vs), map[string]any{"List": a.versionList(vs)})
}

// versionList names instrument versions by instrument, in the order given:
// "Scheda minore, versioni 2 e 3, e Questionario comunale, versione 1".
func (a *App) versionList(vs []InstrumentVersion) string {
	var order []string
	by := map[string][]string{}
	for _, v := range vs {
		if _, ok := by[v.Instrument]; !ok {
			order = append(order, v.Instrument)
		}
		by[v.Instrument] = append(by[v.Instrument], strconv.Itoa(v.Version))
	}
	items := make([]string, len(order))
	for i, id := range order {
		items[i] = TN("sync.instrument_versions", len(by[id]), map[string]any{"Name": a.instrumentTitle(id), "Versions": joinAnd(by[id], ", ", T("sync.and"))})
	}
	return joinAnd(items, ", ", ","+T("sync.and"))
}

// instrumentTitle is an instrument's title, its id when unknown.
func (a *App) instrumentTitle(id string) string {
	if pi, ok := a.opts.Instruments.(PublishedInstruments); ok {
		return pi.Title(id, a.lang)
	}
	return id
}

// joinAnd joins items with sep, the last with last (" e ").
func joinAnd(items []string, sep, last string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], sep) + last + items[len(items)-1]
}

// publishedText says whether this laptop holds every instrument version
// the coordinators have published, and names each it lacks with the
// reason: a version the server published is received at every round, so
// after a round that read all the server has, what is missing here is what
// this app cannot read.
func (a *App) publishedText(pi PublishedInstruments, feedUnread bool) string {
	vs, err := pi.Published()
	if err != nil {
		return T("sync.instruments_error", map[string]any{"Error": a.errText(err)})
	}
	var held []InstrumentVersion
	var missing []string
	for _, v := range vs {
		if v.Problem == nil {
			held = append(held, v.InstrumentVersion)
			continue
		}
		missing = append(missing, T("sync.instruments_missing", map[string]any{"Name": a.instrumentTitle(v.Instrument),
			"Version": v.Version, "Reason": v.Problem.In(a.lang)}))
	}
	var s string
	switch {
	case len(vs) == 0:
		s = T("sync.instruments_none")
	case len(missing) == 0 && !feedUnread:
		s = T("sync.instruments_all", map[string]any{"List": a.versionList(held)})
	case len(held) > 0:
		s = T("sync.instruments_held", map[string]any{"List": a.versionList(held)})
	}
	for _, m := range missing {
		if s != "" {
			s += " "
		}
		s += m
	}
	if feedUnread {
		s += " " + T("sync.instruments_feed_unread")
	}
	return s
}

// tn is TN for a text whose only datum is its count.
func tn(key string, count int) string { return TN(key, count, map[string]any{"Count": count}) }

// refreshInstruments reads again the instrument versions the store holds,
// off the UI goroutine, after a round that received some: new records then
// take the newest, a colleague's record of that version opens, and the
// record on screen says if a newer version exists.
func (a *App) refreshInstruments() {
	store, ins := a.store, a.opts.Instruments
	if store == nil || ins == nil {
		return
	}
	loop.Go(func() func() {
		cx, cancel := ctx()
		err := ins.Refresh(cx, store)
		cancel()
		return func() {
			if a.store != store {
				return // locked meanwhile: the next unlock reads the store again
			}
			if err != nil && a.status != nil {
				a.status.SetText(a.syncLine() + "\n" + a.errText(err))
				return
			}
			if a.rec != nil {
				a.rec.showVersion()
			}
			if a.status != nil {
				a.status.SetText(a.syncLine())
			}
			if a.syncV != nil {
				a.syncV.setReport(a.receiptText())
			}
		}
	})
}
