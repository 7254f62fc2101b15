package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"syscall"
	"time"

	"filippo.io/age"

	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/sync/seal"
	"sinba/sync/server"
	"sinba/sync/wire"
)

// drillConfig is the server configuration of the drills: the production
// limits, except that every laptop enrols from the same loopback address
// and the drills fire requests faster than a person would.
var drillConfig = server.Config{EnrolRate: 1000, EnrolBurst: 1000, DeviceRate: 1000, DeviceBurst: 1000}

// drillClient is a client that does not keep connections alive, so that a
// fault hits one request, and retries quickly, at most attempts times per
// request: few attempts make rounds fail and the next round resume.
func drillClient(attempts int, errs *transportErrors, format int) client.Options {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DisableKeepAlives = true
	b := fastBackoff
	b.Attempts = attempts
	return client.Options{HTTPClient: &http.Client{Transport: &countingTransport{base: tr, errs: errs}, Timeout: 15 * time.Second},
		Backoff: b, BatchRevisions: 20, Format: format}
}

// formatOf is the wire format of the i-th laptop of a drill: format 2, or
// with mix format 1 for the odd ones (laptops not yet updated).
func formatOf(mix bool, i int) int {
	if mix && i%2 == 1 {
		return wire.FormatV1
	}
	return wire.FormatV2
}

// transportErrors counts the requests that failed below HTTP: refused (no
// server listening) or broken (the connection died with the request in
// flight).
type transportErrors struct {
	refused, broken atomic.Int64
}

type countingTransport struct {
	base http.RoundTripper
	errs *transportErrors
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil && t.errs != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			t.errs.refused.Add(1)
		} else {
			t.errs.broken.Add(1)
		}
	}
	return resp, err
}

// tally is what a drill found.
type tally struct {
	Expected   int // revisions saved on the laptops
	OnServer   int // of which the server holds
	Lost       int // saved, acknowledged or not, and absent from the server
	Duplicates int // revisions the server holds more than once
	Corrupted  int // revisions whose sealed content differs from what was saved
	Unsent     int // revisions still in a laptop's outbox at the end
}

func (t tally) bad() bool { return t.Lost+t.Duplicates+t.Corrupted+t.Unsent > 0 }

func (t tally) String() string {
	return fmt.Sprintf("revisioni salvate / revisions saved %d, sul server / on the server %d; perse / lost %d, duplicate / duplicated %d, alterate / corrupted %d, non inviate / unsent %d",
		t.Expected, t.OnServer, t.Lost, t.Duplicates, t.Corrupted, t.Unsent)
}

// verifyServer compares every revision saved on the laptops (their own, not
// those received from colleagues) with what the server store holds: present
// once, and opening with the coordinators' key to the same answers and notes.
func verifyServer(ctx context.Context, st *server.Store, key *age.X25519Identity, laptops []*localdb.Store) (tally, error) {
	var t tally
	revs, err := st.Revisions(ctx)
	if err != nil {
		return t, err
	}
	open, headers, err := st.Opener(ctx, key)
	if err != nil {
		return t, err
	}
	count := map[string]int{}
	byID := map[string]int{}
	for i, r := range revs {
		count[r.Revision]++
		byID[r.Revision] = i
	}
	for _, n := range count {
		t.Duplicates += n - 1
	}
	for _, l := range laptops {
		infos, err := l.List(ctx, localdb.Filter{})
		if err != nil {
			return t, err
		}
		for _, info := range infos {
			hist, err := l.History(ctx, info.ID)
			if err != nil {
				return t, err
			}
			for _, h := range hist {
				if h.Origin != "" {
					continue
				}
				if h.Err != nil {
					t.Corrupted++
					continue
				}
				t.Expected++
				i, ok := byID[h.Revision]
				if !ok {
					t.Lost++
					continue
				}
				t.OnServer++
				got, err := open.Open(&revs[i], headers[revs[i].Header])
				if err != nil || !sameContent(got, h.Record) {
					t.Corrupted++
				}
			}
		}
		out, err := l.Outbox(ctx, 0)
		if err != nil {
			return t, err
		}
		t.Unsent += len(out)
	}
	return t, nil
}

func sameContent(a, b survey.Record) bool {
	ja, err1 := json.Marshal(seal.Content{Answers: a.Answers, Meta: a.Meta})
	jb, err2 := json.Marshal(seal.Content{Answers: b.Answers, Meta: b.Meta})
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

// drainOutbox syncs until the laptop's outbox is empty.
func drainOutbox(ctx context.Context, l *laptop, tries int) error {
	var last error
	for i := 0; i < tries; i++ {
		out, err := l.store.Outbox(ctx, 1)
		if err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		if _, err := l.client.SyncOnce(ctx, nil); err != nil {
			last = err
			time.Sleep(50 * time.Millisecond)
		}
	}
	return fmt.Errorf("outbox not empty after %d rounds: %v", tries, last)
}

// editor saves a stream of new records and edits of earlier ones.
type editor struct {
	pool []survey.Record
	ids  []string
	next int
}

func (e *editor) save(ctx context.Context, st *localdb.Store, r randSource) (localdb.RecordInfo, error) {
	rec := e.pool[e.next%len(e.pool)]
	e.next++
	if e.next > len(e.pool) || (len(e.ids) > 0 && r.IntN(3) == 0) {
		rec.ID = e.ids[r.IntN(len(e.ids))]
	}
	info, err := st.Save(ctx, rec, localdb.SaveOptions{Status: survey.StatusFinal, Actor: "drill"})
	if err == nil && (len(e.ids) == 0 || e.ids[len(e.ids)-1] != info.ID) {
		e.ids = append(e.ids, info.ID)
	}
	return info, err
}

type randSource interface{ IntN(int) int }

func fprintf(w io.Writer, format string, a ...any) { fmt.Fprintf(w, format, a...) }

// confirmColleagues does what a researcher of each team does once the team
// has a key: on a laptop that holds it, they confirm each colleague's laptop
// waiting for it, after checking that the code shown matches the one that
// laptop shows. Laptops never hand the team key over by themselves.
func confirmColleagues(ctx context.Context, laps []*laptop) (int, error) {
	fingerprint := map[string]string{}
	for _, l := range laps {
		en, err := l.client.Enrolled(ctx)
		if err != nil {
			return 0, err
		}
		fingerprint[en.DeviceID] = en.Fingerprint
	}
	granted := 0
	for _, l := range laps {
		pending, err := l.client.PendingDevices(ctx)
		if errors.Is(err, client.ErrNoTeamKey) {
			continue
		}
		if err != nil {
			return granted, err
		}
		for _, p := range pending {
			if fingerprint[p.ID] != p.Fingerprint {
				return granted, fmt.Errorf("device %s: shown code %s, the laptop shows %q", p.ID, p.Fingerprint, fingerprint[p.ID])
			}
			if err := l.client.GrantTeamKey(ctx, p); err != nil && !errors.Is(err, client.ErrNotPending) {
				return granted, err
			}
			granted++
		}
	}
	return granted, nil
}
