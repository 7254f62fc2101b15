// Package dataset reads the records of a local store as a data set, for the
// coordinators' screens and the exports: each decrypted record with its
// status, times and (on a coordinator's store) the team that entered it;
// and it writes them in one of the export formats of survey/export into a
// folder, logging the export in the store's audit trail. Nothing here talks
// to the server: it reads a coordinator's decrypted copy or a laptop's
// store alike.
package dataset

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"sinba/localdb"
	"sinba/survey"
	"sinba/survey/export"
	"sinba/survey/quality"
)

// TeamsSecret is the store secret where a coordinator's app keeps the team
// of each record it downloaded (a JSON object, record id to team name).
const TeamsSecret = "coord/record-teams"

// Entries returns the records of a store whose status is among statuses (all
// when none is given), decrypted, with the team that entered each (known on
// a coordinator's store) and its times: what quality.BuildProgress and the
// exports read. Damaged records are left out and counted in skipped.
func Entries(ctx context.Context, store *localdb.Store, statuses ...survey.Status) (entries []quality.Entry, skipped int, err error) {
	infos, err := store.List(ctx, localdb.Filter{Sort: localdb.SortCreated})
	if err != nil {
		return nil, 0, err
	}
	teams := map[string]string{}
	if b, err := store.Secret(ctx, TeamsSecret); err == nil {
		_ = json.Unmarshal(b, &teams)
	}
	for _, info := range infos {
		if len(statuses) > 0 && !slices.Contains(statuses, info.Status) {
			continue
		}
		rec, _, err := store.Get(ctx, info.ID)
		if errors.Is(err, localdb.ErrTampered) {
			skipped++
			continue
		}
		if err != nil {
			return nil, skipped, err
		}
		entries = append(entries, quality.Entry{Record: rec, Status: info.Status, Team: teams[info.ID], Created: info.Created, Updated: info.Updated})
	}
	return entries, skipped, nil
}

// Options say what to export and where.
type Options struct {
	Format string // export.FormatCSV, FormatSPSS, FormatStata, FormatXLSX, FormatSINBA
	Dir    string // the folder the coordinator chose; made if missing
	// Statuses are the record states exported; none means approved only:
	// what leaves the app is what the coordinators checked.
	Statuses []survey.Status
	SINBA    export.SINBAOptions
	Actor    string // who exports, for the audit trail
}

// Formats are the export formats, in the order the app offers them.
var Formats = []string{export.FormatCSV, export.FormatSPSS, export.FormatStata, export.FormatXLSX, export.FormatSINBA}

// Export writes the store's records in one format into a folder, with the
// manifest beside them (export.WriteManifest: what is in the files, what was
// left out and why, the instrument versions, each file's checksum), and logs
// it in the store's audit trail (format, folder, records, files). It reads
// any store: a coordinator's decrypted copy or a laptop's (whose
// identification never leaves: survey/export strips it). A SINBA export
// lists in its manifest every case record it left out, those in a state not
// exported included.
func Export(ctx context.Context, store *localdb.Store, reg *survey.Registry, o Options) (export.Manifest, error) {
	if !slices.Contains(Formats, o.Format) {
		return export.Manifest{}, survey.Errorf("formato %q sconosciuto: %s", "unknown format %q: %s", o.Format, strings.Join(Formats, ", "))
	}
	if o.Dir == "" {
		return export.Manifest{}, survey.NewError("manca la cartella di destinazione", "the destination folder is missing")
	}
	statuses := o.statuses()
	var plan export.SINBAPlan
	var recs []survey.Record
	var err error
	if o.Format == export.FormatSINBA {
		// Planned before the folder is made: a plan that fails leaves
		// nothing behind.
		if plan, err = Plan(ctx, store, reg, o); err != nil {
			return plan.Manifest, err
		}
	} else {
		entries, _, err := Entries(ctx, store, statuses...)
		if err != nil {
			return export.Manifest{}, err
		}
		recs = make([]survey.Record, len(entries))
		for i, e := range entries {
			recs[i] = e.Record
		}
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return export.Manifest{}, survey.Errorf("cartella non creata: %w", "folder not created: %w", err)
	}
	var m export.Manifest
	switch o.Format {
	case export.FormatCSV:
		m, err = export.WriteCSV(o.Dir, export.Datasets(reg, recs)...)
	case export.FormatSPSS:
		m, err = export.WriteSPSS(o.Dir, export.Datasets(reg, recs)...)
	case export.FormatStata:
		m, err = export.WriteStata(o.Dir, export.Datasets(reg, recs)...)
	case export.FormatXLSX:
		m, err = export.WriteXLSX(filepath.Join(o.Dir, "sinba-"+time.Now().Format("20060102-150405")+".xlsx"), export.Datasets(reg, recs)...)
	case export.FormatSINBA:
		m, err = plan.Write(o.Dir)
	}
	if err != nil {
		return m, err
	}
	m.Statuses = statuses
	if err := export.WriteManifest(&m); err != nil {
		return m, err
	}
	files := make([]string, len(m.Files))
	for i, f := range m.Files {
		files[i] = f.Name
	}
	detail, _ := json.Marshal(map[string]any{
		"format": o.Format, "dir": m.Dir, "records": m.Records, "versions": m.Versions, "statuses": statuses, "files": files,
		"refused": len(m.Refused), "manifest": m.Name,
	})
	if err := store.Log(ctx, o.Actor, "export", "", string(detail)); err != nil {
		return m, err
	}
	return m, nil
}

// statuses are the record states the options export: approved only when
// none is given.
func (o Options) statuses() []survey.Status {
	if len(o.Statuses) == 0 {
		return []survey.Status{survey.StatusApproved}
	}
	return o.Statuses
}

// Plan is what a SINBA export with these options would write, writing
// nothing: the flows and their records, and every case record left out with
// its reasons, those in a state not exported first (export.StateRefusal).
// The coordinators' screen shows it before the folder is chosen; Export
// writes the same plan.
func Plan(ctx context.Context, store *localdb.Store, reg *survey.Registry, o Options) (export.SINBAPlan, error) {
	statuses := o.statuses()
	entries, _, err := Entries(ctx, store)
	if err != nil {
		return export.SINBAPlan{}, err
	}
	var recs []survey.Record
	var left []export.Refusal
	for _, e := range entries {
		if !slices.Contains(statuses, e.Status) {
			if e.Record.Instrument == survey.InstrumentCase {
				left = append(left, export.StateRefusal(e.Record, e.Status, statuses))
			}
			continue
		}
		recs = append(recs, e.Record)
	}
	p, err := export.PlanSINBA(reg, recs, o.SINBA)
	p.Manifest.Refused = append(left, p.Manifest.Refused...)
	p.Manifest.Statuses = statuses
	return p, err
}
